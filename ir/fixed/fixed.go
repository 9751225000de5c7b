// Package fixed models fixed-point element types with exactly the semantics of
// the Vitis HLS ap_fixed / ap_ufixed classes (UG1399), so that the bit-exact
// Go simulator, the generated HLS C++ and the generated Verilog agree bit for
// bit.
//
// A Type is ap_[u]fixed<W,I,Q,O>: W total bits, I integer bits including the
// sign bit, so a code c (the W-bit two's-complement or unsigned integer held
// in hardware) has the value c * 2^-(W-I). F = W-I may be negative (I > W:
// the LSB weighs more than 1) or larger than W (I < 0: the MSB weighs less
// than 1/2). Codes are carried in int64.
//
// Converting a value to a Type first quantises it to the type's grid 2^-F
// (Rounding, applied only when fractional bits are dropped) and then resolves
// overflow of the quantised value (Overflow). This is the order ap_fixed uses
// (ap_fixed_base::operator= calls quantization_adjust before the
// overflow/underflow detection and overflow_adjust).
//
// # Behaviour checked against the reference implementation
//
// The following was read from Xilinx/HLS_arbitrary_Precision_Types,
// include/ap_fixed_base.h (ap_fixed_base::operator=, the double constructor,
// quantization_adjust and overflow_adjust) and the UG1399 "Overflow Modes"
// page:
//
//   - AP_SAT_SYM, signed target, signed source: besides ordinary underflow,
//     ap_fixed sets "underflow |= neg_src && bits[W-2:0] == 0", i.e. a
//     quantised value equal to the most negative code -2^(W-1) is treated as
//     an underflow, and underflow writes the bit pattern (1<<(W-1))|1, which
//     is -(2^(W-1)-1) = -max. We do the same and report it as Saturated. For
//     W == 1 that pattern is the single bit 1, i.e. code -1 (value
//     -2^(I-1)): a 1-bit signed SAT_SYM type cannot be symmetric, so its
//     negative saturation value is -1, exactly as in ap_fixed, and a
//     quantised -1 is still reported as Saturated (ap_fixed takes the
//     underflow path for it). The source of every conversion here (an int64
//     code or a float64) is signed, so the rule always applies.
//   - Unsigned targets: SAT and SAT_SYM are identical (overflow -> all ones,
//     negative -> 0); SAT_ZERO gives 0 in both directions. UG1399 gives
//     ap_ufixed<4,4,AP_RND,AP_SAT_SYM> = -19.0 yields 0.0.
//   - WRAP keeps the low W bits (sign-extended when signed). The ap_fixed
//     WRAP mode has a fifth template parameter N (saturation bits); only
//     N == 0, the default, is supported. AP_WRAP_SM is not supported.
//   - Rounding decisions use the sign of the exact source value, as
//     quantization_adjust does (TRN_ZERO, RND_ZERO and RND_INF depend on it).
//
// Two documented differences from the C++ double constructor, both confined
// to absurd types: ap_fixed decodes ±Inf as ±2^1024 and decodes subnormal
// doubles with an implicit leading 1 (a bug); see FromFloat.
package fixed

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strings"
)

// Rounding is the quantisation mode, applied when a conversion drops
// fractional bits. The names are the ap_fixed ones without the AP_ prefix.
type Rounding uint8

const (
	// TRN truncates toward minus infinity (drop the bits). ap_fixed default.
	TRN Rounding = iota
	// TRN_ZERO truncates toward zero.
	TRN_ZERO
	// RND rounds to nearest, ties toward plus infinity.
	RND
	// RND_ZERO rounds to nearest, ties toward zero.
	RND_ZERO
	// RND_MIN_INF rounds to nearest, ties toward minus infinity.
	RND_MIN_INF
	// RND_INF rounds to nearest, ties away from zero.
	RND_INF
	// RND_CONV rounds to nearest, ties to even (convergent rounding).
	RND_CONV
	numRoundings
)

var roundingNames = [...]string{
	TRN: "TRN", TRN_ZERO: "TRN_ZERO", RND: "RND", RND_ZERO: "RND_ZERO",
	RND_MIN_INF: "RND_MIN_INF", RND_INF: "RND_INF", RND_CONV: "RND_CONV",
}

// String returns the mode name without the AP_ prefix, e.g. "RND_CONV".
func (r Rounding) String() string {
	if r < numRoundings {
		return roundingNames[r]
	}
	return fmt.Sprintf("Rounding(%d)", uint8(r))
}

