package onnx

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// Hand-built wire bytes, for inputs Encode would never produce.

func field(num protowire.Number, msg ...[]byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, slices.Concat(msg...))
}

func varintField(num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
}

func fixed32Field(num protowire.Number, v uint32) []byte {
	return protowire.AppendFixed32(protowire.AppendTag(nil, num, protowire.Fixed32Type), v)
}

func str(num protowire.Number, s string) []byte { return field(num, []byte(s)) }

// minimalModel wraps graph message bytes in a ModelProto.
func minimalModel(graph ...[]byte) []byte {
	return slices.Concat(varintField(1, 8), field(7, graph...), field(8, varintField(2, 17)))
}

// subgraph returns a graph with one node whose GRAPH attribute holds inner.
func subgraph(name string, inner *Graph) *Graph {
	return &Graph{
		Name: name,
		Nodes: []*Node{{
			Name: name + "_if", OpType: "If", Inputs: []string{"cond"}, Outputs: []string{name + "_out"},
			Attrs: []*Attribute{
				{Name: "then_branch", Type: AttrGraph, G: inner},
				{Name: "else_branch", Type: AttrGraph, G: &Graph{Name: name + "_else"}},
			},
		}},
		Outputs: []*ValueInfo{{Name: name + "_out", ElemType: Float, HasShape: true}},
	}
}

// richModel uses every attribute type, every tensor storage and nested
// subgraphs.
func richModel() *Model {
	f16 := &Tensor{Name: "h", Dims: []int64{3}, DataType: Float16, int32Data: []int32{0x3c00, 0xc000, 0x0001}}
	body := &Graph{
		Name: "loop_body",
		Nodes: []*Node{{OpType: "Add", Inputs: []string{"a", "b"}, Outputs: []string{"c"}},
			{OpType: "Identity", Inputs: []string{"c"}, Outputs: []string{"d"}}},
		Initializers: []*Tensor{NewInt64Tensor("one", nil, []int64{1})},
		Inputs:       []*ValueInfo{{Name: "i", ElemType: Int64, HasShape: true}},
		Outputs:      []*ValueInfo{{Name: "d", ElemType: Float, Shape: []Dim{{Param: "N"}, {Value: 4}, {}}, HasShape: true}},
	}
	return &Model{
		IRVersion:       9,
		OpsetImports:    []OpsetID{{"", 19}, {"com.example", 2}},
		ProducerName:    "trigo-test",
		ProducerVersion: "1.0",
		Domain:          "org.example",
		Graph: &Graph{
			Name: "main",
			Nodes: []*Node{
				{
					Name: "everything", OpType: "Custom", Domain: "com.example",
					Inputs:  []string{"x", "", "w"}, // "" = omitted optional input
					Outputs: []string{"y", ""},
					Attrs: []*Attribute{
						{Name: "f", Type: AttrFloat, F: -1.5},
						{Name: "negzero", Type: AttrFloat, F: float32(math.Copysign(0, -1))},
						{Name: "nan", Type: AttrFloat, F: math.Float32frombits(0x7fc00123)},
						{Name: "i", Type: AttrInt, I: -7},
						{Name: "s", Type: AttrString, S: []byte("ROUND")},
						{Name: "t", Type: AttrTensor, T: NewFloatTensor("", []int64{2}, []float32{1, 2})},
						{Name: "g", Type: AttrGraph, G: subgraph("level1", subgraph("level2", body))},
						{Name: "floats", Type: AttrFloats, Floats: []float32{0.5, -2, float32(math.Inf(1))}},
						{Name: "ints", Type: AttrInts, Ints: []int64{0, -1, math.MaxInt64, math.MinInt64}},
						{Name: "strings", Type: AttrStrings, Strings: [][]byte{[]byte("a"), nil, []byte("ccc")}},
						{Name: "tensors", Type: AttrTensors, Tensors: []*Tensor{f16, NewInt64Tensor("v", []int64{2}, []int64{3, 4})}},
						{Name: "graphs", Type: AttrGraphs, Graphs: []*Graph{body, {Name: "empty"}}},
						{Name: "empty_ints", Type: AttrInts},
						{Name: "zero_int", Type: AttrInt},
					},
				},
				{OpType: "Loop", Inputs: []string{"", "cond"}, Outputs: []string{"z"},
					Attrs: []*Attribute{{Name: "body", Type: AttrGraph, G: body}}},
			},
			Initializers: []*Tensor{
				NewFloatTensor("w", []int64{2, 2}, []float32{1, -2, 3.5, 0}),
				NewInt64Tensor("shape", []int64{2}, []int64{-1, 4}),
				{Name: "fd", Dims: []int64{2}, DataType: Float, floatData: []float32{1, 2}},
				{Name: "dd", Dims: []int64{1}, DataType: Double, doubleData: []float64{math.Pi}},
				{Name: "i8", Dims: []int64{3}, DataType: Int8, int32Data: []int32{-128, 127, 0}},
				{Name: "u64", Dims: []int64{2}, DataType: Uint64, uint64Data: []uint64{1, math.MaxUint64}},
				{Name: "i64", Dims: []int64{2}, DataType: Int64, int64Data: []int64{math.MinInt64, 5}},
				{Name: "str", Dims: []int64{2}, DataType: String, stringData: [][]byte{[]byte("x"), nil}},
				{Name: "ext", Dims: []int64{4}, DataType: Float, dataLocation: dataLocationExternal,
					externalData: []keyValue{{"location", "w.bin"}, {"offset", "0"}}},
				f16,
			},
			Inputs: []*ValueInfo{
				{Name: "x", ElemType: Float, Shape: []Dim{{Param: "batch"}, {Value: 3}}, HasShape: true},
				{Name: "scalar", ElemType: Int64, HasShape: true},
				{Name: "unranked", ElemType: Float},
				{Name: "untyped"},
			},
			Outputs:   []*ValueInfo{{Name: "y", ElemType: Double, Shape: []Dim{{Value: 789444}, {Value: -1}}, HasShape: true}},
			ValueInfo: []*ValueInfo{{Name: "z", ElemType: Bool, Shape: []Dim{{}}, HasShape: true}},
		},
	}
}

