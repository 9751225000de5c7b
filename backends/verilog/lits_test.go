package verilog

import (
	"math/big"
	"testing"
)

func TestLiterals(t *testing.T) {
	for _, c := range []struct {
		v    int64
		w    int
		want string
	}{
		{5, 8, "8'd5"}, {-5, 8, "-8'sd5"}, {-128, 8, "8'h80"}, {255, 8, "8'd255"}, {-1, 1, "1'h1"},
		{300, 8, "8'd44"}, {-300, 8, "-8'sd44"},
	} {
		if got := lit(big.NewInt(c.v), c.w); got != c.want {
			t.Errorf("lit(%d, %d) = %s, want %s", c.v, c.w, got, c.want)
		}
	}
	if got := vecLit(bigs([]int64{1, -2, 3}), 4, ""); got != "{\n4'd3, -4'sd2, 4'd1}" {
		t.Errorf("vecLit = %q", got)
	}
	p, n := csd(big.NewInt(7)) // 8 - 1
	if p.Int64() != 8 || n.Int64() != 1 {
		t.Errorf("csd(7) = %v - %v", p, n)
	}
	for v := int64(-300); v <= 300; v++ {
		p, n := csd(big.NewInt(v))
		if new(big.Int).Sub(p, n).Int64() != v || new(big.Int).And(p, n).Sign() != 0 {
			t.Fatalf("csd(%d) = %v - %v", v, p, n)
		}
		// non-adjacent form: no two consecutive non-zero digits
		d := new(big.Int).Or(p, n)
		if new(big.Int).And(d, new(big.Int).Rsh(d, 1)).Sign() != 0 {
			t.Fatalf("csd(%d) has adjacent digits: %b", v, d)
		}
	}
}
