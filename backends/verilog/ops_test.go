package verilog

import (
	"fmt"
	"testing"

	"trigo/ir"
)

// opGraphs builds small random quantised graphs covering every op the RTL
// backend implements, with varied types, rounding and overflow modes,
// broadcasting, windows and padding.
func opGraphs(t testing.TB) map[string]*ir.Graph {
	gs := map[string]*ir.Graph{}

	// dense: folded rounding (exact acc), wrapping acc, converting acc,
	// no bias, bias finer than the products, unsigned input, 2-D input,
	// relu fused and not fused, output also used internally.
	{
		b := newGB("dense_mix", 1)
		x := b.input("x", "fixed<12,4,RND_CONV,SAT_SYM>", 8)
		u := b.input("u", "ufixed<7,3>", 2, 6)
		d1 := b.node("dense", []string{x, b.konst("w1", "fixed<10,2>", 0.2, 8, 5), b.konst("b1", "fixed<12,5>", 0.1, 5)},
			ir.Attrs{"acc": accT("fixed<40,16>")}, "fixed<11,5,RND,SAT>", 5)
		r1 := b.node("relu", []string{d1}, nil, "fixed<11,5,RND,SAT>", 5)
		d2 := b.node("dense", []string{r1, b.konst("w2", "fixed<8,1,RND,SAT>", 0.3, 5, 4), b.konst("b2", "fixed<16,2>", 0, 4)},
			ir.Attrs{"acc": accT("fixed<14,4>")}, "fixed<9,3,RND_MIN_INF,SAT>", 4) // wrapping acc, bias finer than products
		d3 := b.node("dense", []string{x, b.konst("w3", "fixed<6,3>", 0.5, 8, 3)},
			ir.Attrs{"acc": accT("fixed<12,6,TRN_ZERO,SAT>")}, "fixed<8,4,RND_INF,SAT_ZERO>", 3) // converting acc, no bias
		d4 := b.node("dense", []string{u, b.konst("w4", "fixed<9,2>", 0.25, 6, 3), b.konst("b4", "fixed<9,4>", 0, 3)},
			ir.Attrs{"acc": accT("fixed<30,12>")}, "ufixed<8,4,RND,SAT>", 2, 3) // unsigned, 2 rows
		r4 := b.node("relu", []string{d3}, nil, "fixed<8,4,RND,SAT>", 3) // d3 is also an output: not fused
		gs["dense_mix"] = b.output(d2, d3, d4, r4)
		gs["dense_mix"] = b.valid(t)
	}
	// conv 1-D (stride, dilation, asymmetric padding) and 2-D (padding,
	// stride 2), relu fused, zero weights.
	{
		b := newGB("conv_mix", 2)
		x := b.input("x", "fixed<10,3,RND,SAT>", 9, 2)
		c1 := b.node("conv", []string{x, b.konst("k1", "fixed<8,2>", 0.3, 3, 2, 3), b.konst("kb1", "fixed<8,3>", 0, 3)},
			ir.Attrs{"strides": []int64{2}, "dilations": []int64{2}, "pads": []int64{2, 1}, "acc": accT("fixed<26,9>")}, "fixed<10,4,RND,SAT>", 4, 3)
		r1 := b.node("relu", []string{c1}, nil, "fixed<10,4,RND,SAT>", 4, 3)
		y := b.input("y", "fixed<8,2,TRN,WRAP>", 5, 4, 1)
		c2 := b.node("conv", []string{y, b.konst("k2", "fixed<6,1>", 0.2, 3, 3, 1, 2)},
			ir.Attrs{"strides": []int64{2, 1}, "pads": []int64{1, 1, 1, 0}, "acc": accT("fixed<20,8>")}, "fixed<9,4,RND_ZERO,SAT_SYM>", 3, 3, 2)
		gs["conv_mix"] = b.output(r1, c2)
		gs["conv_mix"] = b.valid(t)
	}
	// element-wise ops with broadcasting, mixed signedness and fracs, a
	// constant operand.
	{
		b := newGB("eltwise", 3)
		a := b.input("a", "fixed<9,4,RND,SAT>", 2, 3)
		c := b.input("c", "ufixed<6,2>", 3)
		d := b.input("d", "fixed<5,1>", 2, 1)
		s1 := b.node("add", []string{a, c}, nil, "fixed<10,5,RND_CONV,SAT>", 2, 3)
		s2 := b.node("sub", []string{c, a}, nil, "fixed<8,4,TRN_ZERO,WRAP>", 2, 3)
		s3 := b.node("mul", []string{a, d}, nil, "fixed<10,4,RND,SAT_SYM>", 2, 3)
		s4 := b.node("mul", []string{c, b.konst("kc", "fixed<7,2>", 0, 3)}, nil, "fixed<12,5,RND_INF,SAT_ZERO>", 3)
		s5 := b.node("add", []string{d, b.konst("kd", "ufixed<4,4>", 0, 1)}, nil, "fixed<6,5>", 2, 1)
		s6 := b.node("mul", []string{c, c}, nil, "ufixed<9,3,RND,SAT>", 3)
		gs["eltwise"] = b.output(s1, s2, s3, s4, s5, s6)
		gs["eltwise"] = b.valid(t)
	}
	// activations
	{
		b := newGB("activations", 4)
		x := b.input("x", "fixed<10,4,RND,SAT>", 6)
		u := b.input("u", "ufixed<6,3>", 4)
		r := b.node("relu", []string{x}, nil, "fixed<7,3,RND_CONV,SAT_SYM>", 6)
		l1 := b.node("leaky_relu", []string{x}, ir.Attrs{"alpha": 0.1015625}, "fixed<12,5,RND,SAT>", 6)
		l2 := b.node("leaky_relu", []string{x}, ir.Attrs{"alpha": -1.25}, "fixed<8,4,RND_MIN_INF,SAT_SYM>", 6)
		c1 := b.node("clip", []string{x}, ir.Attrs{"min": -1.5, "max": 2.0625}, "fixed<8,3,TRN,SAT>", 6)
		c2 := b.node("clip", []string{x}, ir.Attrs{"max": 0.25}, "fixed<10,4>", 6)
		c3 := b.node("clip", []string{x}, ir.Attrs{"min": 100.0}, "fixed<10,4,RND,SAT>", 6) // constant result
		c4 := b.node("clip", []string{u}, ir.Attrs{"min": -3.0, "max": 5.5}, "ufixed<6,3>", 4)
		bq := b.node("bipolar_quant", []string{x}, ir.Attrs{"scale": 0.75}, "fixed<3,1,RND,SAT>", 6)
		bu := b.node("bipolar_quant", []string{u}, ir.Attrs{"scale": 2.0}, "fixed<3,2,RND,SAT>", 4) // constant
		ru := b.node("relu", []string{u}, nil, "ufixed<5,3,RND,SAT>", 4)
		gs["activations"] = b.output(r, l1, l2, c1, c2, c3, c4, bq, bu, ru)
		gs["activations"] = b.valid(t)
	}
	// pooling and reductions
	{
		b := newGB("pool", 5)
		x := b.input("x", "fixed<8,3,RND,SAT>", 5, 4, 2)
		m1 := b.node("maxpool", []string{x}, ir.Attrs{"kernel": []int64{2, 2}, "strides": []int64{2, 2}, "pads": []int64{1, 0, 0, 1}}, "fixed<8,3,RND,SAT_SYM>", 3, 2, 2)
		a1 := b.node("avgpool", []string{x}, ir.Attrs{"kernel": []int64{3, 2}, "strides": []int64{1, 2}, "pads": []int64{1, 1, 1, 0},
			"count_include_pad": int64(0), "recip_frac": int64(12)}, "fixed<9,3,RND,SAT>", 5, 2, 2)
		a2 := b.node("avgpool", []string{x}, ir.Attrs{"kernel": []int64{2, 2}, "pads": []int64{1, 1, 1, 1},
			"count_include_pad": int64(1), "recip_frac": int64(7)}, "fixed<10,4,RND_CONV,SAT>", 6, 5, 2)
		s1 := b.node("reduce_sum", []string{x}, ir.Attrs{"axes": []int64{0, 2}}, "fixed<12,7,RND,SAT>", 1, 4, 1)
		s2 := b.node("reduce_max", []string{x}, ir.Attrs{"axes": []int64{1}}, "fixed<7,3,RND,SAT>", 5, 1, 2)
		s3 := b.node("reduce_max", []string{x}, ir.Attrs{"axes": []int64{0, 1}}, "fixed<8,3>", 1, 1, 2) // 20 elements: tree
		u := b.input("u", "ufixed<5,2>", 9)
		s4 := b.node("reduce_max", []string{u}, ir.Attrs{"axes": []int64{0}}, "ufixed<4,2,RND,SAT>", 1)
		s5 := b.node("reduce_sum", []string{u}, ir.Attrs{"axes": []int64{-1}}, "ufixed<8,5>", 1)
		p1 := b.node("maxpool", []string{b.input("z", "fixed<6,2>", 7, 3)}, ir.Attrs{"kernel": []int64{3}, "strides": []int64{2}}, "fixed<6,2>", 3, 3)
		gs["pool"] = b.output(m1, a1, a2, s1, s2, s3, s4, s5, p1)
		gs["pool"] = b.valid(t)
	}
	// lookup tables: offset a multiple of 2^shift or not, shift 0, clamps
	// on both sides or one, entries saturating into the output type.
	{
		b := newGB("luts", 6)
		x := b.input("x", "fixed<10,4,RND,SAT>", 4)
		u := b.input("u", "ufixed<9,3>", 3)
		t1 := b.node("lut", []string{x, b.konst("t1", "ufixed<10,1,RND,SAT>", 0, 64)}, ir.Attrs{"offset": int64(-256), "shift": int64(3)}, "ufixed<10,1,RND,SAT>", 4)
		t2 := b.node("lut", []string{x, b.konst("t2", "fixed<12,6>", 0, 50)}, ir.Attrs{"offset": int64(-203), "shift": int64(4)}, "fixed<8,3,RND,SAT>", 4)
		t3 := b.node("lut", []string{u, b.konst("t3", "fixed<8,2>", 0, 20)}, ir.Attrs{"offset": int64(100), "shift": int64(0)}, "fixed<8,2>", 3)
		t4 := b.node("lut", []string{x, b.konst("t4", "fixed<8,2>", 0, 5)}, ir.Attrs{"offset": int64(-10000), "shift": int64(12)}, "fixed<8,2>", 4)
		t5 := b.node("lut", []string{x, b.konst("t5", "fixed<8,2>", 0, 8)}, ir.Attrs{"offset": int64(5000), "shift": int64(2)}, "fixed<8,2>", 4) // always below: constant
		gs["luts"] = b.output(t1, t2, t3, t4, t5)
		gs["luts"] = b.valid(t)
	}
	// wiring: reshape, transpose, concat (with conversions), cast
	{
		b := newGB("wiring", 7)
		x := b.input("x", "fixed<8,3,RND,SAT_SYM>", 2, 3, 2)
		y := b.input("y", "fixed<6,3>", 2, 1, 2)
		r := b.node("reshape", []string{x}, ir.Attrs{"shape": []int64{6, 2}}, "fixed<8,3,RND,SAT_SYM>", 6, 2) // SAT_SYM: not identity
		tr := b.node("transpose", []string{x}, ir.Attrs{"perm": []int64{2, 0, 1}}, "fixed<10,5>", 2, 2, 3)
		cc := b.node("concat", []string{x, y}, ir.Attrs{"axis": int64(1)}, "fixed<7,3,RND,SAT>", 2, 4, 2)
		c1 := b.node("cast", []string{y}, nil, "fixed<8,4>", 2, 1, 2) // identity (wider)
		c2 := b.node("cast", []string{x}, nil, "fixed<4,2,RND_CONV,WRAP>", 2, 3, 2)
		d := b.node("relu", []string{tr}, nil, "fixed<10,5>", 2, 2, 3)
		gs["wiring"] = b.output(r, tr, cc, c1, c2, d, x)
		gs["wiring"] = b.valid(t)
	}
	// single-term sums (trees without levels): one non-zero weight per
	// output and no bias; a one-element reduction.
	{
		b := newGB("single", 8)
		x := b.input("x", "fixed<8,3,RND,SAT>", 3)
		w := b.constCodes("w", "fixed<8,1>", []int64{0, 45, 0, -77, 0, 0, 0, 0, 101}, 3, 3)
		d := b.node("dense", []string{x, w}, ir.Attrs{"acc": accT("fixed<6,1,TRN,SAT>")}, "fixed<5,2,TRN,SAT>", 3)
		r := b.node("reduce_sum", []string{b.input("u", "fixed<6,2>", 1, 2)}, ir.Attrs{"axes": []int64{0}}, "fixed<6,2>", 1, 2)
		gs["single"] = b.output(d, r)
		gs["single"] = b.valid(t)
	}
	return gs
}

