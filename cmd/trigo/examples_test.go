package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trigo/compiler"
)

// exampleEvents is the bar: every example runs this many generated
// events (extremes first, then random codes) through each simulator.
const exampleEvents = 10000

// firmwareExamples lists the shared hls4ml examples and the bundled models
// that have a Verilog design (graph networks come in a later issue).
func firmwareExamples(t *testing.T) map[string]string {
	t.Helper()
	models := map[string]string{}
	shared, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "models", "hls4ml-examples", "*.onnx"))
	if len(shared) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("shared examples missing (CI=true)")
		}
		t.Log("shared examples missing: only the bundled models run")
	}
	for _, p := range shared {
		models[strings.TrimSuffix(filepath.Base(p), ".onnx")] = p
	}
	for _, name := range []string{"jet_tagger", "small_cnn"} {
		models[name] = filepath.Join("..", "..", "models", "examples", name, "model.onnx")
	}
	return models
}

// TestVerifyExamples is the end-to-end proof of the RTL backend: every
// example model compiles, and `trigo verify` streams 10,000 events with
// 20 % random s_axis_tvalid gaps and m_axis_tready stalls through the
// design in Verilator and in Icarus. Every output bit must equal the Go
// simulator's and the measured latency and II must equal the manifest's
// (verify fails otherwise; TestVerifyCatchesCorruptedFirmware proves it
// does).
//
// It is the longest test of the suite (Icarus runs ~70-3000 events/s):
// `go test -short` skips it on a developer machine; CI runs it in full.
func TestVerifyExamples(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("-short: the 10,000-event runs of every example take minutes")
	}
	needTool(t, "verilator")
	needTool(t, "iverilog")
	for name, model := range firmwareExamples(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out")
			mustRun(t, "compile", model, "-o", out, "--backend", "rtl")
			m, err := compiler.ReadManifest(filepath.Join(out, fileManifest))
			if err != nil {
				t.Fatal(err)
			}
			for _, simulator := range []string{"verilator", "iverilog"} {
				stdout := mustRun(t, "verify", out, "--rtl", simulator, "--vectors", "10000", "--seed", "11", "--stall", "20")
				if !strings.Contains(stdout, "bit-exact") {
					t.Fatalf("%s: %s", simulator, stdout)
				}
				var vj verifyJSON
				data, err := os.ReadFile(filepath.Join(out, "verify.json"))
				if err != nil || json.Unmarshal(data, &vj) != nil || vj.RTL == nil {
					t.Fatalf("%s: verify.json: %v\n%s", simulator, err, data)
				}
				r := vj.RTL
				if !vj.OK || vj.Events != exampleEvents || r.Comparison.Events != exampleEvents || !r.Comparison.OK() {
					t.Fatalf("%s: not %d bit-exact events: %s", simulator, exampleEvents, data)
				}
				if r.LatencyCycles != m.RTL.LatencyCycles || r.IICycles != m.RTL.IICycles {
					t.Errorf("%s: measured latency %d II %d, manifest %d %d", simulator, r.LatencyCycles, r.IICycles, m.RTL.LatencyCycles, m.RTL.IICycles)
				}
				if r.Stalls == 0 {
					t.Errorf("%s: no stall cycles: the run did not exercise back-pressure", simulator)
				}
				t.Logf("%s %-9s latency %d II %d, %d cycles (%d stalled), build %.1f s, %.0f events/s",
					name, simulator, r.LatencyCycles, r.IICycles, r.Cycles, r.Stalls, r.BuildSeconds, r.EventsPerSecond)
			}
		})
	}
}
