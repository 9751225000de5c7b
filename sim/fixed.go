package sim

import (
	"fmt"
	"math"

	"trigo/ir"
	"trigo/ir/fixed"
)

// counts accumulates the conversions and overflow events of one report row.
type counts struct {
	conv, sat, wrap, zero             int64
	accConv, accSat, accWrap, accZero int64
}

func (c *counts) add(ev fixed.Event) {
	switch ev {
	case fixed.Saturated:
		c.sat++
	case fixed.Wrapped:
		c.wrap++
	case fixed.Zeroed:
		c.zero++
	}
}

func (c *counts) addAcc(ev fixed.Event) {
	switch ev {
	case fixed.Saturated:
		c.accSat++
	case fixed.Wrapped:
		c.accWrap++
	case fixed.Zeroed:
		c.accZero++
	}
}

// rowInfo names one report row.
type rowInfo struct {
	name, op, typ, acc string
}

// Fixed is a compiled bit-exact executor for a quantised graph. It computes
// every op exactly in int64 and converts to each value's type with
// fixed.Type.Convert, as ir/SEMANTICS.md prescribes, counting every overflow
// event per node. It is not safe for concurrent use.
type Fixed struct {
	g        *ir.Graph
	inSlots  []int
	outSlots []int
	inTypes  []fixed.Type
	bufs     [][]int64
	steps    []func()
	rows     []rowInfo
	counts   []counts // one per row: inputs first, then nodes
	outViews [][]int64
}

// NewFixed validates the graph and compiles it for bit-exact execution. The
// graph must be quantised (fixed-point inputs) and use only ops that exist
// in quantised graphs.
func NewFixed(g *ir.Graph) (*Fixed, error) {
	if g == nil {
		return nil, fmt.Errorf("sim: nil graph")
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("sim: invalid graph %q: %w", g.Name, err)
	}
	if err := checkNoInt32(g); err != nil {
		return nil, err
	}
	if !g.IsFixed() {
		return nil, fmt.Errorf("sim: graph %q is a float graph (f32 inputs): use NewFloat, or quantise it first", g.Name)
	}
	s := newSlots(g)
	f := &Fixed{g: g, bufs: make([][]int64, len(s.values))}
	for i, v := range s.values {
		if v.Type.Kind != ir.Fixed && v.Type.Kind != ir.Int32 { // checkNoInt32 allowed these i32 values
			return nil, fmt.Errorf("sim: value %q is %s, want a fixed-point type", v.Name, v.Type)
		}
		f.bufs[i] = make([]int64, v.Shape.Size())
		if c := s.consts[i]; c != nil {
			copy(f.bufs[i], c.Codes)
		}
	}
	for _, v := range g.Inputs {
		f.inSlots = append(f.inSlots, s.of(v.Name))
		f.inTypes = append(f.inTypes, v.Type.Fixed)
		f.rows = append(f.rows, rowInfo{name: v.Name, op: "input", typ: v.Type.String()})
	}
	for _, o := range g.Outputs {
		f.outSlots = append(f.outSlots, s.of(o))
		f.outViews = append(f.outViews, f.bufs[s.of(o)])
	}
	f.counts = make([]counts, len(g.Inputs)+len(g.Nodes))
	for i, n := range g.Nodes {
		row := rowInfo{name: n.Name, op: n.Op, typ: convertedType(n).String()}
		if t, ok := n.Attrs.Type("acc"); ok && (n.Op == "dense" || n.Op == "conv") {
			row.acc = t.String()
		}
		f.rows = append(f.rows, row)
		step, err := f.compile(n, s, &f.counts[len(g.Inputs)+i])
		if err != nil {
			return nil, fmt.Errorf("sim: node %q (%s): %w", n.Name, n.Op, err)
		}
		f.steps = append(f.steps, step)
	}
	return f, nil
}

// convertedType is the type a node converts its results to: its first
// output that is not an i32 index or count.
func convertedType(n *ir.Node) ir.Type {
	for _, o := range n.Outputs {
		if o.Type.Kind != ir.Int32 {
			return o.Type
		}
	}
	return n.Outputs[0].Type
}

// Graph returns the compiled graph.
func (f *Fixed) Graph() *ir.Graph { return f.g }

