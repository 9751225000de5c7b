// Package sim executes trigo IR graphs event by event.
//
// Float is the float reference executor: it computes what the network
// computes (the Doc of every op in ir/ops.go), accumulating in float64 and
// rounding results to float32.
//
// Fixed is the bit-exact executor of a quantised graph. It implements
// ir/SEMANTICS.md with integer arithmetic only and is the definition of what
// the firmware computes: the Verilog and HLS backends must reproduce its
// codes bit for bit. It counts every overflow event per node (Report).
//
// Both executors compile the graph once into a list of steps over
// preallocated per-event buffers (index maps for broadcasting, transposes,
// reductions and convolution windows are precomputed) and then run event by
// event. Executors are not safe for concurrent use; create one per goroutine.
package sim

import (
	"errors"
	"fmt"
	"math"

	"trigo/ir"
)

// Batch holds events for one tensor: Events × Shape.Size() float32 values,
// event-major.
type Batch struct {
	Events int
	Shape  ir.Shape
	Data   []float32
}

// NewBatch allocates a zero batch.
func NewBatch(events int, shape ir.Shape) Batch {
	return Batch{Events: events, Shape: shape.Clone(), Data: make([]float32, events*shape.Size())}
}

// Event returns the values of event e (a sub-slice of Data).
func (b *Batch) Event(e int) []float32 {
	n := b.Shape.Size()
	return b.Data[e*n : (e+1)*n]
}

// Codes holds fixed-point codes for events: Events × Shape.Size() int64
// codes, event-major, with the element type.
type Codes struct {
	Events int
	Shape  ir.Shape
	Type   ir.Type
	Data   []int64
}

// Event returns the codes of event e (a sub-slice of Data).
func (c *Codes) Event(e int) []int64 {
	n := c.Shape.Size()
	return c.Data[e*n : (e+1)*n]
}

// Dequantize returns the values code · 2^-F as float32 (exact for W ≤ 24;
// otherwise the nearest float32). Int32 codes are converted as integers.
func (c *Codes) Dequantize() Batch {
	b := Batch{Events: c.Events, Shape: c.Shape.Clone(), Data: make([]float32, len(c.Data))}
	for i, v := range c.Data {
		b.Data[i] = float32(c.value(v))
	}
	return b
}

// value dequantises one code to float64.
func (c *Codes) value(v int64) float64 {
	if c.Type.Kind == ir.Fixed {
		return c.Type.Fixed.Float(v)
	}
	return float64(v)
}

// checkNoInt32 rejects graphs that use int32 values other than the index
// and count outputs of graph ops (condensation's cluster ids): int32
// inputs, constants and arithmetic have no simulator semantics yet.
func checkNoInt32(g *ir.Graph) error {
	var errs []error
	for _, v := range g.Inputs {
		if v.Type.Kind == ir.Int32 {
			errs = append(errs, fmt.Errorf("input %q is i32", v.Name))
		}
	}
	for _, c := range g.Consts {
		if c.Type.Kind == ir.Int32 {
			errs = append(errs, fmt.Errorf("const %q is i32", c.Name))
		}
	}
	for _, n := range g.Nodes {
		spec := ir.LookupOp(n.Op)
		for i, o := range n.Outputs {
			if o.Type.Kind == ir.Int32 && (spec == nil || !spec.IsIntOutput(i)) {
				errs = append(errs, fmt.Errorf("node %q (%s): output %q is i32", n.Name, n.Op, o.Name))
			}
		}
		if t, ok := n.Attrs.Type("acc"); ok && t.Kind == ir.Int32 {
			errs = append(errs, fmt.Errorf("node %q (%s): acc type is i32", n.Name, n.Op))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("sim: int32 values are not supported by the simulators yet: %w", errors.Join(errs...))
	}
	return nil
}

// slots assigns a buffer slot to every value of a graph.
type slots struct {
	index  map[string]int
	values []*ir.Value
	consts []*ir.Const // nil where the slot is not a constant
}

func newSlots(g *ir.Graph) *slots {
	s := &slots{index: map[string]int{}}
	add := func(v *ir.Value, c *ir.Const) {
		s.index[v.Name] = len(s.values)
		s.values = append(s.values, v)
		s.consts = append(s.consts, c)
	}
	for _, v := range g.Inputs {
		add(v, nil)
	}
	for _, c := range g.Consts {
		add(&c.Value, c)
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			add(o, nil)
		}
	}
	return s
}

func (s *slots) of(name string) int { return s.index[name] }

