package verilog

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"trigo/ir"
	"trigo/ir/fixed"
)

func (d *design) node(n *ir.Node) error {
	switch n.Op {
	case "dense", "conv":
		return d.linear(n)
	case "add", "sub", "mul":
		return d.eltwise(n)
	case "relu":
		return d.relu(n)
	case "leaky_relu":
		return d.leakyRelu(n)
	case "clip":
		return d.clip(n)
	case "maxpool", "avgpool", "reduce_sum", "reduce_max":
		return d.reduce(n)
	case "lut":
		return d.lut(n)
	case "bipolar_quant":
		return d.bipolar(n)
	case "reshape", "cast", "transpose", "concat", "slice":
		return d.wiring(n)
	}
	return fmt.Errorf("op not supported by the RTL backend")
}

func typeDesc(v *ir.Value) string { return fmt.Sprintf("%s %s%v", v.Name, v.Type, v.Shape) }

// ioComment describes a layer's inputs and output.
func (d *design) ioComment(n *ir.Node, out *ir.Value) string {
	var ins []string
	for _, in := range n.Inputs {
		if d.constOf(in) != nil {
			continue
		}
		ins = append(ins, typeDesc(d.ix.Values[in]))
	}
	return fmt.Sprintf("%s -> %s", strings.Join(ins, ", "), typeDesc(out))
}

// cvtOf is the conversion of a code of type t to out.
func cvtOf(t fixed.Type, out fixed.Type) cvt { return newCvt(t.Width, t.Signed, t.Frac(), out) }

// fusableRelu returns the relu that directly and only consumes a node's
// output when it can be folded into the node's conversion: the relu's own
// conversion is the identity and the node's output is not a graph output.
func (d *design) fusableRelu(n *ir.Node) *ir.Node {
	out := n.Output()
	for _, o := range d.g.Outputs {
		if o == out.Name {
			return nil
		}
	}
	users := d.ix.Users[out.Name]
	if len(users) != 1 || users[0].Op != "relu" || len(users[0].Inputs) != 1 {
		return nil
	}
	r := users[0]
	T := out.Type.Fixed
	lo := big.NewInt(0)
	_, hi := bound(T)
	if !cvtOf(T, r.Output().Type.Fixed).withRange(lo, hi).identity() || !T.Signed {
		return nil
	}
	return r
}

// ---- dense and conv --------------------------------------------------------

type term struct {
	idx int
	w   int64
}