// Quantize converts float inputs (one Batch per graph input, shapes matching
// exactly) to codes of each input's type with fixed.Type.FromFloat. Overflow
// events are recorded in the report under the input's name. NaN is an error.
func (f *Fixed) Quantize(inputs []Batch) ([]Codes, error) {
	events, err := checkBatches(f.g, inputs)
	if err != nil {
		return nil, err
	}
	out := make([]Codes, len(inputs))
	tmp := make([]counts, len(inputs))
	for i, v := range f.g.Inputs {
		t := v.Type.Fixed
		c := Codes{Events: events, Shape: v.Shape.Clone(), Type: v.Type, Data: make([]int64, len(inputs[i].Data))}
		for j, x := range inputs[i].Data {
			code, ev, err := t.FromFloat(float64(x))
			if err != nil {
				return nil, fmt.Errorf("sim: input %q element %d (event %d): %w", v.Name, j%v.Shape.Size(), j/v.Shape.Size(), err)
			}
			c.Data[j] = code
			if ev != fixed.NoOverflow {
				tmp[i].add(ev)
			}
		}
		tmp[i].conv = int64(len(c.Data))
		out[i] = c
	}
	// Record only once every input converted.
	for i := range tmp {
		c := &f.counts[i]
		c.conv += tmp[i].conv
		c.sat += tmp[i].sat
		c.wrap += tmp[i].wrap
		c.zero += tmp[i].zero
	}
	return out, nil
}

// checkCodes checks one event's codes against an input's type and size.
func checkCodes(v *ir.Value, data []int64) error {
	if len(data) != v.Shape.Size() {
		return fmt.Errorf("sim: input %q: expected %d codes (shape %v), got %d", v.Name, v.Shape.Size(), v.Shape, len(data))
	}
	lo, hi := v.Type.Fixed.MinCode(), v.Type.Fixed.MaxCode()
	for j, c := range data {
		if c < lo || c > hi {
			return fmt.Errorf("sim: input %q element %d: code %d outside the range [%d,%d] of %s", v.Name, j, c, lo, hi, v.Type)
		}
	}
	return nil
}

// Run executes every event on codes of the input types (one Codes per graph
// input, shapes and types matching exactly, every code in range) and returns
// one Codes per graph output in g.Outputs order.
func (f *Fixed) Run(inputs []Codes) ([]Codes, error) {
	g := f.g
	if len(inputs) != len(g.Inputs) {
		return nil, fmt.Errorf("sim: graph %q has %d inputs, got %d", g.Name, len(g.Inputs), len(inputs))
	}
	events := -1
	for i, v := range g.Inputs {
		c := &inputs[i]
		if !c.Shape.Equal(v.Shape) {
			return nil, fmt.Errorf("sim: input %q: expected shape %v, got %v", v.Name, v.Shape, c.Shape)
		}
		if c.Type != v.Type {
			return nil, fmt.Errorf("sim: input %q: expected type %s, got %s", v.Name, v.Type, c.Type)
		}
		if c.Events < 0 || len(c.Data) != c.Events*v.Shape.Size() {
			return nil, fmt.Errorf("sim: input %q: %d events of shape %v need %d codes, got %d", v.Name, c.Events, v.Shape, c.Events*v.Shape.Size(), len(c.Data))
		}
		if events >= 0 && c.Events != events {
			return nil, fmt.Errorf("sim: input %q has %d events, input %q has %d", v.Name, c.Events, g.Inputs[0].Name, events)
		}
		events = c.Events
		for e := 0; e < c.Events; e++ {
			if err := checkCodes(v, c.Event(e)); err != nil {
				return nil, fmt.Errorf("%w (event %d)", err, e)
			}
		}
	}
	outs := make([]Codes, len(g.Outputs))
	for i, name := range g.Outputs {
		v := g.Lookup(name)
		outs[i] = Codes{Events: events, Shape: v.Shape.Clone(), Type: v.Type, Data: make([]int64, events*v.Shape.Size())}
	}
	for e := 0; e < events; e++ {
		for i, s := range f.inSlots {
			copy(f.bufs[s], inputs[i].Event(e))
		}
		f.exec()
		for i, s := range f.outSlots {
			copy(outs[i].Event(e), f.bufs[s])
		}
	}
	return outs, nil
}

func (f *Fixed) exec() {
	for _, st := range f.steps {
		st()
	}
}

