// trigo_lut: a lookup table (ROM), indexed exactly as sim.LutIndex:
//   i = clamp(floor((x - offset) / 2^SHIFT), 0, size-1),  y = table[i]
// with every entry already converted to the output type. The clamp is two
// comparisons of x with constants (BELOW: x < LO gives entry 0, ABOVE:
// x >= HI gives the last entry); inside the range the ROM is addressed by
// AB bits of x >> SHIFT, the table rotated by the generator so that no
// subtraction is needed (ADD = 0), or by (x - OFFSET) mod 2^(SHIFT+AB) when
// the offset is not a multiple of 2^SHIFT (ADD = 1).
// Steps and REGS bits: step 0 the lookup; bit 0 input register, bit 1
// output register.
module trigo_lut #(
  parameter N = 1, parameter XW = 16, parameter XS = 1,
  parameter YW = 16,
  parameter AB = 1,
  parameter SHIFT = 0,
  parameter ADD = 0,
  parameter [SHIFT+AB-1:0] OFFSET = {(SHIFT+AB){1'b0}},
  parameter HAS_LO = 0, parameter [XW-1:0] LO = {XW{1'b0}},
  parameter HAS_HI = 0, parameter [XW-1:0] HI = {XW{1'b0}},
  parameter [YW-1:0] FIRST = {YW{1'b0}},
  parameter [YW-1:0] LAST = {YW{1'b0}},
  parameter [(1<<AB)*YW-1:0] ROM = {(1<<AB)*YW{1'b0}},
  parameter [63:0] REGS = 64'd0
) (
  input  wire            clk,
  input  wire            ce,
  input  wire [N*XW-1:0] x,
  output wire [N*YW-1:0] y
);
  // ROM contents in blocks of 64 entries (see trigo_gravnet_wrom: fast
  // in Icarus, within Verilator's unrolling limit).
  localparam RL = 1 << AB;
  localparam CH = 64;
  localparam NB = (RL + CH - 1) / CH;
  /* verilator lint_off WIDTH */
  localparam [NB*CH*YW-1:0] RPAD = ROM;
  /* verilator lint_on WIDTH */
  // Synthesis gets one ROM per two lookups (a dual-port block RAM or two
  // distributed ROMs, what the FPGA builds anyway): one memory with N
  // read ports makes Yosys' memory_libmap explode (24 GB for N = 32 of
  // 1024 entries). Simulation keeps one shared ROM: with N copies the
  // ecl_gnn build needed twice the memory (14 GB). Both read the same
  // table; TestLutRomSplit proves the two variants equal.
`ifdef SYNTHESIS
  localparam NR = (N + 1) / 2;             // ROMs
  localparam PR = 2;                       // lookups per ROM
`else
  localparam NR = 1;
  localparam PR = N;
`endif

  wire [N*XW-1:0] xr;
  trigo_pipe #(.W(N*XW), .EN(REGS[0])) u_in (.clk(clk), .ce(ce), .d(x), .q(xr));
  genvar r, e, bk;
  generate
    for (r = 0; r < NR; r = r + 1) begin : g_rom
      reg [YW-1:0] rom [0:RL-1];
      for (bk = 0; bk < NB; bk = bk + 1) begin : g_init
        localparam [CH*YW-1:0] PART = RPAD[bk*CH*YW +: CH*YW];
        integer k;
        initial begin
          for (k = 0; k < CH; k = k + 1)
            if (bk*CH + k < RL) rom[bk*CH + k] = PART[k*YW +: YW];
        end
      end
      for (e = 0; e < PR; e = e + 1) begin : g_e
        if (r*PR + e < N) begin : g_on
          localparam I = r*PR + e;         // lookup index
          wire [XW-1:0] xv = xr[I*XW +: XW];
          // Low SHIFT bits only matter through OFFSET.
          /* verilator lint_off UNUSEDSIGNAL */
          wire [SHIFT+AB-1:0] xl, d;
          /* verilator lint_on UNUSEDSIGNAL */
          trigo_resize #(.IW(XW), .IS(XS), .SHL(0), .OW(SHIFT+AB)) u_l (.in(xv), .out(xl));
          if (ADD != 0) begin : g_add
            assign d = xl - OFFSET;
          end else begin : g_noadd
            assign d = xl;
          end
          wire [AB-1:0] a = d[SHIFT+AB-1:SHIFT];
          wire [XW:0] xs = {(XS != 0) ? xv[XW-1] : 1'b0, xv};
          wire [XW:0] los = {(XS != 0) ? LO[XW-1] : 1'b0, LO};
          wire [XW:0] his = {(XS != 0) ? HI[XW-1] : 1'b0, HI};
          wire below = (HAS_LO != 0) && ($signed(xs) < $signed(los));
          wire above = (HAS_HI != 0) && ($signed(xs) >= $signed(his));
          wire [YW-1:0] v = below ? FIRST : (above ? LAST : rom[a]);
          trigo_pipe #(.W(YW), .EN(REGS[1])) u_o (.clk(clk), .ce(ce), .d(v), .q(y[I*YW +: YW]));
        end
      end
    end
  endgenerate
endmodule
