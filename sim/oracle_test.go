package sim

// An independent oracle for the fixed-point executor: it evaluates graphs
// with math/big rationals, naive loops over coordinates and its own
// ap_fixed conversion, and must agree with Fixed on every code and every
// overflow count.

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"trigo/ir"
	"trigo/ir/fixed"
)

// --- oracle conversion ----------------------------------------------------

func ratOf(code int64, t fixed.Type) *big.Rat {
	r := new(big.Rat).SetInt64(code)
	return r.Mul(r, pow2(-t.Frac()))
}

// pow2 returns 2^e as a rational (e may be negative).
func pow2(e int) *big.Rat {
	if e >= 0 {
		return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(e)))
	}
	return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(-e)))
}

// oracleConvert quantises the exact value v into t (ap_fixed semantics):
// rounding on the grid 2^-F, then overflow.
func oracleConvert(v *big.Rat, t fixed.Type) (int64, fixed.Event) {
	s := new(big.Rat).Mul(v, pow2(t.Frac()))
	// floor of s
	q := new(big.Int).Div(s.Num(), s.Denom()) // Euclidean: floor for positive denominators
	rem := new(big.Rat).Sub(s, new(big.Rat).SetInt(q))
	half := big.NewRat(1, 2)
	cmp := rem.Cmp(half)
	exact := rem.Sign() == 0
	neg := v.Sign() < 0
	up := false
	switch t.Rounding {
	case fixed.TRN:
	case fixed.TRN_ZERO:
		up = neg && !exact
	case fixed.RND:
		up = cmp >= 0
	case fixed.RND_ZERO:
		up = cmp > 0 || (cmp == 0 && neg)
	case fixed.RND_MIN_INF:
		up = cmp > 0
	case fixed.RND_INF:
		up = cmp > 0 || (cmp == 0 && !neg)
	case fixed.RND_CONV:
		up = cmp > 0 || (cmp == 0 && q.Bit(0) == 1)
	}
	if up {
		q.Add(q, big.NewInt(1))
	}
	W := uint(t.Width)
	var lo, hi *big.Int
	if t.Signed {
		lo = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), W-1))
		hi = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), W-1), big.NewInt(1))
	} else {
		lo = big.NewInt(0)
		hi = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), W), big.NewInt(1))
	}
	over, under := q.Cmp(hi) > 0, q.Cmp(lo) < 0
	symMin := new(big.Int).Add(lo, big.NewInt(1))
	if t.Width == 1 && t.Signed {
		symMin = big.NewInt(-1)
	}
	if t.Overflow == fixed.SAT_SYM && t.Signed && q.Cmp(lo) == 0 {
		return symMin.Int64(), fixed.Saturated
	}
	if !over && !under {
		return q.Int64(), fixed.NoOverflow
	}
	switch t.Overflow {
	case fixed.SAT:
		if over {
			return hi.Int64(), fixed.Saturated
		}
		return lo.Int64(), fixed.Saturated
	case fixed.SAT_SYM:
		if over {
			return hi.Int64(), fixed.Saturated
		}
		if t.Signed {
			return symMin.Int64(), fixed.Saturated
		}
		return 0, fixed.Saturated
	case fixed.SAT_ZERO:
		return 0, fixed.Zeroed
	}
	m := new(big.Int).Lsh(big.NewInt(1), W)
	w := new(big.Int).Mod(q, m)
	if t.Signed && w.Cmp(hi) > 0 {
		w.Sub(w, m)
	}
	return w.Int64(), fixed.Wrapped
}

// --- oracle interpreter ---------------------------------------------------

type otensor struct {
	t     fixed.Type
	shape ir.Shape
	codes []int64
}

func (o *otensor) at(coord []int) int64 {
	idx := 0
	for a, c := range coord {
		idx = idx*o.shape[a] + c
	}
	return o.codes[idx]
}

