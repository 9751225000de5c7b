package fixed

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestIntBitsFor(t *testing.T) {
	tests := []struct {
		maxAbs         float64
		signed, usignd int
	}{
		{0, 1, 0},
		{math.Copysign(0, -1), 1, 0},
		{4, 4, 3}, // +4 does not fit I=3 signed (max < 4)
		{math.Nextafter(4, 0), 3, 2},
		{math.Nextafter(4, 5), 4, 3},
		{1, 2, 1},
		{math.Nextafter(1, 0), 1, 0},
		{0.5, 1, 0},
		{0.1, -2, -3},
		{-4, 4, 3},
		{127, 8, 7},
		{128, 9, 8},
		{1 << 62, 64, 63},
		{math.MaxFloat64, 1025, 1024},
		{math.SmallestNonzeroFloat64, -1072, -1073},
	}
	for _, tc := range tests {
		if got := IntBitsFor(tc.maxAbs, true); got != tc.signed {
			t.Errorf("IntBitsFor(%g, signed) = %d, want %d", tc.maxAbs, got, tc.signed)
		}
		if got := IntBitsFor(tc.maxAbs, false); got != tc.usignd {
			t.Errorf("IntBitsFor(%g, unsigned) = %d, want %d", tc.maxAbs, got, tc.usignd)
		}
	}
	// Property: maxAbs fits I (no overflow under TRN/SAT at a fine grid) and
	// does not fit I-1.
	rng := rand.New(rand.NewPCG(seed, 11))
	for range 10000 {
		x := math.Ldexp(rng.Float64()+0.5, rng.IntN(200)-100)
		if rng.IntN(4) == 0 {
			x = math.Ldexp(1, rng.IntN(200)-100) // exact powers of two
		}
		for _, signed := range []bool{true, false} {
			i := IntBitsFor(x, signed)
			lim := math.Ldexp(1, i) // 2^I, and 2^(I-1) when signed
			if signed {
				lim /= 2
			}
			if !(x < lim && x >= lim/2) {
				t.Fatalf("IntBitsFor(%g, %v) = %d: limit %g", x, signed, i, lim)
			}
			typ := Type{Signed: signed, Width: 60, Int: i, Overflow: SAT}
			if _, ev, _ := typ.FromFloat(x); ev != NoOverflow {
				t.Fatalf("%g overflows %v", x, typ)
			}
			if signed {
				if _, ev, _ := typ.FromFloat(-x); ev != NoOverflow {
					t.Fatalf("%g overflows %v", -x, typ)
				}
			}
			typ.Int--
			if _, ev, _ := typ.FromFloat(x); ev == NoOverflow {
				t.Fatalf("%g fits %v: IntBitsFor not minimal", x, typ)
			}
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("IntBitsFor(%g) did not panic", bad)
				}
			}()
			IntBitsFor(bad, true)
		}()
	}
}

func TestBitsForRange(t *testing.T) {
	tests := []struct {
		min, max int64
		width    int
		signed   bool
	}{
		{0, 0, 1, false},
		{0, 1, 1, false},
		{0, 2, 2, false},
		{0, 255, 8, false},
		{0, 256, 9, false},
		{5, 7, 3, false},
		{0, math.MaxInt64, 63, false},
		{-1, 0, 1, true},
		{-1, -1, 1, true},
		{-2, 0, 2, true},
		{-1, 1, 2, true},
		{-128, 127, 8, true},
		{-129, 127, 9, true},
		{-128, 128, 9, true},
		{-5, -3, 4, true},
		{math.MinInt64, 0, 64, true},
		{math.MinInt64, math.MaxInt64, 64, true},
		{-1, math.MaxInt64, 64, true},
	}
	for _, tc := range tests {
		w, s := BitsForRange(tc.min, tc.max)
		if w != tc.width || s != tc.signed {
			t.Errorf("BitsForRange(%d, %d) = %d, %v; want %d, %v", tc.min, tc.max, w, s, tc.width, tc.signed)
		}
	}
	// Property: the range fits the returned width, and not one bit less.
	rng := rand.New(rand.NewPCG(seed, 12))
	for range 10000 {
		a := int64(rng.Uint64()) >> rng.IntN(64)
		b := int64(rng.Uint64()) >> rng.IntN(64)
		if rng.IntN(3) == 0 {
			a = max(a, 0)
		}
		lo, hi := min(a, b), max(a, b)
		w, s := BitsForRange(lo, hi)
		typ := Type{Signed: s, Width: w, Int: w}
		if lo < typ.MinCode() || hi > typ.MaxCode() {
			t.Fatalf("BitsForRange(%d, %d) = %d, %v: does not fit", lo, hi, w, s)
		}
		if w > 1 {
			typ.Width--
			if lo >= typ.MinCode() && hi <= typ.MaxCode() {
				t.Fatalf("BitsForRange(%d, %d) = %d, %v: not minimal", lo, hi, w, s)
			}
		}
		if s != (lo < 0) {
			t.Fatalf("BitsForRange(%d, %d): signed = %v", lo, hi, s)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("BitsForRange(1, 0) did not panic")
		}
	}()
	BitsForRange(1, 0)
}
