// trigo_addtree: reduces N W-bit operands (a vector) with a balanced tree of LEVELS
// levels (N <= ARITY^LEVELS).
//   OP 0: sum modulo 2^W (two's complement; ARITY 2 or 3 operands per
//         node: a three-input adder is one LUT6 + carry-chain level)
//   OP 1: maximum, signed operands (ARITY 2)
//   OP 2: maximum, unsigned operands (ARITY 2)
// The tree is recursive: the root combines up to ARITY subtrees of
// LEVELS-1 levels over consecutive runs of ARITY^(LEVELS-1) operands (a
// subtree with one operand passes it through). REGS bit l-1 puts a
// ce-enabled register after level l (levels count from the operands), so
// trees of different sizes in one layer share one register placement.
module trigo_addtree #(
  parameter N      = 2,
  parameter W      = 8,
  parameter OP     = 0,
  parameter ARITY  = 2,
  parameter LEVELS = 1,
  parameter [63:0] REGS = 64'd0
) (
  input  wire           clk,
  input  wire           ce,
  input  wire [N*W-1:0] in,
  output wire [W-1:0]   out
);

  localparam A = (OP == 0) ? ARITY : 2;

  generate
    if (LEVELS == 0) begin : g_leaf
      assign out = in[W-1:0];
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused = clk ^ ce;
      /* verilator lint_on UNUSEDSIGNAL */
    end else begin : g_node
      localparam CH = A ** (LEVELS - 1);       // operands per subtree
      localparam K  = (N + CH - 1) / CH;         // subtrees (1..A)
      localparam N0 = (K > 1) ? CH : N;
      localparam N1 = (K > 2) ? CH : N - CH;     // used when K > 1
      localparam N2 = N - 2 * CH;                // used when K > 2
      wire [W-1:0] s0, v;
      trigo_addtree #(.N(N0), .W(W), .OP(OP), .ARITY(ARITY), .LEVELS(LEVELS - 1), .REGS(REGS))
        u_t0 (.clk(clk), .ce(ce), .in(in[N0*W-1:0]), .out(s0));
      if (K == 1) begin : g_pass
        assign v = s0;
      end else begin : g_op
        wire [W-1:0] s1;
        trigo_addtree #(.N(N1), .W(W), .OP(OP), .ARITY(ARITY), .LEVELS(LEVELS - 1), .REGS(REGS))
          u_t1 (.clk(clk), .ce(ce), .in(in[(CH+N1)*W-1:CH*W]), .out(s1));
        if (K == 3) begin : g_add3
          wire [W-1:0] s2;
          trigo_addtree #(.N(N2), .W(W), .OP(OP), .ARITY(ARITY), .LEVELS(LEVELS - 1), .REGS(REGS))
            u_t2 (.clk(clk), .ce(ce), .in(in[N*W-1:2*CH*W]), .out(s2));
          assign v = s0 + s1 + s2;
        end else if (OP == 0) begin : g_add2
          assign v = s0 + s1;
        end else if (OP == 1) begin : g_smax
          assign v = ($signed(s0) >= $signed(s1)) ? s0 : s1;
        end else begin : g_umax
          assign v = (s0 >= s1) ? s0 : s1;
        end
      end
      trigo_pipe #(.W(W), .EN(REGS[LEVELS-1])) u_r (.clk(clk), .ce(ce), .d(v), .q(out));
    end
  endgenerate
endmodule
