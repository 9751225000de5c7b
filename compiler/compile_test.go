package compiler

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trigo/internal/golden"
	"trigo/internal/npy"
	"trigo/ir"
	"trigo/sim"
)

// sharedExamples returns the hls4ml example models beside the repository.
// They are part of the CI contract, so CI fails rather than skips without them.
func sharedExamples(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob("../../shared/models/hls4ml-examples/*.onnx")
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("../shared/models/hls4ml-examples is missing")
		}
		t.Skip("../shared/models/hls4ml-examples not found")
	}
	return files
}

// exampleModel is one model with its reference events.
type exampleModel struct {
	name string
	g    *ir.Graph
	x, y sim.Batch
}

func loadBatch(t testing.TB, path string, shape ir.Shape) sim.Batch {
	t.Helper()
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b := sim.Batch{Events: a.Shape[0], Shape: shape, Data: a.Float32s()}
	if b.Events*shape.Size() != len(b.Data) {
		t.Fatalf("%s: %d values do not make %d events of %v", path, len(b.Data), b.Events, shape)
	}
	return b
}

func loadExamples(t testing.TB) []exampleModel {
	var out []exampleModel
	for _, f := range sharedExamples(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := ImportONNX(data, f)
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		base := strings.TrimSuffix(f, ".onnx")
		out = append(out, exampleModel{name: filepath.Base(base), g: g,
			x: loadBatch(t, base+".x.npy", g.Inputs[0].Shape),
			y: loadBatch(t, base+".y.npy", g.Node(producerName(g, g.Outputs[0])).Outputs[0].Shape)})
	}
	for _, dir := range []string{"../models/examples/jet_tagger", "../models/examples/small_cnn"} {
		data, err := os.ReadFile(dir + "/model.onnx")
		if err != nil {
			t.Fatal(err)
		}
		g, err := ImportONNX(data, dir+"/model.onnx")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, exampleModel{name: filepath.Base(dir), g: g,
			x: loadBatch(t, dir+"/x.npy", g.Inputs[0].Shape),
			y: loadBatch(t, dir+"/y.npy", g.Node(producerName(g, g.Outputs[0])).Outputs[0].Shape)})
	}
	return out
}

func producerName(g *ir.Graph, v string) string {
	for _, n := range g.Nodes {
		if n.Outputs[0].Name == v {
			return n.Name
		}
	}
	return ""
}

// closeTo is the acceptance rule for float imports: relative 1e-5 or
// absolute 1e-6.
func closeTo(got, want float32) bool {
	d := math.Abs(float64(got) - float64(want))
	return d <= 1e-6 || d <= 1e-5*math.Abs(float64(want))
}

// checkClose returns the index of the first element off the reference, or -1.
func checkClose(got, want []float32) int {
	if len(got) != len(want) {
		return 0
	}
	for i := range got {
		if !closeTo(got[i], want[i]) {
			return i
		}
	}
	return -1
}

func runFloat(t testing.TB, g *ir.Graph, x sim.Batch) sim.Batch {
	t.Helper()
	f, err := sim.NewFloat(g)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Run([]sim.Batch{x})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// TestFloatReproducesReference: every example imports, and the float
// simulator reproduces the independent reference outputs, both on the
// imported graph and after the float passes.
func TestFloatReproducesReference(t *testing.T) {
	for _, m := range loadExamples(t) {
		t.Run(m.name, func(t *testing.T) {
			got := runFloat(t, m.g, m.x)
			if i := checkClose(got.Data, m.y.Data); i >= 0 {
				t.Fatalf("imported graph: element %d = %v, reference %v", i, got.Data[i], m.y.Data[i])
			}
			pf, err := PrepareFloat(m.g)
			if err != nil {
				t.Fatal(err)
			}
			got = runFloat(t, pf, m.x)
			if i := checkClose(got.Data, m.y.Data); i >= 0 {
				t.Fatalf("after float passes: element %d = %v, reference %v", i, got.Data[i], m.y.Data[i])
			}
			// The comparison must be able to fail: a corrupted reference is caught.
			bad := append([]float32(nil), m.y.Data...)
			bad[len(bad)/2] += 1e-3 + 1e-3*float32(math.Abs(float64(bad[len(bad)/2])))
			if checkClose(got.Data, bad) < 0 {
				t.Fatal("a corrupted reference output was not detected")
			}
		})
	}
}

// TestFixedCloseToFloat quantises every example with the default config
// and with auto + calibration, and reports the error against float.
func TestFixedCloseToFloat(t *testing.T) {
	for _, m := range loadExamples(t) {
		for _, mode := range []string{"default", "auto"} {
			t.Run(m.name+"/"+mode, func(t *testing.T) {
				cfg := DefaultConfig()
				var calib []sim.Batch
				if mode == "auto" {
					cfg.Model.Precision = "auto"
					calib = []sim.Batch{m.x}
				}
				res, err := Compile(m.g, Options{Config: cfg, Calib: calib, VerifyPasses: true})
				if err != nil {
					t.Fatal(err)
				}
				fl := runFloat(t, res.Float, m.x)
				fx, err := sim.NewFixed(res.Fixed)
				if err != nil {
					t.Fatal(err)
				}
				codes, err := fx.Quantize([]sim.Batch{m.x})
				if err != nil {
					t.Fatal(err)
				}
				outs, err := fx.Run(codes)
				if err != nil {
					t.Fatal(err)
				}
				st, err := sim.Compare(res.Fixed.Outputs, []sim.Batch{fl}, outs)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%-22s %-7s max|err| %.5f  rms %.6f  overflow events %d", m.name, mode, st[0].MaxAbs, st[0].RMS, fx.Report().Total())
				limit, rmsLimit := 0.05, 0.01
				if m.name == "bnn_model_fc_1layer" && mode == "default" {
					// Binary outputs: inputs within 2^-11 below zero round
					// to zero and flip a sign (one output of 4000 here).
					limit, rmsLimit = 2, 0.05
				}
				if st[0].MaxAbs > limit || st[0].RMS > rmsLimit {
					t.Errorf("fixed point too far from float: max %v rms %v", st[0].MaxAbs, st[0].RMS)
				}
				if mode == "auto" && fx.Report().Total() != 0 {
					t.Errorf("auto types overflowed on their own calibration data:\n%s", fx.Report())
				}
			})
		}
	}
}

// TestRoundTripExamples: print → parse → print is identical for the float
// and the quantised graph of every example, and both validate.
func TestRoundTripExamples(t *testing.T) {
	for _, m := range loadExamples(t) {
		res, err := Compile(m.g, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range []*ir.Graph{m.g, res.Float, res.Fixed} {
			text := g.Text()
			back, err := ir.Parse(text)
			if err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
			if err := back.Validate(); err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
			if back.Text() != text {
				t.Fatalf("%s: print/parse/print differs", m.name)
			}
		}
	}
}

// TestGoldenCompile pins the quantised IR of the bundled jet tagger and of
// a channel-last Keras CNN (transposes gone) in golden files.
func TestGoldenCompile(t *testing.T) {
	for _, m := range loadExamples(t) {
		if m.name != "jet_tagger" && m.name != "conv2d_small_keras" {
			continue
		}
		res, err := Compile(m.g, Options{})
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "testdata/golden/"+m.name+".float.tir", res.Float.Text())
		golden.Check(t, "testdata/golden/"+m.name+".tir", res.Fixed.Text())
		if m.name == "conv2d_small_keras" {
			for _, n := range res.Float.Nodes {
				if n.Op == "transpose" {
					t.Errorf("transpose %q survived transpose elimination", n.Name)
				}
			}
		}
	}
}
