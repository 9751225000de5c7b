package compiler

import (
	"fmt"
	"testing"

	"trigo/compiler/internal/onnx"
	"trigo/ir"
	"trigo/sim"
)

// Graph-op fuzzing: models with inputs x[batch,N,F] and valid[batch,N],
// trigo-domain nodes and the standard ops exporters put around them, with
// random wiring, weights and attributes. It has its own builder so that
// the seeds of FuzzImportONNXOps keep their meaning.

var fuzzGraphOps = []string{"GravNetConv", "GlobalExchange", "Condensation", "Slice", "Split", "Squeeze",
	"Unsqueeze", "Flatten", "Sigmoid", "Elu", "MatMul", "Add", "Concat", "Cast", "Identity", "Transpose",
	"BatchNormalization", "Reshape"}

func fuzzGraphModel(data []byte) *onnx.Model {
	fb := &fuzzBytes{b: data}
	n, f := int64(1+fb.intn(6)), int64(1+fb.intn(4))
	g := &onnx.Graph{Name: "fzg", Inputs: []*onnx.ValueInfo{
		{Name: "x", ElemType: onnx.Float, HasShape: true, Shape: []onnx.Dim{{Param: "B"}, {Value: n}, {Value: f}}},
		{Name: "valid", ElemType: []onnx.DataType{onnx.Float, onnx.Bool}[fb.intn(2)], HasShape: true, Shape: []onnx.Dim{{Param: "B"}, {Value: n}}},
	}}
	names := []string{"", "x", "valid"}
	for i, k := 0, 2+fb.intn(6); i < k; i++ {
		name := fmt.Sprintf("w%d", i)
		var dims []int64
		for j, r := 0, fb.intn(3); j < r; j++ {
			dims = append(dims, int64(fb.intn(5)))
		}
		size := 1
		for _, d := range dims {
			size *= int(d)
		}
		if fb.intn(3) == 0 {
			v := make([]int64, size)
			for j := range v {
				v[j] = fb.small()
			}
			g.Initializers = append(g.Initializers, onnx.NewInt64Tensor(name, dims, v))
		} else {
			v := make([]float32, size)
			for j := range v {
				v[j] = float32(fb.small()) / 3
			}
			g.Initializers = append(g.Initializers, onnx.NewFloatTensor(name, dims, v))
		}
		names = append(names, name)
	}
	for i, k := 0, 1+fb.intn(6); i < k; i++ {
		op := fb.pick(fuzzGraphOps)
		nd := &onnx.Node{Name: fmt.Sprintf("n%d", i), OpType: op}
		if i < 3 && (op == "GravNetConv" || op == "GlobalExchange" || op == "Condensation") {
			nd.Domain = TrigoDomain
		}
		arity := map[string]int{"GravNetConv": 9, "GlobalExchange": 2, "Condensation": 4}[op]
		if arity == 0 || fb.intn(4) == 0 {
			arity = fb.intn(6)
		}
		for j := 0; j < arity; j++ {
			nd.Inputs = append(nd.Inputs, fb.pick(names))
		}
		if op == "GravNetConv" && arity == 9 && fb.intn(4) != 0 {
			// Mostly well-formed weights, so that the aggregation is reached:
			// x (or an earlier value) and valid, then [S,F], [S], [P,F],
			// [P], [Fout,F], [Fout,2P], [Fout], one dimension off at times.
			S, P, Fo := int64(1+fb.intn(3)), int64(1+fb.intn(3)), int64(1+fb.intn(4))
			in := f
			if fb.intn(8) == 0 {
				in++
			}
			nd.Inputs[1] = "valid"
			if fb.intn(2) == 0 {
				nd.Inputs[0] = "x"
			}
			nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: "k", Type: onnx.AttrInt, I: fb.small() + 2})
			for j, d := range [][]int64{{S, in}, {S}, {P, in}, {P}, {Fo, in}, {Fo, 2 * P}, {Fo}} {
				name := fmt.Sprintf("g%d_%d", i, j)
				size := 1
				for _, x := range d {
					size *= int(x)
				}
				v := make([]float32, size)
				for l := range v {
					v[l] = float32(fb.small()) / 4
				}
				g.Initializers = append(g.Initializers, onnx.NewFloatTensor(name, d, v))
				nd.Inputs[2+j] = name
			}
		}
		if op == "Condensation" && arity == 4 && fb.intn(2) == 0 {
			nd.Inputs[0], nd.Inputs[2] = "valid", "valid" // a [N] beta
			nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: "t_beta", Type: onnx.AttrFloat, F: float32(fb.small()) / 4},
				&onnx.Attribute{Name: "t_d", Type: onnx.AttrFloat, F: float32(fb.small()) / 2},
				&onnx.Attribute{Name: "max_clusters", Type: onnx.AttrInt, I: fb.small() + 1})
		}
		outs := 1
		if op == "Condensation" || op == "Split" {
			outs = 1 + fb.intn(3)
		}
		for j := 0; j < outs; j++ {
			nd.Outputs = append(nd.Outputs, fmt.Sprintf("v%d_%d", i, j))
		}
		for j, m := 0, fb.intn(5); j < m; j++ {
			switch fb.intn(5) {
			case 0:
				nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: fb.pick([]string{"k", "include_self", "max_clusters", "axis", "to"}), Type: onnx.AttrInt, I: fb.small()})
			case 1:
				nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: fb.pick([]string{"exponent", "t_beta", "t_d", "epsilon"}), Type: onnx.AttrFloat, F: float32(fb.small()) / 4})
			case 2:
				nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: fb.pick([]string{"distance", "ops"}), Type: onnx.AttrString, S: []byte(fb.pick([]string{"l1", "l2", "mean", "x"}))})
			case 3:
				a := &onnx.Attribute{Name: "ops", Type: onnx.AttrStrings}
				for l, m := 0, fb.intn(4); l < m; l++ {
					a.Strings = append(a.Strings, []byte(fb.pick([]string{"mean", "min", "max", "sum"})))
				}
				nd.Attrs = append(nd.Attrs, a)
			case 4:
				a := &onnx.Attribute{Name: fb.pick([]string{"axes", "perm", "split"}), Type: onnx.AttrInts}
				for l, m := 0, fb.intn(4); l < m; l++ {
					a.Ints = append(a.Ints, fb.small())
				}
				nd.Attrs = append(nd.Attrs, a)
			}
		}
		g.Nodes = append(g.Nodes, nd)
		names = append(names, nd.Outputs...)
	}
	g.Outputs = []*onnx.ValueInfo{{Name: names[len(names)-1-fb.intn(2)], ElemType: onnx.Float}}
	return &onnx.Model{IRVersion: 7, OpsetImports: []onnx.OpsetID{{Version: 13}, {Domain: TrigoDomain, Version: int64(1 + fb.intn(8)/7)}}, Graph: g}
}

