package compiler

import (
	"os"
	"path/filepath"
	"testing"

	"trigo/ir"
)

// FuzzImportONNX checks that ImportONNX never panics, and that every graph
// it accepts validates and survives the IR text round trip.
func FuzzImportONNX(f *testing.F) {
	var paths []string
	for _, pat := range []string{
		"../../shared/models/hls4ml-examples/*.onnx",
		"../models/examples/*/model.onnx",
	} {
		p, _ := filepath.Glob(pat) // missing folders only weaken the seeds
		paths = append(paths, p...)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for i, c := range impCases() {
		if i%3 == 0 || c.name == "if_constant_true_inlines_then" || c.name == "qonnx_quant_round" {
			f.Add(impEncode(c.spec))
		}
	}
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ImportONNX(data, "fuzz.onnx")
		if err != nil {
			if g != nil {
				t.Fatalf("ImportONNX returned a graph and an error: %v", err)
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("imported graph does not validate: %v\n%s", err, g.Text())
		}
		text := g.Text()
		g2, err := ir.Parse(text)
		if err != nil {
			t.Fatalf("printed graph does not parse: %v\n%s", err, text)
		}
		if text2 := g2.Text(); text2 != text {
			t.Fatalf("print/parse round trip differs:\n--- first\n%s\n--- second\n%s", text, text2)
		}
		if err := g2.Validate(); err != nil {
			t.Fatalf("re-parsed graph does not validate: %v", err)
		}
	})
}