// RunEvent runs one event: one slice of Shape.Size() in-range codes per
// input. It returns one slice per output. The returned slices are owned by
// the executor and overwritten by the next call; copy them to keep them.
// RunEvent does not allocate.
func (f *Fixed) RunEvent(inputs [][]int64) ([][]int64, error) {
	if len(inputs) != len(f.inSlots) {
		return nil, fmt.Errorf("sim: graph %q has %d inputs, got %d", f.g.Name, len(f.inSlots), len(inputs))
	}
	for i, v := range f.g.Inputs {
		if err := checkCodes(v, inputs[i]); err != nil {
			return nil, err
		}
	}
	for i, s := range f.inSlots {
		copy(f.bufs[s], inputs[i])
	}
	f.exec()
	return f.outViews, nil
}

// Report returns a snapshot of the conversion and overflow counts,
// cumulative over every Quantize, Run and RunEvent call since NewFixed or
// the last ResetReport.
func (f *Fixed) Report() *Report {
	r := &Report{Nodes: make([]NodeReport, len(f.rows))}
	for i, row := range f.rows {
		c := &f.counts[i]
		r.Nodes[i] = NodeReport{
			Name: row.name, Op: row.op, Type: row.typ, AccType: row.acc,
			Conversions: c.conv, Saturated: c.sat, Wrapped: c.wrap, Zeroed: c.zero,
			AccConversions: c.accConv, AccSaturated: c.accSat, AccWrapped: c.accWrap, AccZeroed: c.accZero,
		}
	}
	return r
}

// ResetReport zeroes every count.
func (f *Fixed) ResetReport() {
	for i := range f.counts {
		f.counts[i] = counts{}
	}
}