func unravel(i int, shape []int) []int {
	c := make([]int, len(shape))
	for a := len(shape) - 1; a >= 0; a-- {
		c[a] = i % shape[a]
		i /= shape[a]
	}
	return c
}

type ocount struct{ conv, sat, wrap, zero, accConv, accSat, accWrap, accZero int64 }

func (c *ocount) count(ev fixed.Event, acc bool) {
	p := []*int64{&c.sat, &c.wrap, &c.zero}
	if acc {
		p = []*int64{&c.accSat, &c.accWrap, &c.accZero}
	}
	if ev != fixed.NoOverflow {
		*p[int(ev)-1]++
	}
}

func attrInts(a ir.Attrs, name string, n, def int) []int {
	v := a.Ints(name)
	out := make([]int, n)
	for i := range out {
		out[i] = def
		if v != nil {
			out[i] = int(v[i])
		}
	}
	return out
}

// oracleRun evaluates a fixed graph for one event.
func oracleRun(t *testing.T, g *ir.Graph, inputs [][]int64, cnt map[string]*ocount) [][]int64 {
	vals := map[string]*otensor{}
	for i, v := range g.Inputs {
		vals[v.Name] = &otensor{v.Type.Fixed, v.Shape, inputs[i]}
	}
	for _, c := range g.Consts {
		vals[c.Name] = &otensor{c.Type.Fixed, c.Shape, c.Codes}
	}
	for _, n := range g.Nodes {
		c := cnt[n.Name]
		if c == nil {
			c = &ocount{}
			cnt[n.Name] = c
		}
		ov := n.Outputs[0]
		T := ov.Type.Fixed
		res := &otensor{T, ov.Shape, make([]int64, ov.Shape.Size())}
		put := func(i int, v *big.Rat) {
			code, ev := oracleConvert(v, T)
			res.codes[i] = code
			c.conv++
			c.count(ev, false)
		}
		x := vals[n.Inputs[0]]
		xv := func(coord []int) *big.Rat { return ratOf(x.at(coord), x.t) }
		switch n.Op {
		case "dense", "conv":
			w := vals[n.Inputs[1]]
			var b *otensor
			if len(n.Inputs) > 2 {
				b = vals[n.Inputs[2]]
			}
			accT, _ := n.Attrs.Type("acc")
			A := accT.Fixed
			finish := func(i int, sum *big.Rat, co int) {
				if b != nil {
					sum.Add(sum, ratOf(b.codes[co], b.t))
				}
				ac, ev := oracleConvert(sum, A)
				c.accConv++
				c.count(ev, true)
				put(i, ratOf(ac, A))
			}
			if n.Op == "dense" {
				K, N := w.shape[0], w.shape[1]
				for i := range res.codes {
					coord := unravel(i, ov.Shape)
					co := coord[len(coord)-1]
					sum := new(big.Rat)
					for k := 0; k < K; k++ {
						coord[len(coord)-1] = k
						sum.Add(sum, new(big.Rat).Mul(xv(coord), ratOf(w.codes[k*N+co], w.t)))
					}
					finish(i, sum, co)
				}
				break
			}
			d := len(x.shape) - 1
			st := attrInts(n.Attrs, "strides", d, 1)
			dil := attrInts(n.Attrs, "dilations", d, 1)
			pads := attrInts(n.Attrs, "pads", 2*d, 0)
			kShape := w.shape[:d]
			cin := x.shape[d]
			for i := range res.codes {
				oc := unravel(i, ov.Shape)
				co := oc[d]
				sum := new(big.Rat)
				for kk := 0; kk < ir.Shape(kShape).Size(); kk++ {
					kc := unravel(kk, kShape)
					in := make([]int, d+1)
					ok := true
					for a := 0; a < d; a++ {
						in[a] = oc[a]*st[a] - pads[a] + kc[a]*dil[a]
						ok = ok && in[a] >= 0 && in[a] < x.shape[a]
					}
					if !ok {
						continue
					}
					for ci := 0; ci < cin; ci++ {
						in[d] = ci
						wc := append(append([]int{}, kc...), ci, co)
						sum.Add(sum, new(big.Rat).Mul(xv(in), ratOf(w.at(wc), w.t)))
					}
				}
				finish(i, sum, co)
			}
		case "add", "sub", "mul":
			y := vals[n.Inputs[1]]
			bc := func(o *otensor, coord []int) *big.Rat {
				off := len(coord) - len(o.shape)
				cc := make([]int, len(o.shape))
				for a := range cc {
					if o.shape[a] != 1 {
						cc[a] = coord[off+a]
					}
				}
				return ratOf(o.at(cc), o.t)
			}
			for i := range res.codes {
				coord := unravel(i, ov.Shape)
				a, b := bc(x, coord), bc(y, coord)
				switch n.Op {
				case "add":
					put(i, a.Add(a, b))
				case "sub":
					put(i, a.Sub(a, b))
				default:
					put(i, a.Mul(a, b))
				}
			}
		case "relu":
			for i, code := range x.codes {
				v := ratOf(code, x.t)
				if v.Sign() < 0 {
					v.SetInt64(0)
				}
				put(i, v)
			}
		case "leaky_relu":
			alpha := new(big.Rat).SetFloat64(n.Attrs.Float("alpha", 0))
			for i, code := range x.codes {
				v := ratOf(code, x.t)
				if v.Sign() < 0 {
					v.Mul(v, alpha)
				}
				put(i, v)
			}
		case "reshape":
			for i, code := range x.codes {
				put(i, ratOf(code, x.t))
			}
		case "maxpool", "avgpool":
			d := len(x.shape) - 1
			k := attrInts(n.Attrs, "kernel", d, 0)
			st := attrInts(n.Attrs, "strides", d, 1)
			pads := attrInts(n.Attrs, "pads", 2*d, 0)
			rf := int(n.Attrs.Int("recip_frac", 0))
			for i := range res.codes {
				oc := unravel(i, ov.Shape)
				var best *big.Rat
				sum := new(big.Rat)
				valid := 0
				for kk := 0; kk < ir.Shape(k).Size(); kk++ {
					kc := unravel(kk, k)
					in := make([]int, d+1)
					ok := true
					for a := 0; a < d; a++ {
						in[a] = oc[a]*st[a] - pads[a] + kc[a]
						ok = ok && in[a] >= 0 && in[a] < x.shape[a]
					}
					if !ok {
						continue
					}
					in[d] = oc[d]
					v := xv(in)
					valid++
					sum.Add(sum, v)
					if best == nil || v.Cmp(best) > 0 {
						best = v
					}
				}
				if n.Op == "maxpool" {
					put(i, best)
					continue
				}
				cntN := valid
				if n.Attrs.Int("count_include_pad", 0) == 1 {
					cntN = ir.Shape(k).Size()
				}
				// r = round_half_up(2^rf / n)
				r := new(big.Rat).Add(new(big.Rat).Quo(pow2(rf), big.NewRat(int64(cntN), 1)), big.NewRat(1, 2))
				ri := new(big.Int).Div(r.Num(), r.Denom())
				v := new(big.Rat).Mul(sum, new(big.Rat).SetInt(ri))
				put(i, v.Mul(v, pow2(-rf)))
			}
		case "lut":
			tab := vals[n.Inputs[1]]
			off := big.NewInt(n.Attrs.Int("offset", 0))
			div := new(big.Int).Lsh(big.NewInt(1), uint(n.Attrs.Int("shift", 0)))
			for i, code := range x.codes {
				d := new(big.Int).Sub(big.NewInt(code), off)
				idx := new(big.Int).Div(d, div) // floor (Euclidean, positive divisor)
				j := int64(0)
				switch {
				case idx.Sign() < 0:
				case idx.Cmp(big.NewInt(int64(len(tab.codes)-1))) > 0:
					j = int64(len(tab.codes) - 1)
				default:
					j = idx.Int64()
				}
				put(i, ratOf(tab.codes[j], tab.t))
			}
		default:
			t.Fatalf("oracle: op %s not implemented", n.Op)
		}
		vals[ov.Name] = res
	}
	outs := make([][]int64, len(g.Outputs))
	for i, o := range g.Outputs {
		outs[i] = vals[o].codes
	}
	return outs
}

