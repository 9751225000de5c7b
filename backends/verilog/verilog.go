// Package verilog is trigo's RTL backend: it prints a quantised IR graph as
// synthesisable Verilog-2001, one fully pipelined datapath behind the
// AXI4-Stream top level of CONTRACT.md.
//
// Files (under OUT/rtl/): <top>.v with the top module and one commented
// instance per layer, trigo_lib.v with the parameterised library modules
// the design uses (one per layer kind, see lib/), and filelist.f.
//
// Arithmetic is exactly the simulator's (ir/SEMANTICS.md): every op
// computes its exact result, then converts it with trigo_convert, which
// implements fixed.Type.Convert bit for bit. Weights are parameters;
// zero weights have no hardware; lookup tables are ROMs.
//
// Pipelining: a delay model (DelayModel) estimates each combinational step
// of each layer (products, adder-tree levels, conversions, ROM reads...)
// and the scheduler chains steps across layers, placing a register in
// front of a step when the stage would exceed the clock period. Every
// register is enabled by one global stall signal, ce = ~m_axis_tvalid |
// m_axis_tready, so back-pressure never loses or duplicates an event.
// Timing reports the latency (register stages from s_axis_tdata to
// m_axis_tdata) and the II (1: fully parallel).
//
// Reuse factors (Options.Reuse) time-multiplex dense and conv layers: a
// layer with reuse factor R computes ceil(terms/R) products per output per
// cycle for R cycles and accumulates them (trigo_mac). The design then
// accepts one event every II cycles, II the largest reuse factor: a phase
// counter in the top level (0..II-1, advancing with ce) lets events in at
// phase 0 only, so every stage of the static pipeline knows the phase at
// which its values are valid.
package verilog

import (
	"errors"
	"fmt"
	"strings"

	"trigo/backends"
	"trigo/ir"
)

// Options steer the RTL backend.
type Options struct {
	// ClockMHz is the target clock (default 250).
	ClockMHz float64
	// Reuse is the reuse factor per layer (node name; default 1: fully
	// parallel). A dense or conv layer with reuse factor R > 1 is time-
	// multiplexed: its products are shared R ways (about R times fewer
	// multipliers) and it takes R cycles per event. Other layers have
	// nothing to share and stay parallel. The design's II is the largest
	// reuse factor (README.md, "Reuse factor").
	Reuse map[string]int
	// Multipliers is "dsp" (default: constant multiplications use the `*`
	// operator, which synthesis maps to DSPs) or "lut" (shift-add of the
	// constant's canonical signed digits, no `*` anywhere: zero DSPs).
	Multipliers string
	// AdderArity is 3 (default: three-input adder levels, one LUT6 + carry
	// chain each on UltraScale) or 2 (binary adder trees).
	AdderArity int
	// Delays is the delay model; nil selects DefaultDelayModel().
	Delays *DelayModel
	// Lanes is the number of vertices a graph network processes per cycle
	// (GRAPH.md): an event of N vertices streams through the per-vertex
	// layers in N/Lanes cycles, which is also the II. 0 picks the smallest
	// lane count with N/Lanes <= DefaultStreamII.
	Lanes int
}

// Backend is the RTL backend. It implements backends.Backend.
type Backend struct {
	opts Options
	dm   *DelayModel
}

var _ backends.Backend = (*Backend)(nil)

// New returns an RTL backend with the given options (zero fields take
// their defaults).
func New(opts Options) *Backend {
	if opts.ClockMHz == 0 {
		opts.ClockMHz = 250
	}
	if opts.Multipliers == "" {
		opts.Multipliers = "dsp"
	}
	if opts.AdderArity == 0 {
		opts.AdderArity = 3
	}
	dm := opts.Delays
	if dm == nil {
		dm = DefaultDelayModel()
	}
	return &Backend{opts: opts, dm: dm}
}

// Name is the output folder.
func (b *Backend) Name() string { return "rtl" }

// Options returns the options with defaults filled in.
func (b *Backend) Options() Options { return b.opts }

