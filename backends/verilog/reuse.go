package verilog

import (
	"fmt"
	"math/big"

	"trigo/ir"
	"trigo/ir/fixed"
)

// Time-multiplexed dense and conv layers (reuse factor R > 1), printed as
// trigo_mac instances.
//
// Each output's terms (non-zero weights in "dsp" mode, canonical signed
// digits in "lut" mode) are split into S = ceil(terms/R) slots: in local
// phase q (0..R-1) slot s computes term q·S+s (phaseSplit). A slot is one
// multiplier fed by an R:1 multiplexer of input elements and weights (dsp)
// or an R:1 multiplexer of shifted, possibly inverted input elements (lut).
// The S slot values of a phase are summed by an adder tree and added into
// an accumulator that restarts from the constant term (bias, rounding
// constant, +1 corrections) in phase 0: after R phases it holds the exact
// sum, computed modulo 2^SW like the parallel layer's. The conversions
// follow unchanged.
//
// Timing: the top level's phase counter ph (0..II-1) advances with ce and
// events enter at phase 0 only, so a value of pipeline stage c is valid
// while ph == c mod II. Local phase 0 is the stage where the (optionally
// registered) input is valid: the multiplexer reads the input directly in
// phase 0 and a copy captured at the end of that cycle in phases 1..R-1.
// The partial sum of phase q reaches the accumulator q cycles after phase
// 0's, so the sum is complete R cycles after the stage of the accumulate
// step; the conversions start there.

// linSpec is what linear() worked out for a dense or conv layer.
type linSpec struct {
	n      *ir.Node
	x      *sig
	R      int
	lists  [][]term
	biasOf []int64
	bs, ps int
	fold   *big.Int
	sw     int
	accCv  *cvt
	yCv    cvt
	T      fixed.Type
	Fe     int
	lo, hi *big.Int
	desc   string
	// accNote describes the accumulator arithmetic.
	accNote string
	total   int
	wC, bC  *ir.Const
}

// phaseSplit distributes n terms over R phases: S = ceil(n/R) slots, slot
// s computing term q·S+s in phase q. at returns that term or -1 (slot idle
// in that phase).
func phaseSplit(n, R int) (slots int, at func(slot, phase int) int) {
	slots = (n + R - 1) / R
	return slots, func(s, q int) int {
		if t := q*slots + s; s < slots && t < n {
			return t
		}
		return -1
	}
}

// macEntry is what a slot computes in one phase. kind 0: x[idx]·w << sh
// (dsp mode); 1: x[idx] << sh; 2: ~(x[idx] << sh) (lut mode: a negative
// digit, its +1 in the constant term); 3: nothing (zero).
type macEntry struct {
	kind, idx, sh int
	w             *big.Int
}

// macLanes assigns the slots' input multiplexers (lanes): the element a
// slot reads in each phase (-1: idle). With share (dsp mode, where the
// multiplexed element feeds a multiplier) slots reading the same elements
// share a lane, an idle phase matching any element; otherwise every slot
// has its own lane. It returns the lanes' elements per phase and the lane
// of each slot.
func macLanes(ents []macEntry, R int, share bool) (lanes [][]int, laneOf []int) {
	ns := len(ents) / R
	laneOf = make([]int, ns)
	seq := func(k int) ([]int, bool) {
		s := make([]int, R)
		idle := false
		for q := range s {
			if e := ents[k*R+q]; e.kind == 3 {
				s[q], idle = -1, true
			} else {
				s[q] = e.idx
			}
		}
		return s, idle
	}
	exact := map[string]int{}
	var wild []int
	for k := 0; k < ns; k++ {
		s, idle := seq(k)
		if !share {
			laneOf[k] = len(lanes)
			lanes = append(lanes, s)
			continue
		}
		if idle {
			wild = append(wild, k)
			continue
		}
		key := fmt.Sprint(s)
		i, ok := exact[key]
		if !ok {
			i = len(lanes)
			exact[key] = i
			lanes = append(lanes, s)
		}
		laneOf[k] = i
	}
	for _, k := range wild {
		s, _ := seq(k)
		found := -1
		for i, ln := range lanes {
			ok := true
			for q := range s {
				if s[q] >= 0 && ln[q] >= 0 && s[q] != ln[q] {
					ok = false
					break
				}
			}
			if ok {
				found = i
				break
			}
		}
		if found < 0 {
			found = len(lanes)
			lanes = append(lanes, make([]int, R))
			copy(lanes[found], s)
		}
		for q := range s {
			if s[q] >= 0 {
				lanes[found][q] = s[q]
			}
		}
		laneOf[k] = found
	}
	return lanes, laneOf
}

