// Package synth sizes generated RTL with Yosys: `synth_xilinx` for an
// UltraScale+ part gives LUT, FF, DSP and BRAM counts, and the longest
// combinational path between registers (in cells) tells whether the
// pipeline's registers sit close enough for the target clock. Yosys is not
// Vivado: the numbers are estimates for comparing design points.
package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Report is what `trigo synth` writes into synth.json.
type Report struct {
	Top    string `json:"top"`
	Family string `json:"family"`
	LUT    int    `json:"lut"`    // logic LUTs (LUT1..LUT6)
	LUTRAM int    `json:"lutram"` // LUTs used as shift registers or memory
	FF     int    `json:"ff"`
	DSP    int    `json:"dsp"`
	// BRAM in RAMB36 equivalents (a RAMB18 counts one half).
	BRAM  float64 `json:"bram"`
	Carry int     `json:"carry"`
	// LongestPath is the longest chain of combinational cells (LUTs,
	// carry blocks, muxes, unregistered DSPs) between registers or ports.
	LongestPath int            `json:"longest_path_cells"`
	Cells       map[string]int `json:"cells"`
	Seconds     float64        `json:"seconds"`
	YosysLog    string         `json:"-"`
}

// Options steer Run.
type Options struct {
	// Family is synth_xilinx's -family (default xcup: UltraScale+).
	Family string
	// WorkDir receives the script, log and netlist (default: a temp dir).
	WorkDir string
	// Timeout bounds the Yosys run (default 30 minutes).
	Timeout time.Duration
}

// Run synthesises files with top module top.
func Run(files []string, top string, opts Options) (*Report, error) {
	if opts.Family == "" {
		opts.Family = "xcup"
	}
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Minute
	}
	if _, err := exec.LookPath("yosys"); err != nil {
		return nil, errors.New("yosys not found: install it (Debian: apt-get install yosys, or `make tools`)")
	}
	dir := opts.WorkDir
	if dir == "" {
		d, err := os.MkdirTemp("", "trigo-synth-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var script strings.Builder
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&script, "read_verilog %q\n", abs)
	}
	// Flatten first and drop the flattened ports' named copies: a layer
	// module's wide input bus is copied into every instance below it, and
	// those millions of public wire bits (kept by plain opt_clean) made
	// every later pass crawl on the larger models.
	fmt.Fprintf(&script, "hierarchy -top %s\nproc\nflatten\nopt_clean -purge\n", top)
	fmt.Fprintf(&script, "synth_xilinx -family %s -flatten -top %s\n", opts.Family, top)
	fmt.Fprintf(&script, "write_json netlist.json\n")
	if err := os.WriteFile(filepath.Join(dir, "synth.ys"), []byte(script.String()), 0o644); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "yosys", "-q", "-l", "yosys.log", "synth.ys")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("yosys did not finish within %v (the log so far is in %s; allow more time with a longer timeout)", opts.Timeout, filepath.Join(dir, "yosys.log"))
		}
		log, _ := os.ReadFile(filepath.Join(dir, "yosys.log"))
		return nil, fmt.Errorf("yosys failed (%v): %s", err, lastLines(stderr.String()+string(log), 8))
	}
	data, err := os.ReadFile(filepath.Join(dir, "netlist.json"))
	if err != nil {
		return nil, err
	}
	rep, err := analyse(data, top)
	if err != nil {
		return nil, err
	}
	rep.Family = opts.Family
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

type netlist struct {
	Modules map[string]struct {
		Cells map[string]struct {
			Type        string                       `json:"type"`
			Parameters  map[string]string            `json:"parameters"`
			Directions  map[string]string            `json:"port_directions"`
			Connections map[string][]json.RawMessage `json:"connections"`
		} `json:"cells"`
	} `json:"modules"`
}

