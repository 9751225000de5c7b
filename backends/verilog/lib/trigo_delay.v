// trigo_delay: a D-stage delay line (D >= 0) of ce-enabled registers. It
// aligns a value with a later pipeline stage.
module trigo_delay #(
  parameter W = 1,
  parameter D = 1
) (
  input  wire         clk,
  input  wire         ce,
  input  wire [W-1:0] d,
  output wire [W-1:0] q
);
  wire [W*(D+1)-1:0] s;
  assign s[W-1:0] = d;
  genvar i;
  generate
    for (i = 0; i < D; i = i + 1) begin : g_stage
      trigo_pipe #(.W(W), .EN(1)) u_r (.clk(clk), .ce(ce), .d(s[i*W +: W]), .q(s[(i+1)*W +: W]));
    end
    if (D == 0) begin : g_wire
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = clk ^ ce;
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate
  assign q = s[D*W +: W];
endmodule
