package fixed

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

const seed = 0x5eed_f1ced

// propIters is the number of random conversions per (rounding, overflow,
// signedness) combination.
func propIters() int {
	if testing.Short() {
		return 2000
	}
	return 20000
}

// randType draws a valid type with the given modes: any width, and I spread
// around the interesting region (I in 0..W), far outside it (I > W, I < 0)
// and at the extremes allowed by Validate.
func randType(rng *rand.Rand, signed bool, r Rounding, o Overflow) Type {
	maxW := 64
	if !signed {
		maxW = 63
	}
	w := 1 + rng.IntN(maxW)
	var i int
	switch rng.IntN(10) {
	case 0, 1, 2:
		i = rng.IntN(w + 1) // 0..W
	case 3, 4:
		i = w + 1 + rng.IntN(100) // I > W: F < 0
	case 5, 6:
		i = -1 - rng.IntN(100) // I < 0: F > W
	case 7:
		i = w + rng.IntN(7) - 3
	case 8:
		i = rng.IntN(601) - 300
	default:
		i = []int{MaxAbsInt, -MaxAbsInt, MaxAbsInt - 1, -MaxAbsInt + 1, 1, 0, -1}[rng.IntN(7)]
	}
	return Type{Signed: signed, Width: w, Int: i, Rounding: r, Overflow: o}
}

var extremeCodes = []int64{
	math.MinInt64, math.MinInt64 + 1, math.MaxInt64, math.MaxInt64 - 1,
	0, 1, -1, 2, -2, 1 << 62, -1 << 62, 1<<53 + 1, -(1<<53 + 1),
}

// randFrac draws a source frac relative to the target's F: mostly small
// shifts in both directions, often |shift| >= 64, sometimes the int extremes.
func randFrac(rng *rand.Rand, t Type) int {
	f := t.Frac()
	switch rng.IntN(10) {
	case 0, 1, 2, 3:
		return f + rng.IntN(141) - 70
	case 4:
		return f + rng.IntN(601) - 300
	case 5:
		return f + []int{0, 1, -1, 62, 63, 64, 65, -62, -63, -64, -65, 128, -128, 129, -129}[rng.IntN(15)]
	case 6:
		return []int{math.MaxInt, math.MinInt, math.MaxInt - 1, math.MinInt + 1,
			fracClamp, -fracClamp, fracClamp + 1, -fracClamp - 1, 0}[rng.IntN(9)]
	default:
		return f + rng.IntN(21) - 10
	}
}

// randCode draws a source code for a conversion shifted by s = frac - F bits:
// uniform, extreme, all magnitudes, exact and near half-way points of the
// target grid, and values near the target's range boundaries.
func randCode(rng *rand.Rand, t Type, frac int) int64 {
	s := frac - t.Frac()
	delta := rng.Int64N(5) - 2
	switch rng.IntN(8) {
	case 0:
		return int64(rng.Uint64())
	case 1:
		return extremeCodes[rng.IntN(len(extremeCodes))]
	case 2: // any magnitude, either sign
		c := rng.Int64() >> rng.IntN(64)
		if rng.IntN(2) == 0 {
			c = -c
		}
		return c
	case 3, 4: // near a half-way point (or exact grid point) of the target
		if s >= 1 && s <= 63 {
			k := rng.Int64N(1<<16) - 1<<15
			if rng.IntN(3) == 0 {
				k = int64(rng.Uint64()) >> s // anywhere
			}
			c := k << s
			if rng.IntN(4) != 0 {
				c += 1 << (s - 1) // the tie itself
			}
			return c + delta/2 // -1, 0, +1 around it
		}
		return rng.Int64N(64) - 32
	default: // near MinCode/MaxCode of the target, aligned to the source grid
		b := t.MaxCode() + delta
		if rng.IntN(2) == 0 {
			b = t.MinCode() + delta
		}
		switch {
		case s >= 0 && s < 63:
			c := b << s
			switch rng.IntN(4) {
			case 0:
				c += 1 << s >> 1 // tie
			case 1:
				c += rng.Int64N(1<<s + 1)
			case 2:
				c--
			}
			return c
		case s < 0 && s > -64:
			return b>>-s + delta
		}
		return b
	}
}

