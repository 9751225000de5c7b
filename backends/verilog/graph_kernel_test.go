package verilog

// Tests of the gravnet_agg kernel (lib/trigo_gravnet_agg.v and the modules
// it uses; architecture in GRAPH.md) against the Go simulator: small IR
// graphs with a single gravnet_agg node, events with every kind of
// occupancy (empty, full, fewer valid vertices than k, random) and many
// distance ties, run through a contract top level (gkKernel.top: one beat =
// one padded event, serialised into groups of L vertices for the kernel
// and collected again) in Verilator and Icarus via hil/rtlsim, with random
// input gaps and output stalls; every output code compared, latency and II
// measured against the kernel's formulas. Variants with the tie rule
// flipped or the distance saturation one code too low must mismatch.

import (
	"fmt"
	"math"
	"math/big"
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

// top is a top level with the ports of CONTRACT.md around one kernel:
// s_axis_tdata = {valid codes, h, s} (s in the low bits), accepted every T
// cycles (phase counter, global stall ce = ~m_axis_tvalid | m_axis_tready)
// into an input register; group g (vertices g*L..g*L+L-1) is presented to
// the kernel in the g-th cycle after; the output groups are collected and
// the full row-major y[N,2P] goes into the output register.
func (k *gkKernel) top(name string) string {
	T, L := k.T(), k.L
	gw := max(1, gkLog2(T))
	sb, hb := k.N*k.S*k.WS, k.N*k.P*k.WH
	inBits := sb + hb + k.N*int(k.VW)
	row := 2 * k.P * k.OW
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
	vc := fmt.Sprintf("ev[%d + i*%d +: %d]", sb+hb, k.VW, k.VW)
	if k.VS {
		fmt.Fprintf(&b, "    assign vb[i] = $signed(%s) > $signed(%s);\n", vc, lit(big.NewInt(k.VT), int(k.VW)))
	} else {
		fmt.Fprintf(&b, "    assign vb[i] = %s > %s;\n", vc, lit(big.NewInt(k.VT), int(k.VW)))
	}
	fmt.Fprintf(&b, "  end endgenerate\n")
	fmt.Fprintf(&b, "  wire [%d:0] in_s = ev[grp*%d +: %d];\n", L*k.S*k.WS-1, L*k.S*k.WS, L*k.S*k.WS)
	fmt.Fprintf(&b, "  wire [%d:0] in_h = ev[%d + grp*%d +: %d];\n", L*k.P*k.WH-1, sb, L*k.P*k.WH, L*k.P*k.WH)
	fmt.Fprintf(&b, "  wire [%d:0] in_v = vb[grp*%d +: %d];\n", L-1, L, L)
	fmt.Fprintf(&b, "  wire out_act;\n  wire [%d:0] out_grp;\n  wire [%d:0] out_y;\n", gw-1, L*row-1)
	fmt.Fprintf(&b, "  trigo_gravnet_agg #(\n    %s\n  ) u_k (.clk(ap_clk), .ce(ce), .rst(rst), .in_act(evv), .in_grp(grp), .in_s(in_s), .in_h(in_h), .in_v(in_v),\n", k.params("    "))
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

// gkLib returns the text of trigo_gravnet_agg and the library modules it
// instantiates.
func gkLib(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("`timescale 1ns / 1ps\n")
	for _, m := range libClosure([]string{"trigo_gravnet_agg"}) {
		src, err := libSource(m)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(src)
		b.WriteString("\n")
	}
	return b.String()
}

// gkCase is one kernel configuration and its test graph.
type gkCase struct {
	name              string
	N, S, P, K, L     int
	dist              string
	self              int
	sType, hType      string
	tabType, outType  string
	vType             string
	offset            int64
	shift, rf, tabLen int
	randTable         bool
	exponent          float64 // of the exp table (default 2.5)
	pipe              gkPipe
}

func (c gkCase) exp() float64 {
	if c.exponent == 0 {
		return 2.5
	}
	return c.exponent
}

// graph builds the one-node quantised graph of c; the table is exp(-e·d)
// at the middle of each entry's distance codes (as the compiler fills it),
// or random codes of the table type.
func (c gkCase) graph(t testing.TB) *ir.Graph {
	t.Helper()
	st, err := ir.ParseType(c.sType)
	if err != nil {
		t.Fatal(err)
	}
	tt, err := ir.ParseType(c.tabType)
	if err != nil {
		t.Fatal(err)
	}
	fd := st.Fixed.Frac()
	if c.dist == "l2" {
		fd *= 2
	}
	r := rand.New(rand.NewPCG(uint64(c.tabLen), 99))
	table := make([]int64, c.tabLen)
	for e := range table {
		if c.randTable {
			table[e] = tt.Fixed.MinCode() + r.Int64N(tt.Fixed.MaxCode()-tt.Fixed.MinCode()+1)
			continue
		}
		d := math.Ldexp(float64(c.offset)+float64(e)*math.Ldexp(1, c.shift)+(math.Ldexp(1, c.shift)-1)/2, -fd)
		code, _, err := tt.Fixed.FromFloat(math.Exp(-c.exp() * d))
		if err != nil {
			t.Fatal(err)
		}
		table[e] = code
	}
	var b strings.Builder
	fmt.Fprintf(&b, "trigo-ir 1\ngraph gk\ninput s: %s[%d,%d]\ninput h: %s[%d,%d]\ninput valid: %s[%d]\n",
		c.sType, c.N, c.S, c.hType, c.N, c.P, c.vType, c.N)
	fmt.Fprintf(&b, "const tab: %s[%d] = [", c.tabType, len(table))
	for i, v := range table {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, v)
	}
	fmt.Fprintf(&b, "]\nnode g = gravnet_agg(s, h, valid, tab) {k = %d, exponent = %.4f, include_self = %d, distance = %q, offset = %d, shift = %d, recip_frac = %d} -> y: %s[%d,%d]\noutput y\n",
		c.K, c.exp(), c.self, c.dist, c.offset, c.shift, c.rf, c.outType, c.N, 2*c.P)
	g, err := ir.Parse(b.String())
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b.String())
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return g
}

