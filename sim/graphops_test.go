package sim

// Tests of the graph ops against independent slow references written here:
// plain loops, full sorts instead of the executors' incremental k-nearest
// selection, a repeated arg-max instead of the sorted candidate list, and
// math/big rationals with the oracle's own ap_fixed conversion for the
// fixed-point results and their overflow counts.

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"trigo/ir"
	"trigo/ir/fixed"
)

// event is one padded event: per-vertex rows and the mask.
type event struct {
	N     int
	valid []int64 // 0/1
}

// validPattern returns a mask of n vertices: "all", "none", "first:K"
// (the first K valid) or "odd" (every other vertex valid).
func validPattern(n int, pattern string) []int64 {
	v := make([]int64, n)
	for i := range v {
		switch {
		case pattern == "all":
			v[i] = 1
		case pattern == "odd":
			v[i] = int64(i % 2)
		case strings.HasPrefix(pattern, "first:"):
			var k int
			fmt.Sscanf(pattern, "first:%d", &k)
			if i < k {
				v[i] = 1
			}
		}
	}
	return v
}

// randCodes returns n codes in [lo, hi].
func randCodes(r *rand.Rand, n int, lo, hi int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = lo + r.Int64N(hi-lo+1)
	}
	return out
}

// duplicateRows copies row 0 onto every third row (ties in distance).
func duplicateRows(v []int64, width int) {
	for i := 3; (i+1)*width <= len(v); i += 3 {
		copy(v[i*width:(i+1)*width], v[:width])
	}
}

func toFloats(codes []int64, frac int) []float32 {
	out := make([]float32, len(codes))
	for i, c := range codes {
		out[i] = float32(math.Ldexp(float64(c), -frac))
	}
	return out
}

// --- references ------------------------------------------------------------

// refNeighbours returns the selected neighbours of vertex i: the valid
// candidates sorted by (distance, index), at most k of them.
func refNeighbours[D int64 | float64](N, k, i int, valid []int64, includeSelf bool, dist func(j int) D) []int {
	var cand []int
	for j := 0; j < N; j++ {
		if valid[j] != 0 && (j != i || includeSelf) {
			cand = append(cand, j)
		}
	}
	sort.Slice(cand, func(a, b int) bool {
		da, db := dist(cand[a]), dist(cand[b])
		if da != db {
			return da < db
		}
		return cand[a] < cand[b]
	})
	if len(cand) > k {
		cand = cand[:k]
	}
	return cand
}

func refGravNetFloat(s, h []float64, valid []int64, N, S, P, k int, exponent float64, includeSelf bool, l1 bool) []float64 {
	out := make([]float64, N*2*P)
	for i := 0; i < N; i++ {
		if valid[i] == 0 {
			continue
		}
		dist := func(j int) float64 {
			d := 0.0
			for t := 0; t < S; t++ {
				diff := s[j*S+t] - s[i*S+t]
				if l1 {
					d += math.Abs(diff)
				} else {
					d += diff * diff
				}
			}
			return d
		}
		nb := refNeighbours(N, k, i, valid, includeSelf, dist)
		for c := 0; c < P && len(nb) > 0; c++ {
			sum, mx := 0.0, math.Inf(-1)
			for _, j := range nb {
				m := math.Exp(-exponent*dist(j)) * h[j*P+c]
				sum += m
				mx = math.Max(mx, m)
			}
			out[i*2*P+c] = sum / float64(len(nb))
			out[i*2*P+P+c] = mx
		}
	}
	return out
}

// floorShift is floor(v / 2^s) without relying on >> semantics.
func floorShift(v int64, s int) int64 {
	q := new(big.Int).Div(big.NewInt(v), new(big.Int).Lsh(big.NewInt(1), uint(s))) // Euclidean = floor for positive divisor
	return q.Int64()
}

// roundedRecip is round_half_up(2^frac / n).
func roundedRecip(n int64, frac int) int64 {
	r := new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(1), uint(frac)), big.NewInt(n))
	r.Add(r, big.NewRat(1, 2))
	return new(big.Int).Div(r.Num(), r.Denom()).Int64()
}