func (d *design) linear(n *ir.Node) error {
	x := d.input(n, 0)
	xv := d.ix.Values[n.Inputs[0]]
	wC := d.constOf(n.Inputs[1])
	var bC *ir.Const
	if len(n.Inputs) > 2 {
		bC = d.constOf(n.Inputs[2])
	}
	if wC == nil || (len(n.Inputs) > 2 && bC == nil) {
		return fmt.Errorf("weights and bias must be constants")
	}
	accT, _ := n.Attrs.Type("acc")
	A := accT.Fixed
	out := n.Output()
	T := out.Type.Fixed
	Fx, Fw := x.t.Frac(), wC.Type.Fixed.Frac()
	Fe, ps, bs := Fx+Fw, 0, 0
	if bC != nil {
		Fb := bC.Type.Fixed.Frac()
		if Fb > Fe {
			ps = Fb - Fe
			Fe = Fb
		}
		bs = Fe - Fb
	}
	ws := wC.Shape
	N := ws[len(ws)-1]
	var lists [][]term // per output element
	var biasOf []int64
	desc := ""
	total := 0
	if n.Op == "dense" {
		K := ws[0]
		rows := x.n / K
		for r := 0; r < rows; r++ {
			for j := 0; j < N; j++ {
				var l []term
				for k := 0; k < K; k++ {
					if w := wC.Codes[k*N+j]; w != 0 {
						l = append(l, term{r*K + k, w})
					}
					total++
				}
				lists = append(lists, l)
				b := int64(0)
				if bC != nil {
					b = bC.Codes[j]
				}
				biasOf = append(biasOf, b)
			}
		}
		desc = fmt.Sprintf("%d inputs x %d outputs", K, N)
		if rows > 1 {
			desc += fmt.Sprintf(", %d rows", rows)
		}
	} else {
		win, err := convWindow(n, xv.Shape, ws, out.Shape)
		if err != nil {
			return err
		}
		cin := xv.Shape[len(xv.Shape)-1]
		for o := 0; o < win.nOut; o++ {
			for j := 0; j < N; j++ {
				var l []term
				for kk, p := range win.idx[o] {
					for ci := 0; ci < cin; ci++ {
						total++
						if p < 0 {
							continue
						}
						if w := wC.Codes[(kk*cin+ci)*N+j]; w != 0 {
							l = append(l, term{p*cin + ci, w})
						}
					}
				}
				lists = append(lists, l)
				b := int64(0)
				if bC != nil {
					b = bC.Codes[j]
				}
				biasOf = append(biasOf, b)
			}
		}
		st, dil, pads, _ := ir.SpatialParams(n.Attrs, len(xv.Shape)-1)
		desc = fmt.Sprintf("kernel %v, %d -> %d channels, strides %v, dilations %v, pads %v", []int(ws[:len(ws)-2]), cin, N, st, dil, pads)
	}

	// Exact range of every sum (interval arithmetic over the terms).
	xlo, xhi := x.codes()
	var lo, hi *big.Int
	los := make([]*big.Int, len(lists))
	his := make([]*big.Int, len(lists))
	for j, l := range lists {
		a, b := new(big.Int), new(big.Int)
		for _, tm := range l {
			w := big.NewInt(tm.w)
			p1 := new(big.Int).Mul(w, xlo)
			p2 := new(big.Int).Mul(w, xhi)
			if p1.Cmp(p2) > 0 {
				p1, p2 = p2, p1
			}
			a.Add(a, p1.Lsh(p1, uint(ps)))
			b.Add(b, p2.Lsh(p2, uint(ps)))
		}
		bb := new(big.Int).Lsh(big.NewInt(biasOf[j]), uint(bs))
		a.Add(a, bb)
		b.Add(b, bb)
		los[j], his[j] = a, b
		if lo == nil || a.Cmp(lo) < 0 {
			lo = a
		}
		if hi == nil || b.Cmp(hi) > 0 {
			hi = b
		}
	}
	swExact := rangeBits(lo, hi)

	// Accumulator conversion: wiring when the acc type cannot overflow on
	// the exact sum, or wraps without dropping bits (then only its low
	// bits are computed).
	sa := A.Frac() - Fe
	var sw int
	var accCv *cvt
	var yCv cvt
	accNote := ""
	fold := big.NewInt(0)
	switch {
	case sa >= 0 && !newCvt(swExact, true, Fe, A).withRange(lo, hi).overflows():
		sw = swExact
		yCv = newCvt(sw, true, Fe, T).withRange(lo, hi)
		accNote = fmt.Sprintf("acc %s never overflows: sums are exact (%d bits)", A, sw)
		if k, ok := yCv.foldable(); ok && k.Sign() != 0 {
			// Fold the output rounding into the constant term: the
			// conversion then only truncates (and saturates).
			fold = k
			lo, hi = new(big.Int).Add(lo, k), new(big.Int).Add(hi, k)
			sw = rangeBits(lo, hi)
			T2 := T
			T2.Rounding = fixed.TRN
			yCv = newCvt(sw, true, Fe, T2).withRange(lo, hi)
			accNote += fmt.Sprintf("; %s rounding folded into the constant (+%v)", T.Rounding, k)
		}
	case sa >= 0 && A.Overflow == fixed.WRAP && A.Width-sa >= 1:
		sw = A.Width - sa
		if A.Signed {
			sw = min(swExact, sw)
		}
		yCv = newCvt(sw, A.Signed, Fe, T)
		accNote = fmt.Sprintf("acc %s wraps: sums computed modulo 2^%d", A, sw)
	default:
		sw = swExact
		c := newCvt(sw, true, Fe, A).withRange(lo, hi)
		accCv = &c
		yCv = cvtOf(A, T)
		accNote = fmt.Sprintf("acc %s: exact %d-bit sums converted", A, sw)
	}

	if R := d.b.reuse(n.Name); R > 1 {
		return d.linearTM(&linSpec{n: n, x: x, R: R, lists: lists, biasOf: biasOf, bs: bs, ps: ps, fold: fold,
			sw: sw, accCv: accCv, yCv: yCv, T: T, Fe: Fe, lo: lo, hi: hi, desc: desc, accNote: accNote,
			total: total, wC: wC, bC: bC})
	}

	// Terms.
	var tStart, tCount, tIdx, tSh, tKind []int
	var tW []*big.Int
	var consts []*big.Int
	ww := 2
	anyMul := false
	maxLeaves := 0
	nz := 0
	for j, l := range lists {
		tStart = append(tStart, len(tIdx))
		neg := 0
		for _, tm := range l {
			nz++
			w := big.NewInt(tm.w)
			add := func(kind, sh int, wv *big.Int) {
				tIdx = append(tIdx, tm.idx)
				tKind = append(tKind, kind)
				tSh = append(tSh, sh)
				tW = append(tW, wv)
				if kind == 2 {
					neg++
				}
			}
			if e, isNeg, ok := powerOfTwo(w); ok && e+ps < 256 {
				if isNeg {
					add(2, e+ps, big.NewInt(0))
				} else {
					add(1, e+ps, big.NewInt(0))
				}
				continue
			}
			if d.lutMul {
				p, q := csd(w)
				for i := 0; i < max(p.BitLen(), q.BitLen()); i++ {
					if p.Bit(i) == 1 {
						add(1, i+ps, big.NewInt(0))
					} else if q.Bit(i) == 1 {
						add(2, i+ps, big.NewInt(0))
					}
				}
				continue
			}
			add(0, ps, w)
			anyMul = true
			ww = max(ww, signedBits(w))
		}
		c := new(big.Int).Lsh(big.NewInt(biasOf[j]), uint(bs))
		c.Add(c, big.NewInt(int64(neg)))
		c.Add(c, fold)
		consts = append(consts, c)   // printed modulo 2^sw
		if twos(c, sw).Sign() != 0 { // the constant term
			tIdx = append(tIdx, 0)
			tKind = append(tKind, 3)
			tSh = append(tSh, 0)
			tW = append(tW, big.NewInt(0))
		}
		tCount = append(tCount, len(tIdx)-tStart[j])
		maxLeaves = max(maxLeaves, tCount[j])
	}
	nt := len(tIdx)
	if nt == 0 { // every weight is zero: one unused entry keeps the vectors non-empty
		tIdx, tKind, tSh, tW = []int{0}, []int{1}, []int{0}, []*big.Int{big.NewInt(0)}
		nt = 1
	}
	levels := clog(maxLeaves, d.arity)

	relu := d.fusableRelu(n)
	label := n.Name
	resOut := out
	if relu != nil {
		d.fused[relu.Name] = n
		label = n.Name + " + " + relu.Name
		resOut = relu.Output()
	}

	// Steps and delays.
	steps := []step{{"products", 0}}
	if anyMul {
		steps[0].delay = d.dm.mul(x.t.Width+ux(x.t), ww)
	}
	for l := 1; l <= levels; l++ {
		dl := d.dm.add(sw)
		if d.arity == 3 && maxLeaves > 2 {
			dl = d.dm.add3(sw)
		}
		steps = append(steps, step{fmt.Sprintf("adder level %d", l), dl})
	}
	accDelay := 0.0
	if accCv != nil {
		accDelay = accCv.delay(d.dm)
	}
	steps = append(steps, step{"acc conversion", accDelay})
	yd := yCv.delay(d.dm)
	if relu != nil && !yCv.saturates() {
		yd += d.dm.LUT
	}
	steps = append(steps, step{"conversion", yd})

	cyc, arr, al := d.align([]*sig{x})
	module := "trigo_dense"
	if n.Op == "conv" {
		module = "trigo_conv"
	}
	l := &layerSpec{node: n, label: label, op: n.Op, module: module, out: resOut, outT: resOut.Type.Fixed, outN: resOut.Shape.Size()}
	if relu != nil {
		l.op = n.Op + " + relu (fused)"
	}
	biasDesc := "no bias"
	if bC != nil {
		biasDesc = fmt.Sprintf("bias %s %s", bC.Name, bC.Type)
	}
	l.comment = []string{
		d.ioComment(n, resOut),
		fmt.Sprintf("%s; weights %s %s%v (%d non-zero of %d products), %s", desc, wC.Name, wC.Type, wC.Shape, nz, total, biasDesc),
		accNote + fmt.Sprintf("; %d-input adder tree, %d levels", d.arity, levels),
	}
	if d.lutMul {
		l.comment = append(l.comment, "multipliers: shift-add of canonical signed digits (no DSP)")
	}
	l.params = []kv{
		{k: "NX", v: fmt.Sprint(x.n)}, {k: "XW", v: fmt.Sprint(x.t.Width)}, {k: "XS", v: fmt.Sprint(b01(x.t.Signed))},
		{k: "NY", v: fmt.Sprint(len(lists))}, {k: "NT", v: fmt.Sprint(nt)}, {k: "WW", v: fmt.Sprint(ww)}, {k: "SW", v: fmt.Sprint(sw)},
		{k: "ARITY", v: fmt.Sprint(d.arity)}, {k: "LUTMUL", v: fmt.Sprint(b01(d.lutMul))}, {k: "LEVELS", v: fmt.Sprint(levels)},
		vecKV("T_START", bigInts(tStart), 32),
		vecKV("T_COUNT", bigInts(tCount), 32),
		vecKV("T_IDX", bigInts(tIdx), 32),
		vecKV("T_W", tW, ww),
		vecKV("T_SH", bigInts(tSh), 8),
		vecKV("T_KIND", bigInts(tKind), 2),
		vecKV("CONSTS", consts, sw),
	}
	if accCv != nil {
		l.params = append(l.params, kv{k: "A_CONV", v: "1"})
		l.params = append(l.params, splitParams(accCv.prefixed("A_"))...)
	} else {
		l.params = append(l.params, kv{k: "A_CONV", v: "0"}, kv{k: "A_IW", v: fmt.Sprint(sw)}, kv{k: "A_OW", v: fmt.Sprint(sw)})
	}
	l.params = append(l.params, splitParams(yCv.prefixed("Y_"))...)
	l.params = append(l.params, kv{k: "RELU", v: fmt.Sprint(b01(relu != nil))})
	l.ins = []kv{{k: "x", v: d.net(al[0])}}
	l.steps = steps
	for _, k := range tKind {
		if k == 0 && !d.lutMul {
			l.mults++
		}
	}
	o := d.emitLayer(l, cyc, arr)
	linearRange(o, accCv, yCv, T, fold, Fe, lo, hi, relu != nil)
	return nil
}