func (c gkCase) kernel(t testing.TB, g *ir.Graph) *gkKernel {
	t.Helper()
	k, err := gravnetKernel(g, g.Node("g"), c.L, c.pipe)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// gkEvents returns n events for graph g: cycling through empty, full, fewer
// valid vertices than k, random occupancy, duplicated s rows (ties), a
// tiny s range (ties everywhere) and extreme codes.
func gkEvents(g *ir.Graph, k int, n int, seed uint64) []sim.Codes {
	r := rand.New(rand.NewPCG(seed, 7))
	ins := make([]sim.Codes, len(g.Inputs))
	for i, v := range g.Inputs {
		ins[i] = sim.Codes{Events: n, Shape: v.Shape.Clone(), Type: v.Type, Data: make([]int64, n*v.Shape.Size())}
	}
	sv, hv, vv := g.Inputs[0], g.Inputs[1], g.Inputs[2]
	N, S, P := sv.Shape[0], sv.Shape[1], hv.Shape[1]
	st, ht, vt := sv.Type.Fixed, hv.Type.Fixed, vv.Type.Fixed
	thr := ir.MaskThreshold(vt)
	code := func(t fixed.Type, lo, hi int64) int64 {
		lo, hi = max(lo, t.MinCode()), min(hi, t.MaxCode())
		return lo + r.Int64N(hi-lo+1)
	}
	for e := 0; e < n; e++ {
		s := ins[0].Data[e*N*S : (e+1)*N*S]
		h := ins[1].Data[e*N*P : (e+1)*N*P]
		v := ins[2].Data[e*N : (e+1)*N]
		kind := e % 8
		var nValid int
		switch kind {
		case 0:
			nValid = 0
		case 1:
			nValid = N
		case 2:
			nValid = r.IntN(min(k, N) + 1) // fewer than k (or exactly k) valid
		default:
			nValid = r.IntN(N + 1)
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
		lo, hi := st.MinCode(), st.MaxCode()
		switch kind {
		case 4, 6: // a tiny range: ties everywhere
			lo, hi = -2, 2
			if !st.Signed {
				lo, hi = 0, 3
			}
		}
		for i := range s {
			s[i] = code(st, lo, hi)
		}
		if kind == 7 { // extreme codes
			for i := range s {
				if r.IntN(2) == 0 {
					s[i] = st.MinCode()
				} else {
					s[i] = st.MaxCode()
				}
			}
		}
		if kind == 5 { // duplicated rows: exact ties at every distance
			for i := 1; i < N; i++ {
				if r.IntN(2) == 0 {
					j := r.IntN(i)
					copy(s[i*S:(i+1)*S], s[j*S:(j+1)*S])
				}
			}
		}
		for i := range h {
			switch r.IntN(10) {
			case 0:
				h[i] = ht.MinCode()
			case 1:
				h[i] = ht.MaxCode()
			default:
				h[i] = code(ht, ht.MinCode(), ht.MaxCode())
			}
		}
	}
	return ins
}

// gkDesign writes the top level and the library into dir.
func gkDesign(t testing.TB, g *ir.Graph, k *gkKernel, dir string) rtlsim.Design {
	t.Helper()
	lib := writeFile(t, dir, "trigo_lib.v", []byte(gkLib(t)))
	top := writeFile(t, dir, "gk_top.v", []byte("`timescale 1ns / 1ps\n"+k.top("gk_top")))
	in, out, err := rtlsim.PortsOf(g)
	if err != nil {
		t.Fatal(err)
	}
	return rtlsim.Design{Top: "gk_top", Files: []string{lib, top}, Inputs: in, Outputs: out,
		LatencyCycles: k.latency(), IICycles: k.T()}
}

// gkRun simulates events through the kernel and compares with sim.Fixed.
// It returns the rtlsim error (nil: bit-exact, latency and II as declared).
// mutate, when set, alters the kernel (deliberately wrong variants).
func gkRun(t *testing.T, c gkCase, simulator string, events int, seed uint64, mutate func(*gkKernel), work string) (*rtlsim.Result, *hil.Comparison, error) {
	t.Helper()
	g := c.graph(t)
	k := c.kernel(t, g)
	if mutate != nil {
		mutate(k)
	}
	inputs := gkEvents(g, c.K, events, seed)
	f, err := sim.NewFixed(g)
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.Run(inputs)
	if err != nil {
		t.Fatal(err)
	}
	// The expectations must not be degenerate: most valid rows carry
	// codes, and some saturate or wrap.
	nz := 0
	for _, v := range want[0].Data {
		if v != 0 {
			nz++
		}
	}
	row := f.Report().Node("g")
	if 5*nz < len(want[0].Data) || row.Overflows() == 0 {
		t.Fatalf("degenerate expectations: %d of %d codes non-zero, %d overflows", nz, len(want[0].Data), row.Overflows())
	}
	t.Logf("%s: %d of %d expected codes non-zero, %d overflow events; distance saturation %d", c.name, nz, len(want[0].Data), row.Overflows(), k.DSat)
	d := gkDesign(t, g, k, t.TempDir())
	res, err := rtlsim.Run(d, inputs, rtlsim.Options{Simulator: simulator, Seed: seed, WorkDir: work})
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := rtlsim.Check(d, res, want)
	return res, cmp, err
}

var gkCases = []gkCase{
	// All vertices at once (L = N, T = 1), k > N, l2 without self, all
	// registers off (one combinational path from the snapshot), unsigned
	// output (negative means saturate to 0).
	{name: "N6_L6_k8_l2_noself_comb", N: 6, S: 2, P: 2, K: 8, L: 6, dist: "l2", self: 0,
		sType: "fixed<6,1>", hType: "fixed<8,2>", tabType: "ufixed<10,1>", outType: "ufixed<9,3,RND_INF,SAT>", vType: "ufixed<1,1>",
		offset: 0, shift: 1, rf: 10, tabLen: 24},
	// Two lanes over 4 groups, l1 with self, fully pipelined, a table
	// offset (distances below it clamp to entry 0), wrapping output.
	{name: "N8_L2_k3_l1_self", N: 8, S: 1, P: 1, K: 3, L: 2, dist: "l1", self: 1,
		sType: "fixed<5,3>", hType: "fixed<9,5>", tabType: "ufixed<12,1>", outType: "fixed<8,2,TRN,WRAP>", vType: "ufixed<1,1>",
		offset: 3, shift: 0, rf: 12, tabLen: 40, pipe: gkFullPipe},
	// Four lanes, 4 groups, l2 with self, compiler-like table (shift 2),
	// unsigned h.
	{name: "N16_L4_k4_l2_self", N: 16, S: 3, P: 2, K: 4, L: 4, dist: "l2", self: 1,
		sType: "fixed<8,6>", hType: "ufixed<10,4>", tabType: "ufixed<18,1>", outType: "fixed<10,3,RND,SAT>", vType: "ufixed<1,1>",
		offset: 0, shift: 2, rf: 16, tabLen: 300, pipe: gkFullPipe},
	// Three lanes, l1 without self, random signed table with a negative
	// offset, a 3-bit mask type (valid iff code > 2), narrow saturating
	// symmetric output with convergent rounding, partial pipelining.
	{name: "N12_L3_k5_l1_noself_rand", N: 12, S: 2, P: 3, K: 5, L: 3, dist: "l1", self: 0,
		sType: "ufixed<7,3>", hType: "fixed<11,3>", tabType: "fixed<9,1>", outType: "fixed<7,2,RND_CONV,SAT_SYM>", vType: "ufixed<3,1>",
		offset: -5, shift: 1, rf: 9, tabLen: 37, randTable: true,
		pipe: gkPipe{QReg: 0, Regs: 0x22, SortRegs: 0, MergeReg: 1}},
}

func gkCaseNamed(name string) gkCase {
	for _, c := range gkCases {
		if c.name == name {
			return c
		}
	}
	panic(name)
}

// TestGravNetKernelLint lints every test configuration with Verilator -Wall
// and elaborates it with Yosys.
func TestGravNetKernelLint(t *testing.T) {
	t.Parallel()
	needTool(t, "verilator", "yosys")
	for _, c := range gkCases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := c.graph(t)
			k := c.kernel(t, g)
			dir := t.TempDir()
			writeFile(t, dir, "trigo_lib.v", []byte("/* verilator lint_off DECLFILENAME */\n"+gkLib(t)))
			writeFile(t, dir, "gk_top.v", []byte(k.top("gk_top")))
			run(t, dir, 2*time.Minute, "verilator", "--lint-only", "-Wall", "-Wno-DECLFILENAME", "--top-module", "gk_top", "trigo_lib.v", "gk_top.v")
			run(t, dir, 2*time.Minute, "yosys", "-q", "-p", "read_verilog trigo_lib.v gk_top.v; hierarchy -check -top gk_top; proc; opt -fast")
		})
	}
}

