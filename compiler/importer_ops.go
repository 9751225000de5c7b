package compiler

import (
	"errors"
	"fmt"
	"math"

	"trigo/compiler/internal/onnx"
	"trigo/ir"
)

// eventAxis maps an ONNX axis of a tensor of event data (rank r including
// the batch axis) to the IR axis. The batch axis itself cannot be an op's
// axis: trigo processes one event at a time.
func eventAxis(axis, rank int) (int, error) {
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis == 0 {
		return 0, errors.New("the op works across the event (batch) axis, which trigo keeps separate: each event is processed on its own")
	}
	return axis - 1, nil
}

// perEventConst turns a constant operand of an op on event data (ONNX rank
// dynRank) into its per-event shape: a leading batch dimension of 1 is
// dropped.
func perEventConst(c *constTensor, dynRank int) (*constTensor, error) {
	if len(c.dims) < dynRank {
		return c, nil
	}
	if len(c.dims) > dynRank {
		return nil, fmt.Errorf("constant of shape %v has more axes than the event data", c.dims)
	}
	if c.dims[0] != 1 {
		return nil, fmt.Errorf("constant of shape %v varies along the event axis", c.dims)
	}
	out := *c
	out.dims = c.dims[1:]
	return &out, nil
}

func (im *importer) out(n *onnx.Node, i int) string {
	if i < len(n.Outputs) {
		return n.Outputs[i]
	}
	return ""
}

// result records that ONNX output i is the IR value v with shape s.
func (im *importer) result(n *onnx.Node, i int, v string, s ir.Shape) {
	if o := im.out(n, i); o != "" {
		im.env[o] = &entry{v: v, shape: s}
	}
}

// unaryOp emits a shape-preserving op on the first input.
func (im *importer) unaryOp(n *onnx.Node, x *entry, op string, attrs ir.Attrs) {
	v := im.emit(op, []string{x.v}, attrs, im.out(n, 0), x.shape.Clone())
	im.result(n, 0, v, x.shape)
}

