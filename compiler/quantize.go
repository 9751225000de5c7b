package compiler

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"trigo/ir"
	"trigo/ir/fixed"
	"trigo/sim"
)

// maxAutoRetries bounds how often quantize widens auto types that still
// overflowed on the calibration data after rounding.
const maxAutoRetries = 8

// quantize turns the float graph into the fixed-point graph: it picks every
// value's type (config, auto from calibration ranges, exact from input
// types), quantises constants, and turns `table` nodes into lookup tables
// whose contents live in the IR. With auto precisions it then runs the
// fixed simulator on the calibration data and widens any auto type that
// still overflowed (rounding can push a value over the calibrated edge),
// so that nothing overflows on it.
func quantize(g *ir.Graph, st *state) error {
	q := &quantizer{cfg: st.cfg, float: cloneGraph(g), extraInt: map[string]int{}}
	if err := q.calibrate(st.opts.Calib); err != nil {
		return err
	}
	for try := 0; ; try++ {
		fg := cloneGraph(q.float)
		q.chosen = nil
		q.auto = map[string]bool{}
		if err := q.run(fg); err != nil {
			return err
		}
		if err := fg.Validate(); err != nil {
			return fmt.Errorf("quantised graph is invalid: %w", err)
		}
		widened, err := q.checkAuto(fg, st.opts.Calib)
		if err != nil {
			return err
		}
		if !widened || try == maxAutoRetries {
			*g = *fg
			st.chosen = append(st.chosen, q.chosen...)
			return nil
		}
	}
}

type quantizer struct {
	cfg    *Config
	float  *ir.Graph
	ranges map[string][2]float64 // calibration min/max per value
	chosen []ChosenType
	// auto marks values whose type auto chose; extraInt widens them.
	auto     map[string]bool
	extraInt map[string]int
	types    map[string]fixed.Type
	consts   map[string]*ir.Const
}

// calibrate records every value's range on the calibration events.
func (q *quantizer) calibrate(calib []sim.Batch) error {
	if calib == nil {
		return nil
	}
	g := cloneGraph(q.float)
	g.Outputs = nil
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			g.Outputs = append(g.Outputs, o.Name)
		}
	}
	if len(g.Outputs) == 0 {
		g.Outputs = []string{g.Inputs[0].Name}
	}
	f, err := sim.NewFloat(g)
	if err != nil {
		return err
	}
	outs, err := f.Run(calib)
	if err != nil {
		return fmt.Errorf("calibration data: %w", err)
	}
	q.ranges = map[string][2]float64{}
	record := func(name string, data []float32) {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range data {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
		if len(data) == 0 {
			lo, hi = 0, 0
		}
		q.ranges[name] = [2]float64{lo, hi}
	}
	for i, v := range g.Inputs {
		record(v.Name, calib[i].Data)
	}
	for i, name := range g.Outputs {
		record(name, outs[i].Data)
	}
	return nil
}

// resolve turns a precision into a type for value `name` (for auto: its
// calibration range, or the given values' range when vals is not nil).
func (q *quantizer) resolve(p Precision, layer, what, name string, vals []float32) (fixed.Type, error) {
	def, _ := q.cfg.Precision(q.cfg.Model.Precision)
	switch p.Kind {
	case PrecFixed:
		return p.Type, nil
	case PrecAuto:
		width := p.Width
		if width == 0 {
			width = def.Type.Width
			if def.Kind != PrecFixed {
				width = 16
			}
		}
		var lo, hi float64
		if vals != nil {
			lo, hi = math.Inf(1), math.Inf(-1)
			for _, v := range vals {
				lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
			}
		} else {
			r, ok := q.ranges[name]
			if !ok {
				return fixed.Type{}, fmt.Errorf("layer %q: %s precision auto needs calibration data (--calib X.npy)", layer, what)
			}
			lo, hi = r[0], r[1]
		}
		signed := lo < 0
		maxAbs := math.Max(math.Abs(lo), math.Abs(hi))
		I := fixed.IntBitsFor(maxAbs, signed) + q.extraInt[name]
		rd, _ := fixed.ParseRounding(q.cfg.Model.Rounding)
		ov, _ := fixed.ParseOverflow(q.cfg.Model.Overflow)
		t := fixed.Type{Signed: signed, Width: width, Int: I, Rounding: rd, Overflow: ov}
		if !signed && width > 63 {
			t.Width = 63
		}
		q.auto[name] = vals == nil
		q.chosen = append(q.chosen, ChosenType{Layer: layer, What: what, Type: t.String(), MaxAbs: maxAbs, Reason: "auto"})
		return t, nil
	}
	return fixed.Type{}, fmt.Errorf("layer %q: %s precision exact is only for accumulators and sums", layer, what)
}

