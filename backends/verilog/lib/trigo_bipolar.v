// trigo_bipolar: y = x >= 0 ? POS : NEG (bipolar_quant; both constants
// already converted to the output type).
// Steps and REGS bits: step 0 the select; bit 0 input register, bit 1
// output register.
module trigo_bipolar #(
  parameter N = 1, parameter XW = 16, parameter XS = 1,
  parameter YW = 2,
  parameter [YW-1:0] POS = {YW{1'b0}},
  parameter [YW-1:0] NEG = {YW{1'b0}},
  parameter [63:0] REGS = 64'd0
) (
  input  wire            clk,
  input  wire            ce,
  // Only the sign bits are read.
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [N*XW-1:0] x,
  /* verilator lint_on UNUSEDSIGNAL */
  output wire [N*YW-1:0] y
);
  /* verilator lint_off UNUSEDSIGNAL */
  wire [N*XW-1:0] xr;
  /* verilator lint_on UNUSEDSIGNAL */
  trigo_pipe #(.W(N*XW), .EN(REGS[0])) u_in (.clk(clk), .ce(ce), .d(x), .q(xr));
  genvar i;
  generate
    for (i = 0; i < N; i = i + 1) begin : g_e
      wire neg = (XS != 0) && xr[i*XW + XW - 1];
      trigo_pipe #(.W(YW), .EN(REGS[1])) u_o (.clk(clk), .ce(ce), .d(neg ? NEG : POS), .q(y[i*YW +: YW]));
    end
  endgenerate
endmodule