// linearRange bounds the output codes of a dense or conv layer when the
// conversions are monotonic.
func linearRange(o *sig, accCv *cvt, yCv cvt, T fixed.Type, fold *big.Int, Fe int, lo, hi *big.Int, relu bool) {
	if accCv != nil {
		return
	}
	yT := T
	if fold.Sign() != 0 {
		yT.Rounding = fixed.TRN
	}
	if rl, rh := convRange(yCv, yT, Fe, lo, hi); rl != nil {
		if relu && rl.Sign() < 0 {
			rl = big.NewInt(0)
		}
		if relu && rh.Sign() < 0 {
			rh = big.NewInt(0)
		}
		o.lo, o.hi = rl, rh
	}
}

// splitParams turns ".A(1), .B(2)" into key/value pairs.
func splitParams(s string) []kv {
	var out []kv
	for _, p := range strings.Split(s, ", ") {
		p = strings.TrimPrefix(p, ".")
		i := strings.Index(p, "(")
		out = append(out, kv{k: p[:i], v: p[i+1 : len(p)-1]})
	}
	return out
}

// ---- element-wise add, sub, mul --------------------------------------------

func (d *design) eltwise(n *ir.Node) error {
	a, b := d.input(n, 0), d.input(n, 1)
	av, bv := d.ix.Values[n.Inputs[0]], d.ix.Values[n.Inputs[1]]
	out := n.Output()
	T := out.Type.Fixed
	Fa, Fb := a.t.Frac(), b.t.Frac()
	var ew, frac, sa, sb int
	op := map[string]int{"add": 0, "sub": 1, "mul": 2}[n.Op]
	steps := []step{{n.Op, 0}}
	if op < 2 {
		frac = max(Fa, Fb)
		sa, sb = frac-Fa, frac-Fb
		ew = max(a.t.Width+sa+ux(a.t), b.t.Width+sb+ux(b.t)) + 1
		steps[0].delay = d.dm.add(ew)
	} else {
		frac = Fa + Fb
		ew = a.t.Width + ux(a.t) + b.t.Width + ux(b.t)
		if d.lutMul {
			steps[0].delay = float64(clog(b.t.Width+1, 3)) * d.dm.add3(ew)
		} else {
			steps[0].delay = d.dm.mul(a.t.Width+ux(a.t), b.t.Width+ux(b.t))
		}
	}
	yCv := newCvt(ew, true, frac, T)
	steps = append(steps, step{"conversion", yCv.delay(d.dm)})
	ia := broadcastIndex(av.Shape, out.Shape)
	ib := broadcastIndex(bv.Shape, out.Shape)
	cyc, arr, al := d.align([]*sig{a, b})
	l := &layerSpec{node: n, label: n.Name, op: n.Op, module: "trigo_eltwise", out: out, outT: T, outN: out.Shape.Size()}
	what := fmt.Sprintf("exact result %d bits at frac %d", ew, frac)
	if !av.Shape.Equal(out.Shape) || !bv.Shape.Equal(out.Shape) {
		what += fmt.Sprintf("; broadcasting %v and %v to %v", av.Shape, bv.Shape, out.Shape)
	}
	if op == 2 && d.lutMul {
		what += "; product by shift-add (no DSP)"
	}
	l.comment = []string{d.ioComment(n, out), what}
	l.params = []kv{
		{k: "OP", v: fmt.Sprint(op)},
		{k: "NA", v: fmt.Sprint(a.n)}, {k: "AW", v: fmt.Sprint(a.t.Width)}, {k: "AS", v: fmt.Sprint(b01(a.t.Signed))}, {k: "SA", v: fmt.Sprint(sa)},
		{k: "NB", v: fmt.Sprint(b.n)}, {k: "BW", v: fmt.Sprint(b.t.Width)}, {k: "BS", v: fmt.Sprint(b01(b.t.Signed))}, {k: "SB", v: fmt.Sprint(sb)},
		{k: "NY", v: fmt.Sprint(out.Shape.Size())}, {k: "EW", v: fmt.Sprint(ew)},
		vecKV("IA", bigInts(ia), 32), vecKV("IB", bigInts(ib), 32),
		{k: "LUTMUL", v: fmt.Sprint(b01(d.lutMul))},
	}
	l.params = append(l.params, splitParams(yCv.prefixed("Y_"))...)
	l.ins = []kv{{k: "a", v: d.net(al[0])}, {k: "b", v: d.net(al[1])}}
	l.steps = steps
	d.emitLayer(l, cyc, arr)
	return nil
}