func (im *importer) importDynamic(n *onnx.Node, es []*entry) error {
	x := es[0]
	if x == nil {
		return errors.New("missing first input")
	}
	if len(es) < 2 {
		es = append(es, nil) // ops reading es[1] report the missing input
	}
	rank := len(x.shape) + 1
	switch n.OpType {
	case "Identity", "Dropout":
		if x.c != nil {
			return errors.New("unexpected constant input")
		}
		if len(n.Outputs) > 1 && n.Outputs[1] != "" && im.usedLater(n.Outputs[1]) {
			return errors.New("Dropout's mask output is not supported (inference only)")
		}
		im.env[n.Outputs[0]] = x
		return nil
	case "Relu":
		im.unaryOp(n, x, "relu", nil)
	case "Sigmoid":
		im.unaryOp(n, x, "sigmoid", nil)
	case "Tanh":
		im.unaryOp(n, x, "tanh", nil)
	case "Exp":
		im.unaryOp(n, x, "exp", nil)
	case "LeakyRelu":
		im.unaryOp(n, x, "leaky_relu", ir.Attrs{"alpha": attrFloat(n, "alpha", 0.01)})
	case "Elu":
		im.unaryOp(n, x, "elu", ir.Attrs{"alpha": attrFloat(n, "alpha", 1.0)})
	case "Selu":
		im.unaryOp(n, x, "selu", ir.Attrs{
			"alpha": attrFloat(n, "alpha", 1.67326319217681884765625),
			"gamma": attrFloat(n, "gamma", 1.05070102214813232421875)})
	case "Clip":
		return im.importClip(n, es)
	case "Softmax":
		return im.importSoftmax(n, x)
	case "Gemm":
		return im.importGemm(n, es)
	case "MatMul":
		return im.importMatMul(n, es)
	case "Add", "Sub", "Mul", "Div":
		return im.importBinary(n, es)
	case "Conv":
		return im.importConv(n, es)
	case "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool":
		return im.importPool(n, x)
	case "BatchNormalization":
		return im.importBatchNorm(n, es)
	case "Flatten":
		ax := int(attrInt(n, "axis", 1))
		if ax < 0 {
			ax += rank
		}
		if ax < 0 || ax > rank {
			return fmt.Errorf("axis %d out of range", ax)
		}
		// axis 0 flattens the batch into the features; exporters emit it for
		// batch-1 graphs (Keras converters), where it equals axis 1.
		if ax > 1 && shapeSize(x.shape[:ax-1]) != 1 {
			return fmt.Errorf("Flatten with axis %d would mix events; only axis 0 or 1 (per-event flatten) is supported", ax)
		}
		size := x.shape.Size()
		if ax > 1 {
			size = shapeSize(x.shape[ax-1:])
		}
		return im.reshape(n, x, ir.Shape{size})
	case "Reshape":
		var target []int
		if im.opset < 5 {
			target = attrInts(n, "shape")
		} else {
			if len(es) < 2 || es[1] == nil || es[1].c == nil {
				return errors.New("Reshape with a shape computed from event data is not supported; the target shape must fold to a constant")
			}
			var err error
			if target, err = es[1].c.ints(); err != nil {
				return err
			}
		}
		return im.importReshape(n, x, target)
	case "Transpose":
		perm := attrInts(n, "perm")
		if perm == nil {
			for i := rank - 1; i >= 0; i-- {
				perm = append(perm, i)
			}
		}
		if len(perm) != rank || perm[0] != 0 {
			return fmt.Errorf("perm %v moves the event (batch) axis; only permutations keeping axis 0 first are supported", perm)
		}
		p := make([]int64, rank-1)
		shape := make(ir.Shape, rank-1)
		for i := 1; i < rank; i++ {
			if perm[i] < 1 || perm[i] >= rank {
				return fmt.Errorf("invalid perm %v", perm)
			}
			p[i-1] = int64(perm[i] - 1)
			shape[i-1] = x.shape[perm[i]-1]
		}
		v := im.emit("transpose", []string{x.v}, ir.Attrs{"perm": p}, im.out(n, 0), shape)
		im.result(n, 0, v, shape)
	case "Squeeze", "Unsqueeze":
		axes, err := im.axesOf(n, es)
		if err != nil {
			return err
		}
		full := append([]int{1}, x.shape...)
		dims, err := squeezeDims(full, axes, n.OpType == "Unsqueeze")
		if err != nil {
			return err
		}
		for _, a := range axes {
			if a == 0 || (n.OpType == "Unsqueeze" && a == -len(dims)) || (n.OpType == "Squeeze" && a == -len(full)) {
				return errors.New("squeezing or unsqueezing the event (batch) axis is not supported")
			}
		}
		if axes == nil && n.OpType == "Squeeze" {
			dims = append([]int{1}, dims...) // the batch axis is not squeezed
		}
		return im.reshape(n, x, ir.Shape(dims[1:]))
	case "Concat":
		return im.importConcat(n, es)
	case "Slice":
		if x.c != nil {
			return errors.New("first input must be event data")
		}
		return im.importSlice(n, es)
	case "Split":
		if x.c != nil {
			return errors.New("first input must be event data")
		}
		return im.importSplit(n, es)
	case "Cast":
		if x.c != nil {
			return errors.New("first input must be event data")
		}
		return im.importCast(n, x)
	case "Quant":
		q, err := quantParams(n, es)
		if err != nil {
			return err
		}
		im.unaryOp(n, x, "fake_quant", ir.Attrs{"scale": q.scale, "zero_point": q.zeroPoint, "bits": int64(q.bits),
			"signed": boolAttr(q.signed), "narrow": boolAttr(q.narrow), "rounding": q.rounding})
	case "BipolarQuant":
		if len(es) < 2 || es[1] == nil || es[1].c == nil {
			return errors.New("BipolarQuant scale must be a constant")
		}
		s, err := scalarOf(es[1].c, "scale")
		if err != nil {
			return err
		}
		im.unaryOp(n, x, "bipolar_quant", ir.Attrs{"scale": s})
	default:
		return unsupported(n.OpType)
	}
	if x.c != nil {
		return errors.New("first input must be event data")
	}
	return nil
}

