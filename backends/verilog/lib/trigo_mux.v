// trigo_mux: an N:1 multiplexer of W-bit entries selected by s (entry 0
// in the LSBs of d; N <= 2^SB; a select beyond N-1 gives an unspecified
// entry). A recursive binary tree on the select bits, MSB at the root: no
// index arithmetic, so constant entries become a small ROM and nothing
// elaborates into a multiplier.
module trigo_mux #(
  parameter W = 1,
  parameter N = 2,
  parameter SB = 1
) (
  // A single entry ignores the select; a tree over fewer than 2^SB
  // entries may not read every select bit.
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [N*W-1:0] d,
  input  wire [SB-1:0]  s,
  /* verilator lint_on UNUSEDSIGNAL */
  output wire [W-1:0]   q
);
  localparam integer H = 1 << (SB - 1);        // entries with s[SB-1] == 0
  generate
    if (N == 1) begin : g_one
      assign q = d[W-1:0];
    end else if (N <= H) begin : g_low         // s[SB-1] is never set
      trigo_mux #(.W(W), .N(N), .SB(SB - 1)) u_lo (.d(d), .s(s[SB-2:0]), .q(q));
    end else if (H == 1) begin : g_two
      assign q = s[0] ? d[W +: W] : d[W-1:0];
    end else begin : g_split
      wire [W-1:0] lo, hi;
      trigo_mux #(.W(W), .N(H), .SB(SB - 1)) u_lo (.d(d[H*W-1:0]), .s(s[SB-2:0]), .q(lo));
      trigo_mux #(.W(W), .N(N - H), .SB(SB - 1)) u_hi (.d(d[N*W-1:H*W]), .s(s[SB-2:0]), .q(hi));
      assign q = s[SB-1] ? hi : lo;
    end
  endgenerate
endmodule
