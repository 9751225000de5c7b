package main

import (
	"path/filepath"
	"strings"
	"testing"

	"trigo/compiler"
)

// TestGraphExamplesHLS: `trigo compile` writes OUT/hls for the graph
// examples (with their config.yaml and calibration events where they have
// them), and `trigo verify OUT --hls` proves the C simulation bit-exact on
// the examples' events (--input x.npy --input valid.npy) and on generated
// events (random occupancy, empty and full events included). With -short,
// one model per interface.
func TestGraphExamplesHLS(t *testing.T) {
	needTool(t, "g++")
	models := []struct{ name, config, iface string }{
		{"ecl_gnn", "config.yaml", "ap_vld"}, {"plain_gravnet", "config.yaml", "axis"}, {"cdc_gnn", "config.yaml", "ap_vld"},
		{"gravnet_fpl26", "config.yaml", "ap_vld"},
		// the FPL 2026 comparison point: 12-bit activations fit one 4096-bit beat
		{"gravnet_fpl26", "fpl26.yaml", "axis"},
	}
	if testing.Short() {
		models = models[:2]
	}
	for _, mc := range models {
		name := mc.name
		if mc.config != "config.yaml" {
			name += "/" + mc.config
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, exampleArgs := graphExampleArgs(t, mc.name, mc.config)
			out := filepath.Join(t.TempDir(), mc.name)
			args := append([]string{"compile", filepath.Join(dir, "model.onnx"), "-o", out}, exampleArgs...)
			_, stderr, code := trigo(t, args...)
			if code != 0 {
				t.Fatalf("compile: exit %d: %s", code, stderr)
			}
			if strings.Contains(stderr, "hls backend skipped") {
				t.Errorf("hls skipped: %s", stderr)
			}
			m, err := compiler.ReadManifest(filepath.Join(out, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			if m.HLS == nil || m.HLS.Interface != mc.iface || !fileExists(filepath.Join(out, "hls", m.HLS.Top+".cpp")) {
				t.Fatalf("manifest hls section %+v, want the %s interface and OUT/hls/%s.cpp", m.HLS, mc.iface, mc.name)
			}
			msg := mustRun(t, "verify", out, "--hls", "--input", filepath.Join(dir, "x.npy"), "--input", filepath.Join(dir, "valid.npy"))
			if !strings.Contains(msg, "bit-exact") {
				t.Errorf("verify --input: %s", msg)
			}
			msg = mustRun(t, "verify", out, "--hls", "--vectors", "2000", "--seed", "3")
			if !strings.Contains(msg, "hls csim: 2000 events") || !strings.Contains(msg, "bit-exact") {
				t.Errorf("verify --vectors: %s", msg)
			}
			t.Log(strings.TrimSpace(msg))
		})
	}
}
