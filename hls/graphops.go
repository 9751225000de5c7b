package hls

import (
	"fmt"
	"math/big"
	"strings"

	"trigo/ir"
	"trigo/ir/fixed"
	"trigo/sim"
)

// graphOps are the ops whose templates live in graphLayersHeader.
var graphOps = map[string]bool{"mask": true, "slice": true, "gravnet_agg": true, "global_exchange": true, "condensation": true}

// romTable is a constant the emitter derives from a node's attributes (the
// reciprocal tables of means) and prints into <top>_weights.h as codes.
type romTable struct {
	id      string // array name in the weights namespace
	ctype   string // element type (ap_uint<W>)
	codes   []int64
	comment string
}

// maxCodeWidth bounds the types whose codes the graph templates compare
// with long long constants (mask thresholds, beta_code).
const maxCodeWidth = 62

// addROM registers a derived constant array and returns its C name.
func (e *emitter) addROM(name, ctype string, codes []int64, comment string) string {
	t := &romTable{id: e.names.take(sanitize(name, "c_")), ctype: ctype, codes: codes, comment: comment}
	e.roms = append(e.roms, t)
	return e.weightsNS() + "::" + t.id
}

// recipROM registers the table recip[c] = round_half_up(2^rf / c), c = 0..n
// (recip[0] = 0 is never used), exactly sim.RoundedReciprocal.
func (e *emitter) recipROM(l *layer, n, rf int) string {
	codes := make([]int64, n+1)
	for c := 1; c <= n; c++ {
		codes[c] = sim.RoundedReciprocal(int64(c), rf)
	}
	return e.addROM(l.id+"_recip", fmt.Sprintf("ap_uint<%d>", rf+1), codes,
		fmt.Sprintf("%s: recip[c] = round_half_up(2^%d / c), c = 0..%d (entry 0 unused)", l.n.Name, rf, n))
}

// validFields declares how a graph op reads its vertex mask.
func (e *emitter) validFields(l *layer, v *ir.Value) error {
	t := v.Type.Fixed
	if t.Width > maxCodeWidth {
		return fmt.Errorf("vertex mask %q is %d bits wide (at most %d)", v.Name, t.Width, maxCodeWidth)
	}
	l.int("valid_width", t.Width)
	l.typedef("valid_code_t", codeType(t), "the code of a mask value")
	l.line("static const long long mask_threshold = %s;  // valid when code > floor(2^(F-1)), i.e. value > 1/2", llit(ir.MaskThreshold(t)))
	return nil
}

// distanceTypes declares the exact integer types of a distance over dims
// dimensions between two codes of t: code_t (a code, sign-extended),
// diff_t (a difference of codes) and dist_t (the distance, unsigned), and
// returns the distance's largest value.
func distanceTypes(l *layer, prefix string, t fixed.Type, dims int, l1 bool) (*big.Int, error) {
	lo, hi := codeRange(t)
	span := new(big.Int).Sub(hi, lo)
	term := new(big.Int).Set(span)
	if !l1 {
		term.Mul(span, span)
	}
	dmax := scale(term, int64(dims))
	dw := max(1, dmax.BitLen())
	if dw > maxExactWidth-2 {
		return nil, fmt.Errorf("exact distance needs %d bits (at most %d)", dw, maxExactWidth-2)
	}
	metric := "squared Euclidean"
	if l1 {
		metric = "Manhattan"
	}
	l.typedef(prefix+"code_t", fmt.Sprintf("ap_int<%d>", signedWidth(lo, hi)), fmt.Sprintf("a code of %s", t))
	l.typedef("diff_t", fmt.Sprintf("ap_int<%d>", signedWidth(new(big.Int).Neg(span), span)), "a difference of two codes, exact")
	l.typedef("dist_t", fmt.Sprintf("ap_uint<%d>", dw), fmt.Sprintf("exact %s distance code, at most %s", metric, dmax))
	return dmax, nil
}

