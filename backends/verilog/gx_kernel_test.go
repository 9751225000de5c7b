package verilog

// Tests of the global_exchange kernel (lib/trigo_graph_gx.v, GRAPH.md §4)
// against the Go simulator: one-node quantised graphs with a
// global_exchange node (signed and unsigned x, several ops lists,
// saturating and wrapping narrow output types, non-trivial mask types),
// events of every occupancy (empty, full, one vertex, random) and extreme
// codes, run through a contract top level (gxKernel.top: one beat = one
// padded event, serialised into groups of L vertices and collected again)
// in Icarus and Verilator via hil/rtlsim with random input gaps and output
// stalls; every output code compared, latency (2T + DEPTH + 1) and II (T)
// measured. A kernel whose mean reciprocals are off by one must mismatch.

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trigo/backends/synth"
	"trigo/hil"
	"trigo/hil/rtlsim"
	"trigo/ir"
	"trigo/ir/fixed"
	"trigo/sim"
)

// gxCase is one kernel configuration and its test graph.
type gxCase struct {
	name          string
	N, F, L       int
	xType, vType  string
	outType       string
	ops           []string
	rf            int
	pipe          *gxPipe // nil: gxPipeFor(L)
	wantOverflows bool    // the expectations must contain overflow events
}

// graph builds the one-node quantised graph of c.
func (c gxCase) graph(t testing.TB) *ir.Graph {
	t.Helper()
	q := make([]string, len(c.ops))
	for i, op := range c.ops {
		q[i] = fmt.Sprintf("%q", op)
	}
	src := fmt.Sprintf("trigo-ir 1\ngraph gx\ninput x: %s[%d,%d]\ninput valid: %s[%d]\n"+
		"node g = global_exchange(x, valid) {ops = [%s], recip_frac = %d} -> y: %s[%d,%d]\noutput y\n",
		c.xType, c.N, c.F, c.vType, c.N, strings.Join(q, ", "), c.rf, c.outType, c.N, c.F*(1+len(c.ops)))
	g, err := ir.Parse(src)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return g
}

func (c gxCase) kernel(t testing.TB, g *ir.Graph) *gxKernel {
	t.Helper()
	k, err := globalExchangeKernel(g, g.Node("g"), c.L)
	if err != nil {
		t.Fatal(err)
	}
	if c.pipe != nil {
		k.Pipe = *c.pipe
	}
	return k
}

var gxCases = []gxCase{
	// Three lanes over two groups, signed x, mean and max, saturating
	// output narrower than x (overflows), the 250 MHz placement (one tree
	// register: DEPTH 4).
	{name: "N6_L3_mean_max", N: 6, F: 2, L: 3, xType: "fixed<8,3>", vType: "ufixed<1,1>",
		outType: "fixed<7,2,RND,SAT>", ops: []string{"mean", "max"}, rf: 8, wantOverflows: true},
	// All vertices at once (T = 1), unsigned x, all three statistics, a
	// wrapping signed output, a 3-bit mask (valid iff code > 2), no
	// registers at all (DEPTH 0).
	{name: "N8_L8_min_mean_max_comb", N: 8, F: 3, L: 8, xType: "ufixed<9,4>", vType: "ufixed<3,1>",
		outType: "fixed<8,3,TRN,WRAP>", ops: []string{"min", "mean", "max"}, rf: 11, wantOverflows: true,
		pipe: &gxPipe{}},
	// The same fully pipelined: DEPTH 8 > T = 1, eight events in flight.
	{name: "N8_L8_min_mean_max_piped", N: 8, F: 3, L: 8, xType: "ufixed<9,4>", vType: "ufixed<3,1>",
		outType: "fixed<8,3,TRN,WRAP>", ops: []string{"min", "mean", "max"}, rf: 11, wantOverflows: true,
		pipe: &gxPipe{TRegs: 7, RReg: 1, MReg: 2, CReg: 1, OReg: 1}},
	// One lane, mean only, a signed mask type, output more precise than
	// x (appended fraction bits), convergent rounding of the mean.
	{name: "N5_L1_mean", N: 5, F: 2, L: 1, xType: "fixed<6,6>", vType: "fixed<4,2>",
		outType: "fixed<12,7,RND_CONV,SAT_SYM>", ops: []string{"mean"}, rf: 6},
	// The ECL model's layer shape: N = 64, L = 4 (II 16), F = 16, 16-bit
	// x, every statistic, a symmetric saturating output, the 250 MHz
	// placement.
	{name: "N64_L4_F16_ecl", N: 64, F: 16, L: 4, xType: "fixed<16,6>", vType: "ufixed<1,1>",
		outType: "fixed<12,3,RND_CONV,SAT_SYM>", ops: []string{"min", "mean", "max"}, rf: 16, wantOverflows: true},
}

