package verilog

// Tests of the condensation kernel (lib/trigo_graph_cond.v, condkernel.go;
// architecture in GRAPH.md §5) against the Go simulator: one-node
// quantised graphs with a condensation node, events with every kind of
// occupancy, equal betas (the order decided by the tie rule), betas at the
// threshold code, coordinates on a lattice with many pairs exactly at
// dist_code − 1 and dist_code, more candidates than max_clusters and
// extreme codes, run through a contract top level (condTop: input
// register, phase counter with II = minII, serialiser, kernel, output
// register) in Icarus and Verilator via hil/rtlsim with random input gaps
// and output stalls; every output code compared (assign and n_clusters as
// int32), latency (T + 1 + DEPTH + 1) and II (minII) measured. Variants
// with the tie rule flipped or a threshold one code off must mismatch.

import (
	"fmt"
	"math"
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

// condCase is one kernel configuration and its test graph.
type condCase struct {
	name              string
	N, C, P, M, L     int
	betaType, cType   string
	pType, outType    string
	vType             string
	betaCode          int64
	unit              int64 // lattice unit: dist_code = 25·unit² + 1
	dist0             bool  // dist_code = 0 instead (t_d = 0: clusters of their condensation point alone)
	pipe              *condPipe
	noPayload         bool // kernel without payload (P = 0); the graph keeps a [N,1] payload, the test drops its column
	iverilog, verilog bool
}

func (c condCase) distCode() int64 {
	if c.dist0 {
		return 0
	}
	return 25*c.unit*c.unit + 1
}

// graph builds the one-node quantised graph of c.
func (c condCase) graph(t testing.TB) *ir.Graph {
	t.Helper()
	bt, err := ir.ParseType(c.betaType)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := ir.ParseType(c.cType)
	if err != nil {
		t.Fatal(err)
	}
	// The float thresholds the codes stand for (documentation only: the
	// fixed-point simulator and the kernel use the codes).
	tBeta := math.Ldexp(float64(c.betaCode), -bt.Fixed.Frac())
	tD := math.Ldexp(math.Sqrt(float64(max(c.distCode()-1, 0))), -ct.Fixed.Frac())
	var b strings.Builder
	fmt.Fprintf(&b, "trigo-ir 1\ngraph cond\ninput beta: %s[%d]\ninput coords: %s[%d,%d]\ninput valid: %s[%d]\ninput payload: %s[%d,%d]\n",
		c.betaType, c.N, c.cType, c.N, c.C, c.vType, c.N, c.pType, c.N, c.P)
	fmt.Fprintf(&b, "node cd = condensation(beta, coords, valid, payload) {t_beta = %g, t_d = %g, max_clusters = %d, beta_code = %d, dist_code = %d} -> assign: i32[%d], clusters: %s[%d,%d], n_clusters: i32[]\n",
		tBeta, tD, c.M, c.betaCode, c.distCode(), c.N, c.outType, c.M, 1+c.P)
	b.WriteString("output assign\noutput clusters\noutput n_clusters\n")
	g, err := ir.Parse(b.String())
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b.String())
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return g
}

func (c condCase) kernel(t testing.TB, g *ir.Graph) *condKernel {
	t.Helper()
	k, err := condensationKernel(g, g.Node("cd"), c.L)
	if err != nil {
		t.Fatal(err)
	}
	if c.pipe != nil {
		k.Pipe = *c.pipe
	}
	if c.noPayload {
		k.P = 0
	}
	return k
}

// latency of the test top level: input register, T groups, the kernel
// (snapshot edge + DEPTH), output register.
func (k *condKernel) testLatency() int { return k.T() + 1 + k.depth() + 1 }

