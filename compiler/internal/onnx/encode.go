package onnx

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Encode serializes m as an ONNX ModelProto. It is the inverse of [Decode]
// for everything the structs hold: decoding the result yields an equal
// model. Tensors are written with the storage they already have (raw_data
// for those built by [NewFloatTensor] and [NewInt64Tensor]).
//
// Fields are written in field-number order, repeated scalars packed where
// onnx.proto declares them packed and unpacked elsewhere, as protobuf itself
// would, so the output loads in onnx, onnxruntime and Netron. Nil list
// entries are written as empty messages.
//
// Encode panics if graphs nest more than [MaxGraphDepth] deep, which for a
// model built in code means a graph that contains itself; Decode could not
// read such a file back anyway.
func Encode(m *Model) []byte {
	if m == nil {
		return nil
	}
	var b []byte
	b = appendInt(b, 1, m.IRVersion)
	b = appendStr(b, 2, m.ProducerName)
	b = appendStr(b, 3, m.ProducerVersion)
	b = appendStr(b, 4, m.Domain)
	if m.Graph != nil {
		b = appendMsg(b, 7, encodeGraph(m.Graph, 1))
	}
	for _, o := range m.OpsetImports {
		var ob []byte
		ob = appendStr(ob, 1, o.Domain)
		ob = appendInt(ob, 2, o.Version)
		b = appendMsg(b, 8, ob)
	}
	return b
}

// Field writers. Singular scalars are omitted when zero (the proto2 default,
// which decodes to the same Go zero value); repeated elements never are.

func appendInt(b []byte, num protowire.Number, v int64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func appendStr(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	return appendStrAlways(b, num, s)
}

func appendStrAlways(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendMsg(b []byte, num protowire.Number, msg []byte) []byte {
	return appendBytes(b, num, msg)
}

func appendUnpackedInts(b []byte, num protowire.Number, vs []int64) []byte {
	for _, v := range vs {
		b = protowire.AppendTag(b, num, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(v))
	}
	return b
}

func appendPackedVarints[T int32 | int64 | uint64](b []byte, num protowire.Number, vs []T) []byte {
	if len(vs) == 0 {
		return b
	}
	n := 0
	for _, v := range vs {
		n += protowire.SizeVarint(uint64(int64(v)))
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(n))
	for _, v := range vs {
		// int32 values are sign-extended to 64 bits, as protobuf requires.
		b = protowire.AppendVarint(b, uint64(int64(v)))
	}
	return b
}

func appendPackedFloats(b []byte, num protowire.Number, vs []float32) []byte {
	if len(vs) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(4*len(vs)))
	for _, v := range vs {
		b = protowire.AppendFixed32(b, math.Float32bits(v))
	}
	return b
}

func appendPackedDoubles(b []byte, num protowire.Number, vs []float64) []byte {
	if len(vs) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(8*len(vs)))
	for _, v := range vs {
		b = protowire.AppendFixed64(b, math.Float64bits(v))
	}
	return b
}

func encodeGraph(g *Graph, depth int) []byte {
	if depth > MaxGraphDepth {
		panic(fmt.Sprintf("onnx: Encode: graphs nested more than %d deep (does a graph contain itself?)", MaxGraphDepth))
	}
	var b []byte
	for _, n := range g.Nodes {
		b = appendMsg(b, 1, encodeNode(n, depth))
	}
	b = appendStr(b, 2, g.Name)
	for _, t := range g.Initializers {
		b = appendMsg(b, 5, encodeTensor(t))
	}
	for _, vi := range g.Inputs {
		b = appendMsg(b, 11, encodeValueInfo(vi))
	}
	for _, vi := range g.Outputs {
		b = appendMsg(b, 12, encodeValueInfo(vi))
	}
	for _, vi := range g.ValueInfo {
		b = appendMsg(b, 13, encodeValueInfo(vi))
	}
	return b
}

