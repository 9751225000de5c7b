package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"trigo/backends"
	"trigo/backends/verilog"
	"trigo/compiler"
	"trigo/hls"
	"trigo/ir"
)

// firmwareFlags select and name the generated firmware.
type firmwareFlags struct {
	backends []string // rtl, hls
	name     string   // top module / function name
	// explicit is set when --backend was given: a backend that does not
	// support the graph is then an error instead of being skipped.
	explicit bool
}

// rtlBackend builds the Verilog backend from the config.
func rtlBackend(cfg *compiler.Config, g *ir.Graph) *verilog.Backend {
	return verilog.New(verilog.Options{
		ClockMHz:    cfg.Model.ClockMHz,
		Reuse:       reuseFactors(cfg, g),
		Multipliers: cfg.Model.Multipliers,
		Lanes:       cfg.Model.Lanes,
	})
}

// hlsBackend builds the HLS backend from the config.
func hlsBackend(cfg *compiler.Config, g *ir.Graph) hls.Backend {
	return hls.Backend{Options: hls.Options{
		Interface:          cfg.Model.HLSInterface,
		ReuseFactor:        cfg.ReuseFactors(),
		DefaultReuseFactor: cfg.Model.ReuseFactor,
		Part:               cfg.Model.Part,
		ClockMHz:           cfg.Model.ClockMHz,
	}}
}

// reuseFactors expands the model-wide reuse factor to every layer the
// config does not set.
func reuseFactors(cfg *compiler.Config, g *ir.Graph) map[string]int {
	out := cfg.ReuseFactors()
	if cfg.Model.ReuseFactor > 1 {
		for _, n := range g.Nodes {
			if _, ok := out[n.Name]; !ok && (n.Op == "dense" || n.Op == "conv") {
				out[n.Name] = cfg.Model.ReuseFactor
			}
		}
	}
	return out
}

// emitFirmware runs the selected backends on the quantised graph and adds
// their files (under rtl/ and hls/) and manifest sections. A backend that
// does not implement an op of the graph (backends.UnsupportedError) is
// skipped and recorded in m.Skipped, unless it was asked for explicitly.
func emitFirmware(res *compiler.Result, cfg *compiler.Config, fl firmwareFlags, modelPath string,
	files map[string][]byte, m *compiler.Manifest) error {
	opts := backends.Options{Top: fl.name, Source: modelPath, Version: compiler.Version}
	for _, which := range fl.backends {
		var b backends.Backend
		switch which {
		case "rtl":
			b = rtlBackend(cfg, res.Fixed)
		case "hls":
			b = hlsBackend(cfg, res.Fixed)
		case "none", "":
			continue
		default:
			return usagef("--backend %q: want rtl, hls or none", which)
		}
		g, err := b.Prepare(res.Fixed)
		var unsupported *backends.UnsupportedError
		if errors.As(err, &unsupported) && !fl.explicit {
			m.Skipped = append(m.Skipped, compiler.SkippedBackend{Backend: which, Reason: unsupported.Error()})
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %s backend: %w", modelPath, which, err)
		}
		out, err := b.Emit(g, opts)
		if err != nil {
			return fmt.Errorf("%s: %s backend: %w", modelPath, which, err)
		}
		var names []string
		for _, f := range out {
			p := path.Join(b.Name(), f.Path)
			files[p] = f.Data
			names = append(names, p)
		}
		sort.Strings(names)
		top := fl.name
		switch rb := b.(type) {
		case *verilog.Backend:
			if top == "" {
				top = verilog.TopName(g)
			}
			lat, ii, err := rb.Timing(g)
			if err != nil {
				return fmt.Errorf("%s: rtl backend: %w", modelPath, err)
			}
			layout := verilog.PortLayout(g)
			tdata, err := json.Marshal(tdataManifest(layout))
			if err != nil {
				return err
			}
			o := rb.Options()
			sc, err := rb.Schedule(g)
			if err != nil {
				return fmt.Errorf("%s: rtl backend: %w", modelPath, err)
			}
			m.RTL = &compiler.RTLManifest{Top: top, ClockMHz: o.ClockMHz, LatencyCycles: lat, IICycles: ii,
				Multipliers: o.Multipliers, Lanes: sc.Lanes, InBits: layout.InBits, OutBits: layout.OutBits, Files: names, TData: tdata}
		case hls.Backend:
			if top == "" {
				top = verilog.TopName(g)
			}
			o := rb.Options
			iface, err := rb.Interface(g) // axis, or ap_vld when an event does not fit one stream word
			if err != nil {
				return fmt.Errorf("%s: hls backend: %w", modelPath, err)
			}
			m.HLS = &compiler.HLSManifest{Top: top, Interface: iface, Part: or(o.Part, hls.DefaultPart),
				ClockMHz: orF(o.ClockMHz, hls.DefaultClockMHz), Files: names}
		}
	}
	return nil
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func orF(v, def float64) float64 {
	if v != 0 {
		return v
	}
	return def
}

// tdataJSON is the manifest's per-element view of the tdata layout.
type tdataJSON struct {
	Inputs  []tensorJSON `json:"inputs"`
	Outputs []tensorJSON `json:"outputs"`
}

type tensorJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Offsets holds the bit offset of every element (row-major); each is
	// Width bits wide.
	Width   int   `json:"width"`
	Signed  bool  `json:"signed"`
	Offsets []int `json:"element_offsets"`
}

func tdataManifest(l verilog.Layout) tdataJSON {
	conv := func(ts []verilog.TensorLayout) []tensorJSON {
		var out []tensorJSON
		for _, t := range ts {
			tj := tensorJSON{Name: t.Name, Type: t.Type, Width: t.Width, Signed: t.Signed}
			for i := 0; i < t.Elements; i++ {
				tj.Offsets = append(tj.Offsets, t.ElementOffset(i))
			}
			out = append(out, tj)
		}
		return out
	}
	return tdataJSON{Inputs: conv(l.Inputs), Outputs: conv(l.Outputs)}
}

// parseBackends splits --backend values ("rtl,hls").
func parseBackends(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
