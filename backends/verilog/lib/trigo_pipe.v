// trigo_pipe: an optional pipeline register. EN = 1: W flip-flops loaded
// when ce is high (the global stall enable); EN = 0: a wire.
module trigo_pipe #(
  parameter W  = 1,
  parameter EN = 1
) (
  input  wire         clk,
  input  wire         ce,
  input  wire [W-1:0] d,
  output wire [W-1:0] q
);
  generate
    if (EN != 0) begin : g_reg
      reg [W-1:0] r;
      always @(posedge clk) if (ce) r <= d;
      assign q = r;
    end else begin : g_wire
      assign q = d;
      // clk and ce are unused in this configuration.
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = clk ^ ce;
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate
endmodule
