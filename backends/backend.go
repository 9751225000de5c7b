// Package backends defines the one small interface every firmware backend
// implements. A backend turns a validated, quantised IR graph into source
// files. Any IR change a backend needs happens in its Prepare step, which
// returns a new validated graph; Emit is then a pure printer of that graph.
package backends

import (
	"fmt"
	"os"
	"path/filepath"

	"trigo/ir"
)

// Options are what every backend needs to know besides the graph.
type Options struct {
	// Top is the name of the top-level module or function.
	Top string
	// Source names the model the graph came from (for file headers).
	Source string
	// Version is trigo's version (for file headers).
	Version string
}

// File is one generated file, its path relative to the backend's folder.
type File struct {
	Path string
	Data []byte
}

// Backend is implemented by backends/verilog and hls.
type Backend interface {
	// Name is the folder the files go to under OUT (rtl, hls).
	Name() string
	// Prepare returns the graph the emitter prints (validated).
	Prepare(g *ir.Graph) (*ir.Graph, error)
	// Emit prints the prepared graph.
	Emit(g *ir.Graph, opts Options) ([]File, error)
}

// WriteFiles writes files under dir, creating folders.
func WriteFiles(dir string, files []File) error {
	for _, f := range files {
		p := filepath.Join(dir, f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
	}
	return nil
}