func gxCaseNamed(name string) gxCase {
	for _, c := range gxCases {
		if c.name == name {
			return c
		}
	}
	panic(name)
}

// gxEvents returns n events for graph g (inputs x, valid): cycling through
// empty, full, a single valid vertex, random occupancy, extreme codes
// (every x the minimum or the maximum code), every valid x the maximum
// code, a tiny range, and random codes with extremes mixed in.
func gxEvents(g *ir.Graph, n int, seed uint64) []sim.Codes {
	r := rand.New(rand.NewPCG(seed, 11))
	ins := make([]sim.Codes, len(g.Inputs))
	for i, v := range g.Inputs {
		ins[i] = sim.Codes{Events: n, Shape: v.Shape.Clone(), Type: v.Type, Data: make([]int64, n*v.Shape.Size())}
	}
	xv, vv := g.Inputs[0], g.Inputs[1]
	N, F := xv.Shape[0], xv.Shape[1]
	xt, vt := xv.Type.Fixed, vv.Type.Fixed
	thr := ir.MaskThreshold(vt)
	code := func(t fixed.Type, lo, hi int64) int64 {
		lo, hi = max(lo, t.MinCode()), min(hi, t.MaxCode())
		return lo + r.Int64N(hi-lo+1)
	}
	for e := 0; e < n; e++ {
		x := ins[0].Data[e*N*F : (e+1)*N*F]
		v := ins[1].Data[e*N : (e+1)*N]
		kind := e % 8
		nValid := r.IntN(N + 1)
		switch kind {
		case 0:
			nValid = 0
		case 1:
			nValid = N
		case 2:
			nValid = 1
		}
		perm := r.Perm(N)
		valid := make([]bool, N)
		for _, i := range perm[:nValid] {
			valid[i] = true
		}
		for i := range v {
			if valid[i] {
				v[i] = code(vt, thr+1, vt.MaxCode())
			} else {
				v[i] = code(vt, vt.MinCode(), thr)
			}
		}
		for i := range x {
			switch {
			case kind == 4:
				x[i] = xt.MinCode()
				if r.IntN(2) == 0 {
					x[i] = xt.MaxCode()
				}
			case kind == 5:
				x[i] = xt.MaxCode()
				if !valid[i/F] {
					x[i] = code(xt, xt.MinCode(), xt.MaxCode())
				}
			case kind == 6:
				x[i] = code(xt, -3, 3)
			default:
				switch r.IntN(10) {
				case 0:
					x[i] = xt.MinCode()
				case 1:
					x[i] = xt.MaxCode()
				default:
					x[i] = code(xt, xt.MinCode(), xt.MaxCode())
				}
			}
		}
	}
	return ins
}

