package verilog

import (
	"fmt"
	"math/big"
	"strings"
)

// twos returns v modulo 2^w as a non-negative big.Int (two's complement
// bits of a w-bit field).
func twos(v *big.Int, w int) *big.Int {
	m := new(big.Int).Lsh(big.NewInt(1), uint(w))
	r := new(big.Int).Mod(v, m)
	return r
}

// lit is a sized decimal literal with the bits of v's w-bit two's
// complement: w'dV for a non-negative v, -w'sdV for a negative one (the
// most negative w-bit value as w'sh8..0).
func lit(v *big.Int, w int) string {
	u := twos(v, w)
	if v.Sign() >= 0 {
		return fmt.Sprintf("%d'd%s", w, u.Text(10))
	}
	m := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(w)), u) // -value, in 1..2^w
	if m.BitLen() >= w {                                               // -2^(w-1) or beyond
		return fmt.Sprintf("%d'h%s", w, u.Text(16))
	}
	return fmt.Sprintf("-%d'sd%s", w, m.Text(10))
}

func litInt(v int64, w int) string { return lit(big.NewInt(v), w) }

// vecLit is a concatenation of w-bit fields, element 0 in the least
// significant bits (so it is written last), perLine fields a line.
func vecLit(vals []*big.Int, w int, indent string) string {
	if len(vals) == 0 {
		return fmt.Sprintf("%d'h0", w)
	}
	perLine := max(1, 96/(len(fmt.Sprint(w))+5+(w*3+9)/10))
	var b strings.Builder
	b.WriteString("{")
	for i := len(vals) - 1; i >= 0; i-- {
		if (len(vals)-1-i)%perLine == 0 {
			b.WriteString("\n" + indent)
		}
		b.WriteString(lit(vals[i], w))
		if i > 0 {
			b.WriteString(", ")
		}
	}
	b.WriteString("}")
	return b.String()
}

func bigs(v []int64) []*big.Int {
	out := make([]*big.Int, len(v))
	for i, x := range v {
		out[i] = big.NewInt(x)
	}
	return out
}

func bigInts(v []int) []*big.Int {
	out := make([]*big.Int, len(v))
	for i, x := range v {
		out[i] = big.NewInt(int64(x))
	}
	return out
}

// signedBits is the two's-complement width holding v (at least 1).
func signedBits(v *big.Int) int {
	if v.Sign() >= 0 {
		return v.BitLen() + 1
	}
	// -2^(n-1) needs n bits: the bit length of -v-1 plus the sign.
	t := new(big.Int).Neg(v)
	t.Sub(t, big.NewInt(1))
	return t.BitLen() + 1
}

// rangeBits is the two's-complement width holding every value in [lo, hi].
func rangeBits(lo, hi *big.Int) int { return max(signedBits(lo), signedBits(hi)) }

// csd returns the canonical signed-digit (non-adjacent) form of v as bit
// masks of the +1 and -1 digits: v = p - n.
func csd(v *big.Int) (p, n *big.Int) {
	p, n = new(big.Int), new(big.Int)
	x := new(big.Int).Set(v)
	four := big.NewInt(4)
	for i := 0; x.Sign() != 0; i++ {
		if x.Bit(0) == 1 {
			m := new(big.Int).Mod(x, four) // 1 or 3
			if m.Int64() == 1 {
				p.SetBit(p, i, 1)
				x.Sub(x, big.NewInt(1))
			} else {
				n.SetBit(n, i, 1)
				x.Add(x, big.NewInt(1))
			}
		}
		x.Rsh(x, 1)
	}
	return p, n
}

// popcount of a non-negative big.Int.
func popcount(v *big.Int) int {
	c := 0
	for i := 0; i < v.BitLen(); i++ {
		c += int(v.Bit(i))
	}
	return c
}

// powerOfTwo returns e when |v| = 2^e.
func powerOfTwo(v *big.Int) (e int, neg, ok bool) {
	a := new(big.Int).Abs(v)
	if a.Sign() == 0 || popcount(a) != 1 {
		return 0, false, false
	}
	return a.BitLen() - 1, v.Sign() < 0, true
}

// clog returns the number of levels of an arity-a tree over n leaves.
func clog(n, a int) int {
	l := 0
	for c := 1; c < n; c *= a {
		l++
	}
	return l
}
