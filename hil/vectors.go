// Package hil runs compiled models on something other than the Go
// simulator — an RTL simulator, an HLS C simulation, a board — and proves
// that every output bit equals the simulator's. This file holds what every
// runner shares: test vectors and the bit-exact comparison.
package hil

import (
	"fmt"
	"math/rand/v2"

	"trigo/ir"
	"trigo/ir/fixed"
	"trigo/sim"
)

// Vectors generates n events of input codes for a quantised graph,
// reproducible from seed. The first events are the extremes of each input
// type (all minimum, all maximum, all zero, alternating minimum/maximum,
// minimum+1 and maximum-1); the rest are uniform over each input's full
// code range, half of them concentrated near zero where trained networks
// live.
//
// Inputs read as vertex masks (the valid operand of a graph op) get, after
// the extremes (all minimum = empty, all maximum = full, ...), events of
// random occupancy: a number of valid vertices drawn uniformly from 0..N
// (so empty and full events recur), the first ones (a padded event) in
// even events and a random subset in odd ones. In graph networks every
// fourth event from event 6 on is tie-heavy (tieEvents): duplicated
// vertices, lattice features, mirrored pairs or a few codes per feature,
// so that the tie rules of kNN and condensation decide results.
func Vectors(g *ir.Graph, n int, seed uint64) ([]sim.Codes, error) {
	if !g.IsFixed() {
		return nil, fmt.Errorf("graph %q is not quantised", g.Name)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	// A separate stream for the masks' occupancy, so that the other
	// inputs draw the same codes as without it.
	mr := rand.New(rand.NewPCG(seed^0x6f63637570616e63, seed))
	masks := maskInputs(g)
	out := make([]sim.Codes, len(g.Inputs))
	for i, v := range g.Inputs {
		if v.Type.Kind != ir.Fixed {
			return nil, fmt.Errorf("input %q is %s, not fixed-point", v.Name, v.Type)
		}
		t := v.Type.Fixed
		size := v.Shape.Size()
		c := sim.Codes{Events: n, Shape: v.Shape, Type: v.Type, Data: make([]int64, n*size)}
		lo, hi := t.MinCode(), t.MaxCode()
		for e := 0; e < n; e++ {
			ev := c.Data[e*size : (e+1)*size]
			for k := range ev {
				switch e {
				case 0:
					ev[k] = lo
				case 1:
					ev[k] = hi
				case 2:
					ev[k] = 0
				case 3:
					if k%2 == 0 {
						ev[k] = lo
					} else {
						ev[k] = hi
					}
				case 4:
					ev[k] = min(lo+1, hi)
				case 5:
					ev[k] = max(hi-1, lo)
				default:
					if e%2 == 0 {
						if span := uint64(hi-lo) + 1; span == 0 {
							ev[k] = int64(r.Uint64()) // 64-bit signed: every code
						} else {
							ev[k] = lo + int64(r.Uint64N(span))
						}
					} else {
						// near zero: a few integer units of the type
						span := int64(1) << min(max(t.Frac()+2, 0), 62)
						v := int64(r.Uint64N(uint64(2*span+1))) - span
						ev[k] = min(max(v, lo), hi)
					}
				}
			}
			if masks[v.Name] && e >= 6 {
				occupancy(ev, t, mr, e%2 == 1)
			}

		}
		out[i] = c
	}
	if len(masks) > 0 {
		tieEvents(g, out, masks, seed)
	}
	return out, nil
}

// tieEvents rebuilds every fourth event from event 6 on (e % 4 == 2) of a
// graph network so that exact ties decide results: the vertex features
// ([N,F] inputs that are not masks) follow one of four patterns in turn,
//
//   - duplicates: every vertex copies one of 1..4 source vertices (equal
//     distances, equal betas);
//   - lattice: features on the integers -2..2 (symmetric offsets give
//     equal distances in any linear projection);
//   - mirrors: a centre c and pairs c ± δ·e_f with integer δ, only they
//     valid (equal distances from c with different messages);
//   - a few distinct codes per feature;
//
// so that a wrong tie rule (kNN or condensation order) changes outputs.
func tieEvents(g *ir.Graph, out []sim.Codes, masks map[string]bool, seed uint64) {
	r := rand.New(rand.NewPCG(seed^0x7469657300000000, seed+1))
	var feats []int
	var mask = -1
	for i, v := range g.Inputs {
		switch {
		case masks[v.Name] && len(v.Shape) == 1 && mask < 0:
			mask = i
		case !masks[v.Name] && len(v.Shape) == 2:
			feats = append(feats, i)
		}
	}
	for e := 6; e < out[0].Events; e++ {
		if e%4 != 2 {
			continue
		}
		pattern := (e / 4) % 4
		var valid []int64
		var vOn, vOff int64
		if mask >= 0 {
			valid = out[mask].Event(e)
			t := g.Inputs[mask].Type.Fixed
			vOn, vOff = t.MaxCode(), t.MinCode()
		}
		for _, i := range feats {
			TiePattern(pattern, out[i].Event(e), valid, g.Inputs[i].Shape[0], g.Inputs[i].Shape[1], g.Inputs[i].Type.Fixed, vOn, vOff, r)
		}
	}
}

// maskInputs returns the graph inputs that a graph op reads as its vertex
// mask.
func maskInputs(g *ir.Graph) map[string]bool {
	operand := map[string]int{"mask": 1, "global_exchange": 1, "gravnet_agg": 2, "condensation": 2}
	m := map[string]bool{}
	for _, nd := range g.Nodes {
		if i, ok := operand[nd.Op]; ok && i < len(nd.Inputs) {
			m[nd.Inputs[i]] = true
		}
	}
	inputs := map[string]bool{}
	for _, v := range g.Inputs {
		inputs[v.Name] = true
	}
	for name := range m {
		if !inputs[name] {
			delete(m, name)
		}
	}
	return m
}

// occupancy fills a mask event with a uniformly drawn number of valid
// vertices (0..len(ev)): the first ones, or a random subset. A valid
// vertex gets a random code above ir.MaskThreshold, an invalid one a
// random code at or below it.
func occupancy(ev []int64, t fixed.Type, r *rand.Rand, subset bool) {
	lo, hi := t.MinCode(), t.MaxCode()
	thr := min(max(ir.MaskThreshold(t), lo-1), hi)
	pick := func(a, b int64) int64 {
		span := uint64(b-a) + 1
		if span == 0 {
			return int64(r.Uint64()) // a 64-bit range: every code
		}
		return a + int64(r.Uint64N(span))
	}
	valid := r.IntN(len(ev) + 1)
	order := make([]int, len(ev))
	for k := range order {
		order[k] = k
	}
	if subset {
		r.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	}
	for j, k := range order {
		switch {
		case j < valid && thr < hi:
			ev[k] = pick(thr+1, hi)
		case thr >= lo:
			ev[k] = pick(lo, thr)
		default: // every code is valid
			ev[k] = pick(lo, hi)
		}
	}
}

// Mismatch describes one output element that differs from the simulator.
type Mismatch struct {
	Event    int     `json:"event"`
	Output   string  `json:"output"`
	Element  int     `json:"element"`
	Expected int64   `json:"expected"`
	Got      int64   `json:"got"`
	WantReal float64 `json:"expected_value"`
	GotReal  float64 `json:"got_value"`
	Type     string  `json:"type"`
}

func (m Mismatch) String() string {
	return fmt.Sprintf("event %d, output %s[%d] (%s): expected %s (%g), got %s (%g)",
		m.Event, m.Output, m.Element, m.Type, hexCode(m.Expected), m.WantReal, hexCode(m.Got), m.GotReal)
}

func hexCode(v int64) string {
	if v < 0 {
		return fmt.Sprintf("-0x%x", -v)
	}
	return fmt.Sprintf("0x%x", v)
}

// Comparison is the outcome of comparing a run with the simulator.
type Comparison struct {
	Events     int       `json:"events"`
	Elements   int64     `json:"elements_compared"`
	Mismatches int64     `json:"mismatches"`
	First      *Mismatch `json:"first_mismatch,omitempty"`
}

// OK reports whether every bit matched.
func (c *Comparison) OK() bool { return c.Mismatches == 0 }

func (c *Comparison) String() string {
	if c.OK() {
		return fmt.Sprintf("%d events, %d output elements: bit-exact", c.Events, c.Elements)
	}
	return fmt.Sprintf("%d mismatching elements in %d events; first: %s (and %d further mismatches)",
		c.Mismatches, c.Events, c.First, c.Mismatches-1)
}

// Compare checks got against want (the simulator's outputs, in graph
// output order) code by code.
func Compare(g *ir.Graph, want, got []sim.Codes) (*Comparison, error) {
	if len(want) != len(got) {
		return nil, fmt.Errorf("%d outputs, expected %d", len(got), len(want))
	}
	res := &Comparison{}
	for o := range want {
		w, gt := want[o], got[o]
		if w.Events != gt.Events || len(w.Data) != len(gt.Data) {
			return nil, fmt.Errorf("output %s: %d events (%d values), expected %d events (%d values)",
				g.Outputs[o], gt.Events, len(gt.Data), w.Events, len(w.Data))
		}
		res.Events = w.Events
		size := w.Shape.Size()
		for i := range w.Data {
			res.Elements++
			if w.Data[i] == gt.Data[i] {
				continue
			}
			res.Mismatches++
			if res.First == nil || i/size < res.First.Event {
				m := &Mismatch{Event: i / size, Output: g.Outputs[o], Element: i % size,
					Expected: w.Data[i], Got: gt.Data[i], Type: w.Type.String()}
				switch w.Type.Kind {
				case ir.Fixed:
					m.WantReal, m.GotReal = w.Type.Fixed.Float(w.Data[i]), w.Type.Fixed.Float(gt.Data[i])
				case ir.Int32: // indices and counts: the value is the code
					m.WantReal, m.GotReal = float64(w.Data[i]), float64(gt.Data[i])
				}
				res.First = m
			}
		}
	}
	return res, nil
}

// TiePattern rebuilds one event's vertex features x [N,F] of type X with
// tie pattern 0..3 (see tieEvents); the mirror pattern also rewrites the
// mask valid (vOn/vOff codes) when it has N entries. The HLS tests use it
// too.
func TiePattern(pattern int, x, valid []int64, N, F int, X fixed.Type, vOn, vOff int64, r *rand.Rand) {
	one := int64(1) << min(max(X.Frac(), 0), 62) // the code of 1.0 (or of one LSB)
	clamp := func(c int64) int64 { return min(max(c, X.MinCode()), X.MaxCode()) }
	switch pattern {
	case 0: // duplicates
		src := make([]int, 1+r.IntN(4))
		for k := range src {
			src[k] = r.IntN(N)
		}
		for v := 0; v < N; v++ {
			s := src[r.IntN(len(src))]
			copy(x[v*F:(v+1)*F], x[s*F:(s+1)*F])
		}
	case 1: // lattice
		for k := range x {
			x[k] = clamp(int64(r.IntN(5)-2) * one)
		}
	case 2: // mirrors around a centre
		for k := range x {
			x[k] = clamp(int64(r.IntN(3)-1) * one)
		}
		perm := r.Perm(N)
		c := perm[0]
		if valid != nil && len(valid) == N {
			for v := range valid {
				valid[v] = vOff
			}
			valid[c] = vOn
		}
		pairs := min(4+r.IntN(12), (N-1)/2)
		for p := 0; p < pairs; p++ {
			f, d := r.IntN(F), int64(1+r.IntN(3))*one
			for s, v := range []int{perm[1+2*p], perm[2+2*p]} {
				copy(x[v*F:(v+1)*F], x[c*F:(c+1)*F])
				x[v*F+f] = clamp(x[c*F+f] + d*int64(1-2*s))
				if valid != nil && len(valid) == N {
					valid[v] = vOn
				}
			}
		}
	case 3: // a few distinct codes per feature
		for f := 0; f < F; f++ {
			codes := [3]int64{}
			for k := range codes {
				codes[k] = clamp(int64(r.IntN(9)-4) * one / 2)
			}
			for v := 0; v < N; v++ {
				x[v*F+f] = codes[r.IntN(3)]
			}
		}
	}
}
