package onnx

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// MaxGraphDepth bounds how deeply graphs may nest through GRAPH and GRAPHS
// attributes (If, Loop, Scan bodies). Real models nest a handful of levels;
// the bound keeps a hostile file from exhausting the stack.
const MaxGraphDepth = 64

// ErrEmptyFile is returned by [Decode] for zero-length input, which is what
// an interrupted download or a failed export typically leaves behind.
var ErrEmptyFile = errors.New("onnx: empty file")

// DecodeError describes where in the input and where in the model decoding
// failed.
type DecodeError struct {
	// Msg says what was wrong, e.g. "truncated NodeProto field 4 (op_type)".
	Msg string
	// Offset is the byte offset in the input of the offending field's tag,
	// or -1 if the problem is not tied to one position.
	Offset int
	// Path locates the message in the model, e.g. "graph.node[3].attribute[0]".
	Path string
	// Detail optionally explains Msg, e.g. "needs 4096 bytes, 17 left".
	Detail string
}

// Error formats the error as "onnx: MSG at byte N (in PATH): DETAIL".
func (e *DecodeError) Error() string {
	s := "onnx: " + e.Msg
	if e.Offset >= 0 {
		s += fmt.Sprintf(" at byte %d", e.Offset)
	}
	if e.Path != "" {
		s += " (in " + e.Path + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// within prefixes err's Path with the field name (and list index, if
// index >= 0): errors are built at the innermost message and gain context
// as they propagate out. Formatting happens only on failure.
func within(err error, name string, index int) error {
	if err == nil {
		return nil
	}
	var de *DecodeError
	if errors.As(err, &de) {
		seg := name
		if index >= 0 {
			seg = fmt.Sprintf("%s[%d]", name, index)
		}
		if de.Path == "" {
			de.Path = seg
		} else {
			de.Path = seg + "." + de.Path
		}
	}
	return err
}

// Decode parses a serialized ONNX ModelProto.
//
// Unknown fields, and known fields with an unexpected wire type, are skipped
// as protobuf parsers do, so files from newer ONNX versions still load.
// Malformed input yields a *DecodeError (or [ErrEmptyFile]). Decode never
// panics, and its allocations are proportional to len(b): no length prefix
// or dimension in the file is trusted to size a buffer.
func Decode(b []byte) (*Model, error) {
	if len(b) == 0 {
		return nil, ErrEmptyFile
	}
	m := &Model{}
	if err := decodeModel(m, reader{b: b, msg: "ModelProto"}); err != nil {
		return nil, err
	}
	if m.Graph == nil {
		return nil, &DecodeError{Msg: "model has no graph (is this an ONNX model file?)", Offset: -1}
	}
	return m, nil
}

// reader walks the fields of one serialized message. Offsets are absolute
// positions in the original input so that errors point into the file.
type reader struct {
	b   []byte // unread part of the message
	off int    // offset of b[0] in the input
	msg string // protobuf message name, for errors

	// The field most recently returned by next.
	num protowire.Number
	typ protowire.Type
	at  int // offset of its tag
}

// next reads the next field's tag. It returns false at the end of the
// message.
func (r *reader) next() (bool, error) {
	if len(r.b) == 0 {
		return false, nil
	}
	num, typ, n := protowire.ConsumeTag(r.b)
	r.at = r.off
	if n < 0 {
		err := &DecodeError{Msg: "invalid " + r.msg + " field tag", Offset: r.at, Detail: describe(n)}
		if r.msg == "ModelProto" {
			err.Detail += notONNX
		}
		return false, err
	}
	r.num, r.typ = num, typ
	r.advance(n)
	return true, nil
}

func (r *reader) advance(n int) {
	r.b = r.b[n:]
	r.off += n
}

// notONNX is appended to errors in the outermost message, where damage
// usually means the file is something else (HDF5, TorchScript, text).
const notONNX = " (is this an ONNX model file?)"

// fail reports a protowire error code for the current field, whose value
// starts at r.b[0].
func (r *reader) fail(n int) error {
	field := r.field()
	if errors.Is(protowire.ParseError(n), io.ErrUnexpectedEOF) {
		err := &DecodeError{Msg: "truncated " + field, Offset: r.at}
		if r.typ == protowire.BytesType {
			if l, k := protowire.ConsumeVarint(r.b); k > 0 {
				err.Detail = fmt.Sprintf("needs %d bytes, %d left", l, len(r.b)-k)
			}
		}
		return err
	}
	err := &DecodeError{Msg: "malformed " + field, Offset: r.at, Detail: describe(n)}
	if r.msg == "ModelProto" {
		err.Detail += notONNX
	}
	return err
}

// describe turns a protowire error code into text without protowire's
// "proto: " prefix.
func describe(n int) string {
	err := protowire.ParseError(n)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "truncated"
	}
	return strings.TrimPrefix(err.Error(), "proto: ")
}

// fieldNames gives the onnx.proto names of the fields, for error messages.
var fieldNames = map[string]map[protowire.Number]string{
	"ModelProto": {1: "ir_version", 2: "producer_name", 3: "producer_version", 4: "domain",
		5: "model_version", 6: "doc_string", 7: "graph", 8: "opset_import", 14: "metadata_props",
		20: "training_info", 25: "functions"},
	"OperatorSetIdProto": {1: "domain", 2: "version"},
	"GraphProto": {1: "node", 2: "name", 5: "initializer", 10: "doc_string", 11: "input",
		12: "output", 13: "value_info", 14: "quantization_annotation", 15: "sparse_initializer"},
	"NodeProto": {1: "input", 2: "output", 3: "name", 4: "op_type", 5: "attribute",
		6: "doc_string", 7: "domain"},
	"AttributeProto": {1: "name", 2: "f", 3: "i", 4: "s", 5: "t", 6: "g", 7: "floats",
		8: "ints", 9: "strings", 10: "tensors", 11: "graphs", 13: "doc_string", 14: "tp",
		15: "type_protos", 20: "type", 21: "ref_attr_name", 22: "sparse_tensor", 23: "sparse_tensors"},
	"TensorProto": {1: "dims", 2: "data_type", 3: "segment", 4: "float_data", 5: "int32_data",
		6: "string_data", 7: "int64_data", 8: "name", 9: "raw_data", 10: "double_data",
		11: "uint64_data", 12: "doc_string", 13: "external_data", 14: "data_location"},
	"StringStringEntryProto":     {1: "key", 2: "value"},
	"ValueInfoProto":             {1: "name", 2: "type", 3: "doc_string"},
	"TypeProto":                  {1: "tensor_type", 4: "sequence_type", 5: "map_type", 6: "denotation", 8: "sparse_tensor_type", 9: "optional_type"},
	"TypeProto.Tensor":           {1: "elem_type", 2: "shape"},
	"TensorShapeProto":           {1: "dim"},
	"TensorShapeProto.Dimension": {1: "dim_value", 2: "dim_param", 3: "denotation"},
}

// skip consumes the current field's value without interpreting it.
func (r *reader) skip() error {
	n := protowire.ConsumeFieldValue(r.num, r.typ, r.b)
	if n < 0 {
		return r.fail(n)
	}
	r.advance(n)
	return nil
}

func (r *reader) varint() (uint64, error) {
	v, n := protowire.ConsumeVarint(r.b)
	if n < 0 {
		return 0, r.fail(n)
	}
	r.advance(n)
	return v, nil
}

// bytes returns the current length-delimited value, aliasing the input.
func (r *reader) bytes() ([]byte, error) {
	v, n := protowire.ConsumeBytes(r.b)
	if n < 0 {
		return nil, r.fail(n)
	}
	r.advance(n)
	return v, nil
}

// sub returns a reader for the embedded message in the current field, or
// ok=false (after skipping it) if the field does not have the bytes wire type.
func (r *reader) sub(msg string) (sr reader, ok bool, err error) {
	if r.typ != protowire.BytesType {
		return reader{}, false, r.skip()
	}
	start := r.off
	v, n := protowire.ConsumeBytes(r.b)
	if n < 0 {
		return reader{}, false, r.fail(n)
	}
	r.advance(n)
	return reader{b: v, off: start + n - len(v), msg: msg}, true, nil
}

// The typed field readers below skip fields whose wire type does not match
// the schema, as protobuf does for unknown fields.

func (r *reader) str(dst *string) error {
	if r.typ != protowire.BytesType {
		return r.skip()
	}
	v, err := r.bytes()
	if err != nil {
		return err
	}
	*dst = string(v)
	return nil
}

// blob stores a copy of a bytes field (nil when empty) so that decoded
// models never alias, or pin, the caller's buffer.
func (r *reader) blob(dst *[]byte) error {
	if r.typ != protowire.BytesType {
		return r.skip()
	}
	v, err := r.bytes()
	if err != nil {
		return err
	}
	*dst = cloneBytes(v)
	return nil
}

func cloneBytes(v []byte) []byte {
	if len(v) == 0 {
		return nil
	}
	return append([]byte(nil), v...)
}

func (r *reader) int64v(dst *int64) error {
	if r.typ != protowire.VarintType {
		return r.skip()
	}
	v, err := r.varint()
	if err != nil {
		return err
	}
	*dst = int64(v)
	return nil
}

// int32v reads an int32 or enum field; like protobuf it keeps the low 32
// bits of the (sign-extended) varint.
func (r *reader) int32v(dst *int32) error {
	if r.typ != protowire.VarintType {
		return r.skip()
	}
	v, err := r.varint()
	if err != nil {
		return err
	}
	*dst = int32(v)
	return nil
}

func (r *reader) float32v(dst *float32) error {
	if r.typ != protowire.Fixed32Type {
		return r.skip()
	}
	v, n := protowire.ConsumeFixed32(r.b)
	if n < 0 {
		return r.fail(n)
	}
	r.advance(n)
	*dst = math.Float32frombits(v)
	return nil
}

// packed returns the payload of a packed repeated field (wire type bytes).
// Parsers must accept both packed and unpacked forms for every repeated
// scalar field, whatever the schema declares, and exporters do use both
// (ONNX's own Python writes dims and ints unpacked, float_data packed).
func (r *reader) packed() ([]byte, error) {
	return r.bytes()
}

func (r *reader) badPacked(what string) error {
	return &DecodeError{Msg: "malformed packed " + r.field(), Offset: r.at, Detail: what}
}

// field names the current field for error messages, e.g.
// "NodeProto field 4 (op_type)".
func (r *reader) field() string {
	s := fmt.Sprintf("%s field %d", r.msg, r.num)
	if name := fieldNames[r.msg][r.num]; name != "" {
		s += " (" + name + ")"
	}
	return s
}

// appendVarints appends the values of a repeated varint field, converting
// each as protobuf does for the field's declared type (int32 keeps the low
// 32 bits).
func appendVarints[T int32 | int64 | uint64](r *reader, dst []T) ([]T, error) {
	switch r.typ {
	case protowire.VarintType:
		v, err := r.varint()
		if err != nil {
			return dst, err
		}
		return append(dst, T(v)), nil
	case protowire.BytesType:
		p, err := r.packed()
		if err != nil {
			return dst, err
		}
		// Every varint ends in exactly one byte below 0x80, so this counts
		// the values from the payload itself: capacity is bounded by the
		// input, never by a claimed length.
		count := 0
		for _, c := range p {
			if c < 0x80 {
				count++
			}
		}
		dst = slices.Grow(dst, count)
		for len(p) > 0 {
			v, n := protowire.ConsumeVarint(p)
			if n < 0 {
				return dst, r.badPacked(describe(n))
			}
			dst = append(dst, T(v))
			p = p[n:]
		}
		return dst, nil
	}
	return dst, r.skip()
}

// float32s appends the values of a repeated float field.
func (r *reader) float32s(dst []float32) ([]float32, error) {
	switch r.typ {
	case protowire.Fixed32Type:
		var f float32
		if err := r.float32v(&f); err != nil {
			return dst, err
		}
		return append(dst, f), nil
	case protowire.BytesType:
		p, err := r.packed()
		if err != nil {
			return dst, err
		}
		if len(p)%4 != 0 {
			return dst, r.badPacked(fmt.Sprintf("%d bytes is not a whole number of floats", len(p)))
		}
		dst = slices.Grow(dst, len(p)/4)
		for i := 0; i < len(p); i += 4 {
			v, _ := protowire.ConsumeFixed32(p[i:])
			dst = append(dst, math.Float32frombits(v))
		}
		return dst, nil
	}
	return dst, r.skip()
}

// float64s appends the values of a repeated double field.
func (r *reader) float64s(dst []float64) ([]float64, error) {
	switch r.typ {
	case protowire.Fixed64Type:
		v, n := protowire.ConsumeFixed64(r.b)
		if n < 0 {
			return dst, r.fail(n)
		}
		r.advance(n)
		return append(dst, math.Float64frombits(v)), nil
	case protowire.BytesType:
		p, err := r.packed()
		if err != nil {
			return dst, err
		}
		if len(p)%8 != 0 {
			return dst, r.badPacked(fmt.Sprintf("%d bytes is not a whole number of doubles", len(p)))
		}
		dst = slices.Grow(dst, len(p)/8)
		for i := 0; i < len(p); i += 8 {
			v, _ := protowire.ConsumeFixed64(p[i:])
			dst = append(dst, math.Float64frombits(v))
		}
		return dst, nil
	}
	return dst, r.skip()
}

// Message decoders. Each one merges into an existing struct, which is what
// protobuf does when a singular message field occurs more than once.

func decodeModel(m *Model, r reader) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch r.num {
		case 1:
			err = r.int64v(&m.IRVersion)
		case 2:
			err = r.str(&m.ProducerName)
		case 3:
			err = r.str(&m.ProducerVersion)
		case 4:
			err = r.str(&m.Domain)
		case 7:
			var sr reader
			if sr, ok, err = r.sub("GraphProto"); ok {
				if m.Graph == nil {
					m.Graph = &Graph{}
				}
				err = within(decodeGraph(m.Graph, sr, 1), "graph", -1)
			}
		case 8:
			var sr reader
			if sr, ok, err = r.sub("OperatorSetIdProto"); ok {
				var o OpsetID
				err = within(decodeOpset(&o, sr), "opset_import", len(m.OpsetImports))
				m.OpsetImports = append(m.OpsetImports, o)
			}
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}

func decodeOpset(o *OpsetID, r reader) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch r.num {
		case 1:
			err = r.str(&o.Domain)
		case 2:
			err = r.int64v(&o.Version)
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}

func decodeGraph(g *Graph, r reader, depth int) error {
	if depth > MaxGraphDepth {
		return &DecodeError{Msg: fmt.Sprintf("graphs nested more than %d deep", MaxGraphDepth), Offset: r.off}
	}
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		var sr reader
		switch r.num {
		case 1:
			if sr, ok, err = r.sub("NodeProto"); ok {
				n := &Node{}
				err = within(decodeNode(n, sr, depth), "node", len(g.Nodes))
				g.Nodes = append(g.Nodes, n)
			}
		case 2:
			err = r.str(&g.Name)
		case 5:
			if sr, ok, err = r.sub("TensorProto"); ok {
				t := &Tensor{}
				err = within(decodeTensor(t, sr), "initializer", len(g.Initializers))
				g.Initializers = append(g.Initializers, t)
			}
		case 11, 12, 13:
			if sr, ok, err = r.sub("ValueInfoProto"); ok {
				vi := &ValueInfo{}
				list, name := &g.Inputs, "input"
				if r.num == 12 {
					list, name = &g.Outputs, "output"
				} else if r.num == 13 {
					list, name = &g.ValueInfo, "value_info"
				}
				err = within(decodeValueInfo(vi, sr), name, len(*list))
				*list = append(*list, vi)
			}
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}

func decodeNode(n *Node, r reader, depth int) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch r.num {
		case 1, 2:
			var s string
			if r.typ != protowire.BytesType {
				err = r.skip()
				break
			}
			if err = r.str(&s); err == nil {
				if r.num == 1 {
					n.Inputs = append(n.Inputs, s)
				} else {
					n.Outputs = append(n.Outputs, s)
				}
			}
		case 3:
			err = r.str(&n.Name)
		case 4:
			err = r.str(&n.OpType)
		case 5:
			var sr reader
			if sr, ok, err = r.sub("AttributeProto"); ok {
				a := &Attribute{}
				err = within(decodeAttribute(a, sr, depth), "attribute", len(n.Attrs))
				n.Attrs = append(n.Attrs, a)
			}
		case 7:
			err = r.str(&n.Domain)
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}

func decodeAttribute(a *Attribute, r reader, depth int) error {
	// seen records which value fields occur, to infer Type for IR version 1
	// files that predate the type field.
	var seen [AttrGraphs + 1]bool
	for {
		ok, err := r.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		var sr reader
		switch r.num {
		case 1:
			err = r.str(&a.Name)
		case 20:
			err = r.int32v((*int32)(&a.Type))
		case 2:
			seen[AttrFloat] = seen[AttrFloat] || r.typ == protowire.Fixed32Type
			err = r.float32v(&a.F)
		case 3:
			seen[AttrInt] = seen[AttrInt] || r.typ == protowire.VarintType
			err = r.int64v(&a.I)
		case 4:
			seen[AttrString] = seen[AttrString] || r.typ == protowire.BytesType
			err = r.blob(&a.S)
		case 5:
			if sr, ok, err = r.sub("TensorProto"); ok {
				seen[AttrTensor] = true
				if a.T == nil {
					a.T = &Tensor{}
				}
				err = within(decodeTensor(a.T, sr), "t", -1)
			}
		case 6:
			if sr, ok, err = r.sub("GraphProto"); ok {
				seen[AttrGraph] = true
				if a.G == nil {
					a.G = &Graph{}
				}
				err = within(decodeGraph(a.G, sr, depth+1), "g", -1)
			}
		case 7:
			seen[AttrFloats] = seen[AttrFloats] || r.typ == protowire.Fixed32Type || r.typ == protowire.BytesType
			a.Floats, err = r.float32s(a.Floats)
		case 8:
			seen[AttrInts] = seen[AttrInts] || r.typ == protowire.VarintType || r.typ == protowire.BytesType
			a.Ints, err = appendVarints(&r, a.Ints)
		case 9:
			if r.typ != protowire.BytesType {
				err = r.skip()
				break
			}
			seen[AttrStrings] = true
			var s []byte
			if err = r.blob(&s); err == nil {
				a.Strings = append(a.Strings, s)
			}
		case 10:
			if sr, ok, err = r.sub("TensorProto"); ok {
				seen[AttrTensors] = true
				t := &Tensor{}
				err = within(decodeTensor(t, sr), "tensors", len(a.Tensors))
				a.Tensors = append(a.Tensors, t)
			}
		case 11:
			if sr, ok, err = r.sub("GraphProto"); ok {
				seen[AttrGraphs] = true
				g := &Graph{}
				err = within(decodeGraph(g, sr, depth+1), "graphs", len(a.Graphs))
				a.Graphs = append(a.Graphs, g)
			}
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
	if a.Type == AttrUndefined {
		for t := AttrFloat; t <= AttrGraphs; t++ {
			if seen[t] {
				a.Type = t
				break
			}
		}
	}
	return nil
}

func decodeTensor(t *Tensor, r reader) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch r.num {
		case 1:
			t.Dims, err = appendVarints(&r, t.Dims)
		case 2:
			err = r.int32v((*int32)(&t.DataType))
		case 4:
			t.floatData, err = r.float32s(t.floatData)
		case 5:
			t.int32Data, err = appendVarints(&r, t.int32Data)
		case 6:
			if r.typ != protowire.BytesType {
				err = r.skip()
				break
			}
			var s []byte
			if err = r.blob(&s); err == nil {
				t.stringData = append(t.stringData, s)
			}
		case 7:
			t.int64Data, err = appendVarints(&r, t.int64Data)
		case 8:
			err = r.str(&t.Name)
		case 9:
			err = r.blob(&t.raw)
		case 10:
			t.doubleData, err = r.float64s(t.doubleData)
		case 11:
			t.uint64Data, err = appendVarints(&r, t.uint64Data)
		case 13:
			var sr reader
			if sr, ok, err = r.sub("StringStringEntryProto"); ok {
				var kv keyValue
				err = within(decodeKeyValue(&kv, sr), "external_data", len(t.externalData))
				t.externalData = append(t.externalData, kv)
			}
		case 14:
			err = r.int32v(&t.dataLocation)
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}

func decodeKeyValue(kv *keyValue, r reader) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch r.num {
		case 1:
			err = r.str(&kv.Key)
		case 2:
			err = r.str(&kv.Value)
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}

func decodeValueInfo(vi *ValueInfo, r reader) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch r.num {
		case 1:
			err = r.str(&vi.Name)
		case 2:
			var sr reader
			if sr, ok, err = r.sub("TypeProto"); ok {
				err = within(decodeType(vi, sr), "type", -1)
			}
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}

// decodeType reads a TypeProto, keeping only its tensor_type. Other kinds
// (sequence, map, optional) nest TypeProtos; they are skipped unparsed, so
// they cannot drive recursion.
func decodeType(vi *ValueInfo, r reader) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		if r.num != 1 {
			if err := r.skip(); err != nil {
				return err
			}
			continue
		}
		sr, ok, err := r.sub("TypeProto.Tensor")
		if err != nil {
			return err
		}
		if ok {
			if err := within(decodeTensorType(vi, sr), "tensor_type", -1); err != nil {
				return err
			}
		}
	}
}

func decodeTensorType(vi *ValueInfo, r reader) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch r.num {
		case 1:
			err = r.int32v((*int32)(&vi.ElemType))
		case 2:
			var sr reader
			if sr, ok, err = r.sub("TensorShapeProto"); ok {
				vi.HasShape = true
				err = within(decodeShape(vi, sr), "shape", -1)
			}
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}

func decodeShape(vi *ValueInfo, r reader) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		if r.num != 1 {
			if err := r.skip(); err != nil {
				return err
			}
			continue
		}
		sr, ok, err := r.sub("TensorShapeProto.Dimension")
		if err != nil {
			return err
		}
		if ok {
			var d Dim
			if err := within(decodeDim(&d, sr), "dim", len(vi.Shape)); err != nil {
				return err
			}
			vi.Shape = append(vi.Shape, d)
		}
	}
}

// decodeDim reads a Dimension. dim_value and dim_param form a oneof, so the
// last one present wins and clears the other.
func decodeDim(d *Dim, r reader) error {
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch {
		case r.num == 1 && r.typ == protowire.VarintType:
			err = r.int64v(&d.Value)
			d.Param = ""
		case r.num == 2 && r.typ == protowire.BytesType:
			err = r.str(&d.Param)
			d.Value = 0
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}
