package compiler

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trigo/compiler/internal/onnx"
	"trigo/internal/npy"
	"trigo/ir"
	"trigo/ir/fixed"
	"trigo/sim"
)

// ---------------------------------------------------------------------------
// Graph models built in Go: inputs x[batch,N,F] and valid[batch,N].

type gnnSpec struct {
	n, f        int64
	validType   onnx.DataType // default Float
	trigoOpset  int64         // default 1; -1: no import of the trigo domain
	inits       []*onnx.Tensor
	nodes       []*onnx.Node
	outputs     []string // default "y"
	outputTypes []onnx.DataType
}

func gnnEncode(s gnnSpec) []byte {
	vt := s.validType
	if vt == 0 {
		vt = onnx.Float
	}
	g := &onnx.Graph{Name: "gnn", Nodes: s.nodes, Initializers: s.inits, Inputs: []*onnx.ValueInfo{
		{Name: "x", ElemType: onnx.Float, HasShape: true, Shape: []onnx.Dim{{Param: "batch"}, {Value: s.n}, {Value: s.f}}},
		{Name: "valid", ElemType: vt, HasShape: true, Shape: []onnx.Dim{{Param: "batch"}, {Value: s.n}}},
	}}
	outs := s.outputs
	if outs == nil {
		outs = []string{"y"}
	}
	for i, o := range outs {
		et := onnx.Float
		if i < len(s.outputTypes) {
			et = s.outputTypes[i]
		}
		g.Outputs = append(g.Outputs, &onnx.ValueInfo{Name: o, ElemType: et})
	}
	opsets := []onnx.OpsetID{{Version: 13}}
	switch {
	case s.trigoOpset == 0:
		opsets = append(opsets, onnx.OpsetID{Domain: TrigoDomain, Version: 1})
	case s.trigoOpset > 0:
		opsets = append(opsets, onnx.OpsetID{Domain: TrigoDomain, Version: s.trigoOpset})
	}
	return onnx.Encode(&onnx.Model{IRVersion: 7, ProducerName: "trigo-test", OpsetImports: opsets, Graph: g})
}

// trigoNode builds a node of the trigo domain.
func trigoNode(op, ins, outs string, attrs ...*onnx.Attribute) *onnx.Node {
	n := nd(op, ins, outs, attrs...)
	n.Domain = TrigoDomain
	return n
}

func aSs(name string, v ...string) *onnx.Attribute {
	a := &onnx.Attribute{Name: name, Type: onnx.AttrStrings}
	for _, s := range v {
		a.Strings = append(a.Strings, []byte(s))
	}
	return a
}

// gravInits returns GravNetConv weights for Fin inputs, S space and P
// propagate dimensions and Fout outputs, named like PyG's state_dict.
func gravInits(fin, s, p, fout int64) []*onnx.Tensor {
	return []*onnx.Tensor{
		ft("lin_s.weight", dims(s, fin), impRand(1, int(s*fin))...), ft("lin_s.bias", dims(s), impRand(2, int(s))...),
		ft("lin_h.weight", dims(p, fin), impRand(3, int(p*fin))...), ft("lin_h.bias", dims(p), impRand(4, int(p))...),
		ft("lin_out1.weight", dims(fout, fin), impRand(5, int(fout*fin))...), ft("lin_out2.weight", dims(fout, 2*p), impRand(6, int(2*p*fout))...),
		ft("lin_out2.bias", dims(fout), impRand(7, int(fout))...),
	}
}

const gravIns = "x,valid,lin_s.weight,lin_s.bias,lin_h.weight,lin_h.bias,lin_out1.weight,lin_out2.weight,lin_out2.bias"

func gravSpec(attrs ...*onnx.Attribute) gnnSpec {
	return gnnSpec{n: 6, f: 3, inits: gravInits(3, 2, 4, 5), nodes: []*onnx.Node{trigoNode("GravNetConv", gravIns, "y", attrs...)}}
}

// withInit replaces (or adds) an initializer.
func (s gnnSpec) withInit(t *onnx.Tensor) gnnSpec {
	var inits []*onnx.Tensor
	for _, i := range s.inits {
		if i.Name != t.Name {
			inits = append(inits, i)
		}
	}
	s.inits = append(inits, t)
	return s
}