// top is a top level with the ports of CONTRACT.md around one kernel:
// s_axis_tdata = {valid codes, x} (x in the low bits), accepted every T
// cycles (phase counter, global stall ce = ~m_axis_tvalid | m_axis_tready)
// into an input register; group g (vertices g*L..g*L+L-1) is presented to
// the kernel in the g-th cycle after; the output groups are collected and
// the full row-major y[N,F(1+len(ops))] goes into the output register.
func (k *gxKernel) top(name string) string {
	T, L := k.T(), k.L
	gw := max(1, gkLog2(T))
	xb := k.N * k.F * k.WX
	inBits := xb + k.N*int(k.VW)
	row := k.F * (1 + len(k.Ops)) * k.OW
	outBits := k.N * row
	var b strings.Builder
	fmt.Fprintf(&b, "module %s (\n", name)
	fmt.Fprintf(&b, "  input  wire ap_clk,\n  input  wire ap_rst_n,\n")
	fmt.Fprintf(&b, "  input  wire [%d:0] s_axis_tdata,\n  input  wire s_axis_tvalid,\n  output wire s_axis_tready,\n", inBits-1)
	fmt.Fprintf(&b, "  output wire [%d:0] m_axis_tdata,\n  output wire m_axis_tvalid,\n  input  wire m_axis_tready\n);\n", outBits-1)
	fmt.Fprintf(&b, "  wire rst = ~ap_rst_n;\n  reg ov;\n  reg [%d:0] od;\n  wire ce = ~ov | m_axis_tready;\n", outBits-1)
	if T > 1 {
		fmt.Fprintf(&b, "  reg [%d:0] ph;\n  wire ph0 = (ph == %d'd0);\n", gw-1, gw)
		fmt.Fprintf(&b, "  always @(posedge ap_clk) if (rst) ph <= %d'd0; else if (ce) ph <= (ph == %d'd%d) ? %d'd0 : ph + %d'd1;\n", gw, gw, T-1, gw, gw)
		fmt.Fprintf(&b, "  wire [%d:0] grp = ph0 ? %d'd%d : ph - %d'd1;\n", gw-1, gw, T-1, gw)
	} else {
		fmt.Fprintf(&b, "  wire ph0 = 1'b1;\n  wire [0:0] grp = 1'b0;\n")
	}
	fmt.Fprintf(&b, "  assign s_axis_tready = ce & ap_rst_n & ph0;\n  wire acc = s_axis_tvalid & s_axis_tready;\n")
	fmt.Fprintf(&b, "  reg [%d:0] ev;\n  reg evv;\n", inBits-1)
	fmt.Fprintf(&b, "  always @(posedge ap_clk) begin\n    if (rst) evv <= 1'b0; else if (ce & ph0) evv <= acc;\n    if (acc) ev <= s_axis_tdata;\n  end\n")
	// Valid bits: code > MaskThreshold.
	fmt.Fprintf(&b, "  wire [%d:0] vb;\n  genvar i;\n  generate for (i = 0; i < %d; i = i + 1) begin : g_v\n", k.N-1, k.N)
	vc := fmt.Sprintf("ev[%d + i*%d +: %d]", xb, k.VW, k.VW)
	if k.VS {
		fmt.Fprintf(&b, "    assign vb[i] = $signed(%s) > $signed(%s);\n", vc, litInt(k.VT, int(k.VW)))
	} else {
		fmt.Fprintf(&b, "    assign vb[i] = %s > %s;\n", vc, litInt(k.VT, int(k.VW)))
	}
	fmt.Fprintf(&b, "  end endgenerate\n")
	fmt.Fprintf(&b, "  wire [%d:0] in_x = ev[grp*%d +: %d];\n", L*k.F*k.WX-1, L*k.F*k.WX, L*k.F*k.WX)
	fmt.Fprintf(&b, "  wire [%d:0] in_v = vb[grp*%d +: %d];\n", L-1, L, L)
	fmt.Fprintf(&b, "  wire out_act;\n  wire [%d:0] out_grp;\n  wire [%d:0] out_y;\n", gw-1, L*row-1)
	fmt.Fprintf(&b, "  trigo_graph_gx #(\n    %s\n  ) u_k (.clk(ap_clk), .ce(ce), .rst(rst), .in_act(evv), .in_grp(grp), .in_x(in_x), .in_v(in_v),\n", k.params("    "))
	fmt.Fprintf(&b, "    .out_act(out_act), .out_grp(out_grp), .out_y(out_y));\n")
	// Output collection.
	parts := []string{"out_y"}
	for g := T - 2; g >= 0; g-- {
		fmt.Fprintf(&b, "  reg [%d:0] ob%d;\n  always @(posedge ap_clk) if (ce & out_act & (out_grp == %d'd%d)) ob%d <= out_y;\n", L*row-1, g, gw, g, g)
		parts = append(parts, fmt.Sprintf("ob%d", g))
	}
	fmt.Fprintf(&b, "  always @(posedge ap_clk) begin\n    if (rst) ov <= 1'b0; else if (ce) ov <= out_act & (out_grp == %d'd%d);\n", gw, T-1)
	fmt.Fprintf(&b, "    if (ce) od <= {%s};\n  end\n", strings.Join(parts, ", "))
	fmt.Fprintf(&b, "  assign m_axis_tdata = od;\n  assign m_axis_tvalid = ov;\nendmodule\n")
	return b.String()
}