// precisionOr parses the first non-empty precision string.
func (q *quantizer) precisionOr(ss ...string) (Precision, error) {
	for _, s := range ss {
		if s != "" {
			return q.cfg.Precision(s)
		}
	}
	return Precision{}, errors.New("no precision")
}

func (q *quantizer) run(g *ir.Graph) error {
	q.types = map[string]fixed.Type{}
	q.consts = map[string]*ir.Const{}
	for _, c := range g.Consts {
		q.consts[c.Name] = c
	}
	for _, v := range g.Inputs {
		p, err := q.precisionOr(q.cfg.Inputs[v.Name], InputDefault(g, v.Name, ""), q.cfg.Model.Precision)
		if err != nil {
			return err
		}
		t, err := q.resolve(p, v.Name, "input", v.Name, nil)
		if err != nil {
			return err
		}
		v.Type = ir.FixedOf(t)
		q.types[v.Name] = t
	}
	var newConsts []*ir.Const
	for _, n := range g.Nodes {
		if err := q.node(g, n, &newConsts); err != nil {
			return fmt.Errorf("layer %q (%s): %w", n.Name, n.Op, err)
		}
		for _, o := range n.Outputs {
			if o.Type.Kind == ir.Fixed {
				q.types[o.Name] = o.Type.Fixed
			}
		}
	}
	g.Consts = newConsts
	return nil
}

// quantConst quantises a float constant with type t into a new constant.
func (q *quantizer) quantConst(c *ir.Const, name string, t fixed.Type, out *[]*ir.Const) (*ir.Const, int, error) {
	nc := &ir.Const{Value: ir.Value{Name: name, Type: ir.FixedOf(t), Shape: c.Shape.Clone()}, Codes: make([]int64, len(c.Floats))}
	over := 0
	for i, f := range c.Floats {
		code, ev, err := t.FromFloat(float64(f))
		if err != nil {
			return nil, 0, err
		}
		if ev != fixed.NoOverflow {
			over++
		}
		nc.Codes[i] = code
	}
	*out = append(*out, nc)
	return nc, over, nil
}

// constType picks a constant's type: the layer's weight/bias precision.
func (q *quantizer) constType(layer *LayerConfig, n *ir.Node, what string, c *ir.Const) (fixed.Type, error) {
	var p Precision
	var err error
	if what == "bias" {
		p, err = q.precisionOr(layer.Bias, q.cfg.Model.Bias, q.cfg.Model.Precision)
	} else {
		p, err = q.precisionOr(layer.Weight, q.cfg.Model.Weight, q.cfg.Model.Precision)
	}
	if err != nil {
		return fixed.Type{}, err
	}
	return q.resolve(p, n.Name, what, c.Name, c.Floats)
}

func (q *quantizer) inType(n *ir.Node, i int) fixed.Type { return q.types[n.Inputs[i]] }