func TestConvertMatchesOracle(t *testing.T) {
	n := propIters()
	for r := range numRoundings {
		for o := range numOverflows {
			for _, signed := range []bool{true, false} {
				name := fmt.Sprintf("%v/%v/signed=%v", r, o, signed)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					sb := uint64(0)
					if signed {
						sb = 1
					}
					rng := rand.New(rand.NewPCG(seed, uint64(r)<<8|uint64(o)<<1|sb))
					fails := 0
					for range n {
						typ := randType(rng, signed, r, o)
						frac := randFrac(rng, typ)
						code := randCode(rng, typ, frac)
						gotC, gotE := typ.Convert(code, frac)
						wantC, wantE := oracleConvert(typ, code, frac)
						if gotC != wantC || gotE != wantE {
							t.Errorf("%v.Convert(%d, %d) = %d, %v; oracle %d, %v", typ, code, frac, gotC, gotE, wantC, wantE)
							if fails++; fails > 10 {
								t.FailNow()
							}
						}
						if gotC < typ.MinCode() || gotC > typ.MaxCode() {
							t.Fatalf("%v.Convert(%d, %d) = %d outside [%d, %d]", typ, code, frac, gotC, typ.MinCode(), typ.MaxCode())
						}
					}
				})
			}
		}
	}
}

// randFloat draws float64 values of every class, biased toward the
// neighbourhood of the type's grid and range.
func randFloat(rng *rand.Rand, t Type) float64 {
	switch rng.IntN(8) {
	case 0: // any bit pattern except NaN (huge, tiny, Inf, -0, ...)
		for {
			x := math.Float64frombits(rng.Uint64())
			if !math.IsNaN(x) {
				return x
			}
		}
	case 1: // subnormals and zeros
		x := math.Float64frombits(rng.Uint64() & (1<<52 - 1))
		if rng.IntN(8) == 0 {
			x = 0
		}
		if rng.IntN(2) == 0 {
			x = -x
		}
		return x
	case 2: // exact half-way points of the grid: (k + 1/2) * 2^-F
		k := float64(rng.Int64N(1<<20) - 1<<19)
		return math.Ldexp(k+0.5, -t.Frac())
	case 3: // values near the range limits
		c := t.MaxCode()
		if rng.IntN(2) == 0 {
			c = t.MinCode()
		}
		return math.Ldexp(float64(c)+float64(rng.IntN(9)-4)/4, -t.Frac())
	case 4:
		return []float64{math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64,
			-math.SmallestNonzeroFloat64, 0x1p-1022, -0x1p-1022, 1, -1, 0.5, -0.5,
			math.Copysign(0, -1)}[rng.IntN(11)]
	default: // random 53-bit significand around the grid, fine or coarse
		m := float64(rng.Int64N(1<<53) - 1<<52)
		return math.Ldexp(m, -t.Frac()-53+rng.IntN(121)-60)
	}
}

func TestFromFloatMatchesOracle(t *testing.T) {
	n := propIters() / 2
	for r := range numRoundings {
		for o := range numOverflows {
			for _, signed := range []bool{true, false} {
				name := fmt.Sprintf("%v/%v/signed=%v", r, o, signed)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					sb := uint64(0)
					if signed {
						sb = 1
					}
					rng := rand.New(rand.NewPCG(seed+1, uint64(r)<<8|uint64(o)<<1|sb))
					for range n {
						typ := randType(rng, signed, r, o)
						if typ.Int > 1100 || typ.Int < -1200 {
							typ.Int = rng.IntN(2301) - 1200 // keep the grid near float64's range
						}
						x := randFloat(rng, typ)
						gotC, gotE, err := typ.FromFloat(x)
						if err != nil {
							t.Fatalf("%v.FromFloat(%g): %v", typ, x, err)
						}
						var wantC int64
						var wantE Event
						if math.IsInf(x, 0) {
							wantC, wantE = expectInf(typ, x < 0)
						} else {
							v, acc := new(big.Float).SetFloat64(x).Rat(nil)
							if acc != big.Exact {
								t.Fatalf("big.Float.Rat(%g) inexact", x)
							}
							wantC, wantE = oracleFromRat(typ, v)
						}
						if gotC != wantC || gotE != wantE {
							t.Fatalf("%v.FromFloat(%g = %x) = %d, %v; oracle %d, %v", typ, x, x, gotC, gotE, wantC, wantE)
						}
					}
				})
			}
		}
	}
}

