package onnx

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that Decode never panics on arbitrary bytes and that
// every model it accepts survives Encode → Decode unchanged.
func FuzzDecode(f *testing.F) {
	// Real exporter output makes the best seeds: the fuzzer mutates from
	// valid nested structure instead of having to discover it. A missing
	// folder only weakens the seeds, so it does not skip the fuzz target.
	paths, _ := filepath.Glob(filepath.Join(exampleDir, "*.onnx"))
	if len(paths) == 0 && os.Getenv("CI") == "true" {
		f.Fatalf("no example models in %s", exampleDir)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(Encode(richModel()))
	f.Add(Encode(&Model{IRVersion: 3, Graph: &Graph{Name: "g"}}))
	f.Add(minimalModel(nestedGraphBytes(4)))
	f.Add(minimalModel(field(1, str(4, "Gemm"), field(5, str(1, "alpha"), fixed32Field(2, 0x3f800000)))))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecodeRoundTrip(t, "input", b)
	})
}
