// Package hls is trigo's Vitis HLS backend: it prints a quantised IR graph as
// a C++ project (top function, one templated function per op kind, weights,
// a file-driven testbench, build.tcl and a README) whose C simulation
// reproduces the Go fixed-point simulator (package sim, ir/SEMANTICS.md) bit
// for bit.
//
// The graph ops of graph networks (mask, slice, gravnet_agg,
// global_exchange, condensation; graph_h.go) select neighbours and
// condensation points by exact integer codes with the tie rule of the
// simulator, and write condensation's indices and counts as ap_int<32>.
//
// Every op computes its exact result in an ap_fixed type wide enough to lose
// nothing (the widths are derived from the input types and shapes, like
// ir.Validate's exact-width rules), and only then assigns it to the output
// type, which applies that type's quantisation and overflow modes exactly as
// fixed.Type.Convert does. Constants are stored as integer codes and turned
// into values through their raw bits (range()), so no float literal is ever
// rounded.
//
// The generated code includes <ap_fixed.h>, <ap_int.h> and <hls_stream.h>
// with angle brackets and uses only behaviour documented for the Xilinx
// arbitrary-precision types (UG1399). It compiles against the real Vitis HLS
// headers and against the stand-ins in hls/include (IncludeDir), which CSim
// uses to run the C simulation with g++ alone.
package hls

import (
	"fmt"
	"sort"
	"strings"

	"trigo/backends"
	"trigo/ir"
	"trigo/sim"
)

// Interface kinds of the top function.
const (
	// InterfaceAXIS: one hls::stream beat per event carrying all inputs,
	// one beat carrying all outputs (AXI4-Stream). The default, unless an
	// event does not fit one word (MaxStreamBits): then InterfaceAPVld.
	InterfaceAXIS = "axis"
	// InterfaceAPVld: one array argument per input and output, each a
	// wide port with a valid signal (ap_vld).
	InterfaceAPVld = "ap_vld"
)

// Defaults of Options.
const (
	DefaultPart     = "xcvu9p-flga2104-2-e"
	DefaultClockMHz = 250.0
)

// MaxStreamBits is the widest AXI4-Stream word the axis interface packs an
// event into: ap_uint is limited to AP_INT_MAX_W <= 4096 bits (UG1399,
// "Arbitrary Precision Integer Types"), and so is an AXI4-Stream port, even
// for aggregated structs (UG1399, "AXI4-Stream Interfaces").
const MaxStreamBits = 4096

// Options steers the generated HLS project.
type Options struct {
	// Interface is InterfaceAXIS or InterfaceAPVld. Empty chooses axis
	// when an event fits one stream word (MaxStreamBits), else ap_vld.
	Interface string
	// ReuseFactor maps layer (node) names to their reuse factor: the
	// initiation interval of the layer's pipeline, and the factor by which
	// its multipliers are shared. Layers not listed use
	// DefaultReuseFactor.
	ReuseFactor map[string]int
	// DefaultReuseFactor applies to layers not in ReuseFactor; 0 means 1
	// (fully parallel).
	DefaultReuseFactor int
	// Part is the FPGA part for build.tcl (default DefaultPart).
	Part string
	// ClockMHz is the target clock (default DefaultClockMHz).
	ClockMHz float64
}

// withDefaults returns the options with defaults filled in, or an error for
// invalid values.
func (o Options) withDefaults() (Options, error) {
	switch o.Interface {
	case "":
		o.Interface = InterfaceAXIS
	case InterfaceAXIS, InterfaceAPVld:
	default:
		return o, fmt.Errorf("hls: unknown interface %q (supported: %s, %s)", o.Interface, InterfaceAXIS, InterfaceAPVld)
	}
	if o.DefaultReuseFactor == 0 {
		o.DefaultReuseFactor = 1
	}
	if o.DefaultReuseFactor < 1 {
		return o, fmt.Errorf("hls: default reuse factor %d must be >= 1", o.DefaultReuseFactor)
	}
	for name, rf := range o.ReuseFactor {
		if rf < 1 {
			return o, fmt.Errorf("hls: reuse factor %d of layer %q must be >= 1", rf, name)
		}
	}
	if o.Part == "" {
		o.Part = DefaultPart
	}
	if o.ClockMHz == 0 {
		o.ClockMHz = DefaultClockMHz
	}
	if !(o.ClockMHz > 0 && o.ClockMHz < 10000) {
		return o, fmt.Errorf("hls: clock %v MHz out of range", o.ClockMHz)
	}
	if strings.ContainsAny(o.Part, " \t\n{}[]$\"\\;") {
		return o, fmt.Errorf("hls: part %q contains characters that do not belong in a part name", o.Part)
	}
	return o, nil
}

