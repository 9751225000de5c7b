package verilog

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"trigo/ir"
	"trigo/ir/fixed"
)

// sig is a tensor as the top level sees it: a flat net of n elements of
// type t (element i in bits [i*W +: W]), available after cycle register
// stages plus arr ns of combinational logic. cycle -1 marks a net that
// never changes (constants): it needs no alignment.
type sig struct {
	net   string
	n     int
	t     fixed.Type
	cycle int
	arr   float64
	konst []int64 // constant codes of a graph constant, declared on first use
	used  bool
	// lo, hi bound the codes when known to be narrower than the type's
	// range (nil: the full range).
	lo, hi *big.Int
}

// codes returns the range of s's codes.
func (s *sig) codes() (lo, hi *big.Int) {
	if s.lo != nil {
		return s.lo, s.hi
	}
	if s.konst != nil && len(s.konst) > 0 {
		lo, hi = big.NewInt(s.konst[0]), big.NewInt(s.konst[0])
		for _, c := range s.konst {
			v := big.NewInt(c)
			if v.Cmp(lo) < 0 {
				lo = v
			}
			if v.Cmp(hi) > 0 {
				hi = v
			}
		}
		return lo, hi
	}
	return bound(s.t)
}

// convRange is the range of convert(v) for v in [lo, hi] when the
// conversion is monotonic (it saturates or cannot overflow); nil otherwise.
func convRange(c cvt, t fixed.Type, frac int, lo, hi *big.Int) (*big.Int, *big.Int) {
	c = c.withRange(lo, hi)
	if c.Ovf == fixed.WRAP && c.overflows() {
		return nil, nil
	}
	if !lo.IsInt64() || !hi.IsInt64() {
		return nil, nil
	}
	a, _ := t.Convert(lo.Int64(), frac)
	b, _ := t.Convert(hi.Int64(), frac)
	return big.NewInt(a), big.NewInt(b)
}

func (s *sig) bits() int { return s.n * s.t.Width }

// step is one combinational step of a layer, with its estimated delay.
type step struct {
	name  string
	delay float64
}

// kv is a parameter or port connection.
type kv struct {
	k, v string
	bits int // > 0: a wide constant, declared as a localparam of this width
}

// Schedule is the pipeline plan of a design.
type Schedule struct {
	ClockMHz float64 `json:"clock_mhz"`
	// BudgetNS is the combinational time per stage: the period minus the
	// register overhead.
	BudgetNS float64         `json:"budget_ns"`
	Latency  int             `json:"latency_cycles"`
	II       int             `json:"ii_cycles"`
	Layers   []LayerSchedule `json:"layers"`
	// Lanes and Vertices describe a graph network's vertex stream: N
	// vertices per event in groups of Lanes (0 for other models).
	Lanes    int `json:"lanes,omitempty"`
	Vertices int `json:"vertices,omitempty"`
	// Over lists stages whose estimated delay exceeds the budget (a single
	// step longer than a clock period cannot be split by the scheduler).
	Over []string `json:"over_budget,omitempty"`
}

// LayerSchedule places one layer (or a fused pair) in the pipeline.
type LayerSchedule struct {
	Layer    string  `json:"layer"`
	Op       string  `json:"op"`
	Module   string  `json:"module"`
	InCycle  int     `json:"in_cycle"`  // register stages before its inputs
	InNS     float64 `json:"in_ns"`     // combinational delay already spent in that stage
	OutCycle int     `json:"out_cycle"` // register stages before its output
	OutNS    float64 `json:"out_ns"`
	Stages   string  `json:"stages"` // steps with delays, "|" where a register sits
	// Reuse is the layer's reuse factor (time-multiplexed when > 1).
	Reuse int `json:"reuse,omitempty"`
	// Multipliers counts the `*` operators of a dense or conv layer (each
	// a DSP in "dsp" mode): one per constant multiplication at reuse 1,
	// one per shared multiplier (slot) at reuse R > 1; 0 in "lut" mode.
	Multipliers int `json:"multipliers,omitempty"`
}

type design struct {
	g       *ir.Graph
	b       *Backend
	dm      *DelayModel
	budget  float64
	lutMul  bool
	arity   int
	ix      *ir.Index
	nm      *namer
	sigs    map[string]*sig
	delayed map[string]*sig
	body    strings.Builder
	used    map[string]bool
	sched   Schedule
	fused   map[string]*ir.Node // relu node -> the dense/conv it is folded into
	ins     []*sig
	outs    []*sig
	latency int
	// ii is the initiation interval (the largest reuse factor), pw the
	// width of the phase counter ph (II > 1 only).
	ii, pw int
	// stream is set for graph networks (stream.go): vertex streaming.
	stream *streamPlan
	grps   map[int][2]string // group index nets by stage mod II
	vbits  map[string]*sig   // valid bits by mask value
}