// compile builds the step of one node. Every step computes the exact result
// of SEMANTICS.md in int64 and converts it to the output type.
func (f *Fixed) compile(n *ir.Node, s *slots, cnt *counts) (func(), error) {
	if step, ok, err := f.compileGraphOp(n, s, cnt); ok {
		return step, err
	}
	in := func(i int) []int64 { return f.bufs[s.of(n.Inputs[i])] }
	inV := func(i int) *ir.Value { return s.value(n.Inputs[i]) }
	outV := n.Outputs[0]
	T := outV.Type.Fixed
	out := f.bufs[s.of(outV.Name)]
	size := int64(len(out))
	x := in(0)
	Fx := inV(0).Type.Fixed.Frac()
	switch n.Op {
	case "dense", "conv":
		accT, _ := n.Attrs.Type("acc")
		A := accT.Fixed
		Fa := A.Frac()
		w := in(1)
		var b []int64
		frac := Fx + inV(1).Type.Fixed.Frac()
		ps, bs := 0, 0
		if len(n.Inputs) > 2 {
			b = in(2)
			Fb := inV(2).Type.Fixed.Frac()
			if Fb > frac {
				ps = Fb - frac
				frac = Fb
			}
			bs = frac - Fb
		}
		ws := inV(1).Shape
		N := ws[len(ws)-1]
		acc := make([]int64, N)
		accCv, outCv := newConverter(A, frac), newConverter(T, Fa)
		finish := func(ob []int64) {
			for j, a := range acc {
				a <<= ps
				if b != nil {
					a += b[j] << bs
				}
				ac, ev := accCv.convert(a)
				if ev != fixed.NoOverflow {
					cnt.addAcc(ev)
				}
				y, ev := outCv.convert(ac)
				if ev != fixed.NoOverflow {
					cnt.add(ev)
				}
				ob[j] = y
			}
		}
		if n.Op == "dense" {
			K := ws[0]
			rows := len(x) / K
			return func() {
				cnt.conv += size
				cnt.accConv += size
				for r := 0; r < rows; r++ {
					clear(acc)
					for k, xv := range x[r*K : (r+1)*K] {
						if xv == 0 {
							continue
						}
						wr := w[k*N : (k+1)*N]
						macRow(acc, wr, xv)
					}
					finish(out[r*N : (r+1)*N])
				}
			}, nil
		}
		xs := inV(0).Shape
		win, err := convWindow(n, xs, ws, outV.Shape)
		if err != nil {
			return nil, err
		}
		cin := xs[len(xs)-1]
		return func() {
			cnt.conv += size
			cnt.accConv += size
			for o := 0; o < win.nOut; o++ {
				clear(acc)
				for kk, p := range win.idx[o*win.nK : (o+1)*win.nK] {
					if p < 0 {
						continue
					}
					xr := x[int(p)*cin : (int(p)+1)*cin]
					wb := w[kk*cin*N : (kk+1)*cin*N]
					for ci, xv := range xr {
						if xv == 0 {
							continue
						}
						wr := wb[ci*N : (ci+1)*N]
						macRow(acc, wr, xv)
					}
				}
				finish(out[o*N : (o+1)*N])
			}
		}, nil
	case "add", "sub", "mul":
		a, b := x, in(1)
		Fa, Fb := Fx, inV(1).Type.Fixed.Frac()
		ma := broadcastMap(inV(0).Shape, outV.Shape)
		mb := broadcastMap(inV(1).Shape, outV.Shape)
		frac := max(Fa, Fb)
		sa, sb := frac-Fa, frac-Fb
		op := 0
		switch n.Op {
		case "sub":
			op = 1
		case "mul":
			op = 2
			frac, sa, sb = Fa+Fb, 0, 0
		}
		cv := newConverter(T, frac)
		return func() {
			cnt.conv += size
			for i := range out {
				ia, ib := i, i
				if ma != nil {
					ia = int(ma[i])
				}
				if mb != nil {
					ib = int(mb[i])
				}
				var v int64
				switch op {
				case 0:
					v = a[ia]<<sa + b[ib]<<sb
				case 1:
					v = a[ia]<<sa - b[ib]<<sb
				default:
					v = a[ia] * b[ib]
				}
				y, ev := cv.convert(v)
				if ev != fixed.NoOverflow {
					cnt.add(ev)
				}
				out[i] = y
			}
		}, nil
	case "relu", "leaky_relu", "clip":
		frac := Fx
		var alpha int64
		var lo, hi int64 = math.MinInt64, math.MaxInt64
		switch n.Op {
		case "leaky_relu":
			frac = Fx + 16
			a := math.Ldexp(n.Attrs.Float("alpha", 0), 16)
			if a != math.Trunc(a) || math.Abs(a) > 1<<20 {
				return nil, fmt.Errorf("alpha %v is not a multiple of 2^-16 within ±16", n.Attrs.Float("alpha", 0))
			}
			alpha = int64(a)
		case "clip":
			for _, k := range []string{"min", "max"} {
				v, ok := n.Attrs[k].(float64)
				if !ok {
					continue
				}
				c := math.Ldexp(v, Fx)
				if c != math.Trunc(c) || math.Abs(c) > 1<<62 {
					return nil, fmt.Errorf("%s %v does not lie on the input grid", k, v)
				}
				if k == "min" {
					lo = int64(c)
				} else {
					hi = int64(c)
				}
			}
		}
		op := map[string]int{"relu": 0, "leaky_relu": 1, "clip": 2}[n.Op]
		cv := newConverter(T, frac)
		return func() {
			cnt.conv += size
			for i, v := range x {
				switch op {
				case 0:
					v = max(v, 0)
				case 1:
					if v >= 0 {
						v <<= 16
					} else {
						v *= alpha
					}
				default:
					v = min(max(v, lo), hi)
				}
				y, ev := cv.convert(v)
				if ev != fixed.NoOverflow {
					cnt.add(ev)
				}
				out[i] = y
			}
		}, nil
	case "maxpool", "avgpool":
		xs := inV(0).Shape
		win, err := poolWindow(n, xs, outV.Shape)
		if err != nil {
			return nil, err
		}
		C := xs[len(xs)-1]
		acc := make([]int64, C)
		if n.Op == "maxpool" {
			cv := newConverter(T, Fx)
			return func() {
				cnt.conv += size
				for o := 0; o < win.nOut; o++ {
					for c := range acc {
						acc[c] = math.MinInt64
					}
					for _, p := range win.idx[o*win.nK : (o+1)*win.nK] {
						if p < 0 {
							continue
						}
						for c, v := range x[int(p)*C : (int(p)+1)*C] {
							acc[c] = max(acc[c], v)
						}
					}
					ob := out[o*C : (o+1)*C]
					for c, a := range acc {
						y, ev := cv.convert(a)
						if ev != fixed.NoOverflow {
							cnt.add(ev)
						}
						ob[c] = y
					}
				}
			}, nil
		}
		rf := int(n.Attrs.Int("recip_frac", -1))
		if rf < 1 || rf > 32 {
			return nil, fmt.Errorf("recip_frac %d outside 1..32", rf)
		}
		inclPad := n.Attrs.Int("count_include_pad", 0) != 0
		recip := make([]int64, win.nOut)
		for o := range recip {
			cntN := int64(win.valid[o])
			if inclPad {
				cntN = int64(win.nK)
			}
			recip[o] = RoundedReciprocal(cntN, rf)
		}
		cv := newConverter(T, Fx+rf)
		return func() {
			cnt.conv += size
			for o := 0; o < win.nOut; o++ {
				clear(acc)
				for _, p := range win.idx[o*win.nK : (o+1)*win.nK] {
					if p < 0 {
						continue
					}
					for c, v := range x[int(p)*C : (int(p)+1)*C] {
						acc[c] += v
					}
				}
				r := recip[o]
				ob := out[o*C : (o+1)*C]
				for c, a := range acc {
					y, ev := cv.convert(a * r)
					if ev != fixed.NoOverflow {
						cnt.add(ev)
					}
					ob[c] = y
				}
			}
		}, nil
	case "reduce_sum", "reduce_max":
		axes, err := ir.NormAxes(n.Attrs.Ints("axes"), len(inV(0).Shape))
		if err != nil {
			return nil, err
		}
		m, _ := reduceMap(inV(0).Shape, axes)
		acc := make([]int64, len(out))
		isMax := n.Op == "reduce_max"
		cv := newConverter(T, Fx)
		return func() {
			cnt.conv += size
			if isMax {
				for i := range acc {
					acc[i] = math.MinInt64
				}
				for i, v := range x {
					acc[m[i]] = max(acc[m[i]], v)
				}
			} else {
				clear(acc)
				for i, v := range x {
					acc[m[i]] += v
				}
			}
			for i, a := range acc {
				y, ev := cv.convert(a)
				if ev != fixed.NoOverflow {
					cnt.add(ev)
				}
				out[i] = y
			}
		}, nil
	case "reshape", "cast", "transpose":
		var m []int32
		if n.Op == "transpose" {
			perm, err := ir.NormAxes(n.Attrs.Ints("perm"), len(inV(0).Shape))
			if err != nil {
				return nil, err
			}
			m = transposeMap(inV(0).Shape, perm)
		}
		cv := newConverter(T, Fx)
		return func() {
			cnt.conv += size
			for i := range out {
				j := i
				if m != nil {
					j = int(m[i])
				}
				y, ev := cv.convert(x[j])
				if ev != fixed.NoOverflow {
					cnt.add(ev)
				}
				out[i] = y
			}
		}, nil
	case "concat":
		ax, err := normAxis(n.Attrs.Int("axis", 0), len(inV(0).Shape))
		if err != nil {
			return nil, err
		}
		shapes := make([]ir.Shape, len(n.Inputs))
		ins := make([][]int64, len(n.Inputs))
		cvs := make([]converter, len(n.Inputs))
		for i := range n.Inputs {
			shapes[i], ins[i], cvs[i] = inV(i).Shape, in(i), newConverter(T, inV(i).Type.Fixed.Frac())
		}
		p := newConcatPlan(shapes, ax)
		return func() {
			cnt.conv += size
			for o := 0; o < p.outer; o++ {
				for j, src := range ins {
					dst := out[o*p.outChunk+p.off[j] : o*p.outChunk+p.off[j]+p.chunk[j]]
					for t, v := range src[o*p.chunk[j] : (o+1)*p.chunk[j]] {
						y, ev := cvs[j].convert(v)
						if ev != fixed.NoOverflow {
							cnt.add(ev)
						}
						dst[t] = y
					}
				}
			}
		}, nil
	case "bipolar_quant":
		scale := n.Attrs.Float("scale", 0)
		pos, posEv, err := T.FromFloat(scale)
		if err != nil {
			return nil, err
		}
		neg, negEv, err := T.FromFloat(-scale)
		if err != nil {
			return nil, err
		}
		return func() {
			cnt.conv += size
			for i, v := range x {
				if v >= 0 {
					out[i] = pos
					if posEv != fixed.NoOverflow {
						cnt.add(posEv)
					}
				} else {
					out[i] = neg
					if negEv != fixed.NoOverflow {
						cnt.add(negEv)
					}
				}
			}
		}, nil
	case "lut":
		table := in(1)
		Ft := inV(1).Type.Fixed.Frac()
		offset := n.Attrs.Int("offset", 0)
		shift := n.Attrs.Int("shift", -1)
		if shift < 0 || shift > 62 {
			return nil, fmt.Errorf("shift %d outside 0..62", shift)
		}
		L := int64(len(table))
		// The table is constant: convert each entry once.
		codes := make([]int64, L)
		evs := make([]fixed.Event, L)
		for i, c := range table {
			codes[i], evs[i] = T.Convert(c, Ft)
		}
		return func() {
			cnt.conv += size
			for i, v := range x {
				idx := LutIndex(v, offset, uint(shift), L)
				out[i] = codes[idx]
				if evs[idx] != fixed.NoOverflow {
					cnt.add(evs[idx])
				}
			}
		}, nil
	}
	return nil, fmt.Errorf("op not supported by the fixed-point executor")
}

