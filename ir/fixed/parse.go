package fixed

import (
	"fmt"
	"strconv"
	"strings"
)

// String returns the canonical spelling, which Parse reads back to the same
// Type: "fixed<16,6>", "ufixed<8,0>". Modes are appended only when not the
// default; the rounding mode is always spelled when the overflow mode is, as
// in ap_fixed's positional template parameters: "fixed<16,6,RND>",
// "fixed<16,6,TRN,SAT>", "fixed<16,6,RND,SAT>".
func (t Type) String() string {
	var b strings.Builder
	if !t.Signed {
		b.WriteByte('u')
	}
	fmt.Fprintf(&b, "fixed<%d,%d", t.Width, t.Int)
	if t.Rounding != TRN || t.Overflow != WRAP {
		b.WriteByte(',')
		b.WriteString(t.Rounding.String())
	}
	if t.Overflow != WRAP {
		b.WriteByte(',')
		b.WriteString(t.Overflow.String())
	}
	b.WriteByte('>')
	return b.String()
}

const acceptedSpellings = "fixed<W,I[,Q[,O]]>, ufixed<W,I[,Q[,O]]>, ap_fixed<W,I[,Q[,O[,0]]]>, ap_ufixed<...>, int<W>, uint<W>, ap_int<W>, ap_uint<W>"

// Parse reads a fixed-point type in our spelling (see Type.String) or the
// hls4ml / Vitis HLS one:
//
//	fixed<16,6>  ufixed<8,0,RND_CONV,SAT_SYM>  ap_fixed<16,6,AP_RND,AP_SAT>
//	ap_ufixed<8,3,AP_TRN,AP_WRAP,0>  int<8>  uint<8>  ap_int<8>  ap_uint<8>
//
// int<W> is fixed<W,W> and uint<W> is ufixed<W,W>. Type names and mode names
// are case-insensitive, modes may carry the AP_ prefix, and spaces are
// allowed around every token. The fifth ap_fixed parameter (saturation bits
// N) is accepted only when it is 0. The result is validated.
func Parse(s string) (Type, error) {
	src := s
	fail := func(format string, args ...any) (Type, error) {
		return Type{}, fmt.Errorf("fixed: cannot parse %q: %s (accepted: %s)",
			src, fmt.Sprintf(format, args...), acceptedSpellings)
	}
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '<')
	if open < 0 || !strings.HasSuffix(s, ">") {
		return fail("expected NAME<PARAMS>")
	}
	name := strings.ToLower(strings.TrimSpace(s[:open]))
	body := s[open+1 : len(s)-1]
	if strings.ContainsAny(body, "<>") {
		return fail("unexpected nested '<' or '>'")
	}
	params := strings.Split(body, ",")
	for i := range params {
		params[i] = strings.TrimSpace(params[i])
		if params[i] == "" {
			return fail("parameter %d is empty", i+1)
		}
	}

	var t Type
	isInt := false
	switch name {
	case "fixed", "ap_fixed":
		t.Signed = true
	case "ufixed", "ap_ufixed":
	case "int", "ap_int":
		t.Signed, isInt = true, true
	case "uint", "ap_uint":
		isInt = true
	default:
		return fail("unknown type name %q", s[:open])
	}

	width, err := strconv.Atoi(params[0])
	if err != nil {
		return fail("width %q is not an integer", params[0])
	}
	t.Width = width

	if isInt {
		if len(params) != 1 {
			return fail("%s takes exactly one parameter (the width), got %d", name, len(params))
		}
		t.Int = width
	} else {
		if len(params) < 2 || len(params) > 5 {
			return fail("%s takes 2 to 5 parameters (W, I, quantisation, overflow, saturation bits), got %d", name, len(params))
		}
		if t.Int, err = strconv.Atoi(params[1]); err != nil {
			return fail("integer bits %q is not an integer", params[1])
		}
		if len(params) > 2 {
			if t.Rounding, err = ParseRounding(params[2]); err != nil {
				return fail("%v", err)
			}
		}
		if len(params) > 3 {
			if t.Overflow, err = ParseOverflow(params[3]); err != nil {
				return fail("%v", err)
			}
		}
		if len(params) > 4 {
			n, err := strconv.Atoi(params[4])
			if err != nil {
				return fail("saturation bits %q is not an integer", params[4])
			}
			if n != 0 {
				return fail("saturation bits N=%d are not supported (only 0)", n)
			}
		}
	}
	if err := t.Validate(); err != nil {
		return fail("%v", err)
	}
	return t, nil
}
