package ir

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"trigo/ir/fixed"
)

// floatGraphText uses every op that may appear in a float graph, every
// attribute kind an op declares (int, float, string, ints, type), quoted
// names and a scalar input.
const floatGraphText = `trigo-ir 1
graph "my net ü"
input "onnx::Gemm_0": f32[4]
input img: f32[6,6,2]
input seq: f32[8,3]
input s: f32[]
input ev: f32[5,3]
input valid: f32[5]
const w: f32[4,3] = [-0, 1e-45, 3.4028235e38, -3.4028235e38, 0.1, -2.5, 1, 0, 7, 8, 9, 10]
const b: f32[3] = [0.5, -0.5, 0]
const "name with space": f32[3] = [1, 2, 3]
const "quo\"te\\d": f32[3] = [4, 5, 6]
const "ünï/cødé:0": f32[1] = [1.5]
const cw: f32[3,3,2,4] = [
  1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,
  25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,
  49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72]
const cb: f32[4] = [0.25, 0.5, 0.75, 1]
const cw1: f32[3,3,5] = [
  1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,
  16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,
  31,32,33,34,35,36,37,38,39,40,41,42,43,44,45]
node "dense/BiasAdd:0" = dense("onnx::Gemm_0", w, b) {acc = fixed<32,12>} -> d: f32[3]
node add1 = add(d, "name with space") -> "a b": f32[3]
node sub1 = sub("a b", "quo\"te\\d") -> sb: f32[3]
node mul1 = mul(sb, s) -> m: f32[3]
node mul2 = mul(m, "ünï/cødé:0") -> m2: f32[3]
node r = relu(m2) -> r.out: f32[3]
node lr = leaky_relu(r.out) {alpha = 0.01} -> lr.out: f32[3]
node cl = clip(lr.out) {min = -1.0, max = 1.0} -> cl.out: f32[3]
node c2 = conv(img, cw, cb) {strides = [1, 1], dilations = [1, 1], pads = [1, 1, 1, 1]} -> c2.out: f32[6,6,4]
node mp = maxpool(c2.out) {kernel = [2, 2], strides = [2, 2], pads = [0, 0, 0, 0]} -> mp.out: f32[3,3,4]
node ap = avgpool(mp.out) {kernel = [2, 2], strides = [1, 1], pads = [0, 0, 1, 1], count_include_pad = 1} -> ap.out: f32[3,3,4]
node rs = reduce_sum(ap.out) {axes = [0, 1]} -> rs.out: f32[1,1,4]
node rm = reduce_max(ap.out) {axes = [-1]} -> rm.out: f32[3,3,1]
node rh = reshape(rs.out) {shape = [4]} -> rh.out: f32[4]
node tp = transpose(rm.out) {perm = [2, 0, 1]} -> tp.out: f32[1,3,3]
node cc = concat(cl.out, rh.out) {axis = 0} -> cc.out: f32[7]
node ca = cast(cc.out) -> ca.out: f32[7]
node bq = bipolar_quant(ca.out) {scale = 0.5} -> bq.out: f32[7]
node fq = fake_quant(ca.out) {scale = 0.0625, zero_point = 0.0, bits = 8, signed = 1, narrow = 0, rounding = "ROUND"} -> fq.out: f32[7]
node sg = sigmoid(fq.out) -> sg.out: f32[7]
node th = tanh(sg.out) -> th.out: f32[7]
node ex = exp(th.out) -> ex.out: f32[7]
node el = elu(ex.out) {alpha = 1.0} -> el.out: f32[7]
node se = selu(el.out) {alpha = 1.6732632423543772, gamma = 1.0507009873554805} -> se.out: f32[7]
node sm = softmax(se.out) {axis = 0} -> sm.out: f32[7]
node tb = table(sm.out) {function = "elu_neg", alpha = 0.5, lo = -8.0, hi = 8.0, size = 1024} -> tb.out: f32[7]
node c1 = conv(seq, cw1) {strides = [2], dilations = [2], pads = [1, 0]} -> c1.out: f32[3,5]
node sl = slice(ev) {axes = [1], starts = [0], ends = [2], steps = [1]} -> sl.out: f32[5,2]
node gv = gravnet_agg(sl.out, ev, valid) {k = 3, exponent = 10.0, include_self = 0, distance = "l1"} -> gv.out: f32[5,6]
node ge = global_exchange(gv.out, valid) {ops = ["mean", "max"]} -> ge.out: f32[5,18]
node mk = mask(ge.out, valid) -> mk.out: f32[5,18]
node bt = slice(ev) {axes = [-1], starts = [2], ends = [3]} -> bt.out: f32[5,1]
node br = reshape(bt.out) {shape = [5]} -> beta: f32[5]
node cd = condensation(beta, sl.out, valid, mk.out) {t_beta = 0.1, t_d = 1.0, max_clusters = 2} -> assign: i32[5], clusters: f32[2,19], n_clusters: i32[]
output tb.out
output bq.out
output tp.out
output c1.out
output assign
output clusters
output n_clusters
`

