package ir

import (
	"fmt"
	"strings"
)

// AttrKind is the kind of an attribute value.
type AttrKind uint8

const (
	AttrInt AttrKind = iota + 1
	AttrFloat
	AttrString
	AttrInts
	AttrFloats
	AttrType
	AttrStrings
)

func (k AttrKind) String() string {
	if int(k) >= len(attrKindNames) {
		return "?"
	}
	return attrKindNames[k]
}

var attrKindNames = [...]string{"?", "int", "float", "string", "ints", "floats", "type", "strings"}

// AttrSpec declares one attribute of an op.
type AttrSpec struct {
	Name     string
	Kind     AttrKind
	Required bool
}

// Domain says in which graphs an op may appear.
type Domain uint8

const (
	// Both: float reference graphs and quantised graphs.
	Both Domain = iota
	// FloatOnly ops must be lowered before a graph is quantised.
	FloatOnly
	// FixedOnly ops appear only after quantisation (lookup tables).
	FixedOnly
)

// OpSpec declares an op once: arity, attributes, where it may appear and how
// its output shapes follow from its input shapes. The simulators and backends
// implement its semantics; Validate enforces this declaration.
type OpSpec struct {
	Name      string
	Doc       string
	MinInputs int
	MaxInputs int // -1: variadic
	Outputs   int
	Attrs     []AttrSpec
	Domain    Domain
	// InputNames names the inputs in order where that helps (graph ops):
	// error messages use them, and an input named "valid" is the vertex
	// mask of the event (see VertexMaskInput).
	InputNames []string
	// IntOutputs lists the outputs that hold int32 values (cluster ids,
	// counts) in float and quantised graphs alike; every other output is
	// f32 or fixed-point.
	IntOutputs []int
	// Shapes infers output shapes from the input shapes. It also checks
	// the attribute values the shapes depend on (and those of graph ops),
	// so Validate reports them.
	Shapes func(ins []Shape, a Attrs) ([]Shape, error)
}

// InputIndex returns the position of the input with this name, or -1.
func (s *OpSpec) InputIndex(name string) int {
	for i, n := range s.InputNames {
		if n == name {
			return i
		}
	}
	return -1
}

// IsIntOutput reports whether output i holds int32 values.
func (s *OpSpec) IsIntOutput(i int) bool {
	for _, j := range s.IntOutputs {
		if i == j {
			return true
		}
	}
	return false
}

// VertexMaskInput returns the index of the input of op that is the vertex
// mask valid[N] (graph ops), or -1. A mask holds 1 for real vertices and 0
// for padding; quantisation gives graph inputs used as masks the type
// ufixed<1,1>.
func VertexMaskInput(op string) int {
	if s := LookupOp(op); s != nil {
		return s.InputIndex("valid")
	}
	return -1
}

// Attr returns the declaration of an attribute, or nil.
func (s *OpSpec) Attr(name string) *AttrSpec {
	for i := range s.Attrs {
		if s.Attrs[i].Name == name {
			return &s.Attrs[i]
		}
	}
	return nil
}

var accAttr = AttrSpec{Name: "acc", Kind: AttrType}