// condTop is a top level with the ports of CONTRACT.md around one kernel:
// s_axis_tdata = {payload, valid codes, coords, beta} (the graph's inputs,
// beta in the low bits), accepted at phase 0 of a phase counter with
// period minII (global stall ce = ~m_axis_tvalid | m_axis_tready) into an
// input register; group g (vertices g*L..g*L+L-1) is presented to the
// kernel in the (g+1)-th cycle after (the last group at the next phase 0
// when minII = T); the event-level results go straight into the output
// register: m_axis_tdata = {n_clusters, clusters, assign}.
func (k *condKernel) top(name string, inBits, payOff int) string {
	T, L, II := k.T(), k.L, k.minII()
	gw := max(1, condLog2(T))
	pw := max(1, condLog2(II))
	ob, oc, ov := 0, k.N*k.WB, k.N*k.WB+k.N*k.C*k.WC
	outBits := k.N*32 + k.M*(1+k.P)*k.OW + 32
	var b strings.Builder
	fmt.Fprintf(&b, "module %s (\n", name)
	fmt.Fprintf(&b, "  input  wire ap_clk,\n  input  wire ap_rst_n,\n")
	fmt.Fprintf(&b, "  input  wire [%d:0] s_axis_tdata,\n  input  wire s_axis_tvalid,\n  output wire s_axis_tready,\n", inBits-1)
	fmt.Fprintf(&b, "  output wire [%d:0] m_axis_tdata,\n  output wire m_axis_tvalid,\n  input  wire m_axis_tready\n);\n", outBits-1)
	fmt.Fprintf(&b, "  wire rst = ~ap_rst_n;\n  reg ov;\n  reg [%d:0] od;\n  wire ce = ~ov | m_axis_tready;\n", outBits-1)
	if II > 1 {
		fmt.Fprintf(&b, "  reg [%d:0] ph;\n  wire ph0 = (ph == %d'd0);\n", pw-1, pw)
		fmt.Fprintf(&b, "  always @(posedge ap_clk) if (rst) ph <= %d'd0; else if (ce) ph <= (ph == %d'd%d) ? %d'd0 : ph + %d'd1;\n", pw, pw, II-1, pw, pw)
		fmt.Fprintf(&b, "  wire [%d:0] gf = ph0 ? %d'd%d : ph - %d'd1;\n", pw-1, pw, II-1, pw)
		fmt.Fprintf(&b, "  wire gin = ({1'b0, gf} < %d'd%d);\n", pw+1, T) // pw+1 bits: T may equal 2^pw
		if gw > pw {
			fmt.Fprintf(&b, "  wire [%d:0] grp = {%d'd0, gf};\n", gw-1, gw-pw)
		} else {
			fmt.Fprintf(&b, "  /* verilator lint_off UNUSEDSIGNAL */\n  wire [%d:0] gfu = gf;\n  /* verilator lint_on UNUSEDSIGNAL */\n", pw-1)
			fmt.Fprintf(&b, "  wire [%d:0] grp = gfu[%d:0];\n", gw-1, gw-1)
		}
	} else {
		fmt.Fprintf(&b, "  wire ph0 = 1'b1;\n  wire gin = 1'b1;\n  wire [0:0] grp = 1'b0;\n")
	}
	fmt.Fprintf(&b, "  assign s_axis_tready = ce & ap_rst_n & ph0;\n  wire acc = s_axis_tvalid & s_axis_tready;\n")
	fmt.Fprintf(&b, "  reg [%d:0] ev;\n  reg evv;\n", inBits-1)
	fmt.Fprintf(&b, "  always @(posedge ap_clk) begin\n    if (rst) evv <= 1'b0; else if (ce & ph0) evv <= acc;\n    if (acc) ev <= s_axis_tdata;\n  end\n")
	// Valid bits: code > MaskThreshold.
	fmt.Fprintf(&b, "  wire [%d:0] vb;\n  genvar i;\n  generate for (i = 0; i < %d; i = i + 1) begin : g_v\n", k.N-1, k.N)
	vc := fmt.Sprintf("ev[%d + i*%d +: %d]", ov, k.VW, k.VW)
	if k.VS {
		fmt.Fprintf(&b, "    assign vb[i] = $signed(%s) > $signed(%s);\n", vc, litInt(k.VT, k.VW))
	} else {
		fmt.Fprintf(&b, "    assign vb[i] = %s > %s;\n", vc, litInt(k.VT, k.VW))
	}
	fmt.Fprintf(&b, "  end endgenerate\n")
	fmt.Fprintf(&b, "  wire [%d:0] in_beta = ev[%d + grp*%d +: %d];\n", L*k.WB-1, ob, L*k.WB, L*k.WB)
	fmt.Fprintf(&b, "  wire [%d:0] in_c = ev[%d + grp*%d +: %d];\n", L*k.C*k.WC-1, oc, L*k.C*k.WC, L*k.C*k.WC)
	if k.P > 0 {
		fmt.Fprintf(&b, "  wire [%d:0] in_p = ev[%d + grp*%d +: %d];\n", L*k.P*k.WP-1, payOff, L*k.P*k.WP, L*k.P*k.WP)
	} else {
		fmt.Fprintf(&b, "  wire [0:0] in_p = 1'b0;\n")
	}
	fmt.Fprintf(&b, "  wire [%d:0] in_v = vb[grp*%d +: %d];\n", L-1, L, L)
	fmt.Fprintf(&b, "  wire out_act;\n  wire [%d:0] out_assign;\n  wire [%d:0] out_clusters;\n  wire [31:0] out_n;\n", k.N*32-1, k.M*(1+k.P)*k.OW-1)
	fmt.Fprintf(&b, "  trigo_graph_cond #(\n    %s\n  ) u_k (.clk(ap_clk), .ce(ce), .rst(rst), .in_act(evv & gin), .in_grp(grp),\n", k.params("    "))
	fmt.Fprintf(&b, "    .in_beta(in_beta), .in_c(in_c), .in_p(in_p), .in_v(in_v),\n")
	fmt.Fprintf(&b, "    .out_act(out_act), .out_assign(out_assign), .out_clusters(out_clusters), .out_n(out_n));\n")
	fmt.Fprintf(&b, "  always @(posedge ap_clk) begin\n    if (rst) ov <= 1'b0; else if (ce) ov <= out_act;\n")
	fmt.Fprintf(&b, "    if (ce) od <= {out_n, out_clusters, out_assign};\n  end\n")
	fmt.Fprintf(&b, "  assign m_axis_tdata = od;\n  assign m_axis_tvalid = ov;\nendmodule\n")
	return b.String()
}

