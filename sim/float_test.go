package sim

import (
	"math"
	"strings"
	"testing"

	"trigo/ir"
)

func parseGraph(t testing.TB, src string) *ir.Graph {
	t.Helper()
	g, err := ir.Parse("trigo-ir 1\ngraph test\n" + src)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("validate: %v\n%s", err, src)
	}
	return g
}

// runFloatOne runs one event through a float graph.
func runFloatOne(t *testing.T, g *ir.Graph, inputs ...[]float32) [][]float32 {
	t.Helper()
	f, err := NewFloat(g)
	if err != nil {
		t.Fatalf("NewFloat: %v", err)
	}
	bs := make([]Batch, len(inputs))
	for i, in := range inputs {
		bs[i] = Batch{Events: 1, Shape: g.Inputs[i].Shape, Data: in}
	}
	outs, err := f.Run(bs)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	res := make([][]float32, len(outs))
	for i := range outs {
		res[i] = outs[i].Data
	}
	return res
}

func TestFloatOps(t *testing.T) {
	e := math.E
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	const seluA, seluG = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
	cases := []struct {
		name string
		src  string
		in   [][]float32
		want []float64
	}{
		{"dense bias", `input x: f32[2]
const w: f32[2,3] = [1, 2, 3, 4, 5, 6]
const b: f32[3] = [0.5, -1, 0]
node d = dense(x, w, b) -> y: f32[3]
output y`, [][]float32{{1, 2}}, []float64{9.5, 11, 15}},
		{"dense rank2", `input x: f32[2,2]
const w: f32[2,3] = [1, 2, 3, 4, 5, 6]
node d = dense(x, w) -> y: f32[2,3]
output y`, [][]float32{{1, 2, 3, 4}}, []float64{9, 12, 15, 19, 26, 33}},
		{"conv1d asym pads dilation", `input x: f32[5,1]
const w: f32[2,1,1] = [1, 10]
const b: f32[1] = [0.5]
node c = conv(x, w, b) {dilations = [2], pads = [1, 2]} -> y: f32[6,1]
output y`, [][]float32{{1, 2, 3, 4, 5}}, []float64{20.5, 31.5, 42.5, 53.5, 4.5, 5.5}},
		{"conv1d channels", `input x: f32[3,2]
const w: f32[1,2,2] = [1, 2, 3, 4]
node c = conv(x, w) -> y: f32[3,2]
output y`, [][]float32{{1, 2, 3, 4, 5, 6}}, []float64{7, 10, 15, 22, 23, 34}},
		{"conv2d strides", `input x: f32[3,3,1]
const w: f32[2,2,1,1] = [1, 0, 0, 1]
node c = conv(x, w) {strides = [2, 2], pads = [0, 0, 1, 1]} -> y: f32[2,2,1]
output y`, [][]float32{{1, 2, 3, 4, 5, 6, 7, 8, 9}}, []float64{6, 3, 7, 9}},
		{"maxpool padding never wins", `input x: f32[4,1]
node p = maxpool(x) {kernel = [3], pads = [1, 1]} -> y: f32[4,1]
output y`, [][]float32{{-1, -2, -3, -4}}, []float64{-1, -1, -2, -3}},
		{"maxpool 2d channels", `input x: f32[2,2,2]
node p = maxpool(x) {kernel = [2, 2]} -> y: f32[1,1,2]
output y`, [][]float32{{1, -1, 5, -2, 3, -3, 4, -4}}, []float64{5, -1}},
		{"avgpool exclude pad", `input x: f32[4,1]
node p = avgpool(x) {kernel = [3], pads = [1, 1]} -> y: f32[4,1]
output y`, [][]float32{{1, 2, 3, 4}}, []float64{1.5, 2, 3, 3.5}},
		{"avgpool include pad", `input x: f32[4,1]
node p = avgpool(x) {kernel = [3], pads = [1, 1], count_include_pad = 1} -> y: f32[4,1]
output y`, [][]float32{{1, 2, 3, 4}}, []float64{1, 2, 3, 7.0 / 3}},
		{"avgpool 2d strides", `input x: f32[2,4,1]
node p = avgpool(x) {kernel = [2, 2], strides = [2, 2]} -> y: f32[1,2,1]
output y`, [][]float32{{1, 2, 3, 4, 5, 6, 7, 8}}, []float64{3.5, 5.5}},
		{"add broadcast row", `input a: f32[2,3]
const b: f32[3] = [10, 20, 30]
node s = add(a, b) -> y: f32[2,3]
output y`, [][]float32{{1, 2, 3, 4, 5, 6}}, []float64{11, 22, 33, 14, 25, 36}},
		{"sub broadcast column", `input a: f32[2,3]
input b: f32[2,1]
node s = sub(a, b) -> y: f32[2,3]
output y`, [][]float32{{1, 2, 3, 4, 5, 6}, {100, 200}}, []float64{-99, -98, -97, -196, -195, -194}},
		{"mul outer", `input a: f32[2,1]
input b: f32[1,3]
node s = mul(a, b) -> y: f32[2,3]
output y`, [][]float32{{2, 3}, {1, 2, 3}}, []float64{2, 4, 6, 3, 6, 9}},
		{"mul scalar", `input a: f32[2]
input b: f32[]
node s = mul(a, b) -> y: f32[2]
output y`, [][]float32{{2, 3}, {-2}}, []float64{-4, -6}},
		{"reduce_sum axis0", `input x: f32[2,3]
node r = reduce_sum(x) {axes = [0]} -> y: f32[1,3]
output y`, [][]float32{{1, 2, 3, 4, 5, 6}}, []float64{5, 7, 9}},
		{"reduce_sum axis1", `input x: f32[2,3]
node r = reduce_sum(x) {axes = [1]} -> y: f32[2,1]
output y`, [][]float32{{1, 2, 3, 4, 5, 6}}, []float64{6, 15}},
		{"reduce_sum all", `input x: f32[2,3]
node r = reduce_sum(x) {axes = [0, 1]} -> y: f32[1,1]
output y`, [][]float32{{1, 2, 3, 4, 5, 6}}, []float64{21}},
		{"reduce_max last", `input x: f32[2,3]
node r = reduce_max(x) {axes = [-1]} -> y: f32[2,1]
output y`, [][]float32{{1, 7, 3, -4, -5, -6}}, []float64{7, -4}},
		{"reshape", `input x: f32[2,3]
node r = reshape(x) {shape = [3, 2]} -> y: f32[3,2]
output y`, [][]float32{{1, 2, 3, 4, 5, 6}}, []float64{1, 2, 3, 4, 5, 6}},
		{"transpose 2d", `input x: f32[2,3]
node r = transpose(x) {perm = [1, 0]} -> y: f32[3,2]
output y`, [][]float32{{1, 2, 3, 4, 5, 6}}, []float64{1, 4, 2, 5, 3, 6}},
		{"transpose 3d", `input x: f32[2,2,2]
node r = transpose(x) {perm = [2, 0, 1]} -> y: f32[2,2,2]
output y`, [][]float32{{0, 1, 2, 3, 4, 5, 6, 7}}, []float64{0, 2, 4, 6, 1, 3, 5, 7}},
		{"concat axis1", `input a: f32[2,1]
input b: f32[2,2]
node c = concat(a, b) {axis = 1} -> y: f32[2,3]
output y`, [][]float32{{1, 2}, {3, 4, 5, 6}}, []float64{1, 3, 4, 2, 5, 6}},
		{"concat axis0 negative", `input a: f32[1,2]
input b: f32[2,2]
node c = concat(a, b) {axis = -2} -> y: f32[3,2]
output y`, [][]float32{{1, 2}, {3, 4, 5, 6}}, []float64{1, 2, 3, 4, 5, 6}},
		{"softmax axis1", `input x: f32[2,2]
node s = softmax(x) {axis = 1} -> y: f32[2,2]
output y`, [][]float32{{0, 1, 2, 3}}, []float64{1 / (1 + e), e / (1 + e), 1 / (1 + e), e / (1 + e)}},
		{"softmax axis0", `input x: f32[2,2]
node s = softmax(x) {axis = 0} -> y: f32[2,2]
output y`, [][]float32{{0, 1, 2, 3}}, []float64{1 / (1 + e*e), 1 / (1 + e*e), e * e / (1 + e*e), e * e / (1 + e*e)}},
		{"softmax axis -1 large", `input x: f32[3]
node s = softmax(x) {axis = -1} -> y: f32[3]
output y`, [][]float32{{1000, 1000, 1000}}, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}},
		{"elu default", `input x: f32[3]
node s = elu(x) -> y: f32[3]
output y`, [][]float32{{-1, 0, 2}}, []float64{1/e - 1, 0, 2}},
		{"elu alpha", `input x: f32[2]
node s = elu(x) {alpha = 0.5} -> y: f32[2]
output y`, [][]float32{{-1, 2}}, []float64{0.5 * (1/e - 1), 2}},
		{"selu", `input x: f32[3]
node s = selu(x) -> y: f32[3]
output y`, [][]float32{{-1, 0, 2}}, []float64{seluG * seluA * (1/e - 1), 0, 2 * seluG}},
		{"selu attrs", `input x: f32[2]
node s = selu(x) {alpha = 2.0, gamma = 3.0} -> y: f32[2]
output y`, [][]float32{{-1, 2}}, []float64{6 * (1/e - 1), 6}},
		{"sigmoid", `input x: f32[3]
node s = sigmoid(x) -> y: f32[3]
output y`, [][]float32{{0, 2, -2}}, []float64{0.5, sig(2), sig(-2)}},
		{"tanh", `input x: f32[2]
node s = tanh(x) -> y: f32[2]
output y`, [][]float32{{0, 0.5}}, []float64{0, (e - 1) / (e + 1)}},
		{"exp", `input x: f32[2]
node s = exp(x) -> y: f32[2]
output y`, [][]float32{{0, 1}}, []float64{1, e}},
		{"relu", `input x: f32[3]
node s = relu(x) -> y: f32[3]
output y`, [][]float32{{-1, 0, 2}}, []float64{0, 0, 2}},
		{"leaky_relu", `input x: f32[2]
node s = leaky_relu(x) {alpha = 0.25} -> y: f32[2]
output y`, [][]float32{{-2, 3}}, []float64{-0.5, 3}},
		{"clip", `input x: f32[3]
node s = clip(x) {min = -1.0, max = 1.0} -> y: f32[3]
output y`, [][]float32{{-2, 0.5, 3}}, []float64{-1, 0.5, 1}},
		{"clip max only", `input x: f32[2]
node s = clip(x) {max = 1.0} -> y: f32[2]
output y`, [][]float32{{-200, 3}}, []float64{-200, 1}},
		{"cast", `input x: f32[2]
node s = cast(x) -> y: f32[2]
output y`, [][]float32{{-2, 3}}, []float64{-2, 3}},
		{"bipolar", `input x: f32[3]
node s = bipolar_quant(x) {scale = 0.5} -> y: f32[3]
output y`, [][]float32{{-1, 0, 2}}, []float64{-0.5, 0.5, 0.5}},
		// fake_quant, scale 0.5, 4 bits signed: q in [-8, 7].
		{"fake_quant round half even", `input x: f32[6]
node q = fake_quant(x) {scale = 0.5, bits = 4} -> y: f32[6]
output y`, [][]float32{{0.25, 0.75, -0.25, 1.25, 100, -100}}, []float64{0, 1, 0, 1, 3.5, -4}},
		{"fake_quant narrow", `input x: f32[2]
node q = fake_quant(x) {scale = 0.5, bits = 4, narrow = 1} -> y: f32[2]
output y`, [][]float32{{100, -100}}, []float64{3.5, -3.5}},
		{"fake_quant ceil", `input x: f32[2]
node q = fake_quant(x) {scale = 0.5, bits = 4, rounding = "CEIL"} -> y: f32[2]
output y`, [][]float32{{0.25, -0.75}}, []float64{0.5, -0.5}},
		{"fake_quant floor", `input x: f32[2]
node q = fake_quant(x) {scale = 0.5, bits = 4, rounding = "FLOOR"} -> y: f32[2]
output y`, [][]float32{{0.75, -0.25}}, []float64{0.5, -0.5}},
		{"fake_quant to zero", `input x: f32[2]
node q = fake_quant(x) {scale = 0.5, bits = 4, rounding = "ROUND_TO_ZERO"} -> y: f32[2]
output y`, [][]float32{{0.75, -0.75}}, []float64{0.5, -0.5}},
		{"fake_quant unsigned zero point", `input x: f32[3]
node q = fake_quant(x) {scale = 0.5, zero_point = 1.0, bits = 2, signed = 0} -> y: f32[3]
output y`, [][]float32{{-1, 0.3, 5}}, []float64{-0.5, 0.5, 1}},
		{"fake_quant unsigned narrow", `input x: f32[2]
node q = fake_quant(x) {scale = 0.5, bits = 2, signed = 0, narrow = 1} -> y: f32[2]
output y`, [][]float32{{5, -5}}, []float64{1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := parseGraph(t, c.src)
			got := runFloatOne(t, g, c.in...)[0]
			if len(got) != len(c.want) {
				t.Fatalf("got %d values %v, want %d", len(got), got, len(c.want))
			}
			for i, w := range c.want {
				// Results are float32 roundings of the float64 values.
				if float64(got[i]) != float64(float32(w)) && math.Abs(float64(got[i])-w) > 1e-6*math.Max(1, math.Abs(w)) {
					t.Errorf("element %d: got %v, want %v (all: %v)", i, got[i], w, got)
				}
			}
		})
	}
}