// --- random graphs ----------------------------------------------------------

type gen struct {
	wide  bool // widen every type towards the 63-bit limit of exact intermediates
	r     *rand.Rand
	lines []string
	ins   []*ir.Value
	n     int
}

var allRoundings = []fixed.Rounding{fixed.TRN, fixed.TRN_ZERO, fixed.RND, fixed.RND_ZERO, fixed.RND_MIN_INF, fixed.RND_INF, fixed.RND_CONV}
var allOverflows = []fixed.Overflow{fixed.WRAP, fixed.SAT, fixed.SAT_ZERO, fixed.SAT_SYM}

func (g *gen) typ(minW, maxW int) fixed.Type {
	if g.wide {
		minW, maxW = max(minW, 12), min(maxW*3, 62)
	}
	w := minW + g.r.IntN(maxW-minW+1)
	signed := g.r.IntN(4) != 0
	if !signed && w > 62 {
		w = 62
	}
	return fixed.Type{
		Signed:   signed,
		Width:    w,
		Int:      -3 + g.r.IntN(w+7),
		Rounding: allRoundings[g.r.IntN(len(allRoundings))],
		Overflow: allOverflows[g.r.IntN(len(allOverflows))],
	}
}

func (g *gen) code(t fixed.Type) int64 {
	lo, hi := t.MinCode(), t.MaxCode()
	switch g.r.IntN(10) {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		return 0
	}
	return lo + g.r.Int64N(hi-lo+1)
}

