package compiler

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"trigo/compiler/internal/onnx"
	"trigo/ir"
	"trigo/sim"
)

// ---------------------------------------------------------------------------
// Building small ONNX models in Go.

// impSpec describes a small ONNX model with one graph input "x" of shape
// [batch, in...] (or inDims when set).
type impSpec struct {
	opset   int64      // default 13
	batch   onnx.Dim   // the event axis as the exporter wrote it
	in      []int64    // per-event dims of x
	inDims  []onnx.Dim // overrides batch+in when set (whole shape)
	inits   []*onnx.Tensor
	nodes   []*onnx.Node
	outputs []string // default "y"
}

// impModel builds the onnx.Model described by s.
func impModel(s impSpec) *onnx.Model {
	dims := s.inDims
	if dims == nil {
		dims = []onnx.Dim{s.batch}
		for _, d := range s.in {
			dims = append(dims, onnx.Dim{Value: d})
		}
	}
	g := &onnx.Graph{Name: "test_graph", Nodes: s.nodes, Initializers: s.inits,
		Inputs: []*onnx.ValueInfo{{Name: "x", ElemType: onnx.Float, Shape: dims, HasShape: true}}}
	outs := s.outputs
	if outs == nil {
		outs = []string{"y"}
	}
	for _, o := range outs {
		g.Outputs = append(g.Outputs, &onnx.ValueInfo{Name: o, ElemType: onnx.Float})
	}
	opset := s.opset
	if opset == 0 {
		opset = 13
	}
	return &onnx.Model{IRVersion: 7, ProducerName: "trigo-test",
		OpsetImports: []onnx.OpsetID{{Version: opset}, {Domain: "qonnx.custom_op.general", Version: 1}},
		Graph:        g}
}

// impEncode encodes the model described by s.
func impEncode(s impSpec) []byte { return onnx.Encode(impModel(s)) }

// nd builds a node; ins and outs are comma-separated names ("" inside keeps
// an omitted optional input). The node is named after its op and first
// output.
func nd(op, ins, outs string, attrs ...*onnx.Attribute) *onnx.Node {
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	o := split(outs)
	return &onnx.Node{Name: op + "_" + o[0], OpType: op, Inputs: split(ins), Outputs: o, Attrs: attrs}
}

func aI(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}
func aF(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}
func aIs(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}
func aS(name, v string) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrString, S: []byte(v)}
}
func aG(name string, g *onnx.Graph) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrGraph, G: g}
}
func aT(name string, t *onnx.Tensor) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrTensor, T: t}
}

func ft(name string, dims []int64, v ...float32) *onnx.Tensor {
	return onnx.NewFloatTensor(name, dims, v)
}
func it(name string, dims []int64, v ...int64) *onnx.Tensor {
	return onnx.NewInt64Tensor(name, dims, v)
}

func dims(d ...int64) []int64 { return d }

// impRand returns n deterministic pseudo-random weights in [-1, 1).
func impRand(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 99))
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(r.Float64()*2 - 1)
	}
	return out
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// ---------------------------------------------------------------------------
// Float64 references (per event, ONNX channel-first layout).

// refConv2D: x [C,H,W], w [O,C,KH,KW], b [O] (or nil); pads begin (ph0,pw0)
// and end (ph1,pw1). 1-D convolutions use H=KH=1.
func refConv2D(x []float64, c, h, w int, wt []float64, o, kh, kw int, b []float64,
	sh, sw, ph0, pw0, ph1, pw1 int) (out []float64, oh, ow int) {
	oh = (h+ph0+ph1-kh)/sh + 1
	ow = (w+pw0+pw1-kw)/sw + 1
	out = make([]float64, o*oh*ow)
	for oc := 0; oc < o; oc++ {
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				s := 0.0
				if b != nil {
					s = b[oc]
				}
				for ic := 0; ic < c; ic++ {
					for a := 0; a < kh; a++ {
						for q := 0; q < kw; q++ {
							y, z := i*sh-ph0+a, j*sw-pw0+q
							if y < 0 || y >= h || z < 0 || z >= w {
								continue
							}
							s += x[(ic*h+y)*w+z] * wt[((oc*c+ic)*kh+a)*kw+q]
						}
					}
				}
				out[(oc*oh+i)*ow+j] = s
			}
		}
	}
	return
}

// refPool2D: mode "max", "avg" (count valid positions) or "avgpad"
// (count the whole kernel).
func refPool2D(x []float64, c, h, w, kh, kw, sh, sw, ph0, pw0, ph1, pw1 int, mode string) []float64 {
	oh := (h+ph0+ph1-kh)/sh + 1
	ow := (w+pw0+pw1-kw)/sw + 1
	out := make([]float64, c*oh*ow)
	for ch := 0; ch < c; ch++ {
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				s, cnt := 0.0, 0
				if mode == "max" {
					s = math.Inf(-1)
				}
				for a := 0; a < kh; a++ {
					for q := 0; q < kw; q++ {
						y, z := i*sh-ph0+a, j*sw-pw0+q
						if y < 0 || y >= h || z < 0 || z >= w {
							continue
						}
						v := x[(ch*h+y)*w+z]
						if mode == "max" {
							s = math.Max(s, v)
						} else {
							s += v
						}
						cnt++
					}
				}
				switch mode {
				case "avg":
					s /= float64(cnt)
				case "avgpad":
					s /= float64(kh * kw)
				}
				out[(ch*oh+i)*ow+j] = s
			}
		}
	}
	return out
}