// condLib returns the text of trigo_graph_cond and the library modules it
// instantiates.
func condLib(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("`timescale 1ns / 1ps\n")
	for _, m := range libClosure([]string{"trigo_graph_cond"}) {
		src, err := libSource(m)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(src)
		b.WriteString("\n")
	}
	return b.String()
}

// condPorts returns the design's ports: the graph's, with the clusters
// port reduced to the beta column when the kernel has no payload.
func condPorts(t testing.TB, g *ir.Graph, k *condKernel) (in, out []rtlsim.Port, inBits, payOff int) {
	t.Helper()
	in, out, err := rtlsim.PortsOf(g)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range in {
		if i == 3 {
			payOff = inBits
		}
		inBits += p.Elements * p.Width
	}
	if k.P == 0 {
		out[1].Elements, out[1].Shape = k.M, ir.Shape{k.M, 1}
	}
	return in, out, inBits, payOff
}

// condDesign writes the top level and the library into dir.
func condDesign(t testing.TB, g *ir.Graph, k *condKernel, dir string) rtlsim.Design {
	t.Helper()
	in, out, inBits, payOff := condPorts(t, g, k)
	lib := writeFile(t, dir, "trigo_lib.v", []byte(condLib(t)))
	top := writeFile(t, dir, "cond_top.v", []byte("`timescale 1ns / 1ps\n"+k.top("cond_top", inBits, payOff)))
	return rtlsim.Design{Top: "cond_top", Files: []string{lib, top}, Inputs: in, Outputs: out,
		LatencyCycles: k.testLatency(), IICycles: k.minII()}
}

