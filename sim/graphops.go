package sim

import (
	"fmt"
	"math"
	"sort"

	"trigo/ir"
	"trigo/ir/fixed"
)

// This file implements the graph ops (mask, gravnet_agg, global_exchange,
// condensation) and slice in both executors. ir/SEMANTICS.md defines them;
// the selection rules (k nearest neighbours, condensation order) are shared
// by the float and fixed executors through the generic helpers below, so
// that the two differ only in how distances and values are computed.

// number is a distance or a sort key: exact integer codes (fixed) or
// float32 values (float).
type number interface{ ~int64 | ~float32 }

// nearest keeps the k smallest (distance, index) pairs offered, in
// ascending order. Candidates must be offered in increasing index order:
// a later candidate never displaces an equal distance, so ties go to the
// lower index.
type nearest[D number] struct {
	k   int
	n   int
	d   []D
	idx []int32
}

func newNearest[D number](k int) *nearest[D] {
	return &nearest[D]{k: k, d: make([]D, k), idx: make([]int32, k)}
}

func (s *nearest[D]) reset() { s.n = 0 }

func (s *nearest[D]) offer(d D, j int32) {
	if s.n == s.k {
		if d >= s.d[s.n-1] {
			return
		}
		s.n--
	}
	p := s.n
	for p > 0 && s.d[p-1] > d {
		s.d[p], s.idx[p] = s.d[p-1], s.idx[p-1]
		p--
	}
	s.d[p], s.idx[p] = d, j
	s.n++
}

// isValid reads a float vertex mask (ir.MaskThreshold has the fixed-point
// rule): values above 1/2 mark real vertices.
func isValid(v float32) bool { return v > 0.5 }

// condense runs the condensation loop on precomputed candidates (valid
// vertices above the beta threshold, already sorted by decreasing beta and
// increasing index). within(j, a) reports whether vertex j lies within the
// distance threshold of condensation point a. It fills assign (-1 for no
// cluster) and returns the condensation points in cluster order.
func condense(cands []int32, valid func(int) bool, within func(j, a int) bool, assign []int32, maxClusters int, points []int32) []int32 {
	for i := range assign {
		assign[i] = -1
	}
	points = points[:0]
	for _, a := range cands {
		if len(points) == maxClusters {
			break
		}
		if assign[a] >= 0 {
			continue
		}
		c := int32(len(points))
		points = append(points, a)
		assign[a] = c // the condensation point always belongs to its cluster
		for j := range assign {
			if assign[j] < 0 && valid(j) && within(j, int(a)) {
				assign[j] = c
			}
		}
	}
	return points
}

// sortCandidates orders vertex indices by decreasing key, ties to the lower
// index.
func sortCandidates[D number](c []int32, key func(int32) D) {
	sort.SliceStable(c, func(a, b int) bool { return key(c[a]) > key(c[b]) })
}

// sliceMap returns, for every output element of a slice node, the input
// element it copies (ir.SliceIndex).
func sliceMap(n *ir.Node, in, out ir.Shape) ([]int32, error) { return ir.SliceIndex(n.Attrs, in, out) }

// --- float executor --------------------------------------------------------

// compileGraphOp compiles the graph ops and slice for the float executor;
// ok is false for other ops.
func (f *Float) compileGraphOp(n *ir.Node, s *slots) (step func(), ok bool, err error) {
	in := func(i int) []float32 { return f.bufs[s.of(n.Inputs[i])] }
	inShape := func(i int) ir.Shape { return s.value(n.Inputs[i]).Shape }
	outBuf := func(i int) []float32 { return f.bufs[s.of(n.Outputs[i].Name)] }
	switch n.Op {
	case "slice":
		m, err := sliceMap(n, inShape(0), n.Outputs[0].Shape)
		if err != nil {
			return nil, true, err
		}
		x, out := in(0), outBuf(0)
		return func() {
			for i, j := range m {
				out[i] = x[j]
			}
		}, true, nil
	case "mask":
		x, valid, out := in(0), in(1), outBuf(0)
		row := len(x) / len(valid)
		return func() {
			for v, ok := range valid {
				o := out[v*row : (v+1)*row]
				if isValid(ok) {
					copy(o, x[v*row:(v+1)*row])
				} else {
					clear(o)
				}
			}
		}, true, nil
	case "gravnet_agg":
		step, err := f.gravnet(n, in(0), in(1), in(2), inShape(0), inShape(1), outBuf(0))
		return step, true, err
	case "global_exchange":
		step, err := f.globalExchange(n, in(0), in(1), inShape(0), outBuf(0))
		return step, true, err
	case "condensation":
		step, err := f.condensation(n, in(0), in(1), in(2), in(3), inShape(1), inShape(3), outBuf(0), outBuf(1), outBuf(2))
		return step, true, err
	}
	return nil, false, nil
}