// planGraph plans the graph ops.
func (e *emitter) planGraph(l *layer, args func(...string) string) error {
	n := l.n
	out := n.Outputs[0]
	x := e.in(n, 0)
	call := func(tmpl, a string) {
		l.call = fmt.Sprintf("trigo::%s<%s>(%s);", tmpl, l.cfg, a)
	}
	switch n.Op {
	case "mask":
		nv := x.Shape[0]
		l.int("n_vert", nv)
		l.int("row", x.Shape.Size()/nv)
		l.int("reuse_factor", l.rf)
		if err := e.validFields(l, e.in(n, 1)); err != nil {
			return err
		}
		l.note("  rows of invalid vertices are zero")
		call("mask", args(l.out))
	case "slice":
		axes, starts, _, steps, err := ir.SliceParams(n.Attrs, x.Shape)
		if err != nil {
			return err
		}
		if len(x.Shape) > maxRank {
			return fmt.Errorf("rank %d input %v: the HLS backend slices at most %d axes", len(x.Shape), x.Shape, maxRank)
		}
		d, err := pad4(out.Shape)
		if err != nil {
			return err
		}
		inStr := x.Shape.Strides()
		step := make([]int, len(x.Shape))
		for i := range step {
			step[i] = 1
		}
		offset := 0
		for i, ax := range axes {
			step[ax] = steps[i]
			offset += starts[i] * inStr[ax]
		}
		var st [maxRank]int
		for i := 0; i < maxRank; i++ {
			if a := len(out.Shape) - maxRank + i; a >= 0 {
				st[i] = inStr[a] * step[a]
			}
		}
		for i := 0; i < maxRank; i++ {
			l.int(fmt.Sprintf("d%d", i), d[i])
		}
		for i := 0; i < maxRank; i++ {
			l.int(fmt.Sprintf("s%d", i), st[i])
		}
		l.int("offset", offset)
		l.int("n_in", x.Shape.Size())
		l.int("n", out.Shape.Size())
		l.int("reuse_factor", l.rf)
		call("slice", args(l.out))
	case "global_exchange":
		return e.planGlobalExchange(l, call)
	case "gravnet_agg":
		return e.planGravNet(l, call)
	case "condensation":
		return e.planCondensation(l, call)
	default:
		return fmt.Errorf("op not supported by the HLS backend")
	}
	return nil
}

func (e *emitter) planGlobalExchange(l *layer, call func(string, string)) error {
	n := l.n
	x := e.in(n, 0)
	X := x.Type.Fixed
	ops, err := ir.GlobalExchangeOps(n.Attrs)
	if err != nil {
		return err
	}
	if len(ops) > 3 {
		return fmt.Errorf("%d statistics: the HLS template takes at most 3", len(ops))
	}
	rf := int(n.Attrs.Int("recip_frac", -1))
	if rf < 1 || rf > 32 {
		return fmt.Errorf("recip_frac %d outside 1..32", rf)
	}
	N, F := x.Shape[0], x.Shape[1]
	xlo, xhi := codeRange(X)
	sw := signedWidth(scale(xlo, int64(N)), scale(xhi, int64(N)))
	if sw+rf+2 > maxExactWidth {
		return fmt.Errorf("exact mean needs %d bits (at most %d)", sw+rf+2, maxExactWidth)
	}
	l.int("n_vert", N)
	l.int("n_feat", F)
	l.int("n_ops", len(ops))
	l.int("n_out", F*(1+len(ops)))
	ids := map[string]string{"mean": "trigo::GX_MEAN", "min": "trigo::GX_MIN", "max": "trigo::GX_MAX"}
	for i := 0; i < 3; i++ {
		op := "trigo::GX_MEAN"
		why := "(unused)"
		if i < len(ops) {
			op, why = ids[ops[i]], ""
		}
		if why != "" {
			l.line("static const int op%d = %s;  // %s", i, op, why)
		} else {
			l.line("static const int op%d = %s;", i, op)
		}
	}
	l.int("reuse_factor", l.rf)
	if err := e.validFields(l, e.in(n, 1)); err != nil {
		return err
	}
	l.line("static const long long x_min_code = %s;", llit(X.MinCode()))
	l.line("static const long long x_max_code = %s;", llit(X.MaxCode()))
	l.typedef("sum_t", exactType(sw, X.Frac()), fmt.Sprintf("exact sum of up to %d inputs", N))
	l.typedef("recip_t", fmt.Sprintf("ap_ufixed<%d, 1>", rf+1), fmt.Sprintf("round_half_up(2^%d / count) * 2^-%d", rf, rf))
	l.note("  statistics %s over the valid vertices; mean = exact sum * round_half_up(2^%d / count) at %d fractional bits",
		strings.Join(ops, ", "), rf, X.Frac()+rf)
	recip := e.recipROM(l, N, rf)
	call("global_exchange", fmt.Sprintf("%s, %s, %s, %s", e.arg(n.Inputs[0]), e.arg(n.Inputs[1]), recip, l.out))
	return nil
}

