// trigo_eltwise: element-wise a + b, a - b or a * b with numpy broadcasting
// resolved by the generator: output element i reads a[IA[i]] and b[IB[i]].
// add/sub align both operands to the finer grid (left shifts SA, SB); mul
// multiplies the codes (the product's frac is the sum of the fracs). EW is
// the exact result width. LUTMUL = 1 computes the product as a sum of
// partial products (no `*`). Then the result is converted to the output
// type.
//
// Steps and REGS bits: step 0 the operation, step 1 the conversion;
// bit 0 input registers, bit 1 after the operation, bit 2 output register.
module trigo_eltwise #(
  parameter OP = 0,
  parameter NA = 1, parameter AW = 16, parameter AS = 1, parameter SA = 0,
  parameter NB = 1, parameter BW = 16, parameter BS = 1, parameter SB = 0,
  parameter NY = 1,
  parameter EW = 32,
  parameter [NY*32-1:0] IA = {NY{32'd0}},
  parameter [NY*32-1:0] IB = {NY{32'd0}},
  parameter LUTMUL = 0,
  parameter Y_IW = 32, parameter Y_IS = 1, parameter Y_SHIFT = 0,
  parameter Y_OW = 16, parameter Y_OS = 1, parameter Y_RND = 0, parameter Y_OVF = 0,
  parameter [63:0] REGS = 64'd0
) (
  input  wire             clk,
  input  wire             ce,
  input  wire [NA*AW-1:0] a,
  input  wire [NB*BW-1:0] b,
  output wire [NY*Y_OW-1:0] y
);
  function integer clog;
    input integer n, k;
    integer c;
    begin
      clog = 0;
      c = 1;
      while (c < n) begin
        c = c * k;
        clog = clog + 1;
      end
    end
  endfunction

  wire [NA*AW-1:0] ar;
  wire [NB*BW-1:0] br;
  trigo_pipe #(.W(NA*AW), .EN(REGS[0])) u_ia (.clk(clk), .ce(ce), .d(a), .q(ar));
  trigo_pipe #(.W(NB*BW), .EN(REGS[0])) u_ib (.clk(clk), .ce(ce), .d(b), .q(br));

  genvar i, k;
  generate
    for (i = 0; i < NY; i = i + 1) begin : g_y
      wire [AW-1:0] av = ar[IA[i*32 +: 32]*AW +: AW];
      wire [BW-1:0] bv = br[IB[i*32 +: 32]*BW +: BW];
      wire [EW-1:0] ea, v, vr;
      wire [Y_OW-1:0] yv;
      trigo_resize #(.IW(AW), .IS(AS), .SHL(SA), .OW(EW)) u_a (.in(av), .out(ea));
      if (OP == 0 || OP == 1) begin : g_addsub
        wire [EW-1:0] eb;
        trigo_resize #(.IW(BW), .IS(BS), .SHL(SB), .OW(EW)) u_b (.in(bv), .out(eb));
        if (OP == 0) begin : g_add
          assign v = ea + eb;
        end else begin : g_sub
          assign v = ea - eb;
        end
      end else if (LUTMUL == 0) begin : g_mul
        wire [EW-1:0] eb;
        trigo_resize #(.IW(BW), .IS(BS), .SHL(0), .OW(EW)) u_b (.in(bv), .out(eb));
        assign v = ea * eb;
      end else begin : g_shiftadd
        // a * b = sum_k b[k] * (a << k), the top digit of a signed b
        // weighing -2^(BW-1): its partial product is ~(a << (BW-1)) + 1.
        localparam L = BW + ((BS != 0) ? 1 : 0);
        wire [L*EW-1:0] pp;
        for (k = 0; k < BW; k = k + 1) begin : g_pp
          wire [EW-1:0] s;
          trigo_resize #(.IW(EW), .IS(1), .SHL(k), .OW(EW)) u_s (.in(ea), .out(s));
          if (BS != 0 && k == BW - 1) begin : g_neg
            assign pp[k*EW +: EW] = bv[k] ? ~s : {EW{1'b0}};
          end else begin : g_pos
            assign pp[k*EW +: EW] = bv[k] ? s : {EW{1'b0}};
          end
        end
        if (BS != 0) begin : g_corr
          assign pp[BW*EW +: EW] = {{(EW-1){1'b0}}, bv[BW-1]};
        end
        /* verilator lint_off PINCONNECTEMPTY */
        trigo_addtree #(.N(L), .W(EW), .OP(0), .ARITY(3), .LEVELS(clog(L, 3)), .REGS(64'd0))
          u_t (.clk(1'b0), .ce(1'b0), .in(pp), .out(v));
        /* verilator lint_on PINCONNECTEMPTY */
      end
      trigo_pipe #(.W(EW), .EN(REGS[1])) u_r (.clk(clk), .ce(ce), .d(v), .q(vr));
      /* verilator lint_off PINCONNECTEMPTY */
      trigo_convert #(.IW(Y_IW), .IS(Y_IS), .SHIFT(Y_SHIFT), .OW(Y_OW), .OS(Y_OS), .RND(Y_RND), .OVF(Y_OVF))
        u_cv (.in(vr), .out(yv), .ovf());
      /* verilator lint_on PINCONNECTEMPTY */
      trigo_pipe #(.W(Y_OW), .EN(REGS[2])) u_o (.clk(clk), .ce(ce), .d(yv), .q(y[i*Y_OW +: Y_OW]));
    end
  endgenerate
endmodule