func TestImportGraphOps(t *testing.T) {
	g, err := ImportONNX(gnnEncode(gravSpec(aI("k", 3), aS("distance", "l1"), aI("include_self", 0), aF("exponent", 2.5))), "gravnet.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(impOps(g), ","); got != "dense,dense,gravnet_agg,dense,dense,add,mask" {
		t.Errorf("ops %s\n%s", got, g.Text())
	}
	agg := g.Node("GravNetConv_y.agg")
	if agg == nil {
		t.Fatalf("no aggregation node:\n%s", g.Text())
	}
	p, err := ir.GravNet(agg.Attrs)
	if err != nil || p.K != 3 || p.Distance != "l1" || p.IncludeSelf || p.Exponent != 2.5 {
		t.Errorf("gravnet attributes %+v (%v)", p, err)
	}
	// Weights are transposed to [in, out]; lin_out1 has no bias.
	if w := g.Const(g.Node("GravNetConv_y.lin_s").Inputs[1]); !w.Shape.Equal(ir.Shape{3, 2}) || w.Floats[1] != impRand(1, 6)[3] {
		t.Errorf("lin_s weight %v %v", w.Shape, w.Floats)
	}
	if n := g.Node("GravNetConv_y.lin_out1"); len(n.Inputs) != 2 {
		t.Errorf("lin_out1 has a bias: %v", n.Inputs)
	}
	if out := g.Lookup(g.Outputs[0]); out.Name != "y" || !out.Shape.Equal(ir.Shape{6, 5}) || g.Node("GravNetConv_y").Op != "mask" {
		t.Errorf("output %v", out)
	}

	// Bool masks, GlobalExchange with its ops, Condensation with int outputs.
	spec := gnnSpec{n: 5, f: 4, validType: onnx.Bool, outputs: []string{"a", "c", "k"}, outputTypes: []onnx.DataType{onnx.Int32, onnx.Float, onnx.Int32},
		inits: []*onnx.Tensor{it("starts", dims(1), 0), it("ends", dims(1), 1), it("axes", dims(1), 2), it("sq", dims(1), 2)},
		nodes: []*onnx.Node{
			trigoNode("GlobalExchange", "x,valid", "g", aSs("ops", "max", "mean")),
			nd("Slice", "x,starts,ends,axes", "b1"),
			nd("Sigmoid", "b1", "b2"),
			nd("Squeeze", "b2,sq", "beta"),
			trigoNode("Condensation", "beta,x,valid,g", "a,c,k", aF("t_beta", 0.25), aF("t_d", 0.5), aI("max_clusters", 2)),
		}}
	g, err = ImportONNX(gnnEncode(spec), "cond.onnx")
	if err != nil {
		t.Fatal(err)
	}
	cd := g.Node("Condensation_a")
	if cd == nil || cd.Outputs[0].Type != ir.I32 || !cd.Outputs[1].Shape.Equal(ir.Shape{2, 13}) || len(cd.Outputs[2].Shape) != 0 {
		t.Fatalf("condensation node %v\n%s", cd, g.Text())
	}
	if ops := g.Node("GlobalExchange_g").Attrs.Strings("ops"); strings.Join(ops, ",") != "max,mean" {
		t.Errorf("ops %v", ops)
	}
	if g.Inputs[1].Type != ir.F32 || !g.Inputs[1].Shape.Equal(ir.Shape{5}) {
		t.Errorf("valid input %v", g.Inputs[1])
	}
	if s := g.Node("Slice_b1"); s == nil || s.Op != "slice" {
		t.Errorf("slice node %v", s)
	}
}

