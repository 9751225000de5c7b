package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Tensor is an ONNX TensorProto: a constant (initializer, Constant value or
// tensor attribute).
//
// The values are kept exactly as they were stored in the file, because ONNX
// allows several encodings (raw_data or one of the typed repeated fields,
// chosen by the exporter) and [Encode] must be able to write back what was
// read. Use [Tensor.Float64s] or [Tensor.Int64s] to read them whatever the
// storage.
type Tensor struct {
	Name     string
	Dims     []int64
	DataType DataType

	raw          []byte
	floatData    []float32
	int32Data    []int32
	stringData   [][]byte
	int64Data    []int64
	doubleData   []float64
	uint64Data   []uint64
	externalData []keyValue
	dataLocation int32
}

// keyValue is an ONNX StringStringEntryProto.
type keyValue struct{ Key, Value string }

// dataLocationExternal is TensorProto.DataLocation.EXTERNAL.
const dataLocationExternal = 1

// NewFloatTensor returns a FLOAT tensor holding a copy of data, stored as
// raw_data (the compact encoding every modern exporter uses). It does not
// check that len(data) matches dims; [Tensor.Float64s] reports a mismatch.
func NewFloatTensor(name string, dims []int64, data []float32) *Tensor {
	var raw []byte
	if len(data) > 0 {
		raw = make([]byte, 0, 4*len(data))
		for _, v := range data {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	}
	return &Tensor{Name: name, Dims: cloneDims(dims), DataType: Float, raw: raw}
}

// NewInt64Tensor returns an INT64 tensor holding a copy of data, stored as
// raw_data. It does not check that len(data) matches dims.
func NewInt64Tensor(name string, dims []int64, data []int64) *Tensor {
	var raw []byte
	if len(data) > 0 {
		raw = make([]byte, 0, 8*len(data))
		for _, v := range data {
			raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
		}
	}
	return &Tensor{Name: name, Dims: cloneDims(dims), DataType: Int64, raw: raw}
}

// cloneDims copies dims so that a tensor never aliases its caller's slice,
// and maps an empty slice to nil so constructed and decoded scalars compare
// equal.
func cloneDims(dims []int64) []int64 {
	if len(dims) == 0 {
		return nil
	}
	return slices.Clone(dims)
}

// External reports whether the tensor's values live in a separate file
// (data_location EXTERNAL), which this package does not read.
func (t *Tensor) External() bool {
	return t.dataLocation == dataLocationExternal || len(t.externalData) > 0
}

// NumElements returns the product of Dims (1 for a scalar). It fails on a
// negative dimension or when the product overflows int64, which only a
// damaged or hostile file can contain.
func (t *Tensor) NumElements() (int64, error) {
	n := int64(1)
	for i, d := range t.Dims {
		if d < 0 {
			return 0, t.errorf("dimension %d is negative (%d)", i, d)
		}
		if d != 0 && n > math.MaxInt64/d {
			return 0, t.errorf("dims %v overflow int64", t.Dims)
		}
		n *= d
	}
	return n, nil
}

func (t *Tensor) errorf(format string, args ...any) error {
	return fmt.Errorf("onnx: tensor %q: %s", t.Name, fmt.Sprintf(format, args...))
}

// elem is one decoded tensor element. Integer types keep their exact value in
// i (isInt true); floating types, and UINT64 values above MaxInt64, are in f.
type elem struct {
	f     float64
	i     int64
	isInt bool
}

func intElem(v int64) elem     { return elem{f: float64(v), i: v, isInt: true} }
func floatElem(v float64) elem { return elem{f: v} }

// rawSize is the byte size of one element in raw_data, or 0 for types this
// package cannot decode (strings, complex, sub-byte and 8-bit float types).
func rawSize(d DataType) int {
	switch d {
	case Uint8, Int8, Bool:
		return 1
	case Uint16, Int16, Float16, BFloat16:
		return 2
	case Float, Int32, Uint32:
		return 4
	case Int64, Uint64, Double:
		return 8
	}
	return 0
}

// elements locates the tensor's values and returns their count and an
// accessor. The count comes from the data actually present in the file, so
// callers allocate in proportion to the input, never to what Dims claim.
func (t *Tensor) elements() (int, func(int) elem, error) {
	if t.External() {
		loc := ""
		for _, kv := range t.externalData {
			if kv.Key == "location" {
				loc = fmt.Sprintf(" (in %q)", kv.Value)
			}
		}
		return 0, nil, t.errorf("values are stored in external data%s, which is not supported; "+
			"re-export the model with the weights embedded (torch.onnx.export(..., external_data=False) "+
			"or onnx.save_model(model, path, save_as_external_data=False))", loc)
	}
	d := t.DataType
	size := rawSize(d)
	if size == 0 {
		return 0, nil, t.errorf("%v tensors have no numeric values this reader can decode", d)
	}
	if t.raw != nil {
		if len(t.raw)%size != 0 {
			return 0, nil, t.errorf("raw_data has %d bytes, not a multiple of the %d-byte %v element", len(t.raw), size, d)
		}
		return len(t.raw) / size, t.rawElem, nil
	}
	// onnx.proto fixes which typed field holds each type's values.
	switch d {
	case Float:
		return len(t.floatData), func(i int) elem { return floatElem(float64(t.floatData[i])) }, nil
	case Double:
		return len(t.doubleData), func(i int) elem { return floatElem(t.doubleData[i]) }, nil
	case Int64:
		return len(t.int64Data), func(i int) elem { return intElem(t.int64Data[i]) }, nil
	case Uint32:
		return len(t.uint64Data), func(i int) elem { return intElem(int64(uint32(t.uint64Data[i]))) }, nil
	case Uint64:
		return len(t.uint64Data), func(i int) elem { return uint64Elem(t.uint64Data[i]) }, nil
	}
	// Every other supported type keeps its values (or, for FLOAT16 and
	// BFLOAT16, its bit patterns) in int32_data. Narrow integers are
	// truncated to their width, as numpy's astype does in onnx.numpy_helper.
	return len(t.int32Data), func(i int) elem { return narrowElem(d, uint64(uint32(t.int32Data[i]))) }, nil
}

// rawElem decodes element i of raw_data (little-endian, as onnx.proto
// requires whatever the host).
func (t *Tensor) rawElem(i int) elem {
	d := t.DataType
	b := t.raw[i*rawSize(d):]
	switch d {
	case Float:
		return floatElem(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))))
	case Double:
		return floatElem(math.Float64frombits(binary.LittleEndian.Uint64(b)))
	case Int32:
		return intElem(int64(int32(binary.LittleEndian.Uint32(b))))
	case Uint32:
		return intElem(int64(binary.LittleEndian.Uint32(b)))
	case Int64:
		return intElem(int64(binary.LittleEndian.Uint64(b)))
	case Uint64:
		return uint64Elem(binary.LittleEndian.Uint64(b))
	case Uint16, Int16, Float16, BFloat16:
		return narrowElem(d, uint64(binary.LittleEndian.Uint16(b)))
	default: // Uint8, Int8, Bool
		return narrowElem(d, uint64(b[0]))
	}
}