func (f *Float) gravnet(n *ir.Node, sv, hv, valid []float32, ss, hs ir.Shape, out []float32) (func(), error) {
	p, err := ir.GravNet(n.Attrs)
	if err != nil {
		return nil, err
	}
	N, S, P := ss[0], ss[1], hs[1]
	nn := newNearest[float32](min(p.K, N))
	sum := make([]float64, P)
	mx := make([]float64, P)
	l1 := p.Distance == ir.DistanceL1
	return func() {
		for i := 0; i < N; i++ {
			o := out[i*2*P : (i+1)*2*P]
			clear(o)
			if !isValid(valid[i]) {
				continue
			}
			nn.reset()
			si := sv[i*S : (i+1)*S]
			for j := 0; j < N; j++ {
				if !isValid(valid[j]) || (j == i && !p.IncludeSelf) {
					continue
				}
				// float32, dimension by dimension, as PyTorch computes it;
				// the conversions keep the compiler from fusing operations.
				var d float32
				for t, a := range sv[j*S : (j+1)*S] {
					diff := a - si[t]
					if l1 {
						d = float32(d + float32(math.Abs(float64(diff))))
					} else {
						d = float32(d + float32(diff*diff))
					}
				}
				nn.offer(d, int32(j))
			}
			if nn.n == 0 {
				continue
			}
			for c := range sum {
				sum[c], mx[c] = 0, math.Inf(-1)
			}
			for t := 0; t < nn.n; t++ {
				w := math.Exp(-p.Exponent * float64(nn.d[t]))
				j := int(nn.idx[t])
				for c, hj := range hv[j*P : (j+1)*P] {
					m := w * float64(hj)
					sum[c] += m
					mx[c] = math.Max(mx[c], m)
				}
			}
			for c := range sum {
				o[c] = float32(sum[c] / float64(nn.n))
				o[P+c] = float32(mx[c])
			}
		}
	}, nil
}

func (f *Float) globalExchange(n *ir.Node, x, valid []float32, xs ir.Shape, out []float32) (func(), error) {
	ops, err := ir.GlobalExchangeOps(n.Attrs)
	if err != nil {
		return nil, err
	}
	N, F := xs[0], xs[1]
	W := F * (1 + len(ops))
	sum := make([]float64, F)
	lo := make([]float64, F)
	hi := make([]float64, F)
	stats := make([]float32, F*len(ops))
	return func() {
		for c := range sum {
			sum[c], lo[c], hi[c] = 0, math.Inf(1), math.Inf(-1)
		}
		count := 0
		for i := 0; i < N; i++ {
			if !isValid(valid[i]) {
				continue
			}
			count++
			for c, v := range x[i*F : (i+1)*F] {
				sum[c] += float64(v)
				lo[c] = math.Min(lo[c], float64(v))
				hi[c] = math.Max(hi[c], float64(v))
			}
		}
		for k, op := range ops {
			st := stats[k*F : (k+1)*F]
			for c := range st {
				switch {
				case count == 0:
					st[c] = 0
				case op == "mean":
					st[c] = float32(sum[c] / float64(count))
				case op == "min":
					st[c] = float32(lo[c])
				default:
					st[c] = float32(hi[c])
				}
			}
		}
		for i := 0; i < N; i++ {
			o := out[i*W : (i+1)*W]
			if !isValid(valid[i]) {
				clear(o)
				continue
			}
			copy(o, x[i*F:(i+1)*F])
			copy(o[F:], stats)
		}
	}, nil
}