// TestGravNetKernelIcarus runs the small configurations in Icarus: all
// vertices at once (T = 1) without registers and fully pipelined (the
// event copies then span several events in flight), and two lanes; and
// shows that a kernel with the tie rule flipped fails the comparison.
func TestGravNetKernelIcarus(t *testing.T) {
	t.Parallel()
	needTool(t, "iverilog", "vvp")
	work := t.TempDir()
	piped := gkCaseNamed("N6_L6_k8_l2_noself_comb")
	piped.name, piped.pipe = "N6_L6_k8_l2_noself_piped", gkFullPipe
	for i, c := range []gkCase{gkCaseNamed("N6_L6_k8_l2_noself_comb"), piped, gkCaseNamed("N8_L2_k3_l1_self")} {
		c, seed := c, uint64(i+1)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, cmp, err := gkRun(t, c, rtlsim.Icarus, 160, seed, nil, work)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s; latency %d, II %d; %d cycles, %d stalled", c.name, cmp, res.Latency, res.II, res.Cycles, res.Stalls)
		})
	}
	// Deliberately wrong kernels must fail the comparison. Ties decide
	// neighbours only when some vertex has more than k candidates: k = 3 of
	// 8. The distance saturation is exact only from where the table is
	// zero on: one entry earlier it must show.
	wrong := map[string]func(*gkKernel){
		"tie_high": func(k *gkKernel) { k.TieHigh = true },
		"dsat_low": func(k *gkKernel) {
			if k.DSat < 2 {
				t.Errorf("no distance saturation to break (DSAT %d)", k.DSat)
			}
			k.DSat--
		},
	}
	for name, mutate := range wrong {
		name, mutate := name, mutate
		t.Run("N8_L2_k3_l1_self/"+name+"_must_fail", func(t *testing.T) {
			t.Parallel()
			_, cmp, err := gkRun(t, gkCaseNamed("N8_L2_k3_l1_self"), rtlsim.Icarus, 160, 3, mutate, work)
			if err == nil {
				t.Fatalf("the %s kernel passed the comparison", name)
			}
			if cmp == nil || cmp.OK() {
				t.Fatalf("want a data mismatch, got: %v", err)
			}
			t.Logf("%s caught: %s", name, cmp)
		})
	}
}

