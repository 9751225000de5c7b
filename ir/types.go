// Package ir defines trigo's quantized intermediate representation: a graph
// of ops over per-event tensors, each with an element type (float32 for the
// reference, fixed-point after quantisation).
//
// The IR is the only contract between the compiler's stages. It has a text
// form (Print and Parse round-trip exactly) so every pass can be tested with
// golden files, and Validate checks every structural and typing rule that the
// simulators and backends rely on. Shapes never include the event (batch)
// axis: a graph describes what the firmware computes for one event.
package ir

import (
	"fmt"
	"strings"

	"trigo/ir/fixed"
)

// Kind is the category of an element type.
type Kind uint8

const (
	// Float32 is the reference element type of the float graph.
	Float32 Kind = iota + 1
	// Fixed is a fixed-point type with ap_fixed semantics.
	Fixed
	// Int32 holds indices and counts (cluster ids, for example).
	Int32
)

// Type is an element type.
type Type struct {
	Kind  Kind
	Fixed fixed.Type // meaningful only when Kind == Fixed
}

// F32 is the float32 element type.
var F32 = Type{Kind: Float32}

// I32 is the int32 element type.
var I32 = Type{Kind: Int32}

// FixedOf wraps a fixed-point type.
func FixedOf(t fixed.Type) Type { return Type{Kind: Fixed, Fixed: t} }

// IsFixed reports whether t is a fixed-point type.
func (t Type) IsFixed() bool { return t.Kind == Fixed }

// String returns the text-form spelling: f32, i32 or fixed<W,I,...>.
func (t Type) String() string {
	switch t.Kind {
	case Float32:
		return "f32"
	case Int32:
		return "i32"
	case Fixed:
		return t.Fixed.String()
	}
	return "invalid"
}

// ParseType parses a type in its text-form spelling. Fixed types accept the
// hls4ml/Vitis spellings too (ap_fixed<16,6,AP_RND,AP_SAT>).
func ParseType(s string) (Type, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "f32", "float", "float32":
		return F32, nil
	case "i32", "int32":
		return I32, nil
	}
	ft, err := fixed.Parse(s)
	if err != nil {
		return Type{}, fmt.Errorf("type %q: %w (supported: f32, i32, fixed<W,I[,Q[,O]]>, ufixed<W,I[,Q[,O]]>)", s, err)
	}
	return FixedOf(ft), nil
}

// Shape is a tensor shape without the event axis. A scalar has an empty shape.
type Shape []int

// Size is the number of elements.
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether two shapes are identical.
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

// Clone returns a copy.
func (s Shape) Clone() Shape { return append(Shape(nil), s...) }

// String prints the shape as [d0,d1,...].
func (s Shape) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, d := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, d)
	}
	b.WriteByte(']')
	return b.String()
}

// Strides returns row-major strides.
func (s Shape) Strides() []int {
	st := make([]int, len(s))
	acc := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= s[i]
	}
	return st
}
