// trigo_knn_oemerge: Batcher's odd-even merger. The input is M keys (M a
// power of two) whose halves are each sorted ascending; the output is all
// M sorted ascending. The even-indexed and the odd-indexed keys are merged
// separately (recursively), then one level of compare-exchanges between
// odd key i-1 and even key i finishes the merge: (M/2)log2(M/2)+1
// comparators (9 for M = 8, against 12 in a bitonic merger), log2(M)
// levels; purely combinational. Keys compare as unsigned numbers.
module trigo_knn_oemerge #(
  parameter W = 8,
  parameter M = 2
) (
  input  wire [M*W-1:0] in,
  output wire [M*W-1:0] out
);
  genvar i;
  generate
    if (M == 1) begin : g_one
      assign out = in;
    end else if (M == 2) begin : g_two
      wire [W-1:0] a = in[W-1:0];
      wire [W-1:0] b = in[2*W-1:W];
      wire sw = b < a;
      assign out = sw ? {a, b} : {b, a};
    end else begin : g_merge
      localparam H = M / 2;
      wire [H*W-1:0] ev, od, evs, ods;
      for (i = 0; i < H; i = i + 1) begin : g_split
        assign ev[i*W +: W] = in[(2*i)*W +: W];
        assign od[i*W +: W] = in[(2*i+1)*W +: W];
      end
      // the even (odd) keys of each sorted half are sorted: halves again
      trigo_knn_oemerge #(.W(W), .M(H)) u_ev (.in(ev), .out(evs));
      trigo_knn_oemerge #(.W(W), .M(H)) u_od (.in(od), .out(ods));
      assign out[W-1:0] = evs[W-1:0];
      assign out[M*W-1 -: W] = ods[H*W-1 -: W];
      for (i = 1; i < H; i = i + 1) begin : g_cx
        wire [W-1:0] a = ods[(i-1)*W +: W];
        wire [W-1:0] b = evs[i*W +: W];
        wire sw = b < a;
        assign out[(2*i-1)*W +: W] = sw ? b : a;
        assign out[(2*i)*W +: W]   = sw ? a : b;
      end
    end
  endgenerate
endmodule
