package main

import (
	"encoding/json"
	"math/bits"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"trigo/compiler"
)

// needTool skips without an external tool, except in CI where it must exist.
func needTool(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing under CI", tool)
		}
		t.Skipf("%s not installed", tool)
	}
}

// compiledTwoLayer compiles the small shared two-layer model into a fresh
// directory.
func compiledTwoLayer(t *testing.T) string {
	t.Helper()
	model := sharedFile(t, "models/hls4ml-examples/two_layer_pytorch.onnx")
	out := filepath.Join(t.TempDir(), "out")
	mustRun(t, "compile", model, "-o", out)
	return out
}

func editFile(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	changed := edit(string(data))
	if changed == string(data) {
		t.Fatalf("%s: the edit changed nothing", path)
	}
	if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
}

// flipFirstHex flips the lowest bit of the first Verilog hex literal after
// the first match of the marker (a regular expression) that has at least
// two bits set: a multiplier constant of the first layer's weight table.
func flipFirstHex(t *testing.T, text, marker string) string {
	t.Helper()
	loc0 := regexp.MustCompile(marker).FindStringIndex(text)
	if loc0 == nil {
		t.Fatalf("marker %q not in the RTL", marker)
	}
	i := loc0[1]
	// Constants are written as sized literals, hex (8'h5a) or decimal
	// (10'd317, -10'sd209); flip bit 0 of the magnitude.
	re := regexp.MustCompile(`(\d+)'s?([hd])([0-9a-fA-F]+)`)
	for _, loc := range re.FindAllStringSubmatchIndex(text[i:], -1) {
		base := 16
		if text[i+loc[4]:i+loc[5]] == "d" {
			base = 10
		}
		v, _ := strconv.ParseUint(text[i+loc[6]:i+loc[7]], base, 64)
		// A weight that is not 0 or a power of two is a real multiplier
		// (others may be implemented as wires or shifts).
		if bits.OnesCount64(v) < 2 {
			continue
		}
		return text[:i+loc[6]] + strconv.FormatUint(v^1, base) + text[i+loc[7]:]
	}
	t.Fatal("no multiplier constant after the marker")
	return text
}

// TestVerifyCatchesCorruptedFirmware: the verifier passes on the generated
// firmware and fails on a flipped weight bit, a pipeline that drops beats
// under back-pressure, and a latency off by one — in RTL (Icarus) and in
// the HLS C simulation.
func TestVerifyCatchesCorruptedFirmware(t *testing.T) {
	needTool(t, "iverilog")
	needTool(t, "g++")
	out := compiledTwoLayer(t)
	stdout := mustRun(t, "verify", out, "--rtl", "iverilog", "--vectors", "200", "--seed", "3")
	if !strings.Contains(stdout, "bit-exact") {
		t.Fatalf("verify output: %s", stdout)
	}
	stdout = mustRun(t, "verify", out, "--hls", "--vectors", "2000")
	if !strings.Contains(stdout, "bit-exact") {
		t.Fatalf("verify output: %s", stdout)
	}
	var vj verifyJSON
	data, err := os.ReadFile(filepath.Join(out, "verify.json"))
	if err != nil || json.Unmarshal(data, &vj) != nil || !vj.OK || vj.HLS == nil || vj.HLS.Comparison.Events != 2000 {
		t.Fatalf("verify.json: %s (%v)", data, err)
	}

	top := filepath.Join(out, "rtl", "two_layer_pytorch.v")
	cases := []struct {
		name, want string
		corrupt    func(t *testing.T, dir string)
	}{
		{"flipped weight bit", "first: event", func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "rtl", "two_layer_pytorch.v"), func(s string) string { return flipFirstHex(t, s, `T_W\b`) })
		}},
		{"dropped beats under back-pressure", "events", func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "rtl", "two_layer_pytorch.v"), func(s string) string {
				return strings.Replace(s, "wire ce = ~vld[LATENCY-1] | m_axis_tready;", "wire ce = 1'b1;", 1)
			})
		}},
		{"latency off by one", "latency", func(t *testing.T, dir string) {
			m, err := compiler.ReadManifest(filepath.Join(dir, fileManifest))
			if err != nil {
				t.Fatal(err)
			}
			m.RTL.LatencyCycles++
			data, _ := m.JSON()
			if err := os.WriteFile(filepath.Join(dir, fileManifest), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	pristine, _ := os.ReadFile(top)
	manifest, _ := os.ReadFile(filepath.Join(out, fileManifest))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.WriteFile(top, pristine, 0o644)
			os.WriteFile(filepath.Join(out, fileManifest), manifest, 0o644)
			c.corrupt(t, out)
			_, stderr, code := trigo(t, "verify", out, "--rtl", "iverilog", "--vectors", "200", "--seed", "3")
			if code == 0 || !strings.Contains(stderr, "FAILED") || !strings.Contains(stderr, c.want) {
				t.Fatalf("corruption not caught: exit %d, stderr %s", code, stderr)
			}
			if !fileExists(filepath.Join(out, "verify.vcd")) {
				t.Error("a failure must leave a waveform")
			}
		})
	}

	t.Run("hls weight", func(t *testing.T) {
		editFile(t, filepath.Join(out, "hls", "two_layer_pytorch_weights.h"), func(s string) string {
			re := regexp.MustCompile(`= \{\s*(-?\d+)`)
			loc := re.FindStringSubmatchIndex(s)
			v, _ := strconv.Atoi(s[loc[2]:loc[3]])
			return s[:loc[2]] + strconv.Itoa(v^1) + s[loc[3]:]
		})
		_, stderr, code := trigo(t, "verify", out, "--hls", "--vectors", "2000")
		if code == 0 || !strings.Contains(stderr, "first: event") {
			t.Fatalf("corrupted HLS weight not caught: exit %d, stderr %s", code, stderr)
		}
	})
}

// TestSynthCLI sizes the small two-layer model with `trigo synth` and checks
// that a run cut short by --timeout ends in one clear error and leaves no
// synth.json behind that could pass for a finished report.
func TestSynthCLI(t *testing.T) {
	needTool(t, "yosys")
	out := compiledTwoLayer(t)
	_, stderr, code := trigo(t, "synth", out, "--timeout", "1ms")
	if code == 0 || !strings.Contains(stderr, "did not finish within 1ms") || strings.Contains(stderr, "goroutine") {
		t.Fatalf("synth --timeout 1ms: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "synth.json")); err == nil {
		t.Fatal("synth.json written by a synthesis that timed out")
	}
	stdout := mustRun(t, "synth", out)
	var rep struct {
		Top string `json:"top"`
		LUT int    `json:"lut"`
		DSP int    `json:"dsp"`
		FF  int    `json:"ff"`
	}
	data, err := os.ReadFile(filepath.Join(out, "synth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Top == "" || rep.LUT+rep.DSP == 0 || rep.FF == 0 || !strings.Contains(stdout, "synth.json") {
		t.Fatalf("implausible synth report %s (stdout %q)", data, stdout)
	}
}