func (f *Float) condensation(n *ir.Node, beta, coords, valid, payload []float32, cs, ps ir.Shape,
	assignOut, clusters, nOut []float32) (func(), error) {
	p, err := ir.Condensation(n.Attrs)
	if err != nil {
		return nil, err
	}
	N, C, P := cs[0], cs[1], ps[1]
	tBeta, td := float32(p.TBeta), float32(p.TD)
	td2 := float32(td * td)
	cands := make([]int32, 0, N)
	assign := make([]int32, N)
	points := make([]int32, 0, p.MaxClusters)
	validAt := func(j int) bool { return isValid(valid[j]) }
	within := func(j, a int) bool {
		var d float32 // float32, dimension by dimension, as PyTorch
		for t := 0; t < C; t++ {
			diff := coords[j*C+t] - coords[a*C+t]
			d = float32(d + float32(diff*diff))
		}
		return d < td2
	}
	key := func(i int32) float32 { return beta[i] }
	return func() {
		cands = cands[:0]
		for i := 0; i < N; i++ {
			if isValid(valid[i]) && beta[i] > tBeta {
				cands = append(cands, int32(i))
			}
		}
		sortCandidates(cands, key)
		points = condense(cands, validAt, within, assign, p.MaxClusters, points)
		for i, c := range assign {
			assignOut[i] = float32(c)
		}
		clear(clusters)
		for c, a := range points {
			row := clusters[c*(1+P) : (c+1)*(1+P)]
			row[0] = beta[a]
			copy(row[1:], payload[int(a)*P:(int(a)+1)*P])
		}
		nOut[0] = float32(len(points))
	}, nil
}

// --- fixed-point executor --------------------------------------------------

// compileGraphOp compiles the graph ops and slice for the fixed-point
// executor; ok is false for other ops.
func (f *Fixed) compileGraphOp(n *ir.Node, s *slots, cnt *counts) (step func(), ok bool, err error) {
	in := func(i int) []int64 { return f.bufs[s.of(n.Inputs[i])] }
	inV := func(i int) *ir.Value { return s.value(n.Inputs[i]) }
	outBuf := func(i int) []int64 { return f.bufs[s.of(n.Outputs[i].Name)] }
	switch n.Op {
	case "slice", "mask":
		x, out := in(0), outBuf(0)
		cv := newConverter(n.Outputs[0].Type.Fixed, inV(0).Type.Fixed.Frac())
		size := int64(len(out))
		if n.Op == "slice" {
			m, err := sliceMap(n, inV(0).Shape, n.Outputs[0].Shape)
			if err != nil {
				return nil, true, err
			}
			return func() {
				cnt.conv += size
				for i, j := range m {
					out[i] = cnt.convert(&cv, x[j])
				}
			}, true, nil
		}
		valid, vt := in(1), ir.MaskThreshold(inV(1).Type.Fixed)
		row := len(x) / len(valid)
		return func() {
			cnt.conv += size
			for v, ok := range valid {
				o := out[v*row : (v+1)*row]
				if ok <= vt {
					clear(o)
					continue
				}
				for c, xv := range x[v*row : (v+1)*row] {
					o[c] = cnt.convert(&cv, xv)
				}
			}
		}, true, nil
	case "gravnet_agg":
		step, err := f.gravnet(n, in, inV, outBuf(0), cnt)
		return step, true, err
	case "global_exchange":
		step, err := f.globalExchange(n, in(0), in(1), ir.MaskThreshold(inV(1).Type.Fixed), inV(0), n.Outputs[0], outBuf(0), cnt)
		return step, true, err
	case "condensation":
		step, err := f.condensation(n, in, inV, outBuf, cnt)
		return step, true, err
	}
	return nil, false, nil
}