// latency is the latency of the test top level: input register, T groups
// in, the kernel (snapshot + DEPTH), T groups out, output register.
func (k *gxKernel) latency() int { return 2*k.T() + k.depth() + 1 }

// gxLib returns the text of trigo_graph_gx and the library modules it
// instantiates.
func gxLib(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("`timescale 1ns / 1ps\n")
	for _, m := range libClosure([]string{"trigo_graph_gx"}) {
		src, err := libSource(m)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(src)
		b.WriteString("\n")
	}
	return b.String()
}

// gxDesign writes the top level and the library into dir.
func gxDesign(t testing.TB, g *ir.Graph, k *gxKernel, dir string) rtlsim.Design {
	t.Helper()
	lib := writeFile(t, dir, "trigo_lib.v", []byte(gxLib(t)))
	top := writeFile(t, dir, "gx_top.v", []byte("`timescale 1ns / 1ps\n"+k.top("gx_top")))
	in, out, err := rtlsim.PortsOf(g)
	if err != nil {
		t.Fatal(err)
	}
	return rtlsim.Design{Top: "gx_top", Files: []string{lib, top}, Inputs: in, Outputs: out,
		LatencyCycles: k.latency(), IICycles: k.T()}
}

// gxRun simulates events through the kernel and compares with sim.Fixed.
// It returns the rtlsim error (nil: bit-exact, latency and II as declared).
// mutate, when set, alters the kernel (deliberately wrong variants).
func gxRun(t *testing.T, c gxCase, simulator string, events int, seed uint64, mutate func(*gxKernel), work string) (*rtlsim.Result, *hil.Comparison, error) {
	t.Helper()
	g := c.graph(t)
	k := c.kernel(t, g)
	if mutate != nil {
		mutate(k)
	}
	inputs := gxEvents(g, events, seed)
	f, err := sim.NewFixed(g)
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.Run(inputs)
	if err != nil {
		t.Fatal(err)
	}
	// The expectations must not be degenerate: many codes are non-zero,
	// and the narrow output types saturate or wrap.
	nz := 0
	for _, v := range want[0].Data {
		if v != 0 {
			nz++
		}
	}
	rep := f.Report().Node("g")
	if 4*nz < len(want[0].Data) || (c.wantOverflows && rep.Overflows() == 0) {
		t.Fatalf("degenerate expectations: %d of %d codes non-zero, %d overflows", nz, len(want[0].Data), rep.Overflows())
	}
	t.Logf("%s: %d of %d expected codes non-zero, %d overflow events; DEPTH %d, latency %d, II %d",
		c.name, nz, len(want[0].Data), rep.Overflows(), k.depth(), k.latency(), k.T())
	d := gxDesign(t, g, k, t.TempDir())
	res, err := rtlsim.Run(d, inputs, rtlsim.Options{Simulator: simulator, Seed: seed, WorkDir: work})
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := rtlsim.Check(d, res, want)
	return res, cmp, err
}

