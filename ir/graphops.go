package ir

import (
	"fmt"
	"strings"

	"trigo/ir/fixed"
)

// Graph ops work on events padded to a fixed number N of vertices: x[N,F]
// holds the vertex features and valid[N] marks the real vertices (1) and
// the padding (0). The helpers below resolve their attributes with the
// defaults of the ONNX convention (domain "trigo"), so that Validate, the
// simulators, the importer and the compiler agree on them.

// A vertex is valid when its mask value is greater than 1/2: in float
// graphs valid[n] > 0.5, in quantised graphs code > MaskThreshold(type),
// which is the same comparison done exactly on the code. Masks normally
// hold 0 and 1; the default mask type ufixed<1,1,RND_MIN_INF,SAT>
// quantises every float v to 1 exactly when v > 0.5, so the float and
// fixed-point graphs agree on every input.

// MaskThreshold returns the code c such that a code x of type t has a
// value greater than 1/2 exactly when x > c: floor(2^(F-1)) for F
// fractional bits.
func MaskThreshold(t fixed.Type) int64 {
	f := t.Frac()
	switch {
	case f <= 0:
		return 0
	case f-1 >= 63:
		return 1<<63 - 1
	}
	return 1 << (f - 1)
}

// GravNet distance metrics.
const (
	DistanceL2 = "l2" // squared Euclidean distance (PyTorch Geometric's GravNetConv)
	DistanceL1 = "l1" // Manhattan distance (some FPGA variants)
)

// GravNetDefaultExponent is the factor of the edge weight exp(-exponent*d).
const GravNetDefaultExponent = 10.0

// GravNetParams are the resolved attributes of a gravnet_agg node.
type GravNetParams struct {
	K           int
	Exponent    float64
	IncludeSelf bool
	Distance    string // DistanceL2 or DistanceL1
}

// MaxGraphK bounds k, max_clusters and the vertex count of graph ops so that
// every count and index fits easily in 32 bits.
const MaxGraphK = 1 << 20

// GravNet returns the attributes of a gravnet_agg node with defaults
// filled, or an error naming the bad attribute.
func GravNet(a Attrs) (GravNetParams, error) {
	p := GravNetParams{
		K:           int(a.Int("k", 0)),
		Exponent:    a.Float("exponent", GravNetDefaultExponent),
		IncludeSelf: a.Int("include_self", 1) != 0,
		Distance:    a.String("distance", DistanceL2),
	}
	if k := a.Int("k", 0); k < 1 || k > MaxGraphK {
		return p, fmt.Errorf("k = %d: the number of neighbours must be in 1..%d", k, MaxGraphK)
	}
	if s := a.Int("include_self", 1); s != 0 && s != 1 {
		return p, fmt.Errorf("include_self = %d: want 0 or 1", s)
	}
	if !(p.Exponent >= 0) {
		return p, fmt.Errorf("exponent = %v: want a finite value >= 0", p.Exponent)
	}
	if p.Distance != DistanceL2 && p.Distance != DistanceL1 {
		return p, fmt.Errorf("distance %q is not supported (supported: %s, %s)", p.Distance, DistanceL2, DistanceL1)
	}
	return p, nil
}

// GlobalExchangeStats lists the statistics global_exchange can append.
var GlobalExchangeStats = []string{"mean", "min", "max"}

// GlobalExchangeOps returns the statistics of a global_exchange node
// (default ["mean"]), or an error naming an unknown one.
func GlobalExchangeOps(a Attrs) ([]string, error) {
	ops, ok := a["ops"].([]string)
	if !ok {
		return []string{"mean"}, nil
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("ops is empty: want at least one of %s", strings.Join(GlobalExchangeStats, ", "))
	}
	for _, op := range ops {
		known := false
		for _, s := range GlobalExchangeStats {
			known = known || op == s
		}
		if !known {
			return nil, fmt.Errorf("ops: unknown statistic %q (supported: %s)", op, strings.Join(GlobalExchangeStats, ", "))
		}
	}
	return ops, nil
}

// CondensationParams are the resolved attributes of a condensation node.
type CondensationParams struct {
	TBeta, TD   float64
	MaxClusters int
}

// Condensation returns the attributes of a condensation node, or an error
// naming the bad attribute.
func Condensation(a Attrs) (CondensationParams, error) {
	p := CondensationParams{TBeta: a.Float("t_beta", 0), TD: a.Float("t_d", 0), MaxClusters: int(a.Int("max_clusters", 0))}
	if m := a.Int("max_clusters", 0); m < 1 || m > MaxGraphK {
		return p, fmt.Errorf("max_clusters = %d: want 1..%d", m, MaxGraphK)
	}
	if !(p.TD >= 0) {
		return p, fmt.Errorf("t_d = %v: want a distance >= 0", p.TD)
	}
	return p, nil
}