// expectInf is the documented FromFloat result for ±Inf.
func expectInf(t Type, neg bool) (int64, Event) {
	switch t.Overflow {
	case WRAP:
		return 0, Wrapped
	case SAT_ZERO:
		return 0, Zeroed
	case SAT:
		if neg {
			return t.MinCode(), Saturated
		}
		return t.MaxCode(), Saturated
	default: // SAT_SYM
		if !neg {
			return t.MaxCode(), Saturated
		}
		if !t.Signed {
			return 0, Saturated
		}
		if t.Width == 1 {
			return -1, Saturated
		}
		return t.MinCode() + 1, Saturated
	}
}

func TestFromFloatSpecial(t *testing.T) {
	typ := Type{Signed: true, Width: 8, Int: 4, Rounding: RND, Overflow: SAT}
	if _, _, err := typ.FromFloat(math.NaN()); err == nil {
		t.Error("FromFloat(NaN): want error")
	}
	if _, _, err := (Type{Width: 0}).FromFloat(1); err == nil {
		t.Error("FromFloat on invalid type: want error")
	}
	for _, tc := range []struct {
		x    float64
		typ  Type
		code int64
		ev   Event
	}{
		{math.Copysign(0, -1), typ, 0, NoOverflow},
		{math.Inf(1), typ, 127, Saturated},
		{math.Inf(-1), typ, -128, Saturated},
		{math.Inf(1), Type{Signed: true, Width: 8, Int: 4}, 0, Wrapped},
		{math.Inf(-1), Type{Signed: true, Width: 8, Int: 4, Overflow: SAT_ZERO}, 0, Zeroed},
		{math.Inf(-1), Type{Signed: true, Width: 8, Int: 4, Overflow: SAT_SYM}, -127, Saturated},
		{math.Inf(-1), Type{Width: 8, Int: 4, Overflow: SAT_SYM}, 0, Saturated},
		// Smallest subnormal: TRN floors negatives to -1 ulp, RND gives 0.
		{-math.SmallestNonzeroFloat64, Type{Signed: true, Width: 8, Int: 4}, -1, NoOverflow},
		{-math.SmallestNonzeroFloat64, typ, 0, NoOverflow},
		// A type fine enough to resolve it: 2^-1074 = code 1 at F = 1074.
		{math.SmallestNonzeroFloat64, Type{Signed: true, Width: 8, Int: -1066}, 1, NoOverflow},
		{math.MaxFloat64, typ, 127, Saturated},
		{7.96875, typ, 127, Saturated},    // 127.5 ulps -> RND 128 -> saturates
		{7.9375, typ, 127, NoOverflow},    // exactly 127 ulps
		{-8.03125, typ, -128, NoOverflow}, // -128.5 ulps -> RND (ties up) -128
	} {
		c, ev, err := tc.typ.FromFloat(tc.x)
		if err != nil || c != tc.code || ev != tc.ev {
			t.Errorf("%v.FromFloat(%g) = %d, %v, %v; want %d, %v", tc.typ, tc.x, c, ev, err, tc.code, tc.ev)
		}
	}
}