func TestImportGraphErrors(t *testing.T) {
	gx := func(attrs ...*onnx.Attribute) gnnSpec {
		return gnnSpec{n: 4, f: 2, nodes: []*onnx.Node{trigoNode("GlobalExchange", "x,valid", "y", attrs...)}}
	}
	cond := func(ins string, attrs ...*onnx.Attribute) gnnSpec {
		return gnnSpec{n: 4, f: 2, inits: []*onnx.Tensor{it("axes", dims(1), 2)}, outputs: []string{"a"}, outputTypes: []onnx.DataType{onnx.Int32},
			nodes: []*onnx.Node{nd("Slice", "x,zero,one,axes", "b1"), nd("Squeeze", "b1,axes", "beta"),
				trigoNode("Condensation", ins, "a,c,k", attrs...)}}
	}
	condOK := []*onnx.Attribute{aF("t_beta", 0.1), aF("t_d", 1), aI("max_clusters", 2)}
	withSlice := func(s gnnSpec) gnnSpec {
		s.inits = append(s.inits, it("zero", dims(1), 0), it("one", dims(1), 1))
		return s
	}
	noConst := gravSpec(aI("k", 2))
	noConst.nodes = append([]*onnx.Node{nd("Relu", "x", "w_dyn")}, noConst.nodes...)
	noConst.nodes[1].Inputs[2] = "w_dyn"
	cases := []struct {
		name string
		spec gnnSpec
		want []string
	}{
		{"k zero", gravSpec(aI("k", 0)), []string{"GravNetConv_y", "k = 0", "number of neighbours"}},
		{"k negative", gravSpec(aI("k", -2)), []string{"k = -2"}},
		{"k missing", gravSpec(), []string{"attribute k", "required"}},
		{"k as float", gravSpec(&onnx.Attribute{Name: "k", Type: onnx.AttrFloat, F: 3}), []string{"attribute k is FLOAT, want INT"}},
		{"unknown distance", gravSpec(aI("k", 2), aS("distance", "cosine")), []string{`distance "cosine" is not supported (supported: l2, l1)`}},
		{"include_self 3", gravSpec(aI("k", 2), aI("include_self", 3)), []string{"include_self = 3"}},
		{"lin_h weight shape", gravSpec(aI("k", 2)).withInit(ft("lin_h.weight", dims(4, 2), impRand(9, 8)...)),
			[]string{"input 4 (lin_h.weight", "has shape [4,2], expected [P,Fin] = [*,3]"}},
		{"lin_out2 weight shape", gravSpec(aI("k", 2)).withInit(ft("lin_out2.weight", dims(5, 4), impRand(9, 20)...)),
			[]string{"input 7 (lin_out2.weight", "expected [Fout,2P] = [5,8]"}},
		{"lin_s bias shape", gravSpec(aI("k", 2)).withInit(ft("lin_s.bias", dims(3), 1, 2, 3)),
			[]string{"input 3 (lin_s.bias", "has shape [3], expected [S] = [2]"}},
		{"weight not constant", noConst, []string{"input 2 (lin_s.weight", "not a constant"}},
		{"too few inputs", gnnSpec{n: 4, f: 2, inits: gravInits(2, 2, 2, 2), nodes: []*onnx.Node{trigoNode("GravNetConv", "x,valid,lin_s.weight", "y", aI("k", 2))}},
			[]string{"GravNetConv takes 9 inputs (x, valid, lin_s.weight", "got 3"}},
		{"x not 3-D", gnnSpec{n: 4, f: 2, inits: append(gravInits(4, 2, 2, 2), it("shp", dims(2), 0, 8)),
			nodes: []*onnx.Node{nd("Reshape", "x,shp", "xf"), trigoNode("GravNetConv", strings.Replace(gravIns, "x,", "xf,", 1), "y", aI("k", 2))}},
			[]string{"input 0 (x) has shape [batch,8], want [batch,N,F]"}},
		{"valid wrong length", gnnSpec{n: 4, f: 2, inits: append(gravInits(2, 2, 2, 2), it("st", dims(1), 0), it("en", dims(1), 3), it("ax", dims(1), 1)),
			nodes: []*onnx.Node{nd("Slice", "valid,st,en,ax", "v3"), trigoNode("GravNetConv", strings.Replace(gravIns, "valid", "v3", 1), "y", aI("k", 2))}},
			[]string{"input 1 (valid) has 3 vertices, x has 4"}},
		{"unknown statistic", gx(aSs("ops", "mean", "median")), []string{"GlobalExchange_y", `unknown statistic "median" (supported: mean, min, max)`}},
		{"empty ops", gx(aSs("ops")), []string{"ops is empty"}},
		{"ops as string", gx(aS("ops", "mean")), []string{"attribute ops is STRING, want STRINGS"}},
		{"global exchange one input", gnnSpec{n: 4, f: 2, nodes: []*onnx.Node{trigoNode("GlobalExchange", "x", "y")}}, []string{"GlobalExchange takes 2 inputs (x, valid), got 1"}},
		{"condensation missing t_d", withSlice(cond("beta,x,valid,x", aF("t_beta", 0.1), aI("max_clusters", 2))), []string{"attribute t_d is required"}},
		{"condensation max_clusters 0", withSlice(cond("beta,x,valid,x", aF("t_beta", 0.1), aF("t_d", 1), aI("max_clusters", 0))), []string{"max_clusters = 0"}},
		{"condensation beta 2-D", withSlice(cond("x,x,valid,x", condOK...)), []string{"input 0 (beta) has shape [batch,4,2], want [batch,N]"}},
		{"condensation 3 inputs", withSlice(cond("beta,x,valid", condOK...)), []string{"Condensation takes 4 inputs (beta, coords, valid, payload), got 3"}},
		{"unknown trigo op", gnnSpec{n: 4, f: 2, nodes: []*onnx.Node{trigoNode("EdgeConv", "x,valid", "y")}}, []string{"trigo::EdgeConv is not supported (supported: GravNetConv, GlobalExchange, Condensation)"}},
		{"trigo domain version 2", func() gnnSpec { s := gx(); s.trigoOpset = 2; return s }(), []string{`domain "trigo" with version 2; trigo supports version 1`}},
		{"no trigo opset import", func() gnnSpec { s := gx(); s.trigoOpset = -1; return s }(), []string{`domain "trigo" with no opset import`}},
		{"valid as string", gnnSpec{n: 4, f: 2, validType: onnx.String, nodes: []*onnx.Node{nd("Relu", "x", "y")}}, []string{`input "valid" has element type STRING`}},
		{"cast to int", gnnSpec{n: 4, f: 2, nodes: []*onnx.Node{nd("Cast", "x", "y", aI("to", int64(onnx.Int32)))}}, []string{"Cast of event data to INT32 is not supported"}},
		{"slice of the batch axis", gnnSpec{n: 4, f: 2, inits: []*onnx.Tensor{it("s", dims(1), 1), it("e", dims(1), 3), it("a", dims(1), 0)},
			nodes: []*onnx.Node{nd("Slice", "x,s,e,a", "y")}}, []string{"Slice of the event (batch) axis"}},
		{"slice negative step", gnnSpec{n: 4, f: 2, inits: []*onnx.Tensor{it("s", dims(1), -1), it("e", dims(1), -100), it("a", dims(1), 2), it("st", dims(1), -1)},
			nodes: []*onnx.Node{nd("Slice", "x,s,e,a,st", "y")}}, []string{"Slice step -1 on axis 2 is not supported"}},
		{"split sizes", gnnSpec{n: 4, f: 3, inits: []*onnx.Tensor{it("sp", dims(2), 1, 1)}, outputs: []string{"y", "z"},
			nodes: []*onnx.Node{nd("Split", "x,sp", "y,z", aI("axis", 2))}}, []string{"Split part sizes [1 1] add up to 2, axis 2 has 3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := ImportONNX(gnnEncode(c.spec), "gnn.onnx")
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

// ---------------------------------------------------------------------------
// Threshold codes and quantisation of graph ops.

func TestThresholdCodes(t *testing.T) {
	u8 := fixed.Type{Width: 8, Int: 0}
	s16 := fixed.Type{Signed: true, Width: 16, Int: 6}
	beta := []struct {
		t    float64
		typ  fixed.Type
		want int64
	}{
		{0.5, u8, 128}, {0.3, u8, 76}, {0.30078125, u8, 77}, {0, u8, 0}, {-0.1, u8, -1}, {2, u8, 255}, {1e300, u8, 255},
		{0.1, s16, 102}, {-0.1, s16, -103}, {-100, s16, -32769},
	}
	for _, c := range beta {
		got := BetaThresholdCode(c.t, c.typ)
		if got != c.want {
			t.Errorf("BetaThresholdCode(%v, %s) = %d, want %d", c.t, c.typ, got, c.want)
		}
		// Exactness: for every code, code > got <=> value > t.
		for code := c.typ.MinCode(); code <= c.typ.MaxCode(); code++ {
			if (code > got) != (c.typ.Float(code) > c.t) {
				t.Fatalf("t_beta %v on %s: code %d misclassified by threshold %d", c.t, c.typ, code, got)
			}
		}
	}
	dist := []struct {
		td   float64
		frac int
		want int64
	}{
		{0.7, 5, 502}, {1, 5, 1024}, {0.5, 1, 1}, {0, 4, 0}, {0.1, 10, 10486}, {1e10, 10, 1 << 62},
		// t_d = 0.1 as a float32 attribute: (0.100000001490116...)^2 * 2^20
		{float64(float32(0.1)), 10, 10486},
	}
	for _, c := range dist {
		got := DistThresholdCode(c.td, c.frac)
		if got != c.want {
			t.Errorf("DistThresholdCode(%v, %d) = %d, want %d", c.td, c.frac, got, c.want)
		}
		if c.want < 1<<40 && c.want > 0 {
			// got-1 lies below t_d^2 and got does not.
			below := math.Ldexp(float64(got-1), -2*c.frac)
			at := math.Ldexp(float64(got), -2*c.frac)
			if !(below < c.td*c.td) || at < c.td*c.td*(1-1e-15) {
				t.Errorf("DistThresholdCode(%v, %d) = %d is not the ceiling", c.td, c.frac, got)
			}
		}
	}
}

func TestQuantizeGraphOps(t *testing.T) {
	spec := gravSpec(aI("k", 3))
	g, err := ImportONNX(gnnEncode(spec), "gravnet.onnx")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compile(g, Options{VerifyPasses: true})
	if err != nil {
		t.Fatal(err)
	}
	fg := res.Fixed
	if v := fg.Inputs[1]; v.Type.String() != "ufixed<1,1,RND_MIN_INF,SAT>" {
		t.Errorf("valid type %s", v.Type)
	}
	agg := fg.Node("GravNetConv_y.agg")
	tab := fg.Const(agg.Inputs[3])
	s := fg.Lookup(agg.Inputs[0]).Type.Fixed
	if tab == nil || tab.Type.String() != "ufixed<18,1,RND,SAT>" {
		t.Fatalf("table %v", tab)
	}
	// Entry k holds exp(-10 d) at the middle of its distance codes.
	shift, offset := agg.Attrs.Int("shift", -1), agg.Attrs.Int("offset", -1)
	for k, code := range tab.Codes {
		mid := float64(offset) + float64(k)*math.Ldexp(1, int(shift)) + (math.Ldexp(1, int(shift))-1)/2
		want := math.Exp(-10 * math.Ldexp(mid, -2*s.Frac()))
		if math.Abs(tab.Type.Fixed.Float(code)-want) > math.Ldexp(1, -17) {
			t.Fatalf("entry %d = %v, want %v", k, tab.Type.Fixed.Float(code), want)
		}
	}
	if last := tab.Codes[len(tab.Codes)-1]; last != 0 {
		t.Errorf("the table ends at weight %d codes, want 0 (it covers the distances where exp rounds to 0)", last)
	}
	if agg.Attrs.Int("recip_frac", 0) != 16 {
		t.Errorf("recip_frac %v", agg.Attrs["recip_frac"])
	}
	t.Logf("gravnet table: %d entries, shift %d", len(tab.Codes), shift)

	// The config's table section and the weight (table entry) type.
	cfg := mustConfig(t, "layers:\n  GravNetConv_y.agg:\n    weight: ufixed<10,1>\n    result: fixed<12,4>\n    table:\n      size: 64\n      range: [0.0, 0.5]\n")
	res, err = Compile(g, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	agg = res.Fixed.Node("GravNetConv_y.agg")
	tab = res.Fixed.Const(agg.Inputs[3])
	if tab.Type.String() != "ufixed<10,1,RND,SAT>" || len(tab.Codes) < 60 || len(tab.Codes) > 130 || agg.Output().Type.String() != "fixed<12,4,RND,SAT>" {
		t.Errorf("configured table: %s, %d entries; result %s", tab.Type, len(tab.Codes), agg.Output().Type)
	}
}

// ---------------------------------------------------------------------------
// Fixtures written by testdata/graph/make_fixtures.py (onnx.helper graphs
// with the standard ops exporters put around graph layers, and an
// independent numpy reference).

type graphFixture struct {
	name string
	g    *ir.Graph
	in   []sim.Batch
	ref  []*npy.Array
}

func loadGraphFixtures(t *testing.T) []graphFixture {
	t.Helper()
	files, _ := filepath.Glob("testdata/graph/*.onnx")
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata/graph (run testdata/graph/make_fixtures.py)")
	}
	var out []graphFixture
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := ImportONNX(data, f)
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		base := strings.TrimSuffix(f, ".onnx")
		fx := graphFixture{name: filepath.Base(base), g: g}
		for i, suffix := range []string{".x.npy", ".valid.npy"} {
			fx.in = append(fx.in, loadBatch(t, base+suffix, g.Inputs[i].Shape))
		}
		for i := range g.Outputs {
			a, err := npy.ReadFile(fmt.Sprintf("%s.out%d.npy", base, i))
			if err != nil {
				t.Fatal(err)
			}
			fx.ref = append(fx.ref, a)
		}
		out = append(out, fx)
	}
	return out
}

// compareOutputs compares float outputs with reference arrays: integer
// outputs exactly, features within rel 1e-5 / abs 1e-6. It returns the
// largest relative error of the features.
func compareOutputs(t *testing.T, g *ir.Graph, got []sim.Batch, ref []*npy.Array) float64 {
	t.Helper()
	worst := 0.0
	for i, name := range g.Outputs {
		want := ref[i].Float32s()
		if len(want) != len(got[i].Data) {
			t.Fatalf("output %s: %d values, reference %d", name, len(got[i].Data), len(want))
		}
		isInt := g.Lookup(name).Type.Kind == ir.Int32
		for j, w := range want {
			v := got[i].Data[j]
			if isInt && v != w || !isInt && !closeTo(v, w) {
				t.Fatalf("output %s element %d (event %d): %v, reference %v", name, j, j/got[i].Shape.Size(), v, w)
			}
			if !isInt && w != 0 {
				worst = math.Max(worst, math.Abs(float64(v-w))/math.Abs(float64(w)))
			}
		}
	}
	return worst
}

func TestGraphFixturesFloat(t *testing.T) {
	for _, fx := range loadGraphFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			for stage, g := range map[string]*ir.Graph{"imported": fx.g, "after float passes": mustPrepare(t, fx.g)} {
				f, err := sim.NewFloat(g)
				if err != nil {
					t.Fatal(err)
				}
				outs, err := f.Run(fx.in)
				if err != nil {
					t.Fatal(err)
				}
				rel := compareOutputs(t, g, outs, fx.ref)
				t.Logf("%s: float reproduces the numpy reference (max rel err %.2g)", stage, rel)
			}
		})
	}
}