// condEvents returns n events for case c: cycling through empty, full
// with random codes, random occupancy near the beta threshold on the
// coordinate lattice, equal betas everywhere (ties), betas at
// beta_code / beta_code+1 / +2, more candidates than max_clusters (far
// apart), two beta values with duplicated rows, and extreme codes.
// Lattice coordinates are base + unit·a (+1 now and then), a in −5..5 per
// dimension: pairs at d² = 25·unit² = dist_code − 1 (within) and
// 25·unit² + 1 = dist_code (not within) are frequent.
func condEvents(g *ir.Graph, c condCase, n int, seed uint64) []sim.Codes {
	r := rand.New(rand.NewPCG(seed, 11))
	ins := make([]sim.Codes, len(g.Inputs))
	for i, v := range g.Inputs {
		ins[i] = sim.Codes{Events: n, Shape: v.Shape.Clone(), Type: v.Type, Data: make([]int64, n*v.Shape.Size())}
	}
	N, C, P := c.N, c.C, c.P
	bt, ct, vt, pt := g.Inputs[0].Type.Fixed, g.Inputs[1].Type.Fixed, g.Inputs[2].Type.Fixed, g.Inputs[3].Type.Fixed
	thr := ir.MaskThreshold(vt)
	code := func(t fixed.Type, lo, hi int64) int64 {
		lo, hi = max(lo, t.MinCode()), min(hi, t.MaxCode())
		return lo + r.Int64N(hi-lo+1)
	}
	clampT := func(t fixed.Type, v int64) int64 { return min(max(v, t.MinCode()), t.MaxCode()) }
	bc := c.betaCode
	for e := 0; e < n; e++ {
		beta := ins[0].Data[e*N : (e+1)*N]
		co := ins[1].Data[e*N*C : (e+1)*N*C]
		v := ins[2].Data[e*N : (e+1)*N]
		pay := ins[3].Data[e*N*P : (e+1)*N*P]
		kind := e % 8
		nValid := r.IntN(N + 1)
		switch kind {
		case 0:
			nValid = 0
		case 1, 5:
			nValid = N
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
		// betas
		tie := code(bt, bc+1, bc+6)
		for i := range beta {
			switch kind {
			case 2:
				if r.IntN(2) == 0 {
					beta[i] = code(bt, bc-3, bc+3)
				} else {
					beta[i] = code(bt, bt.MinCode(), bt.MaxCode())
				}
			case 3:
				beta[i] = tie
			case 4:
				beta[i] = code(bt, bc, bc+2)
			case 5:
				beta[i] = code(bt, bc+1, bt.MaxCode())
			case 6:
				beta[i] = code(bt, bc+1, bc+2)
			case 7:
				if r.IntN(2) == 0 {
					beta[i] = bt.MinCode()
				} else {
					beta[i] = bt.MaxCode()
				}
			default:
				beta[i] = code(bt, bt.MinCode(), bt.MaxCode())
			}
		}
		// coordinates
		switch kind {
		case 2, 3, 4, 6:
			u := c.unit
			base := make([]int64, C)
			for t := range base {
				base[t] = code(ct, ct.MinCode()+6*u, ct.MaxCode()-6*u-1)
			}
			for i := 0; i < N; i++ {
				for t := 0; t < C; t++ {
					x := base[t] + u*int64(r.IntN(11)-5)
					if r.IntN(5) == 0 {
						x++
					}
					co[i*C+t] = clampT(ct, x)
				}
			}
			if kind == 6 { // duplicated rows
				for i := 1; i < N; i++ {
					if r.IntN(2) == 0 {
						j := r.IntN(i)
						copy(co[i*C:(i+1)*C], co[j*C:(j+1)*C])
					}
				}
			}
		case 7:
			for i := range co {
				if r.IntN(2) == 0 {
					co[i] = ct.MinCode()
				} else {
					co[i] = ct.MaxCode()
				}
			}
		default:
			for i := range co {
				co[i] = code(ct, ct.MinCode(), ct.MaxCode())
			}
		}
		for i := range pay {
			switch r.IntN(6) {
			case 0:
				pay[i] = pt.MinCode()
			case 1:
				pay[i] = pt.MaxCode()
			default:
				pay[i] = code(pt, pt.MinCode(), pt.MaxCode())
			}
		}
	}
	return ins
}

// condCoverage counts what the events exercise: events whose walk is cut
// at max_clusters (more candidates left), events with tied candidate
// betas, valid pairs at d² = dist_code − 1 and dist_code, valid vertices
// with beta at beta_code and beta_code + 1.
type condCoverage struct {
	full, ties, empty        int
	distAt, betaAt           [2]int
	clusters, overflowEvents int64
}

func (cv condCoverage) String() string {
	return fmt.Sprintf("%d events cut at max_clusters, %d with tied candidate betas, %d with no cluster; pairs at dist_code-1 / dist_code: %d / %d; betas at beta_code / +1: %d / %d; %d clusters, %d conversion overflows",
		cv.full, cv.ties, cv.empty, cv.distAt[0], cv.distAt[1], cv.betaAt[0], cv.betaAt[1], cv.clusters, cv.overflowEvents)
}

func condMeasure(c condCase, in, want []sim.Codes) condCoverage {
	var cv condCoverage
	N, C := c.N, c.C
	thr := ir.MaskThreshold(in[2].Type.Fixed)
	dc, bc := c.distCode(), c.betaCode
	for e := 0; e < in[0].Events; e++ {
		beta, co, v := in[0].Event(e), in[1].Event(e), in[2].Event(e)
		nc := want[2].Event(e)[0]
		cv.clusters += nc
		if nc == 0 {
			cv.empty++
		}
		seen := map[int64]int{}
		cands := 0
		for i := 0; i < N; i++ {
			if v[i] <= thr {
				continue
			}
			switch beta[i] {
			case bc:
				cv.betaAt[0]++
			case bc + 1:
				cv.betaAt[1]++
			}
			if beta[i] > bc {
				cands++
				seen[beta[i]]++
			}
			for j := i + 1; j < N; j++ {
				if v[j] <= thr {
					continue
				}
				var d int64
				for t := 0; t < C; t++ {
					df := co[j*C+t] - co[i*C+t]
					d += df * df
				}
				switch d {
				case dc - 1:
					cv.distAt[0]++
				case dc:
					cv.distAt[1]++
				}
			}
		}
		for _, n := range seen {
			if n > 1 {
				cv.ties++
				break
			}
		}
		if nc == int64(c.M) {
			asg := want[0].Event(e)
			for i := 0; i < N; i++ {
				if v[i] > thr && beta[i] > bc && asg[i] < 0 {
					cv.full++
					break
				}
			}
		}
	}
	return cv
}

// condRun simulates events through the kernel and compares with sim.Fixed.
// It returns the rtlsim error (nil: bit-exact, latency and II as declared).
// mutate, when set, alters the kernel (deliberately wrong variants).
func condRun(t *testing.T, c condCase, simulator string, events int, seed uint64, mutate func(*condKernel), work string) (*rtlsim.Result, *hil.Comparison, error) {
	t.Helper()
	g := c.graph(t)
	k := c.kernel(t, g)
	if mutate != nil {
		mutate(k)
	}
	inputs := condEvents(g, c, events, seed)
	f, err := sim.NewFixed(g)
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.Run(inputs)
	if err != nil {
		t.Fatal(err)
	}
	cv := condMeasure(c, inputs, want)
	cv.overflowEvents = f.Report().Node("cd").Overflows()
	nz := 0
	for _, x := range want[1].Data {
		if x != 0 {
			nz++
		}
	}
	if (cv.full == 0 && c.M < c.N) || cv.ties == 0 || cv.empty == 0 || (cv.distAt[0] == 0 && !c.dist0) || cv.distAt[1] == 0 ||
		cv.betaAt[0] == 0 || cv.betaAt[1] == 0 || cv.overflowEvents == 0 || 5*int64(nz) < cv.clusters*int64(1+c.P) {
		t.Fatalf("degenerate events: %s; %d of %d cluster codes non-zero (%d in cluster rows)", cv, nz, len(want[1].Data), cv.clusters*int64(1+c.P))
	}
	t.Logf("%s: %s; %d of %d cluster codes non-zero; step %d cycles, DEPTH %d, minII %d", c.name, cv, nz, len(want[1].Data), k.step(), k.depth(), k.minII())
	if k.P == 0 { // the kernel has no payload: keep the beta column
		cl := want[1]
		w := 1 + c.P
		d := make([]int64, 0, cl.Events*c.M)
		for i := 0; i < len(cl.Data); i += w {
			d = append(d, cl.Data[i])
		}
		want[1] = sim.Codes{Events: cl.Events, Shape: ir.Shape{c.M, 1}, Type: cl.Type, Data: d}
	}
	d := condDesign(t, g, k, t.TempDir())
	res, err := rtlsim.Run(d, inputs, rtlsim.Options{Simulator: simulator, Seed: seed, WorkDir: work})
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := rtlsim.Check(d, res, want)
	return res, cmp, err
}

var (
	condComb = condPipe{}
	condFull = condPipe{ArgRegs: 0xfffffffe, Regs: 0x7}
)

var condCases = []condCase{
	// Two lanes over 4 groups, C = 2, P = 3, M = 2 (the walk is cut
	// often), the ~200 MHz placement (3 cycles a step, minII 6 > T),
	// narrow saturating clusters type.
	{name: "N8_L2_C2_P3_M2", N: 8, C: 2, P: 3, M: 2, L: 2,
		betaType: "fixed<8,2>", cType: "fixed<6,3>", pType: "fixed<10,4>", outType: "fixed<6,2,RND,SAT>", vType: "ufixed<1,1>",
		betaCode: 10, unit: 1, iverilog: true},
	// C = 3, no payload, M = 6, all registers off (one cycle a step),
	// unsigned beta and coordinates, wrapping clusters type.
	{name: "N8_L2_C3_P0_M6_comb", N: 8, C: 3, P: 1, M: 6, L: 2, noPayload: true, pipe: &condComb,
		betaType: "ufixed<7,1>", cType: "ufixed<5,5>", pType: "fixed<4,2>", outType: "fixed<5,1,TRN,WRAP>", vType: "ufixed<1,1>",
		betaCode: 20, unit: 1, iverilog: true},
	// C = 3, P = 3, M = 6, every register on (7 cycles a step, minII 42),
	// negative beta_code, a 3-bit mask type (valid iff code > 2), unsigned
	// payload, unsigned saturating clusters with RND_INF.
	{name: "N8_L2_C3_P3_M6_full", N: 8, C: 3, P: 3, M: 6, L: 2, pipe: &condFull,
		betaType: "fixed<6,3>", cType: "fixed<8,4>", pType: "ufixed<9,3>", outType: "ufixed<5,2,RND_INF,SAT>", vType: "ufixed<3,1>",
		betaCode: -2, unit: 2, iverilog: true},
	// All vertices at once (T = 1), N not a power of two (padded arg-max
	// tree), SAT_SYM with convergent rounding.
	{name: "N6_L6_C2_P1_M3_T1", N: 6, C: 2, P: 1, M: 3, L: 6,
		betaType: "fixed<8,4>", cType: "fixed<7,2>", pType: "fixed<8,4>", outType: "fixed<6,3,RND_CONV,SAT_SYM>", vType: "ufixed<1,1>",
		betaCode: 0, unit: 1, iverilog: true},
	// One lane (T = N = 4), M = 1, dist_code = 0 (only the condensation
	// point joins its cluster), occupancy 3 < T: minII = T, the last group
	// shares phase 0 with the next event's handshake.
	{name: "N4_L1_C2_P2_M1_d0", N: 4, C: 2, P: 2, M: 1, L: 1, dist0: true,
		betaType: "fixed<5,2>", cType: "fixed<4,2>", pType: "fixed<7,3>", outType: "fixed<5,2,RND_ZERO,SAT>", vType: "ufixed<1,1>",
		betaCode: 1, unit: 1, iverilog: true},
	// More clusters than vertices (M = 5 > N = 4), one cycle a step,
	// SAT_ZERO.
	{name: "N4_L2_C2_P1_M5_comb", N: 4, C: 2, P: 1, M: 5, L: 2, pipe: &condComb,
		betaType: "fixed<6,1>", cType: "fixed<5,3>", pType: "fixed<9,5>", outType: "fixed<6,3,TRN_ZERO,SAT_ZERO>", vType: "ufixed<1,1>",
		betaCode: -5, unit: 1, iverilog: true},
	// The ECL model's shape: N = 64, 4 lanes, C = 2, P = 3, M = 6, 16-bit
	// codes, the ~200 MHz placement (3 cycles a step: minII 18, DEPTH 18).
	{name: "N64_L4_C2_P3_M6", N: 64, C: 2, P: 3, M: 6, L: 4,
		betaType: "fixed<16,6,RND,SAT>", cType: "fixed<16,6,RND,SAT>", pType: "fixed<16,6,RND,SAT>", outType: "fixed<12,4,RND,SAT>", vType: "ufixed<1,1>",
		betaCode: 512, unit: 100, verilog: true},
}

func condCaseNamed(name string) condCase {
	for _, c := range condCases {
		if c.name == name {
			return c
		}
	}
	panic(name)
}

// TestCondKernelParams checks the resolved parameters and the cycle
// formulas of the kernel (no tools needed).
func TestCondKernelParams(t *testing.T) {
	c := condCaseNamed("N64_L4_C2_P3_M6")
	g := c.graph(t)
	k := c.kernel(t, g)
	if k.T() != 16 || k.step() != 3 || k.depth() != 18 || k.minII() != 18 || k.testLatency() != 36 {
		t.Errorf("N=64 L=4 M=6: T %d, step %d, DEPTH %d, minII %d, latency %d; want 16, 3, 18, 18, 36",
			k.T(), k.step(), k.depth(), k.minII(), k.testLatency())
	}
	if k.BetaCode != 512 || k.DistCode != 250001 || k.WB != 16 || k.FB != 10 || k.FO != 8 || k.OW != 12 || k.M != 6 || k.P != 3 || k.C != 2 {
		t.Errorf("resolved parameters: %+v", *k)
	}
	if p := k.params("  "); !strings.Contains(p, ".BETA_CODE(64'sd512)") || !strings.Contains(p, ".DIST_CODE(64'd250001)") {
		t.Errorf("params:\n%s", p)
	}
	if _, err := condensationKernel(g, g.Node("cd"), 3); err == nil {
		t.Error("3 lanes for 64 vertices accepted")
	}
	neg := condCaseNamed("N8_L2_C3_P3_M6_full")
	kn := neg.kernel(t, neg.graph(t))
	if p := kn.params(""); !strings.Contains(p, ".BETA_CODE(-64'sd2)") {
		t.Errorf("negative beta_code: %s", p)
	}
	if kn.step() != 7 || kn.minII() != 42 {
		t.Errorf("full pipe: step %d, minII %d; want 7, 42", kn.step(), kn.minII())
	}
}

// TestCondKernelLint lints every test configuration with Verilator -Wall
// and elaborates it with Yosys.
func TestCondKernelLint(t *testing.T) {
	t.Parallel()
	needTool(t, "verilator", "yosys")
	for _, c := range condCases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := c.graph(t)
			k := c.kernel(t, g)
			_, _, inBits, payOff := condPorts(t, g, k)
			dir := t.TempDir()
			writeFile(t, dir, "trigo_lib.v", []byte("/* verilator lint_off DECLFILENAME */\n"+condLib(t)))
			writeFile(t, dir, "cond_top.v", []byte(k.top("cond_top", inBits, payOff)))
			run(t, dir, 2*time.Minute, "verilator", "--lint-only", "-Wall", "-Wno-DECLFILENAME", "--top-module", "cond_top", "trigo_lib.v", "cond_top.v")
			run(t, dir, 4*time.Minute, "yosys", "-q", "-p", "read_verilog trigo_lib.v cond_top.v; hierarchy -check -top cond_top; proc; opt -fast")
		})
	}
}

