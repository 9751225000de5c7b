package compiler

import (
	"fmt"
	"math"

	"trigo/compiler/internal/onnx"
)

// evalConst evaluates a node whose inputs are all constant.
func (im *importer) evalConst(n *onnx.Node, es []*entry) ([]*constTensor, error) {
	arg := func(i int) *constTensor {
		if i < len(es) && es[i] != nil {
			return es[i].c
		}
		return nil
	}
	one := func(c *constTensor, err error) ([]*constTensor, error) {
		if err != nil {
			return nil, err
		}
		return []*constTensor{c}, nil
	}
	need := func(k int) error {
		for i := 0; i < k; i++ {
			if arg(i) == nil {
				return fmt.Errorf("missing input %d", i)
			}
		}
		return nil
	}
	binary := func(f func(x, y float64) float64) ([]*constTensor, error) {
		if err := need(2); err != nil {
			return nil, err
		}
		return one(binaryConst(arg(0), arg(1), f))
	}
	unary := func(f func(float64) float64) ([]*constTensor, error) {
		if err := need(1); err != nil {
			return nil, err
		}
		return one(arg(0).mapValues(f), nil)
	}
	boolOf := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	switch n.OpType {
	case "Constant":
		if a := n.Attr("value"); a != nil && a.T != nil {
			return one(im.tensorConst(a.T))
		}
		if a := n.Attr("value_float"); a != nil {
			return one(scalarConst(float64(a.F), false), nil)
		}
		if a := n.Attr("value_int"); a != nil {
			return one(scalarConst(float64(a.I), true), nil)
		}
		if a := n.Attr("value_ints"); a != nil {
			return one(&constTensor{dims: []int{len(a.Ints)}, data: intsToFloats(int64sToInts(a.Ints)), isInt: true}, nil)
		}
		if a := n.Attr("value_floats"); a != nil {
			d := make([]float64, len(a.Floats))
			for i, f := range a.Floats {
				d[i] = float64(f)
			}
			return one(&constTensor{dims: []int{len(d)}, data: d}, nil)
		}
		return nil, fmt.Errorf("Constant without a supported value attribute")
	case "Identity", "Dropout":
		if err := need(1); err != nil {
			return nil, err
		}
		return []*constTensor{arg(0)}, nil
	case "Shape":
		if err := need(1); err != nil {
			return nil, err
		}
		return one(&constTensor{dims: []int{len(arg(0).dims)}, data: intsToFloats(arg(0).dims), isInt: true}, nil)
	case "Size":
		if err := need(1); err != nil {
			return nil, err
		}
		return one(scalarConst(float64(arg(0).size()), true), nil)
	case "Gather":
		if err := need(2); err != nil {
			return nil, err
		}
		return one(arg(0).gather(arg(1), int(attrInt(n, "axis", 0))))
	case "Unsqueeze", "Squeeze":
		if err := need(1); err != nil {
			return nil, err
		}
		axes, err := im.axesOf(n, es)
		if err != nil {
			return nil, err
		}
		dims, err := squeezeDims(arg(0).dims, axes, n.OpType == "Unsqueeze")
		if err != nil {
			return nil, err
		}
		c := *arg(0)
		c.dims = dims
		return []*constTensor{&c}, nil
	case "Concat":
		var ts []*constTensor
		for _, e := range es {
			if e != nil {
				ts = append(ts, e.c)
			}
		}
		if len(ts) == 0 {
			return nil, fmt.Errorf("Concat without inputs")
		}
		return one(concatConst(ts, int(attrInt(n, "axis", 0))))
	case "Reshape":
		if err := need(1); err != nil {
			return nil, err
		}
		var target []int
		var err error
		if im.opset < 5 || arg(1) == nil {
			target = attrInts(n, "shape")
		} else if target, err = arg(1).ints(); err != nil {
			return nil, err
		}
		dims, err := resolveReshape(arg(0).dims, target)
		if err != nil {
			return nil, err
		}
		c := *arg(0)
		c.dims = dims
		return []*constTensor{&c}, nil
	case "Flatten":
		if err := need(1); err != nil {
			return nil, err
		}
		ax := int(attrInt(n, "axis", 1))
		if ax < 0 {
			ax += len(arg(0).dims)
		}
		if ax < 0 || ax > len(arg(0).dims) {
			return nil, fmt.Errorf("Flatten axis %d out of range for rank %d", attrInt(n, "axis", 1), len(arg(0).dims))
		}
		c := *arg(0)
		c.dims = []int{shapeSize(c.dims[:ax]), shapeSize(c.dims[ax:])}
		return []*constTensor{&c}, nil
	case "Cast":
		if err := need(1); err != nil {
			return nil, err
		}
		to := onnx.DataType(attrInt(n, "to", 1))
		switch to {
		case onnx.Float, onnx.Double, onnx.Float16, onnx.BFloat16:
			c := *arg(0)
			c.isInt = false
			return []*constTensor{&c}, nil
		case onnx.Bool:
			c := arg(0).mapValues(func(v float64) float64 { return boolOf(v != 0) })
			c.isInt = true
			return []*constTensor{c}, nil
		default:
			c := arg(0).mapValues(math.Trunc)
			c.isInt = true
			return []*constTensor{c}, nil
		}
	case "ConstantOfShape":
		if err := need(1); err != nil {
			return nil, err
		}
		dims, err := arg(0).ints()
		if err != nil {
			return nil, err
		}
		v, isInt := 0.0, false
		if a := n.Attr("value"); a != nil && a.T != nil {
			t, err := im.tensorConst(a.T)
			if err != nil || len(t.data) != 1 {
				return nil, fmt.Errorf("ConstantOfShape value must be a one-element tensor")
			}
			v, isInt = t.data[0], t.isInt
		}
		if err := checkSize(dims); err != nil {
			return nil, fmt.Errorf("ConstantOfShape: %w", err)
		}
		c := &constTensor{dims: dims, data: make([]float64, shapeSize(dims)), isInt: isInt}
		for i := range c.data {
			c.data[i] = v
		}
		return one(c, nil)
	case "Range":
		if err := need(3); err != nil {
			return nil, err
		}
		if len(arg(0).data) != 1 || len(arg(1).data) != 1 || len(arg(2).data) != 1 {
			return nil, fmt.Errorf("Range start, limit and delta must be scalars")
		}
		start, limit, delta := arg(0).data[0], arg(1).data[0], arg(2).data[0]
		if delta == 0 {
			return nil, fmt.Errorf("Range with delta 0")
		}
		fcnt := math.Max(math.Ceil((limit-start)/delta), 0)
		if !(fcnt <= 1<<24) { // also NaN and infinite bounds
			return nil, fmt.Errorf("Range too long")
		}
		cnt := int(fcnt)
		c := &constTensor{dims: []int{cnt}, data: make([]float64, cnt), isInt: arg(0).isInt}
		for i := range c.data {
			c.data[i] = start + float64(i)*delta
		}
		return one(c, nil)
	case "Slice":
		if err := need(1); err != nil {
			return nil, err
		}
		var starts, ends, axes, steps []int
		if im.opset < 10 {
			starts, ends, axes = attrInts(n, "starts"), attrInts(n, "ends"), attrInts(n, "axes")
		} else {
			get := func(i int) ([]int, error) {
				if arg(i) == nil {
					return nil, nil
				}
				return arg(i).ints()
			}
			var err error
			if starts, err = get(1); err != nil {
				return nil, err
			}
			if ends, err = get(2); err != nil {
				return nil, err
			}
			if axes, err = get(3); err != nil {
				return nil, err
			}
			if steps, err = get(4); err != nil {
				return nil, err
			}
		}
		if len(starts) != len(ends) || (axes != nil && len(axes) != len(starts)) || (steps != nil && len(steps) != len(starts)) {
			return nil, fmt.Errorf("Slice starts, ends, axes and steps differ in length")
		}
		return one(arg(0).slice(starts, ends, axes, steps))
	case "Transpose":
		if err := need(1); err != nil {
			return nil, err
		}
		perm := attrInts(n, "perm")
		if perm == nil {
			for i := len(arg(0).dims) - 1; i >= 0; i-- {
				perm = append(perm, i)
			}
		}
		return one(arg(0).transpose(perm))
	case "Add":
		return binary(func(x, y float64) float64 { return x + y })
	case "Sub":
		return binary(func(x, y float64) float64 { return x - y })
	case "Mul":
		return binary(func(x, y float64) float64 { return x * y })
	case "Div":
		if err := need(2); err != nil {
			return nil, err
		}
		isInt := arg(0).isInt && arg(1).isInt
		c, err := binaryConst(arg(0), arg(1), func(x, y float64) float64 {
			if isInt && y != 0 {
				return math.Trunc(x / y)
			}
			return x / y
		})
		return one(c, err)
	case "Pow":
		return binary(math.Pow)
	case "Equal":
		if err := need(2); err != nil {
			return nil, err
		}
		c, err := binaryConst(arg(0), arg(1), func(x, y float64) float64 { return boolOf(x == y) })
		if c != nil {
			c.isInt = true
		}
		return one(c, err)
	case "Less":
		return binary(func(x, y float64) float64 { return boolOf(x < y) })
	case "Greater":
		return binary(func(x, y float64) float64 { return boolOf(x > y) })
	case "Not":
		return unary(func(v float64) float64 { return boolOf(v == 0) })
	case "Where":
		if err := need(3); err != nil {
			return nil, err
		}
		dims, err := broadcastDims(arg(0).dims, arg(1).dims)
		if err == nil {
			dims, err = broadcastDims(dims, arg(2).dims)
		}
		if err != nil {
			return nil, err
		}
		cnd, _ := arg(0).broadcastTo(dims)
		a, _ := arg(1).broadcastTo(dims)
		b, _ := arg(2).broadcastTo(dims)
		out := &constTensor{dims: dims, data: make([]float64, len(cnd.data)), isInt: arg(1).isInt}
		for i := range out.data {
			if cnd.data[i] != 0 {
				out.data[i] = a.data[i]
			} else {
				out.data[i] = b.data[i]
			}
		}
		return one(out, nil)
	case "Neg":
		return unary(func(v float64) float64 { return -v })
	case "Sqrt":
		return unary(math.Sqrt)
	case "Reciprocal":
		return unary(func(v float64) float64 { return 1 / v })
	case "Floor":
		return unary(math.Floor)
	case "Ceil":
		return unary(math.Ceil)
	case "Abs":
		return unary(math.Abs)
	case "Relu":
		return unary(func(v float64) float64 { return math.Max(v, 0) })
	case "Quant":
		if err := need(4); err != nil {
			return nil, err
		}
		q, err := quantParams(n, es)
		if err != nil {
			return nil, err
		}
		return unary(q.apply)
	case "BipolarQuant":
		if err := need(2); err != nil {
			return nil, err
		}
		s, err := scalarOf(arg(1), "scale")
		if err != nil {
			return nil, err
		}
		return unary(func(v float64) float64 {
			if v >= 0 {
				return s
			}
			return -s
		})
	}
	return nil, fmt.Errorf("op %s on constants is not supported", n.OpType)
}