func shapeText(s []int) string { return ir.Shape(s).String() }

func (g *gen) input(t fixed.Type, shape []int) string {
	name := fmt.Sprintf("in%d", len(g.ins))
	g.ins = append(g.ins, &ir.Value{Name: name, Type: ir.FixedOf(t), Shape: shape})
	g.lines = append(g.lines, fmt.Sprintf("input %s: %s%s", name, t, shapeText(shape)))
	return name
}

func (g *gen) constant(t fixed.Type, shape []int) string {
	g.n++
	name := fmt.Sprintf("c%d", g.n)
	codes := make([]string, ir.Shape(shape).Size())
	for i := range codes {
		codes[i] = strconv.FormatInt(g.code(t), 10)
	}
	g.lines = append(g.lines, fmt.Sprintf("const %s: %s%s = [%s]", name, t, shapeText(shape), strings.Join(codes, ", ")))
	return name
}

// operand returns an input or a constant.
func (g *gen) operand(t fixed.Type, shape []int) string {
	if g.r.IntN(2) == 0 {
		return g.input(t, shape)
	}
	return g.constant(t, shape)
}

func (g *gen) node(op string, ins []string, attrs string, t fixed.Type, shape []int) string {
	g.n++
	name := fmt.Sprintf("v%d", g.n)
	if attrs != "" {
		attrs = " {" + attrs + "}"
	}
	g.lines = append(g.lines, fmt.Sprintf("node n%d = %s(%s)%s -> %s: %s%s", g.n, op, strings.Join(ins, ", "), attrs, name, t, shapeText(shape)))
	return name
}