// TestGravNetKernelVerilator runs the larger configurations in Verilator
// with random input gaps and output stalls.
func TestGravNetKernelVerilator(t *testing.T) {
	t.Parallel()
	needTool(t, "verilator")
	work := t.TempDir()
	for i, name := range []string{"N16_L4_k4_l2_self", "N12_L3_k5_l1_noself_rand"} {
		c := gkCaseNamed(name)
		seed := uint64(10 + i)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, cmp, err := gkRun(t, c, rtlsim.Verilator, 1000, seed, nil, work)
			if err != nil {
				t.Fatal(err)
			}
			if res.Stalls == 0 {
				t.Error("the run should stall")
			}
			t.Logf("%s: %s; latency %d, II %d; %d cycles, %d stalled; build %.1fs, run %.1fs",
				name, cmp, res.Latency, res.II, res.Cycles, res.Stalls, res.BuildSeconds, res.RunSeconds)
		})
	}
}

// BenchmarkGravNetKernelSynth synthesises the kernel for the gravnet-fpl26
// layer shape (N = 64, S = 4, P = 8, k = 8, l1, s and h fixed<12,5>, 169
// entry ufixed<18,1> exp table as the compiler fills it, recip_frac 16,
// output fixed<12,5>) with Yosys synth_xilinx, at 1 and 4 lanes (II 64 and
// 16), registers placed for ~200 MHz (DEPTH 12), and reports LUT, LUTRAM,
// FF, DSP, BRAM and the longest path. Tens of minutes of Yosys on a busy
// machine: run with -timeout 0, e.g.
//
//	go test -run XXX -bench GravNetKernelSynth -benchtime 1x -timeout 0 ./backends/verilog
func BenchmarkGravNetKernelSynth(b *testing.B) {
	needTool(b, "yosys")
	for _, lanes := range []int{1, 4} {
		b.Run(fmt.Sprintf("L%d", lanes), func(b *testing.B) {
			c := gkCase{name: "fpl26", N: 64, S: 4, P: 8, K: 8, L: lanes, dist: "l1", self: 1,
				sType: "fixed<12,5,RND,SAT>", hType: "fixed<12,5,RND,SAT>", tabType: "ufixed<18,1,RND,SAT>",
				outType: "fixed<12,5,RND,SAT>", vType: "ufixed<1,1>", offset: 0, shift: 0, rf: 16, tabLen: 169,
				exponent: 10, pipe: gkPipe{QReg: 1, Regs: 0x3f, SortRegs: 1<<2 | 1<<3, MergeReg: 1}}
			g := c.graph(b)
			k := c.kernel(b, g)
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				lib := writeFile(b, dir, "trigo_lib.v", []byte(gkLib(b)))
				top := writeFile(b, dir, "gk_synth.v", []byte(k.synthTop("gk_synth")))
				rep, err := synth.Run([]string{lib, top}, "gk_synth", synth.Options{WorkDir: filepath.Join(dir, "synth"), Timeout: 3 * time.Hour})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rep.LUT), "LUT")
				b.ReportMetric(float64(rep.LUTRAM), "LUTRAM")
				b.ReportMetric(float64(rep.FF), "FF")
				b.ReportMetric(float64(rep.DSP), "DSP")
				b.ReportMetric(rep.BRAM, "BRAM36")
				b.ReportMetric(float64(rep.LongestPath), "path-cells")
				b.ReportMetric(float64(k.depth()+1), "kernel-latency")
				b.Logf("L=%d (II %d, DSAT %d): %s; %.0f s", lanes, k.T(), k.DSat, rep, rep.Seconds)
			}
		})
	}
}

// synthTop wraps the kernel in a module with plain ports (what the
// emitter's top level would connect).
func (k *gkKernel) synthTop(name string) string {
	gw := max(1, gkLog2(k.T()))
	return fmt.Sprintf(`module %[1]s (
  input wire clk, input wire ce, input wire rst, input wire in_act, input wire [%[2]d:0] in_grp,
  input wire [%[3]d:0] in_s, input wire [%[4]d:0] in_h, input wire [%[5]d:0] in_v,
  output wire out_act, output wire [%[2]d:0] out_grp, output wire [%[6]d:0] out_y);
  trigo_gravnet_agg #(
    %[7]s
  ) u_k (.clk(clk), .ce(ce), .rst(rst), .in_act(in_act), .in_grp(in_grp), .in_s(in_s), .in_h(in_h), .in_v(in_v),
    .out_act(out_act), .out_grp(out_grp), .out_y(out_y));
endmodule
`, name, gw-1, k.L*k.S*k.WS-1, k.L*k.P*k.WH-1, k.L-1, k.L*2*k.P*k.OW-1, k.params("    "))
}
