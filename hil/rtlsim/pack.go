package rtlsim

import (
	"fmt"
	"strings"

	"trigo/ir"
	"trigo/ir/fixed"
	"trigo/sim"
)

// Port is one graph input or output as it sits in tdata (CONTRACT.md):
// Elements codes of Width bits each, element 0 in the least significant
// bits, two's complement when Signed.
type Port struct {
	Name     string
	Elements int
	Width    int
	Signed   bool
	// Shape and Type, when set, are copied into the sim.Codes that Run
	// returns for an output port (Shape.Size() must equal Elements). When
	// unset, Run returns Shape [Elements] and the integer type
	// fixed<Width,Width> (ufixed when unsigned).
	Shape ir.Shape
	Type  ir.Type
}

func (p Port) bits() int { return p.Elements * p.Width }

func (p Port) codesShape() ir.Shape {
	if p.Shape != nil {
		return p.Shape.Clone()
	}
	return ir.Shape{p.Elements}
}

func (p Port) codesType() ir.Type {
	if p.Type.Kind != 0 {
		return p.Type
	}
	return ir.FixedOf(fixed.Type{Signed: p.Signed, Width: p.Width, Int: p.Width})
}

func (p Port) validate(what string) error {
	switch {
	case p.Elements < 1:
		return fmt.Errorf("%s port %q: %d elements (must be ≥ 1)", what, p.Name, p.Elements)
	case p.Width < 1 || p.Width > 64 || (!p.Signed && p.Width > 63):
		return fmt.Errorf("%s port %q: width %d out of range (1..64 signed, 1..63 unsigned: codes are int64)", what, p.Name, p.Width)
	case p.Shape != nil && p.Shape.Size() != p.Elements:
		return fmt.Errorf("%s port %q: shape %s has %d elements, port has %d", what, p.Name, p.Shape, p.Shape.Size(), p.Elements)
	}
	return nil
}

// PortsOf describes the inputs and outputs of a quantised graph as ports.
// Int32 values are 32-bit signed codes.
func PortsOf(g *ir.Graph) (inputs, outputs []Port, err error) {
	port := func(v *ir.Value) (Port, error) {
		p := Port{Name: v.Name, Elements: v.Shape.Size(), Shape: v.Shape.Clone(), Type: v.Type}
		switch v.Type.Kind {
		case ir.Fixed:
			p.Width, p.Signed = v.Type.Fixed.Width, v.Type.Fixed.Signed
		case ir.Int32:
			p.Width, p.Signed = 32, true
		default:
			return p, fmt.Errorf("%s is %s: only fixed-point and i32 values have a wire format", v.Name, v.Type)
		}
		return p, nil
	}
	for _, v := range g.Inputs {
		p, err := port(v)
		if err != nil {
			return nil, nil, fmt.Errorf("input %w", err)
		}
		inputs = append(inputs, p)
	}
	for _, name := range g.Outputs {
		v := g.Lookup(name)
		if v == nil {
			return nil, nil, fmt.Errorf("output %q is not a value of graph %q", name, g.Name)
		}
		p, err := port(v)
		if err != nil {
			return nil, nil, fmt.Errorf("output %w", err)
		}
		outputs = append(outputs, p)
	}
	return inputs, outputs, nil
}

func totalBits(ports []Port) int {
	n := 0
	for _, p := range ports {
		n += p.bits()
	}
	return n
}

// beat is a little-endian bit vector of a given width.
type beat []uint64

func newBeat(bits int) beat { return make(beat, (bits+63)/64) }

// put stores the low w bits of v at bit offset off.
func (b beat) put(off, w int, v uint64) {
	if w < 64 {
		v &= 1<<w - 1
	}
	i, s := off/64, off%64
	b[i] |= v << s
	if s+w > 64 {
		b[i+1] |= v >> (64 - s)
	}
}

// get returns the w bits at offset off.
func (b beat) get(off, w int) uint64 {
	i, s := off/64, off%64
	v := b[i] >> s
	if s+w > 64 {
		v |= b[i+1] << (64 - s)
	}
	if w < 64 {
		v &= 1<<w - 1
	}
	return v
}