func (b *Backend) build(g *ir.Graph) (*design, error) {
	d := &design{
		g: g, b: b, dm: b.dm, budget: b.dm.budget(b.opts.ClockMHz),
		lutMul: b.opts.Multipliers == "lut", arity: b.opts.AdderArity,
		ix: g.BuildIndex(), nm: newNamer("ap_clk", "ap_rst_n", "s_axis_tdata", "s_axis_tvalid", "s_axis_tready",
			"m_axis_tdata", "m_axis_tvalid", "m_axis_tready", "ce", "vld", "ph", "ph0"),
		sigs: map[string]*sig{}, delayed: map[string]*sig{}, used: map[string]bool{}, fused: map[string]*ir.Node{},
		grps: map[int][2]string{}, vbits: map[string]*sig{},
	}
	if isGraphNetwork(g) {
		d.nm.unique("graph_rst")
		d.nm.unique("event_in")
		d.sched = Schedule{ClockMHz: b.opts.ClockMHz, BudgetNS: d.budget}
		sp, err := b.planStream(g)
		if err != nil {
			return nil, fmt.Errorf("rtl: graph network %q: %w", g.Name, err)
		}
		if err := d.buildStream(sp); err != nil {
			return nil, err
		}
		return d, nil
	}
	d.ii = b.ii(g)
	d.pw = max(1, clog(d.ii, 2))
	d.sched = Schedule{ClockMHz: b.opts.ClockMHz, BudgetNS: d.budget, II: d.ii}
	off := 0
	for _, v := range g.Inputs {
		s := &sig{net: d.nm.unique("in_" + sanitize(v.Name, "")), n: v.Shape.Size(), t: v.Type.Fixed}
		fmt.Fprintf(&d.body, "  // input %s: %s%v, s_axis_tdata[%d +: %d]\n", v.Name, v.Type, v.Shape, off, s.bits())
		fmt.Fprintf(&d.body, "  wire [%d:0] %s = s_axis_tdata[%d +: %d];\n", s.bits()-1, s.net, off, s.bits())
		off += s.bits()
		d.sigs[v.Name] = s
		d.ins = append(d.ins, s)
	}
	d.body.WriteString("\n")
	for _, c := range g.Consts {
		d.sigs[c.Name] = &sig{net: "k_" + sanitize(c.Name, ""), n: c.Shape.Size(), t: c.Type.Fixed, cycle: -1, konst: c.Codes}
	}
	for _, n := range g.Nodes {
		if _, ok := d.fused[n.Name]; ok {
			continue
		}
		if err := d.node(n); err != nil {
			return nil, fmt.Errorf("rtl: node %q (%s): %w", n.Name, n.Op, err)
		}
	}
	d.finishOutputs()
	return d, nil
}

// input returns the signal of a node's i-th input.
func (d *design) input(n *ir.Node, i int) *sig { return d.sigs[n.Inputs[i]] }

// constOf returns the constant a node input names (nil when not constant).
func (d *design) constOf(name string) *ir.Const { return d.ix.Consts[name] }

// net returns a signal's net name, declaring a graph constant on first use.
func (d *design) net(s *sig) string {
	if s.konst != nil && !s.used {
		s.net = d.nm.unique(s.net)
		fmt.Fprintf(&d.body, "  // constant (%s[%d])\n", s.t, s.n)
		fmt.Fprintf(&d.body, "  wire [%d:0] %s = %s;\n\n", s.bits()-1, s.net, vecLit(bigs(s.konst), s.t.Width, "    "))
	}
	s.used = true
	return s.net
}

// delay returns s delayed by k register stages (a shared delay line).
func (d *design) delay(s *sig, k int) *sig {
	if k <= 0 || s.cycle < 0 {
		return s
	}
	key := fmt.Sprintf("%s/%d", s.net, k)
	if r, ok := d.delayed[key]; ok {
		return r
	}
	r := &sig{net: d.nm.unique(fmt.Sprintf("%s_d%d", s.net, k)), n: s.n, t: s.t, cycle: s.cycle + k}
	d.used["trigo_delay"] = true
	fmt.Fprintf(&d.body, "  // %s delayed by %d cycle(s) to stage %d\n", s.net, k, r.cycle)
	fmt.Fprintf(&d.body, "  wire [%d:0] %s;\n", r.bits()-1, r.net)
	fmt.Fprintf(&d.body, "  trigo_delay #(.W(%d), .D(%d)) u_%s (.clk(ap_clk), .ce(ce), .d(%s), .q(%s));\n\n",
		s.bits(), k, r.net, d.net(s), r.net)
	d.delayed[key] = r
	return r
}