// opTable is the single declaration of every IR op. It is read-only.
var opTable = []OpSpec{
	{Name: "dense", Doc: "y[...,n] = sum_k x[...,k]*w[k,n] + b[n]; fixed: exact sum, then acc type, then result type",
		MinInputs: 2, MaxInputs: 3, Outputs: 1, Attrs: []AttrSpec{accAttr}, Shapes: denseShapes},
	{Name: "conv", Doc: "channel-last 1-D/2-D convolution: x[spatial...,cin], w[k...,cin,cout], b[cout]",
		MinInputs: 2, MaxInputs: 3, Outputs: 1,
		Attrs:  []AttrSpec{{Name: "strides", Kind: AttrInts}, {Name: "dilations", Kind: AttrInts}, {Name: "pads", Kind: AttrInts}, accAttr},
		Shapes: convShapes},
	{Name: "add", Doc: "element-wise a+b with broadcasting; fixed: exact, then result type", MinInputs: 2, MaxInputs: 2, Outputs: 1, Shapes: broadcastShapes},
	{Name: "sub", Doc: "element-wise a-b with broadcasting", MinInputs: 2, MaxInputs: 2, Outputs: 1, Shapes: broadcastShapes},
	{Name: "mul", Doc: "element-wise a*b with broadcasting", MinInputs: 2, MaxInputs: 2, Outputs: 1, Shapes: broadcastShapes},
	{Name: "relu", Doc: "max(x, 0)", MinInputs: 1, MaxInputs: 1, Outputs: 1, Shapes: sameShape},
	{Name: "leaky_relu", Doc: "x >= 0 ? x : alpha*x; fixed: alpha must be a multiple of 2^-16",
		MinInputs: 1, MaxInputs: 1, Outputs: 1, Attrs: []AttrSpec{{Name: "alpha", Kind: AttrFloat, Required: true}}, Shapes: sameShape},
	{Name: "clip", Doc: "min(max(x, min), max); fixed: bounds lie on the input grid",
		MinInputs: 1, MaxInputs: 1, Outputs: 1,
		Attrs:  []AttrSpec{{Name: "min", Kind: AttrFloat}, {Name: "max", Kind: AttrFloat}},
		Shapes: sameShape},
	{Name: "maxpool", Doc: "channel-last max pooling over the spatial axes; padding never wins",
		MinInputs: 1, MaxInputs: 1, Outputs: 1,
		Attrs:  []AttrSpec{{Name: "kernel", Kind: AttrInts, Required: true}, {Name: "strides", Kind: AttrInts}, {Name: "pads", Kind: AttrInts}},
		Shapes: poolShapes},
	{Name: "avgpool", Doc: "channel-last average pooling; fixed: exact window sum times round(2^recip_frac/count), then result type",
		MinInputs: 1, MaxInputs: 1, Outputs: 1,
		Attrs: []AttrSpec{{Name: "kernel", Kind: AttrInts, Required: true}, {Name: "strides", Kind: AttrInts}, {Name: "pads", Kind: AttrInts},
			{Name: "count_include_pad", Kind: AttrInt}, {Name: "recip_frac", Kind: AttrInt}},
		Shapes: poolShapes},
	{Name: "reduce_sum", Doc: "sum over axes, dimensions kept; fixed: exact, then result type",
		MinInputs: 1, MaxInputs: 1, Outputs: 1, Attrs: []AttrSpec{{Name: "axes", Kind: AttrInts, Required: true}}, Shapes: reduceShapes},
	{Name: "reduce_max", Doc: "max over axes, dimensions kept",
		MinInputs: 1, MaxInputs: 1, Outputs: 1, Attrs: []AttrSpec{{Name: "axes", Kind: AttrInts, Required: true}}, Shapes: reduceShapes},
	{Name: "reshape", Doc: "row-major reshape (pure wiring)", MinInputs: 1, MaxInputs: 1, Outputs: 1,
		Attrs: []AttrSpec{{Name: "shape", Kind: AttrInts, Required: true}}, Shapes: reshapeShapes},
	{Name: "transpose", Doc: "axis permutation (pure wiring)", MinInputs: 1, MaxInputs: 1, Outputs: 1,
		Attrs: []AttrSpec{{Name: "perm", Kind: AttrInts, Required: true}}, Shapes: transposeShapes},
	{Name: "concat", Doc: "concatenation along axis; fixed: each input converted to the result type",
		MinInputs: 1, MaxInputs: -1, Outputs: 1, Attrs: []AttrSpec{{Name: "axis", Kind: AttrInt, Required: true}}, Shapes: concatShapes},
	{Name: "cast", Doc: "conversion to the result type (rounding and overflow of that type)",
		MinInputs: 1, MaxInputs: 1, Outputs: 1, Shapes: sameShape},
	{Name: "bipolar_quant", Doc: "x >= 0 ? +scale : -scale",
		MinInputs: 1, MaxInputs: 1, Outputs: 1, Attrs: []AttrSpec{{Name: "scale", Kind: AttrFloat, Required: true}}, Shapes: sameShape},
	{Name: "fake_quant", Doc: "QONNX Quant: (clamp(round(x/scale+zero_point), qmin, qmax) - zero_point)*scale",
		MinInputs: 1, MaxInputs: 1, Outputs: 1, Domain: FloatOnly,
		Attrs: []AttrSpec{{Name: "scale", Kind: AttrFloat, Required: true}, {Name: "zero_point", Kind: AttrFloat},
			{Name: "bits", Kind: AttrInt, Required: true}, {Name: "signed", Kind: AttrInt}, {Name: "narrow", Kind: AttrInt},
			{Name: "rounding", Kind: AttrString}},
		Shapes: sameShape},
	{Name: "sigmoid", Doc: "1/(1+exp(-x))", MinInputs: 1, MaxInputs: 1, Outputs: 1, Domain: FloatOnly, Shapes: sameShape},
	{Name: "tanh", Doc: "tanh(x)", MinInputs: 1, MaxInputs: 1, Outputs: 1, Domain: FloatOnly, Shapes: sameShape},
	{Name: "exp", Doc: "exp(x)", MinInputs: 1, MaxInputs: 1, Outputs: 1, Domain: FloatOnly, Shapes: sameShape},
	{Name: "elu", Doc: "x > 0 ? x : alpha*(exp(x)-1)", MinInputs: 1, MaxInputs: 1, Outputs: 1, Domain: FloatOnly,
		Attrs: []AttrSpec{{Name: "alpha", Kind: AttrFloat}}, Shapes: sameShape},
	{Name: "selu", Doc: "gamma*(x > 0 ? x : alpha*(exp(x)-1))", MinInputs: 1, MaxInputs: 1, Outputs: 1, Domain: FloatOnly,
		Attrs: []AttrSpec{{Name: "alpha", Kind: AttrFloat}, {Name: "gamma", Kind: AttrFloat}}, Shapes: sameShape},
	{Name: "softmax", Doc: "exp(x-max)/sum(exp(x-max)) over axis", MinInputs: 1, MaxInputs: 1, Outputs: 1, Domain: FloatOnly,
		Attrs: []AttrSpec{{Name: "axis", Kind: AttrInt, Required: true}}, Shapes: sameShape},
	{Name: "table", Doc: "a tabulated function f(x) (sigmoid, tanh, exp, reciprocal, elu_neg: alpha*(exp(min(x,0))-1)); float: f(x) exactly; quantisation turns it into a lut over [lo, hi) with size entries",
		MinInputs: 1, MaxInputs: 1, Outputs: 1, Domain: FloatOnly,
		Attrs: []AttrSpec{{Name: "function", Kind: AttrString, Required: true}, {Name: "alpha", Kind: AttrFloat},
			{Name: "lo", Kind: AttrFloat, Required: true}, {Name: "hi", Kind: AttrFloat, Required: true}, {Name: "size", Kind: AttrInt, Required: true}},
		Shapes: sameShape},
	{Name: "lut", Doc: "table[clamp((code(x) - offset) >> shift, 0, len(table)-1)], then result type",
		MinInputs: 2, MaxInputs: 2, Outputs: 1, Domain: FixedOnly,
		Attrs: []AttrSpec{{Name: "offset", Kind: AttrInt, Required: true}, {Name: "shift", Kind: AttrInt, Required: true},
			{Name: "function", Kind: AttrString}},
		Shapes: sameShape},
	{Name: "slice", Doc: "x[start:end:step] along each of axes (pure wiring); starts and ends lie in [0, dim], steps >= 1",
		MinInputs: 1, MaxInputs: 1, Outputs: 1,
		Attrs: []AttrSpec{{Name: "axes", Kind: AttrInts, Required: true}, {Name: "starts", Kind: AttrInts, Required: true},
			{Name: "ends", Kind: AttrInts, Required: true}, {Name: "steps", Kind: AttrInts}},
		Shapes: sliceShapes},
	// Graph ops (GNNs on events padded to N vertices; valid[N] marks the
	// real ones). ir/SEMANTICS.md defines them exactly, float and fixed.
	{Name: "mask", Doc: "y[n,...] = valid[n] != 0 ? x[n,...] : 0 (zeroes the rows of padding vertices); fixed: x converted to the result type",
		MinInputs: 2, MaxInputs: 2, Outputs: 1, InputNames: []string{"x", "valid"}, Shapes: maskShapes},
	{Name: "gravnet_agg", Doc: "GravNet aggregation [N,2P] = concat(mean, max) over the k nearest valid vertices j in s (distance l2: squared Euclidean, l1: Manhattan; " +
		"ties to the lower j; j = i only with include_self) of w*h[j], w = exp(-exponent*d); zero rows for invalid vertices; " +
		"fixed: exact distance codes, w = table[clamp((d - offset) >> shift)], mean = exact sum times round(2^recip_frac/count)",
		MinInputs: 3, MaxInputs: 4, Outputs: 1, InputNames: []string{"s", "h", "valid", "table"},
		Attrs: []AttrSpec{{Name: "k", Kind: AttrInt, Required: true}, {Name: "exponent", Kind: AttrFloat},
			{Name: "include_self", Kind: AttrInt}, {Name: "distance", Kind: AttrString},
			{Name: "offset", Kind: AttrInt}, {Name: "shift", Kind: AttrInt}, {Name: "recip_frac", Kind: AttrInt}},
		Shapes: gravnetShapes},
	{Name: "global_exchange", Doc: "[N,F*(1+len(ops))]: each valid vertex's x followed by the statistics (mean, min, max) of x over the valid vertices; " +
		"zero rows for invalid vertices; fixed: min/max exact, mean = exact sum times round(2^recip_frac/count)",
		MinInputs: 2, MaxInputs: 2, Outputs: 1, InputNames: []string{"x", "valid"},
		Attrs:  []AttrSpec{{Name: "ops", Kind: AttrStrings}, {Name: "recip_frac", Kind: AttrInt}},
		Shapes: globalExchangeShapes},
	{Name: "condensation", Doc: "object condensation: valid vertices with beta > t_beta, by decreasing beta (ties: lower index), become condensation points of " +
		"clusters 0,1,... (at most max_clusters) that take every unassigned valid vertex within squared distance < t_d^2 in coords; " +
		"outputs assign[N] (i32, -1: none), clusters[M,1+P] (beta and payload of each condensation point), n_clusters (i32); " +
		"fixed: beta code > beta_code, squared-distance code < dist_code",
		MinInputs: 4, MaxInputs: 4, Outputs: 3, InputNames: []string{"beta", "coords", "valid", "payload"}, IntOutputs: []int{0, 2},
		Attrs: []AttrSpec{{Name: "t_beta", Kind: AttrFloat, Required: true}, {Name: "t_d", Kind: AttrFloat, Required: true},
			{Name: "max_clusters", Kind: AttrInt, Required: true}, {Name: "beta_code", Kind: AttrInt}, {Name: "dist_code", Kind: AttrInt}},
		Shapes: condensationShapes},
}

