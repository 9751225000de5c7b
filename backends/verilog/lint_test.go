package verilog

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"trigo/ir"
)

// lint runs Verilator --lint-only -Wall on the design (no waiver flags:
// the waivers are in the sources).
func lint(t testing.TB, dir, top string, files []string) {
	t.Helper()
	args := append([]string{"--lint-only", "-Wall", "--top-module", top}, files...)
	run(t, dir, 5*time.Minute, "verilator", args...)
}

// yosysRead parses the design with Yosys read_verilog.
func yosysRead(t testing.TB, dir string, files []string) {
	t.Helper()
	script := "read_verilog"
	for _, f := range files {
		script += " " + f
	}
	run(t, dir, 2*time.Minute, "yosys", "-q", "-p", script)
}

var countRE = regexp.MustCompile(`(\d+) objects`)

// yosysMuls elaborates the design in Yosys and returns the number of
// multiplier cells ($mul) left after constant folding.
func yosysMuls(t testing.TB, dir, top string, files []string) int {
	t.Helper()
	script := "read_verilog"
	for _, f := range files {
		script += " " + f
	}
	script += fmt.Sprintf("; hierarchy -check -top %s; proc; flatten; opt_expr; opt_clean; select -count t:$mul", top)
	out := run(t, dir, 3*time.Minute, "yosys", "-p", script)
	m := countRE.FindAllSubmatch(out, -1)
	if len(m) == 0 {
		t.Fatalf("yosys: no cell count in output:\n%s", firstLines(out, 40))
	}
	n, _ := strconv.Atoi(string(m[len(m)-1][1]))
	return n
}

// checkTools lints and parses an emitted design; with elaborate it also
// elaborates it in Yosys and returns the multiplier count.
func checkTools(t testing.TB, b *Backend, g *ir.Graph, elaborate bool) (muls int) {
	t.Helper()
	dir := t.TempDir()
	files, top := emitTo(t, b, g, dir)
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	lint(t, dir, top, files)
	yosysRead(t, dir, files)
	if elaborate {
		return yosysMuls(t, dir, top, files)
	}
	return -1
}

// TestOpsToolchains lints every op graph in Verilator and elaborates it in
// Yosys, in both multiplier modes; shift-add mode must leave no multiplier.
func TestOpsToolchains(t *testing.T) {
	t.Parallel()
	needTool(t, "verilator", "yosys")
	for name, g := range opGraphs(t) {
		for _, mode := range []string{"dsp", "lut"} {
			name, g, mode := name, g, mode
			t.Run(name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				muls := checkTools(t, New(Options{Multipliers: mode}), g, true)
				if mode == "lut" && muls != 0 {
					t.Errorf("shift-add mode: %d multipliers after elaboration, want 0", muls)
				}
				t.Logf("%d multipliers", muls)
			})
		}
	}
}