// align brings the non-constant inputs to the same stage, delaying the
// earlier ones, and returns that stage and the latest arrival in it.
func (d *design) align(ins []*sig) (int, float64, []*sig) {
	cyc := -1
	for _, s := range ins {
		cyc = max(cyc, s.cycle)
	}
	if cyc < 0 {
		return 0, 0, ins
	}
	out := make([]*sig, len(ins))
	arr := 0.0
	for i, s := range ins {
		out[i] = s
		if s.cycle < 0 {
			continue
		}
		if s.cycle < cyc {
			out[i] = d.delay(s, cyc-s.cycle)
		} else {
			arr = max(arr, s.arr)
		}
	}
	return cyc, arr, out
}

// schedule places registers in front of steps so that no stage exceeds the
// budget: steps chain while they fit.
func (d *design) schedule(name string, cycle int, t float64, steps []step) (regs []bool, outCycle int, outArr float64, desc string) {
	const eps = 1e-9
	regs = make([]bool, len(steps)+1)
	var b strings.Builder
	stageStart := 0
	for i, s := range steps {
		if s.delay > 0 && t > 0 && t+s.delay > d.budget+eps {
			regs[i] = true
			cycle++
			t = 0
			b.WriteString(" |")
			stageStart = i
		}
		t += s.delay
		if s.delay > 0 {
			fmt.Fprintf(&b, " %s %.2f", s.name, s.delay)
		}
		if t > d.budget+eps && (i == len(steps)-1 || steps[i+1].delay > 0) {
			msg := fmt.Sprintf("%s: stage %d (%s..%s) needs %.2f ns, budget %.2f ns", name, cycle, steps[stageStart].name, s.name, t, d.budget)
			if len(d.sched.Over) == 0 || d.sched.Over[len(d.sched.Over)-1] != msg {
				d.sched.Over = append(d.sched.Over, msg)
			}
		}
	}
	return regs, cycle, t, strings.TrimSpace(b.String())
}

