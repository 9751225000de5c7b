// trigo_gravnet_hold: shows an event's snapshot D cycles later, for as long
// as a stage that runs D cycles behind the snapshot reads it (T cycles:
// one per group). The snapshot register is reloaded every II >= T cycles,
// so a plain copy taken D cycles later could already hold the next event;
// instead ceil(D/T) copies are chained, copy m loaded from copy m-1 when
// the snapshot taken min(m*T, D) edges ago (sp[i]: a snapshot was taken i
// edges ago; sp[0] is the current edge's) reaches it. Each copy is loaded
// at most T edges after the previous one, before that one changes.
module trigo_gravnet_hold #(
  parameter W = 8,
  parameter T = 1,
  parameter D = 0
) (
  input  wire         clk,
  input  wire         ce,
  input  wire [D:0]   sp,
  input  wire [W-1:0] d,
  output wire [W-1:0] q
);
  localparam NB = (D + T - 1) / T;
  wire [(NB+1)*W-1:0] c;
  assign c[W-1:0] = d;
  genvar m;
  generate
    for (m = 1; m <= NB; m = m + 1) begin : g_copy
      localparam DM = (m * T < D) ? m * T : D;
      reg [W-1:0] r;
      always @(posedge clk) if (ce & sp[DM]) r <= c[(m-1)*W +: W];
      assign c[m*W +: W] = r;
    end
    if (NB == 0) begin : g_none
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = clk ^ ce ^ (^sp);
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate
  assign q = c[NB*W +: W];
endmodule