// node assigns the output type of one node and quantises its constants.
func (q *quantizer) node(g *ir.Graph, n *ir.Node, consts *[]*ir.Const) error {
	layer := q.cfg.layer(n.Name)
	out := n.Outputs[0]
	// Constant operands of element-wise ops are quantised with the layer's
	// weight precision.
	for i, in := range n.Inputs {
		c := q.consts[in]
		if c == nil || c.Type.Kind != ir.Float32 || n.Op == "dense" || n.Op == "conv" {
			continue
		}
		t, err := q.constType(layer, n, "weight", c)
		if err != nil {
			return err
		}
		nc, over, err := q.quantConst(c, g.UniqueName(c.Name+".q"), t, consts)
		if err != nil {
			return err
		}
		if over > 0 {
			q.warn(n.Name, "weight", t, over)
		}
		n.Inputs[i] = nc.Name
		q.types[nc.Name] = t
		q.consts[nc.Name] = nc
	}
	var result fixed.Type
	var err error
	switch n.Op {
	case "dense", "conv":
		result, err = q.denseConv(g, n, layer, consts)
	case "reshape", "transpose", "maxpool", "reduce_max", "slice", "mask":
		result, err = q.resultOr(n, layer, q.inType(n, 0))
	case "global_exchange":
		// x and its mean, min and max lie within x's range.
		n.Attrs["recip_frac"] = int64(16)
		result, err = q.resultOr(n, layer, q.inType(n, 0))
	case "gravnet_agg":
		result, err = q.gravnet(g, n, layer, consts)
	case "condensation":
		return q.condensation(n, layer)
	case "concat":
		same := true
		for i := range n.Inputs {
			if q.inType(n, i) != q.inType(n, 0) {
				same = false
			}
		}
		if same {
			result, err = q.resultOr(n, layer, q.inType(n, 0))
		} else {
			result, err = q.result(n, layer, "")
		}
	case "add", "sub", "mul", "relu", "reduce_sum":
		result, err = q.result(n, layer, ResultDefault(g, n, ""))
	case "leaky_relu":
		a := math.Round(n.Attrs.Float("alpha", 0.01)*(1<<16)) / (1 << 16)
		n.Attrs["alpha"] = a
		result, err = q.result(n, layer, "")
	case "clip":
		x := q.inType(n, 0)
		if v, ok := n.Attrs["min"].(float64); ok {
			n.Attrs["min"] = math.Ceil(math.Ldexp(v, x.Frac())) / math.Ldexp(1, x.Frac())
		}
		if v, ok := n.Attrs["max"].(float64); ok {
			n.Attrs["max"] = math.Floor(math.Ldexp(v, x.Frac())) / math.Ldexp(1, x.Frac())
		}
		result, err = q.result(n, layer, "")
	case "avgpool":
		n.Attrs["recip_frac"] = int64(16)
		result, err = q.result(n, layer, "")
	case "fake_quant":
		result, err = q.fakeQuant(n)
		if err == nil && layer.Result != "" {
			result, err = q.result(n, layer, "")
		}
	case "bipolar_quant":
		s := n.Attrs.Float("scale", 1)
		e := math.Log2(s)
		if e == math.Trunc(e) && layer.Result == "" {
			result = fixed.Type{Signed: true, Width: 2, Int: 2 + int(e)}
		} else {
			result, err = q.result(n, layer, "")
		}
	case "table":
		return q.table(g, n, layer, consts)
	case "cast":
		result, err = q.result(n, layer, "")
	default:
		return fmt.Errorf("op %s cannot be quantised", n.Op)
	}
	if err != nil {
		return err
	}
	out.Type = ir.FixedOf(result)
	return nil
}

// resultOr returns the configured result type, or def when none is set.
func (q *quantizer) resultOr(n *ir.Node, layer *LayerConfig, def fixed.Type) (fixed.Type, error) {
	if layer.Result == "" {
		return def, nil
	}
	return q.result(n, layer, "")
}

// result resolves the result precision: the layer's, else def (when not
// empty), else the model's.
func (q *quantizer) result(n *ir.Node, layer *LayerConfig, def string) (fixed.Type, error) {
	return q.resultFor(n, layer, def, n.Outputs[0].Name)
}

// resultFor is result for output value (auto takes its calibration range).
func (q *quantizer) resultFor(n *ir.Node, layer *LayerConfig, def, value string) (fixed.Type, error) {
	p, err := q.precisionOr(layer.Result, def, q.cfg.Model.Precision)
	if err != nil {
		return fixed.Type{}, err
	}
	if p.Kind == PrecExact {
		t, err := q.exactResult(n)
		if err == nil {
			q.chosen = append(q.chosen, ChosenType{Layer: n.Name, What: "result", Type: t.String(), Reason: "exact"})
		}
		return t, err
	}
	return q.resolve(p, n.Name, "result", value, nil)
}

// codeBounds returns the smallest and largest code of a type as float64.
func codeBounds(t fixed.Type) (float64, float64) { return float64(t.MinCode()), float64(t.MaxCode()) }