// cellKind classifies a Xilinx primitive.
func cellKind(typ string, params map[string]string) string {
	switch {
	case strings.HasPrefix(typ, "LUT"):
		return "comb"
	case strings.HasPrefix(typ, "CARRY"), strings.HasPrefix(typ, "MUXF"), typ == "INV":
		return "comb"
	case strings.HasPrefix(typ, "DSP48"):
		for _, p := range []string{"AREG", "BREG", "MREG", "PREG", "CREG", "ADREG"} {
			if v, ok := params[p]; ok && strings.Trim(v, "0") != "" {
				return "seq"
			}
		}
		return "comb"
	case strings.HasSuffix(typ, "BUF"), typ == "IBUF", typ == "OBUF", typ == "BUFG", typ == "BUFGCE":
		return "wire"
	}
	return "seq" // flip-flops, SRLs, RAMs and anything unknown break paths
}

// analyse counts resources and finds the longest combinational path.
func analyse(data []byte, top string) (*Report, error) {
	var nl netlist
	if err := json.Unmarshal(data, &nl); err != nil {
		return nil, fmt.Errorf("reading the Yosys netlist: %w", err)
	}
	mod, ok := nl.Modules[top]
	if !ok {
		return nil, fmt.Errorf("top module %q not in the netlist", top)
	}
	rep := &Report{Top: top, Cells: map[string]int{}}
	type cellRef struct {
		cost int
		ins  []string
	}
	driver := map[string]*cellRef{} // bit -> comb cell driving it
	for _, c := range mod.Cells {
		rep.Cells[c.Type]++
		switch {
		case strings.HasPrefix(c.Type, "LUT"):
			rep.LUT++
		case strings.HasPrefix(c.Type, "SRL"), strings.HasPrefix(c.Type, "RAM32"), strings.HasPrefix(c.Type, "RAM64"):
			rep.LUTRAM++
		case strings.HasPrefix(c.Type, "FD"):
			rep.FF++
		case strings.HasPrefix(c.Type, "DSP48"):
			rep.DSP++
		case c.Type == "RAMB36E2":
			rep.BRAM++
		case c.Type == "RAMB18E2":
			rep.BRAM += 0.5
		case strings.HasPrefix(c.Type, "CARRY"):
			rep.Carry++
		}
		kind := cellKind(c.Type, c.Parameters)
		if kind == "seq" {
			continue
		}
		ref := &cellRef{cost: 1}
		if kind == "wire" {
			ref.cost = 0
		}
		var outs []string
		for port, bits := range c.Connections {
			for _, b := range bits {
				key := string(b)
				if c.Directions[port] == "output" {
					outs = append(outs, key)
				} else {
					ref.ins = append(ref.ins, key)
				}
			}
		}
		for _, o := range outs {
			driver[o] = ref
		}
	}
	depth := map[string]int{}
	const visiting = -1
	var walk func(bit string) (int, error)
	walk = func(bit string) (int, error) {
		if d, ok := depth[bit]; ok {
			if d == visiting {
				return 0, errors.New("combinational loop in the synthesised netlist")
			}
			return d, nil
		}
		ref := driver[bit]
		if ref == nil {
			depth[bit] = 0
			return 0, nil
		}
		depth[bit] = visiting
		best := 0
		for _, in := range ref.ins {
			d, err := walk(in)
			if err != nil {
				return 0, err
			}
			best = max(best, d)
		}
		depth[bit] = best + ref.cost
		return depth[bit], nil
	}
	bits := make([]string, 0, len(driver))
	for b := range driver {
		bits = append(bits, b)
	}
	sort.Strings(bits)
	for _, b := range bits {
		d, err := walk(b)
		if err != nil {
			return nil, err
		}
		rep.LongestPath = max(rep.LongestPath, d)
	}
	return rep, nil
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// String is a one-line summary.
func (r *Report) String() string {
	return fmt.Sprintf("%s (%s): %d LUT, %d LUTRAM, %d FF, %d DSP, %g BRAM, longest path %d cells",
		r.Top, r.Family, r.LUT, r.LUTRAM, r.FF, r.DSP, r.BRAM, r.LongestPath)
}
