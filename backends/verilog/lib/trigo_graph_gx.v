// trigo_graph_gx: global_exchange (ir/SEMANTICS.md "Graph ops") on a
// vertex stream of L lanes, bit-exact with sim's fixed-point
// global_exchange. An event's N = T*L vertices arrive as T groups of L
// rows (x and the valid bits; group g holds vertices g*L .. g*L+L-1), one
// group per cycle while in_act, in_grp = g; any number of idle cycles may
// separate groups of different events (II >= T), not groups of one event.
//
// While the groups arrive, per feature: an adder tree over the group's
// valid rows plus an accumulator (the exact sum, SW = WX+1+clog2(N) bits),
// max trees (min as the max of ~x) plus running maxima, and the count of
// valid vertices (a popcount per group). The rows go into a double
// buffer (distributed RAM) as they arrive. When the last group arrives the
// buffer becomes the event's snapshot and the count goes into its register
// (edge E0); the sums, minima and maxima reach their register CD edges
// later (after the tree registers); then
//
//   mean = sum * round_half_up(2^RF / count)   (a constant from an N+1
//          entry table indexed by count, computed at elaboration; one
//          product per feature, exact at frac FX+RF)
//   min, max exact (frac FX),
//
// each converted to the output type with trigo_convert. The rows are
// re-streamed from the snapshot: output group q
// (vertex rows q*L .. q*L+L-1, each the row's x converted to the output
// type followed by the statistics in the order of OPS, F*(1+NOPS) codes,
// feature-minor) appears 1 + DEPTH + q cycles after the last input group,
// with out_act and out_grp = q:
//
//   CD    = popcount(TREGS[LGL-1:0])        (LGL = clog2(L), 0 for L = 1)
//   DEPTH = CD + RREG + MREG + CREG + OREG
//
// Rows of invalid vertices are zero (so every row is zero when no vertex
// is valid: the statistics of an empty event are never written).
//
// Every register is enabled by ce (global stall); rst (synchronous, active
// high) clears the control state (out_act, the query counter's activity,
// the tree-stage marker, the write buffer), not the data: connect it to
// the top's reset.
//
// Pipeline (ce-enabled registers):
//   TREGS  bit l-1: a register after level l of the per-group trees
//          (adder, max and min trees over the L rows; CD of them);
//          the accumulators and the event's statistics register follow;
//   RREG   registers before the mean product (the sums; the reciprocal
//          is looked up from the count, which needs no tree, and delayed
//          CD + RREG cycles to meet them: with CD + RREG >= 1 both product
//          operands come from registers, the DSP's input registers);
//   MREG   registers after the mean product (DSP M and P registers);
//   CREG   registers after the statistics' conversions;
//   OREG   registers after the row assembly (valid mask).
// The rows are read from the snapshot buffer (one group per cycle) in the
// T cycles after it is taken (the buffer is next written by the event
// after next, >= T + 1 cycles later), registered once when
// CD+RREG+MREG+CREG >= 1, converted,
// and delayed by the rest of CD+RREG+MREG+CREG to meet the statistics,
// which stay valid for II >= T cycles.
//
// Parameters: N vertices, L lanes (N % L == 0), F features; x: WX bits,
// XS signed, FX fractional bits; NOPS statistics, OPS their codes (op k at
// OPS[2k+1:2k]: 0 mean, 1 min, 2 max); RF = recip_frac; output type OW
// bits, OS signed, FO fractional bits, RND/OVF as trigo_convert. RBIAS is
// added to every reciprocal constant: 0 in real designs (a non-zero value
// is a deliberately wrong variant the tests must catch).
module trigo_graph_gx #(
  parameter N  = 4,
  parameter L  = 1,
  parameter F  = 1,
  parameter WX = 8, parameter XS = 1, parameter FX = 0,
  parameter NOPS = 1,
  parameter [2*NOPS-1:0] OPS = {2*NOPS{1'b0}},
  parameter RF = 16,
  parameter RBIAS = 0,
  parameter OW = 16, parameter OS = 1, parameter FO = 0,
  parameter RND = 0, parameter OVF = 0,
  parameter [31:0] TREGS = 32'd0,
  parameter RREG = 0,
  parameter MREG = 1,
  parameter CREG = 1,
  parameter OREG = 0
) (
  input  wire                                      clk,
  input  wire                                      ce,
  input  wire                                      rst,
  input  wire                                      in_act,
  input  wire [(((N/L) > 1) ? $clog2(N/L) : 1)-1:0] in_grp,
  input  wire [L*F*WX-1:0]                         in_x,
  input  wire [L-1:0]                              in_v,
  output wire                                      out_act,
  output wire [(((N/L) > 1) ? $clog2(N/L) : 1)-1:0] out_grp,
  output wire [L*F*(1+NOPS)*OW-1:0]                out_y
);
  function integer popc;
    input [31:0] x;
    integer b;
    begin
      popc = 0;
      for (b = 0; b < 32; b = b + 1) if (x[b]) popc = popc + 1;
    end
  endfunction

  // has(op): some statistic is op.
  function integer has;
    input [1:0] op;
    integer k;
    begin
      has = 0;
      for (k = 0; k < NOPS; k = k + 1) if (OPS[2*k +: 2] == op) has = 1;
    end
  endfunction

  localparam T    = N / L;                             // groups per event
  localparam GW   = (T > 1) ? $clog2(T) : 1;
  localparam LGL  = (L > 1) ? $clog2(L) : 0;           // tree levels
  localparam LGN  = (N > 1) ? $clog2(N) : 0;
  localparam CD   = popc(TREGS & ((32'd1 << LGL) - 32'd1)); // tree registers
  localparam SD   = CD + RREG + MREG + CREG;           // statistics register -> converted statistics
  localparam DEPTH = SD + OREG;
  localparam HMEAN = has(2'd0);
  localparam HMIN  = has(2'd1);
  localparam HMAX  = has(2'd2);
  localparam XE   = WX + 1;                            // x, signed
  localparam SW   = WX + 1 + LGN;                      // exact sum of N codes
  localparam CW   = $clog2(N + 1);                     // count 0..N
  localparam RW   = RF + 1 + ((RBIAS > 0) ? 1 : 0);    // round(2^RF / count) <= 2^RF
  // The mean: |sum * r| <= max|x| * count * r <= 2^WX * (2^RF + N/2)
  // (count * round(2^RF/count) <= 2^RF + count/2) < 2^(WX+PB), so the
  // product is exact in AW = WX+PB+1 bits, fewer than the operands'
  // SW+RW+1 (a shorter rounding carry chain in the conversion). RBIAS != 0
  // keeps the full width.
  localparam PB   = (RF > LGN + 1) ? RF + 1 : LGN + 2;
  localparam AW   = (RBIAS != 0) ? SW + RW + 1 : WX + PB + 1;
  localparam GB   = L * F * WX;                        // x bits per group
  localparam ROW  = F * (1 + NOPS) * OW;               // output row
  localparam SHX0 = FX - FO;
  localparam SHM0 = FX + RF - FO;
  localparam SHX  = (SHX0 > WX + 1) ? WX + 1 : ((SHX0 < -(OW + 1)) ? -(OW + 1) : SHX0);
  localparam SHE  = (SHX0 > XE + 1) ? XE + 1 : ((SHX0 < -(OW + 1)) ? -(OW + 1) : SHX0);
  localparam SHM  = (SHM0 > AW + 1) ? AW + 1 : ((SHM0 < -(OW + 1)) ? -(OW + 1) : SHM0);
  /* verilator lint_off WIDTH */
  localparam [GW-1:0] LASTG = T - 1;
  /* verilator lint_on WIDTH */
  localparam [XE-1:0] MINV = {1'b1, {WX{1'b0}}};       // below every x

  genvar l, c, k;

  // ---- the rows: a double buffer in distributed RAM ---------------------------------
  // Group g of an event goes into row {wbuf, g} as it arrives; the event's
  // buffer is its snapshot: read (group qg of buffer rbuf) in the T cycles
  // after its last group, while the next event fills the other buffer.
  // The event after that overwrites it from its first group on, at least
  // T + 1 cycles after the last group: after the last read. One write
  // port and one asynchronous read port of GB + L bits and 2 * 2^GW rows:
  // LUTRAM (RAM32M16 / RAM64M8), not 2 * N * F * WX flip-flops and a T:1
  // multiplexer.
  wire last = in_act & (in_grp == LASTG);
  reg wbuf, rbuf;
  always @(posedge clk) begin
    if (rst) wbuf <= 1'b0;
    else if (ce & last) wbuf <= ~wbuf;
    if (ce & last) rbuf <= wbuf;
  end
  reg [GB+L-1:0] rows [0:(2 << GW)-1];
  always @(posedge clk) if (ce & in_act) rows[{wbuf, in_grp}] <= {in_v, in_x};

  // ---- per-group trees ------------------------------------------------------------
  // Marker of the tree outputs: group grp_t of an event is at the
  // accumulators when act_t (CD cycles after it arrived).
  wire act_t;
  wire [GW-1:0] grp_t;
  generate
    if (CD > 0) begin : g_tmark
      reg [CD-1:0] ta;
      /* verilator lint_off UNUSEDSIGNAL */
      wire [CD:0] tan = {ta, in_act};
      /* verilator lint_on UNUSEDSIGNAL */
      always @(posedge clk) begin
        if (rst) ta <= {CD{1'b0}};
        else if (ce) ta <= tan[CD-1:0];
      end
      assign act_t = ta[CD-1];
    end else begin : g_tnomark
      assign act_t = in_act;
    end
  endgenerate
  trigo_delay #(.W(GW), .D(CD)) u_tg (.clk(clk), .ce(ce), .d(in_grp), .q(grp_t));
  wire first_t = (grp_t == {GW{1'b0}});
  wire last_t = act_t & (grp_t == LASTG);

  // ---- statistics ---------------------------------------------------------------------
  wire [F*OW-1:0] mean_c, min_c, max_c;                // converted, valid SD cycles after the statistics register

  generate
    // Mean: sums per feature, the count, the reciprocal, one product.
    if (HMEAN != 0) begin : g_mean
      // The count needs no tree: accumulated as the groups arrive.
      reg [CW-1:0] pc;
      integer li;
      always @(*) begin
        pc = {CW{1'b0}};
        for (li = 0; li < L; li = li + 1) if (in_v[li]) pc = pc + 1'b1;
      end
      reg [CW-1:0] cacc, cst;
      wire [CW-1:0] cfin = (in_grp == {GW{1'b0}}) ? pc : cacc + pc;
      always @(posedge clk) begin
        if (ce & in_act) cacc <= cfin;
        if (ce & last) cst <= cfin;
      end
      // round_half_up(2^RF / count) (+ RBIAS), count = 0 gives 0.
      wire [(N+1)*RW-1:0] rtab;
      assign rtab[RW-1:0] = {RW{1'b0}};
      for (c = 1; c <= N; c = c + 1) begin : g_rc
        // RBIAS (32-bit integer) is extended to the 64-bit constant.
        /* verilator lint_off WIDTH */
        localparam [63:0] RC = ((64'd1 << (RF + 1)) + c) / (2 * c) + RBIAS;
        /* verilator lint_on WIDTH */
        assign rtab[c*RW +: RW] = RC[RW-1:0];
      end
      wire [RW-1:0] rc0, rc;
      trigo_gravnet_mux #(.W(RW), .N(N + 1), .SW(CW)) u_rc (.in(rtab), .sel(cst), .out(rc0));
      trigo_delay #(.W(RW), .D(CD + RREG)) u_rd (.clk(clk), .ce(ce), .d(rc0), .q(rc));
      wire signed [RW:0] rcs = {1'b0, rc};

      wire [F*SW-1:0] sst;
      for (c = 0; c < F; c = c + 1) begin : g_f
        wire [L*SW-1:0] si;
        for (l = 0; l < L; l = l + 1) begin : g_l
          wire [SW-1:0] xs;
          trigo_resize #(.IW(WX), .IS(XS), .SHL(0), .OW(SW)) u_x (.in(in_x[(l*F+c)*WX +: WX]), .out(xs));
          assign si[l*SW +: SW] = in_v[l] ? xs : {SW{1'b0}};
        end
        wire [SW-1:0] ts;
        trigo_addtree #(.N(L), .W(SW), .OP(0), .ARITY(2), .LEVELS(LGL), .REGS({32'd0, TREGS}))
          u_t (.clk(clk), .ce(ce), .in(si), .out(ts));
        reg [SW-1:0] acc, st;
        wire [SW-1:0] fin = first_t ? ts : acc + ts;
        always @(posedge clk) begin
          if (ce & act_t) acc <= fin;
          if (ce & last_t) st <= fin;
        end
        assign sst[c*SW +: SW] = st;
      end
      wire [F*SW-1:0] sd;
      trigo_delay #(.W(F*SW), .D(RREG)) u_sd (.clk(clk), .ce(ce), .d(sst), .q(sd));
      wire [F*AW-1:0] mp, md;
      for (c = 0; c < F; c = c + 1) begin : g_mul
        wire signed [SW-1:0] sc = sd[c*SW +: SW];
        wire signed [AW-1:0] mv = sc * rcs;             // exact in AW bits (see PB)
        assign mp[c*AW +: AW] = mv;
      end
      trigo_delay #(.W(F*AW), .D(MREG)) u_md (.clk(clk), .ce(ce), .d(mp), .q(md));
      wire [F*OW-1:0] mc;
      for (c = 0; c < F; c = c + 1) begin : g_cv
        /* verilator lint_off UNUSEDSIGNAL */
        wire ov;
        /* verilator lint_on UNUSEDSIGNAL */
        trigo_convert #(.IW(AW), .IS(1), .SHIFT(SHM), .OW(OW), .OS(OS), .RND(RND), .OVF(OVF))
          u_c (.in(md[c*AW +: AW]), .out(mc[c*OW +: OW]), .ovf(ov));
      end
      trigo_delay #(.W(F*OW), .D(CREG)) u_cd (.clk(clk), .ce(ce), .d(mc), .q(mean_c));
    end else begin : g_nomean
      assign mean_c = {F*OW{1'b0}};
    end

    // Min and max: max trees and running maxima of x (max) and ~x (min,
    // min = ~max(~x)); invalid rows enter as MINV, below every x and every
    // ~x except ~(2^WX-1) of unsigned x, which equals it: a maximum of
    // MINV then is either that value's min or an event without valid
    // vertices, whose rows are all zero.
    for (k = 1; k <= 2; k = k + 1) begin : g_mm
      if ((k == 1 && HMIN != 0) || (k == 2 && HMAX != 0)) begin : g_on
        wire [F*XE-1:0] est;
        for (c = 0; c < F; c = c + 1) begin : g_f
          wire [L*XE-1:0] mi;
          for (l = 0; l < L; l = l + 1) begin : g_l
            wire [XE-1:0] xe;
            trigo_resize #(.IW(WX), .IS(XS), .SHL(0), .OW(XE)) u_x (.in(in_x[(l*F+c)*WX +: WX]), .out(xe));
            assign mi[l*XE +: XE] = in_v[l] ? ((k == 1) ? ~xe : xe) : MINV;
          end
          wire [XE-1:0] tm;
          trigo_addtree #(.N(L), .W(XE), .OP(1), .ARITY(2), .LEVELS(LGL), .REGS({32'd0, TREGS}))
            u_t (.clk(clk), .ce(ce), .in(mi), .out(tm));
          reg [XE-1:0] acc, st;
          wire [XE-1:0] fin = (first_t || $signed(tm) > $signed(acc)) ? tm : acc;
          always @(posedge clk) begin
            if (ce & act_t) acc <= fin;
            if (ce & last_t) st <= fin;
          end
          assign est[c*XE +: XE] = (k == 1) ? ~st : st;
        end
        wire [F*OW-1:0] ec, ed;
        for (c = 0; c < F; c = c + 1) begin : g_cv
          /* verilator lint_off UNUSEDSIGNAL */
          wire ov;
          /* verilator lint_on UNUSEDSIGNAL */
          trigo_convert #(.IW(XE), .IS(1), .SHIFT(SHE), .OW(OW), .OS(OS), .RND(RND), .OVF(OVF))
            u_c (.in(est[c*XE +: XE]), .out(ec[c*OW +: OW]), .ovf(ov));
        end
        trigo_delay #(.W(F*OW), .D(RREG + MREG + CREG)) u_cd (.clk(clk), .ce(ce), .d(ec), .q(ed));
        if (k == 1) begin : g_min
          assign min_c = ed;
        end else begin : g_max
          assign max_c = ed;
        end
      end else if (k == 1) begin : g_nomin
        assign min_c = {F*OW{1'b0}};
      end else begin : g_nomax
        assign max_c = {F*OW{1'b0}};
      end
    end
  endgenerate

  // The statistics in the order of OPS.
  wire [NOPS*F*OW-1:0] stv;
  generate
    for (k = 0; k < NOPS; k = k + 1) begin : g_ops
      localparam [1:0] OP = OPS[2*k +: 2];
      assign stv[k*F*OW +: F*OW] = (OP == 2'd1) ? min_c : ((OP == 2'd2) ? max_c : mean_c);
    end
  endgenerate

  // ---- query counter -------------------------------------------------------------
  reg q_act;
  reg [GW-1:0] qg;
  always @(posedge clk) begin
    if (rst) begin
      q_act <= 1'b0;
    end else if (ce) begin
      if (last) begin
        q_act <= 1'b1;
      end else if (q_act && qg == LASTG) begin
        q_act <= 1'b0;
      end
    end
    if (ce) begin
      if (last) qg <= {GW{1'b0}};
      else if (q_act && qg != LASTG) qg <= qg + 1'b1;
    end
  end

  // ---- rows ------------------------------------------------------------------------
  wire [GB+L-1:0] rq = rows[{rbuf, qg}];
  wire [GB+L-1:0] rq_r;
  trigo_pipe #(.W(GB + L), .EN((SD > 0) ? 1 : 0)) u_qr (.clk(clk), .ce(ce), .d(rq), .q(rq_r));
  wire [L*F*OW-1:0] xc, xd;
  wire [L-1:0] vd;
  generate
    for (c = 0; c < L * F; c = c + 1) begin : g_xc
      /* verilator lint_off UNUSEDSIGNAL */
      wire ov;
      /* verilator lint_on UNUSEDSIGNAL */
      trigo_convert #(.IW(WX), .IS(XS), .SHIFT(SHX), .OW(OW), .OS(OS), .RND(RND), .OVF(OVF))
        u_c (.in(rq_r[c*WX +: WX]), .out(xc[c*OW +: OW]), .ovf(ov));
    end
  endgenerate
  trigo_delay #(.W(L*F*OW + L), .D((SD > 0) ? SD - 1 : 0)) u_xd (.clk(clk), .ce(ce),
    .d({rq_r[GB +: L], xc}), .q({vd, xd}));
  wire [L*ROW-1:0] yr;
  generate
    for (l = 0; l < L; l = l + 1) begin : g_row
      assign yr[l*ROW +: ROW] = vd[l] ? {stv, xd[l*F*OW +: F*OW]} : {ROW{1'b0}};
    end
  endgenerate
  trigo_pipe #(.W(L*ROW), .EN(OREG)) u_or (.clk(clk), .ce(ce), .d(yr), .q(out_y));

  // ---- output marker -----------------------------------------------------------------
  generate
    if (DEPTH > 0) begin : g_mark
      reg [DEPTH-1:0] act;
      /* verilator lint_off UNUSEDSIGNAL */
      wire [DEPTH:0] an = {act, q_act};
      /* verilator lint_on UNUSEDSIGNAL */
      always @(posedge clk) begin
        if (rst) act <= {DEPTH{1'b0}};
        else if (ce) act <= an[DEPTH-1:0];
      end
      assign out_act = act[DEPTH-1];
      trigo_delay #(.W(GW), .D(DEPTH)) u_g (.clk(clk), .ce(ce), .d(qg), .q(out_grp));
    end else begin : g_nomark
      assign out_act = q_act;
      assign out_grp = qg;
    end
  endgenerate
endmodule
