package onnx

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// exampleDir holds real exporter output shared by the repository's tests
// (/work/shared/models/hls4ml-examples, relative to this package).
const exampleDir = "../../../../shared/models/hls4ml-examples"

// readExamples returns the bytes of every example model, keyed by base name.
// Outside CI a missing folder skips the test, so a bare checkout still runs
// the rest of the suite; in CI it must be there.
func readExamples(tb testing.TB) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(exampleDir, "*.onnx"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("no example models in %s", exampleDir)
		}
		tb.Skipf("no example models in %s", exampleDir)
	}
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

type wantInit struct {
	name  string
	dims  []int64
	first float64
	sum   float64
}

type wantValue struct {
	name  string
	shape []int64
}

type wantModel struct {
	ir       int64
	opsets   []OpsetID
	producer string
	version  string
	ops      []string
	inputs   []wantValue // graph inputs (IR 3 files list initializers here too)
	outputs  []wantValue
	nvi      int
	inits    []wantInit
}

// Expected contents, taken from onnx.load and numpy_helper.to_array in
// Python (onnx 1.x from Debian).
var wantModels = map[string]wantModel{
	"bnn_model_fc_1layer.onnx": {
		ir: 8, opsets: []OpsetID{{"", 17}, {"onnx.brevitas", 1}}, producer: "pytorch", version: "2.7.0",
		ops:     []string{"BipolarQuant", "BipolarQuant", "Quant", "Gemm", "BipolarQuant"},
		inputs:  []wantValue{{"x.1", []int64{1, 3}}, {"linear.bias", []int64{4}}},
		outputs: []wantValue{{"12", []int64{1, 4}}},
		nvi:     8,
		inits: []wantInit{
			{"linear.bias", []int64{4}, 2.0, -1.0},
			{"/linear/input_quant/export_handler/Constant_output_0", nil, 1.0, 1.0},
			{"/linear/input_quant/export_handler/Constant_1_output_0", []int64{1}, 1.0, 1.0},
			{"/linear/input_quant/export_handler/Constant_2_output_0", nil, 0.0, 0.0},
			{"/linear/weight_quant/export_handler/Constant_output_0", []int64{4, 3}, -1.0, -6.0},
			{"/linear/bias_quant/export_handler/Constant_output_0", nil, 4.0, 4.0},
		},
	},
	"conv1d_small_keras.onnx": {
		ir: 3, opsets: []OpsetID{{"", 9}}, producer: "OnnxMLTools", version: "1.3.0",
		ops: []string{"Transpose", "Conv", "Relu", "Conv", "Relu", "Conv", "Relu", "Transpose", "Flatten", "Gemm", "Relu", "Gemm", "Softmax"},
		inputs: []wantValue{{"input_1_0", []int64{1, 10, 4}}, {"W", []int64{3, 4, 4}}, {"B", []int64{3}},
			{"W1", []int64{2, 3, 4}}, {"B1", []int64{2}}, {"W2", []int64{1, 2, 4}}, {"B2", []int64{1}},
			{"W3", []int64{10, 5}}, {"B3", []int64{5}}, {"W4", []int64{5, 5}}, {"B4", []int64{5}}},
		outputs: []wantValue{{"output_softmax_Softmax_01", []int64{1, 5}}},
		nvi:     12,
		inits: []wantInit{
			{"W", []int64{3, 4, 4}, -0.018937546759843826, 0.18735043535707518},
			{"B", []int64{3}, -0.04257674142718315, 0.41835376992821693},
			{"W1", []int64{2, 3, 4}, 0.13292048871517181, 0.8933501038700342},
			{"B1", []int64{2}, 0.11912919580936432, 0.20237913727760315},
			{"W2", []int64{1, 2, 4}, -0.08462491631507874, -0.2789755556732416},
			{"B2", []int64{1}, 0.2511656880378723, 0.2511656880378723},
			{"W3", []int64{10, 5}, 0.635395884513855, 2.0905070998705924},
			{"B3", []int64{5}, -0.3277502954006195, -0.004031110554933548},
			{"W4", []int64{5, 5}, -0.2684033215045929, -1.3557984828948975},
			{"B4", []int64{5}, 0.33845746517181396, -0.04403110593557358},
		},
	},
	"conv2d_small_keras.onnx": {
		ir: 3, opsets: []OpsetID{{"", 9}}, producer: "OnnxMLTools", version: "1.2.2.0129",
		ops: []string{"Transpose", "Conv", "Relu", "Transpose", "Identity", "Flatten", "Gemm", "Softmax"},
		inputs: []wantValue{{"conv2d_1_input_0", []int64{1, 8, 8, 1}}, {"W", []int64{2, 1, 3, 3}}, {"B", []int64{2}},
			{"W1", []int64{128, 10}}, {"B1", []int64{10}}},
		outputs: []wantValue{{"dense_1_Softmax_01", []int64{1, 10}}},
		nvi:     7,
		inits: []wantInit{
			{"W", []int64{2, 1, 3, 3}, 0.111861452460289, 3.15100921317935},
			{"B", []int64{2}, 1.4599616406485438e-05, 0.0002658274315763265},
			{"W1", []int64{128, 10}, 0.2570832073688507, -17.036411818306078},
			{"B1", []int64{10}, 0.16646406054496765, -0.11941839393693954},
		},
	},
	"three_layer_keras.onnx": {
		ir: 3, opsets: []OpsetID{{"", 9}}, producer: "OnnxMLTools", version: "1.2.2.0129",
		ops: []string{"MatMul", "Add", "Relu", "MatMul", "Add", "Relu", "MatMul", "Add", "Relu", "MatMul", "Add", "Softmax"},
		inputs: []wantValue{{"input_1_0", []int64{1, 16}}, {"W", []int64{16, 64}}, {"B", []int64{64}},
			{"W1", []int64{64, 32}}, {"B1", []int64{32}}, {"W2", []int64{32, 32}}, {"B2", []int64{32}},
			{"W3", []int64{32, 5}}, {"B3", []int64{5}}},
		outputs: []wantValue{{"output_softmax_Softmax_01", []int64{1, 5}}},
		nvi:     11,
		inits: []wantInit{
			{"W", []int64{16, 64}, 0.2731347382068634, -17.441249780531507},
			{"B", []int64{64}, -0.6503423452377319, -0.06306678056716919},
			{"W1", []int64{64, 32}, 0.027016395702958107, 5.601303817364169},
			{"B1", []int64{32}, 0.8230777978897095, -0.7512673176825047},
			{"W2", []int64{32, 32}, -0.677753746509552, -14.171968951701274},
			{"B2", []int64{32}, -0.48384565114974976, -0.33962177531793714},
			{"W3", []int64{32, 5}, 0.33954036235809326, -0.6908644569339231},
			{"B3", []int64{5}, -0.32101622223854065, 0.09496560879051685},
		},
	},
	"three_layer_pytorch.onnx": {
		ir: 3, opsets: []OpsetID{{"", 9}}, producer: "pytorch", version: "0.3",
		ops: []string{"Gemm", "Relu", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"},
		inputs: []wantValue{{"0", []int64{789444, 16}}, {"1", []int64{64, 16}}, {"2", []int64{64}},
			{"3", []int64{32, 64}}, {"4", []int64{32}}, {"5", []int64{32, 32}}, {"6", []int64{32}},
			{"7", []int64{5, 32}}, {"8", []int64{5}}},
		outputs: []wantValue{{"16", []int64{789444, 5}}},
		nvi:     7,
		inits: []wantInit{
			{"1", []int64{64, 16}, -0.13454663753509521, -4.432238072156906},
			{"2", []int64{64}, -0.15732774138450623, -0.8211199939250946},
			{"3", []int64{32, 64}, 0.0013102144002914429, -0.18671870231628418},
			{"4", []int64{32}, 0.07549487054347992, -0.30074262619018555},
			{"5", []int64{32, 32}, 0.09679906070232391, -2.2390164136886597},
			{"6", []int64{32}, 0.14949347078800201, 0.10512243211269379},
			{"7", []int64{5, 32}, -0.15557515621185303, -1.40916558355093},
			{"8", []int64{5}, -0.14915554225444794, -0.11990923434495926},
		},
	},
	"two_layer_pytorch.onnx": {
		ir: 3, opsets: []OpsetID{{"", 9}}, producer: "pytorch", version: "0.3",
		ops:     []string{"Gemm", "Relu", "Gemm", "Sigmoid"},
		inputs:  []wantValue{{"0", []int64{789444, 10}}, {"1", []int64{32, 10}}, {"2", []int64{32}}, {"3", []int64{1, 32}}, {"4", []int64{1}}},
		outputs: []wantValue{{"8", []int64{789444, 1}}},
		nvi:     3,
		inits: []wantInit{
			{"1", []int64{32, 10}, -0.2412109524011612, 9.219344049692154},
			{"2", []int64{32}, -0.2972920536994934, -0.3059190809726715},
			{"3", []int64{1, 32}, 0.0957745760679245, 0.26233088970184326},
			{"4", []int64{1}, -0.10283670574426651, -0.10283670574426651},
		},
	},
}

func shapeValues(tb testing.TB, vi *ValueInfo) []int64 {
	tb.Helper()
	if !vi.HasShape {
		tb.Errorf("%s: no shape", vi.Name)
	}
	var out []int64
	for _, d := range vi.Shape {
		if d.Param != "" {
			tb.Errorf("%s: unexpected symbolic dim %q", vi.Name, d.Param)
		}
		out = append(out, d.Value)
	}
	return out
}

func checkValues(t *testing.T, what string, got []*ValueInfo, want []wantValue) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].ElemType != Float || !slices.Equal(shapeValues(t, got[i]), w.shape) {
			t.Errorf("%s[%d] = %q %v %v, want %q FLOAT %v", what, i, got[i].Name, got[i].ElemType, got[i].Shape, w.name, w.shape)
		}
	}
}

