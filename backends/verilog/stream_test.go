package verilog

import (
	"strings"
	"testing"

	"trigo/backends"
	"trigo/ir"
)

// streamGraph is a small graph network: per-vertex dense/relu/concat, a
// mask, a global_exchange (the statistics re-streamed), and a dense head:
// everything but the GravNet and condensation kernels, which have their
// own tests (graph_kernel_test.go, cond_kernel_test.go) and run through the
// bundled examples in cmd/trigo.
func streamGraph(n int) *ir.Graph {
	b := newGB("stream", 5)
	x := b.input("x", "fixed<8,3>", n, 3)
	v := b.input("valid", "ufixed<1,1,RND_MIN_INF,SAT>", n)
	w := b.konst("w", "fixed<6,2>", 0.1, 3, 4)
	bias := b.konst("b", "fixed<8,3>", 0, 4)
	h := b.node("dense", []string{x, w, bias}, ir.Attrs{"acc": accT("fixed<20,8>")}, "fixed<10,4>", n, 4)
	h = b.node("relu", []string{h}, nil, "fixed<10,4>", n, 4)
	c := b.node("concat", []string{h, x}, ir.Attrs{"axis": int64(1)}, "fixed<10,4>", n, 7)
	m := b.node("mask", []string{c, v}, nil, "fixed<10,4>", n, 7)
	gx := b.node("global_exchange", []string{m, v}, ir.Attrs{"ops": []string{"mean", "max"}, "recip_frac": int64(12)}, "fixed<10,4>", n, 21)
	w2 := b.konst("w2", "fixed<6,2>", 0.1, 21, 2)
	y := b.node("dense", []string{gx, w2}, ir.Attrs{"acc": accT("fixed<24,10>")}, "fixed<9,4,RND,SAT>", n, 2)
	return b.output(y)
}

func TestStreamRTL(t *testing.T) {
	needTool(t, "iverilog")
	for _, c := range []struct{ n, lanes, ii int }{
		{8, 2, 4}, {8, 8, 1}, {6, 1, 6},
	} {
		g := streamGraph(c.n)
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		b := New(Options{Lanes: c.lanes})
		s, err := b.Schedule(g)
		if err != nil {
			t.Fatal(err)
		}
		if s.II != c.ii || s.Lanes != c.lanes || s.Vertices != c.n {
			t.Errorf("N=%d lanes %d: schedule II %d lanes %d vertices %d, want II %d", c.n, c.lanes, s.II, s.Lanes, s.Vertices, c.ii)
		}
		for _, stall := range []bool{false, true} {
			cmp := checkRTL(t, b, g, 120, stall)
			if cmp.Events != 120 {
				t.Errorf("compared %d events", cmp.Events)
			}
		}
	}
}

func TestStreamPlanErrors(t *testing.T) {
	mk := func(edit func(b *gb, x, v string) string) *ir.Graph {
		b := newGB("bad", 1)
		x := b.input("x", "fixed<8,3>", 8, 3)
		v := b.input("valid", "ufixed<1,1>", 8)
		return b.output(edit(b, x, v))
	}
	masked := func(b *gb, x, v string) string {
		return b.node("mask", []string{x, v}, nil, "fixed<8,3>", 8, 3)
	}
	cases := []struct {
		name string
		g    *ir.Graph
		opts Options
		want string
	}{
		{"lanes", mk(masked), Options{Lanes: 3}, "lanes 3: must divide the 8 vertices"},
		{"reuse", mk(masked), Options{Reuse: map[string]int{"mask_a": 2}}, "reuse factors are not supported in graph networks"},
		{"vertex reduction", mk(func(b *gb, x, v string) string {
			m := masked(b, x, v)
			return b.node("reduce_sum", []string{m}, ir.Attrs{"axes": []int64{0}}, "fixed<12,7>", 1, 3)
		}), Options{}, `op reduce_sum (node "reduce_sum_b") is not supported by the verilog backend yet: the RTL backend streams graph networks vertex by vertex`},
		{"vertex concat", mk(func(b *gb, x, v string) string {
			m := masked(b, x, v)
			return b.node("concat", []string{m, m}, ir.Attrs{"axis": int64(0)}, "fixed<8,3>", 16, 3)
		}), Options{}, "concatenation along the vertex axis"},
		{"input without vertex axis", func() *ir.Graph {
			b := newGB("bad", 1)
			x := b.input("x", "fixed<8,3>", 8, 3)
			v := b.input("valid", "ufixed<1,1>", 8)
			b.input("z", "fixed<8,3>", 4)
			return b.output(b.node("mask", []string{x, v}, nil, "fixed<8,3>", 8, 3))
		}(), Options{}, `input "z" has shape [4]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.g.Validate(); err != nil {
				t.Fatalf("test graph: %v", err)
			}
			_, err := New(c.opts).Emit(c.g, backends.Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}