func ints(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func windowOutLen(in, k, st, dil, pb, pe int) int { return (in+pb+pe-(dil*(k-1)+1))/st + 1 }

// window picks random spatial parameters with at least one output position
// and (for pools) pads smaller than the kernel.
func (g *gen) window(d int, pool bool) (in, k, st, dil, pads, out []int) {
	for {
		in, k, st, dil, pads, out = make([]int, d), make([]int, d), make([]int, d), make([]int, d), make([]int, 2*d), make([]int, d)
		ok := true
		for a := 0; a < d; a++ {
			in[a] = 1 + g.r.IntN(5)
			k[a] = 1 + g.r.IntN(3)
			st[a] = 1 + g.r.IntN(2)
			dil[a] = 1
			if !pool {
				dil[a] = 1 + g.r.IntN(2)
			}
			pmax := 3
			if pool {
				pmax = k[a]
			}
			pads[a], pads[d+a] = g.r.IntN(pmax), g.r.IntN(pmax)
			out[a] = windowOutLen(in[a], k[a], st[a], dil[a], pads[a], pads[d+a])
			ok = ok && out[a] >= 1 && in[a]+pads[a]+pads[d+a] >= dil[a]*(k[a]-1)+1
		}
		if ok {
			return
		}
	}
}

// opGraph builds a random graph around one op (or a short chain) and
// returns its text.
func (g *gen) opGraph(kind string) string {
	g.lines, g.ins, g.n = nil, nil, 0
	switch kind {
	case "dense":
		K, N := 1+g.r.IntN(5), 1+g.r.IntN(4)
		shape := []int{K}
		if g.r.IntN(3) == 0 {
			shape = []int{1 + g.r.IntN(3), K}
		}
		x := g.input(g.typ(1, 12), shape)
		ins := []string{x, g.constant(g.typ(1, 10), []int{K, N})}
		if g.r.IntN(3) != 0 {
			ins = append(ins, g.constant(g.typ(1, 14), []int{N}))
		}
		out := append([]int{}, shape...)
		out[len(out)-1] = N
		y := g.node("dense", ins, "acc = "+g.typ(2, 28).String(), g.typ(1, 14), out)
		g.lines = append(g.lines, "output "+y)
	case "conv1d", "conv2d":
		d := 1
		if kind == "conv2d" {
			d = 2
		}
		in, k, st, dil, pads, out := g.window(d, false)
		cin, cout := 1+g.r.IntN(3), 1+g.r.IntN(3)
		x := g.input(g.typ(1, 10), append(in, cin))
		ins := []string{x, g.constant(g.typ(1, 8), append(append([]int{}, k...), cin, cout))}
		if g.r.IntN(2) == 0 {
			ins = append(ins, g.constant(g.typ(1, 14), []int{cout}))
		}
		attrs := fmt.Sprintf("strides = %s, dilations = %s, pads = %s, acc = %s", ints(st), ints(dil), ints(pads), g.typ(4, 26))
		y := g.node("conv", ins, attrs, g.typ(1, 14), append(out, cout))
		g.lines = append(g.lines, "output "+y)
	case "add", "sub", "mul":
		shapes := [][2][]int{
			{{3}, {3}}, {{2, 3}, {3}}, {{2, 3}, {2, 1}}, {{2, 1}, {1, 3}}, {{4}, {}}, {{1}, {2, 2}}, {{2, 1, 2}, {3, 1}},
		}
		s := shapes[g.r.IntN(len(shapes))]
		if g.r.IntN(2) == 0 {
			s[0], s[1] = s[1], s[0]
		}
		out, _ := ir.BroadcastShape(s[0], s[1])
		a := g.input(g.typ(1, 16), s[0])
		b := g.operand(g.typ(1, 16), s[1])
		y := g.node(kind, []string{a, b}, "", g.typ(1, 20), out)
		g.lines = append(g.lines, "output "+y)
	case "avgpool", "maxpool":
		d := 1 + g.r.IntN(2)
		in, k, st, _, pads, out := g.window(d, true)
		C := 1 + g.r.IntN(3)
		x := g.input(g.typ(1, 12), append(in, C))
		attrs := fmt.Sprintf("kernel = %s, strides = %s, pads = %s", ints(k), ints(st), ints(pads))
		if kind == "avgpool" {
			attrs += fmt.Sprintf(", count_include_pad = %d, recip_frac = %d", g.r.IntN(2), 1+g.r.IntN(16))
		}
		y := g.node(kind, []string{x}, attrs, g.typ(1, 14), append(out, C))
		g.lines = append(g.lines, "output "+y)
	case "leaky_relu":
		shape := []int{1 + g.r.IntN(6)}
		x := g.input(g.typ(1, 16), shape)
		alpha := float64(g.r.IntN(1<<19)-1<<18) / 65536
		y := g.node("leaky_relu", []string{x}, "alpha = "+strconv.FormatFloat(alpha, 'g', -1, 64), g.typ(1, 16), shape)
		g.lines = append(g.lines, "output "+y)
	case "lut":
		shape := []int{1 + g.r.IntN(6)}
		xt := g.typ(1, 12)
		x := g.input(xt, shape)
		L := 1 + g.r.IntN(8)
		tab := g.constant(g.typ(1, 12), []int{L})
		span := int64(1) << xt.Width
		offset := g.r.Int64N(2*span+1) - span
		y := g.node("lut", []string{x, tab}, fmt.Sprintf("offset = %d, shift = %d", offset, g.r.IntN(5)), g.typ(1, 12), shape)
		g.lines = append(g.lines, "output "+y)
	case "chain":
		// conv -> relu -> maxpool -> reshape -> dense -> leaky_relu -> lut, plus add.
		in, k, st, dil, pads, out := g.window(1, false)
		cin, cout := 1+g.r.IntN(2), 1+g.r.IntN(3)
		x := g.input(g.typ(4, 10), append(in, cin))
		attrs := fmt.Sprintf("strides = %s, dilations = %s, pads = %s, acc = %s", ints(st), ints(dil), ints(pads), g.typ(10, 24))
		c := g.node("conv", []string{x, g.constant(g.typ(2, 8), append(append([]int{}, k...), cin, cout))}, attrs, g.typ(4, 12), append(out, cout))
		r := g.node("relu", []string{c}, "", g.typ(4, 12), append(out, cout))
		pk := 1 + g.r.IntN(min(2, out[0]))
		pl := windowOutLen(out[0], pk, 1, 1, 0, 0)
		p := g.node("maxpool", []string{r}, fmt.Sprintf("kernel = [%d]", pk), g.typ(4, 12), []int{pl, cout})
		f := g.node("reshape", []string{p}, fmt.Sprintf("shape = [%d]", pl*cout), g.typ(4, 12), []int{pl * cout})
		N := 1 + g.r.IntN(4)
		dn := g.node("dense", []string{f, g.constant(g.typ(2, 8), []int{pl * cout, N}), g.constant(g.typ(2, 10), []int{N})},
			"acc = "+g.typ(12, 28).String(), g.typ(4, 14), []int{N})
		lr := g.node("leaky_relu", []string{dn}, "alpha = 0.125", g.typ(4, 14), []int{N})
		ad := g.node("add", []string{lr, g.operand(g.typ(2, 10), []int{N})}, "", g.typ(4, 14), []int{N})
		lt := g.node("lut", []string{ad, g.constant(g.typ(4, 10), []int{8})}, fmt.Sprintf("offset = %d, shift = %d", -g.r.IntN(64), g.r.IntN(4)), g.typ(4, 10), []int{N})
		g.lines = append(g.lines, "output "+lt, "output "+dn)
	}
	return strings.Join(g.lines, "\n") + "\n"
}

func TestFixedOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	g := &gen{r: r}
	kinds := []string{"dense", "conv1d", "conv2d", "add", "sub", "mul", "avgpool", "maxpool", "leaky_relu", "lut", "chain"}
	trials := 150
	if testing.Short() {
		trials = 30
	}
	var events, overflows int64
	var wideGraphs int
	for _, kind := range append(kinds, "wide") {
		n := trials
		if kind == "wide" {
			n = trials * len(kinds) / 2 // about half of them pass Validate
		}
		for trial := 0; trial < n; trial++ {
			k := kind
			g.wide = kind == "wide"
			if g.wide {
				k = kinds[trial%len(kinds)]
			}
			src := g.opGraph(k)
			graph, err := ir.Parse("trigo-ir 1\ngraph rnd\n" + src)
			if err != nil {
				t.Fatalf("%s: parse: %v\n%s", kind, err, src)
			}
			if err := graph.Validate(); err != nil {
				if g.wide {
					continue // beyond the 63-bit limit: Validate refuses, as it should
				}
				t.Fatalf("%s: validate: %v\n%s", kind, err, src)
			}
			if g.wide {
				wideGraphs++
			}
			f, err := NewFixed(graph)
			if err != nil {
				t.Fatalf("%s: %v\n%s", kind, err, src)
			}
			const nev = 4
			cs := make([]Codes, len(graph.Inputs))
			for i, v := range graph.Inputs {
				cs[i] = Codes{Events: nev, Shape: v.Shape, Type: v.Type, Data: make([]int64, nev*v.Shape.Size())}
				for j := range cs[i].Data {
					cs[i].Data[j] = g.code(v.Type.Fixed)
				}
			}
			outs, err := f.Run(cs)
			if err != nil {
				t.Fatalf("%s: run: %v\n%s", kind, err, src)
			}
			cnt := map[string]*ocount{}
			for e := 0; e < nev; e++ {
				ins := make([][]int64, len(cs))
				for i := range cs {
					ins[i] = cs[i].Event(e)
				}
				want := oracleRun(t, graph, ins, cnt)
				for o := range want {
					if got := outs[o].Event(e); !equalI(got, want[o]) {
						t.Fatalf("%s trial %d event %d output %s:\n got  %v\n want %v\ninputs %v\n%s", kind, trial, e, graph.Outputs[o], got, want[o], ins, src)
					}
				}
			}
			rep := f.Report()
			for _, n := range graph.Nodes {
				c, nr := cnt[n.Name], rep.Node(n.Name)
				got := ocount{nr.Conversions, nr.Saturated, nr.Wrapped, nr.Zeroed, nr.AccConversions, nr.AccSaturated, nr.AccWrapped, nr.AccZeroed}
				if got != *c {
					t.Fatalf("%s trial %d node %s: report %+v, oracle %+v\n%s", kind, trial, n.Name, got, *c, src)
				}
			}
			events += nev
			overflows += rep.Total()
		}
	}
	t.Logf("%d events (%d wide graphs), %d overflow events checked", events, wideGraphs, overflows)
	if wideGraphs < trials {
		t.Errorf("only %d wide graphs passed Validate", wideGraphs)
	}
}