func TestRoundTripConstructed(t *testing.T) {
	m := richModel()
	b := Encode(m)
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(m, got); d != "" {
		t.Fatalf("round trip differs at %s", d)
	}
	if string(Encode(got)) != string(b) {
		t.Error("second encoding differs")
	}
	lvl2 := got.Graph.Nodes[0].Attr("g").G.Nodes[0].Attr("then_branch").G
	if lvl2.Name != "level2" || lvl2.Nodes[0].Attr("then_branch").G.Name != "loop_body" {
		t.Errorf("nested graphs lost: %+v", lvl2)
	}
	if v, ok := got.Opset("com.example"); !ok || v != 2 {
		t.Errorf("Opset(com.example) = %d %v", v, ok)
	}
	if _, ok := got.Opset("com.missing"); ok {
		t.Error("found a missing domain")
	}
}

// TestAttributeWithoutType mimics IR version 1 files, whose attributes have
// no type field: the type comes from whichever value field is present.
func TestAttributeWithoutType(t *testing.T) {
	node := slices.Concat(str(4, "Gemm"), str(2, "y"),
		field(5, str(1, "alpha"), fixed32Field(2, math.Float32bits(0.5))),
		field(5, str(1, "transB"), varintField(3, 1)),
		field(5, str(1, "mode"), str(4, "constant")),
		field(5, str(1, "perm"), varintField(8, 1), varintField(8, 0)),
		field(5, str(1, "packed"), field(8, protowire.AppendVarint(protowire.AppendVarint(nil, 3), 300))),
		field(5, str(1, "scales"), field(7, protowire.AppendFixed32(nil, math.Float32bits(2)))),
		field(5, str(1, "value"), field(5, varintField(2, 1))),
		field(5, str(1, "names"), str(9, "a"), str(9, "b")),
		field(5, str(1, "zero_f"), fixed32Field(2, 0)),
		field(5, str(1, "nothing")),
	)
	m, err := Decode(minimalModel(field(1, node)))
	if err != nil {
		t.Fatal(err)
	}
	n := m.Graph.Nodes[0]
	want := map[string]AttrType{"alpha": AttrFloat, "transB": AttrInt, "mode": AttrString, "perm": AttrInts,
		"packed": AttrInts, "scales": AttrFloats, "value": AttrTensor, "names": AttrStrings, "zero_f": AttrFloat, "nothing": AttrUndefined}
	for name, typ := range want {
		if a := n.Attr(name); a == nil || a.Type != typ {
			t.Errorf("%s: got %+v, want type %v", name, a, typ)
		}
	}
	if a := n.Attr("packed"); !slices.Equal(a.Ints, []int64{3, 300}) {
		t.Errorf("packed ints = %v", a.Ints)
	}
	if a := n.Attr("perm"); !slices.Equal(a.Ints, []int64{1, 0}) {
		t.Errorf("perm = %v", a.Ints)
	}
	if a := n.Attr("alpha"); a.F != 0.5 {
		t.Errorf("alpha = %v", a.F)
	}
}

