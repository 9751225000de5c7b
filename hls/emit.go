package hls

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"trigo/backends"
	"trigo/compiler"
	"trigo/ir"
	"trigo/ir/fixed"
)

// maxExactWidth bounds the exact intermediate types the emitter declares, so
// that every expression built from them (one more bit for a sum, the
// product of two of them) stays within the 127 bits of the stand-in headers.
const maxExactWidth = 120

// port is one graph input or output on the top function.
type port struct {
	v      *ir.Value
	id     string     // argument (ap_vld) or local array (axis) name
	typdef string     // <top>_<id>_t
	cpp    string     // the C++ element type
	t      fixed.Type // width and signedness of an element's code (i32: a 32-bit integer)
	size   int
	offset int // bit offset of element 0 in the stream word (axis)
}

// int32Code is the code format of i32 values (condensation's indices and
// counts): 32-bit two's complement, as in the RTL contract.
var int32Code = fixed.Type{Signed: true, Width: 32, Int: 32, Rounding: fixed.TRN, Overflow: fixed.WRAP}

// valueCType is the C++ element type of a value: its ap_[u]fixed, or
// ap_int<32> for i32.
func valueCType(v *ir.Value) string {
	if v.Type.Kind == ir.Int32 {
		return "ap_int<32>"
	}
	return cppType(v.Type.Fixed)
}

// constInfo is one constant of the graph.
type constInfo struct {
	c     *ir.Const
	id    string // the code array in <top>_weights.h
	value bool   // also needed as a typed array (an ordinary op operand)
	valID string // that typed array, declared in the top function
}

// layer is one node: its config struct and its call.
type layer struct {
	n       *ir.Node
	id      string
	cfg     string   // config struct name
	out     string   // output buffer (of the first output)
	outs    []string // output buffers, one per node output
	comment []string // lines of the comment above the config struct
	body    []string // lines inside the config struct
	call    string   // the call statement in the top function
	rf      int
}

// emitter prints one graph.
type emitter struct {
	g      *ir.Graph
	bo     backends.Options
	o      Options
	top    string
	ix     *ir.Index
	names  *namer
	vals   map[string]string // IR value -> C array holding it
	consts map[string]*constInfo
	clist  []*constInfo
	ins    []*port
	outs   []*port
	layers []*layer
	ii     int         // top-level initiation interval
	inBits int         // packed input word width (axis)
	outBit int         // packed output word width (axis)
	roms   []*romTable // derived constants (reciprocal tables)
	graph  bool        // the graph uses graph ops (graphLayersHeader)
	// autoAPVld is set when no interface was configured and an event does
	// not fit one AXI4-Stream word: the top function uses ap_vld instead.
	autoAPVld bool
}

