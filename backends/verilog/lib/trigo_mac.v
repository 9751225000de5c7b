// trigo_mac: a time-multiplexed dense or conv layer (reuse factor R > 1).
// The generator splits each output's terms over R phases: output n owns
// the slots SL_START[n] .. SL_START[n]+SL_COUNT[n]-1, and slot k computes
// in local phase q the entry e = k*R+q on the input element of its lane
// S_LANE[k] in that phase, L_IDX[S_LANE[k]*R+q]:
//   LUTMUL = 0: x * E_W[e] << PS (a zero weight when the slot is idle):
//     one multiplier per slot, its operands selected by the phase, so `*`
//     maps to one DSP per slot; slots reading the same element sequence
//     share a lane (one input multiplexer)
//   LUTMUL = 1 (one lane per slot): by E_KIND[e], 1: x << E_SH[e],
//     2: ~(x << E_SH[e]) (a negative canonical signed digit, its +1 in
//     CONSTS), 3: zero (idle)
// All values are SW bits, two's complement modulo 2^SW. The slots of an
// output are summed by an adder tree (trigo_termtree) and added into the
// output's accumulator, which restarts from CONSTS[n] in the phase whose
// partial sums arrive first; after R phases it holds the exact sum, which
// is converted like in trigo_linear (A_*, Y_*, fused relu).
//
// Phases: ph is the top level's phase counter (0..II-1, advancing with
// ce); the local phase is LQ_TAB[ph] (0..R-1). Local phase 0 is the cycle
// where ph == PH_IN: the multiplexers read the (optionally registered)
// input x directly then, and a copy captured at the end of that cycle in
// phases 1..R-1. The accumulator restarts when ph == PH_ACC. Nothing
// resets: the first phase overwrites the state.
//
// Pipeline steps and REGS bits (bit s = register in front of step s):
//   0: operand multiplexers          bit 0: input register
//   1: products                      bit 1: after the multiplexers
//   2..LEVELS+1: adder-tree levels   bit l+1: in front of level l
//   LEVELS+2: accumulate             bit LEVELS+2: after the last level
//                                    bit LEVELS+3: the accumulator (always)
//   LEVELS+3: accumulator conversion bit LEVELS+4: after the acc conversion
//   LEVELS+4: output conversion      bit LEVELS+5: output register
module trigo_mac #(
  parameter NX = 1, parameter XW = 16, parameter XS = 1,
  parameter NY = 1,
  parameter NS = 1,
  parameter NL = 1,
  parameter R = 2,
  parameter PW = 1,
  parameter LW = 1,
  parameter WW = 16,
  parameter SW = 32,
  parameter PS = 0,
  parameter ARITY = 3,
  parameter LUTMUL = 0,
  parameter LEVELS = 0,
  // (defaults only: the generator passes the vectors the mode reads)
  /* verilator lint_off WIDTHCONCAT */
  parameter [NY*32-1:0] SL_START = {NY{32'd0}},
  parameter [NY*32-1:0] SL_COUNT = {NY{32'd0}},
  parameter [NS*32-1:0] S_LANE = {NS{32'd0}},
  parameter [NL*R*32-1:0] L_IDX = {NL*R{32'd0}},
  parameter [NS*R*WW-1:0] E_W = {NS*R*WW{1'b0}},
  parameter [NS*R*8-1:0] E_SH = {NS*R{8'd0}},
  parameter [NS*R*2-1:0] E_KIND = {NS*R{2'd3}},
  parameter [NY*SW-1:0] CONSTS = {NY*SW{1'b0}},
  parameter [(2**PW)*LW-1:0] LQ_TAB = {(2**PW)*LW{1'b0}},
  parameter [PW-1:0] PH_IN = {PW{1'b0}},
  parameter [PW-1:0] PH_ACC = {PW{1'b0}},
  /* verilator lint_on WIDTHCONCAT */
  // accumulator conversion (A_CONV = 0: the sum already is the acc code)
  parameter A_CONV = 0,
  parameter A_IW = 32, parameter A_IS = 1, parameter A_SHIFT = 0,
  parameter A_OW = 32, parameter A_OS = 1, parameter A_RND = 0, parameter A_OVF = 0,
  // output conversion
  parameter Y_IW = 32, parameter Y_IS = 1, parameter Y_SHIFT = 0,
  parameter Y_OW = 16, parameter Y_OS = 1, parameter Y_RND = 0, parameter Y_OVF = 0,
  parameter RELU = 0,
  parameter [63:0] REGS = 64'd0
) (
  input  wire             clk,
  input  wire             ce,
  input  wire [PW-1:0]    ph,
  // Elements without a non-zero weight are not read.
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [NX*XW-1:0] x,
  /* verilator lint_on UNUSEDSIGNAL */
  output wire [NY*Y_OW-1:0] y
);
  // slots(s0, c): the slot indices s0..s0+c-1 (32 bits each) of a tree.
  function [NS*32-1:0] slots;
    input integer s0, c;
    integer i;
    begin
      for (i = 0; i < NS; i = i + 1) slots[i*32 +: 32] = (i < c) ? s0 + i : 0;
    end
  endfunction

  // The input (phase 0) and its copy for phases 1..R-1 (bits read in
  // phase 0 only are never used).
  /* verilator lint_off UNUSEDSIGNAL */
  wire [NX*XW-1:0] xr;
  reg  [NX*XW-1:0] xh;
  /* verilator lint_on UNUSEDSIGNAL */
  trigo_pipe #(.W(NX*XW), .EN(REGS[0])) u_in (.clk(clk), .ce(ce), .d(x), .q(xr));
  always @(posedge clk) if (ce && ph == PH_IN) xh <= xr;

  // The local phase and the accumulator restart.
  wire [LW-1:0] lq;
  trigo_mux #(.W(LW), .N(2**PW), .SB(PW)) u_lq (.d(LQ_TAB), .s(ph), .q(lq));
  wire first = (ph == PH_ACC);

  // Slots: the value of each slot in the current phase.
  wire [NS*SW-1:0] v;
  genvar k, l, q, n;
  generate
    if (LUTMUL == 0) begin : g_mul
      // lanes: the input element of the phase (sign-extended)
      wire [NL*(XW+1)-1:0] lane;
      for (l = 0; l < NL; l = l + 1) begin : g_l
        wire [R*XW-1:0] c;                       // the element of each phase
        for (q = 0; q < R; q = q + 1) begin : g_q
          localparam integer IDX = L_IDX[(l*R+q)*32 +: 32];
          if (q == 0) begin : g_in
            assign c[XW-1:0] = xr[IDX*XW +: XW];
          end else begin : g_held
            assign c[q*XW +: XW] = xh[IDX*XW +: XW];
          end
        end
        wire [XW-1:0] e;
        trigo_mux #(.W(XW), .N(R), .SB(LW)) u_e (.d(c), .s(lq), .q(e));
        trigo_pipe #(.W(XW+1), .EN(REGS[1])) u_r (.clk(clk), .ce(ce),
          .d({(XS != 0) ? e[XW-1] : 1'b0, e}), .q(lane[l*(XW+1) +: XW+1]));
      end
      for (k = 0; k < NS; k = k + 1) begin : g_s
        localparam integer LN = S_LANE[k*32 +: 32];
        localparam [R*WW-1:0] WS = E_W[k*R*WW +: R*WW];  // the weight of each phase
        wire [WW-1:0] w, wm;
        trigo_mux #(.W(WW), .N(R), .SB(LW)) u_w (.d(WS), .s(lq), .q(w));
        trigo_pipe #(.W(WW), .EN(REGS[1])) u_wr (.clk(clk), .ce(ce), .d(w), .q(wm));
        // Intended widths: the product is exact (XW+1+WW bits), then
        // sign-extended or truncated (modulo 2^SW) to SW bits.
        /* verilator lint_off WIDTH */
        wire signed [XW+WW:0] p = $signed(lane[LN*(XW+1) +: XW+1]) * $signed(wm);
        assign v[k*SW +: SW] = p <<< PS;
        /* verilator lint_on WIDTH */
      end
    end else begin : g_dig
      for (k = 0; k < NS; k = k + 1) begin : g_s
        wire [R*SW-1:0] c;                       // the value of each phase
        for (q = 0; q < R; q = q + 1) begin : g_q
          localparam integer IDX = L_IDX[(k*R+q)*32 +: 32];
          localparam [1:0] KIND = E_KIND[(k*R+q)*2 +: 2];
          localparam integer SH = {24'd0, E_SH[(k*R+q)*8 +: 8]};
          if (KIND == 2'd3) begin : g_idle
            assign c[q*SW +: SW] = {SW{1'b0}};
          end else begin : g_term
            wire [XW-1:0] xv = (q == 0) ? xr[IDX*XW +: XW] : xh[IDX*XW +: XW];
            wire signed [XW:0] xs = {(XS != 0) ? xv[XW-1] : 1'b0, xv};
            /* verilator lint_off WIDTH */
            wire [SW-1:0] vs = xs <<< SH;
            /* verilator lint_on WIDTH */
            assign c[q*SW +: SW] = (KIND == 2'd2) ? ~vs : vs;
          end
        end
        wire [SW-1:0] m;
        trigo_mux #(.W(SW), .N(R), .SB(LW)) u_m (.d(c), .s(lq), .q(m));
        trigo_pipe #(.W(SW), .EN(REGS[1])) u_r (.clk(clk), .ce(ce), .d(m), .q(v[k*SW +: SW]));
      end
    end
  endgenerate

  // Per output: adder tree over its slots, accumulator, conversions.
  generate
    for (n = 0; n < NY; n = n + 1) begin : g_y
      localparam integer S0 = SL_START[n*32 +: 32];
      localparam integer C  = SL_COUNT[n*32 +: 32];
      wire [SW-1:0] psum;
      if (C == 0) begin : g_zero
        assign psum = {SW{1'b0}};
      end else begin : g_sum
        localparam [NS*32-1:0] IDS = slots(S0, C);
        trigo_termtree #(.NX(NS), .XW(SW), .XS(1), .N(C), .W(SW), .OP(0), .ARITY(ARITY), .LEVELS(LEVELS), .LUTMUL(1),
          .WW(2), .T_IDX(IDS[C*32-1:0]), .T_W({C*2{1'b0}}), .T_SH({C{8'd0}}), .T_KIND({C{2'd1}}), .CONST({SW{1'b0}}),
          .REGS(REGS >> 2))
          u_tree (.clk(clk), .ce(ce), .x(v), .out(psum));
      end

      // the accumulator: restarts from the constant term in the first phase
      reg [SW-1:0] sum;
      always @(posedge clk) if (ce) sum <= (first ? CONSTS[n*SW +: SW] : sum) + psum;

      // accumulator conversion
      wire [A_OW-1:0] acc;
      if (A_CONV != 0) begin : g_acc
        wire [A_OW-1:0] a;
        /* verilator lint_off PINCONNECTEMPTY */
        trigo_convert #(.IW(A_IW), .IS(A_IS), .SHIFT(A_SHIFT), .OW(A_OW), .OS(A_OS), .RND(A_RND), .OVF(A_OVF))
          u_cv (.in(sum), .out(a), .ovf());
        /* verilator lint_on PINCONNECTEMPTY */
        trigo_pipe #(.W(A_OW), .EN(REGS[LEVELS+4])) u_r (.clk(clk), .ce(ce), .d(a), .q(acc));
      end else begin : g_accw
        trigo_pipe #(.W(A_OW), .EN(REGS[LEVELS+4])) u_r (.clk(clk), .ce(ce), .d(sum), .q(acc));
      end

      // output conversion (and fused relu)
      wire [Y_OW-1:0] cv, r;
      /* verilator lint_off PINCONNECTEMPTY */
      trigo_convert #(.IW(Y_IW), .IS(Y_IS), .SHIFT(Y_SHIFT), .OW(Y_OW), .OS(Y_OS), .RND(Y_RND), .OVF(Y_OVF))
        u_cv (.in(acc), .out(cv), .ovf());
      /* verilator lint_on PINCONNECTEMPTY */
      if (RELU != 0 && Y_OS != 0) begin : g_relu
        assign r = cv[Y_OW-1] ? {Y_OW{1'b0}} : cv;
      end else begin : g_norelu
        assign r = cv;
      end
      trigo_pipe #(.W(Y_OW), .EN(REGS[LEVELS+5])) u_o (.clk(clk), .ce(ce), .d(r), .q(y[n*Y_OW +: Y_OW]));
    end
  endgenerate
endmodule
