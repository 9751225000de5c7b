package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"trigo/compiler/internal/onnx"
	"trigo/ir"
	"trigo/sim"
)

// FuzzImportONNX checks that ImportONNX never panics, and that every graph
// it accepts validates and survives the IR text round trip.
func FuzzImportONNX(f *testing.F) {
	var paths []string
	for _, pat := range []string{
		"../../shared/models/hls4ml-examples/*.onnx",
		"../models/examples/*/model.onnx",
		"testdata/graph/*.onnx",
	} {
		p, _ := filepath.Glob(pat) // missing folders only weaken the seeds
		paths = append(paths, p...)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// Small models of every supported construct; the crashers found so far
	// are in testdata/fuzz/FuzzImportONNX.
	for _, c := range impCases() {
		f.Add(impEncode(c.spec))
	}
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ImportONNX(data, "fuzz.onnx")
		if err != nil {
			if g != nil {
				t.Fatalf("ImportONNX returned a graph and an error: %v", err)
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("imported graph does not validate: %v\n%s", err, g.Text())
		}
		text := g.Text()
		g2, err := ir.Parse(text)
		if err != nil {
			t.Fatalf("printed graph does not parse: %v\n%s", err, text)
		}
		if text2 := g2.Text(); text2 != text {
			t.Fatalf("print/parse round trip differs:\n--- first\n%s\n--- second\n%s", text, text2)
		}
		if err := g2.Validate(); err != nil {
			t.Fatalf("re-parsed graph does not validate: %v", err)
		}
	})
}