// newEmitter plans the whole project: names, types, configs and calls. It
// reports every graph the generated code could not represent exactly.
func newEmitter(g *ir.Graph, bo backends.Options, o Options) (*emitter, error) {
	autoIface := o.Interface == ""
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &emitter{g: g, bo: bo, o: o, ix: g.BuildIndex(), names: newNamer(),
		vals: map[string]string{}, consts: map[string]*constInfo{}, ii: 1}
	if e.bo.Version == "" {
		e.bo.Version = compiler.Version
	}
	if bo.Top != "" {
		if !validIdent(bo.Top) || cppKeywords[bo.Top] {
			return nil, fmt.Errorf("hls: top name %q is not a usable C++ identifier", bo.Top)
		}
		e.top = e.names.take(bo.Top)
	} else {
		e.top = e.names.take(sanitize(g.Name, "model_"))
	}
	e.names.take(e.weightsNS())
	e.names.take(e.top + "_in_word_t")
	e.names.take(e.top + "_out_word_t")
	for _, v := range g.Inputs {
		if v.Type.Kind != ir.Fixed {
			return nil, fmt.Errorf("hls: input %q is %s, want a fixed-point type", v.Name, v.Type)
		}
		p := &port{v: v, id: e.names.take(sanitize(v.Name, "in_")), cpp: cppType(v.Type.Fixed), t: v.Type.Fixed, size: v.Shape.Size()}
		p.typdef = e.names.take(e.top + "_" + p.id + "_t")
		e.ins = append(e.ins, p)
		e.vals[v.Name] = p.id
	}
	for _, name := range g.Outputs {
		v := e.ix.Values[name]
		if v == nil || (v.Type.Kind != ir.Fixed && v.Type.Kind != ir.Int32) {
			return nil, fmt.Errorf("hls: output %q is not a fixed-point or i32 value", name)
		}
		p := &port{v: v, id: e.names.take(sanitize(name, "out_")), cpp: valueCType(v), t: v.Type.Fixed, size: v.Shape.Size()}
		if v.Type.Kind == ir.Int32 {
			p.t = int32Code
		}
		p.typdef = e.names.take(e.top + "_" + p.id + "_t")
		e.outs = append(e.outs, p)
	}
	for _, c := range g.Consts {
		if c.Type.Kind != ir.Fixed {
			return nil, fmt.Errorf("hls: constant %q is %s, want a fixed-point type", c.Name, c.Type)
		}
		ci := &constInfo{c: c, id: e.names.take(sanitize(c.Name, "c_"))}
		e.consts[c.Name] = ci
		e.clist = append(e.clist, ci)
	}
	// Constants that are ordinary operands (not weights, biases or tables)
	// or graph outputs get a typed copy.
	for _, n := range g.Nodes {
		for i, in := range n.Inputs {
			ci := e.consts[in]
			if ci == nil {
				continue
			}
			weight := (n.Op == "dense" || n.Op == "conv") && i >= 1 || n.Op == "lut" && i == 1 || n.Op == "gravnet_agg" && i == 3
			if !weight {
				ci.value = true
			}
		}
	}
	for _, name := range g.Outputs {
		if ci := e.consts[name]; ci != nil {
			ci.value = true
		}
	}
	for _, ci := range e.clist {
		if ci.value {
			ci.valID = e.names.take(ci.id + "_val")
			e.vals[ci.c.Name] = ci.valID
		}
	}
	for _, n := range g.Nodes {
		multi := n.Op == "condensation" && len(n.Outputs) == 3
		if !multi && (len(n.Outputs) != 1 || n.Outputs[0].Type.Kind != ir.Fixed) {
			return nil, fmt.Errorf("hls: node %q (%s) must have one fixed-point output", n.Name, n.Op)
		}
		id := e.names.take(sanitize(n.Name, "l_"))
		l := &layer{n: n, id: id, cfg: e.names.take(id + "_config"), rf: o.reuse(n.Name)}
		if multi {
			for _, suffix := range []string{"_assign", "_clusters", "_n"} {
				l.outs = append(l.outs, e.names.take(id+suffix))
			}
		} else {
			l.outs = []string{e.names.take(id + "_out")}
		}
		l.out = l.outs[0]
		e.graph = e.graph || graphOps[n.Op]
		if err := e.plan(l); err != nil {
			return nil, fmt.Errorf("hls: node %q (%s): %w", n.Name, n.Op, err)
		}
		for i, o := range n.Outputs {
			e.vals[o.Name] = l.outs[i]
		}
		e.layers = append(e.layers, l)
		e.ii = max(e.ii, l.rf)
	}
	for _, p := range e.ins {
		p.offset = e.inBits
		e.inBits += p.size * p.t.Width
	}
	for _, p := range e.outs {
		p.offset = e.outBit
		e.outBit += p.size * p.t.Width
	}
	if o.Interface == InterfaceAXIS {
		for _, w := range []int{e.streamBits(e.inBits), e.streamBits(e.outBit)} {
			if w <= MaxStreamBits {
				continue
			}
			if autoIface {
				// No interface configured: one event per call through
				// ap_vld ports instead of a stream word too wide for
				// Vitis HLS.
				e.o.Interface = InterfaceAPVld
				e.autoAPVld = true
				break
			}
			return nil, fmt.Errorf("hls: the axis interface packs an event into one stream word, and this graph needs %d bits (at most %d, the ap_uint and AXI4-Stream port limit of Vitis HLS): use the %s interface",
				w, MaxStreamBits, InterfaceAPVld)
		}
	}
	return e, nil
}

