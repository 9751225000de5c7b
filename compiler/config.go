package compiler

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"trigo/ir"
	"trigo/ir/fixed"
)

// Config is the quantisation config, a YAML file shaped like hls4ml's:
// model-wide defaults, then per-input and per-layer overrides.
//
// A precision is a fixed-point type (fixed<16,6>, ufixed<8,0,RND,SAT>,
// ap_fixed<16,6> ...), or one of:
//
//	auto     integer bits chosen from calibration data (--calib) so that
//	         nothing overflows on it; the width is the default precision's
//	auto<W>  the same with width W
//	exact    (accumulators, sums, products) wide enough that no bit is lost
//
// Types written without rounding/overflow modes take the model's.
type Config struct {
	Model  ModelConfig             `yaml:"model"`
	Inputs map[string]string       `yaml:"inputs,omitempty"`
	Layers map[string]*LayerConfig `yaml:"layers,omitempty"`
}

// ModelConfig holds the model-wide defaults.
type ModelConfig struct {
	Precision string `yaml:"precision"`
	Rounding  string `yaml:"rounding"`
	Overflow  string `yaml:"overflow"`
	Weight    string `yaml:"weight,omitempty"`
	Bias      string `yaml:"bias,omitempty"`
	Accum     string `yaml:"accum,omitempty"`
	TableSize int    `yaml:"table_size,omitempty"`

	// Firmware (backends): target clock, default reuse factor (1 = fully
	// parallel), constant multipliers in DSPs ("dsp") or LUT shift-add
	// logic ("lut", zero DSPs), the FPGA part and the HLS top interface.
	ClockMHz    float64 `yaml:"clock_mhz,omitempty"`
	ReuseFactor int     `yaml:"reuse_factor,omitempty"`
	Multipliers string  `yaml:"multipliers,omitempty"`
	// Lanes: vertices a graph network's RTL processes per cycle (II =
	// N/lanes); 0 picks the smallest count with II <= 16.
	Lanes        int    `yaml:"lanes,omitempty"`
	Part         string `yaml:"part,omitempty"`
	HLSInterface string `yaml:"hls_interface,omitempty"`
}

// LayerConfig overrides one layer (an IR node, by name).
type LayerConfig struct {
	Weight string       `yaml:"weight,omitempty"`
	Bias   string       `yaml:"bias,omitempty"`
	Accum  string       `yaml:"accum,omitempty"`
	Result string       `yaml:"result,omitempty"`
	Table  *TableConfig `yaml:"table,omitempty"`
	// ReuseFactor time-multiplexes the layer: II = reuse factor.
	ReuseFactor int `yaml:"reuse_factor,omitempty"`
}

// TableConfig sizes a lookup table (sigmoid, tanh, exp, reciprocal...).
type TableConfig struct {
	Size  int       `yaml:"size,omitempty"`
	Range []float64 `yaml:"range,omitempty,flow"`
}

// Defaults used when the config leaves a field empty.
const (
	DefaultPrecision = "fixed<16,6>"
	DefaultRounding  = "RND"
	DefaultOverflow  = "SAT"
	DefaultAccum     = "exact"
	DefaultTableSize = 1024
)

// DefaultConfig returns the config used when none is given.
func DefaultConfig() *Config {
	return &Config{Model: ModelConfig{Precision: DefaultPrecision, Rounding: DefaultRounding, Overflow: DefaultOverflow,
		Accum: DefaultAccum, TableSize: DefaultTableSize}}
}

// LoadConfig reads a YAML config file. Unknown keys are errors (a typo
// must not silently fall back to a default).
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig parses YAML config text and fills defaults.
func ParseConfig(data []byte) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("config: %w", err)
	}
	c.fillDefaults()
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

func (c *Config) fillDefaults() {
	d := DefaultConfig().Model
	if c.Model.Precision == "" {
		c.Model.Precision = d.Precision
	}
	if c.Model.Rounding == "" {
		c.Model.Rounding = d.Rounding
	}
	if c.Model.Overflow == "" {
		c.Model.Overflow = d.Overflow
	}
	if c.Model.Accum == "" {
		c.Model.Accum = d.Accum
	}
	if c.Model.TableSize == 0 {
		c.Model.TableSize = d.TableSize
	}
}

