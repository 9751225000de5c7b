package fixed

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestModeStrings(t *testing.T) {
	for r := range numRoundings {
		got, err := ParseRounding(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRounding(%q) = %v, %v", r.String(), got, err)
		}
		for _, s := range []string{"AP_" + r.String(), strings.ToLower(r.String()), " ap_" + strings.ToLower(r.String()) + " "} {
			if got, err := ParseRounding(s); err != nil || got != r {
				t.Errorf("ParseRounding(%q) = %v, %v", s, got, err)
			}
		}
	}
	for o := range numOverflows {
		got, err := ParseOverflow(o.String())
		if err != nil || got != o {
			t.Errorf("ParseOverflow(%q) = %v, %v", o.String(), got, err)
		}
		if got, err := ParseOverflow("Ap_" + strings.ToLower(o.String())); err != nil || got != o {
			t.Errorf("ParseOverflow(Ap_%s) = %v, %v", o, got, err)
		}
	}
	for _, s := range []string{"", "AP_", "RND_X", "ROUND", "SAT", "AP_AP_RND"} {
		if _, err := ParseRounding(s); err == nil {
			t.Errorf("ParseRounding(%q): want error", s)
		}
	}
	for _, s := range []string{"", "RND", "AP_WRAP_SM", "WRAP_SM", "SATURATE"} {
		if _, err := ParseOverflow(s); err == nil {
			t.Errorf("ParseOverflow(%q): want error", s)
		}
	}
	if _, err := ParseOverflow("AP_WRAP_SM"); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("ParseOverflow(AP_WRAP_SM) error = %v, want 'not supported'", err)
	}
	if got := Rounding(42).String(); got != "Rounding(42)" {
		t.Errorf("Rounding(42).String() = %q", got)
	}
	if got := Overflow(9).String(); got != "Overflow(9)" {
		t.Errorf("Overflow(9).String() = %q", got)
	}
	if got := Zeroed.String(); got != "Zeroed" {
		t.Errorf("Zeroed.String() = %q", got)
	}
}

func TestTypeString(t *testing.T) {
	tests := []struct {
		typ  Type
		want string
	}{
		{Type{Signed: true, Width: 16, Int: 6}, "fixed<16,6>"},
		{Type{Width: 8, Int: 0}, "ufixed<8,0>"},
		{Type{Signed: true, Width: 16, Int: 6, Rounding: RND, Overflow: SAT}, "fixed<16,6,RND,SAT>"},
		{Type{Signed: true, Width: 16, Int: 6, Overflow: SAT}, "fixed<16,6,TRN,SAT>"},
		{Type{Signed: true, Width: 16, Int: 6, Rounding: RND}, "fixed<16,6,RND>"},
		{Type{Width: 8, Int: -3, Rounding: RND_CONV, Overflow: SAT_SYM}, "ufixed<8,-3,RND_CONV,SAT_SYM>"},
		{Type{Signed: true, Width: 4, Int: 12, Rounding: TRN_ZERO, Overflow: SAT_ZERO}, "fixed<4,12,TRN_ZERO,SAT_ZERO>"},
	}
	for _, tc := range tests {
		if got := tc.typ.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Type
	}{
		{"fixed<16,6>", Type{Signed: true, Width: 16, Int: 6}},
		{"ufixed<8,0,RND_CONV,SAT_SYM>", Type{Width: 8, Int: 0, Rounding: RND_CONV, Overflow: SAT_SYM}},
		{"ap_fixed<16,6,AP_RND,AP_SAT>", Type{Signed: true, Width: 16, Int: 6, Rounding: RND, Overflow: SAT}},
		{"ap_ufixed<10,4,AP_RND_ZERO>", Type{Width: 10, Int: 4, Rounding: RND_ZERO}},
		{"ap_fixed<18,8,AP_RND_CONV,AP_SAT,0>", Type{Signed: true, Width: 18, Int: 8, Rounding: RND_CONV, Overflow: SAT}},
		{"ap_fixed<8,3,AP_TRN,AP_WRAP,0>", Type{Signed: true, Width: 8, Int: 3}},
		{"int<8>", Type{Signed: true, Width: 8, Int: 8}},
		{"uint<8>", Type{Width: 8, Int: 8}},
		{"ap_int<32>", Type{Signed: true, Width: 32, Int: 32}},
		{"ap_uint<1>", Type{Width: 1, Int: 1}},
		{"  ap_fixed < 16 , 6 , ap_rnd , ap_sat >  ", Type{Signed: true, Width: 16, Int: 6, Rounding: RND, Overflow: SAT}},
		{"AP_FIXED<16,6>", Type{Signed: true, Width: 16, Int: 6}},
		{"fixed<4,-2>", Type{Signed: true, Width: 4, Int: -2}},
		{"fixed<4,+12>", Type{Signed: true, Width: 4, Int: 12}},
		{"fixed<64,64>", Type{Signed: true, Width: 64, Int: 64}},
		{"ufixed<63,0>", Type{Width: 63}},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string // substring of the error
	}{
		{"fixed<0,0>", "width 0 out of range"},
		{"fixed<65,6>", "width 65 out of range"},
		{"ufixed<64,6>", "unsigned width 64"},
		{"int<0>", "width 0"},
		{"fixed<16,6,RND_X>", "unknown rounding mode"},
		{"fixed<16,6,RND,SATURATE>", "unknown overflow mode"},
		{"ap_fixed<16,6,AP_RND,AP_WRAP_SM>", "not supported"},
		{"ap_fixed<16,6,AP_RND,AP_SAT,3>", "saturation bits N=3"},
		{"ap_fixed<16,6,AP_RND,AP_SAT,x>", "saturation bits"},
		{"ap_fixed<16,6,AP_RND,AP_SAT,0,1>", "2 to 5 parameters"},
		{"fixed<16>", "2 to 5 parameters"},
		{"int<8,3>", "exactly one parameter"},
		{"fixed<a,6>", "width \"a\""},
		{"fixed<16,b>", "integer bits \"b\""},
		{"fixed<16,2000000000>", "integer bits"},
		{"fixed<16,6,>", "parameter 3 is empty"},
		{"fixed<>", "parameter 1 is empty"},
		{"float<16,6>", "unknown type name"},
		{"fixed16,6", "expected NAME<PARAMS>"},
		{"fixed<16,6", "expected NAME<PARAMS>"},
		{"fixed<fixed<1,1>>", "nested"},
		{"", "expected NAME<PARAMS>"},
		{"garbage", "expected NAME<PARAMS>"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q): want error", tc.in)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.wantMsg) {
			t.Errorf("Parse(%q) error %q does not mention %q", tc.in, msg, tc.wantMsg)
		}
		if !strings.Contains(msg, "accepted:") {
			t.Errorf("Parse(%q) error %q does not list the accepted spellings", tc.in, msg)
		}
	}
}

func TestStringParseRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 3))
	for range 5000 {
		typ := randType(rng, rng.IntN(2) == 0, Rounding(rng.IntN(int(numRoundings))), Overflow(rng.IntN(int(numOverflows))))
		s := typ.String()
		got, err := Parse(s)
		if err != nil || got != typ {
			t.Fatalf("Parse(%q) = %+v, %v; want %+v", s, got, err, typ)
		}
		if got.String() != s {
			t.Fatalf("String(Parse(%q)) = %q", s, got.String())
		}
	}
}

func TestValidate(t *testing.T) {
	valid := []Type{
		{Signed: true, Width: 1, Int: 1},
		{Signed: true, Width: 64, Int: -MaxAbsInt},
		{Width: 63, Int: MaxAbsInt, Rounding: RND_CONV, Overflow: SAT_SYM},
	}
	for _, typ := range valid {
		if err := typ.Validate(); err != nil {
			t.Errorf("%+v.Validate() = %v", typ, err)
		}
	}
	invalid := []Type{
		{},
		{Signed: true, Width: 65},
		{Signed: true, Width: -1},
		{Width: 64},
		{Signed: true, Width: 8, Int: MaxAbsInt + 1},
		{Signed: true, Width: 8, Int: -MaxAbsInt - 1},
		{Signed: true, Width: 8, Rounding: numRoundings},
		{Signed: true, Width: 8, Overflow: numOverflows},
	}
	for _, typ := range invalid {
		if err := typ.Validate(); err == nil {
			t.Errorf("%+v.Validate() = nil, want error", typ)
		}
	}
}

func TestCodeRange(t *testing.T) {
	tests := []struct {
		typ      Type
		min, max int64
	}{
		{Type{Signed: true, Width: 1}, -1, 0},
		{Type{Width: 1}, 0, 1},
		{Type{Signed: true, Width: 8}, -128, 127},
		{Type{Width: 8}, 0, 255},
		{Type{Signed: true, Width: 64}, -1 << 63, 1<<63 - 1},
		{Type{Width: 63}, 0, 1<<63 - 1},
	}
	for _, tc := range tests {
		if tc.typ.MinCode() != tc.min || tc.typ.MaxCode() != tc.max {
			t.Errorf("%v: range [%d, %d], want [%d, %d]", tc.typ, tc.typ.MinCode(), tc.typ.MaxCode(), tc.min, tc.max)
		}
	}
}