func (e *emitter) planGravNet(l *layer, call func(string, string)) error {
	n := l.n
	p, err := ir.GravNet(n.Attrs)
	if err != nil {
		return err
	}
	if len(n.Inputs) < 4 || e.consts[n.Inputs[3]] == nil {
		return fmt.Errorf("quantised gravnet_agg needs its weight table as a constant fourth input")
	}
	s, h, tab := e.in(n, 0), e.in(n, 1), e.in(n, 3)
	S, H, T := s.Type.Fixed, h.Type.Fixed, tab.Type.Fixed
	N, dimS, P := s.Shape[0], s.Shape[1], h.Shape[1]
	K := min(p.K, N)
	offset := n.Attrs.Int("offset", 0)
	shift := n.Attrs.Int("shift", -1)
	if shift < 0 || shift > 62 {
		return fmt.Errorf("shift %d outside 0..62", shift)
	}
	rf := int(n.Attrs.Int("recip_frac", -1))
	if rf < 1 || rf > 32 {
		return fmt.Errorf("recip_frac %d outside 1..32", rf)
	}
	l1 := p.Distance == ir.DistanceL1
	l.int("n_vert", N)
	l.int("n_s", dimS)
	l.int("n_h", P)
	l.int("k", K)
	l.line("static const bool include_self = %v;", p.IncludeSelf)
	l.line("static const bool l1 = %v;  // distance %s", l1, p.Distance)
	l.int("s_width", S.Width)
	l.int("reuse_factor", l.rf)
	muls := N*K*P + N*P
	if !l1 {
		muls += N * (N - 1) / 2 * dimS
	}
	l.int("multiplier_limit", (muls+l.rf-1)/l.rf)
	if err := e.validFields(l, e.in(n, 2)); err != nil {
		return err
	}
	dmax, err := distanceTypes(l, "", S, dimS, l1)
	if err != nil {
		return err
	}
	// Table index: like lut, wide enough for d, the offset, their
	// difference and a right shift that keeps a sign bit.
	off := big.NewInt(offset)
	tw := max(signedWidth(new(big.Int).Neg(off), new(big.Int).Sub(dmax, off)), signedWidth(off, off), dmax.BitLen()+1, int(shift)+2)
	if tw > maxExactWidth {
		return fmt.Errorf("table index needs %d bits (at most %d)", tw, maxExactWidth)
	}
	l.typedef("tdiff_t", fmt.Sprintf("ap_int<%d>", tw), "distance - offset, exact")
	l.line("static const long long offset = %s;", llit(offset))
	l.int("shift", int(shift))
	l.int("table_size", tab.Shape.Size())
	l.typedef("weight_t", cppType(T), "edge weight exp(-exponent * d) from the table")
	// Messages w * h: exact; sums of up to K messages; mean = sum * recip.
	tlo, thi := codeRange(T)
	hlo, hhi := codeRange(H)
	mlo, mhi := productRange(tlo, thi, hlo, hhi)
	mf := T.Frac() + H.Frac()
	mw := signedWidth(mlo, mhi)
	sw := signedWidth(scale(mlo, int64(K)), scale(mhi, int64(K)))
	if sw+rf+2 > maxExactWidth {
		return fmt.Errorf("exact mean of the messages needs %d bits (at most %d)", sw+rf+2, maxExactWidth)
	}
	l.typedef("msg_t", exactType(mw, mf), "a message w * h, exact")
	l.typedef("sum_t", exactType(sw, mf), fmt.Sprintf("exact sum of up to %d messages", K))
	l.typedef("recip_t", fmt.Sprintf("ap_ufixed<%d, 1>", rf+1), fmt.Sprintf("round_half_up(2^%d / count) * 2^-%d", rf, rf))
	l.note("  k = %d nearest valid vertices (%s distance on the codes of s, ties to the lower index%s)",
		K, p.Distance, map[bool]string{true: ", self included", false: ", self excluded"}[p.IncludeSelf])
	l.note("  weights table[clamp((d - %d) >> %d, 0, %d)]; messages exact at %d fractional bits; mean = sum * round_half_up(2^%d / count)",
		offset, shift, tab.Shape.Size()-1, mf, rf)
	recip := e.recipROM(l, K, rf)
	call("gravnet_agg", fmt.Sprintf("%s, %s, %s, %s, %s, %s", e.arg(n.Inputs[0]), e.arg(n.Inputs[1]), e.arg(n.Inputs[2]),
		e.arg(n.Inputs[3]), recip, l.out))
	return nil
}

