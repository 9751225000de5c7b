package verilog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trigo/compiler"
	"trigo/ir"
)

// exampleModels lists the shared hls4ml examples and the bundled
// feed-forward models.
func exampleModels(t testing.TB) []string {
	t.Helper()
	shared, _ := filepath.Glob("../../../shared/models/hls4ml-examples/*.onnx")
	if len(shared) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("shared examples missing: ../../../shared/models/hls4ml-examples (CI=true)")
		}
		t.Log("shared examples missing: ../../../shared/models/hls4ml-examples")
	}
	// The bundled feed-forward models; the graph networks (ecl_gnn, ...)
	// need the graph ops in RTL (a later issue).
	for _, name := range []string{"jet_tagger", "small_cnn"} {
		shared = append(shared, filepath.Join("..", "..", "models", "examples", name, "model.onnx"))
	}
	return shared
}

// quantised imports an ONNX model and compiles it with the default config.
func quantised(t testing.TB, path string) *ir.Graph {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := compiler.ImportONNX(data, path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := compiler.Compile(g, compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r.Fixed
}

func exampleName(p string) string {
	if filepath.Base(p) == "model.onnx" {
		return filepath.Base(filepath.Dir(p))
	}
	return strings.TrimSuffix(filepath.Base(p), ".onnx")
}

// TestExamples compiles every example model to RTL, lints it in Verilator,
// parses it in Yosys and simulates 1000 events (hil.Vectors) in Icarus:
// every output code must equal the Go simulator's, and the measured
// latency and II must equal Timing.
func TestExamples(t *testing.T) {
	t.Parallel()
	needTool(t, "iverilog", "vvp", "verilator", "yosys")
	for _, p := range exampleModels(t) {
		p := p
		t.Run(exampleName(p), func(t *testing.T) {
			t.Parallel()
			g := quantised(t, p)
			b := New(Options{})
			checkTools(t, b, g, false)
			cmp := checkRTL(t, b, g, 1000, false)
			lat, ii, _ := b.Timing(g)
			t.Logf("%s: latency %d, II %d at 250 MHz; %s", g.Name, lat, ii, cmp)
		})
	}
}

// TestExamplesShiftAdd runs two small examples in zero-DSP (shift-add)
// mode: lint, simulation against the Go simulator, and no multiplier left
// after elaboration. (The op graphs cover shift-add mode op by op.)
func TestExamplesShiftAdd(t *testing.T) {
	t.Parallel()
	needTool(t, "iverilog", "vvp", "verilator", "yosys")
	for _, p := range exampleModels(t) {
		name := exampleName(p)
		if name != "two_layer_pytorch" && name != "bnn_model_fc_1layer" {
			continue
		}
		p := p
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := quantised(t, p)
			b := New(Options{Multipliers: "lut"})
			muls := checkTools(t, b, g, name == "two_layer_pytorch")
			if muls > 0 {
				t.Errorf("shift-add mode: %d multipliers after elaboration, want 0", muls)
			}
			cmp := checkRTL(t, b, g, 300, false)
			lat, _, _ := b.Timing(g)
			t.Logf("%s (shift-add): latency %d; %s", g.Name, lat, cmp)
		})
	}
}

// TestJetTaggerLatencyTarget pins the RTL issue's target for the jet tagger
// (three_layer_pytorch, fixed<16,6>, reuse 1, 250 MHz): II 1 and at most
// 10 cycles, met in zero-DSP mode; DSP mode is logged (12 cycles: a
// combinational DSP multiply fills most of a 4 ns stage). TestVerifyExamples
// in cmd/trigo measures the DSP-mode design; this test only reads the
// schedule, so it also runs where no simulator is installed.
func TestJetTaggerLatencyTarget(t *testing.T) {
	var model string
	for _, p := range exampleModels(t) {
		if exampleName(p) == "three_layer_pytorch" {
			model = p
		}
	}
	if model == "" {
		t.Skip("three_layer_pytorch not available")
	}
	for _, c := range []struct {
		mult   string
		maxLat int
	}{{"lut", 10}, {"dsp", 12}} {
		b := New(Options{ClockMHz: 250, Multipliers: c.mult})
		pg, err := b.Prepare(quantised(t, model))
		if err != nil {
			t.Fatal(err)
		}
		lat, ii, err := b.Timing(pg)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("jet tagger, %s multipliers, 250 MHz: latency %d cycles, II %d", c.mult, lat, ii)
		if ii != 1 || lat > c.maxLat {
			t.Errorf("%s: latency %d II %d, want <= %d and 1", c.mult, lat, ii, c.maxLat)
		}
	}
}