// RoundedReciprocal returns round_half_up(2^frac / n) for n >= 1, the
// integer reciprocal avgpool multiplies its window sum by.
func RoundedReciprocal(n int64, frac int) int64 {
	// floor(2^frac/n + 1/2) = floor((2^(frac+1) + n) / (2n))
	return (int64(1)<<(frac+1) + n) / (2 * n)
}

// LutIndex returns clamp(floor((code - offset) / 2^shift), 0, size-1),
// computed exactly (the difference may exceed int64).
func LutIndex(code, offset int64, shift uint, size int64) int64 {
	var i int64
	if shift == 0 {
		i = code - offset
		if (code^offset)&(code^i) < 0 {
			// The exact difference overflowed int64; it has code's sign.
			if code >= 0 {
				return size - 1
			}
			return 0
		}
	} else {
		// code = ch·2^s + cl, offset = oh·2^s + ol with 0 <= cl, ol < 2^s:
		// floor((code-offset)/2^s) = ch - oh - (cl < ol), and |ch - oh| < 2^63.
		mask := int64(1)<<shift - 1
		i = code>>shift - offset>>shift
		if code&mask < offset&mask {
			i--
		}
	}
	return min(max(i, 0), size-1)
}

// converter converts exact values at a fixed source frac to a type. It has
// a fast path for the common case (a shift of at most 62 bits whose result
// is in range) and defers everything else (overflow, SAT_SYM's most
// negative code, huge shifts) to fixed.Type.Convert, which defines the
// semantics. TestConverterMatchesConvert checks that the two agree.
type converter struct {
	t      fixed.Type
	frac   int
	right  uint // > 0: drop this many bits (quantise)
	left   uint // append this many zero bits
	mode   fixed.Rounding
	lo, hi int64 // quantised codes returned as they are
	fast   bool
}