// TestOracleConvertAgrees cross-checks the oracle's conversion with
// fixed.Type.Convert on random values, so that a disagreement in the graph
// oracle points at the executor rather than at the two conversions.
func TestOracleConvertAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := &gen{r: r}
	for i := 0; i < 20000; i++ {
		ty := g.typ(1, 40)
		code := r.Int64N(1<<40) - 1<<39
		if r.IntN(4) == 0 {
			code = r.Int64N(64) - 32
		}
		frac := r.IntN(60) - 20
		got, gev := ty.Convert(code, frac)
		want, wev := oracleConvert(new(big.Rat).Mul(big.NewRat(code, 1), pow2(-frac)), ty)
		if got != want || gev != wev {
			t.Fatalf("%s.Convert(%d, %d) = %d %v, oracle %d %v", ty, code, frac, got, gev, want, wev)
		}
	}
}

func TestLutIndexExtremes(t *testing.T) {
	const maxI, minI = int64(1<<63 - 1), int64(-1 << 63)
	cases := []struct {
		code, offset int64
		shift        uint
		size, want   int64
	}{
		{maxI, minI, 0, 8, 7},      // difference 2^64-1 overflows int64
		{minI, maxI, 0, 8, 0},      // -(2^64-1)
		{minI, 1, 62, 8, 0},        // overflows by one
		{maxI, -1, 62, 8, 2},       // 2^63 >> 62: the difference overflows int64 by one
		{-1, maxI, 0, 8, 0},        // -2^63 fits: floor -> clamp 0
		{5, 0, 1, 8, 2},            // floor(5/2)
		{-5, 0, 1, 8, 0},           // floor(-5/2) = -3 -> 0
		{-5, -9, 1, 8, 2},          // floor(4/2)
		{-3, -9, 0, 4, 3},          // 6 -> clamp 3
		{maxI, 0, 62, 8, 1},        // (2^63-1) >> 62
		{maxI, minI + 1, 62, 9, 3}, // (2^64-2) >> 62 = 3
		{minI, maxI, 62, 9, 0},     // -(2^64-1) >> 62 = -4
		{minI + 5, 7, 2, 9, 0},
		{7, minI + 5, 62, 9, 2}, // (2^63+2) >> 62 = 2
	}
	for _, c := range cases {
		want := c.want
		if got := LutIndex(c.code, c.offset, c.shift, c.size); got != want {
			// cross-check with big integers
			d := new(big.Int).Sub(big.NewInt(c.code), big.NewInt(c.offset))
			d.Rsh(d, c.shift)
			t.Errorf("LutIndex(%d, %d, %d, %d) = %d, want %d (exact %v)", c.code, c.offset, c.shift, c.size, got, want, d)
		}
	}
}

