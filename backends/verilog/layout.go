package verilog

import (
	"fmt"
	"math/big"
	"strings"

	"trigo/ir"
	"trigo/sim"
)

// Layout describes how events are packed into s_axis_tdata and
// m_axis_tdata (CONTRACT.md): every graph input (output) in order, each
// flattened row-major, element 0 of the first in the least significant
// bits, each element the W-bit two's-complement (signed) or plain binary
// (unsigned) code of its fixed type.
type Layout struct {
	InBits  int            `json:"in_bits"`
	OutBits int            `json:"out_bits"`
	Inputs  []TensorLayout `json:"inputs"`
	Outputs []TensorLayout `json:"outputs"`
}

// TensorLayout places one tensor in a beat. Element i occupies bits
// [Offset + i*Width +: Width].
type TensorLayout struct {
	Name     string `json:"name"`
	Shape    []int  `json:"shape"`
	Type     string `json:"type"`
	Width    int    `json:"width"`
	Signed   bool   `json:"signed"`
	Frac     int    `json:"frac"`
	Offset   int    `json:"offset"`
	Elements int    `json:"elements"`
}

// ElementLayout places one element.
type ElementLayout struct {
	Index  int  `json:"index"`
	Offset int  `json:"offset"`
	Width  int  `json:"width"`
	Signed bool `json:"signed"`
}

// ElementOffset is the bit offset of element i.
func (t TensorLayout) ElementOffset(i int) int { return t.Offset + i*t.Width }

// Bits is the tensor's total width.
func (t TensorLayout) Bits() int { return t.Elements * t.Width }

// ElementList lists every element's offset and width.
func (t TensorLayout) ElementList() []ElementLayout {
	out := make([]ElementLayout, t.Elements)
	for i := range out {
		out[i] = ElementLayout{Index: i, Offset: t.ElementOffset(i), Width: t.Width, Signed: t.Signed}
	}
	return out
}

// PortLayout returns the tdata layout of a quantised graph.
func PortLayout(g *ir.Graph) Layout {
	var l Layout
	place := func(name string, v *ir.Value, off *int) TensorLayout {
		t := TensorLayout{Name: name, Shape: append([]int(nil), v.Shape...), Type: v.Type.String(), Offset: *off, Elements: v.Shape.Size()}
		switch v.Type.Kind {
		case ir.Fixed:
			t.Width, t.Signed, t.Frac = v.Type.Fixed.Width, v.Type.Fixed.Signed, v.Type.Fixed.Frac()
		case ir.Int32:
			t.Width, t.Signed = 32, true
		}
		*off += t.Bits()
		return t
	}
	for _, v := range g.Inputs {
		l.Inputs = append(l.Inputs, place(v.Name, v, &l.InBits))
	}
	for _, name := range g.Outputs {
		v := g.Lookup(name)
		if v == nil {
			continue
		}
		l.Outputs = append(l.Outputs, place(name, v, &l.OutBits))
	}
	return l
}

// pack writes the codes of one event into a beat.
func pack(ts []TensorLayout, codes [][]int64) (*big.Int, error) {
	if len(codes) != len(ts) {
		return nil, fmt.Errorf("%d tensors, layout has %d", len(codes), len(ts))
	}
	beat := new(big.Int)
	for i, t := range ts {
		if len(codes[i]) != t.Elements {
			return nil, fmt.Errorf("%s: %d codes, want %d", t.Name, len(codes[i]), t.Elements)
		}
		for j, c := range codes[i] {
			beat.Or(beat, new(big.Int).Lsh(twos(big.NewInt(c), t.Width), uint(t.ElementOffset(j))))
		}
	}
	return beat, nil
}

// unpack reads the codes of one event from a beat.
func unpack(ts []TensorLayout, beat *big.Int) [][]int64 {
	out := make([][]int64, len(ts))
	for i, t := range ts {
		out[i] = make([]int64, t.Elements)
		mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(t.Width)), big.NewInt(1))
		for j := range out[i] {
			v := new(big.Int).Rsh(beat, uint(t.ElementOffset(j)))
			v.And(v, mask)
			if t.Signed && v.Bit(t.Width-1) == 1 {
				v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(t.Width)))
			}
			out[i][j] = v.Int64()
		}
	}
	return out
}

// InputHex returns one hexadecimal s_axis_tdata line per event (most
// significant digit first, InBits/4 rounded up digits) for the codes of
// every graph input (sim.Codes in graph-input order).
func (l Layout) InputHex(inputs []sim.Codes) ([]string, error) {
	if len(inputs) != len(l.Inputs) {
		return nil, fmt.Errorf("%d inputs, layout has %d", len(inputs), len(l.Inputs))
	}
	events := 0
	if len(inputs) > 0 {
		events = inputs[0].Events
	}
	digits := (l.InBits + 3) / 4
	lines := make([]string, events)
	ev := make([][]int64, len(inputs))
	for e := 0; e < events; e++ {
		for i := range inputs {
			ev[i] = inputs[i].Event(e)
		}
		beat, err := pack(l.Inputs, ev)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", e, err)
		}
		s := beat.Text(16)
		lines[e] = strings.Repeat("0", max(0, digits-len(s))) + s
	}
	return lines, nil
}

// OutputCodes decodes m_axis_tdata hex lines (one per event) into codes,
// one sim.Codes per graph output.
func (l Layout) OutputCodes(g *ir.Graph, lines []string) ([]sim.Codes, error) {
	out := make([]sim.Codes, len(l.Outputs))
	for i, t := range l.Outputs {
		v := g.Lookup(t.Name)
		out[i] = sim.Codes{Events: len(lines), Shape: v.Shape.Clone(), Type: v.Type, Data: make([]int64, 0, len(lines)*t.Elements)}
	}
	for e, line := range lines {
		beat, ok := new(big.Int).SetString(strings.TrimSpace(line), 16)
		if !ok {
			return nil, fmt.Errorf("event %d: %q is not hexadecimal (X or Z bits?)", e, line)
		}
		for i, codes := range unpack(l.Outputs, beat) {
			out[i].Data = append(out[i].Data, codes...)
		}
	}
	return out, nil
}
