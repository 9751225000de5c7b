// trigo_resize: extends a code to a signed working value, shifts it left by
// SHL bits and returns its low OW bits (two's complement). The exact value
// is preserved when OW is wide enough; otherwise the result is the value
// modulo 2^OW, which is what a wrapping accumulator needs.
module trigo_resize #(
  parameter IW  = 8,  // input width
  parameter IS  = 1,  // input is signed (two's complement)
  parameter SHL = 0,  // left shift
  parameter OW  = 8   // output width
) (
  input  wire [IW-1:0] in,
  output wire [OW-1:0] out
);
  localparam XW = IW + 1 + SHL; // sign bit + code + shift
  wire sgn = (IS != 0) ? in[IW-1] : 1'b0;
  // High bits beyond OW are dropped on purpose (modular arithmetic).
  /* verilator lint_off UNUSEDSIGNAL */
  wire [XW-1:0] x;
  /* verilator lint_on UNUSEDSIGNAL */
  generate
    if (SHL > 0) begin : g_shl
      assign x = {sgn, in, {SHL{1'b0}}};
    end else begin : g_noshl
      assign x = {sgn, in};
    end
    if (OW <= XW) begin : g_trunc
      assign out = x[OW-1:0];
    end else begin : g_ext
      assign out = {{(OW-XW){sgn}}, x};
    end
  endgenerate
endmodule
