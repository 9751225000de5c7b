package compiler

import (
	"fmt"

	"trigo/ir"
	"trigo/sim"
)

// inferShapes recomputes every node's output shapes from the op table.
func inferShapes(g *ir.Graph, _ *state) error {
	shapes := map[string]ir.Shape{}
	for _, v := range g.Inputs {
		shapes[v.Name] = v.Shape
	}
	for _, c := range g.Consts {
		shapes[c.Name] = c.Shape
	}
	for _, n := range g.Nodes {
		spec := ir.LookupOp(n.Op)
		if spec == nil {
			return fmt.Errorf("node %q: unknown op %q", n.Name, n.Op)
		}
		ins := make([]ir.Shape, len(n.Inputs))
		for i, in := range n.Inputs {
			s, ok := shapes[in]
			if !ok {
				return fmt.Errorf("node %q: input %q undefined", n.Name, in)
			}
			ins[i] = s
		}
		out, err := spec.Shapes(ins, n.Attrs)
		if err != nil {
			return fmt.Errorf("node %q (%s): %w", n.Name, n.Op, err)
		}
		for i, o := range n.Outputs {
			o.Shape = out[i]
			shapes[o.Name] = out[i]
		}
	}
	return nil
}

// foldConstants evaluates every node whose inputs are all constants with
// the float simulator and replaces it by a constant.
func foldConstants(g *ir.Graph, _ *state) error {
	consts := map[string]*ir.Const{}
	for _, c := range g.Consts {
		consts[c.Name] = c
	}
	var keep []*ir.Node
	for _, n := range g.Nodes {
		allConst := len(n.Inputs) > 0 && len(n.Outputs) == 1
		for _, in := range n.Inputs {
			if consts[in] == nil {
				allConst = false
			}
		}
		if !allConst {
			keep = append(keep, n)
			continue
		}
		mini := &ir.Graph{Name: n.Name, Nodes: []*ir.Node{n}}
		var batches []sim.Batch
		seen := map[string]bool{}
		for _, in := range n.Inputs {
			if seen[in] {
				continue
			}
			seen[in] = true
			c := consts[in]
			mini.Inputs = append(mini.Inputs, &ir.Value{Name: c.Name, Type: ir.F32, Shape: c.Shape})
			batches = append(batches, sim.Batch{Events: 1, Shape: c.Shape, Data: c.Floats})
		}
		mini.Outputs = []string{n.Outputs[0].Name}
		f, err := sim.NewFloat(mini)
		if err != nil {
			return fmt.Errorf("folding node %q: %w", n.Name, err)
		}
		outs, err := f.Run(batches)
		if err != nil {
			return fmt.Errorf("folding node %q: %w", n.Name, err)
		}
		c := &ir.Const{Value: *n.Outputs[0], Floats: outs[0].Data}
		g.Consts = append(g.Consts, c)
		consts[c.Name] = c
	}
	g.Nodes = keep
	return nil
}

// singleUser returns the only node reading value v, or nil when v has
// several readers or is a graph output.
func singleUser(g *ir.Graph, v string) *ir.Node {
	for _, o := range g.Outputs {
		if o == v {
			return nil
		}
	}
	var user *ir.Node
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in == v {
				if user != nil && user != n {
					return nil
				}
				user = n
			}
		}
	}
	return user
}

// perChannel returns the values of a constant that varies at most along
// the last axis of a tensor with n channels there, as n values.
func perChannel(c *ir.Const, n int) ([]float32, bool) {
	if c == nil || c.Type.Kind != ir.Float32 {
		return nil, false
	}
	for i, d := range c.Shape {
		if d != 1 && (i != len(c.Shape)-1 || d != n) {
			return nil, false
		}
	}
	out := make([]float32, n)
	for i := range out {
		if c.Len() == 1 {
			out[i] = c.Floats[0]
		} else {
			out[i] = c.Floats[i]
		}
	}
	return out, true
}

// constOperand splits a binary node into (data input, const operand).
func constOperand(g *ir.Graph, n *ir.Node) (data string, c *ir.Const, constFirst bool) {
	if len(n.Inputs) != 2 {
		return "", nil, false
	}
	if c := g.Const(n.Inputs[1]); c != nil && g.Const(n.Inputs[0]) == nil {
		return n.Inputs[0], c, false
	}
	if c := g.Const(n.Inputs[0]); c != nil && g.Const(n.Inputs[1]) == nil {
		return n.Inputs[1], c, true
	}
	return "", nil, false
}

