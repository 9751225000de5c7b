// Package onnx reads and writes ONNX model files (the protobuf ModelProto
// format) without generated code.
//
// The compiler only needs the parts of ONNX that describe an inference graph:
// nodes, attributes, initializers and the declared types and shapes of graph
// inputs and outputs. Decoding is done by hand with protowire so that the
// package has no protoc step and so that every failure on a hostile or
// damaged file is an ordinary error (with the byte offset and the place in the
// model) rather than a panic or a huge allocation: the inputs come from many
// exporters (torch.onnx.export from PyTorch 0.3 to 2.x, OnnxMLTools for Keras,
// QONNX/Brevitas), some of them old and quirky.
//
// Fields the compiler does not use (doc strings, metadata, model-local
// functions, sparse initializers, training info, non-tensor value types) are
// skipped on decode and therefore not written back by [Encode].
package onnx

import "fmt"

// DataType is an ONNX TensorProto.DataType: the element type of a tensor.
type DataType int32

// TensorProto.DataType values. The numbering is fixed by onnx.proto.
const (
	Undefined      DataType = 0
	Float          DataType = 1
	Uint8          DataType = 2
	Int8           DataType = 3
	Uint16         DataType = 4
	Int16          DataType = 5
	Int32          DataType = 6
	Int64          DataType = 7
	String         DataType = 8
	Bool           DataType = 9
	Float16        DataType = 10
	Double         DataType = 11
	Uint32         DataType = 12
	Uint64         DataType = 13
	Complex64      DataType = 14
	Complex128     DataType = 15
	BFloat16       DataType = 16
	Float8E4M3FN   DataType = 17
	Float8E4M3FNUZ DataType = 18
	Float8E5M2     DataType = 19
	Float8E5M2FNUZ DataType = 20
	Uint4          DataType = 21
	Int4           DataType = 22
	Float4E2M1     DataType = 23
	Float8E8M0     DataType = 24
)

var dataTypeNames = [...]string{
	Undefined: "UNDEFINED", Float: "FLOAT", Uint8: "UINT8", Int8: "INT8",
	Uint16: "UINT16", Int16: "INT16", Int32: "INT32", Int64: "INT64",
	String: "STRING", Bool: "BOOL", Float16: "FLOAT16", Double: "DOUBLE",
	Uint32: "UINT32", Uint64: "UINT64", Complex64: "COMPLEX64",
	Complex128: "COMPLEX128", BFloat16: "BFLOAT16",
	Float8E4M3FN: "FLOAT8E4M3FN", Float8E4M3FNUZ: "FLOAT8E4M3FNUZ",
	Float8E5M2: "FLOAT8E5M2", Float8E5M2FNUZ: "FLOAT8E5M2FNUZ",
	Uint4: "UINT4", Int4: "INT4", Float4E2M1: "FLOAT4E2M1",
	Float8E8M0: "FLOAT8E8M0",
}

// String returns the ONNX spelling of the type ("FLOAT", "INT64", ...), so
// that error messages use the names users see in Netron and onnx.helper.
func (d DataType) String() string {
	if d >= 0 && int(d) < len(dataTypeNames) {
		return dataTypeNames[d]
	}
	return fmt.Sprintf("DataType(%d)", int32(d))
}

// Model is an ONNX ModelProto reduced to what a compiler needs.
type Model struct {
	IRVersion       int64
	OpsetImports    []OpsetID
	ProducerName    string
	ProducerVersion string
	Domain          string
	Graph           *Graph
}

// OpsetID is one entry of ModelProto.opset_import: the operator set version
// the model was written against for one operator domain.
type OpsetID struct {
	Domain  string
	Version int64
}

// Opset returns the operator set version the model imports for domain.
// "" and "ai.onnx" name the same default domain (exporters use both), so
// either spelling finds the other. ok is false if the domain is not imported.
// If a domain is (invalidly) imported twice, the first entry wins.
func (m *Model) Opset(domain string) (version int64, ok bool) {
	if m == nil {
		return 0, false
	}
	want := canonicalDomain(domain)
	for _, o := range m.OpsetImports {
		if canonicalDomain(o.Domain) == want {
			return o.Version, true
		}
	}
	return 0, false
}

func canonicalDomain(d string) string {
	if d == "ai.onnx" {
		return ""
	}
	return d
}