const hexDigits = "0123456789abcdef"

// hex writes the bits most significant digit first, exactly ceil(bits/4)
// digits.
func (b beat) hex(sb *strings.Builder, bits int) {
	for d := (bits+3)/4 - 1; d >= 0; d-- {
		w := min(4, bits-4*d)
		sb.WriteByte(hexDigits[b.get(4*d, w)])
	}
}

// parseHex reads a hex number (most significant digit first) into a beat
// of the given width. Digits beyond the width must be zero. x and z digits
// (Icarus prints them for unknown bits) are an error.
func parseHex(s string, bits int) (beat, error) {
	b := newBeat(bits + 4) // room for a partial top digit
	n := len(s)
	for k := 0; k < n; k++ {
		c := s[n-1-k]
		var v uint64
		switch {
		case c >= '0' && c <= '9':
			v = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			v = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v = uint64(c-'A') + 10
		case c == 'x' || c == 'X' || c == 'z' || c == 'Z':
			return nil, fmt.Errorf("unknown (X/Z) bits in %q", s)
		default:
			return nil, fmt.Errorf("bad hex digit %q in %q", c, s)
		}
		if v == 0 {
			continue
		}
		if 4*k >= bits || (4*k+4 > bits && v>>(bits-4*k) != 0) {
			return nil, fmt.Errorf("%q is wider than %d bits", s, bits)
		}
		b.put(4*k, 4, v)
	}
	return b[:(bits+63)/64], nil
}

// packInputs renders every event as one hex line of tdata.
func packInputs(ports []Port, inputs []sim.Codes) (string, int, error) {
	if len(inputs) != len(ports) {
		return "", 0, fmt.Errorf("%d input tensors for %d input ports", len(inputs), len(ports))
	}
	events := -1
	for i, p := range ports {
		c := inputs[i]
		if events >= 0 && c.Events != events {
			return "", 0, fmt.Errorf("input %q has %d events, input %q has %d", p.Name, c.Events, ports[0].Name, events)
		}
		events = c.Events
		if len(c.Data) != c.Events*p.Elements {
			return "", 0, fmt.Errorf("input %q: %d codes for %d events of %d elements", p.Name, len(c.Data), c.Events, p.Elements)
		}
		lo, hi := int64(0), int64(1)<<p.Width-1
		if p.Signed {
			lo, hi = -1<<(p.Width-1), 1<<(p.Width-1)-1
		}
		for k, v := range c.Data {
			if v < lo || v > hi {
				return "", 0, fmt.Errorf("input %q event %d element %d: code %d does not fit %d bits %s",
					p.Name, k/p.Elements, k%p.Elements, v, p.Width, signedness(p.Signed))
			}
		}
	}
	if events < 0 {
		events = 0
	}
	bits := totalBits(ports)
	var sb strings.Builder
	sb.Grow(events * ((bits+3)/4 + 1))
	b := newBeat(bits)
	for e := 0; e < events; e++ {
		clear(b)
		off := 0
		for i, p := range ports {
			for _, v := range inputs[i].Data[e*p.Elements : (e+1)*p.Elements] {
				b.put(off, p.Width, uint64(v))
				off += p.Width
			}
		}
		b.hex(&sb, bits)
		sb.WriteByte('\n')
	}
	return sb.String(), events, nil
}

func signedness(s bool) string {
	if s {
		return "signed"
	}
	return "unsigned"
}

// unpack appends the codes of one output beat to outs.
func unpack(ports []Port, b beat, outs []sim.Codes) {
	off := 0
	for i, p := range ports {
		for k := 0; k < p.Elements; k++ {
			u := b.get(off, p.Width)
			v := int64(u)
			if p.Signed && p.Width < 64 && u>>(p.Width-1) != 0 {
				v = int64(u | ^uint64(0)<<p.Width)
			}
			outs[i].Data = append(outs[i].Data, v)
			off += p.Width
		}
		outs[i].Events++
	}
}