// refSoftmax applies softmax to consecutive groups of n values.
func refSoftmax(x []float64, n int) []float64 {
	out := make([]float64, len(x))
	for g := 0; g < len(x); g += n {
		mx := math.Inf(-1)
		for _, v := range x[g : g+n] {
			mx = math.Max(mx, v)
		}
		s := 0.0
		for i := g; i < g+n; i++ {
			out[i] = math.Exp(x[i] - mx)
			s += out[i]
		}
		for i := g; i < g+n; i++ {
			out[i] /= s
		}
	}
	return out
}

func mapRef(f func(float64) float64) func([]float64) []float64 {
	return func(x []float64) []float64 {
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = f(v)
		}
		return out
	}
}

// ---------------------------------------------------------------------------
// Running and comparing.

// impRunFloat runs the float simulator on events random events and checks
// every output value against ref (all graph outputs concatenated per event).
func impRunFloat(t *testing.T, g *ir.Graph, inScale float64, ref func(x []float64) []float64) {
	t.Helper()
	f, err := sim.NewFloat(g)
	if err != nil {
		t.Fatalf("NewFloat: %v", err)
	}
	const events = 5
	r := rand.New(rand.NewPCG(1, 2))
	var ins []sim.Batch
	for _, v := range g.Inputs {
		b := sim.NewBatch(events, v.Shape)
		for i := range b.Data {
			b.Data[i] = float32((r.Float64()*2 - 1) * inScale)
		}
		ins = append(ins, b)
	}
	outs, err := f.Run(ins)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for e := 0; e < events; e++ {
		var got []float32
		for i := range outs {
			got = append(got, outs[i].Event(e)...)
		}
		want := ref(f64(ins[0].Event(e)))
		if len(got) != len(want) {
			t.Fatalf("event %d: %d outputs, reference has %d", e, len(got), len(want))
		}
		bad := 0
		for i := range got {
			if d := math.Abs(float64(got[i]) - want[i]); d > 1e-5*math.Abs(want[i])+1e-6 {
				if bad < 5 {
					t.Errorf("event %d output %d: got %v, want %v (diff %g)", e, i, got[i], want[i], d)
				}
				bad++
			}
		}
		if bad > 0 {
			t.Fatalf("event %d: %d of %d values differ", e, bad, len(got))
		}
	}
}

func impOps(g *ir.Graph) []string {
	var ops []string
	for _, n := range g.Nodes {
		ops = append(ops, n.Op)
	}
	return ops
}

// ---------------------------------------------------------------------------
// Cases that import.

type impCase struct {
	name     string
	spec     impSpec
	ops      []string // expected IR ops in order (nil: not checked)
	outShape ir.Shape // expected shape of the first graph output (nil: not checked)
	inScale  float64  // random inputs in [-inScale, inScale) (default 2)
	ref      func(x []float64) []float64
	check    func(t *testing.T, g *ir.Graph)
}

// Weights shared by several cases.
var (
	wGemm   = impRand(1, 3*4) // [3,4] used with transB=1
	bGemm   = impRand(2, 3)
	wMat    = impRand(3, 4*3) // [4,3]
	wConv1  = impRand(4, 3*2*3)
	bConv1  = impRand(5, 3)
	wConv2  = impRand(6, 3*2*3*3)
	bConv2  = impRand(7, 3)
	bnScale = impRand(8, 3)
	bnBias  = impRand(9, 3)
	bnMean  = impRand(10, 3)
	bnVar   = []float32{0.5, 1.25, 2}
)

func refGemm(alpha, beta float64) func([]float64) []float64 {
	return func(x []float64) []float64 {
		y := make([]float64, 3)
		for n := 0; n < 3; n++ {
			s := 0.0
			for k := 0; k < 4; k++ {
				s += x[k] * float64(wGemm[n*4+k])
			}
			y[n] = alpha*s + beta*float64(bGemm[n])
		}
		return y
	}
}

func refMatAdd(x []float64) []float64 {
	y := make([]float64, 3)
	for n := range y {
		y[n] = float64(bGemm[n])
		for k := 0; k < 4; k++ {
			y[n] += x[k] * float64(wMat[k*3+n])
		}
	}
	return y
}

func gemmSpec(batch onnx.Dim, biasDims []int64) impSpec {
	return impSpec{opset: 11, batch: batch, in: dims(4),
		inits: []*onnx.Tensor{ft("W", dims(3, 4), wGemm...), ft("C", biasDims, bGemm...)},
		nodes: []*onnx.Node{nd("Gemm", "x,W,C", "y", aI("transB", 1), aF("alpha", 0.5), aF("beta", 2))}}
}

func ifSpec(cond bool) impSpec {
	b := int64(3)
	if !cond {
		b = 4
	}
	then := &onnx.Graph{Name: "then", Nodes: []*onnx.Node{nd("Relu", "x", "t_y")},
		Outputs: []*onnx.ValueInfo{{Name: "t_y", ElemType: onnx.Float}}}
	els := &onnx.Graph{Name: "else", Nodes: []*onnx.Node{nd("Identity", "x", "e_y")},
		Outputs: []*onnx.ValueInfo{{Name: "e_y", ElemType: onnx.Float}}}
	return impSpec{batch: onnx.Dim{Param: "batch"}, in: dims(4),
		inits: []*onnx.Tensor{it("a", nil, 3), it("b", nil, b), ft("two", nil, 2)},
		nodes: []*onnx.Node{
			nd("Equal", "a,b", "cond"),
			nd("If", "cond", "z", aG("then_branch", then), aG("else_branch", els)),
			nd("Mul", "z,two", "y"),
		}}
}

func softmaxSpec(opset int64, axis int64) impSpec {
	return impSpec{opset: opset, batch: onnx.Dim{Value: 1}, in: dims(2, 3),
		nodes: []*onnx.Node{nd("Softmax", "x", "y", aI("axis", axis))}}
}