// ---- relu, leaky_relu, clip ------------------------------------------------

// unaryCvtParams are the Y_ parameters of the unary modules (input width
// and signedness are the module's XW and XS).
func unaryCvtParams(c cvt) []kv {
	return []kv{{k: "Y_SHIFT", v: fmt.Sprint(c.Shift)}, {k: "Y_OW", v: fmt.Sprint(c.OW)}, {k: "Y_OS", v: fmt.Sprint(b01(c.OS))},
		{k: "Y_RND", v: fmt.Sprint(int(c.Rnd))}, {k: "Y_OVF", v: fmt.Sprint(int(c.Ovf))}}
}

func (d *design) xParams(x *sig, nName string) []kv {
	return []kv{{k: nName, v: fmt.Sprint(x.n)}, {k: "XW", v: fmt.Sprint(x.t.Width)}, {k: "XS", v: fmt.Sprint(b01(x.t.Signed))}}
}

func (d *design) relu(n *ir.Node) error {
	x := d.input(n, 0)
	out := n.Output()
	lo, hi := x.codes()
	if lo.Sign() < 0 {
		lo = big.NewInt(0)
	}
	if hi.Sign() < 0 {
		hi = big.NewInt(0)
	}
	yCv := cvtOf(x.t, out.Type.Fixed).withRange(lo, hi)
	sel := 0.0
	if x.t.Signed {
		sel = d.dm.LUT
	}
	steps := []step{{"max(x,0)", sel}, {"conversion", yCv.delay(d.dm)}}
	cyc, arr, al := d.align([]*sig{x})
	l := &layerSpec{node: n, label: n.Name, op: n.Op, module: "trigo_relu", out: out, outT: out.Type.Fixed, outN: out.Shape.Size()}
	l.comment = []string{d.ioComment(n, out)}
	l.params = append(d.xParams(x, "N"), unaryCvtParams(yCv)...)
	l.ins = []kv{{k: "x", v: d.net(al[0])}}
	l.steps = steps
	o := d.emitLayer(l, cyc, arr)
	o.lo, o.hi = convRange(yCv, out.Type.Fixed, x.t.Frac(), lo, hi)
	return nil
}

func (d *design) leakyRelu(n *ir.Node) error {
	x := d.input(n, 0)
	out := n.Output()
	af := math.Ldexp(n.Attrs.Float("alpha", 0), 16)
	if af != math.Trunc(af) || math.Abs(af) > 1<<20 {
		return fmt.Errorf("alpha %v is not a multiple of 2^-16 within ±16", n.Attrs.Float("alpha", 0))
	}
	a := big.NewInt(int64(af))
	aw := signedBits(a) + 1
	p, q := csd(a)
	ew := x.t.Width + ux(x.t) + 22
	yCv := newCvt(ew, true, x.t.Frac()+16, out.Type.Fixed)
	mul := d.dm.mul(x.t.Width+ux(x.t), aw)
	if d.lutMul {
		mul = float64(clog(popcount(p)+popcount(q)+1, 3)) * d.dm.add3(ew)
	}
	steps := []step{{"alpha*x", mul}, {"select", d.dm.LUT}, {"conversion", yCv.delay(d.dm)}}
	cyc, arr, al := d.align([]*sig{x})
	l := &layerSpec{node: n, label: n.Name, op: n.Op, module: "trigo_leaky_relu", out: out, outT: out.Type.Fixed, outN: out.Shape.Size()}
	l.comment = []string{d.ioComment(n, out), fmt.Sprintf("alpha = %d * 2^-16", a.Int64())}
	l.params = append(d.xParams(x, "N"),
		kv{k: "EW", v: fmt.Sprint(ew)}, kv{k: "AW", v: fmt.Sprint(aw)}, kv{k: "ALPHA", v: lit(a, aw)}, kv{k: "LUTMUL", v: fmt.Sprint(b01(d.lutMul))},
		kv{k: "AP", v: lit(p, aw)}, kv{k: "AN", v: lit(q, aw)})
	l.params = append(l.params, unaryCvtParams(yCv)...)
	l.ins = []kv{{k: "x", v: d.net(al[0])}}
	l.steps = steps
	d.emitLayer(l, cyc, arr)
	return nil
}