func TestRoundedReciprocal(t *testing.T) {
	for _, c := range []struct {
		n    int64
		frac int
		want int64
	}{{1, 4, 16}, {2, 4, 8}, {3, 4, 5}, {6, 4, 3}, {32, 4, 1}, {33, 4, 0}, {9, 16, 7282}, {7, 2, 1}, {8, 2, 1}, {9, 2, 0}} {
		if got := RoundedReciprocal(c.n, c.frac); got != c.want {
			t.Errorf("RoundedReciprocal(%d, %d) = %d, want %d", c.n, c.frac, got, c.want)
		}
	}
}

func TestConverterMatchesConvert(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	codes := func(ty fixed.Type) int64 {
		switch r.IntN(8) {
		case 0:
			return []int64{0, 1, -1, 1<<63 - 1, -1 << 63, ty.MinCode(), ty.MaxCode(), ty.MinCode() - 1, ty.MaxCode() + 1}[r.IntN(9)]
		case 1:
			return r.Int64N(64) - 32
		case 2:
			return int64(r.Uint64())
		}
		b := r.IntN(62) + 1
		return r.Int64N(1<<b) - 1<<(b-1)
	}
	fast := 0
	for i := 0; i < 300000; i++ {
		signed := r.IntN(3) != 0
		w := 1 + r.IntN(64)
		if !signed && w == 64 {
			w = 63
		}
		ty := fixed.Type{Signed: signed, Width: w, Int: r.IntN(140) - 70,
			Rounding: allRoundings[r.IntN(len(allRoundings))], Overflow: allOverflows[r.IntN(len(allOverflows))]}
		frac := ty.Frac() + r.IntN(140) - 70
		if r.IntN(50) == 0 {
			frac = []int{1 << 40, -1 << 40, 1<<62 - 1, -1 << 62}[r.IntN(4)]
		}
		c := newConverter(ty, frac)
		for j := 0; j < 8; j++ {
			v := codes(ty)
			got, gev := c.convert(v)
			want, wev := ty.Convert(v, frac)
			if got != want || gev != wev {
				t.Fatalf("%s from frac %d, code %d: converter %d %v, Convert %d %v", ty, frac, v, got, gev, want, wev)
			}
			if c.fast && wev == fixed.NoOverflow {
				fast++
			}
		}
	}
	t.Logf("%d fast-path conversions checked", fast)
}