func mustPrepare(t *testing.T, g *ir.Graph) *ir.Graph {
	t.Helper()
	fg, err := PrepareFloat(g)
	if err != nil {
		t.Fatal(err)
	}
	return fg
}

// TestGraphFixturesFixed compiles the fixtures (default precision, and
// auto precisions calibrated on the events) and checks the fixed-point
// simulation against float: cluster assignments agree, overflow counts
// are reported per node.
func TestGraphFixturesFixed(t *testing.T) {
	for _, fx := range loadGraphFixtures(t) {
		for _, cfgText := range []string{"", "model:\n  precision: auto<18>\n"} {
			name := fx.name + "/default"
			if cfgText != "" {
				name = fx.name + "/auto"
			}
			t.Run(name, func(t *testing.T) {
				cfg := DefaultConfig()
				if cfgText != "" {
					cfg = mustConfig(t, cfgText)
				}
				res, err := Compile(fx.g, Options{Config: cfg, Calib: fx.in, VerifyPasses: true})
				if err != nil {
					t.Fatal(err)
				}
				fl, err := sim.NewFloat(res.Float)
				if err != nil {
					t.Fatal(err)
				}
				floatOut, err := fl.Run(fx.in)
				if err != nil {
					t.Fatal(err)
				}
				fxs, err := sim.NewFixed(res.Fixed)
				if err != nil {
					t.Fatal(err)
				}
				codes, err := fxs.Quantize(fx.in)
				if err != nil {
					t.Fatal(err)
				}
				fixedOut, err := fxs.Run(codes)
				if err != nil {
					t.Fatal(err)
				}
				stats, err := sim.Compare(res.Fixed.Outputs, floatOut, fixedOut)
				if err != nil {
					t.Fatal(err)
				}
				for i, s := range stats {
					if res.Fixed.Lookup(res.Fixed.Outputs[i]).Type.Kind == ir.Int32 && s.Output == "assign" {
						agree := 0
						for j, v := range floatOut[i].Data {
							if float64(v) == float64(fixedOut[i].Data[j]) {
								agree++
							}
						}
						t.Logf("assign: %d/%d agree", agree, len(floatOut[i].Data))
					} else {
						t.Logf("%s", s)
					}
				}
				rep := fxs.Report()
				for _, n := range res.Fixed.Nodes {
					if rep.Node(n.Name) == nil {
						t.Errorf("no report row for %s (%s)", n.Name, n.Op)
					}
				}
				if cfgText != "" && rep.Total() != 0 {
					t.Errorf("auto precision still overflows on its calibration data:\n%s", rep)
				}
			})
		}
	}
}

