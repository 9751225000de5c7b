// trigo_mulc: multiplication by a constant, out = in * C modulo 2^OW
// (exact when OW >= IW + 1 + CW). LUTMUL = 0 uses the `*` operator (a DSP);
// LUTMUL = 1 adds the shifted input for each digit of the constant's
// canonical signed-digit form, C = CP - CN (bit masks of the +1 and -1
// digits), with no multiplier: -v is computed as ~v + 1, the ones summed
// into one constant leaf. The adder tree is combinational.
module trigo_mulc #(
  parameter IW = 8,
  parameter IS = 1,
  parameter OW = 16,
  parameter CW = 8,
  parameter [CW-1:0] C  = {CW{1'b0}}, // signed
  parameter LUTMUL = 0,
  parameter [CW-1:0] CP = {CW{1'b0}},
  parameter [CW-1:0] CN = {CW{1'b0}}
) (
  input  wire [IW-1:0] in,
  output wire [OW-1:0] out
);
  function integer popc;
    input [CW-1:0] m;
    input integer below;
    integer i;
    begin
      popc = 0;
      for (i = 0; i < below; i = i + 1) if (m[i]) popc = popc + 1;
    end
  endfunction
  function integer clog;
    input integer n, a;
    integer c;
    begin
      clog = 0;
      c = 1;
      while (c < n) begin
        c = c * a;
        clog = clog + 1;
      end
    end
  endfunction

  genvar i;
  generate
    if (LUTMUL == 0) begin : g_dsp
      wire [OW-1:0] xe;
      wire [OW-1:0] cv;
      trigo_resize #(.IW(IW), .IS(IS), .SHL(0), .OW(OW)) u_x (.in(in), .out(xe));
      trigo_resize #(.IW(CW), .IS(1), .SHL(0), .OW(OW)) u_c (.in(C), .out(cv));
      assign out = xe * cv;
    end else begin : g_lut
      localparam NP = popc(CP, CW);
      localparam NN = popc(CN, CW);
      localparam L  = NP + NN + ((NN > 0) ? 1 : 0);
      if (L == 0) begin : g_zero
        assign out = {OW{1'b0}};
        /* verilator lint_off UNUSEDSIGNAL */
        wire unused = ^in;
        /* verilator lint_on UNUSEDSIGNAL */
      end else begin : g_sum
        wire [L*OW-1:0] leaf;
        for (i = 0; i < CW; i = i + 1) begin : g_d
          if (CP[i]) begin : g_p
            trigo_resize #(.IW(IW), .IS(IS), .SHL(i), .OW(OW)) u_s (.in(in), .out(leaf[(popc(CP, i) + popc(CN, i))*OW +: OW]));
          end else if (CN[i]) begin : g_n
            wire [OW-1:0] s;
            trigo_resize #(.IW(IW), .IS(IS), .SHL(i), .OW(OW)) u_s (.in(in), .out(s));
            assign leaf[(popc(CP, i) + popc(CN, i))*OW +: OW] = ~s;
          end
        end
        if (NN > 0) begin : g_c
          localparam [OW+31:0] NNX = {{OW{1'b0}}, NN[31:0]};
          assign leaf[(L-1)*OW +: OW] = NNX[OW-1:0];
        end
        /* verilator lint_off PINCONNECTEMPTY */
        trigo_addtree #(.N(L), .W(OW), .OP(0), .ARITY(3), .LEVELS(clog(L, 3)), .REGS(64'd0))
          u_t (.clk(1'b0), .ce(1'b0), .in(leaf), .out(out));
        /* verilator lint_on PINCONNECTEMPTY */
      end
    end
  endgenerate
endmodule