func (d *design) clip(n *ir.Node) error {
	x := d.input(n, 0)
	out := n.Output()
	T := out.Type.Fixed
	Fx := x.t.Frac()
	xlo, xhi := bound(x.t)
	lo, hi := new(big.Int).Set(xlo), new(big.Int).Set(xhi)
	hasLo, hasHi := false, false
	var clo, chi *big.Int
	for _, k := range []string{"min", "max"} {
		v, ok := n.Attrs[k].(float64)
		if !ok {
			continue
		}
		c := math.Ldexp(v, Fx)
		if c != math.Trunc(c) || math.Abs(c) > 1<<62 {
			return fmt.Errorf("%s %v does not lie on the input grid", k, v)
		}
		bc, _ := new(big.Float).SetFloat64(c).Int(nil)
		if k == "min" {
			clo = bc
		} else {
			chi = bc
		}
	}
	// Constant results: a lower bound above every code or an upper bound
	// below every code.
	if (clo != nil && clo.Cmp(xhi) > 0) || (chi != nil && chi.Cmp(xlo) < 0) {
		var c *big.Int
		switch {
		case clo != nil && clo.Cmp(xhi) > 0:
			c = clo
			if chi != nil && chi.Cmp(c) < 0 {
				c = chi
			}
		default:
			c = chi
		}
		code, _ := T.Convert(c.Int64(), Fx)
		return d.constLayer(n, code)
	}
	if clo != nil && clo.Cmp(xlo) > 0 {
		hasLo, lo = true, clo
	}
	if chi != nil && chi.Cmp(xhi) < 0 {
		hasHi, hi = true, chi
	}
	rlo, rhi := lo, hi
	if rlo.Cmp(rhi) > 0 {
		rlo = rhi
	}
	yCv := cvtOf(x.t, T).withRange(rlo, rhi)
	cmp := 0.0
	if hasLo {
		cmp += d.dm.add(x.t.Width+1) + d.dm.LUT
	}
	if hasHi {
		cmp += d.dm.add(x.t.Width+1) + d.dm.LUT
	}
	steps := []step{{"clamp", cmp}, {"conversion", yCv.delay(d.dm)}}
	cyc, arr, al := d.align([]*sig{x})
	l := &layerSpec{node: n, label: n.Name, op: n.Op, module: "trigo_clip", out: out, outT: T, outN: out.Shape.Size()}
	l.comment = []string{d.ioComment(n, out), fmt.Sprintf("bounds on codes: min %v, max %v", clo, chi)}
	l.params = append(d.xParams(x, "N"),
		kv{k: "HAS_LO", v: fmt.Sprint(b01(hasLo))}, kv{k: "LO", v: lit(lo, x.t.Width)},
		kv{k: "HAS_HI", v: fmt.Sprint(b01(hasHi))}, kv{k: "HI", v: lit(hi, x.t.Width)})
	l.params = append(l.params, unaryCvtParams(yCv)...)
	l.ins = []kv{{k: "x", v: d.net(al[0])}}
	l.steps = steps
	d.emitLayer(l, cyc, arr)
	return nil
}

// constLayer makes a node whose output does not depend on its input a
// constant net.
func (d *design) constLayer(n *ir.Node, code int64) error {
	out := n.Output()
	s := &sig{net: sanitize(n.Name, "n_") + "_out", n: out.Shape.Size(), t: out.Type.Fixed, cycle: -1}
	codes := make([]int64, s.n)
	for i := range codes {
		codes[i] = code
	}
	s.konst = codes
	fmt.Fprintf(&d.body, "  // ---- layer %s: %s, constant result (independent of its input)\n", n.Name, n.Op)
	d.net(s)
	d.sigs[out.Name] = s
	d.sched.Layers = append(d.sched.Layers, LayerSchedule{Layer: n.Name, Op: n.Op + " (constant)", Module: "-", InCycle: -1, OutCycle: -1})
	return nil
}

// ---- pooling and reductions ------------------------------------------------

