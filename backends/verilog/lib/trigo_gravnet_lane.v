// trigo_gravnet_lane: one query lane of gravnet_agg. Every cycle it takes
// one query vertex i (its s row s_q, its valid bit v_q, its index q_idx)
// and the whole event (s_all, v_all: the candidates) and, REGS-dependent
// cycles later, writes vertex i's output row
//   y = concat(mean, max) of w_ij * h_j over the k nearest candidates j,
// bit-exact with sim's fixed-point gravnet_agg (ir/SEMANTICS.md):
//
//   distances  d_j = sum_t |s_jt - s_it| (L2 = 0) or (s_jt - s_it)^2, exact
//              (DW bits); candidates: valid j, j != i unless INCLUDE_SELF;
//   top-k      key_j = {~candidate, d_j, j}: unique, so "the KE smallest
//              keys" is exactly "the min(k, #candidates) nearest
//              candidates, ties to the lower j"; non-candidates sort after
//              every candidate and are never used (slot valid = ~key msb);
//              TIE_HIGH = 1 stores ~j instead of j (ties to the higher j:
//              a deliberately wrong variant the tests must catch);
//              trigo_knn_topk (odd-even sorts, a merge tree of bitonic mergers);
//              DSAT > 0 saturates d_j at DSAT in the key (DKW bits): the
//              generator sets it where every lookup from DSAT on gives 0
//              (a table with a zero tail, as the compiler fills it), so
//              all candidates at or beyond DSAT contribute the same zero
//              message and which of them are chosen changes nothing: the
//              set of nearer neighbours, the count and every message
//              value stay exactly the simulator's, with narrower keys;
//   weights    w = TABLE[clamp((d - OFFSET) >> SHIFT)] (trigo_gravnet_wrom),
//              one ROM per slot, in parallel with the gather of h_j: the
//              lane puts each slot's j on gidx and the caller returns the
//              row on gh in the same cycle (trigo_gravnet_agg reads it from
//              trigo_gravnet_hram);
//   messages   m = w * h_j exact (MW = TW+WH+2 bits, signed);
//   mean, max  sum and max over the valid slots (balanced trees);
//              mean = sum * round(2^RF / count) (constants from a KE+1 entry
//              table indexed by count), both converted to the output type
//              with trigo_convert (frac of m: FM = F(table) + F(h));
//              rows with no neighbour or an invalid query are zero.
//
// Pipeline (ce-enabled registers, REGS bits): bit 0 after the distances,
// then the top-k network (SORT_REGS, MERGE_REG: TD cycles), bit 1 ROM read /
// gather, bit 2 products, bit 3 sum and max, bit 4 mean product, bit 5
// output. Depth = REGS[0]+TD+REGS[1]+...+REGS[5]; the gather (gidx/gh)
// happens GD = REGS[0]+TD cycles after the query.
module trigo_gravnet_lane #(
  parameter N  = 4,   // vertices
  parameter S  = 1,   // learned-space dimensions
  parameter P  = 1,   // propagated features
  parameter K  = 1,   // neighbours
  parameter WS = 8, parameter SS = 1,    // s code width, signed
  parameter WH = 8, parameter HS = 1,    // h code width, signed
  parameter TW = 8, parameter TS = 0,    // table entry width, signed
  parameter TL = 2,                      // table entries
  parameter [TL*TW-1:0] TABLE = {TL*TW{1'b0}},
  parameter signed [63:0] OFFSET = 64'sd0,
  parameter SHIFT = 0,
  parameter [63:0] DSAT = 64'd0,         // distance saturation (0: none)
  parameter RF = 16,                     // recip_frac
  parameter FM = 0,                      // frac of a message: F(table) + F(h)
  parameter OW = 16, parameter OS = 1, parameter FO = 0, // output type
  parameter RND = 0, parameter OVF = 0,
  parameter L2 = 1,
  parameter INCLUDE_SELF = 1,
  parameter TIE_HIGH = 0,
  parameter [31:0] SORT_REGS = 32'd0,
  parameter MERGE_REG = 1,
  parameter [7:0] REGS = 8'h3f
) (
  input  wire                              clk,
  input  wire                              ce,
  input  wire [N*S*WS-1:0]                 s_all,
  input  wire [N-1:0]                      v_all,
  input  wire [S*WS-1:0]                   s_q,
  input  wire                              v_q,
  input  wire [((N > 1) ? $clog2(N) : 1)-1:0] q_idx,
  output wire [((K < N) ? K : N)*((N > 1) ? $clog2(N) : 1)-1:0] gidx,
  input  wire [((K < N) ? K : N)*P*WH-1:0] gh,
  output wire [2*P*OW-1:0]                 y
);
  function integer popc;
    input [31:0] x;
    integer b;
    begin
      popc = 0;
      for (b = 0; b < 32; b = b + 1) if (x[b]) popc = popc + 1;
    end
  endfunction

  localparam KE   = (K < N) ? K : N;                   // neighbour slots
  localparam LGKE = (KE > 1) ? $clog2(KE) : 0;
  localparam KP   = 1 << LGKE;                         // slots, padded
  localparam NGR  = (N + KP - 1) / KP;
  localparam LGNG = (NGR > 1) ? $clog2(NGR) : 0;
  localparam NG   = 1 << LGNG;                         // groups of KP keys
  localparam NP   = NG * KP;                           // keys, padded
  localparam IDW  = (NP > 1) ? $clog2(NP) : 1;
  localparam QW   = (N > 1) ? $clog2(N) : 1;
  localparam SB   = (S > 1) ? $clog2(S) : 0;
  localparam DW   = ((L2 != 0) ? 2 * WS : WS) + SB;    // exact distance
  localparam [64:0] DSAT1 = {1'b0, DSAT};
  localparam USAT = (DSAT1 != 65'd0 && DW < 64 && DSAT1 < (65'd1 << DW)) ? 1 : 0;
  localparam DKW  = (USAT != 0) ? $clog2(DSAT1 + 65'd1) : DW; // distance in the key
  localparam KW   = 1 + DKW + IDW;                     // key
  localparam TD   = popc(SORT_REGS & ((32'd1 << (LGKE + 1)) - 32'd2)) + MERGE_REG * LGNG;
  localparam MW   = TW + WH + 2;                       // message
  localparam SWD  = MW + LGKE;                         // sum of KE messages
  localparam CW   = $clog2(KE + 1);                    // count 0..KE
  localparam RW   = RF + 2;                            // round(2^RF / count) <= 2^RF
  localparam AW   = SWD + RW + 1;                      // mean before conversion
  localparam SHM0 = FM + RF - FO;
  localparam SHX0 = FM - FO;
  localparam SHM  = (SHM0 > AW + 1) ? AW + 1 : ((SHM0 < -(OW + 1)) ? -(OW + 1) : SHM0);
  localparam SHX  = (SHX0 > MW + 1) ? MW + 1 : ((SHX0 < -(OW + 1)) ? -(OW + 1) : SHX0);

  genvar j, t, r, c;

  // ---- distances and keys --------------------------------------------------
  wire [NP*KW-1:0] keys;
  generate
    for (j = 0; j < NP; j = j + 1) begin : g_c
      if (j < N) begin : g_v
        localparam [IDW-1:0] JV = j;
        localparam [IDW-1:0] JJ = (TIE_HIGH != 0) ? ~JV : JV;
        localparam [QW-1:0] JQ = j;
        wire [S*DW-1:0] tv;
        wire [S-1:0] neg;
        wire [DW-1:0] dt, d;
        for (t = 0; t < S; t = t + 1) begin : g_t
          wire [WS:0] a = {(SS != 0) ? s_all[(j*S+t)*WS + WS-1] : 1'b0, s_all[(j*S+t)*WS +: WS]};
          wire [WS:0] b = {(SS != 0) ? s_q[t*WS + WS-1] : 1'b0, s_q[t*WS +: WS]};
          wire [WS:0] df = a - b;                     // exact: |a - b| < 2^WS
          if (L2 != 0) begin : g_sq
            wire [WS-1:0] ab = df[WS] ? (~df[WS-1:0] + 1'b1) : df[WS-1:0];
            wire [2*WS-1:0] sq = ab * ab;
            trigo_resize #(.IW(2*WS), .IS(0), .SHL(0), .OW(DW)) u_x (.in(sq), .out(tv[t*DW +: DW]));
            assign neg[t] = 1'b0;
          end else begin : g_abs
            // |df| = (df ^ sign) + sign: the one's complement goes into
            // the adder tree's LUTs and the +sign terms are added once
            // per distance (no increment per coordinate).
            wire [WS-1:0] oc = df[WS-1:0] ^ {WS{df[WS]}};
            trigo_resize #(.IW(WS), .IS(0), .SHL(0), .OW(DW)) u_x (.in(oc), .out(tv[t*DW +: DW]));
            assign neg[t] = df[WS];
          end
        end
        trigo_addtree #(.N(S), .W(DW), .OP(0), .ARITY(2), .LEVELS(SB), .REGS(64'd0))
          u_d (.clk(clk), .ce(ce), .in(tv), .out(dt));
        if (L2 != 0) begin : g_dsq
          assign d = dt;
          /* verilator lint_off UNUSEDSIGNAL */
          wire unused_neg = ^neg;
          /* verilator lint_on UNUSEDSIGNAL */
        end else begin : g_dabs
          // the number of negative differences, by the same adder tree
          wire [S*DW-1:0] negw;
          wire [DW-1:0] nneg;
          for (t = 0; t < S; t = t + 1) begin : g_n
            assign negw[t*DW +: DW] = {{(DW-1){1'b0}}, neg[t]};
          end
          trigo_addtree #(.N(S), .W(DW), .OP(0), .ARITY(2), .LEVELS(SB), .REGS(64'd0))
            u_n (.clk(clk), .ce(ce), .in(negw), .out(nneg));
          assign d = dt + nneg;
        end
        wire [DKW-1:0] dk;
        if (USAT != 0) begin : g_sat
          /* verilator lint_off WIDTH */
          localparam [DW-1:0] DS = DSAT;
          localparam [DKW-1:0] DSK = DSAT;
          /* verilator lint_on WIDTH */
          assign dk = (d >= DS) ? DSK : d[DKW-1:0];
        end else begin : g_nosat
          assign dk = d;
        end
        wire cand = v_all[j] & ((INCLUDE_SELF != 0) || (q_idx != JQ));
        assign keys[j*KW +: KW] = {~cand, dk, JJ};
      end else begin : g_pad
        assign keys[j*KW +: KW] = {KW{1'b1}};
      end
    end
  endgenerate

  wire [NP*KW-1:0] keys_r;
  wire vq_r;
  trigo_pipe #(.W(NP*KW + 1), .EN(REGS[0])) u_r0 (.clk(clk), .ce(ce), .d({v_q, keys}), .q({vq_r, keys_r}));

  // ---- top-k ----------------------------------------------------------------
  wire [KP*KW-1:0] tk;
  // The slots are only counted, summed and maxed: their order does not
  // matter when all KP of them are used (KP = KE), so the root merger goes.
  trigo_knn_topk #(.W(KW), .KP(KP), .NG(NG), .SORT_REGS(SORT_REGS), .MERGE_REG(MERGE_REG), .SORTED((KP > KE) ? 1 : 0))
    u_tk (.clk(clk), .ce(ce), .in(keys_r), .out(tk));
  wire vq_t;
  trigo_delay #(.W(1), .D(TD)) u_dv (.clk(clk), .ce(ce), .d(vq_r), .q(vq_t));

  // ---- weights and gather -------------------------------------------------------
  wire [KE-1:0] sv_t, sv_g;
  wire [KE*TW-1:0] w_g;
  wire [KE*P*WH-1:0] h_t, h_g;
  wire vq_g;
  generate
    for (r = 0; r < KE; r = r + 1) begin : g_slot
      wire [KW-1:0] kr = tk[r*KW +: KW];
      /* verilator lint_off UNUSEDSIGNAL */
      wire [IDW-1:0] jr = (TIE_HIGH != 0) ? ~kr[IDW-1:0] : kr[IDW-1:0]; // >= N only in invalid slots
      /* verilator lint_on UNUSEDSIGNAL */
      assign sv_t[r] = ~kr[KW-1];
      trigo_gravnet_wrom #(.DW(DKW), .TW(TW), .TL(TL), .OFFSET(OFFSET), .SHIFT(SHIFT), .TABLE(TABLE), .REG(REGS[1]))
        u_w (.clk(clk), .ce(ce), .d(kr[KW-2:IDW]), .w(w_g[r*TW +: TW]));
      assign gidx[r*QW +: QW] = jr[QW-1:0];
      assign h_t[r*P*WH +: P*WH] = gh[r*P*WH +: P*WH];
    end
    if (KP > KE) begin : g_unused
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = ^tk[KP*KW-1:KE*KW];
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate
  trigo_pipe #(.W(KE*P*WH + KE + 1), .EN(REGS[1])) u_r1 (.clk(clk), .ce(ce), .d({vq_t, sv_t, h_t}), .q({vq_g, sv_g, h_g}));

  // ---- messages -----------------------------------------------------------------
  wire [KE*P*MW-1:0] m_p, m_r;
  wire [KE-1:0] sv_m;
  wire vq_m;
  generate
    for (r = 0; r < KE; r = r + 1) begin : g_mr
      wire signed [TW:0] ws = {(TS != 0) ? w_g[r*TW + TW-1] : 1'b0, w_g[r*TW +: TW]};
      for (c = 0; c < P; c = c + 1) begin : g_mc
        wire [WH-1:0] hc = h_g[(r*P+c)*WH +: WH];
        wire signed [WH:0] hs = {(HS != 0) ? hc[WH-1] : 1'b0, hc};
        wire signed [MW-1:0] m = ws * hs;
        assign m_p[(r*P+c)*MW +: MW] = m;
      end
    end
  endgenerate
  trigo_pipe #(.W(KE*P*MW + KE + 1), .EN(REGS[2])) u_r2 (.clk(clk), .ce(ce), .d({vq_g, sv_g, m_p}), .q({vq_m, sv_m, m_r}));

  // ---- sum, max, count ----------------------------------------------------------
  reg [CW-1:0] cnt;
  integer q;
  always @(*) begin
    cnt = {CW{1'b0}};
    for (q = 0; q < KE; q = q + 1) cnt = cnt + {{(CW-1){1'b0}}, sv_m[q]};
  end
  wire [P*SWD-1:0] sum_p, sum_r;
  wire [P*MW-1:0] max_p, max_r;
  localparam [MW-1:0] MINV = {1'b1, {(MW-1){1'b0}}}; // below every message
  generate
    for (c = 0; c < P; c = c + 1) begin : g_red
      wire [KE*SWD-1:0] so;
      wire [KE*MW-1:0] mo;
      for (r = 0; r < KE; r = r + 1) begin : g_o
        wire [MW-1:0] m = m_r[(r*P+c)*MW +: MW];
        wire [SWD-1:0] mx;
        trigo_resize #(.IW(MW), .IS(1), .SHL(0), .OW(SWD)) u_x (.in(m), .out(mx));
        assign so[r*SWD +: SWD] = sv_m[r] ? mx : {SWD{1'b0}};
        assign mo[r*MW +: MW] = sv_m[r] ? m : MINV;
      end
      trigo_addtree #(.N(KE), .W(SWD), .OP(0), .ARITY(2), .LEVELS(LGKE), .REGS(64'd0))
        u_s (.clk(clk), .ce(ce), .in(so), .out(sum_p[c*SWD +: SWD]));
      trigo_addtree #(.N(KE), .W(MW), .OP(1), .ARITY(2), .LEVELS(LGKE), .REGS(64'd0))
        u_m (.clk(clk), .ce(ce), .in(mo), .out(max_p[c*MW +: MW]));
    end
  endgenerate
  wire [CW-1:0] cnt_r;
  wire vq_s;
  trigo_pipe #(.W(P*SWD + P*MW + CW + 1), .EN(REGS[3])) u_r3 (.clk(clk), .ce(ce),
    .d({vq_m, cnt, max_p, sum_p}), .q({vq_s, cnt_r, max_r, sum_r}));

  // ---- mean = sum * round(2^RF / count) -----------------------------------------------
  wire [(KE+1)*RW-1:0] rtab;
  assign rtab[RW-1:0] = {RW{1'b0}};
  generate
    for (c = 1; c <= KE; c = c + 1) begin : g_rc
      localparam [63:0] RC = ((64'd1 << (RF + 1)) + c) / (2 * c);
      assign rtab[c*RW +: RW] = RC[RW-1:0];
    end
  endgenerate
  wire [RW-1:0] rc;
  trigo_gravnet_mux #(.W(RW), .N(KE + 1), .SW(CW)) u_rc (.in(rtab), .sel(cnt_r), .out(rc));
  wire signed [RW:0] rcs = {1'b0, rc};
  wire [P*AW-1:0] mean_p, mean_r;
  generate
    for (c = 0; c < P; c = c + 1) begin : g_mean
      wire signed [SWD-1:0] sc = sum_r[c*SWD +: SWD];
      wire signed [AW-1:0] mv = sc * rcs;
      assign mean_p[c*AW +: AW] = mv;
    end
  endgenerate
  wire z_p = ~vq_s | (cnt_r == {CW{1'b0}});
  wire z_r;
  wire [P*MW-1:0] max_a;
  trigo_pipe #(.W(P*AW + P*MW + 1), .EN(REGS[4])) u_r4 (.clk(clk), .ce(ce),
    .d({z_p, max_r, mean_p}), .q({z_r, max_a, mean_r}));

  // ---- conversions --------------------------------------------------------------
  wire [2*P*OW-1:0] yc;
  generate
    for (c = 0; c < P; c = c + 1) begin : g_cv
      /* verilator lint_off UNUSEDSIGNAL */
      wire ov0, ov1;
      /* verilator lint_on UNUSEDSIGNAL */
      trigo_convert #(.IW(AW), .IS(1), .SHIFT(SHM), .OW(OW), .OS(OS), .RND(RND), .OVF(OVF))
        u_mean (.in(mean_r[c*AW +: AW]), .out(yc[c*OW +: OW]), .ovf(ov0));
      trigo_convert #(.IW(MW), .IS(1), .SHIFT(SHX), .OW(OW), .OS(OS), .RND(RND), .OVF(OVF))
        u_max (.in(max_a[c*MW +: MW]), .out(yc[(P+c)*OW +: OW]), .ovf(ov1));
    end
  endgenerate
  wire [2*P*OW-1:0] yz = z_r ? {2*P*OW{1'b0}} : yc;
  trigo_pipe #(.W(2*P*OW), .EN(REGS[5])) u_r5 (.clk(clk), .ce(ce), .d(yz), .q(y));
endmodule
