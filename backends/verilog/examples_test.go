package verilog

import (
	"os"
	"path/filepath"
	"testing"

	"trigo/compiler"
	"trigo/ir"
)

// exampleModels lists the shared hls4ml examples and the bundled models.
func exampleModels(t testing.TB) []string {
	t.Helper()
	shared, _ := filepath.Glob("../../../shared/models/hls4ml-examples/*.onnx")
	if len(shared) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("shared examples missing (CI=true)")
		}
		t.Log("shared examples missing: ../../../shared/models/hls4ml-examples")
	}
	bundled, _ := filepath.Glob("../../models/examples/*/model.onnx")
	return append(shared, bundled...)
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
