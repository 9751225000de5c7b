// trigo_avgpool: channel-last average pooling on trigo_reduce: the exact
// window sum times R[n] = round(2^recip_frac / count) (OP 0, MUL 1).
module trigo_avgpool #(
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
  parameter RW = 1,
  parameter [NY*RW-1:0] R = {NY*RW{1'b0}},
  parameter [NY*RW-1:0] RP = {NY*RW{1'b0}},
  parameter [NY*RW-1:0] RN = {NY*RW{1'b0}},
  parameter LUTMUL = 0,
  parameter PW = 16,
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
  trigo_reduce #(.OP(0), .NX(NX), .XW(XW), .XS(XS), .NY(NY), .NT(NT), .SW(SW), .ARITY(ARITY),
    .LEVELS(LEVELS), .FLAT(FLAT), .T_START(T_START), .T_COUNT(T_COUNT), .T_IDX(T_IDX), .MUL(1),
    .RW(RW), .R(R), .RP(RP), .RN(RN), .LUTMUL(LUTMUL), .PW(PW), .Y_IW(Y_IW), .Y_IS(Y_IS),
    .Y_SHIFT(Y_SHIFT), .Y_OW(Y_OW), .Y_OS(Y_OS), .Y_RND(Y_RND), .Y_OVF(Y_OVF), .REGS(REGS))
    u_core (.clk(clk), .ce(ce), .x(x), .y(y));
endmodule