// TestGraphOverflowReport: the overflow report counts the conversions of
// the graph ops (aggregation means and maxima, global statistics,
// clusters) per node.
func TestGraphOverflowReport(t *testing.T) {
	var fx graphFixture
	for _, f := range loadGraphFixtures(t) {
		if f.name == "ecl_like" {
			fx = f
		}
	}
	if fx.g == nil {
		t.Fatal("fixture ecl_like missing")
	}
	fg := mustPrepare(t, fx.g)
	var agg, gx, cond string
	for _, n := range fg.Nodes {
		switch n.Op {
		case "gravnet_agg":
			agg = n.Name
		case "global_exchange":
			gx = n.Name
		case "condensation":
			cond = n.Name
		}
	}
	cfg := mustConfig(t, fmt.Sprintf("layers:\n  %s:\n    result: fixed<5,0>\n  %s:\n    result: fixed<6,0>\n  %s:\n    result: fixed<4,0>\n", agg, gx, cond))
	res, err := Compile(fx.g, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	f, err := sim.NewFixed(res.Fixed)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := f.Quantize(fx.in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Run(codes); err != nil {
		t.Fatal(err)
	}
	rep := f.Report()
	for _, name := range []string{agg, gx, cond} {
		row := rep.Node(name)
		if row == nil || row.Overflows() == 0 || row.Conversions == 0 {
			t.Errorf("node %s: report row %+v, want overflows", name, row)
		}
	}
	if row := rep.Node(cond); row.Type != "fixed<4,0,RND,SAT>" || row.Conversions != int64(16*3*3) {
		t.Errorf("condensation row %+v", row)
	}
	t.Logf("\n%s", rep)
}

func TestMaskPrecisionQuantisesAtOneHalf(t *testing.T) {
	p, err := DefaultConfig().Precision(MaskPrecision)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v    float64
		want int64
	}{{0, 0}, {0.5, 0}, {0.5000001, 1}, {1, 1}, {1.49, 1}, {7, 1}, {-3, 0}} {
		code, _, err := p.Type.FromFloat(c.v)
		if err != nil || code != c.want {
			t.Errorf("mask %v -> code %d (%v), want %d", c.v, code, err, c.want)
		}
		if (code > ir.MaskThreshold(p.Type)) != (c.v > 0.5) {
			t.Errorf("mask %v: fixed and float validity differ", c.v)
		}
	}
}