// TestCondKernelIcarus runs the small configurations in Icarus and shows
// that the tie rule flipped and either threshold one code off fail the
// comparison.
func TestCondKernelIcarus(t *testing.T) {
	t.Parallel()
	needTool(t, "iverilog", "vvp")
	work := t.TempDir()
	for i, c := range condCases {
		if !c.iverilog {
			continue
		}
		c, seed := c, uint64(i+1)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, cmp, err := condRun(t, c, rtlsim.Icarus, 150, seed, nil, work)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s; latency %d, II %d; %d cycles, %d stalled", c.name, cmp, res.Latency, res.II, res.Cycles, res.Stalls)
		})
	}
	wrong := map[string]func(*condKernel){
		"tie_high":      func(k *condKernel) { k.TieHigh = true },
		"dist_code_low": func(k *condKernel) { k.DistCode-- },
		"beta_code_up":  func(k *condKernel) { k.BetaCode++ },
	}
	base := condCaseNamed("N8_L2_C2_P3_M2")
	for name, mutate := range wrong {
		name, mutate := name, mutate
		t.Run(base.name+"/"+name+"_must_fail", func(t *testing.T) {
			t.Parallel()
			_, cmp, err := condRun(t, base, rtlsim.Icarus, 150, 5, mutate, work)
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

// TestCondKernelVerilator runs the ECL-shaped configuration in Verilator
// with random input gaps and output stalls.
func TestCondKernelVerilator(t *testing.T) {
	t.Parallel()
	needTool(t, "verilator")
	work := t.TempDir()
	for i, c := range condCases {
		if !c.verilog {
			continue
		}
		c, seed := c, uint64(20+i)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, cmp, err := condRun(t, c, rtlsim.Verilator, 500, seed, nil, work)
			if err != nil {
				t.Fatal(err)
			}
			if res.Stalls == 0 {
				t.Error("the run should stall")
			}
			t.Logf("%s: %s; latency %d, II %d; %d cycles, %d stalled; build %.1fs, run %.1fs",
				c.name, cmp, res.Latency, res.II, res.Cycles, res.Stalls, res.BuildSeconds, res.RunSeconds)
		})
	}
}

// BenchmarkCondKernelSynth synthesises the kernel for the ECL shape (N = 64,
// L = 4, C = 2, P = 3, M = 6, 16-bit codes) with Yosys synth_xilinx, with
// the ~200 MHz register placement (3 cycles a step) and with every register
// off (1 cycle a step), and reports LUT, FF, DSP and the longest
// combinational path in cells. Minutes of Yosys: run with e.g.
//
//	go test -run XXX -bench CondKernelSynth -benchtime 1x -timeout 0 ./backends/verilog
func BenchmarkCondKernelSynth(b *testing.B) {
	needTool(b, "yosys")
	for _, pc := range []struct {
		name string
		pipe *condPipe
	}{{"200MHz", nil}, {"comb", &condComb}} {
		b.Run(pc.name, func(b *testing.B) {
			c := condCaseNamed("N64_L4_C2_P3_M6")
			c.pipe = pc.pipe
			g := c.graph(b)
			k := c.kernel(b, g)
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				lib := writeFile(b, dir, "trigo_lib.v", []byte(condLib(b)))
				top := writeFile(b, dir, "cond_synth.v", []byte(k.synthTop("cond_synth")))
				rep, err := synth.Run([]string{lib, top}, "cond_synth", synth.Options{WorkDir: filepath.Join(dir, "synth"), Timeout: 2 * time.Hour})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rep.LUT), "LUT")
				b.ReportMetric(float64(rep.FF), "FF")
				b.ReportMetric(float64(rep.DSP), "DSP")
				b.ReportMetric(float64(rep.LongestPath), "path-cells")
				b.ReportMetric(float64(k.step()), "cycles/step")
				b.Logf("%s (step %d, DEPTH %d, minII %d): %s; %.0f s", pc.name, k.step(), k.depth(), k.minII(), rep, rep.Seconds)
			}
		})
	}
}

// synthTop wraps the kernel in a module with plain ports.
func (k *condKernel) synthTop(name string) string {
	gw := max(1, condLog2(k.T()))
	return fmt.Sprintf(`module %[1]s (
  input wire clk, input wire ce, input wire rst, input wire in_act, input wire [%[2]d:0] in_grp,
  input wire [%[3]d:0] in_beta, input wire [%[4]d:0] in_c, input wire [%[5]d:0] in_p, input wire [%[6]d:0] in_v,
  output wire out_act, output wire [%[7]d:0] out_assign, output wire [%[8]d:0] out_clusters, output wire [31:0] out_n);
  trigo_graph_cond #(
    %[9]s
  ) u_k (.clk(clk), .ce(ce), .rst(rst), .in_act(in_act), .in_grp(in_grp), .in_beta(in_beta), .in_c(in_c), .in_p(in_p), .in_v(in_v),
    .out_act(out_act), .out_assign(out_assign), .out_clusters(out_clusters), .out_n(out_n));
endmodule
`, name, gw-1, k.L*k.WB-1, k.L*k.C*k.WC-1, max(1, k.L*k.P*k.WP)-1, k.L-1, k.N*32-1, k.M*(1+k.P)*k.OW-1, k.params("    "))
}