func poolSpec1D(cip int64) impSpec {
	return impSpec{batch: onnx.Dim{Param: "N"}, in: dims(2, 5),
		nodes: []*onnx.Node{nd("AveragePool", "x", "y", aIs("kernel_shape", 3), aIs("strides", 2),
			aIs("pads", 1, 1), aI("count_include_pad", cip))}}
}

func squeezeSpec(opset int64) impSpec {
	s := impSpec{opset: opset, in: dims(2, 1, 3)}
	if opset < 13 {
		s.nodes = []*onnx.Node{nd("Squeeze", "x", "s", aIs("axes", 2)), nd("Unsqueeze", "s", "y", aIs("axes", 1))}
	} else {
		s.inits = []*onnx.Tensor{it("ax2", dims(1), 2), it("ax1", dims(1), 1)}
		s.nodes = []*onnx.Node{nd("Squeeze", "x,ax2", "s"), nd("Unsqueeze", "s,ax1", "y")}
	}
	return s
}

func shapeFoldSpec(opset int64) impSpec {
	s := impSpec{opset: opset, batch: onnx.Dim{Value: 789444}, in: dims(2, 3),
		inits: []*onnx.Tensor{it("zero", nil, 0), it("minus1", dims(1), -1)}}
	unsq := nd("Unsqueeze", "b", "b1", aIs("axes", 0))
	if opset >= 13 {
		s.inits = append(s.inits, it("ax0", dims(1), 0))
		unsq = nd("Unsqueeze", "b,ax0", "b1")
	}
	s.nodes = []*onnx.Node{
		nd("Shape", "x", "shp"),
		nd("Gather", "shp,zero", "b", aI("axis", 0)),
		unsq,
		nd("Concat", "b1,minus1", "target", aI("axis", 0)),
		nd("Reshape", "x,target", "y"),
	}
	return s
}

