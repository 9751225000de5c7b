// trigo_clip: y = min(max(x, LO), HI) on codes (the bounds lie on x's
// grid; the generator drops a bound outside x's range, HAS_LO/HAS_HI = 0),
// converted to the output type.
// Steps and REGS bits: step 0 the clamp, step 1 the conversion; bit 0
// input register, bit 1 after the clamp, bit 2 output register.
module trigo_clip #(
  parameter N = 1, parameter XW = 16, parameter XS = 1,
  parameter HAS_LO = 0, parameter [XW-1:0] LO = {XW{1'b0}},
  parameter HAS_HI = 0, parameter [XW-1:0] HI = {XW{1'b0}},
  parameter Y_SHIFT = 0,
  parameter Y_OW = 16, parameter Y_OS = 1, parameter Y_RND = 0, parameter Y_OVF = 0,
  parameter [63:0] REGS = 64'd0
) (
  input  wire            clk,
  input  wire            ce,
  input  wire [N*XW-1:0] x,
  output wire [N*Y_OW-1:0] y
);
  wire [N*XW-1:0] xr;
  trigo_pipe #(.W(N*XW), .EN(REGS[0])) u_in (.clk(clk), .ce(ce), .d(x), .q(xr));
  genvar i;
  generate
    for (i = 0; i < N; i = i + 1) begin : g_e
      wire [XW-1:0] xv = xr[i*XW +: XW];
      wire [XW:0] xs = {(XS != 0) ? xv[XW-1] : 1'b0, xv};
      wire [XW:0] los = {(XS != 0) ? LO[XW-1] : 1'b0, LO};
      wire [XW:0] his = {(XS != 0) ? HI[XW-1] : 1'b0, HI};
      wire [XW:0] m1;
      // m2's sign-extension bit is not needed after the clamp.
      /* verilator lint_off UNUSEDSIGNAL */
      wire [XW:0] m2;
      /* verilator lint_on UNUSEDSIGNAL */
      wire [XW-1:0] vr;
      wire [Y_OW-1:0] yv;
      assign m1 = (HAS_LO != 0 && $signed(xs) < $signed(los)) ? los : xs;
      assign m2 = (HAS_HI != 0 && $signed(m1) > $signed(his)) ? his : m1;
      trigo_pipe #(.W(XW), .EN(REGS[1])) u_r (.clk(clk), .ce(ce), .d(m2[XW-1:0]), .q(vr));
      /* verilator lint_off PINCONNECTEMPTY */
      trigo_convert #(.IW(XW), .IS(XS), .SHIFT(Y_SHIFT), .OW(Y_OW), .OS(Y_OS), .RND(Y_RND), .OVF(Y_OVF))
        u_cv (.in(vr), .out(yv), .ovf());
      /* verilator lint_on PINCONNECTEMPTY */
      trigo_pipe #(.W(Y_OW), .EN(REGS[2])) u_o (.clk(clk), .ce(ce), .d(yv), .q(y[i*Y_OW +: Y_OW]));
    end
  endgenerate
endmodule
