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

// benchSpec is one design point: a model, optionally with a config
// (inline YAML or a file) and calibration events.
type benchSpec struct {
	model, config, configFile string
	calib                     []string
	events                    int // Verilator events (default 10,000)
}

// benchConfigs are extra design points: a model compiled with a config
// (jet_tagger_reuse4: every dense layer time-multiplexed 4 ways, II 4) and
// the graph networks of issue 6 with their configs (4 lanes, II 16).
var benchConfigs = map[string]benchSpec{
	"jet_tagger_reuse4": {model: "../../models/examples/jet_tagger/model.onnx", config: "model:\n  reuse_factor: 4\n"},
	"gravnet_fpl26":     graphBench("gravnet_fpl26", "fpl26.yaml"),
	"ecl_gnn":           graphBench("ecl_gnn", "config.yaml"),
	"cdc_gnn":           graphBench("cdc_gnn", "config.yaml"),
}

func graphBench(name, config string) benchSpec {
	dir := filepath.Join("..", "..", "models", "examples", name)
	return benchSpec{model: filepath.Join(dir, "model.onnx"), configFile: filepath.Join(dir, config),
		calib: []string{filepath.Join(dir, "calib_x.npy"), filepath.Join(dir, "calib_valid.npy")}, events: 2000}
}

// BenchmarkFirmware reports, per model, what issue 3 asks `make bench` to
// print: compile time, latency and II in cycles, Yosys LUT/FF/DSP and longest
// path, Verilator build time and simulated events per second. One iteration
// per model (synthesis and Verilator builds take tens of seconds each).
func BenchmarkFirmware(b *testing.B) {
	for name, model := range benchModels(b) {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchFirmware(b, name, benchSpec{model: model})
			}
		})
	}
	for name, c := range benchConfigs {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchFirmware(b, name, c)
			}
		})
	}
}

func benchFirmware(b *testing.B, name string, spec benchSpec) {
	model := spec.model
	out := filepath.Join(b.TempDir(), name)
	args := []string{"compile", model, "-o", out, "--backend", "rtl"}
	if spec.config != "" {
		cfg := filepath.Join(b.TempDir(), "config.yaml")
		if err := os.WriteFile(cfg, []byte(spec.config), 0o644); err != nil {
			b.Fatal(err)
		}
		args = append(args, "--config", cfg)
	}
	if spec.configFile != "" {
		args = append(args, "--config", spec.configFile)
	}
	for _, c := range spec.calib {
		args = append(args, "--calib", c)
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
	// Large designs take Yosys well over the default 30 minutes on a
	// loaded 2-core machine.
	rep, err := synth.Run(files, m.RTL.Top, synth.Options{Timeout: 3 * time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	d, err := rtlDesign(out, g, m)
	if err != nil {
		b.Fatal(err)
	}
	events := 10000
	if spec.events > 0 {
		events = spec.events
	}
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