func TestDecodeExamples(t *testing.T) {
	files := readExamples(t)
	for name, want := range wantModels {
		t.Run(name, func(t *testing.T) {
			b, ok := files[name]
			if !ok {
				t.Fatalf("missing %s", name)
			}
			m, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if m.IRVersion != want.ir || m.ProducerName != want.producer || m.ProducerVersion != want.version {
				t.Errorf("header = ir %d %q %q", m.IRVersion, m.ProducerName, m.ProducerVersion)
			}
			if !slices.Equal(m.OpsetImports, want.opsets) {
				t.Errorf("opsets = %v, want %v", m.OpsetImports, want.opsets)
			}
			if v, ok := m.Opset("ai.onnx"); !ok || v != want.opsets[0].Version {
				t.Errorf("Opset(ai.onnx) = %d %v", v, ok)
			}
			g := m.Graph
			var ops []string
			for _, n := range g.Nodes {
				ops = append(ops, n.OpType)
			}
			if !slices.Equal(ops, want.ops) {
				t.Errorf("ops = %v, want %v", ops, want.ops)
			}
			checkValues(t, "inputs", g.Inputs, want.inputs)
			checkValues(t, "outputs", g.Outputs, want.outputs)
			if len(g.ValueInfo) != want.nvi {
				t.Errorf("%d value_info, want %d", len(g.ValueInfo), want.nvi)
			}
			if len(g.Initializers) != len(want.inits) {
				t.Fatalf("%d initializers, want %d", len(g.Initializers), len(want.inits))
			}
			for i, w := range want.inits {
				init := g.Initializers[i]
				if init.Name != w.name || init.DataType != Float || !slices.Equal(init.Dims, w.dims) {
					t.Errorf("initializer %d = %q %v %v, want %q FLOAT %v", i, init.Name, init.DataType, init.Dims, w.name, w.dims)
				}
				vals, err := init.Float64s()
				if err != nil {
					t.Fatal(err)
				}
				n, _ := init.NumElements()
				if int64(len(vals)) != n {
					t.Errorf("%s: %d values for %d elements", w.name, len(vals), n)
				}
				var sum float64
				for _, v := range vals {
					sum += v
				}
				if vals[0] != w.first || math.Abs(sum-w.sum) > 1e-9*math.Max(1, math.Abs(w.sum)) {
					t.Errorf("%s: first %v sum %v, want %v %v", w.name, vals[0], sum, w.first, w.sum)
				}
			}
			// Every node's outputs are named and its op is in a known domain.
			for i, n := range g.Nodes {
				if len(n.Outputs) == 0 || n.Outputs[0] == "" {
					t.Errorf("node %d (%s) has no output", i, n.OpType)
				}
				if _, ok := m.Opset(n.Domain); !ok {
					t.Errorf("node %d (%s) in unimported domain %q", i, n.OpType, n.Domain)
				}
				for _, a := range n.Attrs {
					if a.Type == AttrUndefined {
						t.Errorf("node %d attribute %q has no type", i, a.Name)
					}
				}
			}
		})
	}
	for name := range files {
		if _, ok := wantModels[name]; !ok {
			t.Errorf("example %s has no expectations in wantModels", name)
		}
	}
}