// TestConvertTable pins well-known cases, several of them taken from the
// UG1399 quantisation and overflow mode examples.
func TestConvertTable(t *testing.T) {
	fx := func(w, i int, r Rounding, o Overflow) Type {
		return Type{Signed: true, Width: w, Int: i, Rounding: r, Overflow: o}
	}
	ufx := func(w, i int, r Rounding, o Overflow) Type {
		return Type{Width: w, Int: i, Rounding: r, Overflow: o}
	}
	tests := []struct {
		name string
		typ  Type
		x    float64 // converted with FromFloat and, when exact in 2^-8 steps, with Convert(x*256, 8)
		code int64
		ev   Event
	}{
		// ap_fixed<4,2,AP_RND_CONV>: ulp 0.25; 0.375 is 1.5 ulps -> even 2 = 0.5.
		{"conv 0.375", fx(4, 2, RND_CONV, WRAP), 0.375, 2, NoOverflow},
		{"conv 0.125", fx(4, 2, RND_CONV, WRAP), 0.125, 0, NoOverflow},
		{"conv 0.625", fx(4, 2, RND_CONV, WRAP), 0.625, 2, NoOverflow},
		{"conv -0.375", fx(4, 2, RND_CONV, WRAP), -0.375, -2, NoOverflow},

		// -1.5 and +1.5 on the integer grid, every rounding mode.
		{"-1.5 TRN", fx(8, 8, TRN, WRAP), -1.5, -2, NoOverflow},
		{"-1.5 TRN_ZERO", fx(8, 8, TRN_ZERO, WRAP), -1.5, -1, NoOverflow},
		{"-1.5 RND", fx(8, 8, RND, WRAP), -1.5, -1, NoOverflow},
		{"-1.5 RND_ZERO", fx(8, 8, RND_ZERO, WRAP), -1.5, -1, NoOverflow},
		{"-1.5 RND_MIN_INF", fx(8, 8, RND_MIN_INF, WRAP), -1.5, -2, NoOverflow},
		{"-1.5 RND_INF", fx(8, 8, RND_INF, WRAP), -1.5, -2, NoOverflow},
		{"-1.5 RND_CONV", fx(8, 8, RND_CONV, WRAP), -1.5, -2, NoOverflow},
		{"+1.5 TRN", fx(8, 8, TRN, WRAP), 1.5, 1, NoOverflow},
		{"+1.5 TRN_ZERO", fx(8, 8, TRN_ZERO, WRAP), 1.5, 1, NoOverflow},
		{"+1.5 RND", fx(8, 8, RND, WRAP), 1.5, 2, NoOverflow},
		{"+1.5 RND_ZERO", fx(8, 8, RND_ZERO, WRAP), 1.5, 1, NoOverflow},
		{"+1.5 RND_MIN_INF", fx(8, 8, RND_MIN_INF, WRAP), 1.5, 1, NoOverflow},
		{"+1.5 RND_INF", fx(8, 8, RND_INF, WRAP), 1.5, 2, NoOverflow},
		{"+1.5 RND_CONV", fx(8, 8, RND_CONV, WRAP), 1.5, 2, NoOverflow},
		{"-2.5 RND_CONV", fx(8, 8, RND_CONV, WRAP), -2.5, -2, NoOverflow},
		{"+2.5 RND_CONV", fx(8, 8, RND_CONV, WRAP), 2.5, 2, NoOverflow},
		{"-1.25 TRN", fx(8, 8, TRN, WRAP), -1.25, -2, NoOverflow},
		{"-1.25 TRN_ZERO", fx(8, 8, TRN_ZERO, WRAP), -1.25, -1, NoOverflow},
		{"-1.25 RND_MIN_INF", fx(8, 8, RND_MIN_INF, WRAP), -1.25, -1, NoOverflow},
		{"-1.75 TRN_ZERO", fx(8, 8, TRN_ZERO, WRAP), -1.75, -1, NoOverflow},
		{"-1.75 RND", fx(8, 8, RND, WRAP), -1.75, -2, NoOverflow},

		// UG1399 quantisation examples, ap_fixed<3,2,Q,AP_SAT> (ulp 0.5).
		{"ug RND 1.25", fx(3, 2, RND, SAT), 1.25, 3, NoOverflow},
		{"ug RND -1.25", fx(3, 2, RND, SAT), -1.25, -2, NoOverflow},
		{"ug RND_ZERO 1.25", fx(3, 2, RND_ZERO, SAT), 1.25, 2, NoOverflow},
		{"ug RND_ZERO -1.25", fx(3, 2, RND_ZERO, SAT), -1.25, -2, NoOverflow},
		{"ug RND_MIN_INF 1.25", fx(3, 2, RND_MIN_INF, SAT), 1.25, 2, NoOverflow},
		{"ug RND_MIN_INF -1.25", fx(3, 2, RND_MIN_INF, SAT), -1.25, -3, NoOverflow},
		{"ug RND_INF 1.25", fx(3, 2, RND_INF, SAT), 1.25, 3, NoOverflow},
		{"ug RND_INF -1.25", fx(3, 2, RND_INF, SAT), -1.25, -3, NoOverflow},
		{"ug RND_CONV 0.75", fx(3, 2, RND_CONV, SAT), 0.75, 2, NoOverflow},
		{"ug RND_CONV -1.25", fx(3, 2, RND_CONV, SAT), -1.25, -2, NoOverflow},
		{"ug TRN 1.25", fx(3, 2, TRN, SAT), 1.25, 2, NoOverflow},
		{"ug TRN -1.25", fx(3, 2, TRN, SAT), -1.25, -3, NoOverflow},
		{"ug TRN_ZERO 1.25", fx(3, 2, TRN_ZERO, SAT), 1.25, 2, NoOverflow},
		{"ug TRN_ZERO -1.25", fx(3, 2, TRN_ZERO, SAT), -1.25, -2, NoOverflow},

		// UG1399 overflow examples, ap_[u]fixed<4,4,AP_RND,O> of ±19.
		{"ug SAT 19", fx(4, 4, RND, SAT), 19, 7, Saturated},
		{"ug SAT -19", fx(4, 4, RND, SAT), -19, -8, Saturated},
		{"ug usat 19", ufx(4, 4, RND, SAT), 19, 15, Saturated},
		{"ug usat -19", ufx(4, 4, RND, SAT), -19, 0, Saturated},
		{"ug SAT_ZERO 19", fx(4, 4, RND, SAT_ZERO), 19, 0, Zeroed},
		{"ug SAT_ZERO -19", fx(4, 4, RND, SAT_ZERO), -19, 0, Zeroed},
		{"ug usat_zero 19", ufx(4, 4, RND, SAT_ZERO), 19, 0, Zeroed},
		{"ug usat_zero -19", ufx(4, 4, RND, SAT_ZERO), -19, 0, Zeroed},
		{"ug SAT_SYM 19", fx(4, 4, RND, SAT_SYM), 19, 7, Saturated},
		{"ug SAT_SYM -19", fx(4, 4, RND, SAT_SYM), -19, -7, Saturated},
		{"ug usat_sym 19", ufx(4, 4, RND, SAT_SYM), 19, 15, Saturated},
		{"ug usat_sym -19", ufx(4, 4, RND, SAT_SYM), -19, 0, Saturated},
		{"ug WRAP 19", fx(4, 4, RND, WRAP), 19, 3, Wrapped},
		{"ug WRAP -19", fx(4, 4, RND, WRAP), -19, -3, Wrapped},

		// SAT_SYM and the most negative code.
		{"sym -128", fx(8, 8, TRN, SAT_SYM), -128, -127, Saturated},
		{"sym -127", fx(8, 8, TRN, SAT_SYM), -127, -127, NoOverflow},
		{"sym -128.5 RND", fx(8, 8, RND, SAT_SYM), -128.5, -127, Saturated}, // rounds to -128 first
		{"sym -127.5 TRN", fx(8, 8, TRN, SAT_SYM), -127.5, -127, Saturated}, // floors to -128
		{"sym -127.5 RND", fx(8, 8, RND, SAT_SYM), -127.5, -127, NoOverflow},
		{"sat -128", fx(8, 8, TRN, SAT), -128, -128, NoOverflow},
		{"sym W=1 -1", fx(1, 1, TRN, SAT_SYM), -1, -1, Saturated}, // ap_fixed: (1<<0)|1 = -1
		{"sym W=1 -5", fx(1, 1, TRN, SAT_SYM), -5, -1, Saturated},
		{"sym W=1 +1", fx(1, 1, TRN, SAT_SYM), 1, 0, Saturated},
		{"sym W=1 0", fx(1, 1, TRN, SAT_SYM), 0, 0, NoOverflow},
		{"usym 0", ufx(8, 8, TRN, SAT_SYM), 0, 0, NoOverflow},

		// Unsigned targets with negative inputs, each overflow mode.
		{"u -3 WRAP", ufx(8, 8, TRN, WRAP), -3, 253, Wrapped},
		{"u -3 SAT", ufx(8, 8, TRN, SAT), -3, 0, Saturated},
		{"u -3 SAT_ZERO", ufx(8, 8, TRN, SAT_ZERO), -3, 0, Zeroed},
		{"u -3 SAT_SYM", ufx(8, 8, TRN, SAT_SYM), -3, 0, Saturated},
		{"u -0.25 RND", ufx(8, 8, RND, SAT), -0.25, 0, NoOverflow}, // rounds to 0: no overflow
		{"u -0.25 TRN SAT", ufx(8, 8, TRN, SAT), -0.25, 0, Saturated},
		{"u -0.25 TRN WRAP", ufx(8, 8, TRN, WRAP), -0.25, 255, Wrapped},
		{"u -0.25 TRN_ZERO", ufx(8, 8, TRN_ZERO, SAT), -0.25, 0, NoOverflow},

		// WRAP.
		{"wrap 200", fx(8, 8, TRN, WRAP), 200, -56, Wrapped},
		{"wrap 127.5 RND", fx(8, 8, RND, WRAP), 127.5, -128, Wrapped},
		{"sat 127.5 RND", fx(8, 8, RND, SAT), 127.5, 127, Saturated},
		{"uwrap 256", ufx(8, 8, TRN, WRAP), 256, 0, Wrapped},

		// I > W (LSB weighs 16) and I < 0 (MSB weighs 1/8).
		{"I>W 100 TRN", fx(4, 8, TRN, SAT), 100, 6, NoOverflow},
		{"I>W 100 RND", fx(4, 8, RND, SAT), 100, 6, NoOverflow},
		{"I>W 104 RND", fx(4, 8, RND, SAT), 104, 7, NoOverflow},
		{"I>W 120 RND", fx(4, 8, RND, SAT), 120, 7, Saturated},
		{"I>W -128", fx(4, 8, TRN, SAT), -128, -8, NoOverflow},
		{"I<0 0.1", ufx(4, -2, RND, SAT), 0.1, 6, NoOverflow}, // 6.4/64
		{"I<0 0.25", ufx(4, -2, RND, SAT), 0.25, 15, Saturated},
		{"I<0 0.2", ufx(4, -2, RND, WRAP), 0.2, 13, NoOverflow}, // 12.8 -> 13
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, ev, err := tc.typ.FromFloat(tc.x)
			if err != nil || c != tc.code || ev != tc.ev {
				t.Errorf("%v.FromFloat(%g) = %d, %v, %v; want %d, %v", tc.typ, tc.x, c, ev, err, tc.code, tc.ev)
			}
			if sc := tc.x * 256; sc == math.Trunc(sc) && math.Abs(sc) < 1<<62 {
				c, ev := tc.typ.Convert(int64(sc), 8)
				if c != tc.code || ev != tc.ev {
					t.Errorf("%v.Convert(%d, 8) = %d, %v; want %d, %v", tc.typ, int64(sc), c, ev, tc.code, tc.ev)
				}
			}
		})
	}
}