func TestOpsMatchSim(t *testing.T) {
	t.Parallel()
	needTool(t, "iverilog", "vvp")
	gs := opGraphs(t)
	names := []string{"dense_mix", "conv_mix", "eltwise", "activations", "pool", "luts", "wiring", "single"}
	variants := []struct {
		name string
		opts Options
	}{
		{"dsp", Options{}},
		{"lut", Options{Multipliers: "lut"}},
		{"arity2_100MHz", Options{AdderArity: 2, ClockMHz: 100}},
		{"500MHz", Options{ClockMHz: 500}},
	}
	for _, name := range names {
		for _, v := range variants {
			g, v := gs[name], v
			t.Run(fmt.Sprintf("%s/%s", name, v.name), func(t *testing.T) {
				t.Parallel()
				b := New(v.opts)
				cmp := checkRTL(t, b, g, 200, false)
				lat, _, _ := b.Timing(g)
				t.Logf("%s, latency %d", cmp, lat)
			})
		}
	}
}

// TestOpsBackpressure simulates the op graphs with random input gaps and
// output stalls: no event may be lost, duplicated or reordered.
func TestOpsBackpressure(t *testing.T) {
	t.Parallel()
	needTool(t, "iverilog", "vvp")
	for name, g := range opGraphs(t) {
		name, g := name, g
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkRTL(t, New(Options{ClockMHz: 400}), g, 200, true)
		})
	}
}