// exactType is the narrowest type holding codes lo..hi at frac bits.
func exactType(lo, hi float64, frac int) (fixed.Type, error) {
	if math.Abs(lo) >= 1<<62 || math.Abs(hi) >= 1<<62 {
		return fixed.Type{}, fmt.Errorf("exact result needs more than %d bits", ir.MaxExactBits)
	}
	w, signed := fixed.BitsForRange(int64(lo), int64(hi))
	return fixed.Type{Signed: signed, Width: w, Int: w - frac}, nil
}

// exactResult computes the type that holds an op's exact result.
func (q *quantizer) exactResult(n *ir.Node) (fixed.Type, error) {
	x := q.inType(n, 0)
	xl, xh := codeBounds(x)
	switch n.Op {
	case "add", "sub":
		y := q.inType(n, 1)
		f := max(x.Frac(), y.Frac())
		yl, yh := codeBounds(y)
		sx, sy := math.Ldexp(1, f-x.Frac()), math.Ldexp(1, f-y.Frac())
		if n.Op == "add" {
			return exactType(xl*sx+yl*sy, xh*sx+yh*sy, f)
		}
		return exactType(xl*sx-yh*sy, xh*sx-yl*sy, f)
	case "mul":
		y := q.inType(n, 1)
		yl, yh := codeBounds(y)
		p := []float64{xl * yl, xl * yh, xh * yl, xh * yh}
		lo, hi := p[0], p[0]
		for _, v := range p[1:] {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		return exactType(lo, hi, x.Frac()+y.Frac())
	case "reduce_sum":
		in := q.float.Lookup(n.Inputs[0])
		cnt := float64(in.Shape.Size() / n.Outputs[0].Shape.Size())
		return exactType(xl*cnt, xh*cnt, x.Frac())
	case "relu":
		return exactType(0, xh, x.Frac())
	case "gravnet_agg", "global_exchange", "condensation":
		return fixed.Type{}, fmt.Errorf("precision exact is not available for %s results (means are rounded): give a fixed-point type or auto", n.Op)
	}
	return x, nil
}

func (q *quantizer) warn(layer, what string, t fixed.Type, n int) {
	q.chosen = append(q.chosen, ChosenType{Layer: layer, What: what, Type: t.String(),
		Reason: fmt.Sprintf("WARNING: %d values saturated when quantised", n)})
}

// denseConv quantises weights and bias and picks the accumulator.
func (q *quantizer) denseConv(g *ir.Graph, n *ir.Node, layer *LayerConfig, consts *[]*ir.Const) (fixed.Type, error) {
	x := q.inType(n, 0)
	w := q.consts[n.Inputs[1]]
	wt, err := q.constType(layer, n, "weight", w)
	if err != nil {
		return fixed.Type{}, err
	}
	wq, over, err := q.quantConst(w, g.UniqueName(n.Name+".w"), wt, consts)
	if err != nil {
		return fixed.Type{}, err
	}
	if over > 0 {
		q.warn(n.Name, "weight", wt, over)
	}
	n.Inputs[1] = wq.Name
	var bq *ir.Const
	if len(n.Inputs) > 2 {
		b := q.consts[n.Inputs[2]]
		bt, err := q.constType(layer, n, "bias", b)
		if err != nil {
			return fixed.Type{}, err
		}
		if bq, over, err = q.quantConst(b, g.UniqueName(n.Name+".b"), bt, consts); err != nil {
			return fixed.Type{}, err
		}
		if over > 0 {
			q.warn(n.Name, "bias", bt, over)
		}
		n.Inputs[2] = bq.Name
	}
	accP, err := q.precisionOr(layer.Accum, q.cfg.Model.Accum)
	if err != nil {
		return fixed.Type{}, err
	}
	var acc fixed.Type
	if accP.Kind == PrecFixed {
		acc = accP.Type
	} else {
		// exact (auto means exact for accumulators): the sum can never
		// overflow nor lose a bit.
		f := x.Frac() + wt.Frac()
		if bq != nil {
			f = max(f, bq.Type.Fixed.Frac())
		}
		xmax := math.Max(math.Abs(float64(x.MinCode())), float64(x.MaxCode()))
		cout := w.Shape[len(w.Shape)-1]
		var bound float64
		for o := 0; o < cout; o++ {
			var s float64
			for i := o; i < len(wq.Codes); i += cout {
				s += math.Abs(float64(wq.Codes[i]))
			}
			s = s * xmax * math.Ldexp(1, f-x.Frac()-wt.Frac())
			if bq != nil {
				s += math.Abs(float64(bq.Codes[o])) * math.Ldexp(1, f-bq.Type.Fixed.Frac())
			}
			bound = math.Max(bound, s)
		}
		if bound >= 1<<62 {
			return fixed.Type{}, fmt.Errorf("exact accumulator needs more than %d bits: use narrower weights or inputs", ir.MaxExactBits)
		}
		width := bits.Len64(uint64(bound)) + 1
		acc = fixed.Type{Signed: true, Width: width, Int: width - f}
		q.chosen = append(q.chosen, ChosenType{Layer: n.Name, What: "accum", Type: acc.String(), MaxAbs: math.Ldexp(bound, -f), Reason: "exact"})
	}
	n.Attrs["acc"] = ir.FixedOf(acc)
	return q.result(n, layer, "")
}

// fakeQuant maps a QONNX Quant with a power-of-two scale and zero point 0
// onto the equivalent fixed-point type.
func (q *quantizer) fakeQuant(n *ir.Node) (fixed.Type, error) {
	scale := n.Attrs.Float("scale", 1)
	e := math.Log2(scale)
	if e != math.Trunc(e) {
		return fixed.Type{}, fmt.Errorf("Quant scale %v is not a power of two; trigo maps Quant onto fixed-point types, which need power-of-two scales", scale)
	}
	if zp := n.Attrs.Float("zero_point", 0); zp != 0 {
		return fixed.Type{}, fmt.Errorf("Quant zero point %v is not supported (only 0)", zp)
	}
	b := int(n.Attrs.Int("bits", 8))
	signed := n.Attrs.Int("signed", 1) != 0
	t := fixed.Type{Signed: signed, Width: b, Int: b + int(e), Overflow: fixed.SAT}
	if !signed && b > 63 {
		return fixed.Type{}, fmt.Errorf("unsigned Quant of %d bits is too wide", b)
	}
	switch n.Attrs.String("rounding", "ROUND") {
	case "ROUND":
		t.Rounding = fixed.RND_CONV
	case "FLOOR":
		t.Rounding = fixed.TRN
	case "ROUND_TO_ZERO":
		t.Rounding = fixed.TRN_ZERO
	default:
		return fixed.Type{}, fmt.Errorf("Quant rounding %q has no ap_fixed equivalent", n.Attrs.String("rounding", ""))
	}
	if n.Attrs.Int("narrow", 0) != 0 {
		if signed {
			t.Overflow = fixed.SAT_SYM
		} else {
			return fixed.Type{}, errors.New("unsigned narrow Quant has no ap_fixed equivalent")
		}
	}
	n.Op = "cast"
	n.Attrs = ir.Attrs{}
	return t, nil
}

// table turns a table node into a lut with its contents.
func (q *quantizer) table(g *ir.Graph, n *ir.Node, layer *LayerConfig, consts *[]*ir.Const) error {
	fn := n.Attrs.String("function", "")
	f, err := ir.TableFunction(fn, n.Attrs.Float("alpha", 0))
	if err != nil {
		return err
	}
	lo, hi, size := n.Attrs.Float("lo", 0), n.Attrs.Float("hi", 0), n.Attrs.Int("size", 0)
	out, err := q.result(n, layer, ResultDefault(g, n, ""))
	if err != nil {
		return err
	}
	x := q.inType(n, 0)
	F := x.Frac()
	step := (hi - lo) / float64(size) * math.Ldexp(1, F) // in input codes
	shift := 0
	if step > 1 {
		shift = int(math.Round(math.Log2(step)))
	}
	offset := int64(math.Floor(math.Ldexp(lo, F)))
	offset = max(offset, x.MinCode())
	width := int64(1) << shift
	entries := int64(math.Ceil((math.Ldexp(hi, F) - float64(offset)) / float64(width)))
	if reach := (x.MaxCode()-offset)>>shift + 1; reach < entries {
		entries = reach
	}
	entries = max(entries, 1)
	if entries > 1<<20 {
		return fmt.Errorf("table of %d entries is too large", entries)
	}
	tc := &ir.Const{Value: ir.Value{Name: g.UniqueName(n.Name + ".table"), Type: ir.FixedOf(out), Shape: ir.Shape{int(entries)}},
		Codes: make([]int64, entries)}
	for k := range tc.Codes {
		mid := float64(offset) + float64(k)*float64(width) + float64(width-1)/2
		code, _, err := out.FromFloat(f(math.Ldexp(mid, -F)))
		if err != nil {
			return err
		}
		tc.Codes[k] = code
	}
	*consts = append(*consts, tc)
	n.Op = "lut"
	n.Inputs = append(n.Inputs, tc.Name)
	n.Attrs = ir.Attrs{"offset": offset, "shift": int64(shift), "function": fn}
	n.Outputs[0].Type = ir.FixedOf(out)
	q.chosen = append(q.chosen, ChosenType{Layer: n.Name, What: "table",
		Type: fmt.Sprintf("%d entries of %s over [%g, %g)", entries, out, math.Ldexp(float64(offset), -F),
			math.Ldexp(float64(offset)+float64(entries*width), -F)), Reason: fn})
	return nil
}

// checkAuto runs the fixed simulator on the calibration data and widens
// each auto-typed value that overflowed by one integer bit.
func (q *quantizer) checkAuto(g *ir.Graph, calib []sim.Batch) (bool, error) {
	if calib == nil || len(q.auto) == 0 {
		return false, nil
	}
	fx, err := sim.NewFixed(g)
	if err != nil {
		return false, err
	}
	codes, err := fx.Quantize(calib)
	if err != nil {
		return false, err
	}
	if _, err := fx.Run(codes); err != nil {
		return false, err
	}
	widened := false
	rep := fx.Report()
	valueOf := map[string]string{}
	for _, n := range g.Nodes {
		valueOf[n.Name] = n.Outputs[0].Name
		for i := len(n.Outputs) - 1; i >= 0; i-- { // the converted (non-index) output
			if n.Outputs[i].Type.Kind == ir.Fixed {
				valueOf[n.Name] = n.Outputs[i].Name
			}
		}
	}
	for _, v := range g.Inputs {
		valueOf[v.Name] = v.Name
	}
	for _, nr := range rep.Nodes {
		v := valueOf[nr.Name]
		if nr.Overflows() > 0 && q.auto[v] {
			q.extraInt[v]++
			widened = true
		}
	}
	return widened, nil
}

// InputDefault is the precision of graph input name when the config sets
// none (model is returned for "the model's precision"): vertex masks
// (inputs read as valid[N] by graph ops) take MaskPrecision.
func InputDefault(g *ir.Graph, name, model string) string {
	for _, n := range g.Nodes {
		if i := ir.VertexMaskInput(n.Op); i >= 0 && i < len(n.Inputs) && n.Inputs[i] == name {
			return MaskPrecision
		}
	}
	return model
}

// MaskPrecision is the default type of vertex masks: one bit, set exactly
// when the float mask is above 1/2 (the validity rule, see
// ir.MaskThreshold).
const MaskPrecision = "ufixed<1,1,RND_MIN_INF,SAT>"

// ResultDefault is the result precision of a node whose layer config sets
// none (model is returned for "the model's precision"). Ops that keep their
// input's type (reshape, transpose, maxpool, reduce_max, concat of equal
// types) are decided in quantize and not covered here. `config init` prints
// these same defaults.
func ResultDefault(g *ir.Graph, n *ir.Node, model string) string {
	switch n.Op {
	case "reduce_sum":
		return "exact"
	case "sub":
		// softmax's x - max(x): exact, so it never overflows; the exp table
		// clamps whatever lies below its range.
		if p := producer(g, n.Inputs[1]); p != nil && p.Op == "reduce_max" {
			return "exact"
		}
	case "table", "lut":
		// Softmax internals hold values in [0, 1]: a fraction-only type.
		fn, lo, hi := n.Attrs.String("function", ""), n.Attrs.Float("lo", 0), n.Attrs.Float("hi", 0)
		if (fn == "exp" && hi <= 0) || (fn == "reciprocal" && lo >= 1) {
			return "ufixed<18,1>"
		}
	}
	return model
}
