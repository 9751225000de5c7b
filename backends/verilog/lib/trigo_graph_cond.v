// trigo_graph_cond: condensation (ir/SEMANTICS.md "Graph ops", GRAPH.md
// section 5) on a vertex stream of L lanes. An event's N = T*L vertices
// arrive as T groups of L rows (beta, coords, payload and the valid bits;
// group g holds vertices g*L .. g*L+L-1), one group per cycle while in_act,
// in_grp = g. Each vertex's candidate bit (valid && beta > BETA_CODE) is
// computed on arrival. When the last group (T-1) arrives, the collected
// event is copied into a snapshot (edge E0) and the greedy walk runs M
// steps of STEP cycles each. Step c:
//
//   * alpha = arg-max of the unique keys {avail_j, beta_j, ~j} (j instead
//     of ~j when TIE_HIGH = 1: ties to the higher index, the deliberately
//     wrong variant), avail_j = cand_j && !assigned_j: the first unassigned
//     candidate in the order beta descending, index ascending. The
//     arg-max tree carries each key's coordinates, so alpha's coordinates
//     leave the root with it. No available candidate (top key bit 0): the
//     step changes nothing and row c stays zero.
//   * d2_j = sum_t (c_jt - c_alpha,t)^2 for all N vertices (exact,
//     DW = 2(WC+1) + ceil(log2 C) bits); every valid, unassigned j with
//     d2_j < DIST_CODE, and alpha itself, get cluster c;
//   * row c of the clusters = alpha's beta and payload (one-hot gather
//     from the snapshot), each converted with trigo_convert to the output
//     type; n_clusters counts the steps that found a candidate.
//
// The step is a loop (the next arg-max reads this step's assignments), so
// its optional registers add cycles per step instead of pipelining steps:
//
//   STEP      = 1 + popcount(ARG_REGS[LGN:1]) + popcount(REGS[2:0])
//   DEPTH     = M * STEP
//   occupancy = M * STEP       (cycles between successive last groups)
//
// (LGN = ceil(log2 N): levels of the arg-max tree). Outputs: out_assign
// (N two's-complement int32, vertex 0 in the LSBs, -1 unassigned),
// out_clusters (M rows of 1+P codes of OW bits, row-major, row c = beta then
// payload), out_n (n_clusters, int32) are registers loaded at the last
// step's edge; they appear, with the one-cycle pulse out_act, exactly
// 1 + DEPTH cycles after the last input group (the 1 is the snapshot edge)
// and stay until the next event's result. The unit holds one event: the
// walk reads the snapshot until its last step, so successive events' last
// groups must be at least max(T, occupancy) cycles apart
// (minII = max(T, M*STEP)); the next snapshot may be taken at the edge of the
// last step.
//
// Registers (parameters): ARG_REGS bit b (1 <= b <= LGN) after level b of
// the arg-max tree (keys and coordinates); REGS bit 0 after the root
// (alpha's key and coordinates), bit 1 after the coordinate differences,
// bit 2 after the squared distances. Every register is enabled by ce
// (global stall); rst (synchronous, active high) clears the control state
// (the walk's counters, out_act), not the data. The loop's registers load
// every cycle; the walk state (assigned mask, ids, rows, count) changes only
// in the step's last cycle, when the end of the chain reflects the state of
// the step's first cycle, so every step sees its predecessor's result.
// Placement for ~200 MHz at N = 64 (condPipeFor in condkernel.go):
// ARG_REGS = 1 << 3, REGS = 3'b010, STEP = 3 (avail + three tree levels |
// three levels + alpha's coordinates + differences | squares, sum, compare,
// update, and in parallel the gather and conversion of alpha's row).
//
// Parameters: N vertices, L lanes (N % L == 0), C coordinates (>= 1),
// P payload features (0: no payload; in_p is then one unused bit), M
// max_clusters; WB/BS/FB beta width, signedness, fractional bits; WC/CS
// coords width and signedness; WP/PS/FP payload; BETA_CODE (signed) and
// DIST_CODE (unsigned) the thresholds; OW/OS/FO/RND/OVF the clusters' type
// (as trigo_convert).
module trigo_graph_cond #(
  parameter N  = 4,
  parameter L  = 1,
  parameter C  = 2,
  parameter P  = 1,
  parameter M  = 2,
  parameter WB = 8, parameter BS = 1, parameter FB = 0,
  parameter WC = 8, parameter CS = 1,
  parameter WP = 8, parameter PS = 1, parameter FP = 0,
  parameter signed [63:0] BETA_CODE = 64'sd0,
  parameter [63:0] DIST_CODE = 64'd1,
  parameter OW = 16, parameter OS = 1, parameter FO = 0,
  parameter RND = 0, parameter OVF = 0,
  parameter TIE_HIGH = 0,
  parameter [31:0] ARG_REGS = 32'd0,
  parameter [7:0] REGS = 8'd0
) (
  input  wire                                       clk,
  input  wire                                       ce,
  input  wire                                       rst,
  input  wire                                       in_act,
  input  wire [(((N/L) > 1) ? $clog2(N/L) : 1)-1:0] in_grp,
  input  wire [L*WB-1:0]                            in_beta,
  input  wire [L*C*WC-1:0]                          in_c,
  input  wire [((P > 0) ? L*P*WP : 1)-1:0]          in_p,
  input  wire [L-1:0]                               in_v,
  output wire                                       out_act,
  output wire [N*32-1:0]                            out_assign,
  output wire [M*(1+P)*OW-1:0]                      out_clusters,
  output wire [31:0]                                out_n
);
  function integer popc;
    input [31:0] x;
    integer b;
    begin
      popc = 0;
      for (b = 0; b < 32; b = b + 1) if (x[b]) popc = popc + 1;
    end
  endfunction
  // floor(log2 x), x >= 1
  function integer flog2;
    input integer x;
    integer v;
    begin
      flog2 = 0;
      v = x;
      while (v > 1) begin
        v = v / 2;
        flog2 = flog2 + 1;
      end
    end
  endfunction

  localparam T    = N / L;                                  // groups per event
  localparam GW   = (T > 1) ? $clog2(T) : 1;
  localparam LGN  = (N > 1) ? $clog2(N) : 0;                // arg-max tree levels
  localparam NP   = 1 << LGN;                               // leaves (padded)
  localparam IW   = (LGN > 0) ? LGN : 1;                    // index bits in the keys
  localparam KW   = 1 + WB + IW;                            // {avail, beta, tie}
  localparam CRW  = C * WC;                                 // one coordinate row
  localparam PW   = (P > 0) ? P * WP : 1;                   // one payload row
  localparam DFW  = WC + 1;                                 // coordinate difference
  localparam SQW  = 2 * DFW;                                // its square
  localparam DW   = SQW + ((C > 1) ? $clog2(C) : 0);        // squared distance
  localparam STEP = 1 + popc(ARG_REGS & ((32'd1 << (LGN + 1)) - 32'd2)) + popc({29'd0, REGS[2:0]});
  /* verilator lint_off UNUSEDPARAM */
  localparam DEPTH = M * STEP;                             // documentation: snapshot edge -> result
  /* verilator lint_on UNUSEDPARAM */
  localparam SPW  = (STEP > 1) ? $clog2(STEP) : 1;
  localparam SCW  = (M > 1) ? $clog2(M) : 1;                // cluster ids
  localparam NW   = $clog2(M + 1);                          // n_clusters
  localparam RW   = (1 + P) * OW;                           // one cluster row
  // Conversion shifts (clamped as trigo_convert expects; no result changes).
  localparam SHB0 = FB - FO;
  localparam SHP0 = FP - FO;
  localparam SHB  = (SHB0 > WB + 1) ? WB + 1 : ((SHB0 < -(OW + 1)) ? -(OW + 1) : SHB0);
  localparam SHP  = (SHP0 > WP + 1) ? WP + 1 : ((SHP0 < -(OW + 1)) ? -(OW + 1) : SHP0);
  /* verilator lint_off WIDTH */
  localparam [GW-1:0]  LASTG = T - 1;
  localparam [SPW-1:0] LASTS = STEP - 1;
  localparam [SCW-1:0] LASTC = M - 1;
  localparam [WB-1:0] BFLIP = (BS != 0) ? (1 << (WB - 1)) : 0;   // signed -> unsigned order
  /* verilator lint_on WIDTH */
  localparam signed [64:0] BCODE = {BETA_CODE[63], BETA_CODE};

  genvar g, j, t, n;

  // ---- collection and snapshot ---------------------------------------------------
  // Candidate bits of the arriving group: valid && beta > BETA_CODE.
  wire [L-1:0] in_cand;
  generate
    for (j = 0; j < L; j = j + 1) begin : g_cand
      wire [WB-1:0] b = in_beta[j*WB +: WB];
      wire signed [64:0] bx = {{(65-WB){(BS != 0) ? b[WB-1] : 1'b0}}, b};   // WB <= 64
      assign in_cand[j] = in_v[j] & (bx > BCODE);
    end
  endgenerate

  localparam GRW = L * (WB + CRW + PW + 2);                 // bits of one group
  wire [L*PW-1:0] in_pg;
  generate
    if (P > 0) begin : g_pin
      assign in_pg = in_p;
    end else begin : g_nopin
      assign in_pg = {L*PW{1'b0}};
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused_p = ^in_p;                                // no payload: in_p is a dummy bit
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate
  wire last = in_act & (in_grp == LASTG);
  wire [N*WB-1:0] b_new;
  wire [N*CRW-1:0] c_new;
  wire [N*PW-1:0] p_new;
  wire [N-1:0] v_new, k_new;
  generate
    for (g = 0; g < T; g = g + 1) begin : g_coll
      wire [GRW-1:0] gd;
      if (g < T - 1) begin : g_reg
        localparam [GW-1:0] GV = g;
        reg [GRW-1:0] r;
        always @(posedge clk) if (ce & in_act & (in_grp == GV)) r <= {in_cand, in_v, in_pg, in_c, in_beta};
        assign gd = r;
      end else begin : g_direct
        assign gd = {in_cand, in_v, in_pg, in_c, in_beta};
      end
      assign b_new[g*L*WB +: L*WB] = gd[0 +: L*WB];
      assign c_new[g*L*CRW +: L*CRW] = gd[L*WB +: L*CRW];
      assign p_new[g*L*PW +: L*PW] = gd[L*(WB+CRW) +: L*PW];
      assign v_new[g*L +: L] = gd[L*(WB+CRW+PW) +: L];
      assign k_new[g*L +: L] = gd[L*(WB+CRW+PW+1) +: L];
    end
  endgenerate

  reg [N*WB-1:0] b_s;
  reg [N*CRW-1:0] c_s;
  reg [N*PW-1:0] p_s;
  reg [N-1:0] v_s, k_s;
  always @(posedge clk) if (ce & last) begin
    b_s <= b_new;
    c_s <= c_new;
    p_s <= p_new;
    v_s <= v_new;
    k_s <= k_new;
  end

  // ---- walk control ----------------------------------------------------------------
  reg run;
  reg [SPW-1:0] sp;                                         // cycle within the step
  reg [SCW-1:0] sc;                                         // step = cluster id
  wire upd = run & (sp == LASTS);                           // the step's state update
  wire fin = upd & (sc == LASTC);                           // the last step
  always @(posedge clk) begin
    if (rst) begin
      run <= 1'b0;
      sp <= {SPW{1'b0}};
      sc <= {SCW{1'b0}};
    end else if (ce) begin
      if (last) begin
        run <= 1'b1;
        sp <= {SPW{1'b0}};
        sc <= {SCW{1'b0}};
      end else if (run) begin
        if (upd) begin
          sp <= {SPW{1'b0}};
          sc <= sc + 1'b1;
          if (fin) run <= 1'b0;
        end else begin
          sp <= sp + 1'b1;
        end
      end
    end
  end

  // Walk state: assigned mask, cluster ids, rows written so far, count.
  reg [N-1:0] asg;
  reg [NW-1:0] ncl;

  // ---- arg-max tree (heap: node n has children 2n, 2n+1; leaves NP..2NP-1) -------
  /* verilator lint_off UNUSEDSIGNAL */
  wire [2*NP*KW-1:0] kh;                                    // node 0 unused
  wire [2*NP*CRW-1:0] ch;
  /* verilator lint_on UNUSEDSIGNAL */
  assign kh[0 +: KW] = {KW{1'b0}};
  assign ch[0 +: CRW] = {CRW{1'b0}};
  generate
    for (j = 0; j < NP; j = j + 1) begin : g_leaf
      if (j < N) begin : g_real
        localparam [IW-1:0] JV = j;
        wire [WB-1:0] b = b_s[j*WB +: WB];
        wire [WB-1:0] bk = b ^ BFLIP;
        wire [IW-1:0] tie = (TIE_HIGH != 0) ? JV : ~JV;
        assign kh[(NP+j)*KW +: KW] = {k_s[j] & ~asg[j], bk, tie};
        assign ch[(NP+j)*CRW +: CRW] = c_s[j*CRW +: CRW];
      end else begin : g_pad
        assign kh[(NP+j)*KW +: KW] = {KW{1'b0}};
        assign ch[(NP+j)*CRW +: CRW] = {CRW{1'b0}};
      end
    end
    for (n = 1; n < NP; n = n + 1) begin : g_node
      localparam LV = LGN - flog2(n);                       // level 1 .. LGN (root)
      wire [KW-1:0] ka = kh[(2*n)*KW +: KW];
      wire [KW-1:0] kb = kh[(2*n+1)*KW +: KW];
      wire pa = ka > kb;                                    // keys are unique
      wire [KW-1:0] ko = pa ? ka : kb;
      wire [CRW-1:0] co = pa ? ch[(2*n)*CRW +: CRW] : ch[(2*n+1)*CRW +: CRW];
      trigo_pipe #(.W(KW + CRW), .EN(ARG_REGS[LV])) u_r (.clk(clk), .ce(ce), .d({ko, co}),
        .q({kh[n*KW +: KW], ch[n*CRW +: CRW]}));
    end
  endgenerate

  // ---- alpha, differences, squared distances -------------------------------------
  /* verilator lint_off UNUSEDSIGNAL */
  wire [KW-1:0] kroot = kh[1*KW +: KW];                     // beta bits not needed past the tree
  /* verilator lint_on UNUSEDSIGNAL */
  wire [IW-1:0] tr = kroot[IW-1:0];
  wire [IW-1:0] a_idx = (TIE_HIGH != 0) ? tr : ~tr;
  wire a_fnd = kroot[KW-1];
  wire [IW-1:0] a_idx0;
  wire a_fnd0;
  wire [CRW-1:0] a_c0;
  trigo_pipe #(.W(1 + IW + CRW), .EN(REGS[0])) u_r0 (.clk(clk), .ce(ce), .d({a_fnd, a_idx, ch[1*CRW +: CRW]}),
    .q({a_fnd0, a_idx0, a_c0}));

  wire [N*C*DFW-1:0] df;
  generate
    for (j = 0; j < N; j = j + 1) begin : g_df
      for (t = 0; t < C; t = t + 1) begin : g_t
        wire [WC-1:0] x = c_s[(j*C+t)*WC +: WC];
        wire [WC-1:0] y = a_c0[t*WC +: WC];
        wire [DFW-1:0] xe = {(CS != 0) ? x[WC-1] : 1'b0, x};
        wire [DFW-1:0] ye = {(CS != 0) ? y[WC-1] : 1'b0, y};
        assign df[(j*C+t)*DFW +: DFW] = xe - ye;            // exact: |x - y| < 2^WC
      end
    end
  endgenerate
  wire [IW-1:0] a_idx1;
  wire a_fnd1;
  wire [N*C*DFW-1:0] df1;
  trigo_pipe #(.W(1 + IW + N*C*DFW), .EN(REGS[1])) u_r1 (.clk(clk), .ce(ce), .d({a_fnd0, a_idx0, df}),
    .q({a_fnd1, a_idx1, df1}));

  wire [N*DW-1:0] d2;
  generate
    for (j = 0; j < N; j = j + 1) begin : g_d2
      wire [C*DW-1:0] sqs;                                  // squares, zero-extended to DW
      for (t = 0; t < C; t = t + 1) begin : g_sq
        wire signed [DFW-1:0] x = df1[(j*C+t)*DFW +: DFW];
        wire signed [SQW-1:0] x2 = x * x;                   // exact, < 2^(2WC)
        if (DW > SQW) begin : g_pad
          assign sqs[t*DW +: DW] = {{(DW-SQW){1'b0}}, x2};
        end else begin : g_nopad
          assign sqs[t*DW +: DW] = x2;
        end
      end
      reg [DW-1:0] s;
      integer ti;
      always @(*) begin
        s = {DW{1'b0}};
        for (ti = 0; ti < C; ti = ti + 1) s = s + sqs[ti*DW +: DW];
      end
      assign d2[j*DW +: DW] = s;
    end
  endgenerate
  wire [IW-1:0] a_idx2;
  wire a_fnd2;
  wire [N*DW-1:0] d22;
  trigo_pipe #(.W(1 + IW + N*DW), .EN(REGS[2])) u_r2 (.clk(clk), .ce(ce), .d({a_fnd1, a_idx1, d2}),
    .q({a_fnd2, a_idx2, d22}));

  // ---- step update -------------------------------------------------------------------
  wire [N-1:0] nw;                                          // assigned by this step
  generate
    for (j = 0; j < N; j = j + 1) begin : g_up
      localparam [IW-1:0] JV = j;
      wire [63:0] dx = {{(64-DW){1'b0}}, d22[j*DW +: DW]};
      // DIST_CODE = 0 (t_d = 0) makes this constant false: only alpha joins.
      /* verilator lint_off UNSIGNED */
      wire near = dx < DIST_CODE;
      /* verilator lint_on UNSIGNED */
      assign nw[j] = a_fnd2 & ~asg[j] & ((v_s[j] & near) | (a_idx2 == JV));
    end
  endgenerate

  // alpha's beta and payload (one-hot gather from the snapshot), converted.
  reg [WB-1:0] a_b;
  reg [PW-1:0] a_p;
  integer gi;
  always @(*) begin
    a_b = {WB{1'b0}};
    a_p = {PW{1'b0}};
    for (gi = 0; gi < N; gi = gi + 1) begin
      a_b = a_b | ({WB{a_idx2 == gi[IW-1:0]}} & b_s[gi*WB +: WB]);
      a_p = a_p | ({PW{a_idx2 == gi[IW-1:0]}} & p_s[gi*PW +: PW]);
    end
  end
  wire [RW-1:0] rc;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [P:0] rov;
  /* verilator lint_on UNUSEDSIGNAL */
  trigo_convert #(.IW(WB), .IS(BS), .SHIFT(SHB), .OW(OW), .OS(OS), .RND(RND), .OVF(OVF))
    u_cb (.in(a_b), .out(rc[0 +: OW]), .ovf(rov[0]));
  generate
    for (t = 0; t < P; t = t + 1) begin : g_cp
      trigo_convert #(.IW(WP), .IS(PS), .SHIFT(SHP), .OW(OW), .OS(OS), .RND(RND), .OVF(OVF))
        u_cp (.in(a_p[t*WP +: WP]), .out(rc[(1+t)*OW +: OW]), .ovf(rov[1+t]));
    end
    if (P == 0) begin : g_nop
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = ^a_p;
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate
  wire [RW-1:0] row_new = a_fnd2 ? rc : {RW{1'b0}};         // zero rows after the last cluster

  /* verilator lint_off WIDTH */
  wire [NW-1:0] sc1 = sc + 1'b1;
  /* verilator lint_on WIDTH */
  wire [NW-1:0] n_next = a_fnd2 ? sc1 : ncl;
  always @(posedge clk) if (ce) begin
    if (last) begin
      asg <= {N{1'b0}};
      ncl <= {NW{1'b0}};
    end else if (upd) begin
      asg <= asg | nw;
      ncl <= n_next;
    end
  end

  // ---- outputs: loaded at the last step's edge ----------------------------------------
  reg oact;
  always @(posedge clk) begin
    if (rst) oact <= 1'b0;
    else if (ce) oact <= fin;
  end
  assign out_act = oact;

  reg [N-1:0] o_asg;
  reg [NW-1:0] o_n;
  always @(posedge clk) if (ce & fin) begin
    o_asg <= asg | nw;
    o_n <= n_next;
  end
  assign out_n = {{(32-NW){1'b0}}, o_n};

  generate
    for (j = 0; j < N; j = j + 1) begin : g_aid
      reg [SCW-1:0] id;
      always @(posedge clk) if (ce & upd & nw[j]) id <= sc;
      reg [SCW-1:0] oid;
      always @(posedge clk) if (ce & fin) oid <= nw[j] ? sc : id;
      assign out_assign[j*32 +: 32] = o_asg[j] ? {{(32-SCW){1'b0}}, oid} : 32'hffffffff;
    end
    for (g = 0; g < M; g = g + 1) begin : g_row
      if (g < M - 1) begin : g_mid
        localparam [SCW-1:0] CV = g;
        reg [RW-1:0] r;                                     // row g, written at step g
        always @(posedge clk) if (ce & upd & (sc == CV)) r <= row_new;
        reg [RW-1:0] o;
        always @(posedge clk) if (ce & fin) o <= r;
        assign out_clusters[g*RW +: RW] = o;
      end else begin : g_lastrow
        reg [RW-1:0] o;
        always @(posedge clk) if (ce & fin) o <= row_new;
        assign out_clusters[g*RW +: RW] = o;
      end
    end
  endgenerate
endmodule
