package sim

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
)

// Report counts conversions and overflow events per node: silent overflow
// is the classic firmware bug. Nodes are in graph order: inputs first (Op
// "input", counted by Quantize), then every node (each converts its result to
// its output type).
type Report struct {
	Nodes []NodeReport
}

// NodeReport holds the counts of one input or node.
type NodeReport struct {
	Name, Op                   string // node name (the input's name for graph inputs), op ("input" for graph inputs)
	Type                       string // output type
	Conversions                int64  // elements converted to the output type
	Saturated, Wrapped, Zeroed int64
	AccType                    string // dense/conv accumulator type
	AccConversions             int64
	AccSaturated               int64
	AccWrapped                 int64
	AccZeroed                  int64
}

// Overflows is the number of overflow events of the output conversions.
func (n *NodeReport) Overflows() int64 { return n.Saturated + n.Wrapped + n.Zeroed }

// AccOverflows is the number of overflow events of the accumulator
// conversions.
func (n *NodeReport) AccOverflows() int64 { return n.AccSaturated + n.AccWrapped + n.AccZeroed }

// Total returns the number of overflow events of every node, output and
// accumulator conversions together.
func (r *Report) Total() int64 {
	var t int64
	for i := range r.Nodes {
		t += r.Nodes[i].Overflows() + r.Nodes[i].AccOverflows()
	}
	return t
}

// Node returns the row of a node or input by name, or nil.
func (r *Report) Node(name string) *NodeReport {
	for i := range r.Nodes {
		if r.Nodes[i].Name == name {
			return &r.Nodes[i]
		}
	}
	return nil
}

// String prints a table of the nodes with overflow events and a summary of
// the others.
func (r *Report) String() string {
	var b strings.Builder
	total := r.Total()
	fmt.Fprintf(&b, "overflow report: %d overflow events\n", total)
	var quiet int
	var quietConv int64
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	header := false
	for i := range r.Nodes {
		n := &r.Nodes[i]
		if n.Overflows()+n.AccOverflows() == 0 {
			quiet++
			quietConv += n.Conversions + n.AccConversions
			continue
		}
		if !header {
			fmt.Fprintln(w, "node\top\tconversion\tcount\tsaturated\twrapped\tzeroed\trate\t")
			header = true
		}
		if n.Overflows() > 0 || n.AccOverflows() == 0 {
			fmt.Fprintf(w, "%s\t%s\t-> %s\t%d\t%d\t%d\t%d\t%s\t\n", n.Name, n.Op, n.Type,
				n.Conversions, n.Saturated, n.Wrapped, n.Zeroed, rate(n.Overflows(), n.Conversions))
		}
		if n.AccOverflows() > 0 {
			fmt.Fprintf(w, "%s\t%s\tacc %s\t%d\t%d\t%d\t%d\t%s\t\n", n.Name, n.Op, n.AccType,
				n.AccConversions, n.AccSaturated, n.AccWrapped, n.AccZeroed, rate(n.AccOverflows(), n.AccConversions))
		}
	}
	w.Flush()
	if quiet > 0 {
		fmt.Fprintf(&b, "%d other inputs/nodes: no overflow (%d conversions)\n", quiet, quietConv)
	}
	return b.String()
}

func rate(ev, conv int64) string {
	if conv == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3g%%", 100*float64(ev)/float64(conv))
}

// ErrorStats is the error of one fixed-point output (dequantised) against
// the float reference.
type ErrorStats struct {
	Output   string
	MaxAbs   float64 // largest |fixed - float|
	RMS      float64 // sqrt(mean((fixed - float)^2))
	MaxAbsAt int     // flat (event-major) index of the first largest error
	Elements int
}

// String prints the stats on one line.
func (s ErrorStats) String() string {
	return fmt.Sprintf("%s: max|err| %.6g at %d, rms %.6g over %d elements", s.Output, s.MaxAbs, s.MaxAbsAt, s.RMS, s.Elements)
}

// Compare reports per-output errors of fixed outputs (dequantised exactly
// in float64) against float outputs. names labels the outputs; all three
// slices have one entry per output, with matching events and shapes.
func Compare(names []string, float []Batch, fixed []Codes) ([]ErrorStats, error) {
	if len(names) != len(float) || len(names) != len(fixed) {
		return nil, fmt.Errorf("sim: compare: %d names, %d float outputs, %d fixed outputs", len(names), len(float), len(fixed))
	}
	stats := make([]ErrorStats, len(names))
	for i, name := range names {
		fb, fc := &float[i], &fixed[i]
		if !fb.Shape.Equal(fc.Shape) || fb.Events != fc.Events {
			return nil, fmt.Errorf("sim: compare output %q: float has %d events of %v, fixed has %d events of %v", name, fb.Events, fb.Shape, fc.Events, fc.Shape)
		}
		if len(fb.Data) != len(fc.Data) || len(fb.Data) != fb.Events*fb.Shape.Size() {
			return nil, fmt.Errorf("sim: compare output %q: data lengths %d (float) and %d (fixed), want %d", name, len(fb.Data), len(fc.Data), fb.Events*fb.Shape.Size())
		}
		s := ErrorStats{Output: name, Elements: len(fb.Data)}
		var sq float64
		for j, v := range fb.Data {
			d := math.Abs(fc.value(fc.Data[j]) - float64(v))
			if d > s.MaxAbs || math.IsNaN(d) && !math.IsNaN(s.MaxAbs) {
				s.MaxAbs, s.MaxAbsAt = d, j
			}
			sq += d * d
		}
		if s.Elements > 0 {
			s.RMS = math.Sqrt(sq / float64(s.Elements))
		}
		stats[i] = s
	}
	return stats, nil
}
