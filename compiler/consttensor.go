package compiler

import (
	"fmt"
	"math"
)

// constTensor is a compile-time tensor with its full ONNX shape (batch axis
// included). The importer evaluates every node whose inputs are all
// constant, which is how exporters' shape-computation subgraphs (Shape,
// Gather, Concat, ConstantOfShape, Range, If on constant conditions...) fold
// away. Values are float64, which holds every shape integer exactly.
type constTensor struct {
	dims  []int
	data  []float64
	isInt bool // integer or bool element type in ONNX
}

func (c *constTensor) size() int { return shapeSize(c.dims) }

func shapeSize(d []int) int {
	n := 1
	for _, x := range d {
		n *= x
	}
	return n
}

// maxConstElements bounds every tensor the importer computes at compile
// time, so that a hostile model cannot make it allocate without limit.
const maxConstElements = 1 << 24

// checkSize fails when dims has a negative dimension or more than
// maxConstElements elements (computed without overflow).
func checkSize(dims []int) error {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return fmt.Errorf("shape %v has a negative dimension", dims)
		}
		if d == 0 {
			n = 0
		}
	}
	for _, d := range dims {
		if n > 0 && d > maxConstElements/n {
			return fmt.Errorf("shape %v has more than %d elements", dims, maxConstElements)
		}
		n *= d
	}
	return nil
}

func scalarConst(v float64, isInt bool) *constTensor {
	return &constTensor{dims: []int{}, data: []float64{v}, isInt: isInt}
}

// ints returns the values as ints (shape vectors, axes, indices).
func (c *constTensor) ints() ([]int, error) {
	out := make([]int, len(c.data))
	for i, v := range c.data {
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return nil, fmt.Errorf("value %v is not an integer", v)
		}
		out[i] = int(v)
	}
	return out, nil
}

func stridesOf(d []int) []int {
	st := make([]int, len(d))
	acc := 1
	for i := len(d) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= d[i]
	}
	return st
}

