package fixed

import (
	"math/big"
)

// This file is an independent reference model. It works on exact rationals
// (math/big) straight from the definitions in UG1399 and ap_fixed_base.h and
// shares no code with the implementation: no shifts, masks or int64 tricks.

// oracleShiftLimit bounds the exponent the oracle materialises. Lemma: for a
// nonzero int64 code (|code| <= 2^63) and an exponent e with |e| > 256,
// code*2^e behaves exactly like code*2^(±256):
//   - e > 256: |code*2^e| >= 2^257 is out of range of every type (W <= 64)
//     and its residue mod 2^W is 0, same as for e = 256;
//   - e < -256: |code*2^e| < 2^-193, so floor is 0 (code > 0) or -1
//     (code < 0), the fraction above floor is below 1/2 (code > 0) or above
//     1/2 (code < 0), and no rounding mode can tell it from e = -256.
const oracleShiftLimit = 256

// oracleConvert is the reference for Type.Convert: the value code*2^-frac
// expressed in units of the target LSB, i.e. code*2^(F-frac), then
// oracleQuantise and oracleOverflow.
func oracleConvert(t Type, code int64, frac int) (int64, Event) {
	e := new(big.Int).Sub(big.NewInt(int64(t.Width-t.Int)), big.NewInt(int64(frac)))
	lim := big.NewInt(oracleShiftLimit)
	if e.Cmp(lim) > 0 {
		e.Set(lim)
	} else if e.Cmp(new(big.Int).Neg(lim)) < 0 {
		e.Neg(lim)
	}
	v := new(big.Rat).SetInt64(code)
	v.Mul(v, pow2Rat(int(e.Int64())))
	return oracleFromUnits(t, v)
}

// oracleFromRat is the reference for converting an exact real value x.
func oracleFromRat(t Type, x *big.Rat) (int64, Event) {
	v := new(big.Rat).Mul(x, pow2Rat(t.Width-t.Int))
	return oracleFromUnits(t, v)
}

// oracleFromUnits converts v, a value expressed in units of the target LSB.
func oracleFromUnits(t Type, v *big.Rat) (int64, Event) {
	return oracleOverflow(t, oracleQuantise(v, t.Rounding))
}

// pow2Rat returns 2^e for any (moderate) integer e.
func pow2Rat(e int) *big.Rat {
	p := new(big.Int).Exp(big.NewInt(2), big.NewInt(int64(abs(e))), nil)
	if e >= 0 {
		return new(big.Rat).SetInt(p)
	}
	return new(big.Rat).SetFrac(big.NewInt(1), p)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func ratFloor(v *big.Rat) *big.Int {
	// Div is Euclidean division; with a positive denominator it is floor.
	return new(big.Int).Div(v.Num(), v.Denom())
}

func ratCeil(v *big.Rat) *big.Int {
	return new(big.Int).Neg(ratFloor(new(big.Rat).Neg(v)))
}

// oracleQuantise rounds v to an integer according to the UG1399 definitions.
func oracleQuantise(v *big.Rat, r Rounding) *big.Int {
	half := big.NewRat(1, 2)
	fl, ce := ratFloor(v), ratCeil(v)
	switch r {
	case TRN: // truncation toward minus infinity
		return fl
	case TRN_ZERO: // truncation toward zero
		if v.Sign() < 0 {
			return ce
		}
		return fl
	case RND: // nearest, ties toward +inf: floor(v + 1/2)
		return ratFloor(new(big.Rat).Add(v, half))
	case RND_MIN_INF: // nearest, ties toward -inf: ceil(v - 1/2)
		return ratCeil(new(big.Rat).Sub(v, half))
	}
	// The remaining modes differ only in how an exact tie is broken.
	d := new(big.Rat).Sub(v, new(big.Rat).SetInt(fl)) // in [0, 1)
	switch d.Cmp(half) {
	case -1:
		return fl
	case 1:
		return ce
	}
	switch r {
	case RND_ZERO: // ties toward zero
		if v.Sign() < 0 {
			return ce
		}
		return fl
	case RND_INF: // ties away from zero
		if v.Sign() < 0 {
			return fl
		}
		return ce
	case RND_CONV: // ties to even
		if fl.Bit(0) == 0 { // Bit uses two's complement for negatives
			return fl
		}
		return ce
	}
	panic("oracle: bad rounding mode")
}

// oracleOverflow applies the overflow mode to the quantised integer q.
func oracleOverflow(t Type, q *big.Int) (int64, Event) {
	w := uint(t.Width)
	mod := new(big.Int).Lsh(big.NewInt(1), w) // 2^W
	var lo, hi *big.Int
	if t.Signed {
		lo = new(big.Int).Neg(new(big.Int).Rsh(mod, 1))                // -2^(W-1)
		hi = new(big.Int).Sub(new(big.Int).Rsh(mod, 1), big.NewInt(1)) // 2^(W-1)-1
	} else {
		lo = big.NewInt(0)
		hi = new(big.Int).Sub(mod, big.NewInt(1))
	}
	// asCode reads a W-bit pattern (0 <= p < 2^W) as a code of t.
	asCode := func(p *big.Int) int64 {
		p = new(big.Int).Mod(p, mod)
		if t.Signed && p.Cmp(new(big.Int).Rsh(mod, 1)) >= 0 {
			p.Sub(p, mod)
		}
		return p.Int64()
	}
	// ap_fixed overflow_adjust, signed SAT_SYM underflow: V = 1<<(W-1); V |= 1.
	symMin := func() int64 {
		p := new(big.Int).Lsh(big.NewInt(1), w-1)
		p.SetBit(p, 0, 1)
		return asCode(p)
	}
	over, under := q.Cmp(hi) > 0, q.Cmp(lo) < 0
	if !over && !under {
		// ap_fixed: "underflow |= neg_src && bits[W-2:0] == 0" for SAT_SYM.
		if t.Overflow == SAT_SYM && t.Signed && q.Cmp(lo) == 0 {
			return symMin(), Saturated
		}
		return q.Int64(), NoOverflow
	}
	switch t.Overflow {
	case WRAP:
		return asCode(q), Wrapped
	case SAT_ZERO:
		return 0, Zeroed
	case SAT:
		if over {
			return hi.Int64(), Saturated
		}
		return lo.Int64(), Saturated
	case SAT_SYM:
		if over {
			return hi.Int64(), Saturated
		}
		if t.Signed {
			return symMin(), Saturated
		}
		return 0, Saturated
	}
	panic("oracle: bad overflow mode")
}