// TestConvertExtremes pins shifts far beyond 64 bits and int64 extremes, where
// the alignment itself would overflow.
func TestConvertExtremes(t *testing.T) {
	s64 := Type{Signed: true, Width: 64, Int: 64, Overflow: SAT}
	s8 := Type{Signed: true, Width: 8, Int: 8}
	tests := []struct {
		typ  Type
		code int64
		frac int
		want int64
		ev   Event
	}{
		{s64, math.MinInt64, 0, math.MinInt64, NoOverflow},
		{s64, math.MaxInt64, 0, math.MaxInt64, NoOverflow},
		{s64, math.MinInt64, -1, math.MinInt64, Saturated},
		{s64, math.MaxInt64, -1, math.MaxInt64, Saturated},
		{s64, -1, -63, math.MinInt64, NoOverflow},
		{s64, 1, -63, math.MaxInt64, Saturated},
		{s64, -1, -64, math.MinInt64, Saturated},
		{s64, 3, math.MinInt, math.MaxInt64, Saturated},
		{s64, -3, math.MinInt, math.MinInt64, Saturated},
		{s8, 3, math.MinInt, 0, Wrapped},
		{s8, 5, -5, -96, Wrapped}, // 160 wraps to -96
		{s8, 1, -7, -128, Wrapped},
		{s8, math.MaxInt64, math.MaxInt, 0, NoOverflow},
		{s8, math.MinInt64, math.MaxInt, -1, NoOverflow}, // TRN floors the tiny negative
		{s8, math.MinInt64, 63, -1, NoOverflow},
		{s8, math.MinInt64, 64, -1, NoOverflow},
		{s8, math.MinInt64, 62, -2, NoOverflow},
		{Type{Signed: true, Width: 8, Int: 8, Rounding: RND}, math.MinInt64, 64, 0, NoOverflow}, // -0.5 ties up
		{Type{Signed: true, Width: 8, Int: 8, Rounding: RND_INF}, math.MinInt64, 64, -1, NoOverflow},
		{Type{Signed: true, Width: 8, Int: 8, Rounding: RND_CONV}, math.MinInt64, 64, 0, NoOverflow},
		{Type{Signed: true, Width: 8, Int: 8, Rounding: TRN_ZERO}, math.MinInt64, math.MaxInt, 0, NoOverflow},
		{Type{Width: 8, Int: 8, Overflow: SAT}, math.MinInt64, math.MaxInt, 0, Saturated}, // floor -1
		{Type{Width: 63, Int: 63, Overflow: SAT}, math.MaxInt64, 0, 1<<63 - 1, NoOverflow},
		{Type{Width: 63, Int: 63, Overflow: SAT}, -1, 0, 0, Saturated},
		{Type{Width: 63, Int: 63, Overflow: SAT}, 1, -63, 1<<63 - 1, Saturated},
		{Type{Width: 63, Int: 63}, -1, 0, 1<<63 - 1, Wrapped},
		{Type{Signed: true, Width: 8, Int: MaxAbsInt}, 1, math.MinInt, 0, Wrapped},
		{Type{Signed: true, Width: 8, Int: -MaxAbsInt, Overflow: SAT}, 1, math.MinInt, 127, Saturated},
		{Type{Signed: true, Width: 8, Int: -MaxAbsInt}, -1, math.MaxInt, -1, NoOverflow},
	}
	for _, tc := range tests {
		c, ev := tc.typ.Convert(tc.code, tc.frac)
		if c != tc.want || ev != tc.ev {
			t.Errorf("%v.Convert(%d, %d) = %d, %v; want %d, %v", tc.typ, tc.code, tc.frac, c, ev, tc.want, tc.ev)
		}
		if oc, oe := oracleConvert(tc.typ, tc.code, tc.frac); oc != tc.want || oe != tc.ev {
			t.Errorf("oracle disagrees with the table for %v.Convert(%d, %d): %d, %v", tc.typ, tc.code, tc.frac, oc, oe)
		}
	}
}