func (d *design) reduce(n *ir.Node) error {
	x := d.input(n, 0)
	xv := d.ix.Values[n.Inputs[0]]
	out := n.Output()
	T := out.Type.Fixed
	var lists [][]int
	var counts []int // divisor per output (avgpool)
	desc := ""
	switch n.Op {
	case "maxpool", "avgpool":
		win, err := poolWindow(n, xv.Shape, out.Shape)
		if err != nil {
			return err
		}
		C := xv.Shape[len(xv.Shape)-1]
		incl := n.Attrs.Int("count_include_pad", 0) != 0
		for o := 0; o < win.nOut; o++ {
			for c := 0; c < C; c++ {
				var l []int
				for _, p := range win.idx[o] {
					if p >= 0 {
						l = append(l, p*C+c)
					}
				}
				lists = append(lists, l)
				if incl {
					counts = append(counts, win.nK)
				} else {
					counts = append(counts, win.valid[o])
				}
			}
		}
		st, _, pads, _ := ir.SpatialParams(ir.Attrs{"strides": n.Attrs.Ints("strides"), "pads": n.Attrs.Ints("pads")}, len(xv.Shape)-1)
		desc = fmt.Sprintf("kernel %v, strides %v, pads %v", n.Attrs.Ints("kernel"), st, pads)
	default:
		axes, err := ir.NormAxes(n.Attrs.Ints("axes"), len(xv.Shape))
		if err != nil {
			return err
		}
		lists = reduceLists(xv.Shape, axes)
		desc = fmt.Sprintf("over axes %v", axes)
	}
	isMax := n.Op == "maxpool" || n.Op == "reduce_max"
	maxCount := 1
	var tStart, tCount, tIdx []int
	for _, l := range lists {
		tStart = append(tStart, len(tIdx))
		tCount = append(tCount, len(l))
		tIdx = append(tIdx, l...)
		maxCount = max(maxCount, len(l))
	}
	arity := d.arity
	if isMax {
		arity = 2
	}
	levels := clog(maxCount, arity)
	var sw, pw, frac int
	var steps []step
	var params []kv
	frac = x.t.Frac()
	flat := false
	if isMax {
		sw = x.t.Width
		pw = sw
		if maxCount >= 3 && maxCount <= 8 {
			// all pairs compared at once, then a one-hot select
			flat, levels = true, 1
			steps = append(steps, step{"max (all pairs)", d.dm.add(sw+1) + d.dm.LUT*float64(lutLevels(maxCount-1)+lutLevels(2*maxCount))})
		} else {
			for i := 1; i <= levels; i++ {
				steps = append(steps, step{fmt.Sprintf("max level %d", i), d.dm.add(sw) + d.dm.LUT})
			}
		}
		steps = append(steps, step{"-", 0})
	} else {
		sw = x.t.Width + ux(x.t) + clog(maxCount, 2)
		pw = sw
		for i := 1; i <= levels; i++ {
			dl := d.dm.add(sw)
			if arity == 3 && maxCount > 2 {
				dl = d.dm.add3(sw)
			}
			steps = append(steps, step{fmt.Sprintf("adder level %d", i), dl})
		}
		mulStep := step{"-", 0}
		if n.Op == "avgpool" {
			rf := int(n.Attrs.Int("recip_frac", -1))
			rs := make([]*big.Int, len(counts))
			rp := make([]*big.Int, len(counts))
			rn := make([]*big.Int, len(counts))
			rw := 2
			allPow2 := true
			maxDigits := 0
			for i, c := range counts {
				r := (int64(1)<<(rf+1) + int64(c)) / (2 * int64(c))
				rs[i] = big.NewInt(r)
				rp[i], rn[i] = csd(rs[i])
				rw = max(rw, signedBits(rs[i])+1)
				if _, _, ok := powerOfTwo(rs[i]); !ok {
					allPow2 = false
				}
				maxDigits = max(maxDigits, popcount(rp[i])+popcount(rn[i]))
			}
			pw = sw + rw
			frac += rf
			switch {
			case allPow2:
				mulStep = step{"times reciprocal (shift)", 0}
			case d.lutMul:
				mulStep = step{"times reciprocal (shift-add)", float64(clog(maxDigits+1, 3)) * d.dm.add3(pw)}
			default:
				mulStep = step{"times reciprocal", d.dm.mul(sw, rw)}
			}
			params = append(params, kv{k: "RW", v: fmt.Sprint(rw)}, vecKV("R", rs, rw),
				vecKV("RP", rp, rw), vecKV("RN", rn, rw),
				kv{k: "LUTMUL", v: fmt.Sprint(b01(d.lutMul))}, kv{k: "PW", v: fmt.Sprint(pw)})
			desc += fmt.Sprintf(", sum times round(2^%d/count)", rf)
		}
		steps = append(steps, mulStep)
	}
	var yCv cvt
	if isMax {
		yCv = cvtOf(x.t, T)
	} else {
		yCv = newCvt(pw, true, frac, T)
	}
	steps = append(steps, step{"conversion", yCv.delay(d.dm)})
	cyc, arr, al := d.align([]*sig{x})
	l := &layerSpec{node: n, label: n.Name, op: n.Op, module: "trigo_" + n.Op, out: out, outT: T, outN: out.Shape.Size()}
	l.comment = []string{d.ioComment(n, out), desc}
	l.params = []kv{
		{k: "NX", v: fmt.Sprint(x.n)}, {k: "XW", v: fmt.Sprint(x.t.Width)}, {k: "XS", v: fmt.Sprint(b01(x.t.Signed))},
		{k: "NY", v: fmt.Sprint(len(lists))}, {k: "NT", v: fmt.Sprint(len(tIdx))}, {k: "SW", v: fmt.Sprint(sw)},
		{k: "ARITY", v: fmt.Sprint(arity)}, {k: "LEVELS", v: fmt.Sprint(levels)}, {k: "FLAT", v: fmt.Sprint(b01(flat))},
		vecKV("T_START", bigInts(tStart), 32),
		vecKV("T_COUNT", bigInts(tCount), 32),
		vecKV("T_IDX", bigInts(tIdx), 32),
	}
	l.params = append(l.params, params...)
	l.params = append(l.params, splitParams(yCv.prefixed("Y_"))...)
	l.ins = []kv{{k: "x", v: d.net(al[0])}}
	l.steps = steps
	o := d.emitLayer(l, cyc, arr)
	if isMax {
		xl, xh := x.codes()
		o.lo, o.hi = convRange(yCv, T, frac, xl, xh)
	}
	return nil
}

// ---- lookup tables ---------------------------------------------------------

