package compiler

import (
	"fmt"
	"math"
	"math/big"

	"trigo/ir"
	"trigo/ir/fixed"
)

// GravNetTableScale multiplies model.table_size for gravnet_agg's weight
// table when the layer sets no size: the weights multiply every message,
// and an entry's relative error reaches exponent*step/2, so the table is
// finer than an activation's (4096 entries of 18 bits by default, 0.13 %
// at exponent 10).
const GravNetTableScale = 4

// GravNetTablePrecision is the default type of gravnet_agg's weight table
// (the layer's `weight`): w = exp(-exponent*d) lies in (0, 1], and 17
// fractional bits keep the table's rounding far below its sampling error.
const GravNetTablePrecision = "ufixed<18,1>"

// gravnetTableRange is the default distance range [lo, hi) the weight table
// covers: from 0 to where exp(-exponent*d) falls to a quarter of the last
// code of the table type, so that the last entries round to 0 and the
// clamped lookups beyond the table give weight 0.
func gravnetTableRange(exponent float64, t fixed.Type) [2]float64 {
	if exponent <= 0 {
		return [2]float64{0, 1} // w = 1 everywhere
	}
	return [2]float64{0, float64(t.Frac()+2) * math.Ln2 / exponent}
}

// gravnet quantises a gravnet_agg node: it fills the weight table
// exp(-exponent*d) over the exact distance codes of s (like `lut`: entry k
// holds the function at the middle of the codes it covers) and sets the
// reciprocal precision of the mean.
func (q *quantizer) gravnet(g *ir.Graph, n *ir.Node, layer *LayerConfig, consts *[]*ir.Const) (fixed.Type, error) {
	p, err := ir.GravNet(n.Attrs)
	if err != nil {
		return fixed.Type{}, err
	}
	s := q.inType(n, 0)
	fd := s.Frac() // frac of the distance codes
	if p.Distance == ir.DistanceL2 {
		fd *= 2
	}
	tp, err := q.precisionOr(layer.Weight, GravNetTablePrecision)
	if err != nil {
		return fixed.Type{}, err
	}
	var tt fixed.Type
	if tp.Kind == PrecAuto {
		tt, err = q.resolve(tp, n.Name, "table", n.Name+".table", []float32{0, 1})
	} else {
		tt, err = q.resolve(tp, n.Name, "table", "", nil)
	}
	if err != nil {
		return fixed.Type{}, err
	}
	rng := gravnetTableRange(p.Exponent, tt)
	size := GravNetTableScale * q.cfg.Model.TableSize
	if layer.Table != nil {
		if layer.Table.Size != 0 {
			size = layer.Table.Size
		}
		if len(layer.Table.Range) == 2 {
			rng = [2]float64{layer.Table.Range[0], layer.Table.Range[1]}
		}
	}
	// The largest distance code: S terms of (2^W)^2 (l2) or 2^W (l1).
	S := q.float.Lookup(n.Inputs[0]).Shape[1]
	span := math.Ldexp(1, s.Width)
	dmax := float64(S) * span
	if p.Distance == ir.DistanceL2 {
		dmax *= span
	}
	step := (rng[1] - rng[0]) / float64(size) * math.Ldexp(1, fd) // distance codes per entry
	shift := 0
	if step > 1 {
		shift = min(int(math.Round(math.Log2(step))), 62)
	}
	offset := math.Max(math.Floor(math.Ldexp(rng[0], fd)), 0)
	if offset >= 1<<62 {
		return fixed.Type{}, fmt.Errorf("table range starts at %g, beyond every distance", rng[0])
	}
	width := math.Ldexp(1, shift)
	entries := math.Ceil((math.Ldexp(rng[1], fd) - offset) / width)
	entries = math.Min(entries, math.Floor((dmax-offset)/width)+1)
	entries = math.Max(entries, 1)
	if entries > 1<<20 {
		return fixed.Type{}, fmt.Errorf("weight table of %g entries is too large: give a smaller table size or range", entries)
	}
	tc := &ir.Const{Value: ir.Value{Name: g.UniqueName(n.Name + ".table"), Type: ir.FixedOf(tt), Shape: ir.Shape{int(entries)}},
		Codes: make([]int64, int(entries))}
	for k := range tc.Codes {
		mid := offset + float64(k)*width + (width-1)/2
		code, _, err := tt.FromFloat(math.Exp(-p.Exponent * math.Ldexp(mid, -fd)))
		if err != nil {
			return fixed.Type{}, err
		}
		tc.Codes[k] = code
	}
	*consts = append(*consts, tc)
	q.consts[tc.Name] = tc
	q.types[tc.Name] = tt
	n.Inputs = append(n.Inputs[:3], tc.Name)
	n.Attrs["offset"] = int64(offset)
	n.Attrs["shift"] = int64(shift)
	n.Attrs["recip_frac"] = int64(16)
	q.chosen = append(q.chosen, ChosenType{Layer: n.Name, What: "table",
		Type: fmt.Sprintf("%d entries of %s over distance [%g, %g)", len(tc.Codes), tt, math.Ldexp(offset, -fd),
			math.Ldexp(offset+entries*width, -fd)), Reason: fmt.Sprintf("exp(-%g*d)", p.Exponent)})
	return q.result(n, layer, "")
}

// condensation quantises a condensation node: the clusters type, and the
// thresholds as exact codes (beta > t_beta <=> code > beta_code; squared
// distance < t_d^2 <=> code < dist_code) that the firmware compares.
func (q *quantizer) condensation(n *ir.Node, layer *LayerConfig) error {
	p, err := ir.Condensation(n.Attrs)
	if err != nil {
		return err
	}
	beta, coords := q.inType(n, 0), q.inType(n, 1)
	n.Attrs["beta_code"] = BetaThresholdCode(p.TBeta, beta)
	n.Attrs["dist_code"] = DistThresholdCode(p.TD, coords.Frac())
	t, err := q.resultFor(n, layer, "", n.Outputs[1].Name)
	if err != nil {
		return err
	}
	n.Outputs[1].Type = ir.FixedOf(t)
	return nil
}

// BetaThresholdCode returns the code c such that, for every code x of type
// t, x·2^-F > tBeta exactly when x > c: floor(tBeta·2^F), clamped to
// [MinCode-1, MaxCode].
func BetaThresholdCode(tBeta float64, t fixed.Type) int64 {
	v := math.Floor(math.Ldexp(tBeta, t.Frac())) // exact: a power-of-two scaling
	lo, hi := float64(t.MinCode())-1, float64(t.MaxCode())
	return int64(math.Min(math.Max(v, lo), hi))
}

// DistThresholdCode returns the code c such that a squared distance code d
// at frac 2·frac satisfies d·2^-2frac < tD² exactly when d < c:
// ceil(tD²·2^(2·frac)), computed exactly and clamped to [0, 2^62].
func DistThresholdCode(tD float64, frac int) int64 {
	x := new(big.Float).SetPrec(256).SetFloat64(tD)
	x.Mul(x, x)
	x.SetMantExp(x, 2*frac)
	i, acc := x.Int(nil) // truncates toward zero; x >= 0
	if acc == big.Below {
		i.Add(i, big.NewInt(1))
	}
	if limit := new(big.Int).Lsh(big.NewInt(1), 62); i.Cmp(limit) > 0 {
		return 1 << 62
	}
	return i.Int64()
}
