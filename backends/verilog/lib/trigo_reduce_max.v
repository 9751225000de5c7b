// trigo_reduce_max: maximum over axes on trigo_reduce (OP 1).
module trigo_reduce_max #(
  parameter NX = 1,
  parameter XW = 16,
  parameter XS = 1,
  parameter NY = 1,
  parameter NT = 1,
  parameter SW = 16,
  parameter ARITY = 3,
  parameter LEVELS = 0,
  parameter FLAT = 0,
  parameter [NY*32-1:0] T_START = {NY{32'd0}},
  parameter [NY*32-1:0] T_COUNT = {NY{32'd1}},
  parameter [NT*32-1:0] T_IDX = {NT{32'd0}},
  parameter Y_IW = 16,
  parameter Y_IS = 1,
  parameter Y_SHIFT = 0,
  parameter Y_OW = 16,
  parameter Y_OS = 1,
  parameter Y_RND = 0,
  parameter Y_OVF = 0,
  parameter [63:0] REGS = 64'd0
) (
  input  wire             clk,
  input  wire             ce,
  input  wire [NX*XW-1:0] x,
  output wire [NY*Y_OW-1:0] y
);
  trigo_reduce #(.OP(1), .NX(NX), .XW(XW), .XS(XS), .NY(NY), .NT(NT), .SW(SW), .ARITY(ARITY),
    .LEVELS(LEVELS), .FLAT(FLAT), .T_START(T_START), .T_COUNT(T_COUNT), .T_IDX(T_IDX), .MUL(0),
    .RW(1), .R({NY{1'b0}}), .RP({NY{1'b0}}), .RN({NY{1'b0}}), .LUTMUL(0), .PW(SW), .Y_IW(Y_IW),
    .Y_IS(Y_IS), .Y_SHIFT(Y_SHIFT), .Y_OW(Y_OW), .Y_OS(Y_OS), .Y_RND(Y_RND), .Y_OVF(Y_OVF),
    .REGS(REGS))
    u_core (.clk(clk), .ce(ce), .x(x), .y(y));
endmodule