func (d *design) lut(n *ir.Node) error {
	x := d.input(n, 0)
	tC := d.constOf(n.Inputs[1])
	if tC == nil {
		return fmt.Errorf("table must be a constant")
	}
	out := n.Output()
	T := out.Type.Fixed
	Ft := tC.Type.Fixed.Frac()
	N := len(tC.Codes)
	codes := make([]int64, N)
	for i, c := range tC.Codes {
		codes[i], _ = T.Convert(c, Ft)
	}
	offset := big.NewInt(n.Attrs.Int("offset", 0))
	s := int(n.Attrs.Int("shift", -1))
	if s < 0 || s > 62 {
		return fmt.Errorf("shift %d outside 0..62", s)
	}
	xlo, xhi := bound(x.t)
	one := big.NewInt(1)
	// below: index <= 0 <=> x < offset + 2^s; above: index >= N-1 <=> x >= offset + (N-1)*2^s.
	loV := new(big.Int).Add(offset, new(big.Int).Lsh(one, uint(s)))
	hiV := new(big.Int).Add(offset, new(big.Int).Lsh(big.NewInt(int64(N-1)), uint(s)))
	if N == 1 || loV.Cmp(xhi) > 0 {
		return d.constLayer(n, codes[0])
	}
	if hiV.Cmp(xlo) <= 0 {
		return d.constLayer(n, codes[N-1])
	}
	hasLo := loV.Cmp(xlo) > 0
	hasHi := hiV.Cmp(xhi) <= 0
	ab := max(1, clog(N, 2))
	size := 1 << ab
	mod := new(big.Int).Lsh(one, uint(s))
	add := new(big.Int).Mod(offset, mod).Sign() != 0
	rom := make([]*big.Int, size)
	offS := new(big.Int).Rsh(offset, uint(s)) // floor(offset / 2^s)
	for a := 0; a < size; a++ {
		i := a
		if !add {
			// ROM[a] = T[(a - offset>>s) mod 2^AB]
			v := new(big.Int).Sub(big.NewInt(int64(a)), offS)
			i = int(v.Mod(v, big.NewInt(int64(size))).Int64())
		}
		if i >= N {
			i = N - 1 // never read
		}
		rom[a] = big.NewInt(codes[i])
	}
	romDelay := d.dm.rom(ab)
	if add {
		romDelay += d.dm.add(s + ab)
	}
	cmp := 0.0
	if hasLo || hasHi {
		cmp = d.dm.add(x.t.Width + 1)
	}
	lk := d.dm.lookup(ab, cmp)
	if add {
		lk = max(romDelay, cmp) + d.dm.LUT
	}
	steps := []step{{"lookup", lk}}
	cyc, arr, al := d.align([]*sig{x})
	l := &layerSpec{node: n, label: n.Name, op: n.Op, module: "trigo_lut", out: out, outT: T, outN: out.Shape.Size()}
	fn := n.Attrs.String("function", "")
	if fn != "" {
		fn = " (" + fn + ")"
	}
	l.comment = []string{d.ioComment(n, out),
		fmt.Sprintf("table %s %s[%d]%s, index clamp((x - %v) >> %d, 0, %d); ROM of %d x %d bits", tC.Name, tC.Type, N, fn, offset, s, N-1, size, T.Width)}
	addrW := s + ab
	l.params = append(d.xParams(x, "N"),
		kv{k: "YW", v: fmt.Sprint(T.Width)}, kv{k: "AB", v: fmt.Sprint(ab)}, kv{k: "SHIFT", v: fmt.Sprint(s)}, kv{k: "ADD", v: fmt.Sprint(b01(add))},
		kv{k: "OFFSET", v: lit(offset, addrW)},
		kv{k: "HAS_LO", v: fmt.Sprint(b01(hasLo))}, kv{k: "LO", v: lit(clampBig(loV, xlo, xhi), x.t.Width)},
		kv{k: "HAS_HI", v: fmt.Sprint(b01(hasHi))}, kv{k: "HI", v: lit(clampBig(hiV, xlo, xhi), x.t.Width)},
		kv{k: "FIRST", v: litInt(codes[0], T.Width)}, kv{k: "LAST", v: litInt(codes[N-1], T.Width)},
		vecKV("ROM", rom, T.Width))
	l.ins = []kv{{k: "x", v: d.net(al[0])}}
	l.steps = steps
	o := d.emitLayer(l, cyc, arr)
	o.lo, o.hi = big.NewInt(codes[0]), big.NewInt(codes[0])
	for _, c := range codes {
		o.lo = minBig(o.lo, big.NewInt(c))
		o.hi = maxBig(o.hi, big.NewInt(c))
	}
	return nil
}

func clampBig(v, lo, hi *big.Int) *big.Int {
	if v.Cmp(lo) < 0 {
		return lo
	}
	if v.Cmp(hi) > 0 {
		return hi
	}
	return v
}

// ---- bipolar_quant ---------------------------------------------------------

func (d *design) bipolar(n *ir.Node) error {
	x := d.input(n, 0)
	out := n.Output()
	T := out.Type.Fixed
	scale := n.Attrs.Float("scale", 0)
	pos, _, err := T.FromFloat(scale)
	if err != nil {
		return err
	}
	neg, _, err := T.FromFloat(-scale)
	if err != nil {
		return err
	}
	if !x.t.Signed {
		return d.constLayer(n, pos)
	}
	steps := []step{{"select", d.dm.LUT}}
	cyc, arr, al := d.align([]*sig{x})
	l := &layerSpec{node: n, label: n.Name, op: n.Op, module: "trigo_bipolar", out: out, outT: T, outN: out.Shape.Size()}
	l.comment = []string{d.ioComment(n, out), fmt.Sprintf("x >= 0 ? %d : %d (scale %g)", pos, neg, scale)}
	l.params = append(d.xParams(x, "N"), kv{k: "YW", v: fmt.Sprint(T.Width)}, kv{k: "POS", v: litInt(pos, T.Width)}, kv{k: "NEG", v: litInt(neg, T.Width)})
	l.ins = []kv{{k: "x", v: d.net(al[0])}}
	l.steps = steps
	d.emitLayer(l, cyc, arr)
	return nil
}

// ---- reshape, transpose, cast, concat: wiring -------------------------------