func (b *Backend) checkOptions() error {
	var errs []error
	if b.opts.ClockMHz <= 0 || b.opts.ClockMHz > 2000 {
		errs = append(errs, fmt.Errorf("clock %v MHz out of range (0, 2000]", b.opts.ClockMHz))
	}
	if b.opts.Multipliers != "dsp" && b.opts.Multipliers != "lut" {
		errs = append(errs, fmt.Errorf("multipliers %q: want \"dsp\" or \"lut\"", b.opts.Multipliers))
	}
	if b.opts.AdderArity != 2 && b.opts.AdderArity != 3 {
		errs = append(errs, fmt.Errorf("adder arity %d: want 2 or 3", b.opts.AdderArity))
	}
	if b.opts.Lanes < 0 {
		errs = append(errs, fmt.Errorf("lanes %d: want >= 1 (0: default)", b.opts.Lanes))
	}
	if b.dm.budget(b.opts.ClockMHz) <= 0 {
		errs = append(errs, fmt.Errorf("clock %v MHz leaves no time after the register overhead (%v ns)", b.opts.ClockMHz, b.dm.RegOverhead))
	}
	return errors.Join(errs...)
}

// Prepare validates the graph and checks that the backend supports it. It
// returns the graph unchanged: the emitter prints the quantised graph as
// is.
func (b *Backend) Prepare(g *ir.Graph) (*ir.Graph, error) {
	if err := b.checkOptions(); err != nil {
		return nil, fmt.Errorf("rtl: %w", err)
	}
	if g == nil {
		return nil, errors.New("rtl: nil graph")
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("rtl: invalid graph %q: %w", g.Name, err)
	}
	if !g.IsFixed() {
		return nil, fmt.Errorf("rtl: graph %q is a float graph: quantise it first", g.Name)
	}
	if err := backends.CheckOps(g, "verilog", supportedOps); err != nil {
		return nil, err // graph ops: a later issue
	}
	var errs []error
	for _, v := range g.Inputs {
		if v.Type.Kind != ir.Fixed {
			errs = append(errs, fmt.Errorf("input %q is %s: the RTL backend needs fixed-point values", v.Name, v.Type))
		}
	}
	nodes := map[string]bool{}
	for _, n := range g.Nodes {
		nodes[n.Name] = true
		if !supportedOps[n.Op] {
			errs = append(errs, fmt.Errorf("node %q: op %s is not supported by the RTL backend (supported: %s)", n.Name, n.Op, strings.Join(supportedOpList(), ", ")))
		}
		for _, o := range n.Outputs {
			if o.Type.Kind == ir.Int32 && n.Op == "condensation" {
				continue // cluster indices and counts: 32-bit two's complement
			}
			if o.Type.Kind != ir.Fixed {
				errs = append(errs, fmt.Errorf("node %q: output %q is %s: the RTL backend needs fixed-point values", n.Name, o.Name, o.Type))
			}
		}
	}
	for name, r := range b.opts.Reuse {
		if !nodes[name] {
			errs = append(errs, fmt.Errorf("reuse factor for %q: no such layer", name))
			continue
		}
		if r < 1 || r > MaxReuse {
			errs = append(errs, fmt.Errorf("layer %q: reuse factor %d out of range 1..%d", name, r, MaxReuse))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("rtl: %w", err)
	}
	if isGraphNetwork(g) {
		if _, err := b.planStream(g); err != nil {
			return nil, fmt.Errorf("rtl: graph network %q: %w", g.Name, err)
		}
	}
	return g, nil
}

// MaxReuse is the largest reuse factor the backend accepts.
const MaxReuse = 1024

// reuse returns the reuse factor of a layer (1 unless set).
func (b *Backend) reuse(name string) int {
	if r, ok := b.opts.Reuse[name]; ok && r > 1 {
		return r
	}
	return 1
}

// ii is the design's initiation interval: the largest reuse factor of a
// layer of g.
func (b *Backend) ii(g *ir.Graph) int {
	ii := 1
	for _, n := range g.Nodes {
		ii = max(ii, b.reuse(n.Name))
	}
	return ii
}

var supportedOps = map[string]bool{
	"dense": true, "conv": true, "add": true, "sub": true, "mul": true, "relu": true, "leaky_relu": true,
	"clip": true, "maxpool": true, "avgpool": true, "reduce_sum": true, "reduce_max": true,
	"reshape": true, "transpose": true, "concat": true, "cast": true, "bipolar_quant": true, "lut": true,
	// graph networks (stream.go, GRAPH.md)
	"slice": true, "mask": true, "gravnet_agg": true, "global_exchange": true, "condensation": true,
}

func supportedOpList() []string {
	var out []string
	for _, op := range ir.OpNames() {
		if supportedOps[op] {
			out = append(out, op)
		}
	}
	return out
}

// Emit prints the design: <top>.v, trigo_lib.v and filelist.f.
func (b *Backend) Emit(g *ir.Graph, opts backends.Options) ([]backends.File, error) {
	if _, err := b.Prepare(g); err != nil {
		return nil, err
	}
	top := opts.Top
	if top == "" {
		top = TopName(g)
	}
	if sanitize(top, "m_") != top {
		return nil, fmt.Errorf("rtl: top module name %q is not a plain Verilog identifier", top)
	}
	for _, m := range libOrder {
		if m == top {
			return nil, fmt.Errorf("rtl: top module name %q is the name of a library module", top)
		}
	}
	d, err := b.build(g)
	if err != nil {
		return nil, err
	}
	header := fileHeader(top+".v", g, opts, b)
	topText := d.topModule(top, header)
	libHeader := fileHeader("trigo_lib.v", g, opts, b)
	lib, err := libText(libHeader, d.usedModules())
	if err != nil {
		return nil, err
	}
	filelist := "trigo_lib.v\n" + top + ".v\n"
	return []backends.File{
		{Path: top + ".v", Data: []byte(topText)},
		{Path: "trigo_lib.v", Data: []byte(lib)},
		{Path: "filelist.f", Data: []byte(filelist)},
	}, nil
}

// TopName is the default top module name: the graph name as a Verilog
// identifier.
func TopName(g *ir.Graph) string { return sanitize(g.Name, "m_") }

// Timing returns the latency (cycles from an input beat to its output
// beat, CONTRACT.md) and the II of the design Emit prints for g.
func (b *Backend) Timing(g *ir.Graph) (latency, ii int, err error) {
	s, err := b.Schedule(g)
	if err != nil {
		return 0, 0, err
	}
	return s.Latency, s.II, nil
}

// Schedule returns the full pipeline schedule of g: where each layer sits
// and the estimated delay of its stages.
func (b *Backend) Schedule(g *ir.Graph) (*Schedule, error) {
	if _, err := b.Prepare(g); err != nil {
		return nil, err
	}
	d, err := b.build(g)
	if err != nil {
		return nil, err
	}
	s := d.sched
	return &s, nil
}

func fileHeader(file string, g *ir.Graph, opts backends.Options, b *Backend) string {
	var h strings.Builder
	version := opts.Version
	if version == "" {
		version = "(unknown version)"
	}
	src := opts.Source
	if src == "" {
		src = g.Name
	}
	fmt.Fprintf(&h, "// %s: generated by trigo %s (RTL backend). Do not edit.\n", file, version)
	fmt.Fprintf(&h, "// Source model: %s (graph %s)\n", src, g.Name)
	fmt.Fprintf(&h, "// Target: %g MHz, multipliers: %s, adder trees: %d-input.\n", b.opts.ClockMHz, b.opts.Multipliers, b.opts.AdderArity)
	var rf []string
	for _, n := range g.Nodes {
		if r := b.reuse(n.Name); r > 1 {
			rf = append(rf, fmt.Sprintf("%s %d", n.Name, r))
		}
	}
	if len(rf) > 0 {
		fmt.Fprintf(&h, "// Reuse factors: %s (II %d).\n", strings.Join(rf, ", "), b.ii(g))
	}
	h.WriteString("//\n")
	return h.String()
}
