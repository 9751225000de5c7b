// trigo_termtree: the sum (OP 0, modulo 2^W) or maximum (OP 1 signed,
// OP 2 unsigned) of N terms gathered from the input vector x (NX elements
// of XW bits), with a balanced tree of LEVELS levels (N <= ARITY^LEVELS).
// Term j reads element T_IDX[j] and, by T_KIND[j]:
//   0: multiplies it by the constant T_W[j] (the `*` operator, a DSP) and
//      shifts the product left by T_SH[j]
//   1: shifts it left by T_SH[j]
//   2: ~(x << T_SH[j]) (a negated power of two; the +1 is in a constant
//      term)
//   3: is the constant CONST (bias and corrections)
// every term W bits (two's complement, modulo 2^W). LUTMUL = 1 (shift-add
// mode, no kind-0 terms) leaves the multiplier out of the text.
//
// The tree is recursive: a node above level 1 combines up to ARITY
// subtrees of LEVELS-1 levels over consecutive runs of ARITY^(LEVELS-1)
// terms; level 1 computes its (up to ARITY) terms itself. So every partial
// sum is a net of its own. REGS bit 0 registers the terms, bit l the
// results of level l.
module trigo_termtree #(
  parameter NX = 1, parameter XW = 8, parameter XS = 1,
  parameter N = 1,
  parameter W = 16,
  parameter OP = 0,
  parameter ARITY = 2,
  parameter LEVELS = 0,
  parameter LUTMUL = 0,
  parameter WW = 2,
  parameter [N*32-1:0] T_IDX = {N{32'd0}},
  parameter [N*WW-1:0] T_W = {N*WW{1'b0}},
  parameter [N*8-1:0] T_SH = {N{8'd0}},
  parameter [N*2-1:0] T_KIND = {N{2'd1}},
  parameter [W-1:0] CONST = {W{1'b0}},
  parameter [63:0] REGS = 64'd0
) (
  // clk and ce are unused by a subtree without registers; each term reads
  // one element of x.
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire             clk,
  input  wire             ce,
  input  wire [NX*XW-1:0] x,
  /* verilator lint_on UNUSEDSIGNAL */
  output wire [W-1:0]     out
);

  localparam A = (OP == 0) ? ARITY : 2;
  localparam R = (LEVELS > 63) ? 63 : LEVELS;
  genvar j;

  // The combined value of this node and its optional register.
  wire [W-1:0] v;

  generate
    if (LEVELS >= 1 && REGS[R]) begin : g_r
      reg [W-1:0] r;
      always @(posedge clk) if (ce) r <= v;
      assign out = r;
    end else begin : g_w
      assign out = v;
    end
    if (LEVELS <= 1) begin : g_terms
      // The terms (N <= ARITY), each a net of its own (g_t[j].tq),
      // registered when REGS[0].
      for (j = 0; j < N; j = j + 1) begin : g_t
        localparam integer IDX = T_IDX[j*32 +: 32];
        localparam integer SH  = {24'd0, T_SH[j*8 +: 8]};
        localparam [1:0] KIND  = T_KIND[j*2 +: 2];
        wire [W-1:0] tv;
        if (KIND == 2'd3) begin : g_const
          assign tv = CONST;
        end else if (KIND == 2'd0 && LUTMUL == 0) begin : g_mul
          localparam signed [WW-1:0] WV = T_W[j*WW +: WW];
          wire [XW-1:0] xv = x[IDX*XW +: XW];
          wire signed [XW:0] xs = {(XS != 0) ? xv[XW-1] : 1'b0, xv};   // exact signed value
          // Intended widths: the product is exact (XW+1+WW bits), then
          // sign-extended or truncated (modulo 2^W) to W bits.
          /* verilator lint_off WIDTH */
          wire signed [XW+WW:0] p = xs * WV;
          assign tv = p <<< SH;
          /* verilator lint_on WIDTH */
        end else begin : g_shift
          wire [XW-1:0] xv = x[IDX*XW +: XW];
          wire signed [XW:0] xs = {(XS != 0) ? xv[XW-1] : 1'b0, xv};
          /* verilator lint_off WIDTH */
          wire [W-1:0] vs = xs <<< SH;
          /* verilator lint_on WIDTH */
          assign tv = (KIND == 2'd2) ? ~vs : vs;
        end
      end
      // The terms after the optional register (zero when absent; a
      // maximum of one term reads q0 only).
      wire [W-1:0] q0;
      /* verilator lint_off UNUSEDSIGNAL */
      wire [W-1:0] q1, q2;
      /* verilator lint_on UNUSEDSIGNAL */
      if (REGS[0] && N == 1) begin : g_r1
        reg [W-1:0] r0;
        always @(posedge clk) if (ce) r0 <= g_t[0].tv;
        assign q0 = r0;
        assign q1 = {W{1'b0}};
        assign q2 = {W{1'b0}};
      end else if (REGS[0] && N == 2) begin : g_r2
        reg [W-1:0] r0, r1;
        always @(posedge clk) if (ce) begin r0 <= g_t[0].tv; r1 <= g_t[1].tv; end
        assign q0 = r0;
        assign q1 = r1;
        assign q2 = {W{1'b0}};
      end else if (REGS[0]) begin : g_r3
        reg [W-1:0] r0, r1, r2;
        always @(posedge clk) if (ce) begin r0 <= g_t[0].tv; r1 <= g_t[1].tv; r2 <= g_t[2].tv; end
        assign q0 = r0;
        assign q1 = r1;
        assign q2 = r2;
      end else if (N == 1) begin : g_w1
        assign q0 = g_t[0].tv;
        assign q1 = {W{1'b0}};
        assign q2 = {W{1'b0}};
      end else if (N == 2) begin : g_w2
        assign q0 = g_t[0].tv;
        assign q1 = g_t[1].tv;
        assign q2 = {W{1'b0}};
      end else begin : g_w3
        assign q0 = g_t[0].tv;
        assign q1 = g_t[1].tv;
        assign q2 = g_t[2].tv;
      end
      if (OP == 0) begin : g_sum
        assign v = q0 + q1 + q2;                 // absent terms are zero
      end else if (N == 1 || LEVELS == 0) begin : g_one
        assign v = q0;
      end else if (OP == 1) begin : g_smax
        assign v = ($signed(q0) >= $signed(q1)) ? q0 : q1;
      end else begin : g_umax
        assign v = (q0 >= q1) ? q0 : q1;
      end
    end else begin : g_node
      localparam CH = A ** (LEVELS - 1);       // terms per subtree
      localparam K  = (N + CH - 1) / CH;         // subtrees (1..A)
      localparam N0 = (K > 1) ? CH : N;
      localparam N1 = (K > 2) ? CH : N - CH;     // used when K > 1
      localparam N2 = N - 2 * CH;                // used when K > 2
      wire [W-1:0] s0;
      wire [W-1:0] s1, s2;                       // zero when absent
      trigo_termtree #(.NX(NX), .XW(XW), .XS(XS), .N(N0), .W(W), .OP(OP), .ARITY(ARITY), .LEVELS(LEVELS - 1),
        .LUTMUL(LUTMUL), .WW(WW), .T_IDX(T_IDX[N0*32-1:0]), .T_W(T_W[N0*WW-1:0]), .T_SH(T_SH[N0*8-1:0]),
        .T_KIND(T_KIND[N0*2-1:0]), .CONST(CONST), .REGS(REGS))
        u_t0 (.clk(clk), .ce(ce), .x(x), .out(s0));
      if (K > 1) begin : g_t1
        trigo_termtree #(.NX(NX), .XW(XW), .XS(XS), .N(N1), .W(W), .OP(OP), .ARITY(ARITY), .LEVELS(LEVELS - 1),
          .LUTMUL(LUTMUL), .WW(WW), .T_IDX(T_IDX[(CH+N1)*32-1:CH*32]), .T_W(T_W[(CH+N1)*WW-1:CH*WW]),
          .T_SH(T_SH[(CH+N1)*8-1:CH*8]), .T_KIND(T_KIND[(CH+N1)*2-1:CH*2]), .CONST(CONST), .REGS(REGS))
          u_t1 (.clk(clk), .ce(ce), .x(x), .out(s1));
      end else begin : g_no1
        assign s1 = {W{1'b0}};
      end
      if (K > 2) begin : g_t2
        trigo_termtree #(.NX(NX), .XW(XW), .XS(XS), .N(N2), .W(W), .OP(OP), .ARITY(ARITY), .LEVELS(LEVELS - 1),
          .LUTMUL(LUTMUL), .WW(WW), .T_IDX(T_IDX[N*32-1:2*CH*32]), .T_W(T_W[N*WW-1:2*CH*WW]),
          .T_SH(T_SH[N*8-1:2*CH*8]), .T_KIND(T_KIND[N*2-1:2*CH*2]), .CONST(CONST), .REGS(REGS))
          u_t2 (.clk(clk), .ce(ce), .x(x), .out(s2));
      end else begin : g_no2
        assign s2 = {W{1'b0}};
      end
      assign v = (OP == 0) ? s0 + s1 + s2 :
                 (K == 1) ? s0 :
                 (OP == 1) ? (($signed(s0) >= $signed(s1)) ? s0 : s1) :
                             ((s0 >= s1) ? s0 : s1);
    end
  endgenerate
endmodule
