// trigo_knn_bmerge: a bitonic merger. The input is a bitonic sequence of M
// keys (M a power of two); the output is that sequence sorted, ascending
// (UP = 1: the smallest key at index 0) or descending (UP = 0). Keys are
// compared as unsigned numbers; the caller makes them unique (distance and
// vertex index in one key), so the order is total and the result does not
// depend on how the network breaks ties. log2(M) compare-exchange levels,
// M/2 comparators each; purely combinational.
module trigo_knn_bmerge #(
  parameter W  = 8,
  parameter M  = 2,
  parameter UP = 1
) (
  input  wire [M*W-1:0] in,
  output wire [M*W-1:0] out
);
  genvar i;
  generate
    if (M == 1) begin : g_one
      assign out = in;
    end else begin : g_merge
      localparam H = M / 2;
      wire [M*W-1:0] x;
      for (i = 0; i < H; i = i + 1) begin : g_cx
        wire [W-1:0] a = in[i*W +: W];
        wire [W-1:0] b = in[(i+H)*W +: W];
        wire sw = (UP != 0) ? (b < a) : (a < b);
        assign x[i*W +: W]     = sw ? b : a;
        assign x[(i+H)*W +: W] = sw ? a : b;
      end
      trigo_knn_bmerge #(.W(W), .M(H), .UP(UP)) u_lo (.in(x[H*W-1:0]), .out(out[H*W-1:0]));
      trigo_knn_bmerge #(.W(W), .M(H), .UP(UP)) u_hi (.in(x[M*W-1:H*W]), .out(out[M*W-1:H*W]));
    end
  endgenerate
endmodule