func newConverter(t fixed.Type, frac int) converter {
	c := converter{t: t, frac: frac, mode: t.Rounding, lo: t.MinCode(), hi: t.MaxCode()}
	if t.Signed && t.Overflow == fixed.SAT_SYM {
		c.lo++ // the most negative code is an SAT_SYM overflow
	}
	switch d := frac - t.Frac(); {
	case d > 0 && d <= 62:
		c.right, c.fast = uint(d), true
	case d <= 0 && d >= -62:
		c.left, c.fast = uint(-d), true
	}
	return c
}

// convert returns the code of the exact value v·2^-frac in the type and the
// overflow event, exactly as fixed.Type.Convert.
func (c *converter) convert(v int64) (int64, fixed.Event) {
	if !c.fast {
		return c.t.Convert(v, c.frac)
	}
	var q int64
	if c.right > 0 {
		q = v >> c.right // floor
		if rem := uint64(v) & (1<<c.right - 1); rem != 0 && c.mode != fixed.TRN {
			half := uint64(1) << (c.right - 1)
			var inc bool
			switch c.mode {
			case fixed.TRN_ZERO:
				inc = v < 0
			case fixed.RND:
				inc = rem >= half
			case fixed.RND_ZERO:
				inc = rem > half || rem == half && v < 0
			case fixed.RND_MIN_INF:
				inc = rem > half
			case fixed.RND_INF:
				inc = rem > half || rem == half && v >= 0
			case fixed.RND_CONV:
				inc = rem > half || rem == half && q&1 != 0
			}
			if inc {
				q++
			}
		}
	} else {
		q = v << c.left
		if q>>c.left != v {
			return c.t.Convert(v, c.frac)
		}
	}
	if q < c.lo || q > c.hi {
		return c.t.Convert(v, c.frac)
	}
	return q, fixed.NoOverflow
}

// macRow adds x·w[j] to acc[j] for every j (len(acc) == len(w)).
func macRow(acc, w []int64, x int64) {
	acc = acc[:len(w)]
	j := 0
	for ; j+4 <= len(w); j += 4 {
		acc[j] += x * w[j]
		acc[j+1] += x * w[j+1]
		acc[j+2] += x * w[j+2]
		acc[j+3] += x * w[j+3]
	}
	for ; j < len(w); j++ {
		acc[j] += x * w[j]
	}
}