// weightsNS is the namespace of the constant arrays in <top>_weights.h
// (keeps them from clashing with library names such as exp or log).
func (e *emitter) weightsNS() string { return e.top + "_weights" }

// validIdent reports whether s is a plain C identifier (no leading
// underscore: those are reserved).
func validIdent(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r == '_' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return s != ""
}

// streamBits rounds a packed width up to whole bytes (AXI4-Stream TDATA).
func (e *emitter) streamBits(bits int) int {
	return max(8, (bits+7)/8*8)
}

// in returns input i of a node.
func (e *emitter) in(n *ir.Node, i int) *ir.Value { return e.ix.Values[n.Inputs[i]] }

// arg is the C array an op reads for an IR value.
func (e *emitter) arg(name string) string {
	if s, ok := e.vals[name]; ok {
		return s
	}
	if ci := e.consts[name]; ci != nil {
		return e.weightsNS() + "::" + ci.id
	}
	return "/* unknown value " + commentSafe(name) + " */"
}

func (l *layer) line(format string, args ...any) {
	l.body = append(l.body, fmt.Sprintf(format, args...))
}
func (l *layer) note(format string, args ...any) {
	l.comment = append(l.comment, commentSafe(fmt.Sprintf(format, args...)))
}
func (l *layer) typedef(name, t, why string) {
	if why != "" {
		l.body = append(l.body, fmt.Sprintf("typedef %s %s;  // %s", t, name, why))
	} else {
		l.body = append(l.body, fmt.Sprintf("typedef %s %s;", t, name))
	}
}
func (l *layer) int(name string, v int) { l.line("static const int %s = %d;", name, v) }

