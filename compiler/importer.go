// Package compiler turns ONNX models into trigo's IR and runs the passes
// that prepare it for the simulators and backends: import, folding,
// transpose elimination, quantisation and lowering of activations to lookup
// tables. The pass list lives in passes.go.
package compiler

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"trigo/compiler/internal/onnx"
	"trigo/ir"
)

// SupportedONNXOps lists the ONNX ops the importer accepts on event data.
// Shape-computation ops (Shape, Gather, ConstantOfShape, Range, If with a
// constant condition, ...) are also accepted when they fold to constants,
// and so are the graph ops of the custom domain "trigo" (TrigoOps).
var SupportedONNXOps = []string{
	"Add", "AveragePool", "BatchNormalization", "BipolarQuant", "Cast", "Clip", "Concat", "Conv", "Div",
	"Dropout", "Elu", "Exp", "Flatten", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Identity",
	"LeakyRelu", "MatMul", "MaxPool", "Mul", "Quant", "Relu", "Reshape", "Selu", "Sigmoid",
	"Slice", "Softmax", "Split", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
}

// ImportONNX decodes an ONNX model and converts it into a float IR graph.
// source names the file in error messages. The first dimension of every
// graph input is taken as the event axis whatever the exporter wrote there.
func ImportONNX(data []byte, source string) (*ir.Graph, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: empty file, expected an ONNX model", source)
	}
	m, err := onnx.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable ONNX model: %w", source, err)
	}
	im := &importer{src: source, model: m, env: map[string]*entry{}, names: map[string]int{}}
	im.opset, _ = m.Opset("")
	if im.opset == 0 {
		im.opset = 9
	}
	if im.opset < 6 || im.opset > 17 {
		return nil, fmt.Errorf("%s: ONNX opset %d is not supported (supported: 6 to 17)", source, im.opset)
	}
	if err := im.run(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return im.g, nil
}

type importer struct {
	src   string
	model *onnx.Model
	opset int64
	g     *ir.Graph
	env   map[string]*entry
	names map[string]int // node-name counters
	batch int            // the batch size the exporter declared (for Reshape targets)
	node  *onnx.Node     // node being imported, for errors
	// reserved holds node names handed out, so a node and the helper nodes
	// emitted around it never share a name.
	reserved map[string]bool
}

// entry is what an ONNX name stands for: a constant, or an IR value of event
// data whose ONNX shape is [batch, shape...].
type entry struct {
	c     *constTensor
	v     string
	shape ir.Shape
}

func (im *importer) run() error {
	og := im.model.Graph
	if og == nil {
		return errors.New("model has no graph")
	}
	im.g = &ir.Graph{Name: modelName(im.src, og.Name)}
	for _, t := range og.Initializers {
		c, err := im.tensorConst(t)
		if err != nil {
			return fmt.Errorf("initializer %q: %w", t.Name, err)
		}
		im.env[t.Name] = &entry{c: c}
	}
	for _, in := range og.Inputs {
		if _, isInit := im.env[in.Name]; isInit {
			continue // old exporters list initializers as inputs too
		}
		if err := im.addInput(in); err != nil {
			return err
		}
	}
	if len(im.g.Inputs) == 0 {
		return errors.New("graph has no (non-constant) inputs")
	}
	if err := im.nodes(og.Nodes); err != nil {
		return err
	}
	for _, out := range og.Outputs {
		e := im.env[out.Name]
		if e == nil {
			return fmt.Errorf("graph output %q is not produced by any node", out.Name)
		}
		if e.c != nil {
			return fmt.Errorf("graph output %q is a constant; trigo compiles outputs that depend on the inputs", out.Name)
		}
		im.g.Outputs = append(im.g.Outputs, e.v)
	}
	im.g.RemoveUnused()
	if err := im.g.Validate(); err != nil {
		return fmt.Errorf("imported graph is invalid: %w", err)
	}
	return nil
}

// modelName names the graph after its file (exporters write names such as
// "torch_jit" or a hash); a file called model.onnx is named after its folder.
func modelName(source, graphName string) string {
	base := filepath.Base(source)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	if stem == "model" {
		if dir := filepath.Base(filepath.Dir(source)); dir != "." && dir != "/" {
			stem = dir
		}
	}
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, stem)
	if clean == "" || clean == "_" {
		clean = graphName
	}
	if clean == "" {
		clean = "model"
	}
	if c := clean[0]; c >= '0' && c <= '9' {
		clean = "m_" + clean
	}
	return clean
}

func (im *importer) tensorConst(t *onnx.Tensor) (*constTensor, error) {
	vals, err := t.Float64s()
	if err != nil {
		return nil, err
	}
	dims := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		if d < 0 || d > 1<<30 {
			return nil, fmt.Errorf("bad dimension %d", d)
		}
		dims[i] = int(d)
	}
	if shapeSize(dims) != len(vals) {
		return nil, fmt.Errorf("%d values for shape %v", len(vals), dims)
	}
	isInt := true
	switch t.DataType {
	case onnx.Float, onnx.Double, onnx.Float16, onnx.BFloat16:
		isInt = false
	}
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("element %d is %v: weights must be finite", i, v)
		}
	}
	return &constTensor{dims: dims, data: vals, isInt: isInt}, nil
}