func int64sToInts(v []int64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

func scalarOf(c *constTensor, what string) (float64, error) {
	if c == nil || len(c.data) == 0 {
		return 0, fmt.Errorf("%s is missing", what)
	}
	for _, v := range c.data[1:] {
		if v != c.data[0] {
			return 0, fmt.Errorf("%s must be one value for the whole tensor (per-channel %s is not supported)", what, what)
		}
	}
	return c.data[0], nil
}

// axesOf reads Squeeze/Unsqueeze axes (attribute before opset 13, input after).
func (im *importer) axesOf(n *onnx.Node, es []*entry) ([]int, error) {
	if im.opset >= 13 {
		if len(es) > 1 && es[1] != nil {
			if es[1].c == nil {
				return nil, fmt.Errorf("axes must be constant")
			}
			return es[1].c.ints()
		}
		return nil, nil
	}
	return attrInts(n, "axes"), nil
}

// squeezeDims applies Squeeze (nil axes: every 1) or Unsqueeze to dims.
func squeezeDims(dims []int, axes []int, unsqueeze bool) ([]int, error) {
	if unsqueeze {
		r := len(dims) + len(axes)
		ins := make([]bool, r)
		for _, a := range axes {
			if a < 0 {
				a += r
			}
			if a < 0 || a >= r || ins[a] {
				return nil, fmt.Errorf("unsqueeze axis %d out of range", a)
			}
			ins[a] = true
		}
		out := make([]int, 0, r)
		j := 0
		for i := 0; i < r; i++ {
			if ins[i] {
				out = append(out, 1)
			} else {
				out = append(out, dims[j])
				j++
			}
		}
		return out, nil
	}
	drop := make([]bool, len(dims))
	if axes == nil {
		for i, d := range dims {
			drop[i] = d == 1
		}
	}
	for _, a := range axes {
		if a < 0 {
			a += len(dims)
		}
		if a < 0 || a >= len(dims) || dims[a] != 1 {
			return nil, fmt.Errorf("cannot squeeze axis %d of %v", a, dims)
		}
		drop[a] = true
	}
	out := []int{}
	for i, d := range dims {
		if !drop[i] {
			out = append(out, d)
		}
	}
	return out, nil
}

// resolveReshape resolves 0 (copy) and -1 (infer) in an ONNX Reshape target.
func resolveReshape(in []int, target []int) ([]int, error) {
	out := make([]int, len(target))
	infer := -1
	known := 1
	for i, t := range target {
		switch {
		case t == 0:
			if i >= len(in) {
				return nil, fmt.Errorf("reshape target %v copies a missing dimension", target)
			}
			out[i] = in[i]
		case t == -1:
			if infer >= 0 {
				return nil, fmt.Errorf("reshape target %v has two -1", target)
			}
			infer = i
			continue
		case t < 0:
			return nil, fmt.Errorf("reshape target %v has a negative dimension", target)
		default:
			out[i] = t
		}
		known *= out[i]
	}
	total := shapeSize(in)
	if infer >= 0 {
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("cannot infer -1 in reshape target %v for %d elements", target, total)
		}
		out[infer] = total / known
	}
	if checkSize(out) != nil || shapeSize(out) != total {
		return nil, fmt.Errorf("cannot reshape %v to %v", in, target)
	}
	return out, nil
}

