// trigo_knn_oesort: Batcher's odd-even merge sort of M keys (M a power of
// two), ascending (the smallest key at index 0): both halves are sorted
// (recursively) and merged by trigo_knn_oemerge. Keys are compared as
// unsigned numbers; the caller makes them unique, so the result does not
// depend on the network. Same depth as a bitonic sorter, log2(M)(log2(M)+1)/2
// compare-exchange levels, with fewer comparators: 19 instead of 24 for
// M = 8, 63 instead of 80 for M = 16. REGS bit b (b >= 1) puts a
// ce-enabled register after every sorted block of 2^b keys, so all paths
// get the same number of registers: the sort takes popcount(REGS[log2 M:1])
// cycles.
module trigo_knn_oesort #(
  parameter W = 8,
  parameter M = 2,
  parameter [31:0] REGS = 32'd0
) (
  input  wire           clk,
  input  wire           ce,
  input  wire [M*W-1:0] in,
  output wire [M*W-1:0] out
);
  generate
    if (M == 1) begin : g_one
      assign out = in;
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = clk ^ ce;
      /* verilator lint_on UNUSEDSIGNAL */
    end else begin : g_sort
      localparam H  = M / 2;
      localparam LG = $clog2(M);
      wire [H*W-1:0] lo, hi;
      wire [M*W-1:0] m;
      trigo_knn_oesort #(.W(W), .M(H), .REGS(REGS)) u_lo (.clk(clk), .ce(ce), .in(in[H*W-1:0]), .out(lo));
      trigo_knn_oesort #(.W(W), .M(H), .REGS(REGS)) u_hi (.clk(clk), .ce(ce), .in(in[M*W-1:H*W]), .out(hi));
      trigo_knn_oemerge #(.W(W), .M(M)) u_m (.in({hi, lo}), .out(m));
      trigo_pipe #(.W(M*W), .EN(REGS[LG])) u_r (.clk(clk), .ce(ce), .d(m), .q(out));
    end
  endgenerate
endmodule
