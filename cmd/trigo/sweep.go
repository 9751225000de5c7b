package main

// trigo compile --sweep: the design-space report of a graph network (issue
// 6): for a few lane counts, the RTL's latency and II from the scheduler
// and, with --synth, Yosys' LUT/FF/DSP and longest path, so a user can
// pick the point that fits the event rate.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"trigo/backends"
	"trigo/backends/synth"
	"trigo/compiler"
	"trigo/ir"
)

// SweepPoint is one design point of OUT/sweep.json.
type SweepPoint struct {
	Lanes         int           `json:"lanes"`
	LatencyCycles int           `json:"latency_cycles"`
	IICycles      int           `json:"ii_cycles"`
	LatencyNS     float64       `json:"latency_ns"`
	EventRateMHz  float64       `json:"event_rate_mhz"`
	Synth         *synth.Report `json:"synth,omitempty"`
	Error         string        `json:"error,omitempty"`
}

// parseSweep reads "lanes=1,2,4".
func parseSweep(s string) ([]int, error) {
	key, list, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(key) != "lanes" {
		return nil, usagef("--sweep %q: want lanes=L1,L2,... (for example lanes=1,2,4,8)", s)
	}
	var out []int
	for _, f := range strings.Split(list, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, usagef("--sweep %q: %q is not a lane count >= 1", s, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// runSweep schedules (and with synthesise, synthesises) g's RTL for every
// lane count and writes OUT/sweep.json and a table on stdout.
func runSweep(g *ir.Graph, cfg *compiler.Config, lanes []int, synthesise bool, synthTimeout time.Duration, out string, stdout, stderr io.Writer) error {
	var points []SweepPoint
	// sweep.json is rewritten after every point: a long synthesis run
	// leaves the points done so far.
	write := func() error {
		data, err := json.MarshalIndent(points, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, "sweep.json"), append(data, '\n'), 0o644); err != nil {
			return fileError(filepath.Join(out, "sweep.json"), err)
		}
		return nil
	}
	for i, l := range lanes {
		c := *cfg
		c.Model.Lanes = l
		rb := rtlBackend(&c, g)
		p := SweepPoint{Lanes: l}
		sc, err := rb.Schedule(g)
		if err != nil {
			p.Error = err.Error()
			points = append(points, p)
			if err := write(); err != nil {
				return err
			}
			continue
		}
		p.LatencyCycles, p.IICycles = sc.Latency, sc.II
		p.LatencyNS = float64(sc.Latency) * 1000 / sc.ClockMHz
		p.EventRateMHz = sc.ClockMHz / float64(sc.II)
		if synthesise {
			fmt.Fprintf(stderr, "trigo: sweep %d/%d: Yosys on lanes=%d (minutes for large designs)...\n", i+1, len(lanes), l)
			rep, err := synthPoint(rb, g, filepath.Join(out, "sweep", fmt.Sprintf("lanes_%d", l)), synthTimeout)
			if err != nil {
				p.Error = err.Error()
			}
			p.Synth = rep
		}
		points = append(points, p)
		if err := write(); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "design space (%s at %g MHz):\n", g.Name, orF(cfg.Model.ClockMHz, 250))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lanes\tlatency\tII\tlatency ns\tevents MHz\tLUT\tFF\tDSP\tBRAM\tpath\t")
	for _, p := range points {
		if p.Error != "" && p.LatencyCycles == 0 {
			fmt.Fprintf(tw, "%d\t-\t-\t-\t-\t-\t-\t-\t-\t-\t  %s\n", p.Lanes, p.Error)
			continue
		}
		syn := "-\t-\t-\t-\t-"
		if p.Synth != nil {
			syn = fmt.Sprintf("%d\t%d\t%d\t%g\t%d", p.Synth.LUT, p.Synth.FF, p.Synth.DSP, p.Synth.BRAM, p.Synth.LongestPath)
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%.0f\t%.2f\t%s\t\n", p.Lanes, p.LatencyCycles, p.IICycles, p.LatencyNS, p.EventRateMHz, syn)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(out, "sweep.json"))
	return nil
}

// synthPoint emits one design point into dir and runs Yosys on it.
func synthPoint(rb backends.Backend, g *ir.Graph, dir string, timeout time.Duration) (*synth.Report, error) {
	files, err := rb.Emit(g, backends.Options{Version: compiler.Version})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f.Path)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, err
		}
		if strings.HasSuffix(p, ".v") {
			paths = append(paths, p)
		}
	}
	top := ""
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".v") && f.Path != "trigo_lib.v" {
			top = strings.TrimSuffix(f.Path, ".v")
		}
	}
	return synth.Run(paths, top, synth.Options{WorkDir: filepath.Join(dir, "synth"), Timeout: timeout})
}
