package onnx

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestTensorValues(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		t      *Tensor
		floats []float64
		ints   []int64 // nil: Int64s must fail
	}{
		{"float raw", NewFloatTensor("a", []int64{3}, []float32{1, -2.5, 0}), []float64{1, -2.5, 0}, nil},
		{"whole floats", NewFloatTensor("a", []int64{2}, []float32{3, -4}), []float64{3, -4}, []int64{3, -4}},
		{"int64 raw", NewInt64Tensor("s", []int64{2}, []int64{-1, math.MaxInt64}), []float64{-1, math.MaxInt64}, []int64{-1, math.MaxInt64}},
		{"scalar", NewInt64Tensor("s", nil, []int64{7}), []float64{7}, []int64{7}},
		{"empty", NewFloatTensor("e", []int64{0, 3}, nil), []float64{}, []int64{}},
		{"float_data", &Tensor{Dims: []int64{2}, DataType: Float, floatData: []float32{0.5, 2}}, []float64{0.5, 2}, nil},
		{"double_data", &Tensor{Dims: []int64{1}, DataType: Double, doubleData: []float64{math.Pi}}, []float64{math.Pi}, nil},
		{"double raw", &Tensor{DataType: Double, raw: []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f}}, []float64{1}, []int64{1}},
		{"int8 int32_data", &Tensor{Dims: []int64{3}, DataType: Int8, int32Data: []int32{-128, 127, 255}}, []float64{-128, 127, -1}, []int64{-128, 127, -1}},
		{"uint8 raw", &Tensor{Dims: []int64{2}, DataType: Uint8, raw: []byte{0, 255}}, []float64{0, 255}, []int64{0, 255}},
		{"int16 raw", &Tensor{Dims: []int64{1}, DataType: Int16, raw: []byte{0xff, 0xff}}, []float64{-1}, []int64{-1}},
		{"uint16 int32_data", &Tensor{Dims: []int64{1}, DataType: Uint16, int32Data: []int32{65535}}, []float64{65535}, []int64{65535}},
		{"int32 raw", &Tensor{Dims: []int64{1}, DataType: Int32, raw: []byte{0xfe, 0xff, 0xff, 0xff}}, []float64{-2}, []int64{-2}},
		{"int32 int32_data", &Tensor{Dims: []int64{1}, DataType: Int32, int32Data: []int32{math.MinInt32}}, []float64{math.MinInt32}, []int64{math.MinInt32}},
		{"bool", &Tensor{Dims: []int64{3}, DataType: Bool, raw: []byte{0, 1, 2}}, []float64{0, 1, 1}, []int64{0, 1, 1}},
		{"uint32 uint64_data", &Tensor{Dims: []int64{1}, DataType: Uint32, uint64Data: []uint64{math.MaxUint32}}, []float64{math.MaxUint32}, []int64{math.MaxUint32}},
		{"uint64 big", &Tensor{Dims: []int64{2}, DataType: Uint64, uint64Data: []uint64{5, math.MaxUint64}}, []float64{5, math.MaxUint64}, nil},
		{"int64_data", &Tensor{Dims: []int64{2}, DataType: Int64, int64Data: []int64{math.MinInt64, 3}}, []float64{math.MinInt64, 3}, []int64{math.MinInt64, 3}},
		{"float16 int32_data", &Tensor{Dims: []int64{6}, DataType: Float16, int32Data: []int32{0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0x3555}},
			[]float64{1, -2, 0x1p-24, 65504, math.Inf(1), 0.333251953125}, nil},
		{"float16 raw", &Tensor{Dims: []int64{2}, DataType: Float16, raw: []byte{0x00, 0x3c, 0x00, 0x80}}, []float64{1, math.Copysign(0, -1)}, []int64{1, 0}},
		{"float16 nan", &Tensor{Dims: []int64{1}, DataType: Float16, int32Data: []int32{0x7e00}}, []float64{nan}, nil},
		{"bfloat16", &Tensor{Dims: []int64{2}, DataType: BFloat16, int32Data: []int32{0x3f80, 0xc0a0}}, []float64{1, -5}, []int64{1, -5}},
		{"bfloat16 raw", &Tensor{Dims: []int64{1}, DataType: BFloat16, raw: []byte{0x49, 0x40}}, []float64{3.140625}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.t.Float64s()
			if err != nil {
				t.Fatal(err)
			}
			if len(f) != len(tc.floats) {
				t.Fatalf("Float64s = %v, want %v", f, tc.floats)
			}
			for i := range f {
				if math.Float64bits(f[i]) != math.Float64bits(tc.floats[i]) && !(math.IsNaN(f[i]) && math.IsNaN(tc.floats[i])) {
					t.Errorf("Float64s = %v, want %v", f, tc.floats)
				}
			}
			ints, err := tc.t.Int64s()
			if tc.ints == nil {
				if err == nil {
					t.Errorf("Int64s = %v, want an error", ints)
				}
			} else if err != nil || !slices.Equal(ints, tc.ints) {
				t.Errorf("Int64s = %v, %v, want %v", ints, err, tc.ints)
			}
			// Storage survives the wire.
			m, err := Decode(Encode(&Model{Graph: &Graph{Initializers: []*Tensor{tc.t}}}))
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(tc.t, m.Graph.Initializers[0]); d != "" {
				t.Errorf("round trip differs at %s", d)
			}
		})
	}
}

