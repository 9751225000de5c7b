package compiler

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"trigo/ir"
)

const manifestTestIR = `trigo-ir 1
graph tiny
input x: fixed<16,6,RND,SAT>[2,3]
const w: fixed<8,2>[3,4] = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
]
node fc = dense(x, w) {acc = fixed<32,12>} -> y: ufixed<10,4,TRN,WRAP>[2,4]
output y
`

func TestNewManifest(t *testing.T) {
	g, err := ir.Parse(manifestTestIR)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	res := &Result{Fixed: g, Float: g, Chosen: []ChosenType{
		{Layer: "fc", What: "accum", Type: "fixed<32,12>", MaxAbs: 12.5, Reason: "exact"},
		{Layer: "fc", What: "result", Type: "fixed<8,2>", MaxAbs: math.NaN(), Reason: "auto"},
	}}
	m := NewManifest(res, "models/tiny.onnx")
	want := &Manifest{
		Model: "tiny", Source: "models/tiny.onnx", TrigoVersion: Version, Layers: 1,
		Inputs: []ManifestTensor{{Name: "x", Shape: []int{2, 3}, Type: "fixed<16,6,RND,SAT>", Width: 16, IntBits: 6, FracBits: 10,
			Signed: true, Rounding: "RND", Overflow: "SAT"}},
		Outputs: []ManifestTensor{{Name: "y", Shape: []int{2, 4}, Type: "ufixed<10,4>", Width: 10, IntBits: 4, FracBits: 6,
			Signed: false, Rounding: "TRN", Overflow: "WRAP"}},
	}
	v := 12.5
	want.Chosen = []ManifestChoice{{Layer: "fc", What: "accum", Type: "fixed<32,12>", MaxAbs: &v, Reason: "exact"},
		{Layer: "fc", What: "result", Type: "fixed<8,2>", Reason: "auto"}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("manifest:\n got %+v\nwant %+v", m, want)
	}

	// JSON: readable type strings, null for a non-finite max, round trip.
	path := filepath.Join(t.TempDir(), "manifest.json")
	if err := m.WriteManifest(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, s := range []string{`"type": "fixed<16,6,RND,SAT>"`, `"max_abs": null`, `"trigo_version": "` + Version + `"`, `"frac_bits": 10`} {
		if !strings.Contains(text, s) {
			t.Errorf("manifest.json lacks %s:\n%s", s, text)
		}
	}
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	back, err := ReadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, m)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("WriteManifest left temporary files: %v", entries)
	}
	if err := m.WriteManifest(filepath.Join(t.TempDir(), "missing", "m.json")); err == nil {
		t.Errorf("writing into a missing directory: no error")
	}
}

func TestNewManifestEmpty(t *testing.T) {
	m := NewManifest(nil, "x.onnx")
	b, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"inputs": []`) || !strings.Contains(string(b), `"chosen_types": []`) {
		t.Errorf("empty lists must be [] not null:\n%s", b)
	}
}

// TestManifestOfCompiledExample checks the manifest of a real compilation.
func TestManifestOfCompiledExample(t *testing.T) {
	path := "../models/examples/jet_tagger/model.onnx"
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	g, err := ImportONNX(data, path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compile(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := NewManifest(res, path)
	if m.Model != "jet_tagger" || len(m.Inputs) != 1 || len(m.Outputs) != 1 || m.Layers != len(res.Fixed.Nodes) {
		t.Fatalf("manifest %+v", m)
	}
	in, out := m.Inputs[0], m.Outputs[0]
	if in.Name != "x" || !reflect.DeepEqual(in.Shape, []int{16}) || out.Name != "y" || !reflect.DeepEqual(out.Shape, []int{5}) {
		t.Errorf("interface: %+v -> %+v", in, out)
	}
	for _, tt := range []ManifestTensor{in, out} {
		if tt.Width < 1 || tt.Width != tt.IntBits+tt.FracBits || !strings.HasPrefix(tt.Type, "fixed<") && !strings.HasPrefix(tt.Type, "ufixed<") {
			t.Errorf("tensor %+v", tt)
		}
	}
	if len(m.Chosen) != len(res.Chosen) {
		t.Errorf("%d chosen types, want %d", len(m.Chosen), len(res.Chosen))
	}
}
