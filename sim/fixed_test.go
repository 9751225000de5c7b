package sim

import (
	"math"
	"strings"
	"testing"

	"trigo/ir"
)

// runFixedOne runs one event of codes through a fixed graph.
func runFixedOne(t *testing.T, g *ir.Graph, inputs ...[]int64) ([][]int64, *Report) {
	t.Helper()
	f, err := NewFixed(g)
	if err != nil {
		t.Fatalf("NewFixed: %v", err)
	}
	cs := make([]Codes, len(inputs))
	for i, in := range inputs {
		cs[i] = Codes{Events: 1, Shape: g.Inputs[i].Shape, Type: g.Inputs[i].Type, Data: in}
	}
	outs, err := f.Run(cs)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	res := make([][]int64, len(outs))
	for i := range outs {
		res[i] = outs[i].Data
	}
	return res, f.Report()
}

func equalI(a, b []int64) bool {
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

func TestFixedHand(t *testing.T) {
	// dense: x = [1.0, -0.5] (F=4), w = [[1.0, 0.5], [2.0, -0.25]] (F=4),
	// b = [0.25, -0.5] (F=2): exact y = [0.25, 0.125] at F=8.
	dense := func(out string) string {
		return `input x: fixed<8,4>[2]
const w: fixed<8,4>[2,2] = [16, 8, 32, -4]
const b: fixed<8,6>[2] = [1, -2]
node d = dense(x, w, b) {acc = fixed<16,8>} -> y: ` + out + `[2]
output y`
	}
	cases := []struct {
		name string
		src  string
		in   [][]int64
		want []int64
	}{
		{"dense exact", dense("fixed<12,4>"), [][]int64{{16, -8}}, []int64{64, 32}},
		// out F=2: 0.25 -> 1; 0.125 is half a code: RND rounds up, TRN down, RND_CONV to even.
		{"dense RND", dense("fixed<6,4,RND>"), [][]int64{{16, -8}}, []int64{1, 1}},
		{"dense TRN", dense("fixed<6,4>"), [][]int64{{16, -8}}, []int64{1, 0}},
		{"dense RND_CONV", dense("fixed<6,4,RND_CONV>"), [][]int64{{16, -8}}, []int64{1, 0}},
		// x = [-1, 0.5]: y = [-1 + 1 + 0.25, -0.5 - 0.125 - 0.5] = [0.25, -1.125]; at F=2
		// -1.125 is -4.5 codes: TRN -> -5 (floor), TRN_ZERO -> -4, RND_INF -> -5 (away from
		// zero), RND -> -4 (toward +inf).
		{"dense negative TRN", dense("fixed<6,4>"), [][]int64{{-16, 8}}, []int64{1, -5}},
		{"dense negative TRN_ZERO", dense("fixed<6,4,TRN_ZERO>"), [][]int64{{-16, 8}}, []int64{1, -4}},
		{"dense negative RND_INF", dense("fixed<6,4,RND_INF>"), [][]int64{{-16, 8}}, []int64{1, -5}},
		{"dense RND ties up negative", dense("fixed<6,4,RND>"), [][]int64{{-16, 8}}, []int64{1, -4}},
		// conv 1-D: x = [1,2,3] (int), w = [1, 10], pads [1,0]: y = [10, 21, 32]; acc fixed<6,6> wraps 32 -> -32.
		{"conv wrap acc", `input x: fixed<8,8>[3,1]
const w: fixed<8,8>[2,1,1] = [1, 10]
node c = conv(x, w) {pads = [1, 0], acc = fixed<6,6>} -> y: fixed<8,8>[3,1]
output y`, [][]int64{{1, 2, 3}}, []int64{10, 21, -32}},
		// avgpool: x=[1,2,4] (F=4), kernel 2, pads [0,1], recip_frac 4: windows
		// [1,2] n=2 r=8: 24 at F=8 -> 1 (TRN); [2,4] -> 48 -> 3; [4] n=1 r=16: 64 -> 4.
		{"avgpool exclude pad", `input x: fixed<8,4>[3,1]
node p = avgpool(x) {kernel = [2], pads = [0, 1], recip_frac = 4} -> y: fixed<8,4>[3,1]
output y`, [][]int64{{1, 2, 4}}, []int64{1, 3, 4}},
		// count_include_pad: last window n=2 too: 4*8 = 32 -> 2.
		{"avgpool include pad", `input x: fixed<8,4>[3,1]
node p = avgpool(x) {kernel = [2], pads = [0, 1], count_include_pad = 1, recip_frac = 4} -> y: fixed<8,4>[3,1]
output y`, [][]int64{{1, 2, 4}}, []int64{1, 3, 2}},
		// kernel 3 over [3,6,9]: r = round(16/3) = 5, s = 18 -> 90 at F=8 -> RND: 5.625 -> 6 at F=4.
		{"avgpool recip rounding", `input x: fixed<8,4>[3,1]
node p = avgpool(x) {kernel = [3], recip_frac = 4} -> y: fixed<8,4,RND>[1,1]
output y`, [][]int64{{3, 6, 9}}, []int64{6}},
		{"maxpool", `input x: fixed<8,4>[4,1]
node p = maxpool(x) {kernel = [3], pads = [1, 1]} -> y: fixed<8,4>[4,1]
output y`, [][]int64{{-1, -2, -3, -4}}, []int64{-1, -1, -2, -3}},
		// add: a F=4, b F=2 aligned to F=4: 0.25 + 1.5 = 1.75 -> F=5 code 56.
		{"add align", `input a: fixed<8,4>[1]
input b: fixed<8,6>[1]
node s = add(a, b) -> y: fixed<10,5>[1]
output y`, [][]int64{{4}, {6}}, []int64{56}},
		{"sub broadcast", `input a: fixed<8,4>[2,2]
const b: fixed<8,4>[2] = [16, -16]
node s = sub(a, b) -> y: fixed<10,6>[2,2]
output y`, [][]int64{{0, 0, 32, 32}}, []int64{-16, 16, 16, 48}},
		// mul: 1.5 * -0.75 = -1.125 at F=6 (code -72) -> F=2 TRN: -1.25 (-5), RND: -1.0 (-4).
		{"mul TRN", `input a: fixed<8,4>[1]
input b: fixed<8,6>[1]
node s = mul(a, b) -> y: fixed<8,6>[1]
output y`, [][]int64{{24}, {-3}}, []int64{-5}},
		{"mul RND", `input a: fixed<8,4>[1]
input b: fixed<8,6>[1]
node s = mul(a, b) -> y: fixed<8,6,RND>[1]
output y`, [][]int64{{24}, {-3}}, []int64{-4}},
		{"relu", `input x: fixed<8,4>[3]
node r = relu(x) -> y: ufixed<4,2,TRN,SAT>[3]
output y`, [][]int64{{-5, 5, 100}}, []int64{0, 1, 15}},
		// leaky alpha 0.25: -5 (F=4) * 0.25 = -1.25 codes -> TRN -2, RND_CONV -1.
		{"leaky_relu TRN", `input x: fixed<8,4>[2]
node r = leaky_relu(x) {alpha = 0.25} -> y: fixed<8,4>[2]
output y`, [][]int64{{-5, 5}}, []int64{-2, 5}},
		{"leaky_relu RND_CONV", `input x: fixed<8,4>[2]
node r = leaky_relu(x) {alpha = 0.25} -> y: fixed<8,4,RND_CONV>[2]
output y`, [][]int64{{-5, -6}}, []int64{-1, -2}},
		{"clip", `input x: fixed<8,4>[3]
node r = clip(x) {min = -0.5, max = 0.25} -> y: fixed<8,4>[3]
output y`, [][]int64{{-100, 1, 100}}, []int64{-8, 1, 4}},
		{"reduce_sum", `input x: fixed<8,4>[2,2]
node r = reduce_sum(x) {axes = [1]} -> y: fixed<10,6>[2,1]
output y`, [][]int64{{1, 2, 100, 100}}, []int64{3, 200}},
		{"reduce_max", `input x: fixed<8,4>[2,2]
node r = reduce_max(x) {axes = [0]} -> y: fixed<8,4>[1,2]
output y`, [][]int64{{1, -2, -3, -4}}, []int64{1, -2}},
		{"transpose cast", `input x: fixed<8,4>[2,2]
node r = transpose(x) {perm = [1, 0]} -> y: fixed<6,4,RND>[2,2]
output y`, [][]int64{{1, 2, 3, 4}}, []int64{0, 1, 1, 1}},
		{"reshape", `input x: fixed<8,4>[2,2]
node r = reshape(x) {shape = [4]} -> y: fixed<8,4>[4]
output y`, [][]int64{{1, 2, 3, 4}}, []int64{1, 2, 3, 4}},
		// b has F=6: ±1/64 truncates to 0 and -1 at F=4.
		{"concat mixed types", `input a: fixed<8,4>[1,1]
input b: fixed<8,2>[1,2]
node c = concat(a, b) {axis = 1} -> y: fixed<10,6>[1,3]
output y`, [][]int64{{5}, {1, -1}}, []int64{5, 0, -1}},
		{"bipolar", `input x: fixed<8,4>[3]
node q = bipolar_quant(x) {scale = 0.75} -> y: fixed<4,2>[3]
output y`, [][]int64{{-1, 0, 3}}, []int64{-3, 3, 3}},
		// lut: i = (x - (-8)) >> 2 clamped to [0,3]; table F=4 converted to F=2 RND.
		{"lut", `input x: fixed<8,4>[5]
const t: fixed<8,4>[4] = [1, 2, 6, 16]
node l = lut(x, t) {offset = -8, shift = 2} -> y: fixed<6,4,RND>[5]
output y`, [][]int64{{-100, -8, -4, 0, 100}}, []int64{0, 0, 1, 2, 4}},
		// SAT_SYM: an identity cast of the most negative code is an overflow.
		{"cast SAT_SYM min code", `input x: fixed<4,4>[2]
node c = cast(x) -> y: fixed<4,4,TRN,SAT_SYM>[2]
output y`, [][]int64{{-8, 7}}, []int64{-7, 7}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := parseGraph(t, c.src)
			got, _ := runFixedOne(t, g, c.in...)
			if !equalI(got[0], c.want) {
				t.Errorf("got %v, want %v", got[0], c.want)
			}
		})
	}
}