// ParseRounding parses a quantisation mode name. It is case-insensitive and
// accepts the ap_fixed spelling with the AP_ prefix ("AP_RND_CONV") as well
// as the bare one ("rnd_conv").
func ParseRounding(s string) (Rounding, error) {
	name := modeName(s)
	for r, n := range roundingNames {
		if name == n {
			return Rounding(r), nil
		}
	}
	return 0, fmt.Errorf("unknown rounding mode %q (accepted, optionally AP_-prefixed, any case: %s)",
		strings.TrimSpace(s), strings.Join(roundingNames[:], ", "))
}

// Overflow is the overflow mode, applied when the quantised value does not
// fit the type.
type Overflow uint8

const (
	// WRAP keeps the low W bits (sign-extended when signed). ap_fixed default.
	WRAP Overflow = iota
	// SAT clamps to the most positive / most negative code.
	SAT
	// SAT_ZERO replaces any out-of-range value by zero.
	SAT_ZERO
	// SAT_SYM clamps to [-max, max] for signed types (the most negative code
	// is never produced, see the package doc for W == 1); same as SAT for
	// unsigned types.
	SAT_SYM
	numOverflows
)

var overflowNames = [...]string{WRAP: "WRAP", SAT: "SAT", SAT_ZERO: "SAT_ZERO", SAT_SYM: "SAT_SYM"}

// String returns the mode name without the AP_ prefix, e.g. "SAT_SYM".
func (o Overflow) String() string {
	if o < numOverflows {
		return overflowNames[o]
	}
	return fmt.Sprintf("Overflow(%d)", uint8(o))
}

// ParseOverflow parses an overflow mode name, case-insensitive, with or
// without the AP_ prefix.
func ParseOverflow(s string) (Overflow, error) {
	name := modeName(s)
	for o, n := range overflowNames {
		if name == n {
			return Overflow(o), nil
		}
	}
	if name == "WRAP_SM" {
		return 0, fmt.Errorf("overflow mode %q (sign-magnitude wrap) is not supported (accepted, optionally AP_-prefixed, any case: %s)",
			strings.TrimSpace(s), strings.Join(overflowNames[:], ", "))
	}
	return 0, fmt.Errorf("unknown overflow mode %q (accepted, optionally AP_-prefixed, any case: %s)",
		strings.TrimSpace(s), strings.Join(overflowNames[:], ", "))
}

// modeName normalises a mode spelling: trimmed, upper case, AP_ removed.
func modeName(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.TrimPrefix(s, "AP_")
}

// MaxWidth is the largest supported W for signed types. Unsigned types are
// limited to MaxWidth-1 so that every code fits in an int64.
const MaxWidth = 64

// MaxAbsInt bounds |I|. ap_fixed allows any int; the bound only keeps the
// shift arithmetic far from int overflow and is orders of magnitude beyond
// anything meaningful (a float64 spans 2^-1074 .. 2^1024).
const MaxAbsInt = 1 << 30

// Type is a fixed-point element type: ap_fixed<Width,Int,Rounding,Overflow>
// when Signed, ap_ufixed<...> otherwise. The zero value is invalid (Width 0);
// the zero modes are the ap_fixed defaults TRN and WRAP.
type Type struct {
	Signed   bool
	Width    int // W, total bits: 1..64 signed, 1..63 unsigned
	Int      int // I, integer bits including the sign bit; any value, |I| <= MaxAbsInt
	Rounding Rounding
	Overflow Overflow
}

// Frac is the number of fractional bits F = W - I (possibly negative or
// larger than W). A code c has the value c * 2^-F.
func (t Type) Frac() int { return t.Width - t.Int }

// Validate reports whether t is a supported type.
func (t Type) Validate() error {
	switch {
	case t.Width < 1 || t.Width > MaxWidth:
		return fmt.Errorf("fixed: width %d out of range (must be 1..%d)", t.Width, MaxWidth)
	case !t.Signed && t.Width == MaxWidth:
		// Codes are int64; an unsigned 64-bit code would not fit.
		return fmt.Errorf("fixed: unsigned width %d out of range (must be 1..%d: codes are carried in int64)", t.Width, MaxWidth-1)
	case t.Int < -MaxAbsInt || t.Int > MaxAbsInt:
		return fmt.Errorf("fixed: integer bits %d out of range (|I| must be <= %d)", t.Int, MaxAbsInt)
	case t.Rounding >= numRoundings:
		return fmt.Errorf("fixed: invalid rounding mode %d", uint8(t.Rounding))
	case t.Overflow >= numOverflows:
		return fmt.Errorf("fixed: invalid overflow mode %d", uint8(t.Overflow))
	}
	return nil
}

// mustValidate panics on an invalid type: converting to one is a programming
// error, and silently producing codes for it would be worse.
func (t Type) mustValidate() {
	if err := t.Validate(); err != nil {
		panic(err)
	}
}