func (s *slots) value(name string) *ir.Value { return s.values[s.index[name]] }

// --- precomputed index maps -------------------------------------------------

// broadcastMap returns, for every element of out, the index into a tensor of
// shape in broadcast to out (numpy rules). It returns nil when in equals out
// (identity).
func broadcastMap(in, out ir.Shape) []int32 {
	if in.Equal(out) {
		return nil
	}
	n := out.Size()
	m := make([]int32, n)
	inStr := in.Strides()
	// Effective stride of each out axis in the input (0 where broadcast).
	eff := make([]int, len(out))
	for i := range out {
		j := len(in) - len(out) + i
		if j >= 0 && in[j] != 1 {
			eff[i] = inStr[j]
		}
	}
	coord := make([]int, len(out))
	idx := 0
	for o := 0; o < n; o++ {
		m[o] = int32(idx)
		// increment the coordinate (row-major, last axis fastest)
		for ax := len(out) - 1; ax >= 0; ax-- {
			coord[ax]++
			idx += eff[ax]
			if coord[ax] < out[ax] {
				break
			}
			idx -= eff[ax] * coord[ax]
			coord[ax] = 0
		}
	}
	return m
}

// transposeMap returns, for every output element, the input element index.
func transposeMap(in ir.Shape, perm []int) []int32 {
	out := make(ir.Shape, len(in))
	for i, p := range perm {
		out[i] = in[p]
	}
	inStr := in.Strides()
	eff := make([]int, len(out))
	for i, p := range perm {
		eff[i] = inStr[p]
	}
	n := out.Size()
	m := make([]int32, n)
	coord := make([]int, len(out))
	idx := 0
	for o := 0; o < n; o++ {
		m[o] = int32(idx)
		for ax := len(out) - 1; ax >= 0; ax-- {
			coord[ax]++
			idx += eff[ax]
			if coord[ax] < out[ax] {
				break
			}
			idx -= eff[ax] * coord[ax]
			coord[ax] = 0
		}
	}
	return m
}

// reduceMap returns, for every input element, the index of the output
// element it reduces into (reduced axes kept with size 1).
func reduceMap(in ir.Shape, axes []int) (m []int32, outSize int) {
	out := in.Clone()
	for _, a := range axes {
		out[a] = 1
	}
	outStr := out.Strides()
	eff := make([]int, len(in))
	for i := range in {
		if out[i] != 1 {
			eff[i] = outStr[i]
		}
	}
	n := in.Size()
	m = make([]int32, n)
	coord := make([]int, len(in))
	idx := 0
	for i := 0; i < n; i++ {
		m[i] = int32(idx)
		for ax := len(in) - 1; ax >= 0; ax-- {
			coord[ax]++
			idx += eff[ax]
			if coord[ax] < in[ax] {
				break
			}
			idx -= eff[ax] * coord[ax]
			coord[ax] = 0
		}
	}
	return m, out.Size()
}

// concatPlan describes a concatenation as copies of contiguous chunks: for
// each outer index o and input j, in_j[o*chunk[j] : (o+1)*chunk[j]] goes to
// out[o*outChunk + off[j] : ...].
type concatPlan struct {
	outer    int
	outChunk int
	chunk    []int
	off      []int
}

func newConcatPlan(ins []ir.Shape, axis int) concatPlan {
	p := concatPlan{outer: 1}
	for _, d := range ins[0][:axis] {
		p.outer *= d
	}
	inner := 1
	for _, d := range ins[0][axis+1:] {
		inner *= d
	}
	for _, s := range ins {
		p.off = append(p.off, p.outChunk)
		p.chunk = append(p.chunk, s[axis]*inner)
		p.outChunk += s[axis] * inner
	}
	return p
}

// window is a precomputed channel-last sliding window over d spatial axes:
// for output position o and kernel position k (row-major over the kernel
// dims), idx[o*nK+k] is the input spatial position (row-major over the input
// spatial dims) or -1 where the window lies in the padding.
type window struct {
	nOut, nK int
	idx      []int32
	valid    []int32 // number of non-padding positions per output position
}

