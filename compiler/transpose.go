package compiler

import (
	"trigo/ir"
)

// elementwiseUnary ops commute with any transpose.
var elementwiseUnary = map[string]bool{
	"relu": true, "leaky_relu": true, "clip": true, "sigmoid": true, "tanh": true, "exp": true,
	"elu": true, "selu": true, "bipolar_quant": true, "fake_quant": true, "cast": true, "table": true,
}

// eliminateTransposes removes the layout shuffles that channel-last
// exports put around every convolution: transposes are pushed down through
// element-wise ops (permuting constant operands), merged with the next
// transpose, and dropped when they become the identity.
func eliminateTransposes(g *ir.Graph, _ *state) error {
	for changed := true; changed; {
		changed = false
		for _, t := range g.Nodes {
			if t.Op != "transpose" {
				continue
			}
			perm := t.Attrs.Ints("perm")
			if isIdentityPerm(perm) {
				removeNode(g, t)
				changed = true
				break
			}
			user := singleUser(g, t.Outputs[0].Name)
			if user == nil {
				continue
			}
			switch {
			case user.Op == "transpose":
				// transpose(transpose(x, p1), p2) = transpose(x, p1∘p2)
				p2 := user.Attrs.Ints("perm")
				comp := make([]int64, len(p2))
				for i := range p2 {
					comp[i] = perm[p2[i]]
				}
				user.Attrs["perm"] = comp
				user.Inputs[0] = t.Inputs[0]
				removeNodeOnly(g, t)
				changed = true
			case elementwiseUnary[user.Op]:
				swapDown(g, t, user)
				changed = true
			case user.Op == "add" || user.Op == "sub" || user.Op == "mul":
				if pushThroughBinary(g, t, user) {
					changed = true
				}
			case user.Op == "reshape":
				if absorbIntoDense(g, t, user) {
					changed = true
				}
			}
			if changed {
				break
			}
		}
	}
	g.RemoveUnused()
	return nil
}

func isIdentityPerm(p []int64) bool {
	for i, v := range p {
		if int64(i) != v {
			return false
		}
	}
	return true
}

// removeNode drops a single-input node, wiring its readers to its input.
func removeNode(g *ir.Graph, n *ir.Node) {
	out, in := n.Outputs[0].Name, n.Inputs[0]
	removeNodeOnly(g, n)
	// Keep graph output names stable: if n produced a graph output, rename
	// the producer of its input instead.
	for _, o := range g.Outputs {
		if o == out {
			if p := producer(g, in); p != nil && !isGraphInput(g, in) {
				for _, r := range g.Nodes {
					for i, x := range r.Inputs {
						if x == in {
							r.Inputs[i] = out
						}
					}
				}
				p.Outputs[0].Name = out
				return
			}
		}
	}
	g.ReplaceUses(out, in)
}

func removeNodeOnly(g *ir.Graph, n *ir.Node) {
	var keep []*ir.Node
	for _, x := range g.Nodes {
		if x != n {
			keep = append(keep, x)
		}
	}
	g.Nodes = keep
}

func producer(g *ir.Graph, v string) *ir.Node {
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o.Name == v {
				return n
			}
		}
	}
	return nil
}

func isGraphInput(g *ir.Graph, v string) bool {
	for _, in := range g.Inputs {
		if in.Name == v {
			return true
		}
	}
	return false
}

// swapDown turns x -> t(transpose) -> u(unary) into x -> u -> t.
func swapDown(g *ir.Graph, t, u *ir.Node) {
	x := t.Inputs[0]
	xShape := g.Lookup(x).Shape
	tOut, uOut := t.Outputs[0], u.Outputs[0]
	u.Inputs[0] = x
	exchangeOutputs(g, t, u, tOut, uOut, xShape)
}

// exchangeOutputs finishes moving transpose t below node u (which now reads
// t's former input): u produces its result in the untransposed layout and t
// transposes it. Value names stay with their nodes unless u's output is a
// graph output, whose name must then move to t.
func exchangeOutputs(g *ir.Graph, t, u *ir.Node, tOut, uOut *ir.Value, xShape ir.Shape) {
	isOutput := false
	for _, o := range g.Outputs {
		if o == uOut.Name {
			isOutput = true
		}
	}
	if isOutput {
		t.Inputs[0] = tOut.Name
		tOut.Shape = xShape.Clone()
		u.Outputs[0], t.Outputs[0] = tOut, uOut
	} else {
		// readers of u's result now read t's output
		for _, n := range g.Nodes {
			if n == t || n == u {
				continue
			}
			for i, in := range n.Inputs {
				if in == uOut.Name {
					n.Inputs[i] = tOut.Name
				}
			}
		}
		// (an element-wise u keeps the shape, so t's output keeps its own)
		t.Inputs[0] = uOut.Name
		uOut.Shape = xShape.Clone()
	}
	moveAfter(g, t, u)
}

