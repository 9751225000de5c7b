package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"trigo/compiler"
	"trigo/internal/npy"
)

// A graph network with trigo-domain ops (compiler/testdata/graph): inputs
// x [events,8,3] and a bool mask valid [events,8]; outputs assign (int32),
// clusters, n_clusters (int32) and the GravNet features.
const graphFixture = "../../compiler/testdata/graph/ecl_like"

// TestGraphModelCLI: compile writes both firmware backends for a graph
// network (the RTL as a vertex stream, lanes in the manifest); a
// configuration the RTL backend cannot build is one clear error; sim takes
// two inputs and writes integer outputs as int32.
func TestGraphModelCLI(t *testing.T) {
	model, x, valid := graphFixture+".onnx", graphFixture+".x.npy", graphFixture+".valid.npy"
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	_, stderr, code := trigo(t, "compile", model, "-o", out, "--calib", x, "--calib", valid)
	if code != 0 {
		t.Fatalf("compile: exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "skipped") {
		t.Errorf("a backend was skipped:\n%s", stderr)
	}
	m, err := compiler.ReadManifest(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Skipped) != 0 || m.RTL == nil || m.RTL.Lanes != 1 || m.RTL.IICycles < 8 || m.HLS == nil ||
		!fileExists(filepath.Join(out, "rtl", m.RTL.Top+".v")) || !fileExists(filepath.Join(out, "hls")) {
		t.Errorf("manifest: skipped %+v, rtl %+v, hls %v", m.Skipped, m.RTL, m.HLS)
	}
	if m.Outputs[0].Type != "i32" || m.Inputs[1].Type != "ufixed<1,1,RND_MIN_INF,SAT>" {
		t.Errorf("manifest interface: %+v %+v", m.Inputs[1], m.Outputs[0])
	}

	// Lanes that do not divide the vertices: one error naming the model,
	// the backend and what is wrong.
	cfg := filepath.Join(dir, "lanes3.yaml")
	if err := os.WriteFile(cfg, []byte("model:\n  lanes: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = trigo(t, "compile", model, "-o", filepath.Join(dir, "rtl"), "--config", cfg, "--backend", "rtl")
	if code != 1 {
		t.Errorf("lanes 3: exit %d", code)
	}
	checkErrorLine(t, stderr, []string{model, "rtl backend", "lanes 3: must divide the 8 vertices"})
	if _, stderr, _ := trigo(t, "compile", model, "-o", filepath.Join(dir, "none"), "--backend", "none"); strings.Contains(stderr, "skipped") {
		t.Errorf("--backend none warns: %s", stderr)
	}

	// sim: two inputs, four outputs; int outputs are int32, bool or float
	// masks give the same results.
	validF := filepath.Join(dir, "valid_f32.npy")
	va := readNPY(t, valid)
	if va.Dtype.Kind != npy.Bool {
		t.Fatalf("fixture valid is %s, want bool", va.Dtype)
	}
	if err := npy.WriteFile(validF, va.Shape, va.Float32s()); err != nil {
		t.Fatal(err)
	}
	outs := []string{"assign.npy", "clusters.npy", "n.npy", "features.npy"}
	run := func(mask string, extra ...string) []*npy.Array {
		args := []string{"sim", out, "--input", x, "--input", mask}
		for _, o := range outs {
			args = append(args, "--output", filepath.Join(dir, o))
		}
		msg := mustRun(t, append(args, extra...)...)
		if !strings.Contains(msg, "output assign, int32 (16, 8)") || !strings.Contains(msg, "output n_clusters, int32 (16,)") {
			t.Errorf("sim says:\n%s", msg)
		}
		var res []*npy.Array
		for _, o := range outs {
			res = append(res, readNPY(t, filepath.Join(dir, o)))
		}
		return res
	}
	ref := []*npy.Array{readNPY(t, graphFixture+".out0.npy"), readNPY(t, graphFixture+".out1.npy"), readNPY(t, graphFixture+".out2.npy")}
	for _, c := range []struct {
		name  string
		mask  string
		extra []string
	}{{"fixed", valid, nil}, {"fixed float mask", validF, nil}, {"float", valid, []string{"--float"}}, {"raw", valid, []string{"--raw"}}} {
		res := run(c.mask, c.extra...)
		for _, i := range []int{0, 2} {
			if res[i].Dtype.String() != "int32" {
				t.Errorf("%s: output %d is %s, want int32", c.name, i, res[i].Dtype)
			}
		}
		if res[1].Dtype.String() != "float32" && c.name != "raw" {
			t.Errorf("%s: clusters are %s", c.name, res[1].Dtype)
		}
		// The fixed-point graph assigns like the reference on this fixture.
		if !reflect.DeepEqual(res[0].Data, ref[0].Data) || !reflect.DeepEqual(res[2].Data, ref[2].Data) {
			t.Errorf("%s: assign %v\nreference %v", c.name, res[0].Data, ref[0].Data)
		}
	}
}

func TestManifestSkippedJSON(t *testing.T) {
	m := compiler.NewManifest(nil, "m.onnx")
	m.Skipped = []compiler.SkippedBackend{{Backend: "rtl", Reason: "op gravnet_agg is not supported"}}
	b, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if s, ok := back["skipped_backends"].([]any); !ok || len(s) != 1 {
		t.Errorf("manifest JSON: %s", b)
	}
}