// TestFixedOverflowCounts provokes a known number of overflow events.
func TestFixedOverflowCounts(t *testing.T) {
	// x = 2 (integer); y[n] = 2·w[n]; acc fixed<8,8> wraps outside
	// [-128,127]; out fixed<4,4,TRN,SAT> saturates outside [-8,7].
	//   w:    1  3  4  -5 10 -4  64   65  -65 0  100  126
	//   2w:   2  6  8 -10 20 -8 128  130 -130 0  200  252
	//   acc:  2  6  8 -10 20 -8 -128 -126 126 0  -56   -4   (5 wraps)
	//   out:  2  6  7  -8  7 -8  -8   -8   7  0   -8   -4   (7 saturations)
	g := parseGraph(t, `input x: fixed<4,4,TRN,SAT>[1]
const w: fixed<8,8>[1,12] = [1, 3, 4, -5, 10, -4, 64, 65, -65, 0, 100, 126]
node d = dense(x, w) {acc = fixed<8,8>} -> y: fixed<4,4,TRN,SAT>[12]
node z = relu(y) -> r: ufixed<2,2,TRN,SAT_ZERO>[12]
output y
output r`)
	f, err := NewFixed(g)
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.Quantize([]Batch{{Events: 3, Shape: ir.Shape{1}, Data: []float32{2, 2, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := f.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	wantY := []int64{2, 6, 7, -8, 7, -8, -8, -8, 7, 0, -8, -4}
	// relu then ufixed<2,2> (max 3) with SAT_ZERO: 6, 7, 7, 7 become 0 (4 Zeroed).
	wantR := []int64{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for e := 0; e < 3; e++ {
		if !equalI(outs[0].Event(e), wantY) || !equalI(outs[1].Event(e), wantR) {
			t.Fatalf("event %d: got %v %v, want %v %v", e, outs[0].Event(e), outs[1].Event(e), wantY, wantR)
		}
	}
	r := f.Report()
	d := r.Node("d")
	want := NodeReport{Name: "d", Op: "dense", Type: "fixed<4,4,TRN,SAT>", Conversions: 36, Saturated: 21,
		AccType: "fixed<8,8>", AccConversions: 36, AccWrapped: 15}
	if *d != want {
		t.Errorf("dense report %+v, want %+v", *d, want)
	}
	z := r.Node("z")
	if z.Zeroed != 12 || z.Conversions != 36 || z.Saturated != 0 || z.Wrapped != 0 {
		t.Errorf("relu report %+v, want 12 zeroed of 36", *z)
	}
	if x := r.Node("x"); x.Op != "input" || x.Conversions != 3 || x.Overflows() != 0 {
		t.Errorf("input report %+v", *x)
	}
	if r.Total() != 21+15+12 {
		t.Errorf("total %d, want %d", r.Total(), 21+15+12)
	}
	if r.Nodes[0].Name != "x" || r.Nodes[1].Name != "d" || r.Nodes[2].Name != "z" || len(r.Nodes) != 3 {
		t.Errorf("report order: %+v", r.Nodes)
	}
	s := r.String()
	for _, w := range []string{"48 overflow events", "d", "acc fixed<8,8>", "21", "15", "1 other"} {
		if !strings.Contains(s, w) {
			t.Errorf("report text lacks %q:\n%s", w, s)
		}
	}

	// Input overflow through Quantize: 100 and -100 saturate; 2.5 and 7.9 truncate.
	f.ResetReport()
	if f.Report().Total() != 0 {
		t.Fatal("ResetReport did not zero")
	}
	in, err = f.Quantize([]Batch{{Events: 4, Shape: ir.Shape{1}, Data: []float32{100, -100, 2.5, 7.9}}})
	if err != nil {
		t.Fatal(err)
	}
	if !equalI(in[0].Data, []int64{7, -8, 2, 7}) {
		t.Errorf("quantised %v", in[0].Data)
	}
	if x := f.Report().Node("x"); x.Saturated != 2 || x.Conversions != 4 || f.Report().Total() != 2 {
		t.Errorf("input report %+v", *x)
	}
	// RunEvent counts too and does not allocate.
	f.ResetReport()
	ev := [][]int64{{2}}
	o, err := f.RunEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !equalI(o[0], wantY) || !equalI(o[1], wantR) {
		t.Errorf("RunEvent: %v", o)
	}
	if d := f.Report().Node("d"); d.Saturated != 7 || d.AccWrapped != 5 {
		t.Errorf("RunEvent report %+v", *d)
	}
	allocs := testing.AllocsPerRun(100, func() { _, _ = f.RunEvent(ev) })
	if allocs != 0 {
		t.Errorf("RunEvent allocates %v times", allocs)
	}
}

func TestFixedErrors(t *testing.T) {
	g := parseGraph(t, `input x: fixed<4,2>[2]
node r = relu(x) -> y: fixed<4,2>[2]
output y`)
	f, err := NewFixed(g)
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
	typ := g.Inputs[0].Type
	_, err = f.Run([]Codes{{Events: 1, Shape: ir.Shape{3}, Type: typ, Data: make([]int64, 3)}})
	check("shape", err, `"x"`, "[2]", "[3]")
	_, err = f.Run([]Codes{{Events: 1, Shape: ir.Shape{2}, Type: typ, Data: []int64{8, 0}}})
	check("range", err, `"x"`, "code 8")
	_, err = f.Run([]Codes{{Events: 1, Shape: ir.Shape{2}, Type: ir.F32, Data: []int64{0, 0}}})
	check("type", err, `"x"`, "f32")
	_, err = f.Run([]Codes{{Events: 2, Shape: ir.Shape{2}, Type: typ, Data: []int64{0, 0}}})
	check("length", err, `"x"`)
	_, err = f.Run(nil)
	check("count", err, "1 inputs")
	_, err = f.Quantize([]Batch{{Events: 1, Shape: ir.Shape{2}, Data: []float32{float32(math.NaN()), 0}}})
	check("nan", err, `"x"`, "NaN")
	_, err = f.Quantize([]Batch{{Events: 1, Shape: ir.Shape{1, 2}, Data: []float32{0, 0}}})
	check("quantize shape", err, `"x"`, "[1,2]")
	_, err = f.RunEvent([][]int64{{0}})
	check("event size", err, `"x"`)
	_, err = f.RunEvent([][]int64{{0, -9}})
	check("event range", err, `"x"`, "-9")
	_, err = f.RunEvent(nil)
	check("event count", err, "1 inputs")
	if f.Report().Total() != 0 || f.Report().Node("r").Conversions != 0 {
		t.Errorf("failed calls changed the report: %+v", f.Report())
	}
	_, err = NewFixed(nil)
	check("nil", err, "nil")
	i32, perr := ir.Parse("trigo-ir 1\ngraph bad\ninput x: fixed<4,2>[2]\nconst k: i32[2] = [1, 2]\nnode r = relu(x) -> y: fixed<4,2>[2]\noutput y\n")
	if perr != nil {
		t.Fatal(perr)
	}
	_, err = NewFixed(i32)
	check("i32", err, "int32")
}

func TestCompare(t *testing.T) {
	fl := []Batch{{Events: 2, Shape: ir.Shape{2}, Data: []float32{1, 2, 3, 4}}}
	typ, _ := ir.ParseType("fixed<8,4>")
	fx := []Codes{{Events: 2, Shape: ir.Shape{2}, Type: typ, Data: []int64{16, 40, 48, 60}}}
	// fixed values 1, 2.5, 3, 3.75: errors 0, 0.5, 0, 0.25.
	st, err := Compare([]string{"y"}, fl, fx)
	if err != nil {
		t.Fatal(err)
	}
	want := ErrorStats{Output: "y", MaxAbs: 0.5, RMS: math.Sqrt((0.25 + 0.0625) / 4), MaxAbsAt: 1, Elements: 4}
	if st[0] != want {
		t.Errorf("got %+v, want %+v", st[0], want)
	}
	if _, err := Compare([]string{"y"}, fl, []Codes{{Events: 1, Shape: ir.Shape{2}, Type: typ, Data: []int64{1, 2}}}); err == nil {
		t.Error("event mismatch not detected")
	}
	if _, err := Compare([]string{"y", "z"}, fl, fx); err == nil {
		t.Error("count mismatch not detected")
	}
	b := fx[0].Dequantize()
	if !equalF(b.Data, []float32{1, 2.5, 3, 3.75}) || b.Events != 2 {
		t.Errorf("Dequantize: %+v", b)
	}
}