func boolAttr(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// usedLater reports whether any node of the main graph reads name.
func (im *importer) usedLater(name string) bool {
	for _, n := range im.model.Graph.Nodes {
		for _, in := range n.Inputs {
			if in == name {
				return true
			}
		}
	}
	for _, o := range im.model.Graph.Outputs {
		if o.Name == name {
			return true
		}
	}
	return false
}

func (im *importer) reshape(n *onnx.Node, x *entry, shape ir.Shape) error {
	if shape.Size() != x.shape.Size() {
		return fmt.Errorf("cannot reshape %v to %v", x.shape, shape)
	}
	if shape.Equal(x.shape) {
		im.env[n.Outputs[0]] = x
		return nil
	}
	v := im.emit("reshape", []string{x.v}, ir.Attrs{"shape": toInt64s(shape)}, im.out(n, 0), shape)
	im.result(n, 0, v, shape)
	return nil
}

func (im *importer) importReshape(n *onnx.Node, x *entry, target []int) error {
	if len(target) == 0 {
		return errors.New("Reshape to a scalar would drop the event axis")
	}
	// The exporter may have written its batch size into the target.
	if im.batch > 1 && target[0] == im.batch {
		target = append([]int{1}, target[1:]...)
	}
	full := append([]int{1}, x.shape...)
	dims, err := resolveReshape(full, target)
	if err != nil {
		return err
	}
	if dims[0] != 1 {
		return fmt.Errorf("Reshape to %v changes the event (batch) axis; the first target dimension must stay the batch", target)
	}
	return im.reshape(n, x, ir.Shape(dims[1:]))
}

func (im *importer) importClip(n *onnx.Node, es []*entry) error {
	lo, hi := math.Inf(-1), math.Inf(1)
	if im.opset < 11 {
		lo, hi = attrFloat(n, "min", lo), attrFloat(n, "max", hi)
	} else {
		for i, p := range []*float64{&lo, &hi} {
			if len(es) > i+1 && es[i+1] != nil {
				if es[i+1].c == nil {
					return errors.New("Clip bounds must be constants")
				}
				v, err := scalarOf(es[i+1].c, "Clip bound")
				if err != nil {
					return err
				}
				*p = v
			}
		}
	}
	attrs := ir.Attrs{}
	if !math.IsInf(lo, 0) && lo > -math.MaxFloat32 {
		attrs["min"] = lo
	}
	if !math.IsInf(hi, 0) && hi < math.MaxFloat32 {
		attrs["max"] = hi
	}
	if lo > hi {
		return fmt.Errorf("Clip min %v is greater than max %v", lo, hi)
	}
	im.unaryOp(n, es[0], "clip", attrs)
	return nil
}

func (im *importer) importSoftmax(n *onnx.Node, x *entry) error {
	rank := len(x.shape) + 1
	def := int64(-1)
	if im.opset < 13 {
		def = 1
	}
	e, err := eventAxis(int(attrInt(n, "axis", def)), rank)
	if err != nil {
		return err
	}
	ax := e + 1 // normalised ONNX axis (eventAxis resolves negative axes)
	if im.opset >= 13 || ax == rank-1 {
		v := im.emit("softmax", []string{x.v}, ir.Attrs{"axis": int64(ax - 1)}, im.out(n, 0), x.shape.Clone())
		im.result(n, 0, v, x.shape)
		return nil
	}
	// Before opset 13 the input is coerced to 2-D at axis: softmax runs over
	// all trailing axes together.
	inner := shapeSize(x.shape[ax-1:])
	outer := shapeSize(x.shape[:ax-1])
	flat := ir.Shape{outer, inner}
	r := im.emit("reshape", []string{x.v}, ir.Attrs{"shape": toInt64s(flat)}, "", flat)
	s := im.emit("softmax", []string{r}, ir.Attrs{"axis": int64(1)}, "", flat)
	v := im.emit("reshape", []string{s}, ir.Attrs{"shape": toInt64s(x.shape)}, im.out(n, 0), x.shape.Clone())
	im.result(n, 0, v, x.shape)
	return nil
}

// denseFrom emits a dense node for x[..., K] with weight w[K, N] and
// optional bias b[N].
func (im *importer) denseFrom(n *onnx.Node, x *entry, w *constTensor, b *constTensor) {
	name := im.nodeName("dense")
	wName := im.addConst(name+".weight", w, ir.Shape{w.dims[0], w.dims[1]})
	inputs := []string{x.v, wName}
	if b != nil {
		inputs = append(inputs, im.addConst(name+".bias", b, ir.Shape{w.dims[1]}))
	}
	shape := x.shape.Clone()
	shape[len(shape)-1] = w.dims[1]
	out := im.out(n, 0)
	if out == "" || im.g.Lookup(out) != nil {
		out = im.g.UniqueName(name + ".out")
	}
	im.g.Nodes = append(im.g.Nodes, &ir.Node{Name: name, Op: "dense", Inputs: inputs, Attrs: ir.Attrs{},
		Outputs: []*ir.Value{{Name: out, Type: ir.F32, Shape: shape}}})
	im.result(n, 0, out, shape)
}

func (im *importer) importGemm(n *onnx.Node, es []*entry) error {
	a, b := es[0], es[1]
	if a.c != nil || b == nil || b.c == nil {
		return errors.New("Gemm needs event data as A and a constant B (weights)")
	}
	if len(a.shape) != 1 {
		return fmt.Errorf("Gemm input A must be [batch, K], got per-event shape %v", a.shape)
	}
	if attrInt(n, "transA", 0) != 0 {
		return errors.New("Gemm with transA=1 transposes the event axis; not supported")
	}
	if len(b.c.dims) != 2 {
		return fmt.Errorf("Gemm B must be 2-D, got %v", b.c.dims)
	}
	w := b.c
	if attrInt(n, "transB", 0) != 0 {
		var err error
		if w, err = w.transpose([]int{1, 0}); err != nil {
			return err
		}
	}
	if w.dims[0] != a.shape[0] {
		return fmt.Errorf("Gemm B has %d rows, A has %d columns", w.dims[0], a.shape[0])
	}
	alpha, beta := attrFloat(n, "alpha", 1), attrFloat(n, "beta", 1)
	if alpha != 1 {
		w = w.mapValues(func(v float64) float64 { return v * alpha })
	}
	var bias *constTensor
	if len(es) > 2 && es[2] != nil {
		if es[2].c == nil {
			return errors.New("Gemm C (bias) must be a constant")
		}
		c, err := es[2].c.broadcastTo([]int{1, w.dims[1]})
		if err != nil {
			return fmt.Errorf("Gemm C of shape %v: %w", es[2].c.dims, err)
		}
		bias = &constTensor{dims: []int{w.dims[1]}, data: c.data}
		if beta != 1 {
			bias = bias.mapValues(func(v float64) float64 { return v * beta })
		}
	}
	im.denseFrom(n, a, w, bias)
	return nil
}

func (im *importer) importMatMul(n *onnx.Node, es []*entry) error {
	a, b := es[0], es[1]
	if a.c != nil || b == nil || b.c == nil {
		return errors.New("MatMul needs event data as the first input and constant weights as the second")
	}
	if len(b.c.dims) != 2 || len(a.shape) < 1 || b.c.dims[0] != a.shape[len(a.shape)-1] {
		return fmt.Errorf("MatMul of per-event %v by weights %v is not supported (want [..., K] x [K, N])", a.shape, b.c.dims)
	}
	im.denseFrom(n, a, b.c, nil)
	return nil
}

func (im *importer) importBinary(n *onnx.Node, es []*entry) error {
	a, b := es[0], es[1]
	if b == nil {
		return errors.New("missing second input")
	}
	op := map[string]string{"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "mul"}[n.OpType]
	var ins [2]string
	var shapes [2]ir.Shape
	for i, e := range []*entry{a, b} {
		other := es[1-i]
		if e.c == nil {
			ins[i], shapes[i] = e.v, e.shape
			continue
		}
		c, err := perEventConst(e.c, len(other.shape)+1)
		if err != nil {
			return err
		}
		if n.OpType == "Div" {
			if i == 0 {
				return errors.New("division of a constant by event data is not supported (only division by a constant)")
			}
			for _, v := range c.data {
				if v == 0 {
					return errors.New("division by a constant zero")
				}
			}
			c = c.mapValues(func(v float64) float64 { return 1 / v })
		}
		shapes[i] = ir.Shape(c.dims)
		ins[i] = im.addConst(im.nodeNameHint(n)+".const", c, shapes[i])
	}
	if a.c == nil && b.c == nil {
		if n.OpType == "Div" {
			return errors.New("division by event data is not supported (only division by a constant)")
		}
		if len(a.shape) != len(b.shape) {
			return fmt.Errorf("operands of per-event shapes %v and %v have different ranks", a.shape, b.shape)
		}
	}
	shape, err := ir.BroadcastShape(shapes[0], shapes[1])
	if err != nil {
		return err
	}
	v := im.emit(op, ins[:], nil, im.out(n, 0), shape)
	im.result(n, 0, v, shape)
	return nil
}

// nodeNameHint names constants after the node that uses them.
func (im *importer) nodeNameHint(n *onnx.Node) string {
	if n.Name != "" {
		return im.nodeNameClean(n.Name)
	}
	if len(n.Outputs) > 0 {
		return im.nodeNameClean(n.Outputs[0])
	}
	return "c"
}

func (im *importer) nodeNameClean(s string) string {
	b := []rune{}
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' {
			b = append(b, r)
		} else {
			b = append(b, '_')
		}
	}
	out := string(b)
	for len(out) > 0 && out[0] == '_' {
		out = out[1:]
	}
	if out == "" {
		return "c"
	}
	return out
}