// quantSpec is a QONNX Quant node's parameters.
type quantSpec struct {
	scale, zeroPoint float64
	bits             int
	signed, narrow   bool
	rounding         string
}

func quantParams(n *onnx.Node, es []*entry) (quantSpec, error) {
	q := quantSpec{signed: attrInt(n, "signed", 1) != 0, narrow: attrInt(n, "narrow", 0) != 0,
		rounding: attrString(n, "rounding_mode", "ROUND")}
	var err error
	for i, name := range []string{"scale", "zero point", "bit width"} {
		if len(es) <= i+1 || es[i+1] == nil || es[i+1].c == nil {
			return q, fmt.Errorf("Quant %s must be a constant", name)
		}
	}
	if q.scale, err = scalarOf(es[1].c, "scale"); err != nil {
		return q, err
	}
	if q.zeroPoint, err = scalarOf(es[2].c, "zero point"); err != nil {
		return q, err
	}
	b, err := scalarOf(es[3].c, "bit width")
	if err != nil {
		return q, err
	}
	if b != math.Trunc(b) || b < 1 || b > 32 {
		return q, fmt.Errorf("Quant bit width %v: want an integer in 1..32", b)
	}
	q.bits = int(b)
	if !(q.scale > 0) {
		return q, fmt.Errorf("Quant scale %v must be positive", q.scale)
	}
	switch q.rounding {
	case "ROUND", "CEIL", "FLOOR", "ROUND_TO_ZERO":
	default:
		return q, fmt.Errorf("Quant rounding_mode %q is not supported (supported: ROUND, CEIL, FLOOR, ROUND_TO_ZERO)", q.rounding)
	}
	return q, nil
}

// limits returns the integer range of the quantiser.
func (q quantSpec) limits() (lo, hi float64) {
	b := float64(q.bits)
	if q.signed {
		lo, hi = -math.Pow(2, b-1), math.Pow(2, b-1)-1
		if q.narrow {
			lo++
		}
	} else {
		lo, hi = 0, math.Pow(2, b)-1
		if q.narrow {
			hi--
		}
	}
	return
}

// apply is QONNX Quant on one value (float64 reference).
func (q quantSpec) apply(x float64) float64 {
	v := x/q.scale + q.zeroPoint
	switch q.rounding {
	case "CEIL":
		v = math.Ceil(v)
	case "FLOOR":
		v = math.Floor(v)
	case "ROUND_TO_ZERO":
		v = math.Trunc(v)
	default:
		v = math.RoundToEven(v)
	}
	lo, hi := q.limits()
	v = math.Min(math.Max(v, lo), hi)
	return (v - q.zeroPoint) * q.scale
}