func uint64Elem(v uint64) elem {
	if v > math.MaxInt64 {
		return floatElem(float64(v))
	}
	return intElem(int64(v))
}

// narrowElem interprets the low bits of v as one element of a type narrower
// than 32 bits.
func narrowElem(d DataType, v uint64) elem {
	switch d {
	case Uint8:
		return intElem(int64(uint8(v)))
	case Int8:
		return intElem(int64(int8(v)))
	case Uint16:
		return intElem(int64(uint16(v)))
	case Int16:
		return intElem(int64(int16(v)))
	case Bool:
		if v&0xff != 0 {
			return intElem(1)
		}
		return intElem(0)
	case Float16:
		return floatElem(halfToFloat64(uint16(v)))
	case BFloat16:
		return floatElem(float64(math.Float32frombits(uint32(uint16(v)) << 16)))
	default: // Int32 in int32_data
		return intElem(int64(int32(v)))
	}
}

// halfToFloat64 converts an IEEE 754 binary16 bit pattern.
func halfToFloat64(h uint16) float64 {
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	var f float64
	switch exp {
	case 0: // zero or subnormal
		f = math.Ldexp(frac, -24)
	case 0x1f:
		if frac == 0 {
			f = math.Inf(1)
		} else {
			f = math.NaN()
		}
	default:
		f = math.Ldexp(frac+1024, exp-25)
	}
	if h&0x8000 != 0 {
		f = -f
	}
	return f
}