// toChannelLast emits the transpose from ONNX channel-first per-event data
// [C, spatial...] to the IR's channel-last [spatial..., C].
func (im *importer) toChannelLast(layer string, x *entry) (string, ir.Shape) {
	d := len(x.shape) - 1
	perm := make([]int64, 0, d+1)
	shape := ir.Shape{}
	for i := 1; i <= d; i++ {
		perm = append(perm, int64(i))
		shape = append(shape, x.shape[i])
	}
	perm = append(perm, 0)
	shape = append(shape, x.shape[0])
	name := im.reserve(layer + ".to_channel_last")
	return im.emitNamed(name, "transpose", []string{x.v}, ir.Attrs{"perm": perm}, name, shape), shape
}

// toChannelFirst is the inverse transpose, producing ONNX output i.
func (im *importer) toChannelFirst(layer string, n *onnx.Node, v string, shape ir.Shape) {
	d := len(shape) - 1
	perm := []int64{int64(d)}
	out := ir.Shape{shape[d]}
	for i := 0; i < d; i++ {
		perm = append(perm, int64(i))
		out = append(out, shape[i])
	}
	r := im.emitNamed(im.reserve(layer+".to_channel_first"), "transpose", []string{v}, ir.Attrs{"perm": perm}, im.out(n, 0), out)
	im.result(n, 0, r, out)
}