func (im *importer) addInput(in *onnx.ValueInfo) error {
	if !isInputType(in.ElemType) {
		return fmt.Errorf("input %q has element type %v; trigo takes float inputs (and bool or integer masks)", in.Name, in.ElemType)
	}
	if !in.HasShape || len(in.Shape) < 1 {
		return fmt.Errorf("input %q has no shape; re-export with a static shape [batch, ...]", in.Name)
	}
	if b := in.Shape[0].Value; b > 0 && im.batch == 0 {
		im.batch = int(b)
	}
	shape := ir.Shape{}
	for i, d := range in.Shape[1:] {
		if d.Value < 1 || d.Value > 1<<24 {
			return fmt.Errorf("input %q: dimension %d is %s; every dimension after the event axis must be a fixed size", in.Name, i+1, dimString(d))
		}
		shape = append(shape, int(d.Value))
	}
	im.g.Inputs = append(im.g.Inputs, &ir.Value{Name: in.Name, Type: ir.F32, Shape: shape})
	im.env[in.Name] = &entry{v: in.Name, shape: shape}
	return nil
}

func dimString(d onnx.Dim) string {
	if d.Param != "" {
		return fmt.Sprintf("symbolic (%q)", d.Param)
	}
	return fmt.Sprint(d.Value)
}

func (im *importer) nodes(nodes []*onnx.Node) error {
	for _, n := range nodes {
		im.node = n
		if err := im.importNode(n); err != nil {
			name := n.Name
			if name == "" && len(n.Outputs) > 0 {
				name = "producing " + n.Outputs[0]
			}
			return fmt.Errorf("node %q (%s): %w", name, n.OpType, err)
		}
	}
	return nil
}

// nodeName returns a readable, unique IR node name for the current ONNX
// node: its own name cleaned of path separators, or op + counter.
func (im *importer) nodeName(op string) string {
	raw := im.node.Name
	if strings.ContainsAny(raw, " <>") {
		raw = "" // Keras converters name nodes "class <keras.layers.core.Dense>"
	}
	base := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, raw)
	base = strings.Trim(base, "_")
	if strings.HasPrefix(base, "class__keras_layers_") {
		// Keras converters: "_class__keras_layers_core_Flatten__" -> "flatten"
		base = strings.ToLower(base[strings.LastIndexByte(base, '_')+1:])
	}
	if base == "" {
		base = fmt.Sprintf("%s%d", op, im.names[op])
		im.names[op]++
	}
	return im.reserve(base)
}

// reserve returns base, or base with a suffix, so that it is neither a name
// in the graph nor one handed out before.
func (im *importer) reserve(base string) string {
	if im.reserved == nil {
		im.reserved = map[string]bool{}
	}
	name := base
	for i := 1; im.reserved[name] || im.g.Lookup(name) != nil || im.g.Node(name) != nil; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	im.reserved[name] = true
	return name
}

// emit appends an IR node with one output and returns the output name.
func (im *importer) emit(op string, inputs []string, attrs ir.Attrs, outName string, shape ir.Shape) string {
	return im.emitNamed(im.nodeName(op), op, inputs, attrs, outName, shape)
}

// emitNamed is emit with a chosen node name (helper nodes around a layer).
func (im *importer) emitNamed(name, op string, inputs []string, attrs ir.Attrs, outName string, shape ir.Shape) string {
	if outName == "" || im.g.Lookup(outName) != nil {
		if outName == "" {
			outName = name
		}
		outName = im.g.UniqueName(outName)
	}
	if attrs == nil {
		attrs = ir.Attrs{}
	}
	im.g.Nodes = append(im.g.Nodes, &ir.Node{Name: name, Op: op, Inputs: inputs, Attrs: attrs,
		Outputs: []*ir.Value{{Name: outName, Type: ir.F32, Shape: shape}}})
	return outName
}

// addConst stores a float constant in the IR under a fresh name.
func (im *importer) addConst(base string, c *constTensor, shape ir.Shape) string {
	name := im.g.UniqueName(base)
	fs := make([]float32, len(c.data))
	for i, v := range c.data {
		fs[i] = float32(v)
	}
	im.g.Consts = append(im.g.Consts, &ir.Const{Value: ir.Value{Name: name, Type: ir.F32, Shape: shape.Clone()}, Floats: fs})
	return name
}

func (im *importer) define(onnxName string, e *entry) { im.env[onnxName] = e }