// Graph is an ONNX GraphProto. Graphs also appear nested, as the GRAPH and
// GRAPHS attributes of control-flow nodes such as If and Loop.
//
// Files from IR version 3 and older (all the PyTorch 0.3 and OnnxMLTools
// exports) also list every initializer in Inputs; callers that want the
// "real" inputs must drop the names that have an initializer.
type Graph struct {
	Name         string
	Nodes        []*Node
	Initializers []*Tensor
	Inputs       []*ValueInfo
	Outputs      []*ValueInfo
	ValueInfo    []*ValueInfo
}

// Node is one operator application (NodeProto).
type Node struct {
	Name, OpType, Domain string
	// Inputs and Outputs are value names. An empty string marks an omitted
	// optional input or output; it must be kept so that later positions keep
	// their meaning.
	Inputs, Outputs []string
	Attrs           []*Attribute
}

// Attr returns the node's attribute called name, or nil if absent.
func (n *Node) Attr(name string) *Attribute {
	if n == nil {
		return nil
	}
	for _, a := range n.Attrs {
		if a != nil && a.Name == name {
			return a
		}
	}
	return nil
}

// AttrType is an ONNX AttributeProto.AttributeType: which value field of an
// Attribute is meaningful.
type AttrType int32

// AttributeProto.AttributeType values, numbered as in onnx.proto.
const (
	AttrUndefined    AttrType = 0
	AttrFloat        AttrType = 1
	AttrInt          AttrType = 2
	AttrString       AttrType = 3
	AttrTensor       AttrType = 4
	AttrGraph        AttrType = 5
	AttrFloats       AttrType = 6
	AttrInts         AttrType = 7
	AttrStrings      AttrType = 8
	AttrTensors      AttrType = 9
	AttrGraphs       AttrType = 10
	AttrSparseTensor AttrType = 11
	AttrTypeProto    AttrType = 13
)

var attrTypeNames = [...]string{
	AttrUndefined: "UNDEFINED", AttrFloat: "FLOAT", AttrInt: "INT",
	AttrString: "STRING", AttrTensor: "TENSOR", AttrGraph: "GRAPH",
	AttrFloats: "FLOATS", AttrInts: "INTS", AttrStrings: "STRINGS",
	AttrTensors: "TENSORS", AttrGraphs: "GRAPHS",
	AttrSparseTensor: "SPARSE_TENSOR", 12: "SPARSE_TENSORS",
	AttrTypeProto: "TYPE_PROTO", 14: "TYPE_PROTOS",
}

// String returns the ONNX spelling of the attribute type ("INTS", ...).
func (t AttrType) String() string {
	if t >= 0 && int(t) < len(attrTypeNames) {
		return attrTypeNames[t]
	}
	return fmt.Sprintf("AttrType(%d)", int32(t))
}

// Attribute is a named constant parameter of a node (AttributeProto). Type
// says which of the value fields is meaningful.
//
// IR version 1 files (early PyTorch 0.3 exporters) have no type field; the
// decoder then infers Type from which value field is present, as onnx's own
// checker does for those files. An attribute whose only value is an empty
// list in such a file stays AttrUndefined, because nothing on the wire says
// which list it was.
type Attribute struct {
	Name    string
	Type    AttrType
	F       float32
	I       int64
	S       []byte
	T       *Tensor
	G       *Graph
	Floats  []float32
	Ints    []int64
	Strings [][]byte
	Tensors []*Tensor
	Graphs  []*Graph
}

// Dim is one dimension of a declared shape. Param is non-empty for a
// symbolic dimension (such as "batch_size"); Value 0 with an empty Param
// means the dimension is unknown.
//
// Exporters disagree on how to mark the batch axis: PyTorch 0.3 wrote a
// made-up number (the hls4ml files say 789444), Keras converters write 1,
// and newer exporters write a Param. The reader reports what is in the file
// and leaves the interpretation to the caller. In ONNX the two fields are a
// oneof; if both are set, Encode writes Param.
type Dim struct {
	Value int64
	Param string
}

// ValueInfo is the declared name, element type and shape of a graph input,
// output or intermediate value (ValueInfoProto with a tensor type).
//
// Only tensor types are represented. For sequence, map, optional and sparse
// tensor types ElemType is Undefined and HasShape is false.
type ValueInfo struct {
	Name     string
	ElemType DataType
	Shape    []Dim
	// HasShape is false when the type carries no shape at all (rank
	// unknown), which is different from a scalar (HasShape with no dims).
	HasShape bool
}