// absorb replaces node `into`'s output by the output of `by` (which reads
// it): `by` disappears and `into` takes over its output name.
func absorb(g *ir.Graph, into, by *ir.Node) {
	into.Outputs[0].Name = by.Outputs[0].Name
	into.Outputs[0].Shape = by.Outputs[0].Shape
	var keep []*ir.Node
	for _, n := range g.Nodes {
		if n != by {
			keep = append(keep, n)
		}
	}
	g.Nodes = keep
}

// channelOp matches a dense/conv node n whose only reader is op(n, c) with
// a constant c that varies at most per output channel; it returns that
// reader, the constant's per-channel values and the channel count.
func channelOp(g *ir.Graph, n *ir.Node, op string) (user *ir.Node, vals []float32, ch int, ok bool) {
	if n.Op != "dense" && n.Op != "conv" {
		return nil, nil, 0, false
	}
	user = singleUser(g, n.Outputs[0].Name)
	if user == nil || user.Op != op {
		return nil, nil, 0, false
	}
	data, c, _ := constOperand(g, user)
	shape := n.Outputs[0].Shape
	ch = shape[len(shape)-1]
	if data != n.Outputs[0].Name || !user.Outputs[0].Shape.Equal(shape) {
		return nil, nil, 0, false
	}
	vals, ok = perChannel(c, ch)
	return user, vals, ch, ok
}

// fuseBias turns dense/conv + add(per-channel constant) into a bias.
func fuseBias(g *ir.Graph, _ *state) error {
	for changed := true; changed; {
		changed = false
		for _, n := range g.Nodes {
			user, vals, ch, ok := channelOp(g, n, "add")
			if !ok {
				continue
			}
			if len(n.Inputs) > 2 {
				b := g.Const(n.Inputs[2])
				nb := &ir.Const{Value: ir.Value{Name: g.UniqueName(n.Name + ".bias"), Type: ir.F32, Shape: ir.Shape{ch}}, Floats: make([]float32, ch)}
				for i := range vals {
					nb.Floats[i] = b.Floats[i] + vals[i]
				}
				g.Consts = append(g.Consts, nb)
				n.Inputs[2] = nb.Name
			} else {
				nb := &ir.Const{Value: ir.Value{Name: g.UniqueName(n.Name + ".bias"), Type: ir.F32, Shape: ir.Shape{ch}}, Floats: vals}
				g.Consts = append(g.Consts, nb)
				n.Inputs = append(n.Inputs, nb.Name)
			}
			absorb(g, n, user)
			changed = true
			break
		}
	}
	g.RemoveUnused()
	return nil
}

// foldBatchNorm folds mul(dense/conv output, per-channel constant) into the
// weights and bias; the shift that follows becomes a bias in fuse-bias.
func foldBatchNorm(g *ir.Graph, _ *state) error {
	for changed := true; changed; {
		changed = false
		for _, n := range g.Nodes {
			user, scale, ch, ok := channelOp(g, n, "mul")
			if !ok {
				continue
			}
			w := g.Const(n.Inputs[1])
			nw := &ir.Const{Value: ir.Value{Name: g.UniqueName(n.Name + ".weight"), Type: ir.F32, Shape: w.Shape.Clone()}, Floats: make([]float32, len(w.Floats))}
			for i, v := range w.Floats {
				nw.Floats[i] = float32(float64(v) * float64(scale[i%ch]))
			}
			g.Consts = append(g.Consts, nw)
			n.Inputs[1] = nw.Name
			if len(n.Inputs) > 2 {
				b := g.Const(n.Inputs[2])
				nb := &ir.Const{Value: ir.Value{Name: g.UniqueName(n.Name + ".bias"), Type: ir.F32, Shape: ir.Shape{ch}}, Floats: make([]float32, ch)}
				for i := range nb.Floats {
					nb.Floats[i] = float32(float64(b.Floats[i]) * float64(scale[i]))
				}
				g.Consts = append(g.Consts, nb)
				n.Inputs[2] = nb.Name
			}
			absorb(g, n, user)
			changed = true
			break
		}
	}
	g.RemoveUnused()
	return nil
}
