package verilog

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"trigo/ir/fixed"
)

type convCase struct {
	inW    int
	inS    bool
	inFrac int
	out    fixed.Type
	codes  []int64
}

// convCodes picks input codes: every code for narrow inputs, otherwise the
// extremes, values around rounding ties and random codes.
func convCodes(r *rand.Rand, w int, signed bool, shift int, n int) []int64 {
	var lo, hi int64
	if signed {
		lo, hi = -1<<(w-1), 1<<(w-1)-1
		if w == 64 {
			lo, hi = -1<<63, 1<<63-1
		}
	} else {
		lo, hi = 0, 1<<w-1
	}
	if w <= 7 {
		var out []int64
		for c := lo; ; c++ {
			out = append(out, c)
			if c == hi {
				break
			}
		}
		return out
	}
	clamp := func(v int64) int64 { return min(max(v, lo), hi) }
	out := []int64{lo, hi, 0, clamp(1), clamp(-1), clamp(lo + 1), clamp(hi - 1), clamp(lo / 2), clamp(hi / 2)}
	if shift > 0 && shift < 63 {
		h := int64(1) << (shift - 1)
		for _, base := range []int64{0, 1, -1, 2, -2, 3, -3, 5, -6, 1 << 20, -1 << 20} {
			b := base << shift
			if base != 0 && b>>shift != base {
				continue
			}
			for _, d := range []int64{h, h - 1, h + 1, 0, 1, -1} {
				out = append(out, clamp(b+d), clamp(b-d))
			}
		}
	}
	for len(out) < n {
		var v int64
		switch r.IntN(3) {
		case 0: // uniform
			if signed && w == 64 {
				v = int64(r.Uint64())
			} else {
				v = lo + int64(r.Uint64N(uint64(hi-lo)+1))
			}
		case 1: // small
			v = clamp(int64(r.IntN(1<<12)) - 1<<11)
		default: // near the extremes
			if r.IntN(2) == 0 {
				v = clamp(hi - int64(r.IntN(1<<10)))
			} else {
				v = clamp(lo + int64(r.IntN(1<<10)))
			}
		}
		out = append(out, v)
	}
	return out
}

func convCases(r *rand.Rand) []convCase {
	var cases []convCase
	add := func(inW int, inS bool, inFrac int, out fixed.Type, n int) {
		if err := out.Validate(); err != nil {
			panic(err)
		}
		c := convCase{inW: inW, inS: inS, inFrac: inFrac, out: out}
		c.codes = convCodes(r, inW, inS, inFrac-out.Frac(), n)
		cases = append(cases, c)
	}
	// Every mode pair on a few representative shapes.
	shapes := []struct {
		inW   int
		inS   bool
		inF   int
		outW  int
		outS  bool
		outF  int
		label string
	}{
		{28, true, 20, 16, true, 10, "dense acc -> out"},
		{16, true, 10, 16, true, 10, "same type"},
		{6, true, 3, 4, true, 1, "small, drop 2"},
		{6, false, 3, 4, false, 1, "small unsigned"},
		{6, true, 3, 4, false, 1, "signed -> unsigned"},
		{6, false, 2, 4, true, 0, "unsigned -> signed"},
		{5, true, 0, 7, true, 3, "append bits"},
		{7, true, 6, 1, true, 0, "to 1 bit signed"},
		{7, true, 6, 1, false, 0, "to 1 bit unsigned"},
		{1, true, 0, 3, true, 1, "from 1 bit"},
		{64, true, 30, 64, true, 20, "64 bit"},
		{63, false, 0, 64, true, 5, "63 bit unsigned in"},
		{40, true, 10, 12, true, 60, "huge left shift"},
		{40, true, 60, 12, true, -3, "huge right shift"},
	}
	for _, s := range shapes {
		for rm := fixed.TRN; rm <= fixed.RND_CONV; rm++ {
			for om := fixed.WRAP; om <= fixed.SAT_SYM; om++ {
				out := fixed.Type{Signed: s.outS, Width: s.outW, Int: s.outW - s.outF, Rounding: rm, Overflow: om}
				add(s.inW, s.inS, s.inF, out, 40)
			}
		}
	}
	// Random types, shifts around and beyond the clamps.
	for i := 0; i < 500; i++ {
		inS := r.IntN(2) == 0
		inW := 1 + r.IntN(63)
		if inS && r.IntN(8) == 0 {
			inW = 64
		}
		if r.IntN(3) == 0 {
			inW = 1 + r.IntN(10)
		}
		outS := r.IntN(2) == 0
		outW := 1 + r.IntN(63)
		if outS && r.IntN(8) == 0 {
			outW = 64
		}
		if r.IntN(3) == 0 {
			outW = 1 + r.IntN(10)
		}
		inF := r.IntN(80) - 20
		var outF int
		switch r.IntN(4) {
		case 0:
			outF = inF + r.IntN(2*(inW+4)+1) - (inW + 4)
		case 1:
			outF = inF + r.IntN(2*(outW+4)+1) - (outW + 4)
		case 2:
			outF = inF + r.IntN(200) - 100
		default:
			outF = inF - r.IntN(5)
		}
		out := fixed.Type{Signed: outS, Width: outW, Int: outW - outF,
			Rounding: fixed.Rounding(r.IntN(7)), Overflow: fixed.Overflow(r.IntN(4))}
		add(inW, inS, inF, out, 48)
	}
	return cases
}

