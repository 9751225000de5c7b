// trigo_convert: ap_fixed conversion, exactly fixed.Type.Convert.
//
// The input is the code of an exact value code * 2^-Fin (IW bits, signed or
// unsigned); the output is the code of that value in the target type
// (OW bits, OS signed), with the target's quantisation mode (RND) applied
// first and its overflow mode (OVF) second. SHIFT = Fin - Fout is the number
// of bits dropped (> 0) or appended (< 0); the generator clamps it to
// [-(OW+1), IW+1], which changes no result (every larger shift behaves the
// same).
//
//   RND: 0 TRN, 1 TRN_ZERO, 2 RND, 3 RND_ZERO, 4 RND_MIN_INF, 5 RND_INF,
//        6 RND_CONV
//   OVF: 0 WRAP, 1 SAT, 2 SAT_ZERO, 3 SAT_SYM (signed SAT_SYM also turns the
//        most negative code into -max, as ap_fixed does)
//
// ovf is high when the conversion overflowed (Saturated, Wrapped or Zeroed
// in the simulator's report). It is combinational; the datapath leaves it
// unconnected.
module trigo_convert #(
  parameter IW    = 16,
  parameter IS    = 1,
  parameter SHIFT = 0,
  parameter OW    = 16,
  parameter OS    = 1,
  parameter RND   = 0,
  parameter OVF   = 0
) (
  input  wire [IW-1:0] in,
  output wire [OW-1:0] out,
  output wire          ovf
);
  localparam XW = IW + 1;                    // signed working width of the input
  localparam S  = (SHIFT > 0) ? SHIFT : 0;   // dropped bits
  localparam K  = (SHIFT < 0) ? -SHIFT : 0;  // appended zero bits
  localparam QN = (SHIFT > 0) ? XW + 1 : XW + K;
  localparam QW = (QN > OW + 2) ? QN : OW + 2;

  wire [XW-1:0] x = {(IS != 0) ? in[IW-1] : 1'b0, in};
  wire [QN-1:0] qn; // the quantised value, signed

  generate
    if (SHIFT > 0) begin : g_round
      wire [XW+S-1:0] xe = {{S{x[XW-1]}}, x};
      wire [S-1:0] rem  = xe[S-1:0];          // dropped bits
      wire [XW-1:0] fl  = xe[XW+S-1:S];       // floor(x / 2^S)
      wire neg  = x[XW-1];
      wire half = rem[S-1];                   // dropped part >= 1/2
      wire rest;                              // any dropped bit below the half
      if (S > 1) begin : g_rest
        assign rest = |rem[S-2:0];
      end else begin : g_norest
        assign rest = 1'b0;
      end
      reg inc;
      always @(*) begin
        case (RND)
          1: inc = neg & (half | rest);        // TRN_ZERO
          2: inc = half;                       // RND: ties up
          3: inc = half & (rest | neg);        // RND_ZERO
          4: inc = half & rest;                // RND_MIN_INF
          5: inc = half & (rest | ~neg);       // RND_INF
          6: inc = half & (rest | fl[0]);      // RND_CONV
          default: inc = 1'b0;                 // TRN
        endcase
      end
      assign qn = {fl[XW-1], fl} + {{XW{1'b0}}, inc};
    end else if (K > 0) begin : g_shl
      assign qn = {x, {K{1'b0}}};
    end else begin : g_same
      assign qn = x;
    end
  endgenerate

  wire [QW-1:0] q;
  generate
    if (QW > QN) begin : g_qext
      assign q = {{(QW-QN){qn[QN-1]}}, qn};
    end else begin : g_qsame
      assign q = qn;
    end
  endgenerate

  // Range check of the quantised value.
  wire hi, lo, mn;
  generate
    if (OS != 0) begin : g_srange
      assign hi = ~q[QW-1] & (|q[QW-2:OW-1]);
      assign lo =  q[QW-1] & ~(&q[QW-2:OW-1]);
      if (OVF == 3 && OW > 1) begin : g_sym
        assign mn = q[QW-1] & (&q[QW-2:OW-1]) & ~(|q[OW-2:0]);
      end else if (OVF == 3) begin : g_sym1
        assign mn = &q[QW-1:0];
      end else begin : g_nosym
        assign mn = 1'b0;
      end
    end else begin : g_urange
      assign hi = ~q[QW-1] & (|q[QW-2:OW]);
      assign lo = q[QW-1];
      assign mn = 1'b0;
    end
  endgenerate

  localparam [OW-1:0] ONES = {OW{1'b1}};
  localparam [OW-1:0] MAXC = (OS != 0) ? (ONES >> 1) : ONES;
  localparam [OW-1:0] MINC = (OS != 0) ? ~(ONES >> 1) : {OW{1'b0}};
  localparam [OW-1:0] SYMC = (OS != 0) ? (MINC | (ONES ^ (ONES << 1))) : {OW{1'b0}};

  // Bits of q above OW only enter the range check.
  /* verilator lint_off UNUSEDSIGNAL */
  wire [OW-1:0] qlo = q[OW-1:0];
  /* verilator lint_on UNUSEDSIGNAL */
  generate
    if (OVF == 1) begin : g_sat
      assign out = hi ? MAXC : (lo ? MINC : qlo);
    end else if (OVF == 2) begin : g_satzero
      assign out = (hi | lo) ? {OW{1'b0}} : qlo;
    end else if (OVF == 3) begin : g_satsym
      assign out = hi ? MAXC : ((lo | mn) ? SYMC : qlo);
    end else begin : g_wrap
      assign out = qlo;
    end
  endgenerate
  assign ovf = hi | lo | mn;
endmodule