type fixedGravNet struct {
	s, h, valid, table []int64
	N, S, P, k         int
	includeSelf, l1    bool
	offset             int64
	shift, rf          int
	fs, fh, ft         int // frac bits of s, h, table
	out                fixed.Type
}

// ref returns the output codes and the number of overflowing conversions.
func (g *fixedGravNet) ref() ([]int64, int) {
	out := make([]int64, g.N*2*g.P)
	over := 0
	conv := func(v *big.Rat) int64 {
		c, ev := oracleConvert(v, g.out)
		if ev != fixed.NoOverflow {
			over++
		}
		return c
	}
	for i := 0; i < g.N; i++ {
		if g.valid[i] == 0 {
			continue
		}
		dist := func(j int) int64 {
			var d int64
			for t := 0; t < g.S; t++ {
				diff := g.s[j*g.S+t] - g.s[i*g.S+t]
				if g.l1 {
					d += max(diff, -diff)
				} else {
					d += diff * diff
				}
			}
			return d
		}
		nb := refNeighbours(g.N, g.k, i, g.valid, g.includeSelf, dist)
		if len(nb) == 0 {
			continue
		}
		for c := 0; c < g.P; c++ {
			sum := new(big.Rat)
			var mx *big.Rat
			for _, j := range nb {
				idx := min(max(floorShift(dist(j)-g.offset, g.shift), 0), int64(len(g.table)-1))
				m := new(big.Rat).Mul(ratOf(g.table[idx], fixed.Type{Width: 63, Int: 63 - g.ft}), ratOf(g.h[j*g.P+c], fixed.Type{Width: 63, Int: 63 - g.fh}))
				sum.Add(sum, m)
				if mx == nil || m.Cmp(mx) > 0 {
					mx = m
				}
			}
			// mean = exact sum times the rounded reciprocal, at frac +rf.
			mean := new(big.Rat).Mul(sum, new(big.Rat).SetInt64(roundedRecip(int64(len(nb)), g.rf)))
			mean.Mul(mean, pow2(-g.rf))
			out[i*2*g.P+c] = conv(mean)
			out[i*2*g.P+g.P+c] = conv(mx)
		}
	}
	return out, over
}

// refCondense is the condensation loop as a repeated arg-max: the next
// condensation point is the unassigned candidate with the largest key
// (ties: lower index).
func refCondense[D int64 | float64](N, M int, valid []int64, cand func(i int) bool, key func(i int) D, within func(j, a int) bool) ([]int64, []int) {
	assign := make([]int64, N)
	for i := range assign {
		assign[i] = -1
	}
	var points []int
	for c := 0; c < M; c++ {
		best := -1
		for i := 0; i < N; i++ {
			if valid[i] != 0 && cand(i) && assign[i] < 0 && (best < 0 || key(i) > key(best)) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		points = append(points, best)
		assign[best] = int64(c)
		for j := 0; j < N; j++ {
			if valid[j] != 0 && assign[j] < 0 && within(j, best) {
				assign[j] = int64(c)
			}
		}
	}
	return assign, points
}

// --- gravnet_agg ---------------------------------------------------------------

type gravCase struct {
	name    string
	N, S, P int
	k       int
	valid   string
	dup     bool
}

var gravCases = []gravCase{
	{"k larger than the valid count", 6, 2, 3, 5, "first:3", false},
	{"no valid vertex", 5, 2, 2, 2, "none", false},
	{"one valid vertex", 5, 3, 2, 3, "first:1", false},
	{"all valid", 7, 3, 2, 3, "all", false},
	{"every other valid", 9, 2, 3, 4, "odd", false},
	{"duplicate coordinates (ties)", 10, 2, 2, 2, "all", true},
	{"duplicate coordinates, k = N", 7, 1, 2, 7, "all", true},
}

func gravGraph(c gravCase, dist string, self int, sType, hType, tabType, outType string, table []int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "input s: %s[%d,%d]\ninput h: %s[%d,%d]\ninput valid: %s[%d]\n", sType, c.N, c.S, hType, c.N, c.P, map[bool]string{true: "ufixed<1,1>", false: "f32"}[table != nil], c.N)
	ins := "s, h, valid"
	attrs := fmt.Sprintf("k = %d, exponent = 2.5, include_self = %d, distance = %q", c.k, self, dist)
	if table != nil {
		fmt.Fprintf(&b, "const tab: %s[%d] = %s\n", tabType, len(table), codesText(table))
		ins += ", tab"
		attrs += ", offset = 3, shift = 2, recip_frac = 12"
	}
	fmt.Fprintf(&b, "node g = gravnet_agg(%s) {%s} -> y: %s[%d,%d]\noutput y\n", ins, attrs, outType, c.N, 2*c.P)
	return b.String()
}