// TestExampleAttributes spot-checks attribute values whose encoding differs
// between exporters.
func TestExampleAttributes(t *testing.T) {
	files := readExamples(t)
	decode := func(name string) *Graph {
		m, err := Decode(files[name])
		if err != nil {
			t.Fatal(err)
		}
		return m.Graph
	}

	g := decode("three_layer_pytorch.onnx")
	gemm := g.Nodes[0]
	if gemm.Name != "" || !slices.Equal(gemm.Inputs, []string{"0", "1", "2"}) || !slices.Equal(gemm.Outputs, []string{"9"}) {
		t.Errorf("pytorch Gemm = %+v", gemm)
	}
	if a := gemm.Attr("alpha"); a == nil || a.Type != AttrFloat || a.F != 1 {
		t.Errorf("alpha = %+v", a)
	}
	if a := gemm.Attr("transB"); a == nil || a.Type != AttrInt || a.I != 1 {
		t.Errorf("transB = %+v", a)
	}
	if gemm.Attr("transA") != nil {
		t.Error("unexpected transA")
	}
	if a := g.Nodes[7].Attr("axis"); a == nil || a.I != 1 {
		t.Errorf("Softmax axis = %+v", a)
	}

	g = decode("conv2d_small_keras.onnx")
	if a := g.Nodes[0].Attr("perm"); a == nil || a.Type != AttrInts || !slices.Equal(a.Ints, []int64{0, 3, 1, 2}) {
		t.Errorf("Transpose perm = %+v", a)
	}
	conv := g.Nodes[1]
	if conv.Name != "Conv2D__" {
		t.Errorf("conv name %q", conv.Name)
	}
	for name, want := range map[string][]int64{"pads": {1, 1, 1, 1}, "kernel_shape": {3, 3}, "strides": {1, 1}, "dilations": {1, 1}} {
		if a := conv.Attr(name); a == nil || a.Type != AttrInts || !slices.Equal(a.Ints, want) {
			t.Errorf("Conv %s = %+v, want %v", name, a, want)
		}
	}
	if a := g.Nodes[5].Attr("axis"); a == nil || a.Type != AttrInt || a.I != 0 {
		t.Errorf("Flatten axis = %+v (Keras writes axis 0 on its batch-1 graph)", a)
	}

	g = decode("bnn_model_fc_1layer.onnx")
	q := g.Nodes[2]
	if q.OpType != "Quant" || q.Domain != "onnx.brevitas" || len(q.Inputs) != 4 {
		t.Errorf("Quant node = %+v", q)
	}
	if a := q.Attr("rounding_mode"); a == nil || a.Type != AttrString || string(a.S) != "ROUND" {
		t.Errorf("rounding_mode = %+v", a)
	}
	if a := q.Attr("signed"); a == nil || a.I != 1 {
		t.Errorf("signed = %+v", a)
	}
	if a := q.Attr("narrow"); a == nil || a.Type != AttrInt || a.I != 0 {
		t.Errorf("narrow = %+v", a)
	}
	w := g.Initializers[4]
	ints, err := w.Int64s()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ints, []int64{-1, 1, -1, -1, -1, 1, -1, -1, -1, 1, -1, -1}) {
		t.Errorf("binary weights = %v", ints)
	}
}

