// trigo_linear: the datapath of dense and conv layers. Output n is the sum
// of the terms T_START[n] .. T_START[n]+T_COUNT[n]-1 (see trigo_termtree:
// constant-weighted input elements, shifted elements for powers of two and
// shift-add digits, and one constant term for the bias and corrections),
// computed modulo 2^SW, converted to the accumulator type (A_*), then to
// the output type (Y_*), then optionally clamped at zero (a fused relu).
// Zero weights have no term (pruned by the generator). SW is the exact
// width of the sums or, when the accumulator wraps, the accumulator's low
// bits (a wrapping accumulator keeps only those).
//
// Pipeline steps and REGS bits (bit s = register in front of step s):
//   0: products / shifted terms      bit 0: input register
//   1..LEVELS: adder-tree levels     bit 1: after the products
//   LEVELS+1: accumulator conversion bit l+1: after level l
//   LEVELS+2: output conversion      bit LEVELS+2: after the acc conversion
//                                    bit LEVELS+3: output register
module trigo_linear #(
  parameter NX = 1, parameter XW = 16, parameter XS = 1,
  parameter NY = 1,
  parameter NT = 1,
  parameter WW = 16,
  parameter SW = 32,
  parameter ARITY = 3,
  parameter LUTMUL = 0,
  parameter LEVELS = 0,
  parameter [NY*32-1:0] T_START = {NY{32'd0}},
  parameter [NY*32-1:0] T_COUNT = {NY{32'd0}},
  parameter [NT*32-1:0] T_IDX = {NT{32'd0}},
  parameter [NT*WW-1:0] T_W = {NT*WW{1'b0}},
  parameter [NT*8-1:0] T_SH = {NT{8'd0}},
  parameter [NT*2-1:0] T_KIND = {NT{2'd0}},
  parameter [NY*SW-1:0] CONSTS = {NY*SW{1'b0}},
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
  // Elements without a non-zero weight are not read.
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [NX*XW-1:0] x,
  /* verilator lint_on UNUSEDSIGNAL */
  output wire [NY*Y_OW-1:0] y
);
  /* verilator lint_off UNUSEDSIGNAL */
  wire [NX*XW-1:0] xr;
  /* verilator lint_on UNUSEDSIGNAL */
  trigo_pipe #(.W(NX*XW), .EN(REGS[0])) u_in (.clk(clk), .ce(ce), .d(x), .q(xr));

  genvar n;
  generate
    for (n = 0; n < NY; n = n + 1) begin : g_y
      localparam integer S0 = T_START[n*32 +: 32];
      localparam integer C  = T_COUNT[n*32 +: 32];
      wire [SW-1:0] sum;
      if (C == 0) begin : g_zero
        assign sum = {SW{1'b0}};
      end else begin : g_sum
        trigo_termtree #(.NX(NX), .XW(XW), .XS(XS), .N(C), .W(SW), .OP(0), .ARITY(ARITY), .LEVELS(LEVELS), .LUTMUL(LUTMUL),
          .WW(WW), .T_IDX(T_IDX[S0*32 +: C*32]), .T_W(T_W[S0*WW +: C*WW]), .T_SH(T_SH[S0*8 +: C*8]),
          .T_KIND(T_KIND[S0*2 +: C*2]), .CONST(CONSTS[n*SW +: SW]), .REGS(REGS >> 1))
          u_tree (.clk(clk), .ce(ce), .x(xr), .out(sum));
      end

      // accumulator conversion
      wire [A_OW-1:0] acc;
      if (A_CONV != 0) begin : g_acc
        wire [A_OW-1:0] a;
        /* verilator lint_off PINCONNECTEMPTY */
        trigo_convert #(.IW(A_IW), .IS(A_IS), .SHIFT(A_SHIFT), .OW(A_OW), .OS(A_OS), .RND(A_RND), .OVF(A_OVF))
          u_cv (.in(sum), .out(a), .ovf());
        /* verilator lint_on PINCONNECTEMPTY */
        trigo_pipe #(.W(A_OW), .EN(REGS[LEVELS+2])) u_r (.clk(clk), .ce(ce), .d(a), .q(acc));
      end else begin : g_accw
        trigo_pipe #(.W(A_OW), .EN(REGS[LEVELS+2])) u_r (.clk(clk), .ce(ce), .d(sum), .q(acc));
      end

      // output conversion (and fused relu)
      wire [Y_OW-1:0] v, r;
      /* verilator lint_off PINCONNECTEMPTY */
      trigo_convert #(.IW(Y_IW), .IS(Y_IS), .SHIFT(Y_SHIFT), .OW(Y_OW), .OS(Y_OS), .RND(Y_RND), .OVF(Y_OVF))
        u_cv (.in(acc), .out(v), .ovf());
      /* verilator lint_on PINCONNECTEMPTY */
      if (RELU != 0 && Y_OS != 0) begin : g_relu
        assign r = v[Y_OW-1] ? {Y_OW{1'b0}} : v;
      end else begin : g_norelu
        assign r = v;
      end
      trigo_pipe #(.W(Y_OW), .EN(REGS[LEVELS+3])) u_o (.clk(clk), .ce(ce), .d(r), .q(y[n*Y_OW +: Y_OW]));
    end
  endgenerate
endmodule