// fixedGraphText is a quantised graph with lut, an i32 constant and fixed
// constants.
const fixedGraphText = `trigo-ir 1
graph fixed_net
input x: fixed<16,6,RND,SAT>[4]
const w: fixed<8,2>[4,3] = [-128, 127, 0, 1, -1, 2, 3, 4, 5, 6, 7, 8]
const b: fixed<12,4>[3] = [-2048, 2047, 0]
const tab: fixed<8,1>[16] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 127]
const ids: i32[2] = [-2147483648, 2147483647]
node fc = dense(x, w, b) {acc = fixed<32,12>} -> h: fixed<16,6,RND,SAT>[3]
node act = lut(h, tab) {offset = -512, shift = 6, function = "sigmoid"} -> o: ufixed<8,0>[3]
node cl = clip(h) {min = -1.0, max = 0.5} -> c: fixed<16,6>[3]
node lr = leaky_relu(c) {alpha = 0.125} -> l: fixed<16,6,TRN,SAT_SYM>[3]
node ap = add(l, o) -> sum: fixed<18,7>[3]
output sum
`

func mustParse(t *testing.T, src string) *Graph {
	t.Helper()
	g, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return g
}

// roundTrip checks Print → Parse → Print gives the same text and an equal
// graph, and returns the printed text.
func roundTrip(t *testing.T, g *Graph) string {
	t.Helper()
	text := g.Text()
	g2, err := Parse(text)
	if err != nil {
		t.Fatalf("printed graph does not parse: %v\n%s", err, text)
	}
	if text2 := g2.Text(); text2 != text {
		t.Fatalf("round trip differs:\n--- first\n%s\n--- second\n%s", text, text2)
	}
	if !reflect.DeepEqual(normalise(g), normalise(g2)) {
		t.Fatalf("round trip changed the graph:\n%#v\n%#v", g, g2)
	}
	return text
}

// normalise maps nil and empty attribute maps and slices to one form so
// that hand-built and parsed graphs compare equal.
func normalise(g *Graph) *Graph {
	c := *g
	c.Nodes = nil
	for _, n := range g.Nodes {
		m := *n
		if len(m.Attrs) == 0 {
			m.Attrs = nil
		}
		if len(m.Inputs) == 0 {
			m.Inputs = nil
		}
		c.Nodes = append(c.Nodes, &m)
	}
	c.Consts = nil
	for _, k := range g.Consts {
		m := *k
		if len(m.Floats) == 0 {
			m.Floats = nil
		}
		if len(m.Codes) == 0 {
			m.Codes = nil
		}
		if len(m.Shape) == 0 {
			m.Shape = Shape{}
		}
		c.Consts = append(c.Consts, &m)
	}
	return &c
}

func TestRoundTripFloatGraph(t *testing.T) {
	g := mustParse(t, floatGraphText)
	if err := g.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	roundTrip(t, g)
	// Every op allowed in a float graph is used.
	used := map[string]bool{}
	for _, n := range g.Nodes {
		used[n.Op] = true
	}
	for _, op := range OpNames() {
		if LookupOp(op).Domain != FixedOnly && !used[op] {
			t.Errorf("op %s is not covered by the float round-trip graph", op)
		}
	}
	// Special float values survive exactly, including the sign of zero.
	w := g.Const("w").Floats
	if math.Float32bits(w[0]) != 0x80000000 {
		t.Errorf("-0 became %v (bits %#x)", w[0], math.Float32bits(w[0]))
	}
	if w[1] != math.SmallestNonzeroFloat32 || w[2] != math.MaxFloat32 || w[3] != -math.MaxFloat32 {
		t.Errorf("extreme floats became %v", w[:4])
	}
	g2 := mustParse(t, g.Text())
	if w2 := g2.Const("w").Floats; math.Float32bits(w2[0]) != 0x80000000 || w2[1] != w[1] || w2[2] != w[2] {
		t.Errorf("after a round trip: %v", w2[:4])
	}
	for _, name := range []string{"onnx::Gemm_0", "name with space", `quo"te\d`, "ünï/cødé:0", "dense/BiasAdd:0", "a b"} {
		if g.Lookup(name) == nil && g.Node(name) == nil {
			t.Errorf("name %q not found after parsing", name)
		}
	}
	if g.Name != "my net ü" {
		t.Errorf("graph name %q", g.Name)
	}
	if s := g.Lookup("s").Shape; s == nil || len(s) != 0 {
		t.Errorf("scalar input has shape %#v, want empty", s)
	}
	acc, ok := g.Node("dense/BiasAdd:0").Attrs.Type("acc")
	if !ok || acc.String() != "fixed<32,12>" {
		t.Errorf("type attribute %v %v", acc, ok)
	}
}

func TestRoundTripFixedGraph(t *testing.T) {
	g := mustParse(t, fixedGraphText)
	if err := g.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !g.IsFixed() {
		t.Fatal("graph with fixed inputs is not IsFixed")
	}
	text := roundTrip(t, g)
	if !strings.Contains(text, "const ids: i32[2] = [\n  -2147483648, 2147483647\n]\n") {
		t.Errorf("i32 constant printed as:\n%s", text)
	}
	if c := g.Const("w"); c.Float(0) != -2 || c.Float(1) != 127.0/64 {
		t.Errorf("fixed const values %v %v", c.Float(0), c.Float(1))
	}
}