// plan fills a layer's config and call.
func (e *emitter) plan(l *layer) error {
	n := l.n
	out := n.Outputs[0]
	T := out.Type.Fixed
	l.note("Layer %s (%s)", n.Name, n.Op)
	for i := range n.Inputs {
		v := e.in(n, i)
		if v.Type.Kind != ir.Fixed {
			return fmt.Errorf("input %q is %s, want a fixed-point type", v.Name, v.Type)
		}
		role := "in   "
		if e.consts[v.Name] != nil {
			role = "const"
		}
		l.note("  %s %s", role, describe(v))
	}
	for _, o := range n.Outputs {
		l.note("  out   %s", describe(o))
	}
	if l.rf != 1 {
		l.note("  reuse factor %d", l.rf)
	}
	x := e.in(n, 0)
	X := x.Type.Fixed
	args := func(extra ...string) string {
		parts := []string{}
		for _, in := range n.Inputs {
			parts = append(parts, e.arg(in))
		}
		parts = append(parts, extra...)
		return strings.Join(parts, ", ")
	}
	call := func(tmpl string, a string) {
		l.call = fmt.Sprintf("trigo::%s<%s>(%s);", tmpl, l.cfg, a)
	}
	switch n.Op {
	case "dense", "conv":
		return e.planMAC(l, args)
	case "mask", "slice", "gravnet_agg", "global_exchange", "condensation":
		return e.planGraph(l, args)
	case "add", "sub", "mul":
		b := e.in(n, 1)
		d, err := pad4(out.Shape)
		if err != nil {
			return err
		}
		sa, sb := broadcastStrides(x.Shape, out.Shape), broadcastStrides(b.Shape, out.Shape)
		for i := 0; i < maxRank; i++ {
			l.int(fmt.Sprintf("d%d", i), d[i])
		}
		for i := 0; i < maxRank; i++ {
			l.int(fmt.Sprintf("a_s%d", i), sa[i])
		}
		for i := 0; i < maxRank; i++ {
			l.int(fmt.Sprintf("b_s%d", i), sb[i])
		}
		l.int("a_size", x.Shape.Size())
		l.int("b_size", b.Shape.Size())
		l.int("n", out.Shape.Size())
		l.int("reuse_factor", l.rf)
		B := b.Type.Fixed
		switch n.Op {
		case "mul":
			l.note("  exact: a*b, %s * %s = %d bits at %d fractional bits (the ap_fixed product type)",
				X, B, X.Width+B.Width, X.Frac()+B.Frac())
		default:
			l.note("  exact: a%sb at %d fractional bits (the ap_fixed sum type)", map[string]string{"add": "+", "sub": "-"}[n.Op], max(X.Frac(), B.Frac()))
		}
		call(n.Op, args(l.out))
	case "relu", "reshape", "cast":
		l.int("n", out.Shape.Size())
		l.int("reuse_factor", l.rf)
		tmpl := map[string]string{"relu": "relu", "reshape": "copy", "cast": "copy"}[n.Op]
		if n.Op == "reshape" {
			l.note("  row-major reshape: a copy, each element converted to the output type")
		}
		call(tmpl, args(l.out))
	case "leaky_relu":
		alpha := n.Attrs.Float("alpha", 0)
		a := math.Ldexp(alpha, 16)
		if a != math.Trunc(a) || math.Abs(a) > 1<<20 {
			return fmt.Errorf("alpha %v is not a multiple of 2^-16 within ±16", alpha)
		}
		A := int64(a)
		wa := signedWidth(big.NewInt(A), big.NewInt(A))
		l.int("n", out.Shape.Size())
		l.int("reuse_factor", l.rf)
		l.typedef("alpha_t", exactType(wa, 16), fmt.Sprintf("alpha = %v = %d * 2^-16", alpha, A))
		l.line("static const long long alpha_code = %s;", llit(A))
		call("leaky_relu", args(l.out))
	case "clip":
		lo, hi := big.NewInt(X.MinCode()), big.NewInt(X.MaxCode())
		var bounds [2]*int64
		for i, k := range []string{"min", "max"} {
			v, ok := n.Attrs[k].(float64)
			if !ok {
				continue
			}
			c := math.Ldexp(v, X.Frac())
			if c != math.Trunc(c) || math.Abs(c) > 1<<62 {
				return fmt.Errorf("%s %v does not lie on the input grid", k, v)
			}
			ci := int64(c)
			bounds[i] = &ci
			if bc := big.NewInt(ci); bc.Cmp(lo) < 0 {
				lo = bc
			} else if bc.Cmp(hi) > 0 {
				hi = bc
			}
		}
		w := signedWidth(lo, hi)
		l.int("n", out.Shape.Size())
		l.int("reuse_factor", l.rf)
		l.typedef("clip_t", exactType(w, X.Frac()), "holds the input and both bounds exactly")
		for i, k := range []string{"min", "max"} {
			if bounds[i] == nil {
				l.line("static const bool has_%s = false;", k)
				l.line("static const long long %s_code = 0;", k)
			} else {
				l.line("static const bool has_%s = true;", k)
				l.line("static const long long %s_code = %s;  // %v", k, llit(*bounds[i]), n.Attrs[k])
			}
		}
		call("clip", args(l.out))
	case "maxpool", "avgpool":
		if err := e.planWindow(l, x.Shape, out.Shape, n.Attrs.Ints("kernel"), nil); err != nil {
			return err
		}
		if n.Op == "avgpool" {
			rf := int(n.Attrs.Int("recip_frac", -1))
			if rf < 1 || rf > 32 {
				return fmt.Errorf("recip_frac %d outside 1..32", rf)
			}
			k := 1
			for _, v := range n.Attrs.Ints("kernel") {
				k *= int(v)
			}
			xlo, xhi := codeRange(X)
			w := signedWidth(scale(xlo, int64(k)), scale(xhi, int64(k)))
			if w > maxExactWidth {
				return fmt.Errorf("exact window sum needs %d bits (at most %d)", w, maxExactWidth)
			}
			incl := n.Attrs.Int("count_include_pad", 0) != 0
			l.typedef("sum_t", exactType(w, X.Frac()), fmt.Sprintf("exact sum of up to %d inputs", k))
			l.typedef("recip_t", fmt.Sprintf("ap_ufixed<%d, 1>", rf+1), fmt.Sprintf("round_half_up(2^%d / count) * 2^-%d", rf, rf))
			l.int("recip_frac", rf)
			l.line("static const bool count_include_pad = %v;", incl)
			l.note("  exact: window sum * round_half_up(2^%d / count) at %d fractional bits", rf, X.Frac()+rf)
		}
		l.int("reuse_factor", l.rf)
		call(n.Op, args(l.out))
	case "reduce_sum", "reduce_max":
		axes, err := ir.NormAxes(n.Attrs.Ints("axes"), len(x.Shape))
		if err != nil {
			return err
		}
		d, err := pad4(x.Shape)
		if err != nil {
			return err
		}
		red := map[int]bool{}
		for _, a := range axes {
			red[a] = true
		}
		outStr := out.Shape.Strides()
		var os [maxRank]int
		for i := 0; i < maxRank; i++ {
			a := len(x.Shape) - maxRank + i
			if a >= 0 && !red[a] {
				os[i] = outStr[a]
			}
		}
		for i := 0; i < maxRank; i++ {
			l.int(fmt.Sprintf("d%d", i), d[i])
		}
		for i := 0; i < maxRank; i++ {
			l.int(fmt.Sprintf("o_s%d", i), os[i])
		}
		l.int("n_in", x.Shape.Size())
		l.int("n_out", out.Shape.Size())
		l.int("reuse_factor", l.rf)
		if n.Op == "reduce_sum" {
			terms := x.Shape.Size() / out.Shape.Size()
			xlo, xhi := codeRange(X)
			w := signedWidth(scale(xlo, int64(terms)), scale(xhi, int64(terms)))
			if w > maxExactWidth {
				return fmt.Errorf("exact sum needs %d bits (at most %d)", w, maxExactWidth)
			}
			l.typedef("sum_t", exactType(w, X.Frac()), fmt.Sprintf("exact sum of %d inputs", terms))
		}
		call(n.Op, args(l.out))
	case "transpose":
		perm, err := ir.NormAxes(n.Attrs.Ints("perm"), len(x.Shape))
		if err != nil {
			return err
		}
		d, err := pad4(out.Shape)
		if err != nil {
			return err
		}
		inStr := x.Shape.Strides()
		var st [maxRank]int
		for i := 0; i < maxRank; i++ {
			a := len(out.Shape) - maxRank + i
			if a >= 0 {
				st[i] = inStr[perm[a]]
			}
		}
		for i := 0; i < maxRank; i++ {
			l.int(fmt.Sprintf("d%d", i), d[i])
		}
		for i := 0; i < maxRank; i++ {
			l.int(fmt.Sprintf("s%d", i), st[i])
		}
		l.int("n", out.Shape.Size())
		l.int("reuse_factor", l.rf)
		call("transpose", args(l.out))
	case "concat":
		ax, err := ir.NormAxes([]int64{n.Attrs.Int("axis", 0)}, len(x.Shape))
		if err != nil {
			return err
		}
		outer := 1
		for _, d := range x.Shape[:ax[0]] {
			outer *= d
		}
		inner := 1
		for _, d := range x.Shape[ax[0]+1:] {
			inner *= d
		}
		outChunk := out.Shape[ax[0]] * inner
		off := 0
		var calls []string
		for j := range n.Inputs {
			v := e.in(n, j)
			chunk := v.Shape[ax[0]] * inner
			l.line("struct part%d {  // input %d: %s", j, j, commentSafe(v.Name))
			l.line("  static const int outer = %d;", outer)
			l.line("  static const int chunk = %d;", chunk)
			l.line("  static const int out_chunk = %d;", outChunk)
			l.line("  static const int offset = %d;", off)
			l.line("  static const int reuse_factor = %d;", l.rf)
			l.line("};")
			calls = append(calls, fmt.Sprintf("trigo::concat_part<%s::part%d>(%s, %s);", l.cfg, j, e.arg(n.Inputs[j]), l.out))
			off += chunk
		}
		l.call = strings.Join(calls, "\n")
	case "bipolar_quant":
		sc := n.Attrs.Float("scale", 0)
		pos, _, err := T.FromFloat(sc)
		if err != nil {
			return err
		}
		neg, _, err := T.FromFloat(-sc)
		if err != nil {
			return err
		}
		l.int("n", out.Shape.Size())
		l.int("reuse_factor", l.rf)
		l.line("static const long long pos_code = %s;  // +%v in the output type", llit(pos), sc)
		l.line("static const long long neg_code = %s;  // -%v in the output type", llit(neg), sc)
		call("bipolar_quant", args(l.out))
	case "lut":
		tab := e.in(n, 1)
		offset := n.Attrs.Int("offset", 0)
		shift := n.Attrs.Int("shift", -1)
		if shift < 0 || shift > 62 {
			return fmt.Errorf("shift %d outside 0..62", shift)
		}
		xlo, xhi := codeRange(X)
		off := big.NewInt(offset)
		// Wide enough for the code, the offset, their difference, and a
		// right shift by shift that keeps a sign bit.
		w := max(signedWidth(new(big.Int).Sub(xlo, off), new(big.Int).Sub(xhi, off)),
			signedWidth(off, off), X.Width+1, int(shift)+2)
		l.int("n", out.Shape.Size())
		l.int("reuse_factor", l.rf)
		l.int("x_width", X.Width)
		l.typedef("code_t", codeType(X), "the input's code")
		l.typedef("diff_t", fmt.Sprintf("ap_int<%d>", w), "code - offset, exact")
		l.typedef("table_t", cppType(tab.Type.Fixed), "")
		l.line("static const long long offset = %s;", llit(offset))
		l.int("shift", int(shift))
		l.int("table_size", tab.Shape.Size())
		if f := n.Attrs.String("function", ""); f != "" {
			l.note("  table of %s: entry k at input code offset + k*2^shift + (2^shift-1)/2", f)
		}
		call("lut", args(l.out))
	default:
		return fmt.Errorf("op not supported by the HLS backend")
	}
	return nil
}

