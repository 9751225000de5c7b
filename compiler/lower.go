package compiler

import (
	"fmt"

	"trigo/ir"
)

// Default table ranges per function, used when the config sets none.
var defaultTableRange = map[string][2]float64{
	"sigmoid": {-8, 8},
	"tanh":    {-4, 4},
	"exp":     {-8, 8},
	"elu_neg": {-8, 0}, // widened by one entry, see tableRange
}

// lowerActivations rewrites softmax, elu and selu into primitive ops and
// `table` nodes, and sigmoid/tanh/exp into `table` nodes. Table nodes keep
// the exact function for the float reference; quantisation fills their
// lookup tables. Each new node is a layer of its own in the config
// (softmax S becomes S.max, S.sub, S.exp, S.sum, S.inv and S).
func lowerActivations(g *ir.Graph, st *state) error {
	var out []*ir.Node
	for _, n := range g.Nodes {
		lw := &lowering{g: g, st: st, n: n}
		var err error
		switch n.Op {
		case "sigmoid", "tanh", "exp":
			lw.table(n.Name, n.Op, 0, n.Inputs[0], n.Outputs[0])
		case "softmax":
			err = lw.softmax()
		case "elu":
			lw.elu(n.Attrs.Float("alpha", 1), 1)
		case "selu":
			lw.elu(n.Attrs.Float("alpha", 1.6732632423543772848170429916717), n.Attrs.Float("gamma", 1.0507009873554804934193349852946))
		default:
			out = append(out, n)
			continue
		}
		if err != nil {
			return fmt.Errorf("node %q (%s): %w", n.Name, n.Op, err)
		}
		out = append(out, lw.nodes...)
	}
	g.Nodes = out
	return nil
}

type lowering struct {
	g      *ir.Graph
	shapes map[string]ir.Shape // values created by this lowering
	st     *state
	n      *ir.Node
	nodes  []*ir.Node
}

// add appends a node named name with a fresh output value (or out).
func (lw *lowering) add(name, op string, ins []string, attrs ir.Attrs, shape ir.Shape, out *ir.Value) string {
	if out == nil {
		out = &ir.Value{Name: lw.g.UniqueName(name), Type: ir.F32, Shape: shape.Clone()}
	}
	if lw.shapes == nil {
		lw.shapes = map[string]ir.Shape{}
	}
	lw.shapes[out.Name] = out.Shape
	if attrs == nil {
		attrs = ir.Attrs{}
	}
	lw.nodes = append(lw.nodes, &ir.Node{Name: name, Op: op, Inputs: ins, Attrs: attrs, Outputs: []*ir.Value{out}})
	// reserve the names right away so later UniqueName calls avoid them
	lw.g.Nodes = append(lw.g.Nodes, &ir.Node{Name: name, Op: "reserved", Outputs: []*ir.Value{{Name: out.Name}}})
	return out.Name
}

// table emits a table node, sized from the layer's config.
func (lw *lowering) table(name, fn string, alpha float64, in string, out *ir.Value) string {
	rng, ok := defaultTableRange[fn]
	if !ok {
		rng = [2]float64{-8, 8}
	}
	return lw.tableRange(name, fn, alpha, in, out, rng)
}

func (lw *lowering) tableRange(name, fn string, alpha float64, in string, out *ir.Value, rng [2]float64) string {
	size := lw.st.cfg.Model.TableSize
	configured := false
	if l := lw.st.cfg.layer(name); l.Table != nil {
		if l.Table.Size != 0 {
			size = l.Table.Size
		}
		if len(l.Table.Range) == 2 {
			rng = [2]float64{l.Table.Range[0], l.Table.Range[1]}
			configured = true
		}
	}
	if fn == "elu_neg" && !configured && rng[1] == 0 {
		// elu_neg is 0 for x >= 0: size-1 entries cover [lo, 0) and the
		// last one [0, step), whose middle gives exactly 0, so that every
		// x >= 0 (clamped to it) gets 0 and no entry is spent on x > 0.
		rng[1] = -rng[0] / float64(size-1)
	}
	attrs := ir.Attrs{"function": fn, "lo": rng[0], "hi": rng[1], "size": int64(size)}
	if fn == "elu_neg" {
		attrs["alpha"] = alpha
	}
	shape, ok := lw.shapes[in]
	if !ok {
		shape = lw.g.Lookup(in).Shape
	}
	return lw.add(name, "table", []string{in}, attrs, shape, out)
}

// softmax: m = max(x); d = x - m; e = exp(d); s = sum(e); y = e * (1/s).
func (lw *lowering) softmax() error {
	n := lw.n
	x := n.Inputs[0]
	shape := n.Outputs[0].Shape
	axes, err := ir.NormAxes([]int64{n.Attrs.Int("axis", -1)}, len(shape))
	if err != nil {
		return err
	}
	ax := []int64{int64(axes[0])}
	red := shape.Clone()
	red[axes[0]] = 1
	count := float64(shape[axes[0]])
	m := lw.add(n.Name+".max", "reduce_max", []string{x}, ir.Attrs{"axes": ax}, red, nil)
	d := lw.add(n.Name+".sub", "sub", []string{x, m}, nil, shape, nil)
	e := lw.tableRange(n.Name+".exp", "exp", 0, d, nil, [2]float64{-8, 0})
	s := lw.add(n.Name+".sum", "reduce_sum", []string{e}, ir.Attrs{"axes": ax}, red, nil)
	r := lw.tableRange(n.Name+".inv", "reciprocal", 0, s, nil, [2]float64{1, max(count, 2)})
	lw.add(n.Name, "mul", []string{e, r}, nil, shape, n.Outputs[0])
	return nil
}

// elu: y = gamma*relu(x) + gamma*alpha*(exp(min(x,0))-1).
func (lw *lowering) elu(alpha, gamma float64) {
	n := lw.n
	x := n.Inputs[0]
	shape := n.Outputs[0].Shape
	pos := lw.add(n.Name+".pos", "relu", []string{x}, nil, shape, nil)
	if gamma != 1 {
		c := &ir.Const{Value: ir.Value{Name: lw.g.UniqueName(n.Name + ".gamma"), Type: ir.F32, Shape: ir.Shape{}}, Floats: []float32{float32(gamma)}}
		lw.g.Consts = append(lw.g.Consts, c)
		pos = lw.add(n.Name+".scale", "mul", []string{pos, c.Name}, nil, shape, nil)
	}
	neg := lw.table(n.Name+".neg", "elu_neg", alpha*gamma, x, nil)
	lw.add(n.Name, "add", []string{pos, neg}, nil, shape, n.Outputs[0])
}
