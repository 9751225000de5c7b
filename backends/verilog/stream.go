package verilog

// Graph networks in RTL: vertex streaming (GRAPH.md §1). A graph network
// is mostly the same small network applied to every vertex, so the design
// instantiates its per-vertex layers for L vertices (lanes) and streams an
// event's N vertices through them as T = N/L groups, one group per cycle.
// The global ops (gravnet_agg, global_exchange, condensation) collect the
// groups of an event, compute and re-stream the result (or emit it as
// event-level values). Everything stays in the static, globally stalled
// pipeline of CONTRACT.md: a streamed value at stage c carries group g in
// the cycle the phase counter says stage c+g, so the existing scheduler,
// alignment and delay lines apply unchanged to streams.

import (
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"trigo/backends"
	"trigo/ir"
	"trigo/ir/fixed"
)

// DefaultStreamII is the event interval the default lane count aims at:
// the smallest L dividing N with N/L <= DefaultStreamII (16 cycles: the
// Belle II L1 trigger's 8 MHz event rate at 127.2 MHz).
const DefaultStreamII = 16

// graphKernelOps need a whole event (GRAPH.md §3-§5).
var graphKernelOps = map[string]bool{"gravnet_agg": true, "global_exchange": true, "condensation": true}

// perVertexOps work row by row: on a stream they run on each group of L
// vertices as they would on L-row tensors.
var perVertexOps = map[string]bool{
	"dense": true, "add": true, "sub": true, "mul": true, "relu": true, "leaky_relu": true, "clip": true,
	"lut": true, "cast": true, "bipolar_quant": true, "mask": true, "concat": true, "reshape": true, "slice": true,
}

// isGraphNetwork reports whether g is built as a vertex stream: it has a
// graph op.
func isGraphNetwork(g *ir.Graph) bool {
	for _, n := range g.Nodes {
		if graphKernelOps[n.Op] || n.Op == "mask" {
			return true
		}
	}
	return false
}

// streamPlan is the vertex-stream view of a graph network.
type streamPlan struct {
	N, L, T int
	// II is the event interval: T, or more when a kernel needs longer
	// per event (condensation's walk).
	II int
	// lanes is g with every streamed value's vertex axis N replaced by L:
	// the per-vertex layers are emitted from it unchanged.
	lanes *ir.Graph
	// streamed values (inputs and per-vertex results); the others are
	// constants or event-level values (condensation's outputs).
	streamed map[string]bool
}

// defaultLanes is the smallest divisor L of n with n/L <= DefaultStreamII.
func defaultLanes(n int) int {
	for l := 1; l <= n; l++ {
		if n%l == 0 && n/l <= DefaultStreamII {
			return l
		}
	}
	return n
}

