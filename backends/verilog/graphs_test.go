package verilog

import (
	"math/rand/v2"
	"testing"

	"trigo/ir"
	"trigo/ir/fixed"
)

// gb builds small quantised graphs for tests.
type gb struct {
	g *ir.Graph
	r *rand.Rand
	n int
}

func newGB(name string, seed uint64) *gb {
	return &gb{g: &ir.Graph{Name: name}, r: rand.New(rand.NewPCG(seed, 99))}
}

func ft(s string) fixed.Type {
	t, err := fixed.Parse(s)
	if err != nil {
		panic(err)
	}
	return t
}

func (b *gb) input(name, typ string, shape ...int) string {
	b.g.Inputs = append(b.g.Inputs, &ir.Value{Name: name, Type: ir.FixedOf(ft(typ)), Shape: ir.Shape(shape)})
	return name
}

// konst adds a constant with random codes (zeroFrac of them zero).
func (b *gb) konst(name, typ string, zeroFrac float64, shape ...int) string {
	t := ft(typ)
	c := &ir.Const{Value: ir.Value{Name: name, Type: ir.FixedOf(t), Shape: ir.Shape(shape)}}
	n := ir.Shape(shape).Size()
	lo, hi := t.MinCode(), t.MaxCode()
	for i := 0; i < n; i++ {
		var v int64
		switch {
		case b.r.Float64() < zeroFrac:
			v = 0
		case b.r.IntN(8) == 0: // a power of two
			v = int64(1) << b.r.IntN(max(1, t.Width-1))
			if t.Signed && b.r.IntN(2) == 0 {
				v = -v
			}
		default:
			v = lo + int64(b.r.Uint64N(uint64(hi-lo)+1))
		}
		c.Codes = append(c.Codes, min(max(v, lo), hi))
	}
	b.g.Consts = append(b.g.Consts, c)
	return name
}

func (b *gb) constCodes(name, typ string, codes []int64, shape ...int) string {
	b.g.Consts = append(b.g.Consts, &ir.Const{Value: ir.Value{Name: name, Type: ir.FixedOf(ft(typ)), Shape: ir.Shape(shape)}, Codes: codes})
	return name
}

// node adds a node and returns its output name.
func (b *gb) node(op string, ins []string, attrs ir.Attrs, typ string, shape ...int) string {
	b.n++
	name := op + "_" + string(rune('a'+b.n-1))
	out := name + ".y"
	if attrs == nil {
		attrs = ir.Attrs{}
	}
	b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: name, Op: op, Inputs: ins, Attrs: attrs,
		Outputs: []*ir.Value{{Name: out, Type: ir.FixedOf(ft(typ)), Shape: ir.Shape(shape)}}})
	return out
}

func (b *gb) output(names ...string) *ir.Graph {
	b.g.Outputs = append(b.g.Outputs, names...)
	return b.g
}

func (b *gb) valid(t testing.TB) *ir.Graph {
	t.Helper()
	if err := b.g.Validate(); err != nil {
		t.Fatalf("test graph %s: %v", b.g.Name, err)
	}
	return b.g
}

func accT(s string) ir.Type { return ir.FixedOf(ft(s)) }