// linearTM emits a time-multiplexed dense or conv layer.
func (d *design) linearTM(s *linSpec) error {
	n, x, R := s.n, s.x, s.R
	var slStart, slCount []int
	var ents []macEntry // slot-major: entry of slot k in phase q at k*R+q
	var consts []*big.Int
	ww, maxS, nz, digits := 2, 0, 0, 0
	for j, l := range s.lists {
		var es []macEntry
		neg := 0
		for _, tm := range l {
			nz++
			w := big.NewInt(tm.w)
			if !d.lutMul {
				es = append(es, macEntry{kind: 0, idx: tm.idx, sh: s.ps, w: w})
				ww = max(ww, signedBits(w))
				continue
			}
			p, q := csd(w)
			for i := 0; i < max(p.BitLen(), q.BitLen()); i++ {
				if p.Bit(i) == 1 {
					es = append(es, macEntry{kind: 1, idx: tm.idx, sh: i + s.ps})
				} else if q.Bit(i) == 1 {
					es = append(es, macEntry{kind: 2, idx: tm.idx, sh: i + s.ps})
					neg++
				}
			}
		}
		digits += len(es)
		for _, e := range es {
			if e.sh > 255 {
				return fmt.Errorf("term shift %d exceeds 255", e.sh)
			}
		}
		S, at := phaseSplit(len(es), R)
		slStart = append(slStart, len(ents)/R)
		slCount = append(slCount, S)
		maxS = max(maxS, S)
		for k := 0; k < S; k++ {
			for q := 0; q < R; q++ {
				if t := at(k, q); t >= 0 {
					ents = append(ents, es[t])
				} else {
					ents = append(ents, macEntry{kind: 3})
				}
			}
		}
		c := new(big.Int).Lsh(big.NewInt(s.biasOf[j]), uint(s.bs))
		c.Add(c, big.NewInt(int64(neg)))
		c.Add(c, s.fold)
		consts = append(consts, c)
	}
	ns := len(ents) / R
	if ns == 0 { // every weight is zero: one idle slot keeps the vectors non-empty
		for q := 0; q < R; q++ {
			ents = append(ents, macEntry{kind: 3})
		}
		ns = 1
	}
	var eSh, eKind []int
	var eW []*big.Int
	for _, e := range ents {
		w := e.w
		if w == nil {
			w = big.NewInt(0)
		}
		eSh, eKind, eW = append(eSh, e.sh), append(eKind, e.kind), append(eW, w)
	}
	lanes, laneOf := macLanes(ents, R, !d.lutMul)
	var lIdx []int
	for _, ln := range lanes {
		for _, i := range ln {
			lIdx = append(lIdx, max(i, 0))
		}
	}
	lw := max(1, clog(R, 2))
	// the local phase of each value of ph (0 outside the R phases)
	lqTab := func(p0 int) []*big.Int {
		out := make([]*big.Int, 1<<d.pw)
		for v := range out {
			q := ((v-p0)%d.ii + d.ii) % d.ii
			if v >= d.ii || q >= R {
				q = 0
			}
			out[v] = big.NewInt(int64(q))
		}
		return out
	}
	levels := clog(maxS, d.arity)

	relu := d.fusableRelu(n)
	label := n.Name
	resOut := n.Output()
	if relu != nil {
		d.fused[relu.Name] = n
		label = n.Name + " + " + relu.Name
		resOut = relu.Output()
	}

	// Steps: up to the accumulator (per phase), then the conversions.
	sw := s.sw
	mulD := 0.0
	if !d.lutMul {
		mulD = d.dm.mul(x.t.Width+ux(x.t), ww)
	}
	steps1 := []step{{"operand mux", max(d.dm.mux(R, d.pw), d.dm.rom(d.pw))}, {"products", mulD}}
	for lv := 1; lv <= levels; lv++ {
		dl := d.dm.add(sw)
		if d.arity == 3 && maxS > 2 {
			dl = d.dm.add3(sw)
		}
		steps1 = append(steps1, step{fmt.Sprintf("adder level %d", lv), dl})
	}
	steps1 = append(steps1, step{"accumulate", d.dm.accumulate(sw)})
	accDelay := 0.0
	if s.accCv != nil {
		accDelay = s.accCv.delay(d.dm)
	}
	yd := s.yCv.delay(d.dm)
	if relu != nil && !s.yCv.saturates() {
		yd += d.dm.LUT
	}
	steps2 := []step{{"acc conversion", accDelay}, {"conversion", yd}}

	cyc, arr, al := d.align([]*sig{x})
	l := &layerSpec{node: n, label: label, op: n.Op, module: "trigo_mac", out: resOut, outT: resOut.Type.Fixed, outN: resOut.Shape.Size()}
	l.op = fmt.Sprintf("%s, reuse %d", n.Op, R)
	if relu != nil {
		l.op = fmt.Sprintf("%s + relu (fused), reuse %d", n.Op, R)
	}
	biasDesc := "no bias"
	if s.bC != nil {
		biasDesc = fmt.Sprintf("bias %s %s", s.bC.Name, s.bC.Type)
	}
	what := fmt.Sprintf("%d multipliers (input element x weight, selected by the phase; %d input multiplexers)", ns, len(lanes))
	if d.lutMul {
		what = fmt.Sprintf("%d shift-add slots (canonical signed digits of the weights, %d in all, selected by the phase; no DSP)", ns, digits)
	}
	l.comment = []string{
		d.ioComment(n, resOut),
		fmt.Sprintf("%s; weights %s %s%v (%d non-zero of %d products), %s", s.desc, s.wC.Name, s.wC.Type, s.wC.Shape, nz, s.total, biasDesc),
		fmt.Sprintf("time-multiplexed, reuse factor %d: %s; per phase a %d-input adder tree of %d levels over each output's slots (at most %d), then the accumulator", R, what, d.arity, levels, maxS),
		s.accNote,
	}
	l.params = []kv{
		{k: "NX", v: fmt.Sprint(x.n)}, {k: "XW", v: fmt.Sprint(x.t.Width)}, {k: "XS", v: fmt.Sprint(b01(x.t.Signed))},
		{k: "NY", v: fmt.Sprint(len(s.lists))}, {k: "NS", v: fmt.Sprint(ns)}, {k: "NL", v: fmt.Sprint(len(lanes))},
		{k: "R", v: fmt.Sprint(R)}, {k: "PW", v: fmt.Sprint(d.pw)}, {k: "LW", v: fmt.Sprint(lw)},
		{k: "WW", v: fmt.Sprint(ww)}, {k: "SW", v: fmt.Sprint(sw)}, {k: "PS", v: fmt.Sprint(s.ps)},
		{k: "ARITY", v: fmt.Sprint(d.arity)}, {k: "LUTMUL", v: fmt.Sprint(b01(d.lutMul))}, {k: "LEVELS", v: fmt.Sprint(levels)},
		vecKV("SL_START", bigInts(slStart), 32),
		vecKV("SL_COUNT", bigInts(slCount), 32),
		vecKV("S_LANE", bigInts(laneOf), 32),
		vecKV("L_IDX", bigInts(lIdx), 32),
	}
	if d.lutMul {
		l.params = append(l.params, vecKV("E_SH", bigInts(eSh), 8), vecKV("E_KIND", bigInts(eKind), 2))
	} else {
		l.params = append(l.params, vecKV("E_W", eW, ww))
	}
	l.params = append(l.params, vecKV("CONSTS", consts, sw))
	tail := []kv{}
	if s.accCv != nil {
		tail = append(tail, kv{k: "A_CONV", v: "1"})
		tail = append(tail, splitParams(s.accCv.prefixed("A_"))...)
	} else {
		tail = append(tail, kv{k: "A_CONV", v: "0"}, kv{k: "A_IW", v: fmt.Sprint(sw)}, kv{k: "A_OW", v: fmt.Sprint(sw)})
	}
	tail = append(tail, splitParams(s.yCv.prefixed("Y_"))...)
	tail = append(tail, kv{k: "RELU", v: fmt.Sprint(b01(relu != nil))})
	l.ins = []kv{{k: "ph", v: "ph"}, {k: "x", v: d.net(al[0])}}
	l.steps = append(append([]step{}, steps1...), steps2...)
	l.reuse = R
	if !d.lutMul {
		l.mults = ns
	}
	l.plan = func(cycle int, arr float64) ([]bool, int, float64, string) {
		r1, c1, _, d1 := d.schedule(label, cycle, arr, steps1)
		p0 := cycle
		if r1[0] {
			p0++
		}
		r2, oc, oa, d2 := d.schedule(label, c1+R, 0, steps2)
		regs := append(append(append([]bool{}, r1[:len(steps1)]...), true), r2[1:]...)
		l.params = append(l.params, vecKV("LQ_TAB", lqTab(p0%d.ii), lw),
			kv{k: "PH_IN", v: fmt.Sprintf("%d'd%d", d.pw, p0%d.ii)}, kv{k: "PH_ACC", v: fmt.Sprintf("%d'd%d", d.pw, c1%d.ii)})
		l.params = append(l.params, tail...)
		l.comment = append(l.comment, fmt.Sprintf("phases: operand mux at stages %d..%d (ph %d..), accumulator at stages %d..%d, sum complete at stage %d",
			p0, p0+R-1, p0%d.ii, c1, c1+R-1, c1+R))
		return regs, oc, oa, fmt.Sprintf("%s | accumulator, %d phases | %s", d1, R, d2)
	}
	o := d.emitLayer(l, cyc, arr)
	linearRange(o, s.accCv, s.yCv, s.T, s.fold, s.Fe, s.lo, s.hi, relu != nil)
	return nil
}