// checkedElements is elements plus the check that the file holds exactly
// as many values as Dims describe.
func (t *Tensor) checkedElements() (int, func(int) elem, error) {
	if t.DataType == String {
		return 0, nil, t.errorf("STRING tensors have no numeric values")
	}
	n, at, err := t.elements()
	if err != nil {
		return 0, nil, err
	}
	want, err := t.NumElements()
	if err != nil {
		return 0, nil, err
	}
	if int64(n) != want {
		return 0, nil, t.errorf("holds %d values but dims %v need %d%s", n, t.Dims, want, t.storageHint())
	}
	return n, at, nil
}

// storageHint names the fields that do hold data, to explain a count
// mismatch caused by an exporter that used the wrong field for the type.
func (t *Tensor) storageHint() string {
	var have []string
	add := func(name string, n int, unit string) {
		if n > 0 {
			have = append(have, fmt.Sprintf("%s: %d %s", name, n, unit))
		}
	}
	add("raw_data", len(t.raw), "bytes")
	add("float_data", len(t.floatData), "values")
	add("int32_data", len(t.int32Data), "values")
	add("string_data", len(t.stringData), "values")
	add("int64_data", len(t.int64Data), "values")
	add("double_data", len(t.doubleData), "values")
	add("uint64_data", len(t.uint64Data), "values")
	if len(have) == 0 {
		return " (the tensor stores no data)"
	}
	return fmt.Sprintf(" (the %v tensor has %s)", t.DataType, strings.Join(have, ", "))
}

// Float64s returns the tensor's values as float64, whatever the element
// type and storage: raw_data, float_data, double_data, int32_data (which
// also carries INT8/UINT8/INT16/UINT16/BOOL values and FLOAT16/BFLOAT16 bit
// patterns), int64_data or uint64_data. 64-bit integers beyond 2^53 lose
// precision; use [Tensor.Int64s] for exact integers.
//
// It fails for STRING and other non-numeric types, for external data, and
// when the number of stored values is not the product of Dims.
func (t *Tensor) Float64s() ([]float64, error) {
	n, at, err := t.checkedElements()
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = at(i).f
	}
	return out, nil
}

// Int64s returns the tensor's values as exact int64s. Integer types are
// read without going through float64; floating-point values must be whole
// numbers within int64 range (shape and axis constants are sometimes stored
// as floats).
func (t *Tensor) Int64s() ([]int64, error) {
	n, at, err := t.checkedElements()
	if err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for i := range out {
		e := at(i)
		if e.isInt {
			out[i] = e.i
			continue
		}
		// 2^63 is exactly representable; the valid range is [-2^63, 2^63).
		if e.f != math.Trunc(e.f) || e.f < -(1<<63) || e.f >= 1<<63 {
			return nil, t.errorf("value %d (%v) is not an int64", i, e.f)
		}
		out[i] = int64(e.f)
	}
	return out, nil
}

// Strings returns the values of a STRING tensor (string_data).
func (t *Tensor) Strings() ([][]byte, error) {
	if t.DataType != String {
		return nil, t.errorf("%v tensor is not a STRING tensor", t.DataType)
	}
	if t.External() {
		_, _, err := t.elements()
		return nil, err
	}
	want, err := t.NumElements()
	if err != nil {
		return nil, err
	}
	if int64(len(t.stringData)) != want {
		return nil, t.errorf("holds %d strings but dims %v need %d", len(t.stringData), t.Dims, want)
	}
	return t.stringData, nil
}