// planStream classifies g's values and builds the lane graph. Errors name
// the node and what vertex streaming supports.
func (b *Backend) planStream(g *ir.Graph) (*streamPlan, error) {
	if len(g.Inputs) == 0 || len(g.Inputs[0].Shape) == 0 {
		return nil, errors.New("graph network without a [N, ...] input")
	}
	N := g.Inputs[0].Shape[0]
	var errs []error
	for _, v := range g.Inputs {
		if len(v.Shape) == 0 || v.Shape[0] != N {
			errs = append(errs, fmt.Errorf("input %q has shape %v: in a graph network every input is [N, ...] with the same N = %d vertices", v.Name, v.Shape, N))
		}
	}
	L := b.opts.Lanes
	if L == 0 {
		L = defaultLanes(N)
	}
	if L < 1 || N%L != 0 {
		errs = append(errs, fmt.Errorf("lanes %d: must divide the %d vertices of an event", L, N))
	}
	for name, r := range b.opts.Reuse {
		if r > 1 {
			errs = append(errs, fmt.Errorf("layer %q: reuse factors are not supported in graph networks yet (use lanes: II = N/lanes)", name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p := &streamPlan{N: N, L: L, T: N / L, streamed: map[string]bool{}}
	ix := g.BuildIndex()
	for _, v := range g.Inputs {
		p.streamed[v.Name] = true
	}
	var unsupported *backends.UnsupportedError
	supported := func() string {
		return strings.Join(slices.Sorted(maps.Keys(perVertexOps)), ", ") + "; gravnet_agg, global_exchange, condensation"
	}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if ix.Consts[in] != nil {
				c := ix.Consts[in]
				if graphKernelOps[n.Op] || n.Op == "dense" {
					continue // weights, tables
				}
				out := n.Output()
				if len(c.Shape) == len(out.Shape) && len(c.Shape) > 0 && c.Shape[0] == N && N > 1 {
					errs = append(errs, fmt.Errorf("node %q (%s): constant %q %v varies along the vertex axis; vertex streaming needs per-vertex layers to treat every vertex alike", n.Name, n.Op, in, c.Shape))
				}
				continue
			}
			if !p.streamed[in] {
				errs = append(errs, fmt.Errorf("node %q (%s): input %q is an event-level value (a condensation output); only graph outputs may use it", n.Name, n.Op, in))
			}
		}
		switch {
		case n.Op == "condensation":
			// event-level outputs
		case n.Op == "gravnet_agg" || n.Op == "global_exchange":
			p.streamed[n.Output().Name] = true
		case perVertexOps[n.Op]:
			out := n.Output()
			if len(out.Shape) == 0 || out.Shape[0] != N {
				errs = append(errs, fmt.Errorf("node %q (%s): output %v does not keep the vertex axis N = %d in front; vertex streaming supports per-vertex ops only", n.Name, n.Op, out.Shape, N))
			}
			if n.Op == "slice" {
				in := ix.Values[n.Inputs[0]]
				if in == nil || len(in.Shape) == 0 || in.Shape[0] != N {
					errs = append(errs, fmt.Errorf("node %q (slice): slicing the vertex axis is not supported by vertex streaming (slice features: axes >= 1)", n.Name))
				}
			}
			if n.Op == "concat" {
				ax, err := ir.NormAxes([]int64{n.Attrs.Int("axis", 0)}, len(out.Shape))
				if err != nil || ax[0] == 0 {
					errs = append(errs, fmt.Errorf("node %q (concat): concatenation along the vertex axis is not supported by vertex streaming (concatenate features: axis >= 1)", n.Name))
				}
			}
			p.streamed[out.Name] = true
		default:
			if unsupported == nil {
				unsupported = &backends.UnsupportedError{Backend: "verilog", Node: n.Name, Op: n.Op,
					Reason: "the RTL backend streams graph networks vertex by vertex (GRAPH.md) and supports " + supported()}
			} else if !slices.Contains(unsupported.Others, n.Op) && n.Op != unsupported.Op {
				unsupported.Others = append(unsupported.Others, n.Op)
			}
		}
	}
	if unsupported != nil {
		return nil, unsupported // trigo compile skips the backend for this model
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p.II = p.T
	for _, n := range g.Nodes {
		if n.Op == "condensation" {
			ii, err := kernelII(g, n, L, b.dm.budget(b.opts.ClockMHz))
			if err != nil {
				return nil, fmt.Errorf("node %q: %w", n.Name, err)
			}
			p.II = max(p.II, ii)
		}
	}
	p.lanes = p.laneGraph(g)
	return p, nil
}

// laneGraph returns g with the vertex axis of every streamed value set to
// L (reshape targets included). Constants are shared.
func (p *streamPlan) laneGraph(g *ir.Graph) *ir.Graph {
	lv := func(v *ir.Value) *ir.Value {
		if !p.streamed[v.Name] {
			return v
		}
		c := *v
		c.Shape = append(ir.Shape{p.L}, v.Shape[1:]...)
		return &c
	}
	lg := &ir.Graph{Name: g.Name, Consts: g.Consts, Outputs: g.Outputs}
	for _, v := range g.Inputs {
		lg.Inputs = append(lg.Inputs, lv(v))
	}
	for _, n := range g.Nodes {
		c := *n
		c.Outputs = nil
		for _, o := range n.Outputs {
			c.Outputs = append(c.Outputs, lv(o))
		}
		if n.Op == "reshape" {
			c.Attrs = maps.Clone(n.Attrs)
			if s := n.Attrs.Ints("shape"); len(s) > 0 && s[0] == int64(p.N) {
				s = slices.Clone(s)
				s[0] = int64(p.L)
				c.Attrs["shape"] = s
			}
		}
		lg.Nodes = append(lg.Nodes, &c)
	}
	return lg
}

// buildStream builds a graph network as a vertex stream.
func (d *design) buildStream(sp *streamPlan) error {
	g := d.g
	d.stream = sp
	d.ix = sp.lanes.BuildIndex()
	d.ii = sp.II
	d.pw = max(1, clog(d.ii, 2))
	d.sched.II = d.ii
	d.sched.Lanes, d.sched.Vertices = sp.L, sp.N
	inBits := 0
	for _, v := range g.Inputs {
		inBits += v.Shape.Size() * v.Type.Fixed.Width
	}
	load := "ce"
	if d.ii > 1 {
		load = "ce & ph0"
	}
	b := &d.body
	fmt.Fprintf(b, "  // ---- vertex streaming (GRAPH.md): %d vertices per event in %d groups of %d lanes, one\n", sp.N, sp.T, sp.L)
	fmt.Fprintf(b, "  // group per cycle; a new event every %d cycles. The input register holds the event\n", d.ii)
	b.WriteString("  // while its groups are read out.\n")
	fmt.Fprintf(b, "  wire graph_rst = ~ap_rst_n;\n")
	fmt.Fprintf(b, "  reg [%d:0] event_in;\n", inBits-1)
	fmt.Fprintf(b, "  always @(posedge ap_clk) if (%s) event_in <= s_axis_tdata;\n\n", load)
	grp, _ := d.grpAt(1)
	off := 0
	for _, v := range g.Inputs {
		t := v.Type.Fixed
		row := v.Shape.Size() / sp.N * t.Width
		chunk := sp.L * row
		s := &sig{net: d.nm.unique("in_" + sanitize(v.Name, "")), n: chunk / t.Width, t: t, cycle: 1, arr: d.dm.mux(sp.T, d.pw)}
		fmt.Fprintf(b, "  // input %s: %s%v, s_axis_tdata[%d +: %d]; group g (vertices g*%d..g*%d+%d) at stage 1+g\n", v.Name, v.Type, v.Shape, off, v.Shape.Size()*t.Width, sp.L, sp.L, sp.L-1)
		if sp.T == 1 {
			fmt.Fprintf(b, "  wire [%d:0] %s = event_in[%d +: %d];\n", chunk-1, s.net, off, chunk)
			s.arr = 0
		} else {
			fmt.Fprintf(b, "  wire [%d:0] %s = event_in[%d + %s*%d +: %d];\n", chunk-1, s.net, off, grp, chunk, chunk)
		}
		off += v.Shape.Size() * t.Width
		d.sigs[v.Name] = s
		d.ins = append(d.ins, &sig{net: s.net, n: v.Shape.Size(), t: t})
	}
	b.WriteString("\n")
	for _, c := range g.Consts {
		d.sigs[c.Name] = &sig{net: "k_" + sanitize(c.Name, ""), n: c.Shape.Size(), t: c.Type.Fixed, cycle: -1, konst: c.Codes}
	}
	orig := map[string]*ir.Node{}
	for _, n := range g.Nodes {
		orig[n.Name] = n
	}
	for _, n := range sp.lanes.Nodes {
		if _, ok := d.fused[n.Name]; ok {
			continue
		}
		var err error
		switch n.Op {
		case "gravnet_agg":
			err = d.gravnetNode(orig[n.Name], n)
		case "global_exchange":
			err = d.globalExchangeNode(orig[n.Name], n)
		case "condensation":
			err = d.condensationNode(orig[n.Name], n)
		case "mask":
			err = d.maskNode(n)
		default:
			err = d.node(n)
		}
		if err != nil {
			return fmt.Errorf("rtl: node %q (%s): %w", n.Name, n.Op, err)
		}
	}
	for _, name := range g.Outputs {
		if sp.streamed[name] {
			d.sigs[name] = d.collect(name, d.sigs[name])
		}
	}
	d.finishOutputs()
	return nil
}

// grpAt returns the group index (gw bits, 0 outside the event's groups)
// and the group-active bit of a stream whose group 0 is at stage c.
func (d *design) grpAt(c int) (grp, act string) {
	T := d.stream.T
	if T == 1 && d.ii == 1 {
		return "1'b0", "1'b1"
	}
	// With II > T (a condensation walk longer than the event) the kernels
	// must see the event's groups only in its first T phases.
	k := c % d.ii
	if r, ok := d.grps[k]; ok {
		return r[0], r[1]
	}
	gw := max(1, clog(T, 2))
	pw := d.pw
	raw := "ph"
	if k != 0 {
		raw = fmt.Sprintf("((ph >= %d'd%d) ? ph - %d'd%d : ph + %d'd%d)", pw, k, pw, k, pw, d.ii-k)
	}
	gr := d.nm.unique(fmt.Sprintf("group_at_s%d", k))
	grp = d.nm.unique(fmt.Sprintf("grp_s%d", k))
	act = d.nm.unique(fmt.Sprintf("grp_act_s%d", k))
	b := &d.body
	fmt.Fprintf(b, "  // group index of a stream whose group 0 is at stage %d (mod II %d)\n", c, d.ii)
	fmt.Fprintf(b, "  wire [%d:0] %s = %s;\n", pw-1, gr, raw)
	if T == 1<<pw {
		act = "1'b1" // every phase is a group of the event
		fmt.Fprintf(b, "  wire [%d:0] %s = %s;\n\n", gw-1, grp, gr)
	} else {
		fmt.Fprintf(b, "  wire %s = (%s < %d'd%d);\n", act, gr, pw, T)
		fmt.Fprintf(b, "  wire [%d:0] %s = %s ? %s[%d:0] : %d'd0;\n\n", gw-1, grp, act, gr, gw-1, gw)
	}
	d.grps[k] = [2]string{grp, act}
	return grp, act
}

// validBits returns the valid bits (code > MaskThreshold) of a mask
// stream, one bit per lane.
func (d *design) validBits(name string) *sig {
	if s, ok := d.vbits[name]; ok {
		return s
	}
	v := d.sigs[name]
	t := v.t
	thr := ir.MaskThreshold(t)
	s := &sig{net: d.nm.unique("valid_" + sanitize(name, "")), n: v.n, t: fixed.Type{Width: 1, Int: 1}, cycle: v.cycle, arr: v.arr}
	b := &d.body
	fmt.Fprintf(b, "  // valid bits of %s: code > %d\n", name, thr)
	fmt.Fprintf(b, "  wire [%d:0] %s;\n", v.n-1, s.net)
	if t.Width == 1 && !t.Signed && thr == 0 {
		fmt.Fprintf(b, "  assign %s = %s;\n\n", s.net, d.net(v))
	} else {
		s.arr += d.dm.add(t.Width)
		for i := 0; i < v.n; i++ {
			e := fmt.Sprintf("%s[%d +: %d]", d.net(v), i*t.Width, t.Width)
			l := lit(big.NewInt(thr), t.Width)
			if t.Signed {
				e, l = "$signed("+e+")", "$signed("+l+")"
			}
			fmt.Fprintf(b, "  assign %s[%d] = %s > %s;\n", s.net, i, e, l)
		}
		b.WriteString("\n")
	}
	d.vbits[name] = s
	return s
}

// maskNode: y = valid ? convert(x) : 0, lane by lane.
func (d *design) maskNode(n *ir.Node) error {
	out := n.Output()
	T := out.Type.Fixed
	x := d.input(n, 0)
	if c := cvtOf(x.t, T); !c.identity() {
		// convert first, with the wiring layer's conversion (a cast)
		conv := &ir.Node{Name: n.Name + ".convert", Op: "cast", Inputs: []string{n.Inputs[0]},
			Outputs: []*ir.Value{{Name: n.Name + "#converted", Type: out.Type, Shape: d.ix.Values[n.Inputs[0]].Shape}}}
		d.ix.Values[conv.Outputs[0].Name] = conv.Outputs[0]
		if err := d.wiring(conv); err != nil {
			return err
		}
		x = d.sigs[conv.Outputs[0].Name]
	}
	vb := d.validBits(n.Inputs[1])
	cyc, arr, al := d.align([]*sig{x, vb})
	x, vb = al[0], al[1]
	row := x.n / vb.n * T.Width
	s := &sig{net: d.nm.unique(sanitize(n.Name, "n_") + "_out"), n: x.n, t: T, cycle: cyc, arr: arr + d.dm.LUT}
	b := &d.body
	fmt.Fprintf(b, "  // ---- layer %s: mask (rows of invalid vertices are zero)\n", n.Name)
	fmt.Fprintf(b, "  //   %s\n", d.ioComment(n, out))
	fmt.Fprintf(b, "  wire [%d:0] %s;\n", s.bits()-1, s.net)
	for l := 0; l < vb.n; l++ {
		fmt.Fprintf(b, "  assign %s[%d +: %d] = %s[%d] ? %s[%d +: %d] : %d'd0;\n", s.net, l*row, row, d.net(vb), l, d.net(x), l*row, row, row)
	}
	b.WriteString("\n")
	d.sigs[out.Name] = s
	d.sched.Layers = append(d.sched.Layers, LayerSchedule{Layer: n.Name, Op: n.Op, Module: "mux", InCycle: cyc, InNS: round2(arr), OutCycle: s.cycle, OutNS: round2(s.arr)})
	return nil
}

// kernelPipe places the gravnet_agg kernel's registers for the clock: the
// fully registered lane (about one comparator level of the top-k network
// plus a net per stage, GRAPH.md §3.3); at 200 MHz and below, a register
// after every sorted block of 4 and 8 keys instead of only 4.
func (d *design) kernelPipe() gkPipe {
	p := gkPipe{QReg: 1, Regs: 0x3f, SortRegs: 1<<2 | 1<<3, MergeReg: 1}
	if d.budget < 4.0 { // faster than ~230 MHz: a register after every 2 keys as well
		p.SortRegs |= 1 << 1
	}
	return p
}

// gravnetNode instantiates trigo_gravnet_agg for a gravnet_agg node (orig:
// the node with the full vertex axis; ln: its lane-graph copy).
func (d *design) gravnetNode(orig, ln *ir.Node) error {
	k, err := gravnetKernel(d.g, orig, d.stream.L, d.kernelPipe())
	if err != nil {
		return err
	}
	s, h := d.input(ln, 0), d.input(ln, 1)
	vb := d.validBits(ln.Inputs[2])
	cyc, arr, al := d.align([]*sig{s, h, vb})
	grp, act := d.grpAt(cyc)
	out := ln.Output()
	depth := k.depth()
	y := &sig{net: d.nm.unique(sanitize(ln.Name, "n_") + "_out"), n: out.Shape.Size(), t: out.Type.Fixed, cycle: cyc + d.stream.T + depth}
	inst := d.nm.unique("u_" + sanitize(ln.Name, "n_"))
	d.used["trigo_gravnet_agg"] = true
	b := &d.body
	fmt.Fprintf(b, "  // ---- layer %s: gravnet_agg (k = %d, %s distance, %d lanes)\n", ln.Name, k.K, map[bool]string{true: "l2", false: "l1"}[k.L2], k.L)
	fmt.Fprintf(b, "  //   %s\n", d.ioComment(orig, orig.Output()))
	fmt.Fprintf(b, "  //   collects the %d groups arriving from stage %d (+%.2f ns), snapshot, %d kernel stages;\n", d.stream.T, cyc, arr, depth)
	fmt.Fprintf(b, "  //   output group q at stage %d + q\n", y.cycle)
	fmt.Fprintf(b, "  wire [%d:0] %s;\n", y.bits()-1, y.net)
	b.WriteString("  /* verilator lint_off PINCONNECTEMPTY */\n")
	fmt.Fprintf(b, "  trigo_gravnet_agg #(\n    %s\n  ) %s (\n", k.params("    "), inst)
	fmt.Fprintf(b, "    .clk(ap_clk), .ce(ce), .rst(graph_rst), .in_act(%s), .in_grp(%s),\n", act, grp)
	fmt.Fprintf(b, "    .in_s(%s), .in_h(%s), .in_v(%s),\n", d.net(al[0]), d.net(al[1]), d.net(al[2]))
	fmt.Fprintf(b, "    .out_act(), .out_grp(), .out_y(%s)\n  );\n", y.net)
	b.WriteString("  /* verilator lint_on PINCONNECTEMPTY */\n\n")
	d.sigs[out.Name] = y
	d.sched.Layers = append(d.sched.Layers, LayerSchedule{Layer: ln.Name, Op: ln.Op, Module: "trigo_gravnet_agg",
		InCycle: cyc, InNS: round2(arr), OutCycle: y.cycle,
		Stages: fmt.Sprintf("collect %d groups | snapshot | %d kernel stages", d.stream.T, depth)})
	return nil
}

// collect turns a stream into the whole tensor (the deserialiser): groups
// 0..T-2 are held in registers, group T-1 joins them on its wires.
func (d *design) collect(name string, s *sig) *sig {
	T := d.stream.T
	if T == 1 {
		return s
	}
	w := s.bits()
	base := sanitize(name, "out_")
	b := &d.body
	fmt.Fprintf(b, "  // ---- output %s: collect the %d groups (group g at stage %d + g)\n", name, T, s.cycle)
	parts := []string{d.net(s)}
	for g := T - 2; g >= 0; g-- {
		r := d.nm.unique(fmt.Sprintf("%s_grp%d", base, g))
		fmt.Fprintf(b, "  reg [%d:0] %s;\n", w-1, r)
		fmt.Fprintf(b, "  always @(posedge ap_clk) if (ce & (ph == %d'd%d)) %s <= %s;\n", d.pw, (s.cycle+g)%d.ii, r, d.net(s))
		parts = append(parts, r)
	}
	all := &sig{net: d.nm.unique(base + "_all"), n: s.n * T, t: s.t, cycle: s.cycle + T - 1, arr: s.arr}
	fmt.Fprintf(b, "  wire [%d:0] %s = {%s};\n\n", all.bits()-1, all.net, strings.Join(parts, ", "))
	return all
}
