// Package backends defines the one small interface every firmware backend
// implements. A backend turns a validated, quantised IR graph into source
// files. Any IR change a backend needs happens in its Prepare step, which
// returns a new validated graph; Emit is then a pure printer of that graph.
package backends

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

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

// UnsupportedError reports that a backend does not implement an op the
// graph uses (yet). It is the one error a caller may treat as "skip this
// backend for this model" (trigo compile does, unless the backend was
// asked for explicitly); every other error is a failure.
type UnsupportedError struct {
	Backend string   // the backend's name in messages ("verilog", "HLS")
	Node    string   // the first node with an unsupported op
	Op      string   // its op
	Others  []string // the other unsupported ops of the graph, in graph order
	// Reason, when set, says why the op cannot be built here (and what
	// can).
	Reason string
}

func (e *UnsupportedError) Error() string {
	msg := fmt.Sprintf("op %s (node %q) is not supported by the %s backend yet", e.Op, e.Node, e.Backend)
	if len(e.Others) > 0 {
		msg += fmt.Sprintf("; nor are %s", strings.Join(e.Others, ", "))
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// CheckOps returns an *UnsupportedError when a node of g uses an op that
// is not in supported, and nil otherwise.
func CheckOps(g *ir.Graph, backend string, supported map[string]bool) error {
	var e *UnsupportedError
	seen := map[string]bool{}
	for _, n := range g.Nodes {
		if supported[n.Op] || seen[n.Op] {
			continue
		}
		seen[n.Op] = true
		if e == nil {
			e = &UnsupportedError{Backend: backend, Node: n.Name, Op: n.Op}
		} else {
			e.Others = append(e.Others, n.Op)
		}
	}
	if e == nil {
		return nil
	}
	return e
}
