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
// results of level l (a register that is not enabled is left unused and
// removed by synthesis).
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
  input  wire             clk,
  input  wire             ce,
  // Each term reads one element.
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [NX*XW-1:0] x,
  /* verilator lint_on UNUSEDSIGNAL */
  output wire [W-1:0]     out
);

  localparam A = (OP == 0) ? ARITY : 2;
  localparam R = (LEVELS > 63) ? 63 : LEVELS;
  /* verilator lint_off UNUSEDGENVAR */ // j is unused when a subtree has one level
  genvar j;
  /* verilator lint_on UNUSEDGENVAR */

  // The combined value of this node and its optional register.
  wire [W-1:0] v;
  reg  [W-1:0] r;
  always @(posedge clk) if (REGS[R] && ce) r <= v;
  assign out = REGS[R] ? r : v;

  generate
    if (LEVELS <= 1) begin : g_terms
      // The terms (N <= ARITY), registered when REGS[0]. The loop is
      // unrolled by synthesis: indices, kinds, weights and shifts are
      // constants, each term a constant-weight product or a shift.
      wire [N*W-1:0] t;
      reg  [N*W-1:0] tv;
      reg  [N*W-1:0] tr;                           // used when REGS[0]
      always @(posedge clk) if (REGS[0] && ce) tr <= tv;
      assign t = REGS[0] ? tr : tv;
      integer jj, idx, sh;
      reg [XW-1:0] xv;
      reg signed [XW:0] xs;                        // exact signed value of the element
      reg [W-1:0] vs;
      if (LUTMUL == 0) begin : g_mul
        reg signed [WW-1:0] wv;
        // Intended widths: products and shifts are computed modulo 2^W.
        /* verilator lint_off WIDTH */
        always @(*) begin
          for (jj = 0; jj < N; jj = jj + 1) begin
            idx = T_IDX[jj*32 +: 32];
            sh  = T_SH[jj*8 +: 8];
            wv  = T_W[jj*WW +: WW];
            xv  = x[idx*XW +: XW];
            xs  = {(XS != 0) ? xv[XW-1] : 1'b0, xv};
            vs  = xs <<< sh;
            case (T_KIND[jj*2 +: 2])
              2'd0: tv[jj*W +: W] = (xs * wv) <<< sh;
              2'd1: tv[jj*W +: W] = vs;
              2'd2: tv[jj*W +: W] = ~vs;
              default: tv[jj*W +: W] = CONST;
            endcase
          end
        end
        /* verilator lint_on WIDTH */
      end else begin : g_shift
        /* verilator lint_off WIDTH */
        always @(*) begin
          for (jj = 0; jj < N; jj = jj + 1) begin
            idx = T_IDX[jj*32 +: 32];
            sh  = T_SH[jj*8 +: 8];
            xv  = x[idx*XW +: XW];
            xs  = {(XS != 0) ? xv[XW-1] : 1'b0, xv};
            vs  = xs <<< sh;
            case (T_KIND[jj*2 +: 2])
              2'd1: tv[jj*W +: W] = vs;
              2'd2: tv[jj*W +: W] = ~vs;
              default: tv[jj*W +: W] = CONST;
            endcase
          end
        end
        /* verilator lint_on WIDTH */
      end
      if (LEVELS == 0) begin : g_one
        assign v = t[W-1:0];
      end else begin : g_lvl1
        // Absent operands read as zero.
        /* verilator lint_off UNUSEDSIGNAL */
        wire [(N+3)*W-1:0] tz = {{(3*W){1'b0}}, t};
        /* verilator lint_on UNUSEDSIGNAL */
        wire [W-1:0] a0 = tz[W-1:0], a1 = tz[2*W-1:W], a2 = tz[3*W-1:2*W];
        assign v = (OP == 0) ? a0 + a1 + a2 :
                   (N == 1) ? a0 :
                   (OP == 1) ? (($signed(a0) >= $signed(a1)) ? a0 : a1) :
                               ((a0 >= a1) ? a0 : a1);
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