// LookupOp returns the declaration of an op, or nil.
func LookupOp(name string) *OpSpec {
	for i := range opTable {
		if opTable[i].Name == name {
			return &opTable[i]
		}
	}
	return nil
}

// OpNames lists every op in table order.
func OpNames() []string {
	names := make([]string, len(opTable))
	for i := range opTable {
		names[i] = opTable[i].Name
	}
	return names
}

func sameShape(ins []Shape, _ Attrs) ([]Shape, error) { return []Shape{ins[0].Clone()}, nil }

func denseShapes(ins []Shape, _ Attrs) ([]Shape, error) {
	x, w := ins[0], ins[1]
	if len(x) < 1 {
		return nil, fmt.Errorf("input must have at least one axis, got %v", x)
	}
	if len(w) != 2 || w[0] != x[len(x)-1] {
		return nil, fmt.Errorf("weight shape %v does not match input %v (want [%d,N])", w, x, x[len(x)-1])
	}
	if len(ins) > 2 && !(len(ins[2]) == 1 && ins[2][0] == w[1]) {
		return nil, fmt.Errorf("bias shape %v, want [%d]", ins[2], w[1])
	}
	out := x.Clone()
	out[len(out)-1] = w[1]
	return []Shape{out}, nil
}

// SpatialParams returns strides, dilations and pads for a window op with d
// spatial axes, filling defaults (1, 1, 0).
func SpatialParams(a Attrs, d int) (strides, dilations, pads []int, err error) {
	get := func(name string, n int, def int) ([]int, error) {
		v := a.Ints(name)
		if v == nil {
			out := make([]int, n)
			for i := range out {
				out[i] = def
			}
			return out, nil
		}
		if len(v) != n {
			return nil, fmt.Errorf("%s has %d values, want %d", name, len(v), n)
		}
		out := make([]int, n)
		for i, x := range v {
			out[i] = int(x)
		}
		return out, nil
	}
	if strides, err = get("strides", d, 1); err != nil {
		return
	}
	if dilations, err = get("dilations", d, 1); err != nil {
		return
	}
	pads, err = get("pads", 2*d, 0)
	for i := 0; err == nil && i < d; i++ {
		if strides[i] < 1 || dilations[i] < 1 || pads[i] < 0 || pads[d+i] < 0 {
			err = fmt.Errorf("strides and dilations must be >= 1 and pads >= 0")
		}
	}
	return
}