// reuse returns the reuse factor of a layer.
func (o Options) reuse(layer string) int {
	if rf, ok := o.ReuseFactor[layer]; ok {
		return rf
	}
	return o.DefaultReuseFactor
}

// Backend is the HLS C++ backend (backends.Backend). The zero value uses the
// default Options.
type Backend struct {
	Options Options
}

var _ backends.Backend = Backend{}

// Name is the folder under OUT the files go to.
func (Backend) Name() string { return "hls" }

// supportedOps are the ops of quantised graphs the emitter prints.
var supportedOps = map[string]bool{
	"dense": true, "conv": true, "add": true, "sub": true, "mul": true,
	"relu": true, "leaky_relu": true, "clip": true, "maxpool": true, "avgpool": true,
	"reduce_sum": true, "reduce_max": true, "reshape": true, "transpose": true,
	"concat": true, "cast": true, "bipolar_quant": true, "lut": true,
	// graph ops (graph_h.go)
	"mask": true, "slice": true, "gravnet_agg": true, "global_exchange": true, "condensation": true,
}

// maxRank bounds the rank of tensors in broadcasting, transposes and
// reductions (their index arithmetic is emitted over four axes).
const maxRank = 4

// Prepare checks that the graph is a valid quantised graph the emitter can
// print and returns it unchanged.
func (b Backend) Prepare(g *ir.Graph) (*ir.Graph, error) {
	if g == nil {
		return nil, fmt.Errorf("hls: nil graph")
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("hls: invalid graph %q: %w", g.Name, err)
	}
	if !g.IsFixed() {
		return nil, fmt.Errorf("hls: graph %q is a float graph: compile (quantise) it first", g.Name)
	}
	if err := backends.CheckOps(g, "HLS", supportedOps); err != nil {
		return nil, err
	}
	// The simulator defines the results; a graph it refuses has none.
	if _, err := sim.NewFixed(g); err != nil {
		return nil, fmt.Errorf("hls: %w", err)
	}
	var bad []string
	for _, n := range g.Nodes {
		if !supportedOps[n.Op] {
			bad = append(bad, fmt.Sprintf("%s (%s)", n.Name, n.Op))
		}
	}
	if len(bad) > 0 {
		ops := make([]string, 0, len(supportedOps))
		for op := range supportedOps {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		return nil, fmt.Errorf("hls: graph %q uses ops the HLS backend does not implement: %s (supported: %s)",
			g.Name, strings.Join(bad, ", "), strings.Join(ops, ", "))
	}
	// Plan every layer once: this finds every remaining limit (ranks, exact
	// widths beyond the stand-in headers) with the node's name.
	if _, err := newEmitter(g, backends.Options{}, b.Options); err != nil {
		return nil, err
	}
	return g, nil
}

// Interface returns the interface of the top function Emit prints for g:
// Options.Interface when set; otherwise InterfaceAXIS when an event fits
// one stream word (MaxStreamBits) and InterfaceAPVld when it does not (the
// graph networks' padded events usually do not).
func (b Backend) Interface(g *ir.Graph) (string, error) {
	if g == nil {
		return "", fmt.Errorf("hls: nil graph")
	}
	e, err := newEmitter(g, backends.Options{}, b.Options)
	if err != nil {
		return "", err
	}
	return e.o.Interface, nil
}

// Emit prints the files of the HLS project for a prepared graph. Paths are
// relative to OUT/hls. Emit is deterministic: the same graph and options
// give the same bytes.
func (b Backend) Emit(g *ir.Graph, opts backends.Options) ([]backends.File, error) {
	ho, err := b.Options.withDefaults()
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, fmt.Errorf("hls: nil graph")
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("hls: invalid graph %q: %w", g.Name, err)
	}
	if !g.IsFixed() {
		return nil, fmt.Errorf("hls: graph %q is a float graph: compile (quantise) it first", g.Name)
	}
	for name := range ho.ReuseFactor {
		if g.Node(name) == nil {
			return nil, fmt.Errorf("hls: reuse factor given for %q, which is no layer of graph %q", name, g.Name)
		}
	}
	e, err := newEmitter(g, opts, b.Options)
	if err != nil {
		return nil, err
	}
	return e.files()
}