func TestTensorErrors(t *testing.T) {
	tests := []struct {
		name string
		t    *Tensor
		want string
	}{
		{"count mismatch", NewFloatTensor("w", []int64{2, 2}, []float32{1, 2, 3}), `tensor "w": holds 3 values but dims [2 2] need 4 (the FLOAT tensor has raw_data: 12 bytes)`},
		{"wrong field", &Tensor{Name: "w", Dims: []int64{2}, DataType: Float, int64Data: []int64{1, 2}}, "FLOAT tensor has int64_data: 2 values"},
		{"no data", &Tensor{Name: "w", Dims: []int64{2}, DataType: Float}, "the tensor stores no data"},
		{"ragged raw", &Tensor{Name: "w", DataType: Float, raw: []byte{1, 2, 3}}, "raw_data has 3 bytes, not a multiple of the 4-byte FLOAT element"},
		{"string", &Tensor{Name: "s", DataType: String, stringData: [][]byte{[]byte("a")}}, "STRING tensors have no numeric values"},
		{"undefined", &Tensor{Name: "u", raw: []byte{1}}, "UNDEFINED tensors have no numeric values"},
		{"complex", &Tensor{Name: "c", DataType: Complex64, floatData: []float32{1, 2}}, "COMPLEX64 tensors"},
		{"negative dim", &Tensor{Name: "n", Dims: []int64{-1}, DataType: Float}, "dimension 0 is negative (-1)"},
		{"overflow", &Tensor{Name: "o", Dims: []int64{1 << 62, 4}, DataType: Float, raw: []byte{0, 0, 0, 0}}, "overflow int64"},
		{"external", &Tensor{Name: "big", Dims: []int64{4}, DataType: Float, dataLocation: dataLocationExternal,
			externalData: []keyValue{{"location", "model.onnx.data"}}},
			`values are stored in external data (in "model.onnx.data"), which is not supported; re-export the model with the weights embedded`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.t.Float64s()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Float64s: %v, want %q", err, tc.want)
			}
			if _, err := tc.t.Int64s(); err == nil {
				t.Error("Int64s succeeded")
			}
		})
	}

	notInt := NewFloatTensor("f", []int64{2}, []float32{1, 1.5})
	if _, err := notInt.Int64s(); err == nil || !strings.Contains(err.Error(), "value 1 (1.5) is not an int64") {
		t.Errorf("Int64s(1.5): %v", err)
	}
	big := &Tensor{Name: "d", DataType: Double, doubleData: []float64{1 << 63}}
	if _, err := big.Int64s(); err == nil {
		t.Error("Int64s(2^63) succeeded")
	}
	if n, err := (&Tensor{Dims: []int64{1 << 31, 1 << 31, 0}}).NumElements(); err != nil || n != 0 {
		t.Errorf("NumElements with a zero dim = %d, %v", n, err)
	}
}

func TestTensorStrings(t *testing.T) {
	s := &Tensor{Name: "s", Dims: []int64{2}, DataType: String, stringData: [][]byte{[]byte("a"), nil}}
	got, err := s.Strings()
	if err != nil || len(got) != 2 || string(got[0]) != "a" {
		t.Errorf("Strings = %q, %v", got, err)
	}
	if _, err := NewFloatTensor("f", nil, []float32{1}).Strings(); err == nil {
		t.Error("Strings on a FLOAT tensor succeeded")
	}
}

func TestConstructorsCopy(t *testing.T) {
	dims := []int64{2}
	data := []float32{1, 2}
	x := NewFloatTensor("x", dims, data)
	dims[0], data[0] = 9, 9
	if v, _ := x.Float64s(); !slices.Equal(x.Dims, []int64{2}) || v[0] != 1 {
		t.Errorf("constructor aliases its arguments: %v %v", x.Dims, v)
	}
	if x.External() {
		t.Error("External() on an in-memory tensor")
	}
}

func TestTypeNames(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Float.String(), "FLOAT"}, {BFloat16.String(), "BFLOAT16"}, {Float8E8M0.String(), "FLOAT8E8M0"},
		{DataType(99).String(), "DataType(99)"}, {DataType(-1).String(), "DataType(-1)"},
		{AttrInts.String(), "INTS"}, {AttrGraphs.String(), "GRAPHS"}, {AttrType(42).String(), "AttrType(42)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
