package compiler

import (
	"fmt"
	"io"

	"trigo/ir"
	"trigo/sim"
)

// Options steers Compile.
type Options struct {
	// Config is the quantisation config; nil means DefaultConfig().
	Config *Config
	// Calib holds calibration events, one Batch per graph input, for
	// precisions set to auto. Nil when none were given.
	Calib []sim.Batch
	// Log receives progress and the report of chosen types (may be nil).
	Log io.Writer
	// VerifyPasses validates the graph after every pass (tests turn it on;
	// Validate always runs at stage boundaries).
	VerifyPasses bool
}

// Result is what Compile produces.
type Result struct {
	// Float is the float reference graph after the float passes.
	Float *ir.Graph
	// Fixed is the quantised graph: what the firmware computes.
	Fixed *ir.Graph
	// Chosen lists every type that auto or exact picked, for the report.
	Chosen []ChosenType
}

// ChosenType records a type the compiler chose.
type ChosenType struct {
	Layer  string  // node or input name
	What   string  // result, weight, bias, accum, table
	Type   string  // the chosen type
	MaxAbs float64 // largest magnitude it must hold (calibration or bound)
	Reason string  // auto, exact...
}

// Compile runs the pass pipeline (passes.go) on a float graph.
func Compile(g *ir.Graph, opts Options) (*Result, error) {
	if opts.Config == nil {
		opts.Config = DefaultConfig()
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("input graph: %w", err)
	}
	if g.IsFixed() {
		return nil, fmt.Errorf("graph %q is already quantised", g.Name)
	}
	st := &state{opts: opts, cfg: opts.Config}
	fg := cloneGraph(g)
	if err := runPasses(fg, floatPasses, st); err != nil {
		return nil, err
	}
	if err := opts.Config.CheckNames(fg); err != nil {
		return nil, err
	}
	st.float = cloneGraph(fg)
	if err := runPasses(fg, fixedPasses, st); err != nil {
		return nil, err
	}
	return &Result{Float: st.float, Fixed: fg, Chosen: st.chosen}, nil
}

// PrepareFloat runs only the float passes (used by `config init` and the
// float simulator).
func PrepareFloat(g *ir.Graph) (*ir.Graph, error) {
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("input graph: %w", err)
	}
	fg := cloneGraph(g)
	st := &state{cfg: DefaultConfig()}
	if err := runPasses(fg, floatPasses, st); err != nil {
		return nil, err
	}
	return fg, nil
}

func runPasses(g *ir.Graph, passes []Pass, st *state) error {
	for _, p := range passes {
		if err := p.Run(g, st); err != nil {
			return fmt.Errorf("pass %s: %w", p.Name, err)
		}
		if st.opts.VerifyPasses {
			if err := g.Validate(); err != nil {
				return fmt.Errorf("after pass %s: %w", p.Name, err)
			}
		}
	}
	if err := g.Validate(); err != nil {
		return fmt.Errorf("after passes: %w", err)
	}
	return nil
}

// cloneGraph deep-copies a graph (constant data is shared read-only).
func cloneGraph(g *ir.Graph) *ir.Graph {
	out := &ir.Graph{Name: g.Name, Outputs: append([]string(nil), g.Outputs...)}
	for _, v := range g.Inputs {
		c := *v
		c.Shape = v.Shape.Clone()
		out.Inputs = append(out.Inputs, &c)
	}
	for _, c := range g.Consts {
		cc := *c
		cc.Shape = c.Shape.Clone()
		out.Consts = append(out.Consts, &cc)
	}
	for _, n := range g.Nodes {
		nn := &ir.Node{Name: n.Name, Op: n.Op, Inputs: append([]string(nil), n.Inputs...), Attrs: n.Attrs.Clone()}
		for _, o := range n.Outputs {
			oo := *o
			oo.Shape = o.Shape.Clone()
			nn.Outputs = append(nn.Outputs, &oo)
		}
		out.Nodes = append(out.Nodes, nn)
	}
	return out
}