// wiring emits reshape, transpose, cast and concat: each output element is
// an element of a source (after that source's conversion to the output
// type, a trigo_cast instance unless it is the identity), assigned as
// wires.
func (d *design) wiring(n *ir.Node) error {
	out := n.Output()
	T := out.Type.Fixed
	var srcs []*sig
	for i := range n.Inputs {
		srcs = append(srcs, d.input(n, i))
	}
	cyc, arr, al := d.align(srcs)
	allConst := true
	for _, s := range srcs {
		if s.cycle >= 0 {
			allConst = false
		}
	}
	// For every output element: (source, element).
	type ref struct{ src, el int }
	refs := make([]ref, out.Shape.Size())
	switch n.Op {
	case "reshape", "cast":
		for i := range refs {
			refs[i] = ref{0, i}
		}
	case "slice":
		m, err := ir.SliceIndex(n.Attrs, d.ix.Values[n.Inputs[0]].Shape, out.Shape)
		if err != nil {
			return err
		}
		for i, j := range m {
			refs[i] = ref{0, int(j)}
		}
	case "transpose":
		xv := d.ix.Values[n.Inputs[0]]
		perm, err := ir.NormAxes(n.Attrs.Ints("perm"), len(xv.Shape))
		if err != nil {
			return err
		}
		for i, j := range transposeIndex(xv.Shape, perm) {
			refs[i] = ref{0, j}
		}
	case "concat":
		xv := d.ix.Values[n.Inputs[0]]
		ax, err := ir.NormAxes([]int64{n.Attrs.Int("axis", 0)}, len(xv.Shape))
		if err != nil {
			return err
		}
		outer := 1
		for _, dd := range xv.Shape[:ax[0]] {
			outer *= dd
		}
		inner := 1
		for _, dd := range xv.Shape[ax[0]+1:] {
			inner *= dd
		}
		k := 0
		for o := 0; o < outer; o++ {
			for j, name := range n.Inputs {
				chunk := d.ix.Values[name].Shape[ax[0]] * inner
				for t := 0; t < chunk; t++ {
					refs[k] = ref{j, o*chunk + t}
					k++
				}
			}
		}
	}
	// Convert each source (identity conversions are wires).
	conv := make([]*sig, len(al))
	convOut, convArr := cyc, arr
	anyConv := false
	for j, s := range al {
		c := cvtOf(s.t, T)
		if c.identity() {
			conv[j] = s
			continue
		}
		anyConv = true
		steps := []step{{"conversion", c.delay(d.dm)}}
		inCyc, inArr := cyc, arr
		if s.cycle < 0 {
			inCyc, inArr = 0, 0
		}
		ident := make([]int, s.n)
		for i := range ident {
			ident[i] = i
		}
		sub := &ir.Value{Name: fmt.Sprintf("%s#%d", out.Name, j), Type: out.Type, Shape: ir.Shape{s.n}}
		l := &layerSpec{node: n, label: n.Name, op: n.Op + " (conversion)", module: "trigo_cast", out: sub, outT: T, outN: s.n}
		l.comment = []string{fmt.Sprintf("input %d of %s: %s -> %s", j, n.Name, s.t, T)}
		l.params = append(d.xParams(s, "NX"), kv{k: "NY", v: fmt.Sprint(s.n)}, vecKV("I", bigInts(ident), 32))
		l.params = append(l.params, unaryCvtParams(c)...)
		l.ins = []kv{{k: "x", v: d.net(s)}}
		l.steps = steps
		conv[j] = d.emitLayerNamed(l, inCyc, inArr, fmt.Sprintf("%s_in%d", sanitize(n.Name, "n_"), j))
	}
	if anyConv {
		// re-align the converted sources
		c2, a2, al2 := d.align(conv)
		conv, convOut, convArr = al2, c2, a2
	}
	if allConst && !anyConv {
		convOut = -1
		convArr = 0
	}
	s := &sig{net: d.nm.unique(sanitize(n.Name, "n_") + "_out"), n: len(refs), t: T, cycle: convOut, arr: convArr}
	fmt.Fprintf(&d.body, "  // ---- layer %s: %s (wiring, no logic)\n", n.Name, n.Op)
	fmt.Fprintf(&d.body, "  //   %s\n", d.ioComment(n, out))
	fmt.Fprintf(&d.body, "  wire [%d:0] %s;\n", s.bits()-1, s.net)
	// Whole-net assignment when the wiring is the identity.
	if len(conv) == 1 && conv[0].t.Width == T.Width && conv[0].n == len(refs) {
		ident := true
		for i, r := range refs {
			if r.el != i {
				ident = false
				break
			}
		}
		if ident {
			if !anyConv {
				s.lo, s.hi = conv[0].lo, conv[0].hi
			}
			fmt.Fprintf(&d.body, "  assign %s = %s;\n\n", s.net, d.net(conv[0]))
			d.sigs[out.Name] = s
			d.sched.Layers = append(d.sched.Layers, LayerSchedule{Layer: n.Name, Op: n.Op, Module: "wiring", InCycle: cyc, InNS: round2(arr), OutCycle: s.cycle, OutNS: round2(s.arr)})
			return nil
		}
	}
	// Element by element, as one concatenation.
	var parts []string
	for i := len(refs) - 1; i >= 0; i-- {
		r := refs[i]
		src := conv[r.src]
		e := fmt.Sprintf("%s[%d +: %d]", d.net(src), r.el*src.t.Width, src.t.Width)
		if ext := T.Width - src.t.Width; ext > 0 {
			fill := "1'b0"
			if src.t.Signed {
				fill = fmt.Sprintf("%s[%d]", d.net(src), r.el*src.t.Width+src.t.Width-1)
			}
			e = fmt.Sprintf("{{%d{%s}}, %s}", ext, fill, e)
		}
		parts = append(parts, e)
	}
	fmt.Fprintf(&d.body, "  assign %s = {\n", s.net)
	for i, p := range parts {
		sep := ","
		if i == len(parts)-1 {
			sep = ""
		}
		fmt.Fprintf(&d.body, "    %s%s\n", p, sep)
	}
	d.body.WriteString("  };\n\n")
	d.sigs[out.Name] = s
	d.sched.Layers = append(d.sched.Layers, LayerSchedule{Layer: n.Name, Op: n.Op, Module: "wiring", InCycle: cyc, InNS: round2(arr), OutCycle: s.cycle, OutNS: round2(s.arr)})
	return nil
}

// emitLayerNamed is emitLayer with an explicit output net base name.
func (d *design) emitLayerNamed(l *layerSpec, cycle int, arr float64, base string) *sig {
	v := l.out
	s := d.emitLayerBase(l, cycle, arr, base)
	d.sigs[v.Name] = s
	return s
}

// vecKV is a wide vector parameter (element 0 in the LSBs).
func vecKV(name string, vals []*big.Int, w int) kv {
	return kv{k: name, v: vecLit(vals, w, "    "), bits: max(1, len(vals)) * w}
}

func minBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}
