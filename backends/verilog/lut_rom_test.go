package verilog

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestLutRomSplit: trigo_lut reads one shared ROM in simulation and one ROM
// per two lookups under `SYNTHESIS (what Yosys and Vivado build). Both
// variants, run in Icarus with and without -DSYNTHESIS, must give every
// lookup exactly the entry sim.LutIndex selects (clamps included), for an
// odd number of lookups (the last ROM serves one) and every input code.
func TestLutRomSplit(t *testing.T) {
	needTool(t, "iverilog", "vvp")
	const (
		n, xw, yw, ab, shift = 5, 8, 8, 5, 1
		lo, hi               = -40, 20 // x < lo: FIRST, x >= hi: LAST
		first, last          = 0x5a, 0xa5
	)
	rng := rand.New(rand.NewPCG(7, 11))
	rom := make([]int, 1<<ab)
	var romHex strings.Builder
	for i := range rom {
		rom[i] = rng.IntN(256)
	}
	for i := len(rom) - 1; i >= 0; i-- {
		fmt.Fprintf(&romHex, "%02x", rom[i])
	}
	// expected: entry (x >> shift) mod 2^ab inside [lo, hi) (ADD = 0: the
	// generator rotates the table so that no subtraction is needed)
	want := func(x int) int {
		switch {
		case x < lo:
			return first
		case x >= hi:
			return last
		}
		return rom[(x>>shift)&(1<<ab-1)]
	}
	var tb strings.Builder
	fmt.Fprintf(&tb, `module tb;
  reg [%d:0] x;
  wire [%d:0] y;
  trigo_lut #(.N(%d), .XW(%d), .XS(1), .YW(%d), .AB(%d), .SHIFT(%d),
    .HAS_LO(1), .LO(-%d'sd%d), .HAS_HI(1), .HI(%d'sd%d), .FIRST(%d'h%x), .LAST(%d'h%x),
    .ROM(%d'h%s)) u (.clk(1'b0), .ce(1'b1), .x(x), .y(y));
  integer v, i;
  initial begin
    for (v = 0; v < 256; v = v + 1) begin
      for (i = 0; i < %d; i = i + 1) x[i*%d +: %d] = v + 37 * i;
      #1 $display("%%h", y);
    end
    $finish;
  end
endmodule
`, n*xw-1, n*yw-1, n, xw, yw, ab, shift, xw, -lo, xw, hi, yw, first, yw, last, (1<<ab)*yw, romHex.String(), n, xw, xw)
	src := tb.String()
	var lib strings.Builder
	for _, m := range libClosure([]string{"trigo_lut"}) {
		s, err := libSource(m)
		if err != nil {
			t.Fatal(err)
		}
		lib.WriteString(s)
	}
	expect := make([]string, 256)
	for v := range 256 {
		var line strings.Builder
		for i := n - 1; i >= 0; i-- {
			x := int(int8(uint8(v + 37*i)))
			fmt.Fprintf(&line, "%02x", want(x))
		}
		expect[v] = line.String()
	}
	check := func(got []string, want []string) (bad int, first string) {
		for v := range want {
			if v >= len(got) || got[v] != want[v] {
				if bad == 0 {
					g := "(missing)"
					if v < len(got) {
						g = got[v]
					}
					first = fmt.Sprintf("x code %d: got %s, want %s", v, g, want[v])
				}
				bad++
			}
		}
		return bad, first
	}
	for _, synthesis := range []bool{false, true} {
		t.Run("synthesis="+strconv.FormatBool(synthesis), func(t *testing.T) {
			dir := t.TempDir()
			text := src
			if synthesis {
				text = "`define SYNTHESIS\n" + text
			}
			writeFile(t, dir, "tb.v", []byte(text))
			writeFile(t, dir, "lib.v", []byte(lib.String()))
			out := strings.Fields(string(iverilog(t, dir, "tb", "tb.v", "lib.v")))
			var got []string
			for _, f := range out {
				if len(f) == 2*n {
					got = append(got, f)
				}
			}
			if bad, first := check(got, expect); bad > 0 {
				t.Fatalf("%d of 256 input codes wrong; first: %s", bad, first)
			}
			// the comparison catches a corrupted expectation
			corrupt := append([]string(nil), expect...)
			corrupt[100] = strings.Repeat("0", 2*n-1) + "f"
			if bad, _ := check(got, corrupt); bad != 1 {
				t.Fatalf("corrupted expectation: %d mismatches, want 1", bad)
			}
		})
	}
}