func impCases() []impCase {
	identity := func(x []float64) []float64 { return x }
	return []impCase{
		{name: "gemm_transB_alpha_beta_bias_N_batch789444", spec: gemmSpec(onnx.Dim{Value: 789444}, dims(3)),
			ops: []string{"dense"}, outShape: ir.Shape{3}, ref: refGemm(0.5, 2)},
		{name: "gemm_bias_1xN_batch1", spec: gemmSpec(onnx.Dim{Value: 1}, dims(1, 3)),
			ops: []string{"dense"}, outShape: ir.Shape{3}, ref: refGemm(0.5, 2)},
		{name: "gemm_batch_symbolic", spec: gemmSpec(onnx.Dim{Param: "N"}, dims(3)),
			ops: []string{"dense"}, outShape: ir.Shape{3}, ref: refGemm(0.5, 2)},
		{name: "matmul_add_batch_symbolic",
			spec: impSpec{batch: onnx.Dim{Param: "N"}, in: dims(4),
				inits: []*onnx.Tensor{ft("W", dims(4, 3), wMat...), ft("B", dims(3), bGemm...)},
				nodes: []*onnx.Node{nd("MatMul", "x,W", "m"), nd("Add", "m,B", "y")}},
			ops: []string{"dense", "add"}, outShape: ir.Shape{3}, ref: refMatAdd},
		{name: "matmul_add_batch789444",
			spec: impSpec{batch: onnx.Dim{Value: 789444}, in: dims(4),
				inits: []*onnx.Tensor{ft("W", dims(4, 3), wMat...), ft("B", dims(1, 3), bGemm...)},
				nodes: []*onnx.Node{nd("MatMul", "x,W", "m"), nd("Add", "B,m", "y")}},
			ops: []string{"dense", "add"}, outShape: ir.Shape{3}, ref: refMatAdd},
		{name: "shape_gather_unsqueeze_concat_reshape_opset11", spec: shapeFoldSpec(11),
			ops: []string{"reshape"}, outShape: ir.Shape{6}, ref: identity,
			check: func(t *testing.T, g *ir.Graph) {
				if s := g.Nodes[0].Attrs.Ints("shape"); len(s) != 1 || s[0] != 6 {
					t.Errorf("reshape target %v, want [6]", s)
				}
				if len(g.Consts) != 0 {
					t.Errorf("shape computation left %d constants", len(g.Consts))
				}
			}},
		{name: "shape_gather_unsqueeze_concat_reshape_opset13", spec: shapeFoldSpec(13),
			ops: []string{"reshape"}, outShape: ir.Shape{6}, ref: identity},
		{name: "if_constant_true_inlines_then", spec: ifSpec(true),
			ops: []string{"relu", "mul"}, outShape: ir.Shape{4},
			ref: mapRef(func(v float64) float64 { return 2 * math.Max(v, 0) })},
		{name: "if_constant_false_inlines_else", spec: ifSpec(false),
			ops: []string{"mul"}, outShape: ir.Shape{4},
			ref: mapRef(func(v float64) float64 { return 2 * v })},
		{name: "constantofshape_range_cast_slice_fold",
			spec: impSpec{opset: 11, in: dims(2),
				inits: []*onnx.Tensor{it("shp", dims(1), 4), it("r0", nil, 0), it("r1", nil, 4), it("r2", nil, 1),
					it("st", dims(1), 1), it("en", dims(1), 3), it("axs", dims(1), 0)},
				nodes: []*onnx.Node{
					nd("ConstantOfShape", "shp", "cs", aT("value", ft("v", dims(1), 0.5))),
					nd("Range", "r0,r1,r2", "r"),
					nd("Cast", "r", "rf", aI("to", int64(onnx.Float))),
					nd("Add", "cs,rf", "s"),
					nd("Slice", "s,st,en,axs", "sl"),
					nd("Add", "x,sl", "y"),
				}},
			ops: []string{"add"}, outShape: ir.Shape{2},
			ref: func(x []float64) []float64 { return []float64{x[0] + 1.5, x[1] + 2.5} },
			check: func(t *testing.T, g *ir.Graph) {
				if len(g.Consts) != 1 || len(g.Consts[0].Floats) != 2 ||
					g.Consts[0].Floats[0] != 1.5 || g.Consts[0].Floats[1] != 2.5 {
					t.Errorf("folded constants %+v, want one [1.5 2.5]", g.Consts)
				}
			}},
		{name: "softmax_opset11_axis1_coerced_2d", spec: softmaxSpec(11, 1),
			ops: []string{"reshape", "softmax", "reshape"}, outShape: ir.Shape{2, 3},
			ref: func(x []float64) []float64 { return refSoftmax(x, 6) }},
		{name: "softmax_opset13_axis_last", spec: softmaxSpec(13, -1),
			ops: []string{"softmax"}, outShape: ir.Shape{2, 3}, ref: func(x []float64) []float64 { return refSoftmax(x, 3) }},
		{name: "conv1d_asymmetric_pads",
			spec: impSpec{in: dims(2, 7), inits: []*onnx.Tensor{ft("W", dims(3, 2, 3), wConv1...), ft("B", dims(3), bConv1...)},
				nodes: []*onnx.Node{nd("Conv", "x,W,B", "y", aIs("pads", 1, 2))}},
			ops: []string{"transpose", "conv", "transpose"}, outShape: ir.Shape{3, 8},
			ref: func(x []float64) []float64 {
				y, _, _ := refConv2D(x, 2, 1, 7, f64(wConv1), 3, 1, 3, f64(bConv1), 1, 1, 0, 1, 0, 2)
				return y
			}},
		{name: "conv2d_strides_same_upper",
			spec: impSpec{in: dims(2, 6, 6), inits: []*onnx.Tensor{ft("W", dims(3, 2, 3, 3), wConv2...), ft("B", dims(3), bConv2...)},
				nodes: []*onnx.Node{nd("Conv", "x,W,B", "y", aIs("strides", 2, 2), aS("auto_pad", "SAME_UPPER"))}},
			ops: []string{"transpose", "conv", "transpose"}, outShape: ir.Shape{3, 3, 3},
			ref: func(x []float64) []float64 {
				y, _, _ := refConv2D(x, 2, 6, 6, f64(wConv2), 3, 3, 3, f64(bConv2), 2, 2, 0, 0, 1, 1)
				return y
			},
			check: func(t *testing.T, g *ir.Graph) {
				p := g.Nodes[1].Attrs.Ints("pads")
				if len(p) != 4 || p[0] != 0 || p[1] != 0 || p[2] != 1 || p[3] != 1 {
					t.Errorf("SAME_UPPER pads %v, want [0 0 1 1]", p)
				}
			}},
		{name: "maxpool2d",
			spec: impSpec{in: dims(2, 5, 5),
				nodes: []*onnx.Node{nd("MaxPool", "x", "y", aIs("kernel_shape", 2, 2), aIs("strides", 2, 2), aIs("pads", 0, 0, 1, 1))}},
			ops: []string{"transpose", "maxpool", "transpose"}, outShape: ir.Shape{2, 3, 3},
			ref: func(x []float64) []float64 { return refPool2D(x, 2, 5, 5, 2, 2, 2, 2, 0, 0, 1, 1, "max") }},
		{name: "averagepool1d_count_include_pad0", spec: poolSpec1D(0),
			ops: []string{"transpose", "avgpool", "transpose"}, outShape: ir.Shape{2, 3},
			ref: func(x []float64) []float64 { return refPool2D(x, 2, 1, 5, 1, 3, 1, 2, 0, 1, 0, 1, "avg") }},
		{name: "averagepool1d_count_include_pad1", spec: poolSpec1D(1),
			ops: []string{"transpose", "avgpool", "transpose"}, outShape: ir.Shape{2, 3},
			ref: func(x []float64) []float64 { return refPool2D(x, 2, 1, 5, 1, 3, 1, 2, 0, 1, 0, 1, "avgpad") }},
		{name: "globalaveragepool",
			spec:     impSpec{in: dims(3, 4, 4), nodes: []*onnx.Node{nd("GlobalAveragePool", "x", "y")}},
			outShape: ir.Shape{3, 1, 1},
			ref:      func(x []float64) []float64 { return refPool2D(x, 3, 4, 4, 4, 4, 1, 1, 0, 0, 0, 0, "avg") }},
		{name: "conv_batchnorm",
			spec: impSpec{opset: 9, in: dims(2, 7),
				inits: []*onnx.Tensor{ft("W", dims(3, 2, 3), wConv1...), ft("s", dims(3), bnScale...), ft("b", dims(3), bnBias...),
					ft("m", dims(3), bnMean...), ft("v", dims(3), bnVar...)},
				nodes: []*onnx.Node{nd("Conv", "x,W", "c"), nd("BatchNormalization", "c,s,b,m,v", "y", aF("epsilon", 1e-3))}},
			outShape: ir.Shape{3, 5},
			ref: func(x []float64) []float64 {
				y, _, _ := refConv2D(x, 2, 1, 7, f64(wConv1), 3, 1, 3, nil, 1, 1, 0, 0, 0, 0)
				for i := range y {
					c := i / 5
					y[i] = (y[i]-float64(bnMean[c]))/math.Sqrt(float64(bnVar[c])+float64(float32(1e-3)))*float64(bnScale[c]) + float64(bnBias[c])
				}
				return y
			}},
		{name: "transpose_keeping_axis0",
			spec: impSpec{in: dims(2, 3, 4), nodes: []*onnx.Node{nd("Transpose", "x", "y", aIs("perm", 0, 3, 1, 2))}},
			ops:  []string{"transpose"}, outShape: ir.Shape{4, 2, 3},
			ref: func(x []float64) []float64 {
				y := make([]float64, 24)
				for a := 0; a < 4; a++ {
					for b := 0; b < 2; b++ {
						for c := 0; c < 3; c++ {
							y[(a*2+b)*3+c] = x[(b*3+c)*4+a]
						}
					}
				}
				return y
			}},
		{name: "flatten_axis1",
			spec: impSpec{in: dims(2, 3), nodes: []*onnx.Node{nd("Flatten", "x", "y", aI("axis", 1))}},
			ops:  []string{"reshape"}, outShape: ir.Shape{6}, ref: identity},
		{name: "flatten_axis0_batch1",
			spec: impSpec{batch: onnx.Dim{Value: 1}, in: dims(2, 3), nodes: []*onnx.Node{nd("Flatten", "x", "y", aI("axis", 0))}},
			ops:  []string{"reshape"}, outShape: ir.Shape{6}, ref: identity},
		{name: "squeeze_unsqueeze_opset11_attrs", spec: squeezeSpec(11),
			ops: []string{"reshape", "reshape"}, outShape: ir.Shape{1, 2, 3}, ref: identity,
			check: func(t *testing.T, g *ir.Graph) {
				if s := g.Nodes[0].Output().Shape; !s.Equal(ir.Shape{2, 3}) {
					t.Errorf("squeezed shape %v, want [2,3]", s)
				}
			}},
		{name: "squeeze_unsqueeze_opset13_inputs", spec: squeezeSpec(13),
			ops: []string{"reshape", "reshape"}, outShape: ir.Shape{1, 2, 3}, ref: identity},
		{name: "concat_axis1_with_const",
			spec: impSpec{in: dims(2, 3), inits: []*onnx.Tensor{ft("k", dims(1, 1, 3), 7, 8, 9)},
				nodes: []*onnx.Node{nd("Relu", "x", "r"), nd("Concat", "x,r,k", "y", aI("axis", 1))}},
			ops: []string{"relu", "concat"}, outShape: ir.Shape{5, 3},
			ref: func(x []float64) []float64 {
				y := append([]float64(nil), x...)
				for _, v := range x {
					y = append(y, math.Max(v, 0))
				}
				return append(y, 7, 8, 9)
			}},
		{name: "clip_opset6_attrs",
			spec: impSpec{opset: 6, in: dims(5), nodes: []*onnx.Node{nd("Clip", "x", "y", aF("min", -0.5), aF("max", 0.25))}},
			ops:  []string{"clip"}, outShape: ir.Shape{5},
			ref: mapRef(func(v float64) float64 { return math.Min(math.Max(v, -0.5), 0.25) })},
		{name: "clip_opset11_inputs_min_only",
			spec: impSpec{opset: 11, in: dims(5), inits: []*onnx.Tensor{ft("lo", nil, -0.5)},
				nodes: []*onnx.Node{nd("Clip", "x,lo,", "y")}},
			ops: []string{"clip"}, outShape: ir.Shape{5},
			ref: mapRef(func(v float64) float64 { return math.Max(v, -0.5) }),
			check: func(t *testing.T, g *ir.Graph) {
				a := g.Nodes[0].Attrs
				if _, ok := a["max"]; ok || a.Float("min", 0) != -0.5 {
					t.Errorf("clip attrs %v, want only min=-0.5", a)
				}
			}},
		{name: "clip_opset11_inputs_both",
			spec: impSpec{opset: 11, in: dims(5), inits: []*onnx.Tensor{ft("lo", nil, -0.5), ft("hi", nil, 0.75)},
				nodes: []*onnx.Node{nd("Clip", "x,lo,hi", "y")}},
			ops: []string{"clip"}, outShape: ir.Shape{5},
			ref: mapRef(func(v float64) float64 { return math.Min(math.Max(v, -0.5), 0.75) })},
		{name: "leakyrelu_elu_selu_defaults",
			spec: impSpec{in: dims(6), outputs: []string{"y1", "y2", "y3"},
				nodes: []*onnx.Node{nd("LeakyRelu", "x", "y1"), nd("Elu", "x", "y2"), nd("Selu", "x", "y3")}},
			ops: []string{"leaky_relu", "elu", "selu"}, outShape: ir.Shape{6},
			ref: func(x []float64) []float64 {
				const alpha, gamma = 1.67326319217681884765625, 1.05070102214813232421875
				var y []float64
				for _, v := range x {
					y = append(y, map[bool]float64{true: v, false: 0.01 * v}[v >= 0])
				}
				for _, v := range x {
					y = append(y, map[bool]float64{true: v, false: math.Exp(v) - 1}[v > 0])
				}
				for _, v := range x {
					y = append(y, gamma*map[bool]float64{true: v, false: alpha * (math.Exp(v) - 1)}[v > 0])
				}
				return y
			}},
		{name: "div_by_constant",
			spec: impSpec{in: dims(3), inits: []*onnx.Tensor{ft("d", dims(3), 2, 4, 0.5)}, nodes: []*onnx.Node{nd("Div", "x,d", "y")}},
			ops:  []string{"mul"}, outShape: ir.Shape{3},
			ref: func(x []float64) []float64 { return []float64{x[0] / 2, x[1] / 4, x[2] / 0.5} }},
		{name: "sub_constant_first",
			spec: impSpec{in: dims(3), inits: []*onnx.Tensor{ft("c", dims(3), 1, -2, 3)}, nodes: []*onnx.Node{nd("Sub", "c,x", "y")}},
			ops:  []string{"sub"}, outShape: ir.Shape{3},
			ref: func(x []float64) []float64 { return []float64{1 - x[0], -2 - x[1], 3 - x[2]} },
			check: func(t *testing.T, g *ir.Graph) {
				if g.Const(g.Nodes[0].Inputs[0]) == nil || g.Nodes[0].Inputs[1] != "x" {
					t.Errorf("sub inputs %v, want (const, x)", g.Nodes[0].Inputs)
				}
			}},
		{name: "dropout_identity_passthrough",
			spec: impSpec{opset: 12, in: dims(4),
				nodes: []*onnx.Node{nd("Dropout", "x", "d,mask"), nd("Identity", "d", "i"), nd("Relu", "i", "y")}},
			ops: []string{"relu"}, outShape: ir.Shape{4},
			ref: mapRef(func(v float64) float64 { return math.Max(v, 0) })},
		{name: "qonnx_quant_round",
			spec: impSpec{in: dims(8), inits: []*onnx.Tensor{ft("scale", nil, 0.0625), ft("zp", nil, 0), ft("bits", nil, 8)},
				nodes: []*onnx.Node{{Name: "Quant_0", OpType: "Quant", Domain: "qonnx.custom_op.general",
					Inputs: []string{"x", "scale", "zp", "bits"}, Outputs: []string{"y"},
					Attrs: []*onnx.Attribute{aI("signed", 1), aI("narrow", 0), aS("rounding_mode", "ROUND")}}}},
			ops: []string{"fake_quant"}, outShape: ir.Shape{8}, inScale: 10,
			ref: mapRef(func(v float64) float64 {
				return math.Min(math.Max(math.RoundToEven(v*16), -128), 127) / 16
			}),
			check: func(t *testing.T, g *ir.Graph) {
				a := g.Nodes[0].Attrs
				if a.Float("scale", 0) != 0.0625 || a.Int("bits", 0) != 8 || a.String("rounding", "") != "ROUND" {
					t.Errorf("fake_quant attrs %v", a)
				}
			}},
	}
}