// windowAttrs reads kernel/strides/pads/dilations with auto_pad resolved.
func windowAttrs(n *onnx.Node, spatial []int, kernel []int) (strides, dilations, pads []int, err error) {
	d := len(spatial)
	strides, dilations, pads = attrInts(n, "strides"), attrInts(n, "dilations"), attrInts(n, "pads")
	if strides == nil {
		strides = ones(d)
	}
	if dilations == nil {
		dilations = ones(d)
	}
	if pads == nil {
		pads = make([]int, 2*d)
	}
	if len(strides) != d || len(dilations) != d || len(pads) != 2*d {
		return nil, nil, nil, fmt.Errorf("strides %v, dilations %v or pads %v do not match %d spatial axes", strides, dilations, pads, d)
	}
	for i := 0; i < d; i++ {
		if strides[i] < 1 || dilations[i] < 1 {
			return nil, nil, nil, fmt.Errorf("strides %v and dilations %v must be >= 1", strides, dilations)
		}
	}
	switch ap := attrString(n, "auto_pad", "NOTSET"); ap {
	case "NOTSET", "":
	case "VALID":
		pads = make([]int, 2*d)
	case "SAME_UPPER", "SAME_LOWER":
		for i := 0; i < d; i++ {
			out := (spatial[i] + strides[i] - 1) / strides[i]
			total := max((out-1)*strides[i]+dilations[i]*(kernel[i]-1)+1-spatial[i], 0)
			small, big := total/2, total-total/2
			if ap == "SAME_UPPER" {
				pads[i], pads[d+i] = small, big
			} else {
				pads[i], pads[d+i] = big, small
			}
		}
	default:
		return nil, nil, nil, fmt.Errorf("auto_pad %q is not supported", ap)
	}
	return
}