// convert converts with cv and counts an overflow event (not the
// conversion itself: steps add their conversion counts in bulk).
func (c *counts) convert(cv *converter, v int64) int64 {
	y, ev := cv.convert(v)
	if ev != fixed.NoOverflow {
		c.add(ev)
	}
	return y
}

func (f *Fixed) gravnet(n *ir.Node, in func(int) []int64, inV func(int) *ir.Value, out []int64, cnt *counts) (func(), error) {
	p, err := ir.GravNet(n.Attrs)
	if err != nil {
		return nil, err
	}
	if len(n.Inputs) < 4 {
		return nil, fmt.Errorf("quantised gravnet_agg needs its weight table input")
	}
	sv, hv, valid, table := in(0), in(1), in(2), in(3)
	vt := ir.MaskThreshold(inV(2).Type.Fixed)
	ss, hs := inV(0).Shape, inV(1).Shape
	N, S, P := ss[0], ss[1], hs[1]
	offset, shift := n.Attrs.Int("offset", 0), n.Attrs.Int("shift", -1)
	if shift < 0 || shift > 62 {
		return nil, fmt.Errorf("shift %d outside 0..62", shift)
	}
	rf := int(n.Attrs.Int("recip_frac", -1))
	if rf < 1 || rf > 32 {
		return nil, fmt.Errorf("recip_frac %d outside 1..32", rf)
	}
	K := min(p.K, N)
	recip := make([]int64, K+1)
	for c := 1; c <= K; c++ {
		recip[c] = RoundedReciprocal(int64(c), rf)
	}
	mf := inV(3).Type.Fixed.Frac() + inV(1).Type.Fixed.Frac() // frac of a message w*h
	T := n.Outputs[0].Type.Fixed
	maxCv, meanCv := newConverter(T, mf), newConverter(T, mf+rf)
	L := int64(len(table))
	nn := newNearest[int64](K)
	sum := make([]int64, P)
	mx := make([]int64, P)
	l1 := p.Distance == ir.DistanceL1
	size := int64(len(out))
	return func() {
		cnt.conv += size
		for i := 0; i < N; i++ {
			o := out[i*2*P : (i+1)*2*P]
			clear(o)
			if valid[i] <= vt {
				continue
			}
			nn.reset()
			si := sv[i*S : (i+1)*S]
			for j := 0; j < N; j++ {
				if valid[j] <= vt || (j == i && !p.IncludeSelf) {
					continue
				}
				var d int64
				for t, a := range sv[j*S : (j+1)*S] {
					diff := a - si[t]
					if l1 {
						d += max(diff, -diff)
					} else {
						d += diff * diff
					}
				}
				nn.offer(d, int32(j))
			}
			if nn.n == 0 {
				continue
			}
			for c := range sum {
				sum[c], mx[c] = 0, math.MinInt64
			}
			for t := 0; t < nn.n; t++ {
				w := table[LutIndex(nn.d[t], offset, uint(shift), L)]
				j := int(nn.idx[t])
				for c, hj := range hv[j*P : (j+1)*P] {
					m := w * hj
					sum[c] += m
					mx[c] = max(mx[c], m)
				}
			}
			r := recip[nn.n]
			for c := range sum {
				o[c] = cnt.convert(&meanCv, sum[c]*r)
				o[P+c] = cnt.convert(&maxCv, mx[c])
			}
		}
	}, nil
}