func windowOut(in, k, stride, dil, padB, padE int) int {
	eff := dil*(k-1) + 1
	return (in+padB+padE-eff)/stride + 1
}

func convShapes(ins []Shape, a Attrs) ([]Shape, error) {
	x, w := ins[0], ins[1]
	d := len(x) - 1
	if d < 1 || d > 2 {
		return nil, fmt.Errorf("input %v: want [L,C] or [H,W,C]", x)
	}
	if len(w) != d+2 || w[d] != x[d] {
		return nil, fmt.Errorf("weight shape %v does not match input %v (want [k...,%d,cout])", w, x, x[d])
	}
	cout := w[d+1]
	if len(ins) > 2 && !(len(ins[2]) == 1 && ins[2][0] == cout) {
		return nil, fmt.Errorf("bias shape %v, want [%d]", ins[2], cout)
	}
	st, dil, pads, err := SpatialParams(a, d)
	if err != nil {
		return nil, err
	}
	out := make(Shape, d+1)
	for i := 0; i < d; i++ {
		out[i] = windowOut(x[i], w[i], st[i], dil[i], pads[i], pads[d+i])
		if out[i] < 1 {
			return nil, fmt.Errorf("kernel larger than padded input on axis %d", i)
		}
	}
	out[d] = cout
	return []Shape{out}, nil
}

