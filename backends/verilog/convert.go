package verilog

import (
	"fmt"
	"math/big"

	"trigo/ir/fixed"
)

// cvt describes one trigo_convert instance: the exact value code·2^-Fin
// held in IW bits (signed or not) converted to a fixed type.
type cvt struct {
	IW    int
	IS    bool
	Shift int // Fin - Fout, clamped to [-(OW+1), IW+1]
	OW    int
	OS    bool
	Rnd   fixed.Rounding
	Ovf   fixed.Overflow
	// inLo, inHi bound the input codes (the full range of IW bits unless
	// the generator knows better).
	inLo, inHi *big.Int
}

// newCvt describes the conversion of an IW-bit code at frac inFrac to t.
func newCvt(inW int, inSigned bool, inFrac int, t fixed.Type) cvt {
	s := inFrac - t.Frac()
	s = min(max(s, -(t.Width+1)), inW+1)
	lo, hi := codeRange(inW, inSigned)
	return cvt{IW: inW, IS: inSigned, Shift: s, OW: t.Width, OS: t.Signed, Rnd: t.Rounding, Ovf: t.Overflow, inLo: lo, inHi: hi}
}

// codeRange is the range of W-bit codes.
func codeRange(w int, signed bool) (lo, hi *big.Int) {
	one := big.NewInt(1)
	if signed {
		lo = new(big.Int).Neg(new(big.Int).Lsh(one, uint(w-1)))
		hi = new(big.Int).Sub(new(big.Int).Lsh(one, uint(w-1)), one)
		return lo, hi
	}
	return big.NewInt(0), new(big.Int).Sub(new(big.Int).Lsh(one, uint(w)), one)
}

// withRange narrows the known input range.
func (c cvt) withRange(lo, hi *big.Int) cvt {
	c.inLo, c.inHi = lo, hi
	return c
}

// outRange is the range of output codes returned unchanged (SAT_SYM
// excludes the most negative signed code).
func (c cvt) outRange() (lo, hi *big.Int) {
	lo, hi = codeRange(c.OW, c.OS)
	if c.OS && c.Ovf == fixed.SAT_SYM && c.OW >= 2 {
		lo.Add(lo, big.NewInt(1))
	}
	return lo, hi
}

// rounds reports whether the quantisation step needs logic.
func (c cvt) rounds() bool { return c.Shift > 0 && c.Rnd != fixed.TRN }

// quantRange bounds the quantised value.
func (c cvt) quantRange() (lo, hi *big.Int) {
	if c.Shift > 0 {
		d := new(big.Int).Lsh(big.NewInt(1), uint(c.Shift))
		lo = floorDiv(c.inLo, d)
		hi = floorDiv(c.inHi, d)
		if c.rounds() {
			hi.Add(hi, big.NewInt(1))
		}
		return lo, hi
	}
	k := uint(-c.Shift)
	return new(big.Int).Lsh(c.inLo, k), new(big.Int).Lsh(c.inHi, k)
}

// floorDiv is floor(a/d) for d > 0 (Euclidean division).
func floorDiv(a, d *big.Int) *big.Int {
	q, _ := new(big.Int).DivMod(a, d, new(big.Int))
	return q
}

// overflows reports whether some input can overflow (needs range logic
// unless the mode is WRAP).
func (c cvt) overflows() bool {
	qlo, qhi := c.quantRange()
	olo, ohi := c.outRange()
	return qlo.Cmp(olo) < 0 || qhi.Cmp(ohi) > 0
}

// identity reports whether the conversion returns every input code
// unchanged (up to sign extension): then it is pure wiring.
func (c cvt) identity() bool {
	return c.Shift == 0 && !c.overflows() && c.OW >= 1
}

// qWidth is the width of the quantised value (signed).
func (c cvt) qWidth() int {
	if c.Shift > 0 {
		return max(c.IW+2-c.Shift, 2)
	}
	return c.IW + 1 - c.Shift
}

// delay estimates the conversion's combinational delay: the rounding
// decision and increment (when bits are dropped with a rounding mode), then
// the range check over the bits above the output and the final multiplexer
// (when the value can overflow and the mode saturates).
func (c cvt) delay(m *DelayModel) float64 {
	d := 0.0
	if c.rounds() {
		d += m.LUT + m.add(c.qWidth())
	}
	if c.saturates() {
		checked := max(c.qWidth()-c.OW+1, 1)
		d += m.LUT * float64(lutLevels(checked)+1)
	}
	return d
}

// saturates reports whether the conversion needs a range check and an
// output multiplexer.
func (c cvt) saturates() bool { return c.Ovf != fixed.WRAP && c.overflows() }

// foldable returns the constant that, added to the exact value before the
// conversion, turns its rounding into truncation: 2^(s-1) for RND (ties
// up), 2^(s-1)-1 for RND_MIN_INF (ties down), 0 for TRN. ok is false for
// the other modes (their result depends on the sign or the parity).
func (c cvt) foldable() (k *big.Int, ok bool) {
	if c.Shift <= 0 || c.Rnd == fixed.TRN {
		return big.NewInt(0), true
	}
	if c.Shift > 62 {
		return nil, false
	}
	h := new(big.Int).Lsh(big.NewInt(1), uint(c.Shift-1))
	switch c.Rnd {
	case fixed.RND:
		return h, true
	case fixed.RND_MIN_INF:
		return h.Sub(h, big.NewInt(1)), true
	}
	return nil, false
}

// lutLevels is the depth of a tree of 6-input LUTs reducing n signals.
func lutLevels(n int) int {
	l := 1
	for c := 6; c < n; c *= 6 {
		l++
	}
	return l
}

func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}

// params is the parameter list of the instance.
func (c cvt) params() string {
	return fmt.Sprintf(".IW(%d), .IS(%d), .SHIFT(%d), .OW(%d), .OS(%d), .RND(%d), .OVF(%d)",
		c.IW, b01(c.IS), c.Shift, c.OW, b01(c.OS), int(c.Rnd), int(c.Ovf))
}

// prefixed returns the parameter list with a prefix on every name (for
// modules that forward conversion parameters, e.g. Y_IW).
func (c cvt) prefixed(p string) string {
	return fmt.Sprintf(".%sIW(%d), .%sIS(%d), .%sSHIFT(%d), .%sOW(%d), .%sOS(%d), .%sRND(%d), .%sOVF(%d)",
		p, c.IW, p, b01(c.IS), p, c.Shift, p, c.OW, p, b01(c.OS), p, int(c.Rnd), p, int(c.Ovf))
}