func TestConvertPanicsOnInvalidType(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Convert on a zero Type did not panic")
		}
	}()
	Type{}.Convert(1, 0)
}

// TestConvertIdentity: converting a code of t into t itself never changes it
// (except SAT_SYM's most negative code).
func TestConvertIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 99))
	for range 20000 {
		typ := randType(rng, rng.IntN(2) == 0, Rounding(rng.IntN(int(numRoundings))), Overflow(rng.IntN(int(numOverflows))))
		span := uint64(typ.MaxCode()-typ.MinCode()) + 1 // 0 means 2^64
		var c int64
		if span == 0 {
			c = int64(rng.Uint64())
		} else {
			c = typ.MinCode() + int64(rng.Uint64N(span))
		}
		got, ev := typ.Convert(c, typ.Frac())
		if typ.Overflow == SAT_SYM && typ.Signed && c == typ.MinCode() {
			continue
		}
		if got != c || ev != NoOverflow {
			t.Fatalf("%v.Convert(%d, F) = %d, %v", typ, c, got, ev)
		}
	}
}

func TestFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 7))
	check := func(typ Type, code int64) {
		t.Helper()
		x := new(big.Float).SetInt64(code)
		x.SetMantExp(x, -typ.Frac())
		want, _ := x.Float64()
		if got := typ.Float(code); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("%v.Float(%d) = %g, want %g", typ, code, got, want)
		}
		// Exact whenever the value is a float64: round trip through FromFloat.
		if f := typ.Float(code); !math.IsInf(f, 0) && code >= typ.MinCode() && code <= typ.MaxCode() {
			if v, _ := new(big.Float).SetFloat64(f).Rat(nil); v.Cmp(mustRat(x)) == 0 {
				if back, ev, _ := typ.FromFloat(f); back != code && !(typ.Overflow == SAT_SYM && typ.Signed && code == typ.MinCode()) {
					t.Fatalf("%v: FromFloat(Float(%d)) = %d, %v", typ, code, back, ev)
				}
			}
		}
	}
	for _, tc := range []struct {
		typ  Type
		code int64
		want float64
	}{
		{Type{Signed: true, Width: 8, Int: 4}, -128, -8},
		{Type{Signed: true, Width: 8, Int: 4}, 1, 0.0625},
		{Type{Signed: true, Width: 4, Int: 8}, -3, -48},
		{Type{Width: 4, Int: -2}, 15, 15.0 / 64},
		{Type{Signed: true, Width: 64, Int: 64}, math.MinInt64, -0x1p63},
		{Type{Signed: true, Width: 64, Int: 64}, math.MaxInt64, 0x1p63}, // nearest
		{Type{Signed: true, Width: 64, Int: 64}, 1<<53 + 1, 0x1p53},     // tie to even
		{Type{Signed: true, Width: 8, Int: -1066}, 1, math.SmallestNonzeroFloat64},
		{Type{Signed: true, Width: 8, Int: -1067}, 1, 0},         // 2^-1075: tie to even 0
		{Type{Signed: true, Width: 8, Int: -1067}, 3, 0x1p-1073}, // 1.5 subnormal ulps -> 2
		{Type{Signed: true, Width: 8, Int: 1100}, 1, math.Inf(1)},
		{Type{Signed: true, Width: 8, Int: 0}, 0, 0},
	} {
		if got := tc.typ.Float(tc.code); got != tc.want {
			t.Errorf("%v.Float(%d) = %g, want %g", tc.typ, tc.code, got, tc.want)
		}
		check(tc.typ, tc.code)
	}
	for range 20000 {
		typ := randType(rng, rng.IntN(2) == 0, TRN, WRAP)
		if typ.Int > 1200 || typ.Int < -1200 {
			typ.Int = rng.IntN(2401) - 1200
		}
		check(typ, int64(rng.Uint64())>>rng.IntN(64))
		check(typ, typ.MinCode()+int64(rng.Uint64N(uint64(typ.MaxCode()-typ.MinCode()))))
	}
}