func newWindow(inSp, k, strides, dil, padBegin, outSp []int) *window {
	d := len(inSp)
	w := &window{nOut: 1, nK: 1}
	for _, v := range outSp {
		w.nOut *= v
	}
	for _, v := range k {
		w.nK *= v
	}
	inStr := ir.Shape(inSp).Strides()
	w.idx = make([]int32, w.nOut*w.nK)
	w.valid = make([]int32, w.nOut)
	oc := make([]int, d)
	kc := make([]int, d)
	for o := 0; o < w.nOut; o++ {
		rem := o
		for a := d - 1; a >= 0; a-- {
			oc[a] = rem % outSp[a]
			rem /= outSp[a]
		}
		for kk := 0; kk < w.nK; kk++ {
			rem := kk
			for a := d - 1; a >= 0; a-- {
				kc[a] = rem % k[a]
				rem /= k[a]
			}
			pos, ok := 0, true
			for a := 0; a < d; a++ {
				p := oc[a]*strides[a] - padBegin[a] + kc[a]*dil[a]
				if p < 0 || p >= inSp[a] {
					ok = false
					break
				}
				pos += p * inStr[a]
			}
			if ok {
				w.idx[o*w.nK+kk] = int32(pos)
				w.valid[o]++
			} else {
				w.idx[o*w.nK+kk] = -1
			}
		}
	}
	return w
}

func convWindow(n *ir.Node, x, w ir.Shape, out ir.Shape) (*window, error) {
	d := len(x) - 1
	st, dil, pads, err := ir.SpatialParams(n.Attrs, d)
	if err != nil {
		return nil, err
	}
	k := make([]int, d)
	copy(k, w[:d])
	return newWindow(x[:d], k, st, dil, pads[:d], out[:d]), nil
}

func poolWindow(n *ir.Node, x, out ir.Shape) (*window, error) {
	d := len(x) - 1
	st, dil, pads, err := ir.SpatialParams(ir.Attrs{"strides": n.Attrs.Ints("strides"), "pads": n.Attrs.Ints("pads")}, d)
	if err != nil {
		return nil, err
	}
	ki := n.Attrs.Ints("kernel")
	k := make([]int, d)
	for i := range k {
		k[i] = int(ki[i])
	}
	w := newWindow(x[:d], k, st, dil, pads[:d], out[:d])
	for o, v := range w.valid {
		if v == 0 {
			return nil, fmt.Errorf("pooling window at output position %d lies entirely in the padding (pads must be smaller than the kernel)", o)
		}
	}
	return w, nil
}

// normAxis resolves one (possibly negative) axis.
func normAxis(a int64, rank int) (int, error) {
	ax, err := ir.NormAxes([]int64{a}, rank)
	if err != nil {
		return 0, err
	}
	return ax[0], nil
}

// quantParams holds the resolved attributes of fake_quant.
type quantParams struct {
	scale, zp, qmin, qmax float64
	round                 func(float64) float64
}

func newQuantParams(a ir.Attrs) (quantParams, error) {
	var q quantParams
	q.scale = a.Float("scale", 0)
	q.zp = a.Float("zero_point", 0)
	bits := a.Int("bits", 0)
	signed := a.Int("signed", 1)
	narrow := a.Int("narrow", 0)
	if !(q.scale > 0) {
		return q, fmt.Errorf("scale %v must be positive", q.scale)
	}
	if bits < 1 || bits > 64 {
		return q, fmt.Errorf("bits %d outside 1..64", bits)
	}
	if signed != 0 && signed != 1 || narrow != 0 && narrow != 1 {
		return q, fmt.Errorf("signed and narrow must be 0 or 1, got %d and %d", signed, narrow)
	}
	if signed == 1 {
		q.qmax = math.Ldexp(1, int(bits-1)) - 1
		q.qmin = -math.Ldexp(1, int(bits-1))
		if narrow == 1 {
			q.qmin = -q.qmax
		}
	} else {
		q.qmin = 0
		q.qmax = math.Ldexp(1, int(bits)) - 1
		if narrow == 1 {
			q.qmax = math.Ldexp(1, int(bits)) - 2
		}
	}
	switch mode := a.String("rounding", "ROUND"); mode {
	case "ROUND":
		q.round = math.RoundToEven
	case "CEIL":
		q.round = math.Ceil
	case "FLOOR":
		q.round = math.Floor
	case "ROUND_TO_ZERO":
		q.round = math.Trunc
	default:
		return q, fmt.Errorf("rounding %q not supported (ROUND, CEIL, FLOOR, ROUND_TO_ZERO)", mode)
	}
	return q, nil
}

func (q *quantParams) apply(x float64) float64 {
	v := q.round(x/q.scale + q.zp)
	v = math.Min(math.Max(v, q.qmin), q.qmax)
	return (v - q.zp) * q.scale
}