// MinCode is the most negative representable code: -2^(W-1) when signed, 0
// when unsigned. (SAT_SYM never produces it for W >= 2, but it is
// representable, e.g. through WRAP.)
func (t Type) MinCode() int64 {
	if !t.Signed {
		return 0
	}
	return -1 << (t.Width - 1)
}

// MaxCode is the most positive representable code: 2^(W-1)-1 when signed,
// 2^W-1 when unsigned.
func (t Type) MaxCode() int64 {
	if t.Signed {
		return 1<<(t.Width-1) - 1
	}
	return 1<<t.Width - 1
}

// symMinCode is what SAT_SYM produces on negative overflow of a signed type:
// the bit pattern (1<<(W-1))|1, i.e. -max for W >= 2 and -1 for W == 1 (see
// the package doc).
func (t Type) symMinCode() int64 {
	if t.Width == 1 {
		return -1
	}
	return t.MinCode() + 1
}

// Float returns the value code * 2^-F as a float64. It is exact whenever
// the value is representable (always for |code| < 2^53 unless the result
// leaves the float64 exponent range); otherwise it is the nearest float64
// (ties to even), ±Inf beyond the range.
func (t Type) Float(code int64) float64 {
	if code == 0 {
		return 0
	}
	f := t.Frac()
	mag := code
	if mag < 0 {
		mag = -mag // MinInt64 stays negative: handled by the slow path below
	}
	// Fast path: the significand is exact and the result is a normal number
	// (or overflows to Inf, which Ldexp does correctly).
	if mag > 0 && mag <= 1<<53 {
		if e := bits.Len64(uint64(mag)) - f; e-1 >= -1022 {
			return math.Ldexp(float64(code), -f)
		}
	}
	// Slow path: big.Float rounds once, correctly, including to subnormals.
	x := new(big.Float).SetInt64(code)
	x.SetMantExp(x, -f)
	r, _ := x.Float64()
	return r
}

// Event tells whether a conversion overflowed and how the overflow was
// resolved.
type Event uint8

const (
	// NoOverflow: the quantised value was representable and is returned as is.
	NoOverflow Event = iota
	// Saturated: SAT or SAT_SYM clamped the value (including SAT_SYM turning
	// the most negative code into -max).
	Saturated
	// Wrapped: WRAP kept the low W bits of an out-of-range value.
	Wrapped
	// Zeroed: SAT_ZERO replaced an out-of-range value by 0.
	Zeroed
)

var eventNames = [...]string{NoOverflow: "NoOverflow", Saturated: "Saturated", Wrapped: "Wrapped", Zeroed: "Zeroed"}

// String returns the event name.
func (e Event) String() string {
	if int(e) < len(eventNames) {
		return eventNames[e]
	}
	return fmt.Sprintf("Event(%d)", uint8(e))
}

// fracClamp bounds a source frac before subtracting F. |F| <= MaxAbsInt+64,
// so the shift stays beyond ±128 after clamping, and every shift of 128 or
// more bits in either direction behaves identically (see Convert): clamping
// changes nothing but keeps the subtraction from overflowing.
const fracClamp = 1 << 40

// Convert re-quantises the exact value code * 2^-frac into t and returns the
// resulting code: quantisation (t.Rounding) first, then overflow
// (t.Overflow). frac may be any int. The result is exact for every input:
// no intermediate ever loses bits, and a value too large for int64 after
// alignment is still classified by its sign. Convert panics if t is invalid.
func (t Type) Convert(code int64, frac int) (int64, Event) {
	t.mustValidate()
	frac = min(max(frac, -fracClamp), fracClamp)
	s := frac - t.Frac() // > 0: drop s bits (quantise); <= 0: append -s zero bits
	if s > 0 {
		return t.fit(quantise(code, s, t.Rounding))
	}
	if code == 0 {
		return 0, NoOverflow
	}
	k := -s
	if k >= 64 {
		// |code * 2^k| >= 2^64: out of range of every type, and its low
		// W <= 64 bits are all zero.
		return t.overflow(code < 0, 0)
	}
	lo := uint64(code) << k  // low 64 bits of code * 2^k
	hi := code >> (64 - k)   // high 64 bits (for k == 0 the sign fill)
	if hi == int64(lo)>>63 { // the 128-bit product fits in int64
		return t.fit(int64(lo))
	}
	return t.overflow(code < 0, lo)
}