func (e *emitter) planCondensation(l *layer, call func(string, string)) error {
	n := l.n
	p, err := ir.Condensation(n.Attrs)
	if err != nil {
		return err
	}
	betaCode, ok1 := n.Attrs["beta_code"].(int64)
	distCode, ok2 := n.Attrs["dist_code"].(int64)
	if !ok1 || !ok2 {
		return fmt.Errorf("quantised condensation needs the beta_code and dist_code attributes")
	}
	beta, coords, pay := e.in(n, 0), e.in(n, 1), e.in(n, 3)
	B, C := beta.Type.Fixed, coords.Type.Fixed
	if B.Width > maxCodeWidth {
		return fmt.Errorf("beta %q is %d bits wide (at most %d)", beta.Name, B.Width, maxCodeWidth)
	}
	N, dimC, P := coords.Shape[0], coords.Shape[1], pay.Shape[1]
	l.int("n_vert", N)
	l.int("n_coord", dimC)
	l.int("n_pay", P)
	l.int("max_clusters", p.MaxClusters)
	l.int("reuse_factor", l.rf)
	l.int("multiplier_limit", max(1, (N*(N-1)/2*dimC+l.rf-1)/l.rf))
	if err := e.validFields(l, e.in(n, 2)); err != nil {
		return err
	}
	l.int("beta_width", B.Width)
	l.typedef("beta_code_t", codeType(B), "the code of beta")
	l.line("static const long long beta_code = %s;  // candidates: code(beta) > beta_code (t_beta = %v)", llit(betaCode), p.TBeta)
	l.int("coord_width", C.Width)
	if _, err := distanceTypes(l, "coord_", C, dimC, false); err != nil {
		return err
	}
	l.line("static const long long dist_code = %s;  // joins: squared distance code < dist_code (t_d = %v)", llit(distCode), p.TD)
	l.note("  candidates by decreasing beta code (ties: lower index first); up to %d clusters", p.MaxClusters)
	l.note("  outputs: assign (int32, -1 = none), clusters (beta, payload), n_clusters (int32)")
	call("condensation", strings.Join([]string{e.arg(n.Inputs[0]), e.arg(n.Inputs[1]), e.arg(n.Inputs[2]), e.arg(n.Inputs[3]),
		l.outs[0], l.outs[1], l.outs[2]}, ", "))
	return nil
}
