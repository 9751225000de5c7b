// trigo_leaky_relu: y = x >= 0 ? x : alpha*x with alpha = ALPHA * 2^-16,
// computed exactly at frac(x)+16 (EW bits), then converted to the output
// type. The product uses trigo_mulc (a DSP, or shift-add when LUTMUL).
// Steps and REGS bits: step 0 the product, step 1 the select, step 2 the
// conversion; bit 0 input register, bit 1 after the product, bit 2 after
// the select, bit 3 output register.
module trigo_leaky_relu #(
  parameter N = 1, parameter XW = 16, parameter XS = 1,
  parameter EW = 40,
  parameter AW = 22,
  parameter [AW-1:0] ALPHA = {AW{1'b0}},
  parameter LUTMUL = 0,
  parameter [AW-1:0] AP = {AW{1'b0}},
  parameter [AW-1:0] AN = {AW{1'b0}},
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
      wire [XW-1:0] xd;
      wire [EW-1:0] p, pr, pos, v, vr;
      wire [Y_OW-1:0] yv;
      trigo_mulc #(.IW(XW), .IS(XS), .OW(EW), .CW(AW), .C(ALPHA), .LUTMUL(LUTMUL), .CP(AP), .CN(AN))
        u_m (.in(xv), .out(p));
      trigo_pipe #(.W(EW), .EN(REGS[1])) u_rp (.clk(clk), .ce(ce), .d(p), .q(pr));
      trigo_pipe #(.W(XW), .EN(REGS[1])) u_rx (.clk(clk), .ce(ce), .d(xv), .q(xd));
      trigo_resize #(.IW(XW), .IS(XS), .SHL(16), .OW(EW)) u_s (.in(xd), .out(pos));
      assign v = (XS != 0 && xd[XW-1]) ? pr : pos;
      trigo_pipe #(.W(EW), .EN(REGS[2])) u_rv (.clk(clk), .ce(ce), .d(v), .q(vr));
      /* verilator lint_off PINCONNECTEMPTY */
      trigo_convert #(.IW(EW), .IS(1), .SHIFT(Y_SHIFT), .OW(Y_OW), .OS(Y_OS), .RND(Y_RND), .OVF(Y_OVF))
        u_cv (.in(vr), .out(yv), .ovf());
      /* verilator lint_on PINCONNECTEMPTY */
      trigo_pipe #(.W(Y_OW), .EN(REGS[3])) u_o (.clk(clk), .ce(ce), .d(yv), .q(y[i*Y_OW +: Y_OW]));
    end
  endgenerate
endmodule
