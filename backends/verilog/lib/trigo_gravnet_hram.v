// trigo_gravnet_hram: the h rows of the last few events in distributed RAM,
// for the neighbour gather of gravnet_agg. Row j = g*L + l of an event is
// written (group g, lane l: one write per bank per cycle) into bank l at
// address buf*T + g, where buf (0..NBUF-1) is the event's buffer; RP read
// ports (one per neighbour slot of every lane) read row ridx of buffer
// rbuf combinationally: every bank at address rbuf*T + ridx/L, then the
// bank ridx%L. A memory with one write and many asynchronous read ports
// maps to LUTRAM (RAM64M8: about one LUT per bit and read port, instead of
// an N:1 multiplexer of flip-flops: ~24 LUTs per bit at N = 64).
// NBUF must cover the events in flight between the write of an event's
// first row and the last read of it (trigo_gravnet_agg sizes it). Every
// bank is replicated for each PPC read ports (a RAM64M8 has 7 read-only
// ports and one read/write port sharing one write), which keeps the memory
// mapping of the synthesis tool simple.
module trigo_gravnet_hram #(
  parameter W    = 8,   // row bits
  parameter L    = 1,   // banks (rows written per cycle)
  parameter T    = 1,   // groups per event
  parameter NBUF = 2,   // events held
  parameter RP   = 1,   // read ports
  parameter IW   = 1,   // bits of a row index
  parameter BW   = 1,   // bits of a buffer number
  parameter GW   = 1,   // bits of a group number
  parameter PPC  = 7    // read ports per copy of a bank
) (
  input  wire            clk,
  input  wire            ce,
  input  wire            we,
  input  wire [BW-1:0]   wbuf,
  input  wire [GW-1:0]   wgrp,
  input  wire [L*W-1:0]  wd,
  input  wire [BW-1:0]   rbuf,
  input  wire [RP*IW-1:0] ridx,
  output wire [RP*W-1:0] rd
);
  localparam D  = NBUF * T;                    // rows per bank
  localparam AW = (D > 1) ? $clog2(D) : 1;
  localparam LW = (L > 1) ? $clog2(L) : 1;

  /* verilator lint_off UNUSEDSIGNAL */
  wire [31:0] wa32 = {{(32-BW){1'b0}}, wbuf} * T + {{(32-GW){1'b0}}, wgrp};
  /* verilator lint_on UNUSEDSIGNAL */
  wire [AW-1:0] wa = wa32[AW-1:0];

  // Read addresses and bank numbers per port.
  wire [RP*AW-1:0] ra;
  wire [RP*LW-1:0] rb;
  genvar b, p;
  generate
    for (p = 0; p < RP; p = p + 1) begin : g_ra
      /* verilator lint_off UNUSEDSIGNAL */
      wire [31:0] j   = {{(32-IW){1'b0}}, ridx[p*IW +: IW]};
      wire [31:0] a32 = {{(32-BW){1'b0}}, rbuf} * T + j / L;
      wire [31:0] b32 = j % L;
      /* verilator lint_on UNUSEDSIGNAL */
      assign ra[p*AW +: AW] = a32[AW-1:0];
      assign rb[p*LW +: LW] = b32[LW-1:0];
    end
  endgenerate

  localparam NC = (RP + PPC - 1) / PPC;         // copies of each bank
  wire [RP*L*W-1:0] br;                        // port p, bank b
  genvar cp;
  generate
    for (b = 0; b < L; b = b + 1) begin : g_bank
      for (cp = 0; cp < NC; cp = cp + 1) begin : g_copy
        localparam P0 = cp * PPC;
        localparam NP = (RP - P0 < PPC) ? RP - P0 : PPC;
        reg [W-1:0] mem [0:D-1];
        always @(posedge clk) if (ce & we) mem[wa] <= wd[b*W +: W];
        for (p = 0; p < NP; p = p + 1) begin : g_rd
          assign br[((P0+p)*L+b)*W +: W] = mem[ra[(P0+p)*AW +: AW]];
        end
      end
    end
    for (p = 0; p < RP; p = p + 1) begin : g_sel
      trigo_gravnet_mux #(.W(W), .N(L), .SW(LW)) u_m (.in(br[p*L*W +: L*W]), .sel(rb[p*LW +: LW]), .out(rd[p*W +: W]));
    end
  endgenerate
endmodule