// moveAfter places node a right after node b in the node list.
func moveAfter(g *ir.Graph, a, b *ir.Node) {
	removeNodeOnly(g, a)
	for i, n := range g.Nodes {
		if n == b {
			g.Nodes = append(g.Nodes[:i+1], append([]*ir.Node{a}, g.Nodes[i+1:]...)...)
			return
		}
	}
}

// pushThroughBinary turns binary(transpose(x), c) with a constant c into
// transpose(binary(x, c')) with c' permuted by the inverse transpose.
func pushThroughBinary(g *ir.Graph, t, u *ir.Node) bool {
	data, c, constFirst := constOperand(g, u)
	if c == nil || data != t.Outputs[0].Name {
		return false
	}
	perm := t.Attrs.Ints("perm")
	rank := len(perm)
	if len(c.Shape) > rank {
		return false
	}
	// broadcast c to rank dims (leading 1s), then permute by the inverse.
	full := make(ir.Shape, rank)
	for i := range full {
		full[i] = 1
	}
	copy(full[rank-len(c.Shape):], c.Shape)
	inv := make([]int, rank)
	for i, p := range perm {
		inv[p] = i
	}
	newShape := make(ir.Shape, rank)
	for i := range newShape {
		newShape[i] = full[inv[i]]
	}
	nc := &ir.Const{Value: ir.Value{Name: g.UniqueName(c.Name + ".t"), Type: c.Type, Shape: newShape}, Floats: make([]float32, len(c.Floats))}
	srcStrides := full.Strides()
	dstStrides := newShape.Strides()
	for i := range nc.Floats {
		rem, src := i, 0
		for ax := 0; ax < rank; ax++ {
			idx := rem / dstStrides[ax]
			rem %= dstStrides[ax]
			// destination axis ax is source axis inv[ax]
			src += idx * srcStrides[inv[ax]]
		}
		nc.Floats[i] = c.Floats[src]
	}
	g.Consts = append(g.Consts, nc)
	x := t.Inputs[0]
	xShape := g.Lookup(x).Shape
	if constFirst {
		u.Inputs = []string{nc.Name, x}
	} else {
		u.Inputs = []string{x, nc.Name}
	}
	outShape, err := ir.BroadcastShape(xShape, newShape)
	if err != nil || !outShape.Equal(xShape) {
		// the constant would broadcast the data: leave as is
		if constFirst {
			u.Inputs = []string{c.Name, t.Outputs[0].Name}
		} else {
			u.Inputs = []string{t.Outputs[0].Name, c.Name}
		}
		return false
	}
	exchangeOutputs(g, t, u, t.Outputs[0], u.Outputs[0], xShape)
	return true
}

// absorbIntoDense removes a transpose that feeds a flatten (reshape to 1-D)
// into a dense layer, as PyTorch CNNs export channel-first flattening: the
// flatten reads the untransposed data and the dense weight rows are
// permuted to match.
func absorbIntoDense(g *ir.Graph, t, r *ir.Node) bool {
	if len(r.Outputs[0].Shape) != 1 {
		return false
	}
	d := singleUser(g, r.Outputs[0].Name)
	if d == nil || d.Op != "dense" || d.Inputs[0] != r.Outputs[0].Name {
		return false
	}
	w := g.Const(d.Inputs[1])
	if w == nil || w.Type.Kind != ir.Float32 {
		return false
	}
	perm := t.Attrs.Ints("perm")
	xShape := g.Lookup(t.Inputs[0]).Shape
	tStrides := t.Outputs[0].Shape.Strides()
	xStrides := xShape.Strides()
	cols := w.Shape[1]
	nw := &ir.Const{Value: ir.Value{Name: g.UniqueName(d.Name + ".weight"), Type: ir.F32, Shape: w.Shape.Clone()},
		Floats: make([]float32, len(w.Floats))}
	rank := len(xShape)
	for ix := 0; ix < xShape.Size(); ix++ {
		// multi-index j of element ix in x, then its flat index in t's output
		it := 0
		for a := 0; a < rank; a++ {
			j := (ix / xStrides[perm[a]]) % xShape[perm[a]]
			it += j * tStrides[a]
		}
		copy(nw.Floats[ix*cols:(ix+1)*cols], w.Floats[it*cols:(it+1)*cols])
	}
	g.Consts = append(g.Consts, nw)
	d.Inputs[1] = nw.Name
	r.Inputs[0] = t.Inputs[0]
	removeNodeOnly(g, t)
	return true
}