func TestImportONNXCases(t *testing.T) {
	for _, c := range impCases() {
		t.Run(c.name, func(t *testing.T) {
			g, err := ImportONNX(impEncode(c.spec), c.name+".onnx")
			if err != nil {
				t.Fatalf("ImportONNX: %v", err)
			}
			if err := g.Validate(); err != nil {
				t.Fatalf("imported graph does not validate: %v", err)
			}
			if c.ops != nil {
				if got := impOps(g); strings.Join(got, ",") != strings.Join(c.ops, ",") {
					t.Errorf("ops %v, want %v\n%s", got, c.ops, g.Text())
				}
			}
			if c.outShape != nil {
				if s := g.Lookup(g.Outputs[0]).Shape; !s.Equal(c.outShape) {
					t.Errorf("output shape %v, want %v", s, c.outShape)
				}
			}
			if in := g.Inputs[0].Shape; c.spec.inDims == nil && !in.Equal(ir.Shape(intsOf(c.spec.in))) {
				t.Errorf("input shape %v, want %v (event axis dropped)", in, c.spec.in)
			}
			if c.check != nil {
				c.check(t, g)
			}
			if c.ref != nil {
				scale := c.inScale
				if scale == 0 {
					scale = 2
				}
				impRunFloat(t, g, scale, c.ref)
			}
		})
	}
}

