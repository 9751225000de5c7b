package hil

import (
	"strings"
	"testing"

	_ "trigo/internal/golden"
	"trigo/ir"
	"trigo/sim"
)

const tiny = `trigo-ir 1
graph tiny
input x: fixed<6,2,RND,SAT>[3]
input y: ufixed<4,4>[2]
input w: fixed<64,10>[2]
node r = relu(x) -> z: fixed<6,2,RND,SAT>[3]
output z
`

func TestVectorsCoverExtremesAndAreReproducible(t *testing.T) {
	g, err := ir.Parse(tiny)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Vectors(g, 200, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Vectors(g, 200, 7)
	c, _ := Vectors(g, 200, 8)
	same, differ := true, false
	for i := range a {
		for k := range a[i].Data {
			same = same && a[i].Data[k] == b[i].Data[k]
			differ = differ || a[i].Data[k] != c[i].Data[k]
		}
	}
	if !same || !differ {
		t.Fatalf("same seed must repeat (%v), another seed must differ (%v)", same, differ)
	}
	for i, v := range g.Inputs {
		lo, hi := v.Type.Fixed.MinCode(), v.Type.Fixed.MaxCode()
		seen := map[int64]bool{}
		for _, x := range a[i].Data {
			if x < lo || x > hi {
				t.Fatalf("input %s: code %d outside [%d,%d]", v.Name, x, lo, hi)
			}
			seen[x] = true
		}
		if !seen[lo] || !seen[hi] || !seen[0] {
			t.Fatalf("input %s: extremes not covered", v.Name)
		}
		if v.Type.Fixed.Width < 16 && len(seen) != int(hi-lo+1) {
			t.Errorf("input %s: %d of %d codes covered in 200 events", v.Name, len(seen), hi-lo+1)
		}
	}
}

func TestCompareFindsFirstMismatch(t *testing.T) {
	g, _ := ir.Parse(tiny)
	typ := g.Nodes[0].Outputs[0].Type
	want := []sim.Codes{{Events: 3, Shape: ir.Shape{3}, Type: typ, Data: []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}}}
	got := []sim.Codes{{Events: 3, Shape: ir.Shape{3}, Type: typ, Data: []int64{1, 2, 3, 4, 5, -6, 7, 8, 0}}}
	res, err := Compare(g, want, got)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Mismatches != 2 || res.First.Event != 1 || res.First.Element != 2 || res.First.Expected != 6 || res.First.Got != -6 {
		t.Fatalf("got %+v first %+v", res, res.First)
	}
	if s := res.String(); !strings.Contains(s, "event 1, output z[2]") || !strings.Contains(s, "expected 0x6 (0.375), got -0x6 (-0.375)") || !strings.Contains(s, "1 further") {
		t.Fatalf("report %q", s)
	}
	res, _ = Compare(g, want, want)
	if !res.OK() || res.Elements != 9 {
		t.Fatalf("identical runs: %+v", res)
	}
}

// TestVectorsMaskOccupancy: a graph op's vertex mask gets events of every
// occupancy, empty and full ones included, and the other inputs draw the
// same codes as without a mask.
func TestVectorsMaskOccupancy(t *testing.T) {
	g, err := ir.Parse(`trigo-ir 1
graph m
input x: fixed<6,2,RND,SAT>[8,2]
input valid: ufixed<1,1,RND_MIN_INF,SAT>[8]
node mk = mask(x, valid) -> y: fixed<6,2,RND,SAT>[8,2]
output y
`)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Vectors(g, 2000, 3)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int]int{}
	for e := 6; e < in[1].Events; e++ {
		n := 0
		for _, c := range in[1].Event(e) {
			if c != 0 && c != 1 {
				t.Fatalf("event %d: mask code %d", e, c)
			}
			n += int(c)
		}
		counts[n]++
	}
	for n := 0; n <= 8; n++ {
		if counts[n] < 100 {
			t.Errorf("%d events with %d valid vertices (of 1994): occupancy not uniform: %v", counts[n], n, counts)
		}
	}
	// x is drawn as for a graph without a mask input.
	noMask := *g
	noMask.Nodes = nil
	noMask.Outputs = []string{"x"}
	ref, err := Vectors(&noMask, 2000, 3)
	if err != nil {
		t.Fatal(err)
	}
	// ... except the tie-heavy events (every fourth from event 6), which
	// are rebuilt: duplicated rows, lattice values, mirrored pairs (with
	// their own mask) or a few codes per feature.
	ties, changed := 0, 0
	for e := 0; e < in[0].Events; e++ {
		got, want := in[0].Event(e), ref[0].Event(e)
		same := true
		for k := range want {
			same = same && got[k] == want[k]
		}
		if e >= 6 && e%4 == 2 {
			ties++
			if !same {
				changed++
			}
			continue
		}
		if !same {
			t.Fatalf("x differs in event %d: the mask changed the other inputs' codes", e)
		}
	}
	if ties < 400 || changed < ties*9/10 {
		t.Errorf("%d tie-heavy events of 2000, %d rebuilt", ties, changed)
	}
}
