package compiler

import (
	"os"
	"testing"
)

// BenchmarkCompileJetTagger measures import + float passes + quantisation
// of the bundled jet tagger (16-64-32-32-5 with softmax tables).
func BenchmarkCompileJetTagger(b *testing.B) {
	data, err := os.ReadFile("../models/examples/jet_tagger/model.onnx")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		g, err := ImportONNX(data, "jet_tagger.onnx")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compile(g, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportSmallCNN measures ONNX decoding and import alone.
func BenchmarkImportSmallCNN(b *testing.B) {
	data, err := os.ReadFile("../models/examples/small_cnn/model.onnx")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := ImportONNX(data, "small_cnn.onnx"); err != nil {
			b.Fatal(err)
		}
	}
}