func (f *Fixed) globalExchange(n *ir.Node, x, valid []int64, vt int64, xv, outV *ir.Value, out []int64, cnt *counts) (func(), error) {
	ops, err := ir.GlobalExchangeOps(n.Attrs)
	if err != nil {
		return nil, err
	}
	rf := int(n.Attrs.Int("recip_frac", -1))
	if rf < 1 || rf > 32 {
		return nil, fmt.Errorf("recip_frac %d outside 1..32", rf)
	}
	N, F := xv.Shape[0], xv.Shape[1]
	W := F * (1 + len(ops))
	Fx := xv.Type.Fixed.Frac()
	T := outV.Type.Fixed
	xCv, meanCv := newConverter(T, Fx), newConverter(T, Fx+rf)
	recip := make([]int64, N+1)
	for c := 1; c <= N; c++ {
		recip[c] = RoundedReciprocal(int64(c), rf)
	}
	sum := make([]int64, F)
	lo := make([]int64, F)
	hi := make([]int64, F)
	stats := make([]int64, F*len(ops))
	evs := make([]fixed.Event, F*len(ops))
	size := int64(len(out))
	return func() {
		cnt.conv += size
		for c := range sum {
			sum[c], lo[c], hi[c] = 0, math.MaxInt64, math.MinInt64
		}
		count := 0
		for i := 0; i < N; i++ {
			if valid[i] <= vt {
				continue
			}
			count++
			for c, v := range x[i*F : (i+1)*F] {
				sum[c] += v
				lo[c] = min(lo[c], v)
				hi[c] = max(hi[c], v)
			}
		}
		if count == 0 {
			clear(out)
			return
		}
		// Each statistic is converted once; every row it is written to
		// counts as a conversion and repeats its overflow event.
		for k, op := range ops {
			for c := 0; c < F; c++ {
				i := k*F + c
				switch op {
				case "mean":
					stats[i], evs[i] = meanCv.convert(sum[c] * recip[count])
				case "min":
					stats[i], evs[i] = xCv.convert(lo[c])
				default:
					stats[i], evs[i] = xCv.convert(hi[c])
				}
			}
		}
		for i := 0; i < N; i++ {
			o := out[i*W : (i+1)*W]
			if valid[i] <= vt {
				clear(o)
				continue
			}
			for c, v := range x[i*F : (i+1)*F] {
				o[c] = cnt.convert(&xCv, v)
			}
			copy(o[F:], stats)
			for _, ev := range evs {
				if ev != fixed.NoOverflow {
					cnt.add(ev)
				}
			}
		}
	}, nil
}

func (f *Fixed) condensation(n *ir.Node, in func(int) []int64, inV func(int) *ir.Value, outBuf func(int) []int64, cnt *counts) (func(), error) {
	p, err := ir.Condensation(n.Attrs)
	if err != nil {
		return nil, err
	}
	betaCode, ok1 := n.Attrs["beta_code"].(int64)
	distCode, ok2 := n.Attrs["dist_code"].(int64)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("quantised condensation needs the beta_code and dist_code attributes")
	}
	beta, coords, valid, payload := in(0), in(1), in(2), in(3)
	N, C, P := inV(1).Shape[0], inV(1).Shape[1], inV(3).Shape[1]
	T := n.Outputs[1].Type.Fixed
	betaCv := newConverter(T, inV(0).Type.Fixed.Frac())
	payCv := newConverter(T, inV(3).Type.Fixed.Frac())
	assignOut, clusters, nOut := outBuf(0), outBuf(1), outBuf(2)
	cands := make([]int32, 0, N)
	assign := make([]int32, N)
	points := make([]int32, 0, p.MaxClusters)
	vt := ir.MaskThreshold(inV(2).Type.Fixed)
	validAt := func(j int) bool { return valid[j] > vt }
	within := func(j, a int) bool {
		var d int64
		for t := 0; t < C; t++ {
			diff := coords[j*C+t] - coords[a*C+t]
			d += diff * diff
		}
		return d < distCode
	}
	key := func(i int32) int64 { return beta[i] }
	size := int64(len(clusters))
	return func() {
		cnt.conv += size
		cands = cands[:0]
		for i := 0; i < N; i++ {
			if valid[i] > vt && beta[i] > betaCode {
				cands = append(cands, int32(i))
			}
		}
		sortCandidates(cands, key)
		points = condense(cands, validAt, within, assign, p.MaxClusters, points)
		for i, c := range assign {
			assignOut[i] = int64(c)
		}
		clear(clusters)
		for c, a := range points {
			row := clusters[c*(1+P) : (c+1)*(1+P)]
			row[0] = cnt.convert(&betaCv, beta[a])
			for t, v := range payload[int(a)*P : (int(a)+1)*P] {
				row[1+t] = cnt.convert(&payCv, v)
			}
		}
		nOut[0] = int64(len(points))
	}, nil
}
