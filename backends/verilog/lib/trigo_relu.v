// trigo_relu: y = max(x, 0), converted to the output type.
// Steps and REGS bits: step 0 the clamp, step 1 the conversion; bit 0
// input register, bit 1 after the clamp, bit 2 output register.
module trigo_relu #(
  parameter N = 1, parameter XW = 16, parameter XS = 1,
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
      wire [XW-1:0] v, vr;
      wire [Y_OW-1:0] yv;
      assign v = (XS != 0 && xv[XW-1]) ? {XW{1'b0}} : xv;
      trigo_pipe #(.W(XW), .EN(REGS[1])) u_r (.clk(clk), .ce(ce), .d(v), .q(vr));
      /* verilator lint_off PINCONNECTEMPTY */
      trigo_convert #(.IW(XW), .IS(XS), .SHIFT(Y_SHIFT), .OW(Y_OW), .OS(Y_OS), .RND(Y_RND), .OVF(Y_OVF))
        u_cv (.in(vr), .out(yv), .ovf());
      /* verilator lint_on PINCONNECTEMPTY */
      trigo_pipe #(.W(Y_OW), .EN(REGS[2])) u_o (.clk(clk), .ce(ce), .d(yv), .q(y[i*Y_OW +: Y_OW]));
    end
  endgenerate
endmodule
