// trigo_gravnet_wrom: the edge-weight table of gravnet_agg, indexed by an
// exact distance code d >= 0 exactly as sim.LutIndex:
//   i = clamp(floor((d - OFFSET) / 2^SHIFT), 0, TL-1),  w = TABLE[i]
// (entry 0 in the least significant bits of TABLE). The clamps are
// comparisons of d with constants derived here at elaboration (in 128-bit
// arithmetic, so any OFFSET and SHIFT <= 62 works); inside the table the
// index is the difference of the low SHIFT+AB bits. REG = 1 reads the ROM
// synchronously (ce-enabled output register: block RAM or a registered
// distributed ROM), REG = 0 combinationally.
module trigo_gravnet_wrom #(
  parameter DW = 8,
  parameter TW = 8,
  parameter TL = 2,
  parameter signed [63:0] OFFSET = 64'sd0,
  parameter SHIFT = 0,
  parameter [TL*TW-1:0] TABLE = {TL*TW{1'b0}},
  parameter REG = 1
) (
  input  wire          clk,
  input  wire          ce,
  input  wire [DW-1:0] d,
  output wire [TW-1:0] w
);
  localparam AB = (TL > 1) ? $clog2(TL) : 1;
  localparam XB = SHIFT + AB;
  localparam signed [127:0] ONE  = 128'sd1;
  localparam signed [127:0] OFF  = {{64{OFFSET[63]}}, OFFSET};
  localparam signed [127:0] HIV  = OFF + (TL - 1) * (ONE <<< SHIFT); // d >= HIV: last entry
  localparam signed [127:0] DLIM = ONE <<< DW;                       // every d < DLIM
  localparam ALL_LO = (OFF >= DLIM) ? 1 : 0;                         // every d below the table
  localparam HAS_LO = (OFF > 0 && ALL_LO == 0) ? 1 : 0;
  localparam ALL_HI = (HIV <= 0) ? 1 : 0;                            // every d at or above the last entry
  localparam HAS_HI = (HIV < DLIM && ALL_HI == 0) ? 1 : 0;
  localparam [DW:0] LO_D = OFF[DW:0];
  localparam [DW:0] HI_D = HIV[DW:0];
  localparam [XB-1:0] OFF_LOW = OFF[XB-1:0];
  localparam [AB-1:0] LASTI = TL - 1;

  // ROM contents, in blocks of 64 entries: each block takes its slice of
  // TABLE with a constant part-select and fills its entries in a loop.
  // (One loop over the whole table with a variable select of the wide
  // parameter costs Icarus O(TL^2) at time 0, tens of seconds per ROM of
  // 4096 entries; one generate block per entry exceeds Verilator's
  // unrolling limit.)
  localparam RL = 1 << AB;                 // ROM entries (TL padded)
  localparam CH = 64;                      // entries per block
  localparam NB = (RL + CH - 1) / CH;
  /* verilator lint_off WIDTH */
  localparam [NB*CH*TW-1:0] TPAD = TABLE;  // zero-extended: padding entries are 0
  /* verilator lint_on WIDTH */
  reg [TW-1:0] rom [0:RL-1];
  genvar bk;
  generate
    for (bk = 0; bk < NB; bk = bk + 1) begin : g_init
      localparam [CH*TW-1:0] PART = TPAD[bk*CH*TW +: CH*TW];
      integer k;
      initial begin
        for (k = 0; k < CH; k = k + 1)
          if (bk*CH + k < RL) rom[bk*CH + k] = PART[k*TW +: TW];
      end
    end
  endgenerate

  /* verilator lint_off UNUSEDSIGNAL */
  wire [DW:0] dz = {1'b0, d};               // unused when no clamp can happen
  /* verilator lint_on UNUSEDSIGNAL */
  wire below, above;
  generate
    if (ALL_LO != 0) begin : g_alllo
      assign below = 1'b1;
    end else if (HAS_LO != 0) begin : g_lo
      assign below = dz < LO_D;
    end else begin : g_nolo
      assign below = 1'b0;
    end
    if (ALL_HI != 0) begin : g_allhi
      assign above = 1'b1;
    end else if (HAS_HI != 0) begin : g_hi
      assign above = dz >= HI_D;
    end else begin : g_nohi
      assign above = 1'b0;
    end
  endgenerate

  // Low SHIFT+AB bits of d; the dropped high bits only matter through the
  // clamps.
  /* verilator lint_off UNUSEDSIGNAL */
  wire [XB-1:0] dl, df;
  /* verilator lint_on UNUSEDSIGNAL */
  generate
    if (XB <= DW) begin : g_cut
      assign dl = d[XB-1:0];
    end else begin : g_ext
      assign dl = {{(XB-DW){1'b0}}, d};
    end
  endgenerate
  assign df = dl - OFF_LOW;
  wire [AB-1:0] idx = below ? {AB{1'b0}} : (above ? LASTI : df[XB-1:SHIFT]);

  generate
    if (REG != 0) begin : g_sync
      reg [TW-1:0] r;
      always @(posedge clk) if (ce) r <= rom[idx];
      assign w = r;
    end else begin : g_async
      assign w = rom[idx];
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = clk ^ ce;
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate
endmodule