// TestUnknownFieldsSkipped checks forward compatibility: fields from newer
// ONNX versions, and known fields with an unexpected wire type, are ignored.
func TestUnknownFieldsSkipped(t *testing.T) {
	unknown := slices.Concat(varintField(99, 5), str(98, "future"), fixed32Field(97, 1),
		protowire.AppendFixed64(protowire.AppendTag(nil, 96, protowire.Fixed64Type), 1),
		protowire.AppendTag(nil, 95, protowire.StartGroupType), varintField(1, 1), protowire.AppendTag(nil, 95, protowire.EndGroupType))
	tensor := slices.Concat(unknown, varintField(1, 2), field(1, protowire.AppendVarint(nil, 3)), varintField(2, uint64(Float)),
		str(8, "w"), str(2, "wrong wire type for data_type"),
		field(4, protowire.AppendFixed32(protowire.AppendFixed32(nil, math.Float32bits(1)), math.Float32bits(2))),
		fixed32Field(4, math.Float32bits(3)), fixed32Field(4, math.Float32bits(4)),
		fixed32Field(4, math.Float32bits(5)), fixed32Field(4, math.Float32bits(6)))
	graph := slices.Concat(unknown, field(1, str(4, "Relu"), unknown, varintField(4, 7)), field(5, tensor),
		field(11, str(1, "x"), field(2, field(1, varintField(1, 1), field(2, field(1, str(2, "N")), field(1, varintField(1, 3), unknown))))),
		field(11, str(1, "seq"), field(2, field(4, field(1, field(1, varintField(1, 1)))))))
	b := slices.Concat(unknown, minimalModel(graph), str(25, "functions are skipped"))
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	g := m.Graph
	if len(g.Nodes) != 1 || g.Nodes[0].OpType != "Relu" {
		t.Errorf("nodes = %+v", g.Nodes)
	}
	w := g.Initializers[0]
	vals, err := w.Float64s()
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "w" || !slices.Equal(w.Dims, []int64{2, 3}) || !slices.Equal(vals, []float64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("tensor = %+v %v", w, vals)
	}
	x := g.Inputs[0]
	if x.ElemType != Float || !x.HasShape || !slices.Equal(x.Shape, []Dim{{Param: "N"}, {Value: 3}}) {
		t.Errorf("x = %+v", x)
	}
	if seq := g.Inputs[1]; seq.ElemType != Undefined || seq.HasShape {
		t.Errorf("sequence input = %+v", seq)
	}
}

func TestDecodeErrors(t *testing.T) {
	if _, err := Decode(nil); !errors.Is(err, ErrEmptyFile) || err.Error() != "onnx: empty file" {
		t.Errorf("empty: %v", err)
	}
	huge := protowire.AppendVarint(nil, 1<<60)
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"no graph", varintField(1, 7), "model has no graph"},
		{"text", []byte("hello, this is not a model"), "is this an ONNX model file?"},
		{"huge graph length", slices.Concat(varintField(1, 7), protowire.AppendTag(nil, 7, protowire.BytesType), huge, []byte{1, 2, 3}),
			"truncated ModelProto field 7 (graph) at byte 2: needs 1152921504606846976 bytes, 3 left"},
		{"huge raw_data", minimalModel(field(5, str(8, "w"), protowire.AppendTag(nil, 9, protowire.BytesType), huge)),
			"truncated TensorProto field 9 (raw_data) at byte"},
		{"huge packed floats", minimalModel(field(5, protowire.AppendTag(nil, 4, protowire.BytesType), huge)),
			"truncated TensorProto field 4 (float_data)"},
		{"huge node count claim", minimalModel(protowire.AppendTag(nil, 1, protowire.BytesType), huge),
			"truncated GraphProto field 1 (node)"},
		{"bad packed varint", minimalModel(field(5, field(7, []byte{0x80, 0x80}))),
			"malformed packed TensorProto field 7 (int64_data) at byte"},
		{"ragged packed floats", minimalModel(field(5, field(4, []byte{1, 2, 3}))),
			"not a whole number of floats"},
		{"truncated op_type", minimalModel(field(1, str(1, "x"), protowire.AppendTag(nil, 4, protowire.BytesType), []byte{10, 'G'})),
			"truncated NodeProto field 4 (op_type) at byte"},
		{"varint overflow", minimalModel(field(1, varintField(1, 0)[:1], slices.Repeat([]byte{0xff}, 11))),
			"malformed NodeProto field 1 (input)"},
		{"field number zero", minimalModel(field(1, []byte{0x00, 0x01})), "invalid NodeProto field tag"},
		{"reserved wire type", minimalModel(field(1, []byte{0x0e})), "malformed NodeProto field 1 (input)"},
		{"stray end group", minimalModel(field(1, []byte{0x0c})), "mismatching end group"},
		{"error path", minimalModel(field(1, str(4, "A")), field(1, str(4, "B"), field(5, str(1, "x"), []byte{0x2a, 0x05}))),
			"(in graph.node[1].attribute[0])"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Errorf("%T is not a *DecodeError", err)
			}
		})
	}
}