// TestGXKernelParams checks the kernel resolution: parameters, DEPTH,
// the register placement and the errors for bad lanes.
func TestGXKernelParams(t *testing.T) {
	c := gxCaseNamed("N64_L4_F16_ecl")
	g := c.graph(t)
	k := c.kernel(t, g)
	if k.N != 64 || k.L != 4 || k.F != 16 || k.WX != 16 || k.FX != 10 || !k.XS || k.RF != 16 ||
		k.OW != 12 || k.FO != 9 || !k.OS || k.Rnd != fixed.RND_CONV || k.Ovf != fixed.SAT_SYM || k.VT != 0 || k.VW != 1 {
		t.Errorf("kernel %+v", *k)
	}
	if k.T() != 16 || k.depth() != 4 || k.latency() != 37 {
		t.Errorf("T %d, DEPTH %d, latency %d; want 16, 4, 37", k.T(), k.depth(), k.latency())
	}
	p := k.params("  ")
	for _, s := range []string{".NOPS(3), .OPS(6'b100001)", ".TREGS(32'd1), .RREG(0), .MREG(2), .CREG(1), .OREG(0)", ".OW(12), .OS(1), .FO(9)"} {
		if !strings.Contains(p, s) {
			t.Errorf("params lack %q:\n%s", s, p)
		}
	}
	for lanes, want := range map[int]gxPipe{
		1: {RReg: 1, MReg: 2, CReg: 1}, 2: {RReg: 1, MReg: 2, CReg: 1}, 4: {TRegs: 1, MReg: 2, CReg: 1},
		8: {TRegs: 2, MReg: 2, CReg: 1}, 16: {TRegs: 5, MReg: 2, CReg: 1},
	} {
		if got := gxPipeFor(lanes); got != want {
			t.Errorf("gxPipeFor(%d) = %+v, want %+v", lanes, got, want)
		}
	}
	for _, lanes := range []int{0, -1, 3, 5, 128} {
		if _, err := globalExchangeKernel(g, g.Node("g"), lanes); err == nil || !strings.Contains(err.Error(), "do not divide 64 vertices") {
			t.Errorf("lanes %d: err %v", lanes, err)
		}
	}
	if _, err := globalExchangeKernel(g, nil, 4); err == nil {
		t.Error("nil node accepted")
	}
}

// TestGXKernelLint lints every test configuration with Verilator -Wall
// and elaborates the small ones with Yosys.
func TestGXKernelLint(t *testing.T) {
	t.Parallel()
	needTool(t, "verilator", "yosys")
	for _, c := range gxCases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := c.graph(t)
			k := c.kernel(t, g)
			dir := t.TempDir()
			writeFile(t, dir, "trigo_lib.v", []byte("/* verilator lint_off DECLFILENAME */\n"+gxLib(t)))
			writeFile(t, dir, "gx_top.v", []byte(k.top("gx_top")))
			run(t, dir, 2*time.Minute, "verilator", "--lint-only", "-Wall", "-Wno-DECLFILENAME", "--top-module", "gx_top", "trigo_lib.v", "gx_top.v")
			if c.N > 16 {
				return // Yosys takes a minute on the wide top level; the small cases show it accepts the module
			}
			run(t, dir, 2*time.Minute, "yosys", "-q", "-p", "read_verilog trigo_lib.v gx_top.v; hierarchy -check -top gx_top; proc; opt -fast")
		})
	}
}

// TestGXKernelIcarus runs the small configurations in Icarus and shows
// that kernels with the mean reciprocals off by one fail the comparison.
func TestGXKernelIcarus(t *testing.T) {
	t.Parallel()
	needTool(t, "iverilog", "vvp")
	work := t.TempDir()
	for i, name := range []string{"N6_L3_mean_max", "N8_L8_min_mean_max_comb", "N8_L8_min_mean_max_piped", "N5_L1_mean"} {
		c, seed := gxCaseNamed(name), uint64(i+1)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, cmp, err := gxRun(t, c, rtlsim.Icarus, 160, seed, nil, work)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s; latency %d, II %d; %d cycles, %d stalled", c.name, cmp, res.Latency, res.II, res.Cycles, res.Stalls)
		})
	}
	for _, bias := range []int{1, -1} {
		bias := bias
		t.Run(fmt.Sprintf("N6_L3_mean_max/rbias%+d_must_fail", bias), func(t *testing.T) {
			t.Parallel()
			_, cmp, err := gxRun(t, gxCaseNamed("N6_L3_mean_max"), rtlsim.Icarus, 160, 3, func(k *gxKernel) { k.RBias = bias }, work)
			if err == nil {
				t.Fatalf("the kernel with RBIAS %+d passed the comparison", bias)
			}
			if cmp == nil || cmp.OK() {
				t.Fatalf("want a data mismatch, got: %v", err)
			}
			t.Logf("RBIAS %+d caught: %s", bias, cmp)
		})
	}
}