// TestPrintExact pins the text format on a small hand-built graph whose
// names need quoting.
func TestPrintExact(t *testing.T) {
	g := &Graph{
		Name:   "onnx::graph",
		Inputs: []*Value{{Name: "in put", Type: F32, Shape: Shape{2}}},
		Consts: []*Const{
			{Value: Value{Name: `q"uote`, Type: F32, Shape: Shape{2}}, Floats: []float32{float32(math.Copysign(0, -1)), 1e-45}},
			{Value: Value{Name: "big", Type: F32, Shape: Shape{}}, Floats: []float32{math.MaxFloat32}},
			{Value: Value{Name: "empty", Type: F32, Shape: Shape{0}}, Floats: []float32{}},
		},
		Nodes: []*Node{
			{Name: "ünï", Op: "add", Inputs: []string{"in put", `q"uote`}, Attrs: Attrs{},
				Outputs: []*Value{{Name: "new\nline", Type: F32, Shape: Shape{2}}}},
			{Name: "lr", Op: "leaky_relu", Inputs: []string{"new\nline"}, Attrs: Attrs{"alpha": 1.0},
				Outputs: []*Value{{Name: "y", Type: F32, Shape: Shape{2}}}},
		},
		Outputs: []string{"y"},
	}
	want := `trigo-ir 1
graph "onnx::graph"
input "in put": f32[2]
const "q\"uote": f32[2] = [
  -0, 1e-45
]
const big: f32[] = [
  3.4028235e+38
]
const empty: f32[0] = []
node "ünï" = add("in put", "q\"uote") -> "new\nline": f32[2]
node lr = leaky_relu("new\nline") {alpha = 1.0} -> y: f32[2]
output y
`
	if got := g.Text(); got != want {
		t.Fatalf("Print:\n%s\nwant:\n%s", got, want)
	}
	// The zero-size constant cannot be parsed back (dimensions must be >= 1);
	// without it the graph round-trips.
	g.Consts = g.Consts[:2]
	roundTrip(t, g)
}

// TestFormatAttrKinds covers the printing of every attribute kind,
// including float lists, which no op declares today.
func TestFormatAttrKinds(t *testing.T) {
	ft, _ := fixed.Parse("fixed<16,6,RND,SAT>")
	cases := []struct {
		v    any
		want string
	}{
		{int64(-3), "-3"},
		{2.0, "2.0"},
		{-0.0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1e-300, "1e-300"},
		{math.Inf(-1), "-Inf"},
		{math.NaN(), "NaN"},
		{"a \"b\"\n", `"a \"b\"\n"`},
		{[]int64{1, -2}, "[1, -2]"},
		{[]int64{}, "[]"},
		{[]float64{0.5, 1}, "[0.5, 1.0]"},
		{FixedOf(ft), "fixed<16,6,RND,SAT>"},
		{F32, "f32"},
		{I32, "i32"},
	}
	for _, c := range cases {
		got := formatAttr(c.v)
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("formatAttr(%#v) = %q, want %q", c.v, got, c.want)
		}
		if f, ok := c.v.(float64); ok {
			// A printed float must parse back to the same value.
			g, err := Parse("trigo-ir 1\ngraph g\ninput x: f32[1]\nnode n = leaky_relu(x) {alpha = " + got + "} -> y: f32[1]\noutput y\n")
			if err != nil {
				t.Errorf("float attribute %v printed as %q does not parse: %v", f, got, err)
				continue
			}
			back := g.Nodes[0].Attrs.Float("alpha", 42)
			if math.Float64bits(back) != math.Float64bits(f) && !(math.IsNaN(f) && math.IsNaN(back)) {
				t.Errorf("float attribute %v came back as %v", f, back)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	const hdr = "trigo-ir 1\ngraph g\n"
	cases := []struct {
		name, src string
		line      int
		want      string
	}{
		{"empty", "", 1, "not trigo IR text"},
		{"missing header", "graph g\ninput x: f32[1]\n", 1, "not trigo IR text"},
		{"wrong version", "trigo-ir 2\ngraph g\n", 1, "not trigo IR text"},
		{"missing graph", "trigo-ir 1\ninput x: f32[1]\n", 2, "graph NAME"},
		{"unknown op", hdr + "input x: f32[1]\nnode n = frobnicate(x) -> y: f32[1]\n", 4, `unknown op "frobnicate"`},
		{"unknown attribute", hdr + "input x: f32[1]\nnode n = relu(x) {alpha = 1.0} -> y: f32[1]\n", 4, `no attribute "alpha"`},
		{"duplicate attribute", hdr + "input x: f32[1]\nnode n = leaky_relu(x) {alpha = 1.0, alpha = 2.0} -> y: f32[1]\n", 4, "given twice"},
		{"bad type", hdr + "input x: fixed<0,1>[1]\n", 3, "width 0"},
		{"unknown type", hdr + "input x: f16[1]\n", 3, `type "f16"`},
		{"unterminated type", hdr + "input x: fixed<8,1\n[1]\n", 3, "unterminated type"},
		{"unterminated quote", hdr + "input x: f32[1]\n\ninput \"abc", 5, "unterminated quoted name"},
		{"newline in quote", hdr + "input \"a\nb\": f32[1]\n", 3, "newline in quoted name"},
		{"newline in quote after node", hdr + "input x: f32[1]\nnode n = relu(x) \"abc\n-> y: f32[1]\noutput y\n", 4, "newline in quoted name"},
		{"newline in quote after outputs", hdr + "input x: f32[1]\nnode n = relu(x) -> y: f32[1] \"abc\noutput y\n", 4, "newline in quoted name"},
		{"bad escape", hdr + "input \"a\\qb\": f32[1]\n", 3, "bad quoted name"},
		{"bad number", hdr + "const c: f32[2] = [1, x2]\n", 3, `bad number "x2"`},
		{"bad integer code", hdr + "const c: fixed<8,1>[2] = [1, 2.5]\n", 3, `bad integer "2.5"`},
		{"bad float attribute", hdr + "input x: f32[1]\nnode n = leaky_relu(x) {alpha = fast} -> y: f32[1]\n", 4, `bad number "fast"`},
		{"bad int attribute", hdr + "input x: f32[2]\n\n\nnode n = reshape(x) {shape = [2.0]} -> y: f32[2]\n", 6, `bad integer "2.0"`},
		{"string attribute unquoted", hdr + "input x: f32[1]\nnode n = table(x) {function = sigmoid} -> y: f32[1]\n", 4, "quoted string"},
		{"bad dimension", hdr + "input x: f32[0]\n", 3, "dimension 0 out of range"},
		{"huge dimension", hdr + "input x: f32[2000000000]\n", 3, "out of range"},
		{"unexpected character", hdr + "input x: f32[1]\n@\n", 4, "unexpected character"},
		{"unknown statement", hdr + "inptu x: f32[1]\n", 3, "expected input, const, node or output"},
		{"missing arrow", hdr + "input x: f32[1]\nnode n = relu(x) y: f32[1]\n", 4, `expected "->"`},
		{"bad name", hdr + "input -x: f32[1]\n", 3, "expected a name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := Parse(c.src)
			if err == nil {
				t.Fatalf("no error; parsed\n%s", g.Text())
			}
			msg := err.Error()
			if prefix := "ir text line " + itoa(c.line) + ":"; !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q does not start with %q", msg, prefix)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not contain %q", msg, c.want)
			}
		})
	}
}

