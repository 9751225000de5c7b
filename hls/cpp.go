package hls

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"

	"trigo/ir"
	"trigo/ir/fixed"
)

// cppType spells a fixed-point type as the ap_[u]fixed class. The default
// modes (AP_TRN, AP_WRAP) are left out.
func cppType(t fixed.Type) string {
	base := "ap_fixed"
	if !t.Signed {
		base = "ap_ufixed"
	}
	if t.Rounding == fixed.TRN && t.Overflow == fixed.WRAP {
		return fmt.Sprintf("%s<%d, %d>", base, t.Width, t.Int)
	}
	return fmt.Sprintf("%s<%d, %d, AP_%s, AP_%s>", base, t.Width, t.Int, t.Rounding, t.Overflow)
}

// codeType is the ap_[u]int holding a type's codes.
func codeType(t fixed.Type) string {
	if t.Signed {
		return fmt.Sprintf("ap_int<%d>", t.Width)
	}
	return fmt.Sprintf("ap_uint<%d>", t.Width)
}

// exactType is the signed ap_fixed with width bits and frac fractional bits
// (modes AP_TRN, AP_WRAP: assignments into it are exact by construction).
func exactType(width, frac int) string {
	return fmt.Sprintf("ap_fixed<%d, %d>", width, width-frac)
}

// lit spells an int64 as a C++ integer literal of type int or long long.
func lit(v int64) string {
	switch {
	case v == math.MinInt64:
		return "(-9223372036854775807LL - 1)"
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v, 10) + "LL"
}

// llit spells an int64 as a C++ literal of type long long.
func llit(v int64) string {
	if v == math.MinInt64 {
		return "(-9223372036854775807LL - 1)"
	}
	return strconv.FormatInt(v, 10) + "LL"
}

// signedWidth is the width of the narrowest two's-complement type holding
// every integer in [lo, hi] (at least 2 bits).
func signedWidth(lo, hi *big.Int) int {
	w := 2
	for _, v := range []*big.Int{lo, hi} {
		var n int
		if v.Sign() >= 0 {
			n = v.BitLen() + 1
		} else {
			n = new(big.Int).Sub(new(big.Int).Neg(v), big.NewInt(1)).BitLen() + 1
		}
		w = max(w, n)
	}
	return w
}

// codeRange returns a type's code range as big integers.
func codeRange(t fixed.Type) (lo, hi *big.Int) {
	return big.NewInt(t.MinCode()), big.NewInt(t.MaxCode())
}

// productRange is the range of products of codes from two ranges.
func productRange(alo, ahi, blo, bhi *big.Int) (lo, hi *big.Int) {
	cands := []*big.Int{
		new(big.Int).Mul(alo, blo), new(big.Int).Mul(alo, bhi),
		new(big.Int).Mul(ahi, blo), new(big.Int).Mul(ahi, bhi),
	}
	lo, hi = cands[0], cands[0]
	for _, c := range cands[1:] {
		if c.Cmp(lo) < 0 {
			lo = c
		}
		if c.Cmp(hi) > 0 {
			hi = c
		}
	}
	return lo, hi
}

func scale(v *big.Int, n int64) *big.Int { return new(big.Int).Mul(v, big.NewInt(n)) }

func shiftLeft(v *big.Int, k int) *big.Int { return new(big.Int).Lsh(v, uint(k)) }

// cppKeywords are reserved words (C++14 plus a few names the generated code
// uses) that a sanitised IR name must not become.
var cppKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`alignas alignof and and_eq asm auto bitand bitor bool break case catch
		char char16_t char32_t class compl const constexpr const_cast continue decltype default delete do
		double dynamic_cast else enum explicit export extern false float for friend goto if inline int long
		mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public register
		reinterpret_cast return short signed sizeof static static_assert static_cast struct switch template
		this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile
		wchar_t while xor xor_eq main trigo hls std ap_int ap_uint ap_fixed ap_ufixed NULL assert
		in_stream out_stream in_word out_word i o r k c t n f
		N_IN N_OUT sext zext parse_event in_codes out_codes line event fin fout argc argv
		EOF stdin stdout stderr errno INFINITY NAN isinf isnan fopen fclose fprintf printf fgetc fputc
		strtoll memcpy abs exp log pow sqrt floor ceil round min max size_t string`) {
		cppKeywords[k] = true
	}
}

// namer hands out unique C identifiers.
type namer struct {
	used map[string]bool
}

func newNamer() *namer { return &namer{used: map[string]bool{}} }

// sanitize turns an IR name into a C identifier: characters outside
// [A-Za-z0-9_] become '_', and names that would start with a digit, be a
// keyword or be reserved (leading underscore) get the prefix p.
func sanitize(name, p string) string {
	var b strings.Builder
	for _, r := range name {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || (s[0] >= '0' && s[0] <= '9') || s[0] == '_' || cppKeywords[s] {
		s = p + s
	}
	return s
}

// take returns s, or s with a numeric suffix, so that it is unused, and
// marks it used.
func (n *namer) take(s string) string {
	if !n.used[s] {
		n.used[s] = true
		return s
	}
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s_%d", s, i)
		if !n.used[c] {
			n.used[c] = true
			return c
		}
	}
}

// describe is the comment form of a value: name: type[shape].
func describe(v *ir.Value) string {
	return fmt.Sprintf("%s: %s%v", v.Name, v.Type, v.Shape)
}

// commentSafe keeps IR names from closing or breaking C++ comments.
func commentSafe(s string) string {
	s = strings.ReplaceAll(s, "*/", "* /")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "\\", "/")
	return s
}

// pad4 right-aligns a shape into four axes (leading ones).
func pad4(s ir.Shape) ([maxRank]int, error) {
	var out [maxRank]int
	if len(s) > maxRank {
		return out, fmt.Errorf("rank %d tensor %v: the HLS backend supports at most %d axes here", len(s), s, maxRank)
	}
	for i := range out {
		out[i] = 1
	}
	copy(out[maxRank-len(s):], s)
	return out, nil
}

// broadcastStrides gives, for each of the four (padded) output axes, the
// stride of in along that axis: 0 where in is broadcast.
func broadcastStrides(in, out ir.Shape) [maxRank]int {
	var st [maxRank]int
	inStr := in.Strides()
	for i := 0; i < maxRank; i++ {
		oi := len(out) - maxRank + i // axis in out
		if oi < 0 {
			continue
		}
		j := len(in) - len(out) + oi // aligned axis in in
		if j >= 0 && in[j] != 1 {
			st[i] = inStr[j]
		}
	}
	return st
}
