// trigo_dense: a dense (fully connected) layer, y[..,n] = sum_k x[..,k] *
// w[k,n] + b[n], on trigo_linear (see there for the parameters, steps and
// REGS bits). The generator lists the non-zero weights of each output as
// terms; leading axes of x are flattened into the output index.
module trigo_dense #(
  parameter NX = 1,
  parameter XW = 16,
  parameter XS = 1,
  parameter NY = 1,
  parameter NT = 1,
  parameter WW = 16,
  parameter SW = 32,
  parameter ARITY = 3,
  parameter LUTMUL = 0,
  parameter LEVELS = 0,
  parameter [NY*32-1:0] T_START = {NY{32'd0}},
  parameter [NY*32-1:0] T_COUNT = {NY{32'd0}},
  parameter [NT*32-1:0] T_IDX = {NT{32'd0}},
  parameter [NT*WW-1:0] T_W = {NT*WW{1'b0}},
  parameter [NT*8-1:0] T_SH = {NT{8'd0}},
  parameter [NT*2-1:0] T_KIND = {NT{2'd0}},
  parameter [NY*SW-1:0] CONSTS = {NY*SW{1'b0}},
  parameter A_CONV = 0,
  parameter A_IW = 32,
  parameter A_IS = 1,
  parameter A_SHIFT = 0,
  parameter A_OW = 32,
  parameter A_OS = 1,
  parameter A_RND = 0,
  parameter A_OVF = 0,
  parameter Y_IW = 32,
  parameter Y_IS = 1,
  parameter Y_SHIFT = 0,
  parameter Y_OW = 16,
  parameter Y_OS = 1,
  parameter Y_RND = 0,
  parameter Y_OVF = 0,
  parameter RELU = 0,
  parameter [63:0] REGS = 64'd0
) (
  input  wire             clk,
  input  wire             ce,
  input  wire [NX*XW-1:0] x,
  output wire [NY*Y_OW-1:0] y
);
  trigo_linear #(.NX(NX), .XW(XW), .XS(XS), .NY(NY), .NT(NT), .WW(WW), .SW(SW), .ARITY(ARITY),
    .LUTMUL(LUTMUL), .LEVELS(LEVELS), .T_START(T_START), .T_COUNT(T_COUNT), .T_IDX(T_IDX),
    .T_W(T_W), .T_SH(T_SH), .T_KIND(T_KIND), .CONSTS(CONSTS), .A_CONV(A_CONV), .A_IW(A_IW),
    .A_IS(A_IS), .A_SHIFT(A_SHIFT), .A_OW(A_OW), .A_OS(A_OS), .A_RND(A_RND), .A_OVF(A_OVF),
    .Y_IW(Y_IW), .Y_IS(Y_IS), .Y_SHIFT(Y_SHIFT), .Y_OW(Y_OW), .Y_OS(Y_OS), .Y_RND(Y_RND),
    .Y_OVF(Y_OVF), .RELU(RELU), .REGS(REGS))
    u_core (.clk(clk), .ce(ce), .x(x), .y(y));
endmodule