func encodeNode(n *Node, depth int) []byte {
	if n == nil {
		return nil
	}
	var b []byte
	for _, s := range n.Inputs {
		b = appendStrAlways(b, 1, s)
	}
	for _, s := range n.Outputs {
		b = appendStrAlways(b, 2, s)
	}
	b = appendStr(b, 3, n.Name)
	b = appendStr(b, 4, n.OpType)
	for _, a := range n.Attrs {
		b = appendMsg(b, 5, encodeAttribute(a, depth))
	}
	b = appendStr(b, 7, n.Domain)
	return b
}

// encodeAttribute writes every value field that is set, not only the one
// Type selects, so that whatever Decode produced comes back unchanged.
func encodeAttribute(a *Attribute, depth int) []byte {
	if a == nil {
		return nil
	}
	var b []byte
	b = appendStr(b, 1, a.Name)
	// Compare bits, not values, so -0 and NaN payloads survive.
	if bits := math.Float32bits(a.F); bits != 0 {
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, bits)
	}
	b = appendInt(b, 3, a.I)
	if len(a.S) > 0 {
		b = appendBytes(b, 4, a.S)
	}
	if a.T != nil {
		b = appendMsg(b, 5, encodeTensor(a.T))
	}
	if a.G != nil {
		b = appendMsg(b, 6, encodeGraph(a.G, depth+1))
	}
	for _, f := range a.Floats {
		b = protowire.AppendTag(b, 7, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(f))
	}
	b = appendUnpackedInts(b, 8, a.Ints)
	for _, s := range a.Strings {
		b = appendBytes(b, 9, s)
	}
	for _, t := range a.Tensors {
		b = appendMsg(b, 10, encodeTensor(t))
	}
	for _, g := range a.Graphs {
		if g == nil {
			b = appendMsg(b, 11, nil)
			continue
		}
		b = appendMsg(b, 11, encodeGraph(g, depth+1))
	}
	b = appendInt(b, 20, int64(a.Type))
	return b
}

func encodeTensor(t *Tensor) []byte {
	if t == nil {
		return nil
	}
	var b []byte
	b = appendUnpackedInts(b, 1, t.Dims)
	b = appendInt(b, 2, int64(t.DataType))
	b = appendPackedFloats(b, 4, t.floatData)
	b = appendPackedVarints(b, 5, t.int32Data)
	for _, s := range t.stringData {
		b = appendBytes(b, 6, s)
	}
	b = appendPackedVarints(b, 7, t.int64Data)
	b = appendStr(b, 8, t.Name)
	if len(t.raw) > 0 {
		b = appendBytes(b, 9, t.raw)
	}
	b = appendPackedDoubles(b, 10, t.doubleData)
	b = appendPackedVarints(b, 11, t.uint64Data)
	for _, kv := range t.externalData {
		var kb []byte
		kb = appendStr(kb, 1, kv.Key)
		kb = appendStr(kb, 2, kv.Value)
		b = appendMsg(b, 13, kb)
	}
	b = appendInt(b, 14, int64(t.dataLocation))
	return b
}

func encodeValueInfo(vi *ValueInfo) []byte {
	if vi == nil {
		return nil
	}
	var b []byte
	b = appendStr(b, 1, vi.Name)
	if vi.ElemType == Undefined && !vi.HasShape && len(vi.Shape) == 0 {
		return b
	}
	var tt []byte
	tt = appendInt(tt, 1, int64(vi.ElemType))
	if vi.HasShape || len(vi.Shape) > 0 {
		var sb []byte
		for _, d := range vi.Shape {
			var db []byte
			if d.Param != "" {
				db = appendStrAlways(db, 2, d.Param)
			} else {
				db = appendInt(db, 1, d.Value)
			}
			sb = appendMsg(sb, 1, db)
		}
		tt = appendMsg(tt, 2, sb)
	}
	var typ []byte
	typ = appendMsg(typ, 1, tt)
	return appendMsg(b, 2, typ)
}
