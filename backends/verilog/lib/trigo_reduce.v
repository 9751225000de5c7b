// trigo_reduce: the datapath of maxpool, avgpool, reduce_sum and
// reduce_max. Output n combines the input elements T_IDX[T_START[n] ..
// +T_COUNT[n]-1] (a pooling window without its padding, or the elements
// reduced into n): OP 0 sums them exactly (SW bits), OP 1 takes their
// maximum (SW = XW). MUL = 1 (avgpool) then multiplies the sum by the
// constant R[n] = round(2^recip_frac / count) (PW bits). The result is
// converted to the output type.
//
// FLAT = 1 (maximum of small windows) replaces the comparator tree by
// trigo_maxflat, one step (LEVELS = 1).
//
// Steps and REGS bits (bit s = register in front of step s):
//   0..LEVELS-1: tree levels     bit 0: input register; bit l: after level l
//   LEVELS: multiplication       bit LEVELS+1: after the multiplication
//   LEVELS+1: conversion         bit LEVELS+2: output register
module trigo_reduce #(
  parameter OP = 0,
  parameter NX = 1, parameter XW = 16, parameter XS = 1,
  parameter NY = 1,
  parameter NT = 1,
  parameter SW = 16,
  parameter ARITY = 3,
  parameter LEVELS = 0,
  parameter FLAT = 0,
  parameter [NY*32-1:0] T_START = {NY{32'd0}},
  parameter [NY*32-1:0] T_COUNT = {NY{32'd1}},
  parameter [NT*32-1:0] T_IDX = {NT{32'd0}},
  parameter MUL = 0,
  parameter RW = 1,
  parameter [NY*RW-1:0] R  = {NY*RW{1'b0}},
  parameter [NY*RW-1:0] RP = {NY*RW{1'b0}},
  parameter [NY*RW-1:0] RN = {NY*RW{1'b0}},
  parameter LUTMUL = 0,
  parameter PW = 16,
  parameter Y_IW = 16, parameter Y_IS = 1, parameter Y_SHIFT = 0,
  parameter Y_OW = 16, parameter Y_OS = 1, parameter Y_RND = 0, parameter Y_OVF = 0,
  parameter [63:0] REGS = 64'd0
) (
  input  wire             clk,
  input  wire             ce,
  input  wire [NX*XW-1:0] x,
  output wire [NY*Y_OW-1:0] y
);
  wire [NX*XW-1:0] xr;
  trigo_pipe #(.W(NX*XW), .EN(REGS[0])) u_in (.clk(clk), .ce(ce), .d(x), .q(xr));
  genvar n, k;
  generate
    for (n = 0; n < NY; n = n + 1) begin : g_y
      localparam integer S0 = T_START[n*32 +: 32];
      localparam integer C  = T_COUNT[n*32 +: 32];
      wire [SW-1:0] s;
      wire [PW-1:0] p, pr;
      wire [Y_OW-1:0] yv;
      if (FLAT != 0) begin : g_flat
        // maximum of a small window in one comparator level
        wire [C*XW-1:0] w;
        for (k = 0; k < C; k = k + 1) begin : g_w
          assign w[k*XW +: XW] = xr[T_IDX[(S0+k)*32 +: 32]*XW +: XW];
        end
        wire [XW-1:0] m, mr;
        trigo_maxflat #(.N(C), .W(XW), .SIGNED(XS)) u_max (.in(w), .out(m));
        trigo_pipe #(.W(XW), .EN(REGS[1])) u_r (.clk(clk), .ce(ce), .d(m), .q(mr));
        assign s = mr;
      end else begin : g_tree
        trigo_termtree #(.NX(NX), .XW(XW), .XS(XS), .N(C), .W(SW), .OP((OP == 0) ? 0 : ((XS != 0) ? 1 : 2)),
          .ARITY(ARITY), .LEVELS(LEVELS), .LUTMUL(1), .WW(2), .T_IDX(T_IDX[S0*32 +: C*32]), .T_W({C{2'b00}}),
          .T_SH({C{8'd0}}), .T_KIND({C{2'd1}}), .CONST({SW{1'b0}}), .REGS({REGS[63:1], 1'b0}))
          u_tree (.clk(clk), .ce(ce), .x(xr), .out(s));
      end
      if (MUL != 0) begin : g_mul
        trigo_mulc #(.IW(SW), .IS(1), .OW(PW), .CW(RW), .C(R[n*RW +: RW]), .LUTMUL(LUTMUL),
          .CP(RP[n*RW +: RW]), .CN(RN[n*RW +: RW])) u_m (.in(s), .out(p));
      end else begin : g_nomul
        assign p = s;
      end
      trigo_pipe #(.W(PW), .EN(REGS[LEVELS+1])) u_r (.clk(clk), .ce(ce), .d(p), .q(pr));
      /* verilator lint_off PINCONNECTEMPTY */
      trigo_convert #(.IW(Y_IW), .IS(Y_IS), .SHIFT(Y_SHIFT), .OW(Y_OW), .OS(Y_OS), .RND(Y_RND), .OVF(Y_OVF))
        u_cv (.in(pr), .out(yv), .ovf());
      /* verilator lint_on PINCONNECTEMPTY */
      trigo_pipe #(.W(Y_OW), .EN(REGS[LEVELS+2])) u_o (.clk(clk), .ce(ce), .d(yv), .q(y[n*Y_OW +: Y_OW]));
    end
  endgenerate
endmodule