// TestGXKernelVerilator runs the ECL layer shape (N = 64, L = 4, F = 16)
// in Verilator with random input gaps and output stalls.
func TestGXKernelVerilator(t *testing.T) {
	t.Parallel()
	needTool(t, "verilator")
	c := gxCaseNamed("N64_L4_F16_ecl")
	res, cmp, err := gxRun(t, c, rtlsim.Verilator, 500, 21, nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if res.Stalls == 0 {
		t.Error("the run should stall")
	}
	t.Logf("%s: %s; latency %d, II %d; %d cycles, %d stalled; build %.1fs, run %.1fs",
		c.name, cmp, res.Latency, res.II, res.Cycles, res.Stalls, res.BuildSeconds, res.RunSeconds)
}

// synthTop wraps the kernel in a module with plain ports (what the
// emitter's top level would connect).
func (k *gxKernel) synthTop(name string) string {
	gw := max(1, gkLog2(k.T()))
	return fmt.Sprintf(`module %[1]s (
  input wire clk, input wire ce, input wire rst, input wire in_act, input wire [%[2]d:0] in_grp,
  input wire [%[3]d:0] in_x, input wire [%[4]d:0] in_v,
  output wire out_act, output wire [%[2]d:0] out_grp, output wire [%[5]d:0] out_y);
  trigo_graph_gx #(
    %[6]s
  ) u_k (.clk(clk), .ce(ce), .rst(rst), .in_act(in_act), .in_grp(in_grp), .in_x(in_x), .in_v(in_v),
    .out_act(out_act), .out_grp(out_grp), .out_y(out_y));
endmodule
`, name, gw-1, k.L*k.F*k.WX-1, k.L-1, k.L*k.F*(1+len(k.Ops))*k.OW-1, k.params("    "))
}

// BenchmarkGXKernelSynth synthesises the kernel for the ECL layer shape
// (N_L4_F16_ecl: N = 64, L = 4, F = 16, fixed<16,6> x, min/mean/max,
// recip_frac 16) with Yosys synth_xilinx, with the 250 MHz register
// placement (gxPipeFor) and with every tree level registered, and
// reports LUT, FF, DSP and the longest path (measured, default placement:
// 12,988 LUT, 82 LUTRAM (the row buffer, RAM32M16), 9,455 FF, 16 DSP,
// longest path 18-19 cells: the mean's conversion, as in gravnet_agg at
// 200 MHz; 72 s). Minutes of Yosys: run with
//
//	go test -run XXX -bench GXKernelSynth -benchtime 1x -timeout 0 ./backends/verilog
func BenchmarkGXKernelSynth(b *testing.B) {
	needTool(b, "yosys")
	for _, v := range []struct {
		name string
		pipe *gxPipe
	}{{"default", nil}, {"trees_all", &gxPipe{TRegs: 3, MReg: 2, CReg: 1}}} {
		b.Run(v.name, func(b *testing.B) {
			c := gxCaseNamed("N64_L4_F16_ecl")
			c.pipe = v.pipe
			g := c.graph(b)
			k := c.kernel(b, g)
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				lib := writeFile(b, dir, "trigo_lib.v", []byte(gxLib(b)))
				top := writeFile(b, dir, "gx_synth.v", []byte(k.synthTop("gx_synth")))
				rep, err := synth.Run([]string{lib, top}, "gx_synth", synth.Options{WorkDir: filepath.Join(dir, "synth"), Timeout: time.Hour})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rep.LUT), "LUT")
				b.ReportMetric(float64(rep.LUTRAM), "LUTRAM")
				b.ReportMetric(float64(rep.FF), "FF")
				b.ReportMetric(float64(rep.DSP), "DSP")
				b.ReportMetric(float64(rep.LongestPath), "path-cells")
				b.ReportMetric(float64(k.depth()), "DEPTH")
				b.Logf("%s (DEPTH %d): %s; %.0f s", v.name, k.depth(), rep, rep.Seconds)
			}
		})
	}
}