func codesText(v []int64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func TestGravNetFloat(t *testing.T) {
	for ci, c := range gravCases {
		for _, dist := range []string{"l2", "l1"} {
			for _, self := range []int{1, 0} {
				t.Run(fmt.Sprintf("%s/%s/include_self=%d", c.name, dist, self), func(t *testing.T) {
					r := rand.New(rand.NewPCG(uint64(ci), 1))
					// s on a 1/4 grid: distances are exact, ties are real ties.
					sc := randCodes(r, c.N*c.S, -6, 6)
					if c.dup {
						duplicateRows(sc, c.S)
					}
					s, h := toFloats(sc, 2), toFloats(randCodes(r, c.N*c.P, -100, 100), 5)
					valid := validPattern(c.N, c.valid)
					g := parseGraph(t, gravGraph(c, dist, self, "f32", "f32", "", "f32", nil))
					got := runFloatOne(t, g, s, h, toFloats(valid, 0))[0]
					want := refGravNetFloat(f64s(s), f64s(h), valid, c.N, c.S, c.P, c.k, 2.5, self == 1, dist == "l1")
					for i, w := range want {
						if math.Abs(float64(got[i])-w) > 1e-6*math.Max(1, math.Abs(w)) {
							t.Fatalf("element %d (vertex %d): got %v, want %v\nall: %v\nwant %v", i, i/(2*c.P), got[i], w, got, want)
						}
					}
				})
			}
		}
	}
}

func f64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func TestGravNetFixed(t *testing.T) {
	for ci, c := range gravCases {
		for _, dist := range []string{"l2", "l1"} {
			for _, self := range []int{1, 0} {
				for _, outType := range []string{"fixed<16,6,RND,SAT>", "fixed<6,1,RND_CONV,SAT>", "fixed<7,2,TRN,WRAP>"} {
					t.Run(fmt.Sprintf("%s/%s/include_self=%d/%s", c.name, dist, self, outType), func(t *testing.T) {
						r := rand.New(rand.NewPCG(uint64(ci), 2))
						g := &fixedGravNet{N: c.N, S: c.S, P: c.P, k: c.k, includeSelf: self == 1, l1: dist == "l1",
							offset: 3, shift: 2, rf: 12, fs: 2, fh: 5, ft: 9}
						g.s = randCodes(r, c.N*c.S, -6, 6)
						if c.dup {
							duplicateRows(g.s, c.S)
						}
						g.h = randCodes(r, c.N*c.P, -512, 511)
						g.valid = validPattern(c.N, c.valid)
						// exp(-2.5 d) at the middle of each entry's distance codes, on ufixed<10,1>.
						g.table = make([]int64, 16)
						for e := range g.table {
							d := math.Ldexp(float64(g.offset)+float64(e*4)+1.5, -2*g.fs)
							g.table[e] = int64(math.Round(math.Exp(-2.5*d) * 512))
						}
						ot, err := ir.ParseType(outType)
						if err != nil {
							t.Fatal(err)
						}
						g.out = ot.Fixed
						gr := parseGraph(t, gravGraph(c, dist, self, "fixed<8,6>", "fixed<10,5>", "ufixed<10,1>", outType, g.table))
						res, rep := runFixedOne(t, gr, g.s, g.h, g.valid)
						want, over := g.ref()
						if !equalI(res[0], want) {
							t.Fatalf("got  %v\nwant %v", res[0], want)
						}
						row := rep.Node("g")
						if row.Overflows() != int64(over) || row.Conversions != int64(len(want)) {
							t.Errorf("report: %d conversions, %d overflows; want %d, %d", row.Conversions, row.Overflows(), len(want), over)
						}
					})
				}
			}
		}
	}
}

// TestGravNetFixedCloseToFloat checks that the fixed-point aggregation with
// an exp table stays within the table's resolution of the float result.
func TestGravNetFixedCloseToFloat(t *testing.T) {
	c := gravCase{N: 12, S: 3, P: 4, k: 4, valid: "first:10"}
	r := rand.New(rand.NewPCG(7, 7))
	sc, hc := randCodes(r, c.N*c.S, -40, 40), randCodes(r, c.N*c.P, -500, 500)
	valid := validPattern(c.N, c.valid)
	// Table over distance codes at frac 2*5 = 10: 1024 entries with shift 2
	// cover d in [0, 4); exp(-2.5*4) ~ 5e-5.
	table := make([]int64, 1024)
	for e := range table {
		d := math.Ldexp(float64(e*4)+1.5, -10)
		table[e] = int64(math.Round(math.Exp(-2.5*d) * (1 << 16)))
	}
	src := fmt.Sprintf(`input s: fixed<10,5>[%[1]d,%[2]d]
input h: fixed<12,5>[%[1]d,%[3]d]
input valid: ufixed<1,1>[%[1]d]
const tab: ufixed<17,1>[1024] = %[4]s
node g = gravnet_agg(s, h, valid, tab) {k = %[5]d, exponent = 2.5, offset = 0, shift = 2, recip_frac = 16} -> y: fixed<20,8,RND,SAT>[%[1]d,%[6]d]
output y
`, c.N, c.S, c.P, codesText(table), c.k, 2*c.P)
	res, _ := runFixedOne(t, parseGraph(t, src), sc, hc, valid)
	want := refGravNetFloat(f64s(toFloats(sc, 5)), f64s(toFloats(hc, 7)), valid, c.N, c.S, c.P, c.k, 2.5, true, false)
	worst := 0.0
	for i, w := range want {
		worst = math.Max(worst, math.Abs(math.Ldexp(float64(res[0][i]), -12)-w))
	}
	// Entry width 2^-8 in d: |dw| <= 2.5 * 2^-9 ~ 0.005 relative, |h| < 4.
	if worst > 0.025 {
		t.Errorf("fixed differs from float by %g", worst)
	}
	t.Logf("gravnet_agg fixed vs float: max |err| %.3g", worst)
}

// --- global_exchange -----------------------------------------------------------

func refGlobalExchange(x []float64, valid []int64, N, F int, ops []string) []float64 {
	W := F * (1 + len(ops))
	out := make([]float64, N*W)
	for i := 0; i < N; i++ {
		if valid[i] == 0 {
			continue
		}
		copy(out[i*W:], x[i*F:(i+1)*F])
		for k, op := range ops {
			for c := 0; c < F; c++ {
				var vals []float64
				for j := 0; j < N; j++ {
					if valid[j] != 0 {
						vals = append(vals, x[j*F+c])
					}
				}
				sort.Float64s(vals)
				var v float64
				switch op {
				case "mean":
					for _, a := range vals {
						v += a
					}
					v /= float64(len(vals))
				case "min":
					v = vals[0]
				case "max":
					v = vals[len(vals)-1]
				}
				out[i*W+F*(1+k)+c] = v
			}
		}
	}
	return out
}

func TestGlobalExchange(t *testing.T) {
	cases := []struct {
		valid string
		ops   []string
	}{
		{"all", nil},
		{"first:3", []string{"mean", "min", "max"}},
		{"odd", []string{"max", "mean"}},
		{"none", []string{"min"}},
		{"first:1", []string{"mean", "mean"}},
	}
	const N, F, rf = 7, 3, 10
	for ci, c := range cases {
		opsAttr, ops := "", c.ops
		if ops != nil {
			opsAttr = fmt.Sprintf("ops = [%s]", quoteAll(ops))
		} else {
			ops = []string{"mean"}
		}
		W := F * (1 + len(ops))
		r := rand.New(rand.NewPCG(uint64(ci), 3))
		xc := randCodes(r, N*F, -2000, 2000)
		valid := validPattern(N, c.valid)
		t.Run(fmt.Sprintf("%s/%v/float", c.valid, c.ops), func(t *testing.T) {
			src := fmt.Sprintf("input x: f32[%d,%d]\ninput valid: f32[%d]\nnode g = global_exchange(x, valid) {%s} -> y: f32[%d,%d]\noutput y\n", N, F, N, opsAttr, N, W)
			src = strings.Replace(src, " {}", "", 1)
			x := toFloats(xc, 6)
			got := runFloatOne(t, parseGraph(t, src), x, toFloats(valid, 0))[0]
			want := refGlobalExchange(f64s(x), valid, N, F, ops)
			for i, w := range want {
				if math.Abs(float64(got[i])-w) > 1e-6*math.Max(1, math.Abs(w)) {
					t.Fatalf("element %d: got %v, want %v", i, got[i], w)
				}
			}
		})
		for _, outType := range []string{"fixed<16,6,RND,SAT>", "fixed<8,4,RND_CONV,SAT>"} {
			t.Run(fmt.Sprintf("%s/%v/fixed/%s", c.valid, c.ops, outType), func(t *testing.T) {
				attrs := fmt.Sprintf("recip_frac = %d", rf)
				if opsAttr != "" {
					attrs = opsAttr + ", " + attrs
				}
				src := fmt.Sprintf("input x: fixed<14,6>[%d,%d]\ninput valid: ufixed<1,1>[%d]\nnode g = global_exchange(x, valid) {%s} -> y: %s[%d,%d]\noutput y\n", N, F, N, attrs, outType, N, W)
				res, rep := runFixedOne(t, parseGraph(t, src), xc, valid)
				ot, _ := ir.ParseType(outType)
				xt := fixed.Type{Signed: true, Width: 14, Int: 6}
				over := 0
				conv := func(v *big.Rat) int64 {
					c, ev := oracleConvert(v, ot.Fixed)
					if ev != fixed.NoOverflow {
						over++
					}
					return c
				}
				want := make([]int64, N*W)
				count := 0
				for _, v := range valid {
					count += int(v)
				}
				for i := 0; i < N; i++ {
					if valid[i] == 0 {
						continue
					}
					for c := 0; c < F; c++ {
						want[i*W+c] = conv(ratOf(xc[i*F+c], xt))
					}
					for k, op := range ops {
						for c := 0; c < F; c++ {
							var v *big.Rat
							for j := 0; j < N; j++ {
								if valid[j] == 0 {
									continue
								}
								xj := ratOf(xc[j*F+c], xt)
								switch {
								case v == nil && op != "mean":
									v = xj
								case op == "mean":
									if v == nil {
										v = new(big.Rat)
									}
									v.Add(v, xj)
								case op == "min" && xj.Cmp(v) < 0, op == "max" && xj.Cmp(v) > 0:
									v = xj
								}
							}
							if op == "mean" {
								v.Mul(v, new(big.Rat).SetInt64(roundedRecip(int64(count), rf)))
								v.Mul(v, pow2(-rf))
							}
							want[i*W+F*(1+k)+c] = conv(v)
						}
					}
				}
				if !equalI(res[0], want) {
					t.Fatalf("got  %v\nwant %v", res[0], want)
				}
				if row := rep.Node("g"); row.Overflows() != int64(over) || row.Conversions != int64(N*W) {
					t.Errorf("report: %d conversions, %d overflows; want %d, %d", row.Conversions, row.Overflows(), N*W, over)
				}
			})
		}
	}
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// --- condensation ----------------------------------------------------------------

type condCase struct {
	name    string
	N, C, P int
	M       int
	valid   string
	spread  int64 // coordinate codes in [-spread, spread]
	dup     bool
	betaTie bool // several vertices share the largest beta
	far     bool // vertices far apart: every candidate makes its own cluster
}

var condCases = []condCase{
	{"max_clusters reached", 12, 2, 2, 2, "all", 200, false, false, false},
	{"fewer clusters than max", 8, 2, 1, 6, "all", 10, false, false, false},
	{"no valid vertex", 6, 2, 2, 3, "none", 100, false, false, false},
	{"every other valid", 11, 3, 2, 4, "odd", 60, false, false, false},
	{"duplicate coordinates", 10, 2, 2, 5, "all", 40, true, false, false},
	{"beta ties", 9, 1, 1, 9, "first:7", 80, false, true, false},
	{"beta at the threshold", 7, 1, 2, 7, "all", 0, false, false, true},
}

// condData draws one event: beta codes on ufixed<8,0>, some exactly at the
// threshold code 128 (not candidates), coordinates on fixed<10,5>.
func condData(c condCase, seed uint64) (beta, coords, payload, valid []int64) {
	r := rand.New(rand.NewPCG(seed, 4))
	beta = randCodes(r, c.N, 100, 255)
	for i := 2; i < c.N; i += 4 {
		beta[i] = 128
	}
	if c.betaTie {
		for i := 0; i < c.N; i += 2 {
			beta[i] = 250
		}
	}
	coords = randCodes(r, c.N*c.C, -c.spread, c.spread)
	if c.dup {
		duplicateRows(coords, c.C)
	}
	if c.far {
		for i := range coords {
			coords[i] = int64(i*60) - 200
		}
	}
	payload = randCodes(r, c.N*c.P, -1000, 1000)
	return beta, coords, payload, validPattern(c.N, c.valid)
}

func condGraph(c condCase, fixedGraph bool, outType string) string {
	bt, ct, vt, pt := "f32", "f32", "f32", "f32"
	attrs := fmt.Sprintf("t_beta = 0.5, t_d = 0.7, max_clusters = %d", c.M)
	if fixedGraph {
		bt, ct, vt, pt = "ufixed<8,0>", "fixed<10,5>", "ufixed<1,1>", "fixed<12,3>"
		// beta > 0.5 <=> code > 128; d^2 < 0.49 <=> code (frac 10) < ceil(501.76) = 502
		attrs += ", beta_code = 128, dist_code = 502"
	} else {
		outType = "f32"
	}
	return fmt.Sprintf(`input beta: %[1]s[%[5]d]
input coords: %[2]s[%[5]d,%[6]d]
input valid: %[3]s[%[5]d]
input payload: %[4]s[%[5]d,%[7]d]
node cd = condensation(beta, coords, valid, payload) {%[8]s} -> assign: i32[%[5]d], clusters: %[9]s[%[10]d,%[11]d], n: i32[]
output assign
output clusters
output n
`, bt, ct, vt, pt, c.N, c.C, c.P, attrs, outType, c.M, 1+c.P)
}

func TestCondensation(t *testing.T) {
	for ci, c := range condCases {
		beta, coords, payload, valid := condData(c, uint64(ci))
		within := func(j, a int) bool {
			var d int64
			for t := 0; t < c.C; t++ {
				diff := coords[j*c.C+t] - coords[a*c.C+t]
				d += diff * diff
			}
			return d < 502
		}
		wantAssign, points := refCondense(c.N, c.M, valid, func(i int) bool { return beta[i] > 128 }, func(i int) int64 { return beta[i] }, within)
		if c.name == "max_clusters reached" && len(points) != c.M {
			t.Fatalf("%s: the data make %d clusters; the case needs %d", c.name, len(points), c.M)
		}
		if c.far && wantAssign[2] != -1 {
			t.Fatalf("%s: vertex 2 (beta at the threshold) must stay unassigned: %v", c.name, wantAssign)
		}
		t.Run(c.name+"/float", func(t *testing.T) {
			// Float values on the same grids: every comparison is exact and
			// agrees with the fixed thresholds.
			outs := runFloatOne(t, parseGraph(t, condGraph(c, false, "")), toFloats(beta, 8), toFloats(coords, 5), toFloats(valid, 0), toFloats(payload, 9))
			for i, a := range wantAssign {
				if outs[0][i] != float32(a) {
					t.Fatalf("assign %v, want %v", outs[0], wantAssign)
				}
			}
			if outs[2][0] != float32(len(points)) {
				t.Errorf("n_clusters %v, want %d", outs[2][0], len(points))
			}
			for k := 0; k < c.M; k++ {
				row := outs[1][k*(1+c.P) : (k+1)*(1+c.P)]
				want := make([]float32, 1+c.P)
				if k < len(points) {
					a := points[k]
					want[0] = float32(math.Ldexp(float64(beta[a]), -8))
					copy(want[1:], toFloats(payload[a*c.P:(a+1)*c.P], 9))
				}
				if !equalF(row, want) {
					t.Errorf("cluster %d: %v, want %v", k, row, want)
				}
			}
		})
		for _, outType := range []string{"fixed<16,6,RND,SAT>", "fixed<6,2,RND,SAT>"} {
			t.Run(c.name+"/fixed/"+outType, func(t *testing.T) {
				res, rep := runFixedOne(t, parseGraph(t, condGraph(c, true, outType)), beta, coords, valid, payload)
				if !equalI(res[0], wantAssign) {
					t.Fatalf("assign %v, want %v", res[0], wantAssign)
				}
				if res[2][0] != int64(len(points)) {
					t.Errorf("n_clusters %d, want %d", res[2][0], len(points))
				}
				ot, _ := ir.ParseType(outType)
				over := 0
				conv := func(code int64, frac int) int64 {
					v, ev := oracleConvert(ratOf(code, fixed.Type{Width: 63, Int: 63 - frac}), ot.Fixed)
					if ev != fixed.NoOverflow {
						over++
					}
					return v
				}
				want := make([]int64, c.M*(1+c.P))
				for k, a := range points {
					want[k*(1+c.P)] = conv(beta[a], 8)
					for p := 0; p < c.P; p++ {
						want[k*(1+c.P)+1+p] = conv(payload[a*c.P+p], 9)
					}
				}
				if !equalI(res[1], want) {
					t.Errorf("clusters %v, want %v", res[1], want)
				}
				if row := rep.Node("cd"); row.Overflows() != int64(over) || row.Conversions != int64(len(want)) || row.Type != ot.String() {
					t.Errorf("report row %+v: want %d conversions, %d overflows, type %s", *row, len(want), over, ot)
				}
			})
		}
	}
}

// --- mask and slice ------------------------------------------------------------

func TestMaskAndSlice(t *testing.T) {
	g := parseGraph(t, `input x: f32[3,4]
input valid: f32[3]
node sl = slice(x) {axes = [1], starts = [1], ends = [4], steps = [2]} -> s: f32[3,2]
node m = mask(s, valid) -> y: f32[3,2]
output y
`)
	got := runFloatOne(t, g, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, []float32{1, 0, 1})[0]
	if want := []float32{1, 3, 0, 0, 9, 11}; !equalF(got, want) {
		t.Errorf("float: %v, want %v", got, want)
	}
	fg := parseGraph(t, `input x: fixed<8,4>[3,4]
input valid: ufixed<1,1>[3]
node sl = slice(x) {axes = [0, 1], starts = [0, 2], ends = [3, 4]} -> s: fixed<8,4>[3,2]
node m = mask(s, valid) -> y: fixed<6,2,RND,SAT>[3,2]
output y
`)
	res, rep := runFixedOne(t, fg, []int64{0, 1, 2, 3, 4, 5, 6, 7, 100, 9, 10, -128}, []int64{1, 1, 1})
	// fixed<6,2>: frac 4, range [-32, 31].
	if want := []int64{2, 3, 6, 7, 10, -32}; !equalI(res[0], want) {
		t.Errorf("fixed: %v, want %v", res[0], want)
	}
	if row := rep.Node("m"); row.Saturated != 1 || row.Conversions != 6 {
		t.Errorf("mask report %+v, want 1 saturation in 6 conversions", *row)
	}
}

// TestGraphOpsMultiEvent runs several events through one executor: the
// per-event state (neighbour lists, candidates) must not leak between
// events.
func TestGraphOpsMultiEvent(t *testing.T) {
	c := condCases[0]
	g := parseGraph(t, condGraph(c, true, "fixed<16,6,RND,SAT>"))
	f, err := NewFixed(g)
	if err != nil {
		t.Fatal(err)
	}
	var ins [4]Codes
	for k := range ins {
		ins[k] = Codes{Events: 3, Shape: g.Inputs[k].Shape, Type: g.Inputs[k].Type}
	}
	var single [][][]int64
	for e := 0; e < 3; e++ {
		beta, coords, payload, valid := condData(c, uint64(10+e))
		if e == 1 {
			valid = validPattern(c.N, "none")
		}
		for k, d := range [][]int64{beta, coords, valid, payload} {
			ins[k].Data = append(ins[k].Data, d...)
		}
		res, _ := runFixedOne(t, g, beta, coords, valid, payload)
		single = append(single, res)
	}
	outs, err := f.Run(ins[:])
	if err != nil {
		t.Fatal(err)
	}
	for e := 0; e < 3; e++ {
		for k := range outs {
			if !equalI(outs[k].Event(e), single[e][k]) {
				t.Errorf("event %d output %d: %v, alone %v", e, k, outs[k].Event(e), single[e][k])
			}
		}
	}
	if outs[0].Type != ir.I32 || outs[2].Type != ir.I32 {
		t.Errorf("output types %v, %v, want i32", outs[0].Type, outs[2].Type)
	}
}

// TestMaskThreshold: a vertex is valid when its mask value is above 1/2,
// in float and, exactly on the codes, in fixed point whatever the type.
func TestMaskThreshold(t *testing.T) {
	g := parseGraph(t, "input x: f32[4,1]\ninput valid: f32[4]\nnode m = mask(x, valid) -> y: f32[4,1]\noutput y\n")
	if got := runFloatOne(t, g, []float32{1, 2, 3, 4}, []float32{0.5, 0.50001, -1, 7})[0]; !equalF(got, []float32{0, 2, 0, 4}) {
		t.Errorf("float mask: %v", got)
	}
	for _, c := range []struct {
		typ   string
		codes []int64 // valid codes
		want  []int64 // x passed (1) or zeroed (0)
	}{
		{"ufixed<1,1>", []int64{0, 1, 1, 0}, []int64{0, 1, 1, 0}},
		{"fixed<8,4>", []int64{8, 9, -9, 127}, []int64{0, 1, 0, 1}},    // frac 4: 0.5 is code 8
		{"ufixed<4,6>", []int64{0, 1, 2, 15}, []int64{0, 1, 1, 1}},     // frac -2: codes are multiples of 4
		{"fixed<8,-2>", []int64{-128, 0, 1, 127}, []int64{0, 0, 0, 0}}, // frac 10: every value < 0.125
	} {
		fg := parseGraph(t, "input x: fixed<8,8>[4,1]\ninput valid: "+c.typ+"[4]\nnode m = mask(x, valid) -> y: fixed<8,8>[4,1]\noutput y\n")
		res, _ := runFixedOne(t, fg, []int64{1, 1, 1, 1}, c.codes)
		if !equalI(res[0], c.want) {
			t.Errorf("%s mask %v: %v, want %v", c.typ, c.codes, res[0], c.want)
		}
	}
}
