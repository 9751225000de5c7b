package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trigo/backends/synth"
	"trigo/compiler"
	"trigo/hil"
	"trigo/hil/rtlsim"
	"trigo/sim"
)

// benchModels are the models `make bench` reports on.
func benchModels(b *testing.B) map[string]string {
	models := map[string]string{
		"jet_tagger": "../../models/examples/jet_tagger/model.onnx",
		"small_cnn":  "../../models/examples/small_cnn/model.onnx",
	}
	shared, _ := filepath.Glob("../../../shared/models/hls4ml-examples/*.onnx")
	for _, p := range shared {
		models[strings.TrimSuffix(filepath.Base(p), ".onnx")] = p
	}
	return models
}

// benchConfigs are extra design points: a model compiled with a config
// (jet_tagger_reuse4: every dense layer time-multiplexed 4 ways, II 4).
var benchConfigs = map[string]struct{ model, config string }{
	"jet_tagger_reuse4": {"../../models/examples/jet_tagger/model.onnx", "model:\n  reuse_factor: 4\n"},
}

// BenchmarkFirmware reports, per model, what issue 3 asks `make bench` to
// print: compile time, latency and II in cycles, Yosys LUT/FF/DSP and longest
// path, Verilator build time and simulated events per second. One iteration
// per model (synthesis and Verilator builds take tens of seconds each).
func BenchmarkFirmware(b *testing.B) {
	for name, model := range benchModels(b) {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchFirmware(b, name, model, "")
			}
		})
	}
	for name, c := range benchConfigs {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchFirmware(b, name, c.model, c.config)
			}
		})
	}
}

func benchFirmware(b *testing.B, name, model, config string) {
	out := filepath.Join(b.TempDir(), name)
	args := []string{"compile", model, "-o", out, "--backend", "rtl"}
	if config != "" {
		cfg := filepath.Join(b.TempDir(), "config.yaml")
		if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
			b.Fatal(err)
		}
		args = append(args, "--config", cfg)
	}
	start := time.Now()
	var o, e strings.Builder
	if code := run(args, &o, &e); code != 0 {
		b.Fatalf("compile %s: %s", model, e.String())
	}
	compileMs := float64(time.Since(start).Microseconds()) / 1000
	m, err := compiler.ReadManifest(filepath.Join(out, fileManifest))
	if err != nil {
		b.Fatal(err)
	}
	g, err := parseIR(filepath.Join(out, fileFixedIR))
	if err != nil {
		b.Fatal(err)
	}
	var files []string
	for _, f := range m.RTL.Files {
		if strings.HasSuffix(f, ".v") {
			files = append(files, filepath.Join(out, f))
		}
	}
	rep, err := synth.Run(files, m.RTL.Top, synth.Options{})
	if err != nil {
		b.Fatal(err)
	}
	d, err := rtlDesign(out, g, m)
	if err != nil {
		b.Fatal(err)
	}
	const events = 10000
	inputs, err := hil.Vectors(g, events, 1)
	if err != nil {
		b.Fatal(err)
	}
	fx, _ := sim.NewFixed(g)
	want, err := fx.Run(inputs)
	if err != nil {
		b.Fatal(err)
	}
	res, err := rtlsim.Run(d, inputs, rtlsim.Options{Simulator: rtlsim.Verilator, Seed: 1, WorkDir: filepath.Join(b.TempDir(), "vl")})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := rtlsim.Check(d, res, want); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(compileMs, "compile-ms")
	b.ReportMetric(float64(m.RTL.LatencyCycles), "latency-cycles")
	b.ReportMetric(float64(m.RTL.IICycles), "ii-cycles")
	b.ReportMetric(float64(rep.LUT), "LUT")
	b.ReportMetric(float64(rep.FF), "FF")
	b.ReportMetric(float64(rep.DSP), "DSP")
	b.ReportMetric(float64(rep.LongestPath), "path-cells")
	b.ReportMetric(res.BuildSeconds, "verilator-build-s")
	b.ReportMetric(float64(events)/res.RunSeconds, "sim-events/s")
	fmt.Fprintf(os.Stderr, "| %s | %.0f | %d | %d | %d | %d | %d | %d | %.0f | %.0f |\n", name, compileMs,
		m.RTL.LatencyCycles, m.RTL.IICycles, rep.LUT, rep.FF, rep.DSP, rep.LongestPath, res.BuildSeconds, float64(events)/res.RunSeconds)
}