// fuzzBytes hands out fuzz input bytes (zero when exhausted).
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) byte() byte {
	if len(f.b) == 0 {
		return 0
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c
}

func (f *fuzzBytes) intn(n int) int { return int(f.byte()) % n }

// small returns a small signed integer, biased to valid axes and sizes.
func (f *fuzzBytes) small() int64 { return int64(f.intn(9)) - 3 }

func (f *fuzzBytes) pick(s []string) string { return s[f.intn(len(s))] }

var fuzzOps = []string{
	"Add", "Sub", "Mul", "Div", "Gemm", "MatMul", "Conv", "MaxPool", "AveragePool", "GlobalAveragePool",
	"GlobalMaxPool", "BatchNormalization", "Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid", "Tanh", "Exp",
	"Softmax", "Clip", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Identity",
	"Dropout", "Quant", "BipolarQuant", "Shape", "Gather", "ConstantOfShape", "Range", "Slice", "Cast",
	"Size", "Equal", "Less", "Greater", "Not", "Where", "Neg", "Sqrt", "Reciprocal", "Floor", "Ceil",
	"Abs", "Pow", "Constant", "If", "LSTM",
}

var fuzzIntAttrs = []string{"axis", "transA", "transB", "group", "count_include_pad", "ceil_mode", "to", "keepdims", "signed", "narrow"}
var fuzzIntsAttrs = []string{"axes", "perm", "kernel_shape", "strides", "pads", "dilations", "starts", "ends", "shape"}
var fuzzFloatAttrs = []string{"alpha", "beta", "gamma", "epsilon", "min", "max", "value_float"}

// fuzzModel builds a small ONNX model from fuzz bytes: an input of rank
// 1..3, a pool of constants and up to 8 nodes wired at random.
func fuzzModel(data []byte, depth int) *onnx.Model {
	fb := &fuzzBytes{b: data}
	g := fuzzGraph(fb, depth, true)
	return &onnx.Model{IRVersion: 7, OpsetImports: []onnx.OpsetID{{Version: int64(6 + fb.intn(12))}}, Graph: g}
}

func fuzzGraph(fb *fuzzBytes, depth int, top bool) *onnx.Graph {
	g := &onnx.Graph{Name: "fz"}
	names := []string{""}
	if top {
		rank := 1 + fb.intn(3)
		shape := []onnx.Dim{{Param: "N"}}
		for i := 0; i < rank; i++ {
			shape = append(shape, onnx.Dim{Value: int64(1 + fb.intn(5))})
		}
		g.Inputs = []*onnx.ValueInfo{{Name: "x", ElemType: onnx.Float, Shape: shape, HasShape: true}}
		names = append(names, "x")
	} else {
		names = append(names, "x", "c0", "undefined")
	}
	for i, n := 0, fb.intn(5); i < n; i++ {
		name := fmt.Sprintf("c%d_%d", depth, i)
		rank := fb.intn(4)
		dims := make([]int64, rank)
		size := 1
		for j := range dims {
			dims[j] = int64(fb.intn(5))
			size *= int(dims[j])
		}
		if fb.intn(2) == 0 {
			v := make([]int64, size)
			for j := range v {
				v[j] = fb.small()
			}
			g.Initializers = append(g.Initializers, onnx.NewInt64Tensor(name, dims, v))
		} else {
			v := make([]float32, size)
			for j := range v {
				v[j] = float32(fb.small()) / 2
			}
			g.Initializers = append(g.Initializers, onnx.NewFloatTensor(name, dims, v))
		}
		names = append(names, name)
	}
	nNodes := 1 + fb.intn(8)
	for i := 0; i < nNodes; i++ {
		op := fb.pick(fuzzOps)
		nd := &onnx.Node{Name: fmt.Sprintf("n%d_%d", depth, i), OpType: op}
		for j, k := 0, fb.intn(6); j < k; j++ {
			nd.Inputs = append(nd.Inputs, fb.pick(names))
		}
		out := fmt.Sprintf("v%d_%d", depth, i)
		nd.Outputs = []string{out}
		if fb.intn(8) == 0 {
			nd.Outputs = append(nd.Outputs, out+"_b")
		}
		for j, k := 0, fb.intn(4); j < k; j++ {
			switch fb.intn(6) {
			case 0, 1:
				nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: fb.pick(fuzzIntAttrs), Type: onnx.AttrInt, I: fb.small()})
			case 2, 3:
				a := &onnx.Attribute{Name: fb.pick(fuzzIntsAttrs), Type: onnx.AttrInts}
				for l, m := 0, fb.intn(5); l < m; l++ {
					a.Ints = append(a.Ints, fb.small())
				}
				nd.Attrs = append(nd.Attrs, a)
			case 4:
				nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: fb.pick(fuzzFloatAttrs), Type: onnx.AttrFloat, F: float32(fb.small()) / 4})
			case 5:
				switch fb.intn(4) {
				case 0:
					nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: "auto_pad", Type: onnx.AttrString,
						S: []byte(fb.pick([]string{"SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "BAD"}))})
				case 1:
					nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: "rounding_mode", Type: onnx.AttrString,
						S: []byte(fb.pick([]string{"ROUND", "FLOOR", "CEIL", "ROUND_TO_ZERO", "NEAREST"}))})
				case 2:
					nd.Attrs = append(nd.Attrs, &onnx.Attribute{Name: "value", Type: onnx.AttrTensor,
						T: onnx.NewFloatTensor("t", []int64{int64(fb.intn(3))}, []float32{1.5, -2}[:fb.intn(3)])})
				case 3:
					if depth < 2 {
						nd.Attrs = append(nd.Attrs,
							&onnx.Attribute{Name: "then_branch", Type: onnx.AttrGraph, G: fuzzGraph(fb, depth+1, false)},
							&onnx.Attribute{Name: "else_branch", Type: onnx.AttrGraph, G: fuzzGraph(fb, depth+1, false)})
					}
				}
			}
		}
		g.Nodes = append(g.Nodes, nd)
		names = append(names, nd.Outputs...)
	}
	g.Outputs = []*onnx.ValueInfo{{Name: names[len(names)-1-fb.intn(2)], ElemType: onnx.Float}}
	return g
}

// FuzzImportONNXOps builds ONNX models node by node from the fuzz input,
// which reaches the importer's op handlers far more often than mutating
// protobuf bytes. Besides the checks of FuzzImportONNX, an accepted graph
// must run in the float simulator.
func FuzzImportONNXOps(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte("\x02\x03\x04\x02\x01\x05\x00\x01\x12\x00\x07\x01\x02\x03\x04\x05\x06\x07"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := fuzzModel(data, 0)
		g, err := ImportONNX(onnx.Encode(m), "fuzz.onnx")
		if err != nil {
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("imported graph does not validate: %v\n%s", err, g.Text())
		}
		text := g.Text()
		g2, err := ir.Parse(text)
		if err != nil {
			t.Fatalf("printed graph does not parse: %v\n%s", err, text)
		}
		if text2 := g2.Text(); text2 != text {
			t.Fatalf("print/parse round trip differs:\n--- first\n%s\n--- second\n%s", text, text2)
		}
		fs, err := sim.NewFloat(g)
		if err != nil {
			t.Fatalf("float simulator rejects the imported graph: %v\n%s", err, text)
		}
		var ins []sim.Batch
		for _, v := range g.Inputs {
			b := sim.NewBatch(2, v.Shape)
			for i := range b.Data {
				b.Data[i] = float32(i%7) - 3
			}
			ins = append(ins, b)
		}
		if _, err := fs.Run(ins); err != nil {
			t.Fatalf("float simulator: %v\n%s", err, text)
		}
	})
}