func TestRoundTripExamples(t *testing.T) {
	for name, b := range readExamples(t) {
		t.Run(name, func(t *testing.T) {
			m, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			enc := Encode(m)
			m2, err := Decode(enc)
			if err != nil {
				t.Fatalf("re-decode: %v", err)
			}
			if d := diff(m, m2); d != "" {
				t.Fatalf("round trip differs at %s", d)
			}
			if enc2 := Encode(m2); string(enc2) != string(enc) {
				t.Error("Encode is not deterministic")
			}
			// Dropping doc strings makes the files smaller, never larger
			// (raw weights are kept as raw, float_data stays float_data).
			if len(enc) > len(b) {
				t.Errorf("encoded %d bytes, original %d", len(enc), len(b))
			}
		})
	}
}

// TestTruncatedExamples cuts each model at every tenth of its length: each
// cut lands inside the graph and must be reported, not mis-read.
func TestTruncatedExamples(t *testing.T) {
	for name, b := range readExamples(t) {
		for k := 1; k < 10; k++ {
			cut := b[:len(b)*k/10]
			m, err := Decode(cut)
			if err == nil {
				t.Errorf("%s cut at %d/10: decoded %d nodes without error", name, k, len(m.Graph.Nodes))
				continue
			}
			if !strings.Contains(err.Error(), "truncated") {
				t.Errorf("%s cut at %d/10: %v", name, k, err)
			}
		}
	}
}
