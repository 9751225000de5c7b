// trigo_gravnet_agg: gravnet_agg (ir/SEMANTICS.md "Graph ops") on a vertex
// stream of L lanes. An event's N = T*L vertices arrive as T groups of L
// rows (s, h and the valid bits; group g holds vertices g*L .. g*L+L-1),
// one group per cycle while in_act, in_grp = g; any number of idle cycles
// may separate groups of different events (II >= T), not groups of one
// event. When the last group (T-1) arrives, the collected event is copied
// into a snapshot (edge E0) and the query side streams it out: output group
// q (vertex rows q*L .. q*L+L-1, each concat(mean, max), 2P codes) appears
// LATENCY + q cycles after the last input group, with out_act and
// out_grp = q:
//
//   LATENCY = 1 + QREG + REGS[0] + TD + REGS[1] + ... + REGS[5]
//   TD      = popcount(SORT_REGS[log2 KP:1]) + MERGE_REG*log2(NG)
//
// (KP = KE = min(K, N) rounded up to a power of two, NG = ceil(N/KP)
// rounded up to a power of two; see trigo_gravnet_lane). Every register is
// enabled by ce (global stall); rst (synchronous, active high) clears the
// control state (out_act, pending queries, snapshot pulses, the buffer
// counter of the h RAM), not the data: connect it to the top's reset.
//
// The query multiplexer reads the snapshot when a query starts; the lanes
// read the candidates (s, valid) QREG cycles later, from a copy that keeps
// each event visible until its last query has passed even when the next
// event's snapshot is already taken (trigo_gravnet_hold). h is not
// collected in registers: its rows go into distributed RAM as they arrive
// (trigo_gravnet_hram, NBUF events deep) and every neighbour slot reads its
// row there, GD = QREG + REGS[0] + TD cycles after the query started.
// Successive events' last groups must be at least T cycles apart (II >= T).
//
// Parameters as trigo_gravnet_lane, plus L (lanes, N % L == 0) and QREG (a
// register after the query-row multiplexer).
module trigo_gravnet_agg #(
  parameter N  = 4,
  parameter L  = 1,
  parameter S  = 1,
  parameter P  = 1,
  parameter K  = 1,
  parameter WS = 8, parameter SS = 1,
  parameter WH = 8, parameter HS = 1,
  parameter TW = 8, parameter TS = 0,
  parameter TL = 2,
  parameter [TL*TW-1:0] TABLE = {TL*TW{1'b0}},
  parameter signed [63:0] OFFSET = 64'sd0,
  parameter SHIFT = 0,
  parameter [63:0] DSAT = 64'd0,
  parameter RF = 16,
  parameter FM = 0,
  parameter OW = 16, parameter OS = 1, parameter FO = 0,
  parameter RND = 0, parameter OVF = 0,
  parameter L2 = 1,
  parameter INCLUDE_SELF = 1,
  parameter TIE_HIGH = 0,
  parameter [31:0] SORT_REGS = 32'd0,
  parameter MERGE_REG = 1,
  parameter [7:0] REGS = 8'h3f,
  parameter QREG = 1
) (
  input  wire                                      clk,
  input  wire                                      ce,
  input  wire                                      rst,
  input  wire                                      in_act,
  input  wire [(((N/L) > 1) ? $clog2(N/L) : 1)-1:0] in_grp,
  input  wire [L*S*WS-1:0]                         in_s,
  input  wire [L*P*WH-1:0]                         in_h,
  input  wire [L-1:0]                              in_v,
  output wire                                      out_act,
  output wire [(((N/L) > 1) ? $clog2(N/L) : 1)-1:0] out_grp,
  output wire [L*2*P*OW-1:0]                       out_y
);
  function integer popc;
    input [31:0] x;
    integer b;
    begin
      popc = 0;
      for (b = 0; b < 32; b = b + 1) if (x[b]) popc = popc + 1;
    end
  endfunction

  localparam T    = N / L;                             // groups per event
  localparam GW   = (T > 1) ? $clog2(T) : 1;
  localparam QW   = (N > 1) ? $clog2(N) : 1;
  localparam RS   = L * S * WS;                        // bits per group
  // Lane timing (as in trigo_gravnet_lane).
  localparam KE   = (K < N) ? K : N;
  localparam LGKE = (KE > 1) ? $clog2(KE) : 0;
  localparam KP   = 1 << LGKE;
  localparam NGR  = (N + KP - 1) / KP;
  localparam LGNG = (NGR > 1) ? $clog2(NGR) : 0;
  localparam TD   = popc(SORT_REGS & ((32'd1 << (LGKE + 1)) - 32'd2)) + MERGE_REG * LGNG;
  localparam GD   = QREG + popc({31'd0, REGS[0]}) + TD;               // query -> gather
  localparam LD   = popc({26'd0, REGS[5:0]}) + TD;
  localparam DEPTH = QREG + LD;                        // query counter -> output
  localparam NBUF = (GD + 2 * T - 2) / T + 1;          // events whose h rows are kept
  localparam BW   = (NBUF > 1) ? $clog2(NBUF) : 1;
    /* verilator lint_off WIDTH */
  localparam [GW-1:0] LASTG = T - 1;
  localparam [BW-1:0] LASTB = NBUF - 1;
  /* verilator lint_on WIDTH */

  genvar g, l;

  // ---- collection and snapshot ---------------------------------------------------
  wire last = in_act & (in_grp == LASTG);
  wire [N*S*WS-1:0] s_new;
  wire [N-1:0] v_new;
  generate
    for (g = 0; g < T - 1; g = g + 1) begin : g_coll
      localparam [GW-1:0] GV = g;
      reg [RS-1:0] cs;
      reg [L-1:0] cv;
      always @(posedge clk) if (ce & in_act & (in_grp == GV)) begin
        cs <= in_s;
        cv <= in_v;
      end
      assign s_new[g*RS +: RS] = cs;
      assign v_new[g*L +: L] = cv;
    end
  endgenerate
  assign s_new[(T-1)*RS +: RS] = in_s;
  assign v_new[(T-1)*L +: L] = in_v;

  reg [N*S*WS-1:0] s_snap;
  reg [N-1:0] v_snap;
  always @(posedge clk) if (ce & last) begin
    s_snap <= s_new;
    v_snap <= v_new;
  end

  // h goes into distributed RAM as it arrives (trigo_gravnet_hram): wbuf
  // is the buffer being written, qbuf the one of the event being queried.
  reg [BW-1:0] wbuf, qbuf;
  always @(posedge clk) begin
    if (rst) wbuf <= {BW{1'b0}};
    else if (ce & last) wbuf <= (wbuf == LASTB) ? {BW{1'b0}} : wbuf + 1'b1;
    if (ce & last) qbuf <= wbuf;
  end

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

  // ---- copy of the candidates for the lanes ------------------------------------------
  wire [QREG:0] sp;                                    // sp[i]: a snapshot was taken i edges ago
  assign sp[0] = last;
  generate
    if (QREG > 0) begin : g_pulse
      reg [QREG:1] spr;
      /* verilator lint_off UNUSEDSIGNAL */
      wire [QREG:0] spn = {spr, last};
      /* verilator lint_on UNUSEDSIGNAL */
      always @(posedge clk) begin
        if (rst) spr <= {QREG{1'b0}};
        else if (ce) spr <= spn[QREG-1:0];
      end
      assign sp[QREG:1] = spr;
    end
  endgenerate
  wire [N*S*WS-1:0] s_lane;
  wire [N-1:0] v_lane;
  trigo_gravnet_hold #(.W(N*S*WS + N), .T(T), .D(QREG)) u_hsv (.clk(clk), .ce(ce), .sp(sp),
    .d({v_snap, s_snap}), .q({v_lane, s_lane}));
  wire [BW-1:0] rbuf;
  trigo_delay #(.W(BW), .D(GD)) u_rb (.clk(clk), .ce(ce), .d(qbuf), .q(rbuf));
  wire [L*KE*QW-1:0] gidx;
  wire [L*KE*P*WH-1:0] gh;
  trigo_gravnet_hram #(.W(P*WH), .L(L), .T(T), .NBUF(NBUF), .RP(L*KE), .IW(QW), .BW(BW), .GW(GW))
    u_h (.clk(clk), .ce(ce), .we(in_act), .wbuf(wbuf), .wgrp(in_grp), .wd(in_h), .rbuf(rbuf), .ridx(gidx), .rd(gh));

  // ---- lanes ---------------------------------------------------------------------
  generate
    for (l = 0; l < L; l = l + 1) begin : g_lane
      reg [S*WS-1:0] sq;
      reg vq;
      integer gi;
      always @(*) begin
        sq = {S*WS{1'b0}};
        vq = 1'b0;
        for (gi = 0; gi < T; gi = gi + 1) begin
          if (qg == gi[GW-1:0]) begin
            sq = s_snap[(gi*L+l)*S*WS +: S*WS];
            vq = v_snap[gi*L+l];
          end
        end
      end
      /* verilator lint_off UNUSEDSIGNAL */
      wire [31:0] qi32 = {{(32-GW){1'b0}}, qg} * L + l;
      /* verilator lint_on UNUSEDSIGNAL */
      wire [QW-1:0] qi = qi32[QW-1:0];
      wire [S*WS-1:0] sq_r;
      wire vq_r;
      wire [QW-1:0] qi_r;
      trigo_pipe #(.W(S*WS + 1 + QW), .EN(QREG)) u_q (.clk(clk), .ce(ce), .d({sq, vq, qi}), .q({sq_r, vq_r, qi_r}));
      trigo_gravnet_lane #(.N(N), .S(S), .P(P), .K(K), .WS(WS), .SS(SS), .WH(WH), .HS(HS), .TW(TW), .TS(TS), .TL(TL),
        .TABLE(TABLE), .OFFSET(OFFSET), .SHIFT(SHIFT), .DSAT(DSAT), .RF(RF), .FM(FM), .OW(OW), .OS(OS), .FO(FO), .RND(RND), .OVF(OVF),
        .L2(L2), .INCLUDE_SELF(INCLUDE_SELF), .TIE_HIGH(TIE_HIGH), .SORT_REGS(SORT_REGS), .MERGE_REG(MERGE_REG), .REGS(REGS))
        u_lane (.clk(clk), .ce(ce), .s_all(s_lane), .v_all(v_lane), .s_q(sq_r), .v_q(vq_r), .q_idx(qi_r),
                .gidx(gidx[l*KE*QW +: KE*QW]), .gh(gh[l*KE*P*WH +: KE*P*WH]), .y(out_y[l*2*P*OW +: 2*P*OW]));
    end
  endgenerate

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