func mustRat(x *big.Float) *big.Rat {
	r, _ := x.Rat(nil)
	return r
}

func FuzzConvert(f *testing.F) {
	f.Add(int64(200), 0, true, uint8(8), 8, uint8(0), uint8(0))
	f.Add(int64(-128), 0, true, uint8(8), 8, uint8(0), uint8(3))
	f.Add(int64(math.MinInt64), 64, true, uint8(8), 8, uint8(6), uint8(1))
	f.Add(int64(math.MaxInt64), -70, false, uint8(63), -5, uint8(2), uint8(2))
	f.Add(int64(3), 2, true, uint8(4), 2, uint8(6), uint8(0))
	f.Add(int64(-1), math.MaxInt, false, uint8(1), 0, uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, code int64, frac int, signed bool, width uint8, intBits int, r, o uint8) {
		typ := Type{
			Signed:   signed,
			Width:    1 + int(width)%64,
			Int:      intBits % (MaxAbsInt + 1),
			Rounding: Rounding(r % uint8(numRoundings)),
			Overflow: Overflow(o % uint8(numOverflows)),
		}
		if !signed && typ.Width == 64 {
			typ.Width = 63
		}
		gotC, gotE := typ.Convert(code, frac)
		wantC, wantE := oracleConvert(typ, code, frac)
		if gotC != wantC || gotE != wantE {
			t.Fatalf("%v.Convert(%d, %d) = %d, %v; oracle %d, %v", typ, code, frac, gotC, gotE, wantC, wantE)
		}
	})
}

func BenchmarkConvert(b *testing.B) {
	typ := Type{Signed: true, Width: 16, Int: 6, Rounding: RND_CONV, Overflow: SAT}
	for i := range b.N {
		typ.Convert(int64(i)*7919, 20)
	}
}

func BenchmarkFromFloat(b *testing.B) {
	typ := Type{Signed: true, Width: 16, Int: 6, Rounding: RND_CONV, Overflow: SAT}
	for i := range b.N {
		typ.FromFloat(float64(i) * 0.001)
	}
}
