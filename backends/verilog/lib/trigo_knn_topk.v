// trigo_knn_topk: the KP smallest of NG*KP unique keys (KP and NG powers
// of two). A merge tree: every group of KP keys is sorted (Batcher's
// odd-even merge sort, trigo_knn_oesort), then pairs of sorted lists a, b
// are reduced to the KP smallest of a U b by c_i = min(a_i, b_(KP-1-i)) (a
// bitonic sequence that holds exactly the KP smallest) and a bitonic
// merger, log2(NG) times. SORTED = 0 drops the bitonic merger at the root:
// the output is then the KP smallest keys in some order (enough for a
// caller that only sums, maxes and counts them). N = 64, KP = 8, SORTED = 0:
// 152 + 72 = 224 compare-exchanges and 56 min units (bitonic sorts and a
// sorted root: 276), against 2016 comparators and 64 popcounts for a full
// rank computation; log2(KP)(log2(KP)+1)/2 + log2(NG)(1+log2(KP)) levels
// (log2(KP) fewer without the root merger).
// Registers: SORT_REGS as in trigo_knn_oesort; MERGE_REG = 1 puts one after
// every merge (the root's min level included, with or without its merger).
// Cycles: popcount(SORT_REGS[log2 KP:1]) + MERGE_REG*log2(NG).
module trigo_knn_topk #(
  parameter W  = 8,
  parameter KP = 2,
  parameter NG = 1,
  parameter [31:0] SORT_REGS = 32'd0,
  parameter MERGE_REG = 0,
  parameter SORTED = 1
) (
  input  wire              clk,
  input  wire              ce,
  input  wire [NG*KP*W-1:0] in,
  output wire [KP*W-1:0]    out
);
  genvar i;
  generate
    if (NG == 1) begin : g_leaf
      trigo_knn_oesort #(.W(W), .M(KP), .REGS(SORT_REGS)) u_s (.clk(clk), .ce(ce), .in(in), .out(out));
    end else begin : g_node
      localparam HG = NG / 2;
      wire [KP*W-1:0] a, b, c, m;
      trigo_knn_topk #(.W(W), .KP(KP), .NG(HG), .SORT_REGS(SORT_REGS), .MERGE_REG(MERGE_REG))
        u_a (.clk(clk), .ce(ce), .in(in[HG*KP*W-1:0]), .out(a));
      trigo_knn_topk #(.W(W), .KP(KP), .NG(HG), .SORT_REGS(SORT_REGS), .MERGE_REG(MERGE_REG))
        u_b (.clk(clk), .ce(ce), .in(in[NG*KP*W-1:HG*KP*W]), .out(b));
      for (i = 0; i < KP; i = i + 1) begin : g_min
        wire [W-1:0] x = a[i*W +: W];
        wire [W-1:0] y = b[(KP-1-i)*W +: W];
        assign c[i*W +: W] = (y < x) ? y : x;
      end
      if (SORTED != 0) begin : g_sorted
        trigo_knn_bmerge #(.W(W), .M(KP), .UP(1)) u_m (.in(c), .out(m));
      end else begin : g_set
        assign m = c;
      end
      trigo_pipe #(.W(KP*W), .EN(MERGE_REG)) u_r (.clk(clk), .ce(ce), .d(m), .q(out));
    end
  endgenerate
endmodule