// planMAC plans dense and conv: exact sum, accumulator, result.
func (e *emitter) planMAC(l *layer, args func(...string) string) error {
	n := l.n
	x, w := e.in(n, 0), e.in(n, 1)
	X, Wt := x.Type.Fixed, w.Type.Fixed
	accT, ok := n.Attrs.Type("acc")
	if !ok || accT.Kind != ir.Fixed {
		return fmt.Errorf("needs a fixed-point acc attribute")
	}
	ws := w.Shape
	nOut := ws[len(ws)-1]
	terms := ws.Size() / nOut // inputs per output (kernel window x channels)
	xlo, xhi := codeRange(X)
	wlo, whi := codeRange(Wt)
	plo, phi := productRange(xlo, xhi, wlo, whi)
	slo, shi := scale(plo, int64(terms)), scale(phi, int64(terms))
	frac := X.Frac() + Wt.Frac()
	hasBias := len(n.Inputs) > 2
	var B fixed.Type
	if hasBias {
		B = e.in(n, 2).Type.Fixed
		if B.Frac() > frac {
			slo, shi = shiftLeft(slo, B.Frac()-frac), shiftLeft(shi, B.Frac()-frac)
			frac = B.Frac()
		}
		blo, bhi := codeRange(B)
		k := frac - B.Frac()
		slo = new(big.Int).Add(slo, shiftLeft(blo, k))
		shi = new(big.Int).Add(shi, shiftLeft(bhi, k))
	}
	sw := signedWidth(slo, shi)
	if sw > maxExactWidth {
		return fmt.Errorf("exact accumulation needs %d bits (at most %d)", sw, maxExactWidth)
	}
	if n.Op == "dense" {
		K := ws[0]
		rows := x.Shape.Size() / K
		l.int("n_rows", rows)
		l.int("n_in", K)
		l.int("n_out", nOut)
		l.int("reuse_factor", l.rf)
		l.int("multiplier_limit", (rows*K*nOut+l.rf-1)/l.rf)
	} else {
		if err := e.planWindow(l, x.Shape, n.Outputs[0].Shape, nil, ws); err != nil {
			return err
		}
		l.int("n_filt", nOut)
		outSp := n.Outputs[0].Shape.Size() / nOut
		l.int("reuse_factor", l.rf)
		l.int("multiplier_limit", (outSp*terms*nOut+l.rf-1)/l.rf)
	}
	l.typedef("weight_t", cppType(Wt), "")
	if hasBias {
		l.typedef("bias_t", cppType(B), "")
	}
	l.typedef("sum_t", exactType(sw, frac), fmt.Sprintf("exact: %d products (+ bias), no rounding, no overflow", terms))
	l.typedef("acc_t", cppType(accT.Fixed), "the IR accumulator type")
	l.note("  exact sum: %d bits at %d fractional bits, then acc %s, then the output type", sw, frac, accT)
	tmpl := n.Op
	l.call = fmt.Sprintf("trigo::%s<%s>(%s);", tmpl, l.cfg, args(l.out))
	return nil
}

