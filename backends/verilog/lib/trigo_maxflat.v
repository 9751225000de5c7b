// trigo_maxflat: the maximum of N W-bit operands in one comparator level:
// every pair is compared at once and the first largest operand is selected
// (one-hot AND-OR). Faster than a comparator tree for small N.
module trigo_maxflat #(
  parameter N  = 2,
  parameter W  = 8,
  parameter SIGNED = 1
) (
  input  wire [N*W-1:0] in,
  output wire [W-1:0]   out
);
  genvar i, j;
  wire [N-1:0] win;
  wire [N*W-1:0] sel;
  generate
    for (i = 0; i < N; i = i + 1) begin : g_i
      wire [W:0] a = {(SIGNED != 0) ? in[i*W + W - 1] : 1'b0, in[i*W +: W]};
      wire [N-1:0] beats;                     // beats[j]: operand i wins against j
      for (j = 0; j < N; j = j + 1) begin : g_j
        if (j == i) begin : g_self
          assign beats[j] = 1'b1;
        end else begin : g_cmp
          wire [W:0] b = {(SIGNED != 0) ? in[j*W + W - 1] : 1'b0, in[j*W +: W]};
          // ties go to the first operand
          assign beats[j] = (j < i) ? ($signed(a) > $signed(b)) : ($signed(a) >= $signed(b));
        end
      end
      assign win[i] = &beats;
      assign sel[i*W +: W] = win[i] ? in[i*W +: W] : {W{1'b0}};
    end
  endgenerate
  // OR of the one-hot selection.
  reg [W-1:0] o;
  integer k;
  always @(*) begin
    o = {W{1'b0}};
    for (k = 0; k < N; k = k + 1) o = o | sel[k*W +: W];
  end
  assign out = o;
endmodule