// FuzzImportGraphOps: the importer never panics on graph models; every
// graph it accepts validates, round-trips as text, runs in the float
// simulator, and compiles to a fixed-point graph that runs too.
func FuzzImportGraphOps(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 2, 1, 0, 0, 2, 2, 1, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0})
	f.Add([]byte("\x04\x03\x01\x02\x02\x04\x03\x05\x06\x07\x00\x01\x02\x00\x01\x02\x03\x04\x05\x06\x07\x08"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ImportONNX(onnx.Encode(fuzzGraphModel(data)), "fuzz.onnx")
		if err != nil {
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("imported graph does not validate: %v\n%s", err, g.Text())
		}
		text := g.Text()
		g2, err := ir.Parse(text)
		if err != nil || g2.Text() != text {
			t.Fatalf("print/parse round trip fails (%v):\n%s", err, text)
		}
		ins := make([]sim.Batch, len(g.Inputs))
		for i, v := range g.Inputs {
			ins[i] = sim.NewBatch(2, v.Shape)
			for j := range ins[i].Data {
				ins[i].Data[j] = float32(j%5) / 2
			}
		}
		fs, err := sim.NewFloat(g)
		if err != nil {
			t.Fatalf("float simulator rejects the imported graph: %v\n%s", err, text)
		}
		if _, err := fs.Run(ins); err != nil {
			t.Fatalf("float simulator: %v\n%s", err, text)
		}
		res, err := Compile(g, Options{Calib: ins})
		if err != nil {
			return // e.g. exact widths beyond 63 bits: an error, not a panic
		}
		fx, err := sim.NewFixed(res.Fixed)
		if err != nil {
			t.Fatalf("fixed simulator rejects the compiled graph: %v\n%s", err, res.Fixed.Text())
		}
		codes, err := fx.Quantize(ins)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.Run(codes); err != nil {
			t.Fatal(err)
		}
	})
}
