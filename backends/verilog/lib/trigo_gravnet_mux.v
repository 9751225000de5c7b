// trigo_gravnet_mux: selects element sel of N W-bit elements (element 0 in
// the least significant bits) with a balanced tree of 2:1 multiplexers over
// the bits of sel (SW >= 1 bits, N <= 2^SW). An out-of-range sel gives some
// element (callers mask it).
module trigo_gravnet_mux #(
  parameter W  = 8,
  parameter N  = 2,
  parameter SW = 1
) (
  input  wire [N*W-1:0] in,
  input  wire [SW-1:0]  sel,
  output wire [W-1:0]   out
);
  generate
    if (N == 1) begin : g_one
      assign out = in;
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = ^sel;
      /* verilator lint_on UNUSEDSIGNAL */
    end else if (SW == 1) begin : g_two
      assign out = sel[0] ? in[2*W-1:W] : in[W-1:0];
    end else if (N <= (1 << (SW - 1))) begin : g_narrow
      // The top bit of sel only selects beyond N: ignore it.
      trigo_gravnet_mux #(.W(W), .N(N), .SW(SW - 1)) u_m (.in(in), .sel(sel[SW-2:0]), .out(out));
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = sel[SW-1];
      /* verilator lint_on UNUSEDSIGNAL */
    end else begin : g_split
      localparam H = 1 << (SW - 1);
      wire [W-1:0] lo, hi;
      trigo_gravnet_mux #(.W(W), .N(H), .SW(SW - 1)) u_lo (.in(in[H*W-1:0]), .sel(sel[SW-2:0]), .out(lo));
      trigo_gravnet_mux #(.W(W), .N(N - H), .SW(SW - 1)) u_hi (.in(in[N*W-1:H*W]), .sel(sel[SW-2:0]), .out(hi));
      assign out = sel[SW-1] ? hi : lo;
    end
  endgenerate
endmodule