// regsLit renders a REGS parameter.
func regsLit(regs []bool) string {
	var b strings.Builder
	for i := len(regs) - 1; i >= 0; i-- {
		if regs[i] {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return "64'b" + b.String()
}

// regsComment names the register positions.
func regsComment(steps []step, regs []bool) string {
	var parts []string
	for i, r := range regs {
		if !r {
			continue
		}
		switch {
		case i == 0:
			parts = append(parts, "input")
		case i == len(steps):
			parts = append(parts, "output")
		default:
			parts = append(parts, "after "+steps[i-1].name)
		}
	}
	if len(parts) == 0 {
		return "no registers (combinational)"
	}
	return "registers: " + strings.Join(parts, ", ")
}

// layerSpec is one library-module instance for a node.
type layerSpec struct {
	node    *ir.Node
	label   string // layer name(s)
	op      string
	module  string
	comment []string
	params  []kv
	ins     []kv // port -> signal net
	insSig  []*sig
	steps   []step
	out     *ir.Value
	outT    fixed.Type
	outN    int
	// plan, when set, schedules the layer instead of d.schedule over
	// steps (time-multiplexed layers: two chains around the accumulator).
	// It may add parameters that depend on the schedule.
	plan func(cycle int, arr float64) (regs []bool, outCycle int, outArr float64, desc string)
	// reuse and mults go into the LayerSchedule.
	reuse, mults int
}

// emitLayer schedules a layer (its inputs already aligned: cycle, arr),
// declares its output and writes the instance. It returns the output.
func (d *design) emitLayer(l *layerSpec, cycle int, arr float64) *sig {
	base := sanitize(l.node.Name, "n_")
	if p := d.ix.Producer[l.out.Name]; p != nil && p != l.node { // fused: named after the last layer
		base = sanitize(p.Name, "n_")
	}
	return d.emitLayerBase(l, cycle, arr, base)
}

func (d *design) emitLayerBase(l *layerSpec, cycle int, arr float64, base string) *sig {
	var regs []bool
	var oc int
	var oa float64
	var desc string
	if l.plan != nil {
		regs, oc, oa, desc = l.plan(cycle, arr)
	} else {
		regs, oc, oa, desc = d.schedule(l.label, cycle, arr, l.steps)
	}
	out := &sig{net: d.nm.unique(base + "_out"), n: l.outN, t: l.outT, cycle: oc, arr: oa}
	inst := d.nm.unique("u_" + base)
	d.used[l.module] = true
	d.sched.Layers = append(d.sched.Layers, LayerSchedule{Layer: l.label, Op: l.op, Module: l.module,
		InCycle: cycle, InNS: round2(arr), OutCycle: oc, OutNS: round2(oa), Stages: desc, Reuse: l.reuse, Multipliers: l.mults})
	var b = &d.body
	fmt.Fprintf(b, "  // ---- layer %s: %s\n", l.label, l.op)
	for _, c := range l.comment {
		fmt.Fprintf(b, "  //   %s\n", c)
	}
	fmt.Fprintf(b, "  //   pipeline: inputs at stage %d + %.2f ns; %s; output at stage %d + %.2f ns\n", cycle, arr, desc, oc, oa)
	fmt.Fprintf(b, "  wire [%d:0] %s;\n", out.bits()-1, out.net)
	var ps []kv
	for _, p := range l.params {
		if p.bits > 0 {
			name := d.nm.unique(strings.ToUpper(inst[2:]) + "_" + p.k)
			fmt.Fprintf(b, "  localparam [%d:0] %s = %s;\n", p.bits-1, name, p.v)
			p.v = name
		}
		ps = append(ps, p)
	}
	fmt.Fprintf(b, "  %s #(\n", l.module)
	for _, p := range ps {
		fmt.Fprintf(b, "    .%s(%s),\n", p.k, p.v)
	}
	fmt.Fprintf(b, "    .REGS(%s) // %s\n", regsLit(regs), regsComment(l.steps, regs))
	fmt.Fprintf(b, "  ) %s (\n    .clk(ap_clk), .ce(ce),\n", inst)
	for _, p := range l.ins {
		fmt.Fprintf(b, "    .%s(%s),\n", p.k, p.v)
	}
	fmt.Fprintf(b, "    .y(%s)\n  );\n\n", out.net)
	d.sigs[l.out.Name] = out
	return out
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// finishOutputs registers and aligns the graph outputs.
func (d *design) finishOutputs() {
	outs := make([]*sig, len(d.g.Outputs))
	L := 1
	for i, name := range d.g.Outputs {
		s := d.sigs[name]
		if s.cycle >= 0 && s.arr > 0 {
			s = d.delay(s, 1) // the output register
		}
		outs[i] = s
		L = max(L, s.cycle)
	}
	for i, s := range outs {
		if s.cycle >= 0 && s.cycle < L {
			outs[i] = d.delay(s, L-s.cycle)
		}
		d.net(outs[i])
	}
	d.outs = outs
	d.latency = L
	d.sched.Latency = L
}

func (d *design) usedModules() []string {
	var out []string
	for m := range d.used {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// topModule assembles the top-level module.
func (d *design) topModule(top, header string) string {
	var b strings.Builder
	inBits, outBits := 0, 0
	for _, s := range d.ins {
		inBits += s.bits()
	}
	for _, s := range d.outs {
		outBits += s.bits()
	}
	L := d.latency
	b.WriteString(header)
	b.WriteString("// Top level (backends/verilog/CONTRACT.md): one AXI4-Stream beat per event.\n")
	fmt.Fprintf(&b, "// s_axis_tdata (%d bits), element 0 of the first input in the LSBs:\n", inBits)
	for _, t := range PortLayout(d.g).Inputs {
		fmt.Fprintf(&b, "//   [%d +: %d] %s: %s%v\n", t.Offset, t.Width*t.Elements, t.Name, t.Type, t.Shape)
	}
	fmt.Fprintf(&b, "// m_axis_tdata (%d bits):\n", outBits)
	for _, t := range PortLayout(d.g).Outputs {
		fmt.Fprintf(&b, "//   [%d +: %d] %s: %s%v\n", t.Offset, t.Width*t.Elements, t.Name, t.Type, t.Shape)
	}
	fmt.Fprintf(&b, "// Latency %d cycles, II %d. Global stall: every register (and the valid\n", L, d.ii)
	b.WriteString("// chain) is enabled by ce = ~m_axis_tvalid | m_axis_tready.\n")
	if d.ii > 1 {
		fmt.Fprintf(&b, "// Time-multiplexed layers: the phase counter ph runs 0..%d (advancing with\n", d.ii-1)
		b.WriteString("// ce); an event is accepted at phase 0 only, so a value of pipeline stage s\n")
		fmt.Fprintf(&b, "// is valid while ph == s mod %d.\n", d.ii)
	}
	fmt.Fprintf(&b, "// Estimated stage budget %.2f ns (%g MHz minus %.2f ns register overhead).\n", d.budget, d.b.opts.ClockMHz, d.dm.RegOverhead)
	b.WriteString("`timescale 1ns / 1ps\n\n")
	fmt.Fprintf(&b, "module %s (\n", top)
	b.WriteString("  input  wire ap_clk,\n  input  wire ap_rst_n,\n")
	fmt.Fprintf(&b, "  input  wire [%d:0] s_axis_tdata,\n  input  wire s_axis_tvalid,\n  output wire s_axis_tready,\n", inBits-1)
	fmt.Fprintf(&b, "  output wire [%d:0] m_axis_tdata,\n  output wire m_axis_tvalid,\n  input  wire m_axis_tready\n);\n", outBits-1)
	fmt.Fprintf(&b, "  localparam LATENCY = %d;\n\n", L)
	b.WriteString("  // ---- handshake: a valid bit travels with each event; ce stalls everything\n")
	b.WriteString("  reg  [LATENCY-1:0] vld;\n")
	b.WriteString("  wire ce = ~vld[LATENCY-1] | m_axis_tready;\n")
	if d.ii == 1 {
		b.WriteString("  assign s_axis_tready = ce & ap_rst_n;\n")
		b.WriteString("  assign m_axis_tvalid = vld[LATENCY-1];\n")
		b.WriteString("  always @(posedge ap_clk) begin\n")
		b.WriteString("    if (!ap_rst_n) vld <= {LATENCY{1'b0}};\n")
		if L == 1 {
			b.WriteString("    else if (ce) vld <= s_axis_tvalid;\n")
		} else {
			b.WriteString("    else if (ce) vld <= {vld[LATENCY-2:0], s_axis_tvalid};\n")
		}
		b.WriteString("  end\n\n")
	} else {
		fmt.Fprintf(&b, "  // phase: II = %d cycles between events; events enter at phase 0\n", d.ii)
		fmt.Fprintf(&b, "  reg  [%d:0] ph;\n", d.pw-1)
		fmt.Fprintf(&b, "  wire ph0 = (ph == %d'd0);\n", d.pw)
		b.WriteString("  assign s_axis_tready = ce & ap_rst_n & ph0;\n")
		b.WriteString("  assign m_axis_tvalid = vld[LATENCY-1];\n")
		b.WriteString("  always @(posedge ap_clk) begin\n")
		b.WriteString("    if (!ap_rst_n) begin\n")
		b.WriteString("      vld <= {LATENCY{1'b0}};\n")
		fmt.Fprintf(&b, "      ph <= %d'd0;\n", d.pw)
		b.WriteString("    end else if (ce) begin\n")
		if L == 1 {
			b.WriteString("      vld <= s_axis_tvalid & ph0;\n")
		} else {
			b.WriteString("      vld <= {vld[LATENCY-2:0], s_axis_tvalid & ph0};\n")
		}
		if d.ii == 1<<d.pw {
			fmt.Fprintf(&b, "      ph <= ph + %d'd1;\n", d.pw)
		} else {
			fmt.Fprintf(&b, "      ph <= (ph == %d'd%d) ? %d'd0 : ph + %d'd1;\n", d.pw, d.ii-1, d.pw, d.pw)
		}
		b.WriteString("    end\n")
		b.WriteString("  end\n\n")
	}
	b.WriteString(d.body.String())
	b.WriteString("  // ---- outputs\n")
	var parts []string
	for i := len(d.outs) - 1; i >= 0; i-- {
		parts = append(parts, d.outs[i].net)
	}
	fmt.Fprintf(&b, "  assign m_axis_tdata = {%s};\n", strings.Join(parts, ", "))
	b.WriteString("endmodule\n")
	return b.String()
}

// bound returns the value range of a fixed type's codes.
func bound(t fixed.Type) (lo, hi *big.Int) { return codeRange(t.Width, t.Signed) }

func ux(t fixed.Type) int { return b01(!t.Signed) }