// planWindow emits the geometry of a conv (w != nil: weights [k..., cin,
// cout]) or pool (kernel) over a channel-last input. 1-D windows run as 2-D
// with height 1.
func (e *emitter) planWindow(l *layer, xs, os ir.Shape, kernel []int64, ws ir.Shape) error {
	d := len(xs) - 1
	if d < 1 || d > 2 {
		return fmt.Errorf("input %v: want [L,C] or [H,W,C]", xs)
	}
	var attrs ir.Attrs
	if ws == nil {
		attrs = ir.Attrs{"strides": l.n.Attrs.Ints("strides"), "pads": l.n.Attrs.Ints("pads")}
	} else {
		attrs = l.n.Attrs
	}
	st, dil, pads, err := ir.SpatialParams(attrs, d)
	if err != nil {
		return err
	}
	k := make([]int, d)
	for i := range k {
		if ws != nil {
			k[i] = ws[i]
		} else {
			k[i] = int(kernel[i])
		}
	}
	inH, inW, outH, outW, kH, kW := 1, xs[0], 1, os[0], 1, k[0]
	sH, sW, dH, dW, pT, pL := 1, st[0], 1, dil[0], 0, pads[0]
	if d == 2 {
		inH, inW, outH, outW, kH, kW = xs[0], xs[1], os[0], os[1], k[0], k[1]
		sH, sW, dH, dW, pT, pL = st[0], st[1], dil[0], dil[1], pads[0], pads[1]
	} else {
		l.note("  1-D: runs as 2-D with height 1")
	}
	l.int("in_h", inH)
	l.int("in_w", inW)
	l.int("n_chan", xs[d])
	l.int("out_h", outH)
	l.int("out_w", outW)
	l.int("k_h", kH)
	l.int("k_w", kW)
	l.int("stride_h", sH)
	l.int("stride_w", sW)
	if ws != nil {
		l.int("dilation_h", dH)
		l.int("dilation_w", dW)
	}
	l.int("pad_top", pT)
	l.int("pad_left", pL)
	return nil
}