func hex64(v int64, w int) string {
	u := uint64(v)
	if w < 64 {
		u &= 1<<w - 1
	}
	return strconv.FormatUint(u, 16)
}

// TestConvertMatchesGo simulates trigo_convert in Icarus over many input
// and output types, every quantisation and overflow mode and extreme codes,
// and compares every result and the overflow flag with fixed.Type.Convert.
func TestConvertMatchesGo(t *testing.T) {
	needTool(t, "iverilog", "vvp")
	r := rand.New(rand.NewPCG(1, 2))
	cases := convCases(r)
	n := 0
	for _, c := range cases {
		n = max(n, len(c.codes))
	}
	dir := t.TempDir()
	var mem bytes.Buffer
	for _, c := range cases {
		for i := 0; i < n; i++ {
			fmt.Fprintf(&mem, "%s\n", hex64(c.codes[i%len(c.codes)], c.inW))
		}
	}
	writeFile(t, dir, "in.hex", mem.Bytes())
	var tb strings.Builder
	fmt.Fprintf(&tb, "`timescale 1ns/1ps\nmodule tb;\n  reg [63:0] mem [0:%d];\n  integer i, f;\n", len(cases)*n-1)
	for k, c := range cases {
		cv := newCvt(c.inW, c.inS, c.inFrac, c.out)
		fmt.Fprintf(&tb, "  reg [%d:0] in%d; wire [%d:0] out%d; wire ovf%d;\n", c.inW-1, k, c.out.Width-1, k, k)
		fmt.Fprintf(&tb, "  trigo_convert #(%s) u%d (.in(in%d), .out(out%d), .ovf(ovf%d));\n", cv.params(), k, k, k, k)
	}
	tb.WriteString("  initial begin\n    $readmemh(\"in.hex\", mem);\n    f = $fopen(\"out.txt\", \"w\");\n")
	fmt.Fprintf(&tb, "    for (i = 0; i < %d; i = i + 1) begin\n", n)
	for k, c := range cases {
		fmt.Fprintf(&tb, "      in%d = mem[%d + i][%d:0];\n", k, k*n, c.inW-1)
	}
	tb.WriteString("      #1;\n")
	for k := range cases {
		fmt.Fprintf(&tb, "      $fwrite(f, \"%%h %%b\\n\", out%d, ovf%d);\n", k, k)
	}
	tb.WriteString("    end\n    $fclose(f);\n    $finish;\n  end\nendmodule\n")
	writeFile(t, dir, "tb.v", []byte(tb.String()))
	src, err := libSource("trigo_convert")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "lib.v", []byte(src))
	iverilog(t, dir, "tb", "tb.v", "lib.v")
	data := readFile(t, dir, "out.txt")
	sc := bufio.NewScanner(bytes.NewReader(data))
	line, bad, checked := 0, 0, 0
	for i := 0; i < n; i++ {
		for _, c := range cases {
			if !sc.Scan() {
				t.Fatalf("output ends after %d lines", line)
			}
			line++
			code := c.codes[i%len(c.codes)]
			f := strings.Fields(sc.Text())
			if len(f) != 2 {
				t.Fatalf("line %d: %q", line, sc.Text())
			}
			got, err := strconv.ParseUint(f[0], 16, 64)
			if err != nil {
				t.Fatalf("line %d: %q: %v (X or Z?)", line, sc.Text(), err)
			}
			want, ev := c.out.Convert(code, c.inFrac)
			wantBits := uint64(want)
			if c.out.Width < 64 {
				wantBits &= 1<<c.out.Width - 1
			}
			wantOvf := "0"
			if ev != fixed.NoOverflow {
				wantOvf = "1"
			}
			checked++
			if got != wantBits || f[1] != wantOvf {
				bad++
				if bad <= 20 {
					t.Errorf("in %d-bit %s code %d frac %d -> %v: RTL %x ovf %s, Go %x (%d) %v",
						c.inW, map[bool]string{true: "signed", false: "unsigned"}[c.inS], code, c.inFrac, c.out, got, f[1], wantBits, want, ev)
				}
			}
		}
	}
	t.Logf("%d conversions in %d type/mode combinations checked, %d mismatches", checked, len(cases), bad)
}