// check validates every precision string without a graph.
func (c *Config) check() error {
	if _, err := fixed.ParseRounding(c.Model.Rounding); err != nil {
		return fmt.Errorf("model.rounding: %w", err)
	}
	if _, err := fixed.ParseOverflow(c.Model.Overflow); err != nil {
		return fmt.Errorf("model.overflow: %w", err)
	}
	if c.Model.ClockMHz < 0 || c.Model.ClockMHz > 2000 {
		return fmt.Errorf("model.clock_mhz %v: want 0 < MHz <= 2000", c.Model.ClockMHz)
	}
	if c.Model.Lanes < 0 {
		return fmt.Errorf("model.lanes %d: want >= 1 (or leave it unset)", c.Model.Lanes)
	}
	if c.Model.ReuseFactor < 0 {
		return fmt.Errorf("model.reuse_factor %d: want >= 1", c.Model.ReuseFactor)
	}
	switch c.Model.Multipliers {
	case "", "dsp", "lut":
	default:
		return fmt.Errorf("model.multipliers %q: want dsp or lut", c.Model.Multipliers)
	}
	switch c.Model.HLSInterface {
	case "", "axis", "ap_vld":
	default:
		return fmt.Errorf("model.hls_interface %q: want axis or ap_vld", c.Model.HLSInterface)
	}
	if c.Model.TableSize < 2 || c.Model.TableSize > 1<<20 {
		return fmt.Errorf("model.table_size %d: want 2..1048576", c.Model.TableSize)
	}
	check := func(where, s string) error {
		if s == "" {
			return nil
		}
		if _, err := c.Precision(s); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		return nil
	}
	var errs []error
	for _, kv := range [][2]string{{"model.precision", c.Model.Precision}, {"model.weight", c.Model.Weight},
		{"model.bias", c.Model.Bias}, {"model.accum", c.Model.Accum}} {
		errs = append(errs, check(kv[0], kv[1]))
	}
	p, _ := c.Precision(c.Model.Precision)
	if p.Kind != PrecFixed && p.Kind != PrecAuto {
		errs = append(errs, fmt.Errorf("model.precision must be a fixed-point type or auto"))
	}
	for name, s := range c.Inputs {
		errs = append(errs, check("inputs."+name, s))
	}
	for name, l := range c.Layers {
		if l == nil {
			continue
		}
		errs = append(errs, check("layers."+name+".weight", l.Weight), check("layers."+name+".bias", l.Bias),
			check("layers."+name+".accum", l.Accum), check("layers."+name+".result", l.Result))
		if l.ReuseFactor < 0 {
			errs = append(errs, fmt.Errorf("layers.%s.reuse_factor %d: want >= 1", name, l.ReuseFactor))
		}
		if t := l.Table; t != nil {
			if t.Size != 0 && (t.Size < 2 || t.Size > 1<<20) {
				errs = append(errs, fmt.Errorf("layers.%s.table.size %d: want 2..1048576", name, t.Size))
			}
			if t.Range != nil && (len(t.Range) != 2 || !(t.Range[0] < t.Range[1])) {
				errs = append(errs, fmt.Errorf("layers.%s.table.range %v: want [low, high] with low < high", name, t.Range))
			}
		}
	}
	return errors.Join(errs...)
}

// PrecKind says how a precision is chosen.
type PrecKind uint8

const (
	PrecFixed PrecKind = iota + 1
	PrecAuto
	PrecExact
)

// Precision is a parsed precision string.
type Precision struct {
	Kind  PrecKind
	Type  fixed.Type // PrecFixed
	Width int        // PrecAuto: 0 = the default width
}

// Precision parses a precision string, applying the model's rounding and
// overflow modes when the string does not spell them.
func (c *Config) Precision(s string) (Precision, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "exact":
		return Precision{Kind: PrecExact}, nil
	case s == "auto":
		return Precision{Kind: PrecAuto}, nil
	case strings.HasPrefix(s, "auto<") && strings.HasSuffix(s, ">"):
		var w int
		if _, err := fmt.Sscanf(s, "auto<%d>", &w); err != nil || w < 1 || w > 64 {
			return Precision{}, fmt.Errorf("%q: want auto<W> with W in 1..64", s)
		}
		return Precision{Kind: PrecAuto, Width: w}, nil
	}
	t, err := fixed.Parse(s)
	if err != nil {
		return Precision{}, fmt.Errorf("precision %q: %w (or auto, auto<W>, exact)", s, err)
	}
	// Parameters after W and I: the rounding and overflow were spelled.
	inner := s[strings.IndexByte(s, '<')+1:]
	params := strings.Count(inner, ",") + 1
	if params < 3 && c != nil {
		if t.Rounding, err = fixed.ParseRounding(c.Model.Rounding); err != nil {
			return Precision{}, err
		}
	}
	if params < 4 && c != nil {
		if t.Overflow, err = fixed.ParseOverflow(c.Model.Overflow); err != nil {
			return Precision{}, err
		}
	}
	return Precision{Kind: PrecFixed, Type: t}, nil
}

// layer returns the layer's overrides (never nil).
func (c *Config) layer(name string) *LayerConfig {
	if l := c.Layers[name]; l != nil {
		return l
	}
	return &LayerConfig{}
}

// CheckNames reports config entries naming layers or inputs that the graph
// does not have: a typo there must not be silently ignored.
func (c *Config) CheckNames(g *ir.Graph) error {
	var errs []error
	inputs := map[string]bool{}
	var inNames []string
	for _, v := range g.Inputs {
		inputs[v.Name] = true
		inNames = append(inNames, v.Name)
	}
	for name := range c.Inputs {
		if !inputs[name] {
			errs = append(errs, fmt.Errorf("config names input %q, which the model does not have (inputs: %s)", name, strings.Join(inNames, ", ")))
		}
	}
	nodes := map[string]bool{}
	var names []string
	for _, n := range g.Nodes {
		nodes[n.Name] = true
		names = append(names, n.Name)
	}
	var bad []string
	for name := range c.Layers {
		if !nodes[name] {
			bad = append(bad, name)
		}
	}
	sort.Strings(bad)
	for _, name := range bad {
		errs = append(errs, fmt.Errorf("config names layer %q, which the model does not have (layers: %s)", name, strings.Join(names, ", ")))
	}
	return errors.Join(errs...)
}

// ReuseFactors returns the per-layer reuse factors set in the config.
func (c *Config) ReuseFactors() map[string]int {
	out := map[string]int{}
	for name, l := range c.Layers {
		if l != nil && l.ReuseFactor > 0 {
			out[name] = l.ReuseFactor
		}
	}
	return out
}