func TestFloatMultiEventsAndOutputs(t *testing.T) {
	g := parseGraph(t, `input x: f32[2]
const b: f32[2] = [1, 2]
node a = add(x, b) -> s: f32[2]
node r = relu(s) -> y: f32[2]
output y
output s
output x`)
	f, err := NewFloat(g)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := f.Run([]Batch{{Events: 3, Shape: ir.Shape{2}, Data: []float32{0, 0, -5, 1, 3, -3}}})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float32{{1, 2, 0, 3, 4, 0}, {1, 2, -4, 3, 4, -1}, {0, 0, -5, 1, 3, -3}}
	for i := range want {
		if outs[i].Events != 3 || !equalF(outs[i].Data, want[i]) {
			t.Errorf("output %d: got %+v, want %v", i, outs[i], want[i])
		}
	}
}

func equalF(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFloatErrors(t *testing.T) {
	g := parseGraph(t, `input x: f32[2,3]
node r = relu(x) -> y: f32[2,3]
output y`)
	f, err := NewFloat(g)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, err error, want ...string) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", name, err, w)
			}
		}
	}
	_, err = f.Run([]Batch{{Events: 1, Shape: ir.Shape{3, 2}, Data: make([]float32, 6)}})
	check("shape", err, `"x"`, "[2,3]", "[3,2]")
	_, err = f.Run(nil)
	check("count", err, "1 inputs")
	_, err = f.Run([]Batch{{Events: 2, Shape: ir.Shape{2, 3}, Data: make([]float32, 6)}})
	check("length", err, `"x"`, "12")

	fg := parseGraph(t, `input x: fixed<8,4>[2]
node r = relu(x) -> y: fixed<8,4>[2]
output y`)
	_, err = NewFloat(fg)
	check("fixed graph", err, "quantised", "NewFixed")
	_, err = NewFixed(g)
	check("float graph", err, "float graph", "NewFloat")
	_, err = NewFloat(nil)
	check("nil", err, "nil")

	bad, perr := ir.Parse("trigo-ir 1\ngraph bad\ninput x: f32[2]\nnode r = relu(x) -> y: f32[3]\noutput y\n")
	if perr != nil {
		t.Fatal(perr)
	}
	_, err = NewFloat(bad)
	check("invalid", err, "invalid graph")

	i32, perr := ir.Parse("trigo-ir 1\ngraph bad\ninput x: f32[2]\nconst k: i32[2] = [1, 2]\nnode r = relu(x) -> y: f32[2]\noutput y\n")
	if perr != nil {
		t.Fatal(perr)
	}
	_, err = NewFloat(i32)
	check("i32", err, "int32", `"k"`)

	fq := parseGraph(t, `input x: f32[2]
node q = fake_quant(x) {scale = 0.5, bits = 4, rounding = "HALF_UP"} -> y: f32[2]
output y`)
	_, err = NewFloat(fq)
	check("rounding", err, "HALF_UP")

	mp := parseGraph(t, `input x: f32[1,1]
node p = maxpool(x) {kernel = [1], pads = [1, 1]} -> y: f32[3,1]
output y`)
	_, err = NewFloat(mp)
	check("all padding", err, "padding")
}