func itoa(i int) string { return formatAttr(int64(i)) }

func TestValidateErrors(t *testing.T) {
	const hdr = "trigo-ir 1\ngraph g\n"
	const fx = hdr + "input x: fixed<8,4>[4]\n"
	cases := []struct {
		name, src string
		want      string
	}{
		{"duplicate names", hdr + "input x: f32[1]\ninput x: f32[1]\nnode n = relu(x) -> y: f32[1]\noutput y\n", `input "x": name already defined`},
		{"duplicate value", hdr + "input x: f32[1]\nconst x: f32[1] = [1]\nnode n = relu(x) -> y: f32[1]\noutput y\n", `const "x": name already defined`},
		{"duplicate node", hdr + "input x: f32[1]\nnode n = relu(x) -> y: f32[1]\nnode n = relu(y) -> z: f32[1]\noutput z\n", "node name used twice"},
		{"undefined input", hdr + "input x: f32[1]\nnode n = relu(q) -> y: f32[1]\noutput y\n", `input "q" is not defined before this node`},
		{"use before definition", hdr + "input x: f32[1]\nnode a = relu(z) -> y: f32[1]\nnode b = relu(x) -> z: f32[1]\noutput y\n", `input "z" is not defined before this node`},
		{"undefined output", hdr + "input x: f32[1]\nnode n = relu(x) -> y: f32[1]\noutput q\n", `output "q" is not defined`},
		{"no outputs", hdr + "input x: f32[1]\n", "graph has no outputs"},
		{"no inputs", hdr + "const c: f32[1] = [1]\noutput c\n", "graph has no inputs"},
		{"wrong shape declared", hdr + "input x: f32[4]\nconst w: f32[4,3] = [1,2,3,4,5,6,7,8,9,10,11,12]\nnode d = dense(x, w) -> y: f32[4]\noutput y\n", `output "y" has shape [4], op gives [3]`},
		{"wrong arity", hdr + "input x: f32[1]\nnode n = relu(x, x) -> y: f32[1]\noutput y\n", "2 inputs, want 1..1"},
		{"too few inputs", hdr + "input x: f32[1]\nnode n = add(x) -> y: f32[1]\noutput y\n", "1 inputs, want 2..2"},
		{"missing required attr", hdr + "input x: f32[1]\nnode n = leaky_relu(x) -> y: f32[1]\noutput y\n", `missing attribute "alpha"`},
		{"missing table attrs", hdr + "input x: f32[1]\nnode n = table(x) {function = \"tanh\"} -> y: f32[1]\noutput y\n", `missing attribute "lo"`},
		{"f32 value in fixed graph", fx + "node n = relu(x) -> y: f32[4]\noutput y\n", `value "y" is f32 in a quantised graph`},
		{"f32 const in fixed graph", fx + "const c: f32[4] = [1,2,3,4]\nnode n = add(x, c) -> y: fixed<9,5>[4]\noutput y\n", `const "c" is f32 in a quantised graph`},
		{"fixed value in float graph", hdr + "input x: f32[1]\nnode n = relu(x) -> y: fixed<8,4>[1]\noutput y\n", "fixed-point in a float graph"},
		{"float-only op in fixed graph", fx + "node n = sigmoid(x) -> y: fixed<8,1>[4]\noutput y\n", "op must be lowered before quantisation"},
		{"softmax in fixed graph", fx + "node n = softmax(x) {axis = 0} -> y: fixed<8,1>[4]\noutput y\n", "op must be lowered before quantisation"},
		{"lut in float graph", hdr + "input x: f32[4]\nconst t: f32[2] = [0, 1]\nnode n = lut(x, t) {offset = 0, shift = 1} -> y: f32[4]\noutput y\n", "op exists only in quantised graphs"},
		{"NaN float const", hdr + "input x: f32[2]\nconst c: f32[2] = [1, NaN]\nnode n = add(x, c) -> y: f32[2]\noutput y\n", "element 1 is NaN: weights must be finite"},
		{"Inf float const", hdr + "input x: f32[2]\nconst c: f32[2] = [-Inf, 1]\nnode n = add(x, c) -> y: f32[2]\noutput y\n", "element 0 is -Inf"},
		{"const too few values", hdr + "input x: f32[2]\nconst c: f32[2] = [1]\nnode n = add(x, c) -> y: f32[2]\noutput y\n", "has 1 float values, shape [2] needs 2"},
		{"fixed const code out of range", fx + "const c: fixed<8,4>[4] = [1, 2, 128, 3]\nnode n = add(x, c) -> y: fixed<9,5>[4]\noutput y\n", "element 2 code 128 outside fixed<8,4> range [-128,127]"},
		{"ufixed const negative code", fx + "const c: ufixed<8,4>[4] = [1, -1, 0, 3]\nnode n = add(x, c) -> y: fixed<10,6>[4]\noutput y\n", "element 1 code -1 outside"},
		{"i32 const out of range", fx + "const c: i32[1] = [2147483648]\nnode n = relu(x) -> y: fixed<8,4>[4]\noutput y\n", "outside i32 range"},
		{"dense exact accumulation beyond 63 bits", hdr + "input x: fixed<32,16>[4]\nconst w: fixed<32,16>[4,3] = [1,2,3,4,5,6,7,8,9,10,11,12]\nnode d = dense(x, w) {acc = fixed<64,32>} -> y: fixed<32,16>[3]\noutput y\n", "exact accumulation needs 67 bits (max 63)"},
		{"dense without acc in fixed graph", fx + "const w: fixed<8,4>[4,2] = [1,2,3,4,5,6,7,8]\nnode d = dense(x, w) -> y: fixed<16,8>[2]\noutput y\n", "needs a fixed-point acc attribute"},
		{"dense weight not const", fx + "input w: fixed<8,4>[4,2]\nnode d = dense(x, w) {acc = fixed<32,16>} -> y: fixed<16,8>[2]\noutput y\n", `input "w" must be a constant`},
		{"mul too wide", hdr + "input x: fixed<40,8>[2]\nnode m = mul(x, x) -> y: fixed<16,8>[2]\noutput y\n", "exact product needs 80 bits"},
		{"clip bound not on grid", fx + "node c = clip(x) {min = 0.03} -> y: fixed<8,4>[4]\noutput y\n", "min 0.03 does not lie on the input grid of fixed<8,4>"},
		{"leaky_relu alpha not a multiple of 2^-16", fx + "node l = leaky_relu(x) {alpha = 0.1} -> y: fixed<8,4>[4]\noutput y\n", "alpha 0.1 is not a multiple of 2^-16"},
		{"avgpool without recip_frac", hdr + "input x: fixed<8,4>[4,2]\nnode p = avgpool(x) {kernel = [2]} -> y: fixed<8,4>[3,2]\noutput y\n", "recip_frac in 1..32"},
		{"lut shift out of range", fx + "const t: fixed<8,1>[2] = [0, 1]\nnode n = lut(x, t) {offset = 0, shift = 63} -> y: fixed<8,1>[4]\noutput y\n", "shift 63 outside 0..62"},
		{"lut table not a const", fx + "input t: fixed<8,1>[2]\nnode n = lut(x, t) {offset = 0, shift = 1} -> y: fixed<8,1>[4]\noutput y\n", "table must be a 1-D constant"},
		{"table with an unknown function", hdr + "input x: f32[1]\nnode n = table(x) {function = \"softplus\", lo = -1.0, hi = 1.0, size = 16} -> y: f32[1]\noutput y\n", `unknown table function "softplus"`},
		{"table empty range", hdr + "input x: f32[1]\nnode n = table(x) {function = \"tanh\", lo = 1.0, hi = 1.0, size = 16} -> y: f32[1]\noutput y\n", "table range [1, 1) is empty"},
		{"table size", hdr + "input x: f32[1]\nnode n = table(x) {function = \"tanh\", lo = -1.0, hi = 1.0, size = 1} -> y: f32[1]\noutput y\n", "table size 1 outside 2..1048576"},
		{"attribute NaN", hdr + "input x: f32[1]\nnode n = leaky_relu(x) {alpha = NaN} -> y: f32[1]\noutput y\n", `attribute "alpha" is NaN`},
		{"concat rank mismatch", hdr + "input x: f32[2]\ninput z: f32[2,1]\nnode n = concat(x, z) {axis = 0} -> y: f32[4]\noutput y\n", "different ranks"},
		{"conv pads negative", hdr + "input x: f32[4,1]\nconst w: f32[2,1,1] = [1, 2]\nnode c = conv(x, w) {pads = [-1, 0]} -> y: f32[3,1]\noutput y\n", "pads >= 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := Parse(c.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = g.Validate()
			if err == nil {
				t.Fatalf("Validate accepted\n%s", c.src)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

// TestValidateHandBuilt covers what the parser cannot produce: wrong
// attribute kinds, empty names, invalid types and shapes.
func TestValidateHandBuilt(t *testing.T) {
	x := func() *Value { return &Value{Name: "x", Type: F32, Shape: Shape{2}} }
	fx8, _ := fixed.Parse("fixed<8,4>")
	node := func(op string, attrs Attrs, ins ...string) *Node {
		return &Node{Name: "n", Op: op, Inputs: ins, Attrs: attrs, Outputs: []*Value{{Name: "y", Type: F32, Shape: Shape{2}}}}
	}
	cases := []struct {
		name string
		g    *Graph
		want string
	}{
		{"attr of wrong kind int for float", &Graph{Inputs: []*Value{x()}, Nodes: []*Node{node("leaky_relu", Attrs{"alpha": int64(1)}, "x")}, Outputs: []string{"y"}},
			`attribute "alpha" must be float, got int64`},
		{"attr of wrong kind go int", &Graph{Inputs: []*Value{x()}, Nodes: []*Node{node("softmax", Attrs{"axis": 0}, "x")}, Outputs: []string{"y"}},
			`attribute "axis" must be int, got int`},
		{"attr of wrong kind floats for ints", &Graph{Inputs: []*Value{x()}, Nodes: []*Node{node("reshape", Attrs{"shape": []float64{2}}, "x")}, Outputs: []string{"y"}},
			`attribute "shape" must be ints, got []float64`},
		{"attr of wrong kind string for type", &Graph{Inputs: []*Value{x()}, Consts: []*Const{{Value: Value{Name: "w", Type: F32, Shape: Shape{2, 2}}, Floats: make([]float32, 4)}},
			Nodes: []*Node{node("dense", Attrs{"acc": "fixed<8,4>"}, "x", "w")}, Outputs: []string{"y"}},
			`attribute "acc" must be type, got string`},
		{"unknown attribute", &Graph{Inputs: []*Value{x()}, Nodes: []*Node{node("relu", Attrs{"beta": 1.0}, "x")}, Outputs: []string{"y"}},
			`unknown attribute "beta"`},
		{"unknown op", &Graph{Inputs: []*Value{x()}, Nodes: []*Node{node("gelu", nil, "x")}, Outputs: []string{"y"}},
			"unknown op (supported: dense, conv"},
		{"empty node name", &Graph{Inputs: []*Value{x()}, Nodes: []*Node{{Op: "relu", Inputs: []string{"x"}, Outputs: []*Value{{Name: "y", Type: F32, Shape: Shape{2}}}}}, Outputs: []string{"y"}},
			"empty node name"},
		{"empty value name", &Graph{Inputs: []*Value{{Type: F32, Shape: Shape{1}}}, Outputs: []string{""}},
			"input with an empty name"},
		{"two outputs", &Graph{Inputs: []*Value{x()}, Nodes: []*Node{{Name: "n", Op: "relu", Inputs: []string{"x"},
			Outputs: []*Value{{Name: "y", Type: F32, Shape: Shape{2}}, {Name: "z", Type: F32, Shape: Shape{2}}}}}, Outputs: []string{"y"}},
			"2 outputs, want 1"},
		{"zero dimension", &Graph{Inputs: []*Value{{Name: "x", Type: F32, Shape: Shape{0}}}, Nodes: []*Node{node("relu", nil, "x")}, Outputs: []string{"y"}},
			"has a dimension < 1"},
		{"invalid element type", &Graph{Inputs: []*Value{{Name: "x", Type: Type{}, Shape: Shape{2}}}, Nodes: []*Node{node("relu", nil, "x")}, Outputs: []string{"y"}},
			"invalid element type"},
		{"invalid fixed const type", &Graph{Inputs: []*Value{{Name: "x", Type: FixedOf(fx8), Shape: Shape{2}}},
			Consts:  []*Const{{Value: Value{Name: "c", Type: FixedOf(fixed.Type{Signed: true}), Shape: Shape{2}}, Codes: []int64{0, 1}}},
			Outputs: []string{"x"}},
			"width 0 out of range"},
		{"fixed dense with scalar weight", &Graph{Inputs: []*Value{{Name: "x", Type: FixedOf(fx8), Shape: Shape{2}}},
			Consts: []*Const{{Value: Value{Name: "w", Type: FixedOf(fx8), Shape: Shape{}}, Codes: []int64{1}}},
			Nodes: []*Node{{Name: "d", Op: "dense", Inputs: []string{"x", "w"}, Attrs: Attrs{"acc": FixedOf(fx8)},
				Outputs: []*Value{{Name: "y", Type: FixedOf(fx8), Shape: Shape{2}}}}},
			Outputs: []string{"y"}},
			"weight shape [] does not match input [2]"},
		{"fixed dense with zero-width weight", &Graph{Inputs: []*Value{{Name: "x", Type: FixedOf(fx8), Shape: Shape{2}}},
			Consts: []*Const{{Value: Value{Name: "w", Type: FixedOf(fx8), Shape: Shape{2, 0}}, Codes: []int64{}}},
			Nodes: []*Node{{Name: "d", Op: "dense", Inputs: []string{"x", "w"}, Attrs: Attrs{"acc": FixedOf(fx8)},
				Outputs: []*Value{{Name: "y", Type: FixedOf(fx8), Shape: Shape{0}}}}},
			Outputs: []string{"y"}},
			"has a dimension < 1"},
		{"fixed const with floats", &Graph{Inputs: []*Value{{Name: "x", Type: FixedOf(fx8), Shape: Shape{2}}},
			Consts:  []*Const{{Value: Value{Name: "c", Type: FixedOf(fx8), Shape: Shape{1}}, Codes: []int64{1}, Floats: []float32{1}}},
			Outputs: []string{"x"}},
			"has 1 codes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Validate panicked: %v", r)
				}
			}()
			err := c.g.Validate()
			if err == nil {
				t.Fatal("Validate accepted the graph")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
	var nilGraph *Graph
	if err := nilGraph.Validate(); err == nil {
		t.Error("nil graph validated")
	}
}

func TestShapeInference(t *testing.T) {
	s := func(d ...int) Shape { return append(Shape{}, d...) }
	i := func(v ...int64) []int64 { return v }
	cases := []struct {
		name string
		op   string
		ins  []Shape
		a    Attrs
		want Shape  // nil: error expected
		err  string // substring of the error
	}{
		// dense
		{"dense vector", "dense", []Shape{s(4), s(4, 3)}, nil, s(3), ""},
		{"dense matrix with bias", "dense", []Shape{s(2, 4), s(4, 3), s(3)}, nil, s(2, 3), ""},
		{"dense K mismatch", "dense", []Shape{s(5), s(4, 3)}, nil, nil, "want [5,N]"},
		{"dense bias mismatch", "dense", []Shape{s(4), s(4, 3), s(2)}, nil, nil, "bias shape [2], want [3]"},
		{"dense scalar input", "dense", []Shape{s(), s(4, 3)}, nil, nil, "at least one axis"},
		{"dense 3-D weight", "dense", []Shape{s(4), s(4, 3, 1)}, nil, nil, "does not match"},
		// conv 1-D
		{"conv1d", "conv", []Shape{s(8, 3), s(3, 3, 5)}, nil, s(6, 5), ""},
		{"conv1d pads", "conv", []Shape{s(8, 3), s(3, 3, 5)}, Attrs{"pads": i(1, 1)}, s(8, 5), ""},
		{"conv1d asymmetric pads", "conv", []Shape{s(7, 2), s(3, 2, 3), s(3)}, Attrs{"pads": i(1, 2)}, s(8, 3), ""},
		{"conv1d strides", "conv", []Shape{s(8, 3), s(3, 3, 5)}, Attrs{"strides": i(2)}, s(3, 5), ""},
		{"conv1d dilations", "conv", []Shape{s(8, 3), s(3, 3, 5)}, Attrs{"dilations": i(2)}, s(4, 5), ""},
		{"conv1d all", "conv", []Shape{s(8, 3), s(3, 3, 5)}, Attrs{"strides": i(2), "dilations": i(2), "pads": i(1, 0)}, s(3, 5), ""},
		// conv 2-D
		{"conv2d", "conv", []Shape{s(6, 6, 2), s(3, 3, 2, 4)}, nil, s(4, 4, 4), ""},
		{"conv2d strides pads", "conv", []Shape{s(6, 6, 2), s(3, 3, 2, 4), s(4)}, Attrs{"strides": i(2, 2), "pads": i(0, 0, 1, 1)}, s(3, 3, 4), ""},
		{"conv2d rectangular", "conv", []Shape{s(5, 7, 1), s(1, 3, 1, 2)}, Attrs{"strides": i(1, 2), "dilations": i(1, 3)}, s(5, 1, 2), ""},
		{"conv channel mismatch", "conv", []Shape{s(8, 3), s(3, 2, 5)}, nil, nil, "does not match input"},
		{"conv kernel too large", "conv", []Shape{s(2, 3), s(3, 3, 5)}, nil, nil, "kernel larger than padded input"},
		{"conv 3-D input", "conv", []Shape{s(4, 4, 4, 1), s(1, 1, 1, 1, 1)}, nil, nil, "want [L,C] or [H,W,C]"},
		{"conv stride 0", "conv", []Shape{s(8, 3), s(3, 3, 5)}, Attrs{"strides": i(0)}, nil, "must be >= 1"},
		{"conv negative pad", "conv", []Shape{s(8, 3), s(3, 3, 5)}, Attrs{"pads": i(0, -1)}, nil, "pads >= 0"},
		{"conv wrong pads length", "conv", []Shape{s(8, 3), s(3, 3, 5)}, Attrs{"pads": i(1)}, nil, "pads has 1 values, want 2"},
		{"conv bias mismatch", "conv", []Shape{s(8, 3), s(3, 3, 5), s(4)}, nil, nil, "bias shape [4], want [5]"},
		// pools
		{"maxpool2d", "maxpool", []Shape{s(5, 5, 2)}, Attrs{"kernel": i(2, 2), "strides": i(2, 2)}, s(2, 2, 2), ""},
		{"maxpool2d padded", "maxpool", []Shape{s(5, 5, 2)}, Attrs{"kernel": i(2, 2), "strides": i(2, 2), "pads": i(0, 0, 1, 1)}, s(3, 3, 2), ""},
		{"avgpool1d", "avgpool", []Shape{s(5, 2)}, Attrs{"kernel": i(3), "strides": i(2), "pads": i(1, 1)}, s(3, 2), ""},
		{"avgpool default stride", "avgpool", []Shape{s(5, 2)}, Attrs{"kernel": i(3)}, s(3, 2), ""},
		{"pool kernel rank mismatch", "maxpool", []Shape{s(5, 5, 2)}, Attrs{"kernel": i(2)}, nil, "one kernel size per spatial axis"},
		{"pool kernel 0", "maxpool", []Shape{s(5, 2)}, Attrs{"kernel": i(0)}, nil, "kernel must be >= 1"},
		{"pool kernel too large", "avgpool", []Shape{s(2, 2)}, Attrs{"kernel": i(3)}, nil, "kernel larger than padded input"},
		{"pool stride 0", "maxpool", []Shape{s(5, 2)}, Attrs{"kernel": i(2), "strides": i(0)}, nil, "must be >= 1"},
		{"pool scalar input", "maxpool", []Shape{s(5)}, Attrs{"kernel": i(2)}, nil, "want [L,C] or [H,W,C]"},
		// broadcasting
		{"broadcast same", "add", []Shape{s(2, 3), s(2, 3)}, nil, s(2, 3), ""},
		{"broadcast lower rank", "sub", []Shape{s(3), s(2, 3)}, nil, s(2, 3), ""},
		{"broadcast ones", "mul", []Shape{s(2, 1), s(1, 3)}, nil, s(2, 3), ""},
		{"broadcast scalar", "add", []Shape{s(), s(4)}, nil, s(4), ""},
		{"broadcast scalars", "add", []Shape{s(), s()}, nil, s(), ""},
		{"broadcast mismatch", "add", []Shape{s(2), s(3)}, nil, nil, "do not broadcast"},
		{"broadcast inner mismatch", "mul", []Shape{s(2, 3), s(3, 3)}, nil, nil, "do not broadcast"},
		// reduce
		{"reduce_sum", "reduce_sum", []Shape{s(2, 3, 4)}, Attrs{"axes": i(0, -1)}, s(1, 3, 1), ""},
		{"reduce_max all", "reduce_max", []Shape{s(2, 3)}, Attrs{"axes": i(0, 1)}, s(1, 1), ""},
		{"reduce axis out of range", "reduce_sum", []Shape{s(2, 3)}, Attrs{"axes": i(2)}, nil, "out of range"},
		{"reduce axis repeated", "reduce_max", []Shape{s(2, 3)}, Attrs{"axes": i(1, -1)}, nil, "repeated"},
		// reshape
		{"reshape flatten", "reshape", []Shape{s(2, 3)}, Attrs{"shape": i(6)}, s(6), ""},
		{"reshape to scalar", "reshape", []Shape{s(1)}, Attrs{"shape": i()}, s(), ""},
		{"reshape size mismatch", "reshape", []Shape{s(2, 3)}, Attrs{"shape": i(4)}, nil, "cannot reshape"},
		{"reshape zero dim", "reshape", []Shape{s(2, 3)}, Attrs{"shape": i(0, 6)}, nil, "every dimension must be >= 1"},
		{"reshape -1", "reshape", []Shape{s(2, 3)}, Attrs{"shape": i(-1)}, nil, "every dimension must be >= 1"},
		// transpose
		{"transpose", "transpose", []Shape{s(2, 3, 4)}, Attrs{"perm": i(2, 0, 1)}, s(4, 2, 3), ""},
		{"transpose negative axis", "transpose", []Shape{s(2, 3)}, Attrs{"perm": i(-1, 0)}, s(3, 2), ""},
		{"transpose rank mismatch", "transpose", []Shape{s(2, 3)}, Attrs{"perm": i(0)}, nil, "does not match rank"},
		{"transpose repeated", "transpose", []Shape{s(2, 3)}, Attrs{"perm": i(1, 1)}, nil, "repeated"},
		// concat
		{"concat axis 1", "concat", []Shape{s(2, 3), s(2, 4)}, Attrs{"axis": int64(1)}, s(2, 7), ""},
		{"concat axis -1 three inputs", "concat", []Shape{s(2, 3), s(2, 4), s(2, 1)}, Attrs{"axis": int64(-1)}, s(2, 8), ""},
		{"concat one input", "concat", []Shape{s(5)}, Attrs{"axis": int64(0)}, s(5), ""},
		{"concat mismatch outside axis", "concat", []Shape{s(2, 3), s(3, 3)}, Attrs{"axis": int64(1)}, nil, "differ outside axis 1"},
		{"concat rank mismatch", "concat", []Shape{s(2, 3), s(6)}, Attrs{"axis": int64(0)}, nil, "different ranks"},
		{"concat axis out of range", "concat", []Shape{s(2, 3), s(2, 3)}, Attrs{"axis": int64(2)}, nil, "out of range"},
		{"concat scalar", "concat", []Shape{s(), s()}, Attrs{"axis": int64(0)}, nil, "out of range"},
		// shape-preserving ops
		{"relu", "relu", []Shape{s(2, 5)}, nil, s(2, 5), ""},
		{"lut", "lut", []Shape{s(3), s(16)}, nil, s(3), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := LookupOp(c.op)
			if spec == nil {
				t.Fatalf("no op %s", c.op)
			}
			a := c.a
			if a == nil {
				a = Attrs{}
			}
			got, err := spec.Shapes(c.ins, a)
			if c.want == nil {
				if err == nil {
					t.Fatalf("no error, got %v", got)
				}
				if !strings.Contains(err.Error(), c.err) {
					t.Errorf("error %q does not contain %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if len(got) != 1 || !got[0].Equal(c.want) {
				t.Errorf("shapes %v, want %v", got, c.want)
			}
			// Shape functions must not alias their inputs.
			if len(got[0]) > 0 && len(c.ins[0]) > 0 && &got[0][0] == &c.ins[0][0] {
				t.Error("result aliases the input shape")
			}
		})
	}
}

func TestBroadcastAndNormAxes(t *testing.T) {
	if s, err := BroadcastShape(Shape{4, 1, 3}, Shape{2, 1}); err != nil || !s.Equal(Shape{4, 2, 3}) {
		t.Errorf("BroadcastShape: %v %v", s, err)
	}
	if a, err := NormAxes([]int64{-1, 0}, 3); err != nil || !reflect.DeepEqual(a, []int{2, 0}) {
		t.Errorf("NormAxes: %v %v", a, err)
	}
	if _, err := NormAxes([]int64{-4}, 3); err == nil {
		t.Error("NormAxes(-4, 3) accepted")
	}
	if (Shape{}).Size() != 1 || (Shape{2, 3}).Size() != 6 || (Shape{}).String() != "[]" || (Shape{2, 3}).String() != "[2,3]" {
		t.Error("Shape helpers")
	}
	if st := (Shape{2, 3, 4}).Strides(); !reflect.DeepEqual(st, []int{12, 4, 1}) {
		t.Errorf("Strides %v", st)
	}
}