// vertexShapes checks that the named inputs are [N, features] (or [N] for
// the 1-D ones) with one common N, and returns N.
func vertexShapes(ins []Shape, names []string, oneD map[string]bool) (int, error) {
	n := -1
	for i, s := range ins {
		name := fmt.Sprintf("input %d", i)
		if i < len(names) {
			name = names[i]
		}
		want := 2
		if oneD[name] {
			want = 1
		}
		if len(s) != want {
			if want == 1 {
				return 0, fmt.Errorf("%s has shape %v, want [N] (one value per vertex)", name, s)
			}
			return 0, fmt.Errorf("%s has shape %v, want [N,features]", name, s)
		}
		if n >= 0 && s[0] != n {
			return 0, fmt.Errorf("%s has %d vertices (shape %v), %s has %d", name, s[0], s, names[0], n)
		}
		n = s[0]
	}
	return n, nil
}

func maskShapes(ins []Shape, _ Attrs) ([]Shape, error) {
	x, v := ins[0], ins[1]
	if len(x) < 1 {
		return nil, fmt.Errorf("x has shape %v, want [N,...]", x)
	}
	if len(v) != 1 || v[0] != x[0] {
		return nil, fmt.Errorf("valid has shape %v, want [%d] (one value per vertex of x %v)", v, x[0], x)
	}
	return []Shape{x.Clone()}, nil
}

func gravnetShapes(ins []Shape, a Attrs) ([]Shape, error) {
	if _, err := GravNet(a); err != nil {
		return nil, err
	}
	n, err := vertexShapes(ins[:3], []string{"s", "h", "valid"}, map[string]bool{"valid": true})
	if err != nil {
		return nil, err
	}
	if len(ins) > 3 && len(ins[3]) != 1 {
		return nil, fmt.Errorf("table has shape %v, want one axis", ins[3])
	}
	return []Shape{{n, 2 * ins[1][1]}}, nil
}

func globalExchangeShapes(ins []Shape, a Attrs) ([]Shape, error) {
	ops, err := GlobalExchangeOps(a)
	if err != nil {
		return nil, err
	}
	n, err := vertexShapes(ins, []string{"x", "valid"}, map[string]bool{"valid": true})
	if err != nil {
		return nil, err
	}
	return []Shape{{n, ins[0][1] * (1 + len(ops))}}, nil
}

func condensationShapes(ins []Shape, a Attrs) ([]Shape, error) {
	p, err := Condensation(a)
	if err != nil {
		return nil, err
	}
	n, err := vertexShapes(ins, []string{"beta", "coords", "valid", "payload"}, map[string]bool{"beta": true, "valid": true})
	if err != nil {
		return nil, err
	}
	return []Shape{{n}, {p.MaxClusters, 1 + ins[3][1]}, {}}, nil
}

// SliceParams returns the resolved axes, starts, ends and steps of a slice
// node on an input of the given shape.
func SliceParams(a Attrs, in Shape) (axes, starts, ends, steps []int, err error) {
	axes, err = NormAxes(a.Ints("axes"), len(in))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	st, en, sp := a.Ints("starts"), a.Ints("ends"), a.Ints("steps")
	if sp == nil {
		sp = make([]int64, len(axes))
		for i := range sp {
			sp[i] = 1
		}
	}
	if len(st) != len(axes) || len(en) != len(axes) || len(sp) != len(axes) {
		return nil, nil, nil, nil, fmt.Errorf("axes %v, starts %v, ends %v and steps %v must have the same length", a.Ints("axes"), st, en, sp)
	}
	for i, ax := range axes {
		d := int64(in[ax])
		if !(0 <= st[i] && st[i] < en[i] && en[i] <= d) {
			return nil, nil, nil, nil, fmt.Errorf("slice [%d:%d] of axis %d (size %d) is empty or out of range: want 0 <= start < end <= size", st[i], en[i], ax, d)
		}
		if sp[i] < 1 || sp[i] > d {
			return nil, nil, nil, nil, fmt.Errorf("step %d on axis %d: want 1..%d", sp[i], ax, d)
		}
		starts = append(starts, int(st[i]))
		ends = append(ends, int(en[i]))
		steps = append(steps, int(sp[i]))
	}
	return axes, starts, ends, steps, nil
}

func sliceShapes(ins []Shape, a Attrs) ([]Shape, error) {
	axes, starts, ends, steps, err := SliceParams(a, ins[0])
	if err != nil {
		return nil, err
	}
	out := ins[0].Clone()
	for i, ax := range axes {
		out[ax] = (ends[i] - starts[i] + steps[i] - 1) / steps[i]
	}
	return []Shape{out}, nil
}

// SliceIndex returns, for every output element of a slice with attributes
// a (input shape in, output shape out, both row-major), the input element
// it copies. The simulators and the RTL backend share it.
func SliceIndex(a Attrs, in, out Shape) ([]int32, error) {
	axes, starts, _, steps, err := SliceParams(a, in)
	if err != nil {
		return nil, err
	}
	start := make([]int, len(in))
	step := make([]int, len(in))
	for i := range step {
		step[i] = 1
	}
	for i, ax := range axes {
		start[ax], step[ax] = starts[i], steps[i]
	}
	inStr := in.Strides()
	m := make([]int32, out.Size())
	coord := make([]int, len(out))
	for o := range m {
		idx := 0
		for ax := range out {
			idx += (start[ax] + coord[ax]*step[ax]) * inStr[ax]
		}
		m[o] = int32(idx)
		for ax := len(out) - 1; ax >= 0; ax-- {
			coord[ax]++
			if coord[ax] < out[ax] {
				break
			}
			coord[ax] = 0
		}
	}
	return m, nil
}
