// trigo_cast: y[i] = convert(x[I[i]]): reshape, transpose, cast and the
// inputs of concat when the conversion is not the identity (otherwise they
// are pure wiring in the top level).
// Steps and REGS bits: step 0 the conversion; bit 0 input register, bit 1
// output register.
module trigo_cast #(
  parameter NX = 1, parameter XW = 16, parameter XS = 1,
  parameter NY = 1,
  parameter [NY*32-1:0] I = {NY{32'd0}},
  parameter Y_SHIFT = 0,
  parameter Y_OW = 16, parameter Y_OS = 1, parameter Y_RND = 0, parameter Y_OVF = 0,
  parameter [63:0] REGS = 64'd0
) (
  input  wire             clk,
  input  wire             ce,
  input  wire [NX*XW-1:0] x,
  output wire [NY*Y_OW-1:0] y
);
  wire [NX*XW-1:0] xr;
  trigo_pipe #(.W(NX*XW), .EN(REGS[0])) u_in (.clk(clk), .ce(ce), .d(x), .q(xr));
  genvar i;
  generate
    for (i = 0; i < NY; i = i + 1) begin : g_e
      wire [Y_OW-1:0] yv;
      /* verilator lint_off PINCONNECTEMPTY */
      trigo_convert #(.IW(XW), .IS(XS), .SHIFT(Y_SHIFT), .OW(Y_OW), .OS(Y_OS), .RND(Y_RND), .OVF(Y_OVF))
        u_cv (.in(xr[I[i*32 +: 32]*XW +: XW]), .out(yv), .ovf());
      /* verilator lint_on PINCONNECTEMPTY */
      trigo_pipe #(.W(Y_OW), .EN(REGS[1])) u_o (.clk(clk), .ce(ce), .d(yv), .q(y[i*Y_OW +: Y_OW]));
    end
  endgenerate
endmodule