// quantise returns code * 2^-s rounded to an integer with mode r, for s >= 1.
// The result magnitude is at most 2^62, so the increment cannot overflow.
func quantise(code int64, s int, r Rounding) int64 {
	var (
		floor int64
		exact bool // no nonzero bit is dropped
		cmp   int  // dropped part vs one half ulp: -1 below, 0 tie, +1 above
	)
	if s <= 64 {
		floor = code >> s                // arithmetic shift: floor division
		rem := uint64(code) & (1<<s - 1) // dropped bits, as a nonnegative fraction of 2^s
		half := uint64(1) << (s - 1)
		exact = rem == 0
		switch {
		case rem < half:
			cmp = -1
		case rem > half:
			cmp = 1
		}
	} else {
		// |code| <= 2^63 < 2^(s-1): the value lies in (-1/2, 1/2). floor is 0
		// or -1; the fraction above floor is below one half for code >= 0 and
		// above one half for code < 0 (it is 1 - |code|/2^s).
		floor = code >> 63
		exact = code == 0
		cmp = -1
		if code < 0 {
			cmp = 1
		}
	}
	neg := code < 0
	var inc bool
	switch r {
	case TRN:
	case TRN_ZERO:
		inc = neg && !exact
	case RND:
		inc = cmp >= 0
	case RND_ZERO:
		inc = cmp > 0 || cmp == 0 && neg
	case RND_MIN_INF:
		inc = cmp > 0
	case RND_INF:
		inc = cmp > 0 || cmp == 0 && !neg
	case RND_CONV:
		inc = cmp > 0 || cmp == 0 && floor&1 != 0
	}
	if inc {
		floor++
	}
	return floor
}

// fit applies the overflow mode to a quantised code q that fits in int64.
func (t Type) fit(q int64) (int64, Event) {
	switch {
	case q > t.MaxCode():
		return t.overflow(false, uint64(q))
	case q < t.MinCode():
		return t.overflow(true, uint64(q))
	case q == t.MinCode() && t.Signed && t.Overflow == SAT_SYM:
		// ap_fixed treats the most negative code as an SAT_SYM underflow.
		return t.symMinCode(), Saturated
	}
	return q, NoOverflow
}

// overflow resolves an out-of-range quantised value with sign neg whose low
// 64 bits are low.
func (t Type) overflow(neg bool, low uint64) (int64, Event) {
	switch t.Overflow {
	case SAT_ZERO:
		return 0, Zeroed
	case SAT:
		if neg {
			return t.MinCode(), Saturated
		}
		return t.MaxCode(), Saturated
	case SAT_SYM:
		if !neg {
			return t.MaxCode(), Saturated
		}
		if t.Signed {
			return t.symMinCode(), Saturated
		}
		return 0, Saturated
	}
	return t.wrap(low), Wrapped
}

// wrap keeps the low W bits of low, sign-extended when t is signed.
func (t Type) wrap(low uint64) int64 {
	sh := 64 - uint(t.Width)
	if t.Signed {
		return int64(low<<sh) >> sh
	}
	return int64(low << sh >> sh)
}

// FromFloat quantises x into t exactly: a finite float64 is the dyadic
// rational m * 2^e with a 53-bit integer m, which is converted with Convert,
// so no inexact multiplication is involved and the result is the ap_fixed
// result. ±0 gives 0.
//
// NaN is an error (ap_fixed only warns and produces garbage). ±Inf is
// treated as an overflow of that sign: SAT gives the max/min code, SAT_SYM
// max/-max (0 when unsigned), SAT_ZERO 0 with Zeroed, and WRAP 0 with
// Wrapped. ap_fixed decodes ±Inf as ±2^1024, which gives the same codes for
// every type with I <= 1024.
//
// Subnormal inputs are converted by their true value. ap_fixed's double
// constructor wrongly adds an implicit leading 1 to them; the results agree
// whenever F <= 1021, i.e. for every type that does not resolve values below
// 2^-1021.
func (t Type) FromFloat(x float64) (int64, Event, error) {
	if err := t.Validate(); err != nil {
		return 0, NoOverflow, err
	}
	switch {
	case math.IsNaN(x):
		return 0, NoOverflow, fmt.Errorf("fixed: cannot convert NaN to %v", t)
	case math.IsInf(x, 0):
		c, ev := t.overflow(x < 0, 0)
		return c, ev, nil
	case x == 0:
		return 0, NoOverflow, nil
	}
	fr, exp := math.Frexp(x)       // x = fr * 2^exp, 0.5 <= |fr| < 1, exact also for subnormals
	m := int64(math.Ldexp(fr, 53)) // exact: |m| in [2^52, 2^53)
	c, ev := t.Convert(m, 53-exp)  // x = m * 2^-(53-exp)
	return c, ev, nil
}