// TestHugeClaimsDoNotAllocate feeds length prefixes and dims that claim
// enormous sizes and checks that memory use stays proportional to the input.
func TestHugeClaimsDoNotAllocate(t *testing.T) {
	inputs := [][]byte{
		slices.Concat(protowire.AppendTag(nil, 7, protowire.BytesType), protowire.AppendVarint(nil, math.MaxUint64>>1)),
		minimalModel(field(5, protowire.AppendTag(nil, 9, protowire.BytesType), protowire.AppendVarint(nil, 1<<62))),
		minimalModel(field(5, varintField(1, 1<<40), varintField(1, 1<<40), varintField(2, 1), field(9, []byte{0, 0, 0, 0}))),
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, in := range inputs {
		m, err := Decode(in)
		if err == nil {
			for _, init := range m.Graph.Initializers {
				if _, err := init.Float64s(); err == nil {
					t.Error("Float64s accepted 4 bytes for 2^80 elements")
				}
			}
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("decoding tiny inputs allocated %d bytes", grew)
	}
}

// nestedGraphBytes builds depth graphs, each holding the next in a GRAPH
// attribute, directly as wire bytes (Encode refuses such depth).
func nestedGraphBytes(depth int) []byte {
	g := str(2, "leaf")
	for range depth - 1 {
		g = field(1, str(4, "If"), field(5, str(1, "then_branch"), varintField(20, uint64(AttrGraph)), field(6, g)))
	}
	return g
}

func TestNestingDepth(t *testing.T) {
	m, err := Decode(minimalModel(nestedGraphBytes(MaxGraphDepth)))
	if err != nil {
		t.Fatalf("depth %d: %v", MaxGraphDepth, err)
	}
	depth := 1
	for g := m.Graph; len(g.Nodes) > 0; g = g.Nodes[0].Attrs[0].G {
		depth++
	}
	if depth != MaxGraphDepth {
		t.Errorf("decoded depth %d", depth)
	}
	if _, err := Decode(Encode(m)); err != nil {
		t.Errorf("re-decode: %v", err)
	}

	_, err = Decode(minimalModel(nestedGraphBytes(MaxGraphDepth + 1)))
	if err == nil || !strings.Contains(err.Error(), "nested more than 64 deep") {
		t.Errorf("depth %d: %v", MaxGraphDepth+1, err)
	}
	_, err = Decode(minimalModel(nestedGraphBytes(1000)))
	if err == nil {
		t.Error("depth 1000 accepted")
	}

	// Deeply nested unknown groups are skipped by protowire with its own
	// limit; they must not crash either.
	deep := slices.Concat(slices.Repeat(protowire.AppendTag(nil, 50, protowire.StartGroupType), 20000),
		slices.Repeat(protowire.AppendTag(nil, 50, protowire.EndGroupType), 20000))
	if _, err := Decode(minimalModel(deep)); err == nil {
		t.Error("20000 nested groups accepted")
	}

	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "contain itself") {
			t.Errorf("Encode of a cyclic graph: recover() = %v", r)
		}
	}()
	cyc := &Graph{Name: "cycle"}
	cyc.Nodes = []*Node{{OpType: "If", Attrs: []*Attribute{{Name: "then_branch", Type: AttrGraph, G: cyc}}}}
	Encode(&Model{Graph: cyc})
}

// TestRandomBytes checks that arbitrary input never panics and that anything
// accepted has a graph.
func TestRandomBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(200)+1)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		m, err := Decode(b)
		if err == nil && m.Graph == nil {
			t.Fatalf("decoded %x without a graph", b)
		}
	}
}

// TestMutatedExamples flips bytes of real models: damage anywhere must give
// an error or a model that still round-trips.
func TestMutatedExamples(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for name, orig := range readExamples(t) {
		for range 300 {
			b := slices.Clone(orig)
			for range r.IntN(4) + 1 {
				b[r.IntN(len(b))] = byte(r.Uint32())
			}
			checkDecodeRoundTrip(t, name, b)
		}
	}
}

// checkDecodeRoundTrip is the property the fuzzer checks too: whatever
// decodes must survive Encode and decode to the same model, and the tensor
// accessors must not panic on it.
func checkDecodeRoundTrip(t *testing.T, name string, b []byte) {
	t.Helper()
	m, err := Decode(b)
	if err != nil {
		return
	}
	enc := Encode(m)
	m2, err := Decode(enc)
	if err != nil {
		t.Fatalf("%s: re-decoding Encode output failed: %v", name, err)
	}
	if d := diff(m, m2); d != "" {
		t.Fatalf("%s: round trip differs at %s", name, d)
	}
	for _, init := range m.Graph.Initializers {
		init.Float64s()
		init.Int64s()
		init.Strings()
	}
}
