package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"trigo/compiler"
	"trigo/internal/npy"
	"trigo/ir"
	"trigo/sim"
)

// importONNX reads and imports an ONNX file. Errors name the file. It
// returns the file's bytes too.
func importONNX(path string) (*ir.Graph, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fileError(path, err)
	}
	if looksLikeIR(data) {
		return nil, nil, fmt.Errorf("%s: this is a trigo IR text file, not an ONNX model", path)
	}
	g, err := compiler.ImportONNX(data, path)
	if err != nil {
		return nil, nil, fileError(path, err)
	}
	return g, data, nil
}

// looksLikeIR reports whether data is IR text (ir.Print output).
func looksLikeIR(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("trigo-ir"))
}

// parseIR reads and validates an IR text file.
func parseIR(path string) (*ir.Graph, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	if !looksLikeIR(data) {
		return nil, fmt.Errorf("%s: not a trigo IR text file (it does not start with %q)", path, ir.TextHeader)
	}
	g, err := ir.Parse(string(data))
	if err != nil {
		return nil, fileError(path, err)
	}
	if err := g.Validate(); err != nil {
		return nil, fileError(path, err)
	}
	return g, nil
}

// loadConfig reads the config file, or returns the defaults for "".
func loadConfig(path string) (*compiler.Config, error) {
	if path == "" {
		return compiler.DefaultConfig(), nil
	}
	c, err := compiler.LoadConfig(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	return c, nil
}

// checkConfigNames reports config entries naming layers or inputs the model
// lacks, blaming the config file (Compile would report the same without
// the file name).
func checkConfigNames(cfgPath string, cfg *compiler.Config, modelPath string, g *ir.Graph) error {
	if cfgPath == "" {
		return nil
	}
	fg, err := compiler.PrepareFloat(g)
	if err != nil {
		return fileError(modelPath, err)
	}
	if err := cfg.CheckNames(fg); err != nil {
		return fileError(cfgPath, err)
	}
	return nil
}

// readBatches reads one NPY file per graph input. flag names the option
// ("--input", "--calib") in messages.
func readBatches(paths []string, inputs []*ir.Value, flag string) ([]sim.Batch, error) {
	if len(paths) != len(inputs) {
		var names []string
		for _, v := range inputs {
			names = append(names, fmt.Sprintf("%s %v", v.Name, v.Shape))
		}
		return nil, usagef("the model has %d input(s) (%s): give one %s file per input, in this order; got %d",
			len(inputs), strings.Join(names, ", "), flag, len(paths))
	}
	batches := make([]sim.Batch, len(paths))
	for i, p := range paths {
		b, err := readBatch(p, inputs[i])
		if err != nil {
			return nil, err
		}
		if i > 0 && b.Events != batches[0].Events {
			return nil, fmt.Errorf("%s: %d events, but %s has %d: every input needs the same number of events", p, b.Events, paths[0], batches[0].Events)
		}
		batches[i] = b
	}
	return batches, nil
}

// readBatch reads events for one graph input: shape (events, per-event
// shape...) or (events, flat size); any numeric dtype.
func readBatch(path string, v *ir.Value) (sim.Batch, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return sim.Batch{}, fileError(path, err)
	}
	want := "(events, " + strings.Trim(npy.ShapeString(v.Shape), "()")
	if len(v.Shape) == 0 {
		want = "(events,"
	}
	want = strings.TrimSuffix(want, ",") + ")"
	if len(a.Shape) == 0 {
		return sim.Batch{}, fmt.Errorf("%s: holds a single scalar; input %q needs shape %s with events on the first axis", path, v.Name, want)
	}
	events, rest := a.Shape[0], ir.Shape(a.Shape[1:])
	fits := rest.Equal(v.Shape) ||
		len(rest) == 1 && rest[0] == v.Shape.Size() ||
		len(rest) == 0 && v.Shape.Size() == 1
	if !fits {
		return sim.Batch{}, fmt.Errorf("%s: shape %s does not fit input %q: want %s (the first axis is the event axis)",
			path, npy.ShapeString(a.Shape), v.Name, want)
	}
	data := a.Float32s()
	for i, x := range data {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			n := v.Shape.Size()
			return sim.Batch{}, fmt.Errorf("%s: element %d of event %d is %v: event data must be finite", path, i%n, i/n, x)
		}
	}
	return sim.Batch{Events: events, Shape: v.Shape.Clone(), Data: data}, nil
}

// checkWritable reports early (before any long computation) that an output
// file cannot be created: its directory is missing, or it is a directory.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: cannot write here: directory %s does not exist", path, dir)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: cannot write here: %s is not a directory", path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s: is a directory, want a file name", path)
	}
	return nil
}

// writeFileAtomic writes data to path via a temporary file in the same
// directory, so that readers never see a half-written file.
func writeFileAtomic(path string, write func(f *os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fileError(path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fileError(path, err)
	}
	if err := write(f); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fileError(path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fileError(path, err)
	}
	return nil
}