func ones(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

func (im *importer) importConv(n *onnx.Node, es []*entry) error {
	x, w := es[0], es[1]
	if x.c != nil || w == nil || w.c == nil {
		return errors.New("Conv needs event data and constant weights")
	}
	d := len(x.shape) - 1
	if d < 1 || d > 2 {
		return fmt.Errorf("only 1-D and 2-D convolutions are supported; input has per-event shape %v", x.shape)
	}
	if g := attrInt(n, "group", 1); g != 1 {
		return fmt.Errorf("group=%d (grouped/depthwise convolution) is not supported; only group 1", g)
	}
	if len(w.c.dims) != d+2 || w.c.dims[1] != x.shape[0] {
		return fmt.Errorf("weights %v do not match input channels %d", w.c.dims, x.shape[0])
	}
	kernel := w.c.dims[2:]
	st, dil, pads, err := windowAttrs(n, x.shape[1:], kernel)
	if err != nil {
		return err
	}
	// weights [cout, cin, k...] -> [k..., cin, cout]
	perm := []int{}
	for i := 0; i < d; i++ {
		perm = append(perm, 2+i)
	}
	perm = append(perm, 1, 0)
	wt, err := w.c.transpose(perm)
	if err != nil {
		return err
	}
	cout := w.c.dims[0]
	name := im.nodeName("conv")
	inputs := []string{"", im.addConst(name+".weight", wt, ir.Shape(wt.dims))}
	if len(es) > 2 && es[2] != nil {
		if es[2].c == nil || es[2].c.size() != cout {
			return errors.New("Conv bias must be a constant of one value per output channel")
		}
		inputs = append(inputs, im.addConst(name+".bias", &constTensor{dims: []int{cout}, data: es[2].c.data}, ir.Shape{cout}))
	}
	xl, xs := im.toChannelLast(name, x)
	inputs[0] = xl
	attrs := ir.Attrs{"strides": toInt64s(st), "dilations": toInt64s(dil), "pads": toInt64s(pads)}
	shapes, err := ir.LookupOp("conv").Shapes([]ir.Shape{xs, ir.Shape(wt.dims)}, attrs)
	if err != nil {
		return err
	}
	out := im.g.UniqueName(name + ".out")
	im.g.Nodes = append(im.g.Nodes, &ir.Node{Name: name, Op: "conv", Inputs: inputs, Attrs: attrs,
		Outputs: []*ir.Value{{Name: out, Type: ir.F32, Shape: shapes[0]}}})
	im.toChannelFirst(name, n, out, shapes[0])
	return nil
}

func (im *importer) importPool(n *onnx.Node, x *entry) error {
	d := len(x.shape) - 1
	if d < 1 || d > 2 {
		return fmt.Errorf("only 1-D and 2-D pooling is supported; input has per-event shape %v", x.shape)
	}
	spatial := x.shape[1:]
	op := "maxpool"
	attrs := ir.Attrs{}
	var kernel []int
	switch n.OpType {
	case "GlobalAveragePool", "GlobalMaxPool":
		kernel = append([]int(nil), spatial...)
		if n.OpType == "GlobalAveragePool" {
			op = "avgpool"
			attrs["count_include_pad"] = int64(0)
		}
	default:
		kernel = attrInts(n, "kernel_shape")
		if len(kernel) != d {
			return fmt.Errorf("kernel_shape %v does not match %d spatial axes", kernel, d)
		}
		if attrInt(n, "ceil_mode", 0) != 0 {
			return errors.New("ceil_mode=1 is not supported")
		}
		st, dil, pads, err := windowAttrs(n, spatial, kernel)
		if err != nil {
			return err
		}
		for _, v := range dil {
			if v != 1 {
				return errors.New("pooling dilations other than 1 are not supported")
			}
		}
		attrs["strides"], attrs["pads"] = toInt64s(st), toInt64s(pads)
		if n.OpType == "AveragePool" {
			op = "avgpool"
			attrs["count_include_pad"] = attrInt(n, "count_include_pad", 0)
		}
	}
	attrs["kernel"] = toInt64s(kernel)
	name := im.nodeName(op)
	xl, xs := im.toChannelLast(name, x)
	shapes, err := ir.LookupOp(op).Shapes([]ir.Shape{xs}, attrs)
	if err != nil {
		return err
	}
	v := im.emitNamed(name, op, []string{xl}, attrs, name+".out", shapes[0])
	im.toChannelFirst(name, n, v, shapes[0])
	return nil
}

func (im *importer) importBatchNorm(n *onnx.Node, es []*entry) error {
	x := es[0]
	if len(es) < 5 {
		return errors.New("BatchNormalization needs scale, bias, mean and variance")
	}
	for _, e := range es[1:5] {
		if e == nil || e.c == nil {
			return errors.New("BatchNormalization parameters must be constants (inference mode)")
		}
	}
	if len(n.Outputs) > 1 && im.usedLater(n.Outputs[1]) {
		return errors.New("training-mode BatchNormalization outputs are not supported")
	}
	if len(x.shape) < 1 {
		return errors.New("BatchNormalization input needs a channel axis")
	}
	c := x.shape[0]
	eps := attrFloat(n, "epsilon", 1e-5)
	scale, bias, mean, vr := es[1].c, es[2].c, es[3].c, es[4].c
	for _, t := range []*constTensor{scale, bias, mean, vr} {
		if t.size() != c {
			return fmt.Errorf("parameter of %d values for %d channels", t.size(), c)
		}
	}
	// y = x*s + t per channel (axis 0 of the per-event data)
	pshape := make([]int, len(x.shape))
	for i := range pshape {
		pshape[i] = 1
	}
	pshape[0] = c
	s := &constTensor{dims: pshape, data: make([]float64, c)}
	t := &constTensor{dims: pshape, data: make([]float64, c)}
	for i := 0; i < c; i++ {
		s.data[i] = scale.data[i] / math.Sqrt(vr.data[i]+eps)
		t.data[i] = bias.data[i] - mean.data[i]*s.data[i]
	}
	name := im.nodeName("batchnorm")
	sName := im.addConst(name+".scale", s, ir.Shape(pshape))
	tName := im.addConst(name+".shift", t, ir.Shape(pshape))
	m := im.g.UniqueName(name + ".scaled")
	im.g.Nodes = append(im.g.Nodes, &ir.Node{Name: name, Op: "mul", Inputs: []string{x.v, sName}, Attrs: ir.Attrs{},
		Outputs: []*ir.Value{{Name: m, Type: ir.F32, Shape: x.shape.Clone()}}})
	v := im.emit("add", []string{m, tName}, nil, im.out(n, 0), x.shape.Clone())
	im.result(n, 0, v, x.shape)
	return nil
}

func (im *importer) importConcat(n *onnx.Node, es []*entry) error {
	var dyn *entry
	for _, e := range es {
		if e != nil && e.c == nil {
			dyn = e
			break
		}
	}
	rank := len(dyn.shape) + 1
	ax, err := eventAxis(int(attrInt(n, "axis", 0)), rank)
	if err != nil {
		return err
	}
	var ins []string
	var shapes []ir.Shape
	for _, e := range es {
		if e == nil {
			continue
		}
		if e.c != nil {
			c, err := perEventConst(e.c, rank)
			if err != nil || len(c.dims) != rank-1 {
				return fmt.Errorf("constant input of shape %v cannot be concatenated with event data", e.c.dims)
			}
			ins = append(ins, im.addConst(im.nodeNameHint(n)+".const", c, ir.Shape(c.dims)))
			shapes = append(shapes, ir.Shape(c.dims))
			continue
		}
		ins = append(ins, e.v)
		shapes = append(shapes, e.shape)
	}
	attrs := ir.Attrs{"axis": int64(ax)}
	out, err := ir.LookupOp("concat").Shapes(shapes, attrs)
	if err != nil {
		return err
	}
	v := im.emit("concat", ins, attrs, im.out(n, 0), out[0])
	im.result(n, 0, v, out[0])
	return nil
}