func poolShapes(ins []Shape, a Attrs) ([]Shape, error) {
	x := ins[0]
	d := len(x) - 1
	k := a.Ints("kernel")
	if d < 1 || d > 2 || len(k) != d {
		return nil, fmt.Errorf("input %v with kernel %v: want [L,C] or [H,W,C] and one kernel size per spatial axis", x, k)
	}
	st, _, pads, err := SpatialParams(Attrs{"strides": a.Ints("strides"), "pads": a.Ints("pads")}, d)
	if err != nil {
		return nil, err
	}
	out := make(Shape, d+1)
	for i := 0; i < d; i++ {
		if k[i] < 1 {
			return nil, fmt.Errorf("kernel must be >= 1")
		}
		out[i] = windowOut(x[i], int(k[i]), st[i], 1, pads[i], pads[d+i])
		if out[i] < 1 {
			return nil, fmt.Errorf("kernel larger than padded input on axis %d", i)
		}
	}
	out[d] = x[d]
	return []Shape{out}, nil
}

// BroadcastShape applies numpy broadcasting to two shapes.
func BroadcastShape(a, b Shape) (Shape, error) {
	n := max(len(a), len(b))
	out := make(Shape, n)
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

func broadcastShapes(ins []Shape, _ Attrs) ([]Shape, error) {
	s, err := BroadcastShape(ins[0], ins[1])
	if err != nil {
		return nil, err
	}
	return []Shape{s}, nil
}

// NormAxes resolves negative axes and checks range.
func NormAxes(axes []int64, rank int) ([]int, error) {
	out := make([]int, len(axes))
	seen := map[int]bool{}
	for i, a := range axes {
		ax := int(a)
		if ax < 0 {
			ax += rank
		}
		if ax < 0 || ax >= rank || seen[ax] {
			return nil, fmt.Errorf("axis %d out of range or repeated for rank %d", a, rank)
		}
		seen[ax] = true
		out[i] = ax
	}
	return out, nil
}

func reduceShapes(ins []Shape, a Attrs) ([]Shape, error) {
	axes, err := NormAxes(a.Ints("axes"), len(ins[0]))
	if err != nil {
		return nil, err
	}
	out := ins[0].Clone()
	for _, ax := range axes {
		out[ax] = 1
	}
	return []Shape{out}, nil
}

func reshapeShapes(ins []Shape, a Attrs) ([]Shape, error) {
	s := a.Ints("shape")
	out := make(Shape, len(s))
	for i, d := range s {
		if d < 1 {
			return nil, fmt.Errorf("shape %v: every dimension must be >= 1", s)
		}
		out[i] = int(d)
	}
	if out.Size() != ins[0].Size() {
		return nil, fmt.Errorf("cannot reshape %v (%d elements) to %v", ins[0], ins[0].Size(), out)
	}
	return []Shape{out}, nil
}

func transposeShapes(ins []Shape, a Attrs) ([]Shape, error) {
	perm := a.Ints("perm")
	x := ins[0]
	if len(perm) != len(x) {
		return nil, fmt.Errorf("perm %v does not match rank %d", perm, len(x))
	}
	p, err := NormAxes(perm, len(x))
	if err != nil {
		return nil, fmt.Errorf("perm %v: %w", perm, err)
	}
	out := make(Shape, len(x))
	for i, ax := range p {
		out[i] = x[ax]
	}
	return []Shape{out}, nil
}

func concatShapes(ins []Shape, a Attrs) ([]Shape, error) {
	rank := len(ins[0])
	axes, err := NormAxes([]int64{a.Int("axis", 0)}, rank)
	if err != nil {
		return nil, err
	}
	ax := axes[0]
	out := ins[0].Clone()
	for _, s := range ins[1:] {
		if len(s) != rank {
			return nil, fmt.Errorf("inputs have different ranks: %v and %v", ins[0], s)
		}
		for i := range s {
			if i != ax && s[i] != out[i] {
				return nil, fmt.Errorf("inputs %v and %v differ outside axis %d", ins[0], s, ax)
			}
		}
		out[ax] += s[ax]
	}
	return []Shape{out}, nil
}

// supportedOps is a human-readable list for error messages.
func supportedOps() string { return strings.Join(OpNames(), ", ") }