func broadcastDims(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// broadcastTo expands c to dims (numpy rules).
func (c *constTensor) broadcastTo(dims []int) (*constTensor, error) {
	bd, err := broadcastDims(dims, c.dims)
	if err != nil {
		return nil, err
	}
	if len(bd) != len(dims) {
		return nil, fmt.Errorf("shape %v does not broadcast to %v", c.dims, dims)
	}
	for i := range bd {
		if bd[i] != dims[i] {
			return nil, fmt.Errorf("shape %v does not broadcast to %v", c.dims, dims)
		}
	}
	if err := checkSize(dims); err != nil {
		return nil, err
	}
	out := &constTensor{dims: append([]int(nil), dims...), data: make([]float64, shapeSize(dims)), isInt: c.isInt}
	ost := stridesOf(dims)
	ist := stridesOf(c.dims)
	off := len(dims) - len(c.dims)
	for i := range out.data {
		rem, src := i, 0
		for ax := range dims {
			idx := rem / ost[ax]
			rem %= ost[ax]
			if j := ax - off; j >= 0 && c.dims[j] != 1 {
				src += idx * ist[j]
			}
		}
		out.data[i] = c.data[src]
	}
	return out, nil
}

func binaryConst(a, b *constTensor, f func(x, y float64) float64) (*constTensor, error) {
	dims, err := broadcastDims(a.dims, b.dims)
	if err != nil {
		return nil, err
	}
	ea, err := a.broadcastTo(dims)
	if err != nil {
		return nil, err
	}
	eb, err := b.broadcastTo(dims)
	if err != nil {
		return nil, err
	}
	out := &constTensor{dims: dims, data: make([]float64, len(ea.data)), isInt: a.isInt && b.isInt}
	for i := range out.data {
		out.data[i] = f(ea.data[i], eb.data[i])
	}
	return out, nil
}

func (c *constTensor) mapValues(f func(float64) float64) *constTensor {
	out := &constTensor{dims: c.dims, data: make([]float64, len(c.data)), isInt: c.isInt}
	for i, v := range c.data {
		out.data[i] = f(v)
	}
	return out
}

// transpose permutes axes.
func (c *constTensor) transpose(perm []int) (*constTensor, error) {
	if len(perm) != len(c.dims) {
		return nil, fmt.Errorf("perm %v does not match rank %d", perm, len(c.dims))
	}
	seen := make([]bool, len(perm))
	dims := make([]int, len(perm))
	for i, p := range perm {
		if p < 0 || p >= len(perm) || seen[p] {
			return nil, fmt.Errorf("invalid perm %v", perm)
		}
		seen[p] = true
		dims[i] = c.dims[p]
	}
	out := &constTensor{dims: dims, data: make([]float64, len(c.data)), isInt: c.isInt}
	ist := stridesOf(c.dims)
	ost := stridesOf(dims)
	for i := range out.data {
		rem, src := i, 0
		for ax := range dims {
			idx := rem / ost[ax]
			rem %= ost[ax]
			src += idx * ist[perm[ax]]
		}
		out.data[i] = c.data[src]
	}
	return out, nil
}

// gather implements ONNX Gather along axis.
func (c *constTensor) gather(idx *constTensor, axis int) (*constTensor, error) {
	r := len(c.dims)
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= r {
		return nil, fmt.Errorf("axis out of range")
	}
	ids, err := idx.ints()
	if err != nil {
		return nil, err
	}
	n := c.dims[axis]
	for i, v := range ids {
		if v < 0 {
			v += n
		}
		if v < 0 || v >= n {
			return nil, fmt.Errorf("index %d out of range for dimension %d", ids[i], n)
		}
		ids[i] = v
	}
	outer := shapeSize(c.dims[:axis])
	inner := shapeSize(c.dims[axis+1:])
	dims := append(append(append([]int{}, c.dims[:axis]...), idx.dims...), c.dims[axis+1:]...)
	if err := checkSize(dims); err != nil {
		return nil, err
	}
	out := &constTensor{dims: dims, isInt: c.isInt}
	for o := 0; o < outer; o++ {
		for _, id := range ids {
			base := (o*n + id) * inner
			out.data = append(out.data, c.data[base:base+inner]...)
		}
	}
	return out, nil
}

// concat joins along axis.
func concatConst(ts []*constTensor, axis int) (*constTensor, error) {
	r := len(ts[0].dims)
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= r {
		return nil, fmt.Errorf("axis out of range")
	}
	dims := append([]int(nil), ts[0].dims...)
	dims[axis] = 0
	for _, t := range ts {
		if len(t.dims) != r {
			return nil, fmt.Errorf("rank mismatch")
		}
		for i := range t.dims {
			if i != axis && t.dims[i] != ts[0].dims[i] {
				return nil, fmt.Errorf("shapes %v and %v differ outside axis %d", ts[0].dims, t.dims, axis)
			}
		}
		dims[axis] += t.dims[axis]
	}
	outer := shapeSize(dims[:axis])
	out := &constTensor{dims: dims, isInt: ts[0].isInt}
	for o := 0; o < outer; o++ {
		for _, t := range ts {
			chunk := t.dims[axis] * shapeSize(t.dims[axis+1:])
			out.data = append(out.data, t.data[o*chunk:(o+1)*chunk]...)
		}
	}
	return out, nil
}

// slice implements ONNX Slice on constants.
func (c *constTensor) slice(starts, ends, axes, steps []int) (*constTensor, error) {
	r := len(c.dims)
	lo := make([]int, r)
	hi := append([]int(nil), c.dims...)
	st := make([]int, r)
	for i := range st {
		st[i] = 1
	}
	if axes == nil {
		for i := range starts {
			axes = append(axes, i)
		}
	}
	for i, ax := range axes {
		if ax < 0 {
			ax += r
		}
		if ax < 0 || ax >= r {
			return nil, fmt.Errorf("slice axis out of range")
		}
		step := 1
		if steps != nil {
			step = steps[i]
		}
		if step != 1 {
			return nil, fmt.Errorf("slice steps other than 1 are not supported")
		}
		n := c.dims[ax]
		clampIdx := func(v int) int {
			if v < 0 {
				v += n
			}
			return min(max(v, 0), n)
		}
		lo[ax], hi[ax] = clampIdx(starts[i]), clampIdx(ends[i])
		if hi[ax] < lo[ax] {
			hi[ax] = lo[ax]
		}
	}
	dims := make([]int, r)
	for i := range dims {
		dims[i] = hi[i] - lo[i]
	}
	out := &constTensor{dims: dims, data: make([]float64, shapeSize(dims)), isInt: c.isInt}
	ist := stridesOf(c.dims)
	ost := stridesOf(dims)
	for i := range out.data {
		rem, src := i, 0
		for ax := range dims {
			idx := rem / ost[ax]
			rem %= ost[ax]
			src += (idx + lo[ax]) * ist[ax]
		}
		out.data[i] = c.data[src]
	}
	return out, nil
}
