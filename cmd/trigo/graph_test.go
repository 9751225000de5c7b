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

// TestGraphModelCLI: compile skips the firmware backends that do not
// implement graph ops (with a warning, recorded in the manifest and the
// report) unless --backend names them; sim takes two inputs and writes
// integer outputs as int32.
func TestGraphModelCLI(t *testing.T) {
	model, x, valid := graphFixture+".onnx", graphFixture+".x.npy", graphFixture+".valid.npy"
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	_, stderr, code := trigo(t, "compile", model, "-o", out, "--calib", x, "--calib", valid)
	if code != 0 {
		t.Fatalf("compile: exit %d: %s", code, stderr)
	}
	for _, b := range []string{"rtl backend skipped"} {
		if !strings.Contains(stderr, b) || !strings.Contains(stderr, "is not supported by the") {
			t.Errorf("stderr lacks %q:\n%s", b, stderr)
		}
	}
	if strings.Contains(stderr, "hls backend skipped") {
		t.Errorf("the hls backend implements the graph ops, yet it was skipped:\n%s", stderr)
	}
	m, err := compiler.ReadManifest(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Skipped) != 1 || m.Skipped[0].Backend != "rtl" || m.RTL != nil || m.HLS == nil || fileExists(filepath.Join(out, "rtl")) ||
		!fileExists(filepath.Join(out, "hls")) {
		t.Errorf("manifest: skipped %+v, rtl %v, hls %v", m.Skipped, m.RTL, m.HLS)
	}
	if m.Outputs[0].Type != "i32" || m.Inputs[1].Type != "ufixed<1,1,RND_MIN_INF,SAT>" {
		t.Errorf("manifest interface: %+v %+v", m.Inputs[1], m.Outputs[0])
	}
	rep, _ := os.ReadFile(filepath.Join(out, "report.txt"))
	if !strings.Contains(string(rep), "firmware: rtl skipped: op global_exchange") {
		t.Errorf("report does not record the skipped backends:\n%s", rep)
	}

	// Asked for explicitly, an unsupported backend is an error.
	_, stderr, code = trigo(t, "compile", model, "-o", filepath.Join(dir, "rtl"), "--backend", "rtl")
	if code != 1 {
		t.Errorf("--backend rtl: exit %d", code)
	}
	checkErrorLine(t, stderr, []string{model, "rtl backend", "op global_exchange", "not supported by the verilog backend yet"})
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
