package fixed

import (
	"fmt"
	"math"
	"math/bits"
)

// IntBitsFor returns the number of integer bits I needed so that every value
// in [-maxAbs, maxAbs] (signed) or [0, maxAbs] (unsigned) lies inside the
// type's range for any F: the smallest I with maxAbs < 2^(I-1) when signed,
// maxAbs < 2^I when unsigned. The inequality is strict because the largest
// value of a type is 2^(I-1) - 2^-F (signed), so +2^(I-1) itself never fits:
// 4.0 needs I = 4 signed (I = 3 tops out below 4) and I = 3 unsigned.
//
// The bound concerns the exact values only: a rounding mode that rounds up
// can still carry a value within one ulp of the maximum into overflow.
// The result may be zero or negative for maxAbs < 1 (e.g. 0.1 needs I = -2
// signed). For maxAbs == 0 it returns 1 (signed) or 0 (unsigned). The sign
// of maxAbs is ignored. It panics on NaN or ±Inf.
func IntBitsFor(maxAbs float64, signed bool) int {
	if math.IsNaN(maxAbs) || math.IsInf(maxAbs, 0) {
		panic(fmt.Sprintf("fixed: IntBitsFor(%v): not a finite value", maxAbs))
	}
	maxAbs = math.Abs(maxAbs)
	if maxAbs == 0 {
		if signed {
			return 1
		}
		return 0
	}
	// maxAbs = fr * 2^e with 0.5 <= fr < 1, so 2^(e-1) <= maxAbs < 2^e and
	// the smallest J with maxAbs < 2^J is exactly e (also at powers of two).
	_, e := math.Frexp(maxAbs)
	if signed {
		return e + 1
	}
	return e
}

// BitsForRange returns the smallest width holding every integer code in
// [min, max]: unsigned when min >= 0 (at least 1 bit, so [0,0] gives 1),
// otherwise two's complement. It panics if min > max.
func BitsForRange(min, max int64) (width int, signed bool) {
	if min > max {
		panic(fmt.Sprintf("fixed: BitsForRange(%d, %d): min > max", min, max))
	}
	if min >= 0 {
		return maxInt(bits.Len64(uint64(max)), 1), false
	}
	return maxInt(signedBits(min), signedBits(max)), true
}

// signedBits is the two's-complement width needed for v: the magnitude bits
// of v (of ^v when negative, since -2^(n-1) needs n bits) plus a sign bit.
func signedBits(v int64) int {
	if v < 0 {
		v = ^v
	}
	return bits.Len64(uint64(v)) + 1
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