func (im *importer) in(n *onnx.Node, i int) (*entry, error) {
	if i >= len(n.Inputs) || n.Inputs[i] == "" {
		return nil, nil
	}
	e := im.env[n.Inputs[i]]
	if e == nil {
		return nil, fmt.Errorf("input %q is not defined by an earlier node, initializer or graph input", n.Inputs[i])
	}
	return e, nil
}

func (im *importer) inputs(n *onnx.Node) ([]*entry, bool, error) {
	es := make([]*entry, len(n.Inputs))
	allConst := true
	for i := range n.Inputs {
		e, err := im.in(n, i)
		if err != nil {
			return nil, false, err
		}
		es[i] = e
		if e != nil && e.c == nil {
			allConst = false
		}
	}
	return es, allConst, nil
}

func attrInt(n *onnx.Node, name string, def int64) int64 {
	if a := n.Attr(name); a != nil {
		return a.I
	}
	return def
}

func attrFloat(n *onnx.Node, name string, def float64) float64 {
	if a := n.Attr(name); a != nil {
		return float64(a.F)
	}
	return def
}

func attrInts(n *onnx.Node, name string) []int {
	a := n.Attr(name)
	if a == nil {
		return nil
	}
	out := make([]int, len(a.Ints))
	for i, v := range a.Ints {
		out[i] = int(v)
	}
	return out
}

func attrString(n *onnx.Node, name, def string) string {
	if a := n.Attr(name); a != nil {
		return string(a.S)
	}
	return def
}

func toInt64s(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func (im *importer) importNode(n *onnx.Node) error {
	if n.Domain != "" && n.Domain != "ai.onnx" && n.Domain != TrigoDomain && n.OpType != "Quant" && n.OpType != "BipolarQuant" {
		return fmt.Errorf("custom-domain op %s::%s is not supported (supported: %s, QONNX Quant/BipolarQuant, and %s::%s)",
			n.Domain, n.OpType, strings.Join(SupportedONNXOps, ", "), TrigoDomain, strings.Join(TrigoOps, "/"))
	}
	if len(n.Outputs) == 0 {
		return errors.New("node has no outputs")
	}
	if n.OpType == "If" {
		return im.importIf(n)
	}
	es, allConst, err := im.inputs(n)
	if err != nil {
		return err
	}
	if n.Domain == TrigoDomain {
		return im.importTrigo(n, es)
	}
	if n.OpType == "Shape" && len(es) > 0 && es[0] != nil && es[0].c == nil {
		// The shape of event data, with a batch of 1.
		dims := append([]float64{1}, intsToFloats(es[0].shape)...)
		im.setConst(n, 0, &constTensor{dims: []int{len(dims)}, data: dims, isInt: true})
		return nil
	}
	if allConst {
		outs, err := im.evalConst(n, es)
		if err != nil {
			return err
		}
		for i, c := range outs {
			im.setConst(n, i, c)
		}
		return nil
	}
	return im.importDynamic(n, es)
}

func intsToFloats(s []int) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

func (im *importer) setConst(n *onnx.Node, i int, c *constTensor) {
	if i < len(n.Outputs) && n.Outputs[i] != "" {
		im.env[n.Outputs[i]] = &entry{c: c}
	}
}

// importIf inlines the branch chosen by a constant condition.
func (im *importer) importIf(n *onnx.Node) error {
	cond, err := im.in(n, 0)
	if err != nil {
		return err
	}
	if cond == nil || cond.c == nil || len(cond.c.data) != 1 {
		return errors.New("If with a condition that depends on event data is not supported; only constant conditions fold away")
	}
	branch := "else_branch"
	if cond.c.data[0] != 0 {
		branch = "then_branch"
	}
	a := n.Attr(branch)
	if a == nil || a.G == nil {
		return fmt.Errorf("If has no %s", branch)
	}
	for _, t := range a.G.Initializers {
		c, err := im.tensorConst(t)
		if err != nil {
			return fmt.Errorf("initializer %q: %w", t.Name, err)
		}
		im.env[t.Name] = &entry{c: c}
	}
	saved := im.node
	if err := im.nodes(a.G.Nodes); err != nil {
		return fmt.Errorf("in %s: %w", branch, err)
	}
	im.node = saved
	if len(a.G.Outputs) != len(n.Outputs) {
		return fmt.Errorf("%s has %d outputs, If has %d", branch, len(a.G.Outputs), len(n.Outputs))
	}
	for i, o := range a.G.Outputs {
		e := im.env[o.Name]
		if e == nil {
			return fmt.Errorf("%s output %q is undefined", branch, o.Name)
		}
		im.env[n.Outputs[i]] = e
	}
	return nil
}

// unsupported builds the error for an op outside the supported set.
func unsupported(op string) error {
	ops := append([]string(nil), SupportedONNXOps...)
	sort.Strings(ops)
	return fmt.Errorf("op %s is not supported on event data (supported: %s)", op, strings.Join(ops, ", "))
}