func intsOf(v []int64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// TestImportSoftmaxOpsetDifference shows that the same Softmax(axis) node
// means different things before and after opset 13.
func TestImportSoftmaxOpsetDifference(t *testing.T) {
	run := func(opset, axis int64) []float32 {
		g, err := ImportONNX(impEncode(softmaxSpec(opset, axis)), "softmax.onnx")
		if err != nil {
			t.Fatal(err)
		}
		f, err := sim.NewFloat(g)
		if err != nil {
			t.Fatal(err)
		}
		in := sim.Batch{Events: 1, Shape: ir.Shape{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}
		out, err := f.Run([]sim.Batch{in})
		if err != nil {
			t.Fatal(err)
		}
		return out[0].Data
	}
	sum := func(v []float32) float64 {
		s := 0.0
		for _, x := range v {
			s += float64(x)
		}
		return s
	}
	v11, v13 := run(11, 1), run(13, -1)
	if s := sum(v11); math.Abs(s-1) > 1e-6 {
		t.Errorf("opset 11 axis 1: outputs sum to %v, want 1 (softmax over all 6 values)", s)
	}
	if s := sum(v13); math.Abs(s-2) > 1e-6 {
		t.Errorf("opset 13 axis -1: outputs sum to %v, want 2 (two rows of 3)", s)
	}
	// Row 2 of opset 13 equals row 1 (softmax is shift-invariant); opset 11
	// puts most of the mass on the second row.
	if math.Abs(float64(v13[0]-v13[3])) > 1e-7 || !(v11[3] > 10*v11[0]) {
		t.Errorf("opset 11 %v and opset 13 %v do not show the difference", v11, v13)
	}
}

// ---------------------------------------------------------------------------
// Errors.

func TestImportONNXErrors(t *testing.T) {
	nanW := impRand(20, 12)
	nanW[1] = float32(math.NaN())
	infW := impRand(21, 12)
	infW[5] = float32(math.Inf(1))
	random := make([]byte, 256)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	noGraph := onnx.Encode(&onnx.Model{IRVersion: 7, OpsetImports: []onnx.OpsetID{{Version: 13}}})
	relu := []*onnx.Node{nd("Relu", "x", "y")}

	cases := []struct {
		name string
		data []byte
		want []string
	}{
		{"lstm", impEncode(impSpec{in: dims(5, 4),
			inits: []*onnx.Tensor{ft("W", dims(1, 8, 4), impRand(30, 32)...), ft("R", dims(1, 8, 2), impRand(31, 16)...)},
			nodes: []*onnx.Node{{Name: "lstm_1", OpType: "LSTM", Inputs: []string{"x", "W", "R"}, Outputs: []string{"y"},
				Attrs: []*onnx.Attribute{aI("hidden_size", 2)}}}}),
			[]string{"lstm_1", "LSTM", "not supported", "Gemm", "Conv"}},
		{"nan_weight", impEncode(impSpec{in: dims(4), inits: []*onnx.Tensor{ft("w_nan", dims(4, 3), nanW...)},
			nodes: []*onnx.Node{nd("MatMul", "x,w_nan", "y")}}),
			[]string{"initializer", "w_nan", "NaN"}},
		{"inf_weight", impEncode(impSpec{in: dims(4), inits: []*onnx.Tensor{ft("w_inf", dims(4, 3), infW...)},
			nodes: []*onnx.Node{nd("MatMul", "x,w_inf", "y")}}),
			[]string{"initializer", "w_inf", "Inf"}},
		{"gemm_transA", impEncode(impSpec{in: dims(4), inits: []*onnx.Tensor{ft("W", dims(4, 3), wMat...)},
			nodes: []*onnx.Node{nd("Gemm", "x,W", "y", aI("transA", 1))}}),
			[]string{"Gemm_y", "transA"}},
		{"gemm_bias_with_rows", impEncode(impSpec{in: dims(4),
			inits: []*onnx.Tensor{ft("W", dims(4, 3), wMat...), ft("C", dims(2, 3), 1, 2, 3, 4, 5, 6)},
			nodes: []*onnx.Node{nd("Gemm", "x,W,C", "y")}}),
			[]string{"Gemm_y", "does not broadcast to [1 3]"}},
		{"conv_group2", impEncode(impSpec{in: dims(2, 7), inits: []*onnx.Tensor{ft("W", dims(4, 1, 3), impRand(32, 12)...)},
			nodes: []*onnx.Node{nd("Conv", "x,W", "y", aI("group", 2))}}),
			[]string{"Conv_y", "group=2"}},
		{"transpose_moves_batch", impEncode(impSpec{in: dims(2, 3), nodes: []*onnx.Node{nd("Transpose", "x", "y", aIs("perm", 1, 0, 2))}}),
			[]string{"Transpose_y", "event (batch) axis"}},
		{"softmax_axis0", impEncode(impSpec{in: dims(3), nodes: []*onnx.Node{nd("Softmax", "x", "y", aI("axis", 0))}}),
			[]string{"Softmax_y", "event (batch) axis"}},
		{"reshape_changes_batch", impEncode(impSpec{in: dims(6), inits: []*onnx.Tensor{it("t", dims(2), 2, -1)},
			nodes: []*onnx.Node{nd("Reshape", "x,t", "y")}}),
			[]string{"Reshape_y", "event (batch) axis"}},
		{"div_const_by_event", impEncode(impSpec{in: dims(3), inits: []*onnx.Tensor{ft("c", dims(3), 1, 2, 3)},
			nodes: []*onnx.Node{nd("Div", "c,x", "y")}}),
			[]string{"Div_y", "division of a constant by event data"}},
		{"symbolic_feature_dim", impEncode(impSpec{inDims: []onnx.Dim{{Param: "N"}, {Param: "F"}}, nodes: relu}),
			[]string{`input "x"`, "symbolic", `"F"`}},
		{"undefined_input", impEncode(impSpec{in: dims(3), nodes: []*onnx.Node{nd("Relu", "x", "r"), nd("Add", "r,nope", "y")}}),
			[]string{"Add_y", `"nope"`, "not defined"}},
		{"opset5", impEncode(impSpec{opset: 5, in: dims(3), nodes: relu}), []string{"opset 5", "6 to 17"}},
		{"opset18", impEncode(impSpec{opset: 18, in: dims(3), nodes: relu}), []string{"opset 18", "6 to 17"}},
		{"empty", nil, []string{"bad.onnx", "empty"}},
		{"random_bytes", random, []string{"bad.onnx"}},
		{"no_graph", noGraph, []string{"no graph"}},
		{"if_event_condition", impEncode(impSpec{in: dims(1),
			nodes: []*onnx.Node{nd("Identity", "x", "c"),
				{Name: "branchy", OpType: "If", Inputs: []string{"c"}, Outputs: []string{"y"},
					Attrs: []*onnx.Attribute{
						aG("then_branch", &onnx.Graph{Name: "t", Nodes: []*onnx.Node{nd("Relu", "x", "t_y")}, Outputs: []*onnx.ValueInfo{{Name: "t_y"}}}),
						aG("else_branch", &onnx.Graph{Name: "e", Nodes: []*onnx.Node{nd("Identity", "x", "e_y")}, Outputs: []*onnx.ValueInfo{{Name: "e_y"}}}),
					}}}}),
			[]string{"branchy", "If", "event data"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := ImportONNX(c.data, "bad.onnx")
			if err == nil {
				t.Fatalf("no error; imported\n%s", g.Text())
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// impCrashers are models that made the importer panic (index out of range,
// nil dereference, division by zero, unbounded allocation) before the fixes
// in importer.go, importer_ops.go, importer_const.go and consttensor.go.
// Each must now give an error naming the node. They are also in
// testdata/fuzz/FuzzImportONNX as fuzz seeds.
func impCrashers() map[string]impSpec {
	noOut := func(name, op string, attrs ...*onnx.Attribute) []*onnx.Node {
		return []*onnx.Node{{Name: name, OpType: op, Inputs: []string{"x"}, Attrs: attrs}, nd("Relu", "x", "y")}
	}
	return map[string]impSpec{
		"constantofshape_negative": {in: dims(2), inits: []*onnx.Tensor{it("s", dims(1), -1)},
			nodes: []*onnx.Node{nd("ConstantOfShape", "s", "c"), nd("Add", "x,c", "y")}},
		"constantofshape_overflow_gather": {in: dims(1), inits: []*onnx.Tensor{it("s", dims(2), 1<<32, 1<<32), it("i", nil, 0)},
			nodes: []*onnx.Node{nd("ConstantOfShape", "s", "c"), nd("Gather", "c,i", "g"), nd("Add", "x,g", "y")}},
		"broadcast_huge": {in: dims(1), inits: []*onnx.Tensor{it("s1", dims(2), 1<<24, 1), it("s2", dims(2), 1, 1<<24)},
			nodes: []*onnx.Node{nd("ConstantOfShape", "s1", "a"), nd("ConstantOfShape", "s2", "b"), nd("Add", "a,b", "c"), nd("Add", "x,c", "y")}},
		"range_infinite_limit": {opset: 11, in: dims(2), inits: []*onnx.Tensor{ft("z", nil, 0), ft("o", nil, 1)},
			nodes: []*onnx.Node{nd("Div", "o,z", "inf"), nd("Range", "z,inf,o", "r"), nd("Add", "x,r", "y")}},
		"range_empty_start": {opset: 11, in: dims(2), inits: []*onnx.Tensor{ft("e", dims(0)), ft("o", nil, 1)},
			nodes: []*onnx.Node{nd("Range", "e,o,o", "r"), nd("Add", "x,r", "y")}},
		"slice_axes_longer_than_starts": {opset: 11, in: dims(2),
			inits: []*onnx.Tensor{ft("c", dims(2, 2), 1, 2, 3, 4), it("st", dims(1), 0), it("en", dims(1), 1), it("ax", dims(2), 0, 1)},
			nodes: []*onnx.Node{nd("Slice", "c,st,en,ax", "s"), nd("Add", "x,s", "y")}},
		"slice_steps_shorter_than_axes": {opset: 11, in: dims(2),
			inits: []*onnx.Tensor{ft("c", dims(2, 2), 1, 2, 3, 4), it("st", dims(2), 0, 0), it("en", dims(2), 1, 1), it("ax", dims(2), 0, 1), it("sp", dims(1), 1)},
			nodes: []*onnx.Node{nd("Slice", "c,st,en,ax,sp", "s"), nd("Add", "x,s", "y")}},
		"flatten_const_axis_out_of_range": {in: dims(2), inits: []*onnx.Tensor{ft("c", dims(2), 1, 2)},
			nodes: []*onnx.Node{nd("Flatten", "c", "f", aI("axis", 5)), nd("Add", "x,f", "y")}},
		"concat_const_shape_mismatch": {in: dims(2), inits: []*onnx.Tensor{ft("a", dims(3, 1), 1, 2, 3), ft("b", dims(2, 1), 1, 2)},
			nodes: []*onnx.Node{nd("Concat", "a,b", "c", aI("axis", 1)), nd("Add", "x,c", "y")}},
		"conv_same_upper_stride0": {in: dims(1, 4), inits: []*onnx.Tensor{ft("W", dims(1, 1, 2), 1, 1)},
			nodes: []*onnx.Node{nd("Conv", "x,W", "y", aIs("strides", 0), aS("auto_pad", "SAME_UPPER"))}},
		"maxpool_same_upper_stride0": {in: dims(1, 4),
			nodes: []*onnx.Node{nd("MaxPool", "x", "y", aIs("kernel_shape", 2), aIs("strides", 0), aS("auto_pad", "SAME_UPPER"))}},
		"size_without_input": {in: dims(1),
			nodes: []*onnx.Node{{Name: "sz", OpType: "Size", Outputs: []string{"s"}}, nd("Add", "x,s", "y")}},
		"equal_one_input": {in: dims(1), inits: []*onnx.Tensor{ft("a", nil, 1)},
			nodes: []*onnx.Node{nd("Equal", "a", "e"), nd("Add", "x,e", "y")}},
		"identity_without_output": {in: dims(1), nodes: noOut("id", "Identity")},
		"flatten_without_output":  {in: dims(1), nodes: noOut("fl", "Flatten")},
		"gemm_one_input":          {in: dims(1), nodes: []*onnx.Node{nd("Gemm", "x", "y")}},
		"matmul_one_input":        {in: dims(1), nodes: []*onnx.Node{nd("MatMul", "x", "y")}},
		"add_one_input":           {in: dims(1), nodes: []*onnx.Node{nd("Add", "x", "y")}},
		"conv_one_input":          {in: dims(1, 3), nodes: []*onnx.Node{nd("Conv", "x", "y")}},
		"gemm_empty_bias": {in: dims(2), inits: []*onnx.Tensor{ft("W", dims(2, 1), 1, 2), ft("C", dims(0))},
			nodes: []*onnx.Node{nd("Gemm", "x,W,C", "y")}},
		"softmax_opset11_axis_below_minus_rank": {opset: 11, in: dims(2, 3),
			nodes: []*onnx.Node{nd("Softmax", "x", "y", aI("axis", -5))}},
	}
}

func TestImportONNXCrashersGiveErrors(t *testing.T) {
	for name, s := range impCrashers() {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			m := impModel(s)
			g, err := ImportONNX(onnx.Encode(m), "crasher.onnx")
			if err == nil {
				t.Fatalf("no error; imported\n%s", g.Text())
			}
			// The error names the offending node (the last node is a
			// well-formed consumer, so the failure is in an earlier one).
			named := false
			for _, n := range m.Graph.Nodes {
				named = named || strings.Contains(err.Error(), `node "`+n.Name+`"`)
			}
			if !named {
				t.Errorf("error %q names no node", err)
			}
		})
	}
}
