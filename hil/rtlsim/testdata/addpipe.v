// Reference DUTs for the rtlsim tests: S-stage global-stall pipelines that
// add a constant to each of N signed W-bit elements (wrapping), with the
// top-level ports of backends/verilog/CONTRACT.md. The wrappers at the end
// are the designs the tests run, including deliberately broken variants.

module addpipe_core #(
  parameter N = 2,       // elements per beat
  parameter W = 8,       // bits per element
  parameter S = 3,       // register stages (= latency)
  parameter K = 1,       // constant added to every element ...
  parameter K1 = 1,      // ... except element 1, which gets K1
  parameter II = 1,      // cycles between accepted beats
  parameter DROP = 0,    // 1: ignore m_axis_tready (beats are lost under back-pressure)
  parameter NORESET = 0  // 1: no reset of the valid bits
) (
  input  wire             ap_clk,
  input  wire             ap_rst_n,
  input  wire [N*W-1:0]   s_axis_tdata,
  input  wire             s_axis_tvalid,
  output wire             s_axis_tready,
  output wire [N*W-1:0]   m_axis_tdata,
  output wire             m_axis_tvalid,
  input  wire             m_axis_tready
);
  reg [S-1:0] v;
  reg [N*W-1:0] d [0:S-1];
  // Global stall: every stage moves when the output register is empty or
  // being read.
  wire adv = DROP ? 1'b1 : (!v[S-1] || m_axis_tready);
  // II > 1: after a beat is accepted, the input waits II-1 cycles.
  reg [7:0] busy;
  assign s_axis_tready = adv && busy == 0;
  wire take = s_axis_tvalid && s_axis_tready;
  always @(posedge ap_clk) begin
    if (!ap_rst_n) busy <= 0;
    else if (take) busy <= II - 1;
    else if (busy != 0) busy <= busy - 1;
  end
  assign m_axis_tvalid = v[S-1];
  assign m_axis_tdata = d[S-1];

  // Stage 0 registers the input plus the constants.
  wire [N*W-1:0] sum;
  genvar g;
  generate
    for (g = 0; g < N; g = g + 1) begin : el
      assign sum[g*W +: W] = s_axis_tdata[g*W +: W] + ((g == 1) ? K1 : K);
    end
  endgenerate

  integer i;
  always @(posedge ap_clk) begin
    if (!ap_rst_n && !NORESET) begin
      v <= 0;
    end else if (adv) begin
      v[0] <= take;
      for (i = 1; i < S; i = i + 1) v[i] <= v[i-1];
    end
  end
  always @(posedge ap_clk) begin
    if (adv) begin
      d[0] <= sum;
      for (i = 1; i < S; i = i + 1) d[i] <= d[i-1];
    end
  end
endmodule

`define ADDPIPE_TOP(name, bits, params) \
module name ( \
  input  wire ap_clk, input wire ap_rst_n, \
  input  wire [bits-1:0] s_axis_tdata, input wire s_axis_tvalid, output wire s_axis_tready, \
  output wire [bits-1:0] m_axis_tdata, output wire m_axis_tvalid, input wire m_axis_tready); \
  addpipe_core #params u (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n), \
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready), \
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready)); \
endmodule

// x+1 on two signed 8-bit elements, latency 3, II 1.
`ADDPIPE_TOP(addpipe, 16, (.N(2), .W(8), .S(3)))
// The same on 25 elements: 200-bit tdata (VlWide in Verilator).
`ADDPIPE_TOP(addpipe_wide, 200, (.N(25), .W(8), .S(3)))
// Broken: loses beats while m_axis_tready is low.
`ADDPIPE_TOP(addpipe_drop, 16, (.N(2), .W(8), .S(3), .DROP(1)))
// Broken: one register stage more than declared (latency 4).
`ADDPIPE_TOP(addpipe_slow, 16, (.N(2), .W(8), .S(4)))
// Broken: bit 2 of the constant of element 1 flipped (x+5 instead of x+1).
`ADDPIPE_TOP(addpipe_flip, 16, (.N(2), .W(8), .S(3), .K1(5)))
// x+1, accepting a beat every other cycle (II 2).
`ADDPIPE_TOP(addpipe_ii2, 16, (.N(2), .W(8), .S(3), .II(2)))
// Broken: the valid bits are not reset (X in Icarus).
`ADDPIPE_TOP(addpipe_noreset, 16, (.N(2), .W(8), .S(3), .NORESET(1)))
// x+1 on three signed 16-bit elements: 48-bit tdata (QData in Verilator).
`ADDPIPE_TOP(addpipe48, 48, (.N(3), .W(16), .S(3)))
