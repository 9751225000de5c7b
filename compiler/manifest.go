package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"trigo/ir"
)

// Manifest describes a compiled model for the tools that consume the
// output directory (firmware generators, test benches, analysis scripts):
// what the model is, where it came from, and the exact interface of the
// quantised graph. It is written as OUT/manifest.json by `trigo compile`.
type Manifest struct {
	// Model is the graph name.
	Model string `json:"model"`
	// Source is the model file as the user named it.
	Source string `json:"source"`
	// SourceSHA256 is the hex SHA-256 of the model file, when known.
	SourceSHA256 string `json:"source_sha256,omitempty"`
	// TrigoVersion is the compiler version that produced the directory.
	TrigoVersion string `json:"trigo_version"`
	// Layers is the number of nodes of the quantised graph.
	Layers int `json:"layers"`
	// Inputs and Outputs describe the graph interface in order.
	Inputs  []ManifestTensor `json:"inputs"`
	Outputs []ManifestTensor `json:"outputs"`
	// Chosen lists every type that auto or exact picked.
	Chosen []ManifestChoice `json:"chosen_types"`
	// RTL describes OUT/rtl when the Verilog backend ran.
	RTL *RTLManifest `json:"rtl,omitempty"`
	// HLS describes OUT/hls when the HLS backend ran.
	HLS *HLSManifest `json:"hls,omitempty"`
	// Skipped lists the backends that were selected by default but do not
	// implement the graph yet (graph ops), and why.
	Skipped []SkippedBackend `json:"skipped_backends,omitempty"`
}

// SkippedBackend records a backend compile did not run on the graph.
type SkippedBackend struct {
	Backend string `json:"backend"`
	Reason  string `json:"reason"`
}

// RTLManifest is the contract of the generated Verilog
// (backends/verilog/CONTRACT.md): top module, AXI4-Stream tdata layout,
// latency and initiation interval in cycles at the target clock.
type RTLManifest struct {
	Top           string  `json:"top"`
	ClockMHz      float64 `json:"clock_mhz"`
	LatencyCycles int     `json:"latency_cycles"`
	IICycles      int     `json:"ii_cycles"`
	Multipliers   string  `json:"multipliers"`
	// Lanes is the vertex parallelism of a graph network (0 otherwise).
	Lanes   int      `json:"lanes,omitempty"`
	InBits  int      `json:"s_axis_tdata_bits"`
	OutBits int      `json:"m_axis_tdata_bits"`
	Files   []string `json:"files"`
	// TData lists, for inputs and outputs, each tensor's type and the bit
	// offset of every element in tdata.
	TData json.RawMessage `json:"tdata"`
}

// HLSManifest describes the generated Vitis HLS project.
type HLSManifest struct {
	Top       string   `json:"top"`
	Interface string   `json:"interface"`
	Part      string   `json:"part"`
	ClockMHz  float64  `json:"clock_mhz"`
	Files     []string `json:"files"`
}

// ManifestTensor is one graph input or output. Shape excludes the event
// axis. For a fixed-point type, a code c has the value c·2^-FracBits; Width
// is the number of bits on the wire.
type ManifestTensor struct {
	Name     string `json:"name"`
	Shape    []int  `json:"shape"`
	Type     string `json:"type"`
	Width    int    `json:"width"`
	IntBits  int    `json:"int_bits"`
	FracBits int    `json:"frac_bits"`
	Signed   bool   `json:"signed"`
	Rounding string `json:"rounding,omitempty"`
	Overflow string `json:"overflow,omitempty"`
}

// ManifestChoice is a ChosenType in JSON form. MaxAbs is null when it is
// not a finite number.
type ManifestChoice struct {
	Layer  string   `json:"layer"`
	What   string   `json:"what"`
	Type   string   `json:"type"`
	MaxAbs *float64 `json:"max_abs"`
	Reason string   `json:"reason"`
}

// NewManifest describes res.Fixed (or res.Float when there is no quantised
// graph) compiled from the model file at modelPath.
func NewManifest(res *Result, modelPath string) *Manifest {
	m := &Manifest{Source: modelPath, TrigoVersion: Version, Inputs: []ManifestTensor{}, Outputs: []ManifestTensor{}, Chosen: []ManifestChoice{}}
	if res == nil {
		return m
	}
	g := res.Fixed
	if g == nil {
		g = res.Float
	}
	if g != nil {
		m.Model = g.Name
		m.Layers = len(g.Nodes)
		for _, v := range g.Inputs {
			m.Inputs = append(m.Inputs, manifestTensor(v))
		}
		for _, name := range g.Outputs {
			v := g.Lookup(name)
			if v == nil {
				v = &ir.Value{Name: name}
			}
			m.Outputs = append(m.Outputs, manifestTensor(v))
		}
	}
	for _, c := range res.Chosen {
		mc := ManifestChoice{Layer: c.Layer, What: c.What, Type: c.Type, Reason: c.Reason}
		if !math.IsNaN(c.MaxAbs) && !math.IsInf(c.MaxAbs, 0) {
			v := c.MaxAbs
			mc.MaxAbs = &v
		}
		m.Chosen = append(m.Chosen, mc)
	}
	return m
}

func manifestTensor(v *ir.Value) ManifestTensor {
	t := ManifestTensor{Name: v.Name, Shape: []int(v.Shape.Clone()), Type: v.Type.String()}
	if t.Shape == nil {
		t.Shape = []int{}
	}
	switch v.Type.Kind {
	case ir.Fixed:
		ft := v.Type.Fixed
		t.Width, t.IntBits, t.FracBits, t.Signed = ft.Width, ft.Int, ft.Frac(), ft.Signed
		t.Rounding, t.Overflow = ft.Rounding.String(), ft.Overflow.String()
	case ir.Float32:
		t.Width, t.Signed = 32, true
	case ir.Int32:
		t.Width, t.IntBits, t.Signed = 32, 32, true
	}
	return t
}

// JSON returns the manifest as indented JSON with a final newline.
func (m *Manifest) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // fixed<16,6>, not fixed\u003c16,6\u003e
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteManifest writes the manifest as JSON to path, atomically (a temporary
// file in the same directory renamed into place).
func (m *Manifest) WriteManifest(path string) error {
	b, err := m.JSON()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".manifest-*.json")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// ReadManifest reads a manifest written by WriteManifest.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := &Manifest{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
