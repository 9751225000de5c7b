// Package rtlsim runs a design with the top-level ports of
// backends/verilog/CONTRACT.md in Verilator or Icarus Verilog, driving it
// from a harness that stalls both AXI4-Stream channels at random
// (reproducibly from a seed), and measures its latency and II.
//
// All events of a run go through one simulator process: Go writes one hex
// line of s_axis_tdata per event, the harness (a generated C++ main for
// Verilator, a generated testbench for Icarus) writes a line per handshake,
// and Go reads the outputs and the handshake cycles back. Builds are cached
// in Options.WorkDir by the content hash of everything that goes into
// them, so a second run of the same design does not rebuild.
//
// Cycle numbering: cycle 0 is the first rising edge of ap_clk after reset
// is released (four edges with ap_rst_n low). A handshake "at cycle c"
// transfers at rising edge c. The output file of a harness has one line
// per event:
//
//	I <cycle> <stalls>          an input beat transferred at <cycle>
//	O <cycle> <stalls> <hex>    an output beat (m_axis_tdata, MSB first)
//	P <cycle> <text>            an AXI4-Stream protocol violation
//	X <cycle> <signal>          a control output was X/Z (Icarus); the run stops
//	E <cycles> <stalls> <status>  end: done | timeout | idle | x
//
// where <stalls> counts the rising edges before <cycle> at which
// m_axis_tready was low.
package rtlsim

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"trigo/hil"
	"trigo/ir"
	"trigo/sim"
)

// Design is an RTL design to simulate.
type Design struct {
	// Top is the top-level module, with the ports of CONTRACT.md.
	Top string
	// Files are the Verilog sources.
	Files []string
	// Inputs and Outputs describe s_axis_tdata and m_axis_tdata, in
	// order; the first port sits in the least significant bits.
	Inputs, Outputs []Port
	// LatencyCycles and IICycles are the declared latency and II
	// (manifest.json). Check compares the measured values with them; Run
	// uses them to size the calm window and the time-outs. 0 means
	// unknown: Check does not compare, Run assumes generous values.
	LatencyCycles, IICycles int
}

// Simulators.
const (
	Verilator = "verilator"
	Icarus    = "iverilog"
)

// Never is the gap or stall percentage that disables gaps or stalls.
const Never = -1

// DefaultPercent is the gap and stall percentage that 0 selects.
const DefaultPercent = 20

// Options control a run.
type Options struct {
	// Simulator is Verilator ("verilator", the default) or Icarus
	// ("iverilog").
	Simulator string
	// Seed makes the gap and stall pattern reproducible.
	Seed uint64
	// InGapPercent is the probability (1..99) that the harness leaves
	// s_axis_tvalid low in a cycle between two beats; OutStallPercent the
	// probability (1..99) that it pulls m_axis_tready low in a cycle.
	// 0 selects DefaultPercent, Never (-1) disables them.
	InGapPercent, OutStallPercent int
	// Wave, when set, is the path of a waveform file to write: FST with
	// Verilator, VCD with Icarus.
	Wave string
	// WorkDir holds the build cache and the run files. Default: the
	// trigo/rtlsim directory of the user cache directory (a temporary
	// directory, removed after the run, when there is none).
	WorkDir string
	// MaxCycles stops a run that has not finished (time-out guard).
	// Default: 100000 + 50 × events × II + 10 × latency.
	MaxCycles int64
	// CalmEvents is the number of events accepted with no gaps and no
	// stalls, where latency and II are measured. Default: 16 + 2 ×
	// latency/II (at most the number of events).
	CalmEvents int
}

// Result is what a run produced and measured.
type Result struct {
	Simulator string
	// Outputs holds the output codes per output port, events in the order
	// they came out. After a time-out it holds the events that came out.
	Outputs []sim.Codes
	// Events is the number of input events; InCycles and OutCycles are the
	// cycles of their input and output handshakes.
	Events              int
	InCycles, OutCycles []int64
	// Latency is the minimum of OutCycles[e]-InCycles[e] over the unstalled
	// events, LatencyMax the maximum (equal for a pipeline), LatencyEvents
	// how many events were unstalled: m_axis_tready was high at every edge
	// from the input handshake of the oldest event in flight when e was
	// accepted up to e's output handshake. 0 when no event qualified.
	Latency, LatencyMax, LatencyEvents int
	// II is the minimum number of cycles between consecutive accepted
	// input beats in the calm window (input always valid, output always
	// ready), IIMax the maximum, IIPairs the number of pairs measured.
	II, IIMax, IIPairs int
	// CalmFirst and CalmEvents locate the calm window.
	CalmFirst, CalmEvents int
	// Cycles is the number of clock cycles after reset; Stalls the number
	// of them with m_axis_tready low.
	Cycles, Stalls int64
	// Protocol lists AXI4-Stream violations seen on the output channel
	// (tvalid falling or tdata changing while stalled, a beat with no
	// event in flight), at most 16.
	Protocol []string
	// Built is true when this run compiled the design (false: the build
	// was cached). BuildSeconds is the time spent building or looking up
	// the build, RunSeconds the time spent simulating.
	Built                    bool
	BuildSeconds, RunSeconds float64

	inStalls, outStalls []int64 // the <stalls> of the I and O records
}

// TimeoutError is returned (with the partial Result) when the design did
// not deliver every event: "no answer", as opposed to a wrong answer.
type TimeoutError struct {
	Cycles     int64
	In, Out    int // events accepted, events that came out
	Events     int
	IdleCycles int64 // > 0: the run stopped after this many cycles without a handshake
}

func (e *TimeoutError) Error() string {
	s := fmt.Sprintf("no answer after %d cycles: %d of %d events came out (%d went in)", e.Cycles, e.Out, e.Events, e.In)
	if e.IdleCycles > 0 {
		s += fmt.Sprintf("; no handshake in the last %d cycles", e.IdleCycles)
	}
	return s
}

type runParams struct {
	in, out, wave         string
	seed                  uint64
	gap, stall            int
	events                int
	maxCycles, idle       int64
	calmFirst, calmEvents int
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

func (d *Design) validate() error {
	if !identRE.MatchString(d.Top) {
		return fmt.Errorf("rtlsim: top module %q is not a Verilog identifier", d.Top)
	}
	if len(d.Files) == 0 {
		return fmt.Errorf("rtlsim: design %s has no source files", d.Top)
	}
	for _, f := range d.Files {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("rtlsim: design %s: %w", d.Top, err)
		}
	}
	if len(d.Inputs) == 0 || len(d.Outputs) == 0 {
		return fmt.Errorf("rtlsim: design %s needs at least one input and one output port", d.Top)
	}
	for _, p := range d.Inputs {
		if err := p.validate("input"); err != nil {
			return fmt.Errorf("rtlsim: design %s: %w", d.Top, err)
		}
	}
	for _, p := range d.Outputs {
		if err := p.validate("output"); err != nil {
			return fmt.Errorf("rtlsim: design %s: %w", d.Top, err)
		}
	}
	if d.LatencyCycles < 0 || d.IICycles < 0 {
		return fmt.Errorf("rtlsim: design %s: negative latency or II", d.Top)
	}
	return nil
}

func percent(p int, what string) (int, error) {
	switch {
	case p == 0:
		return DefaultPercent, nil
	case p == Never:
		return 0, nil
	case p < 0 || p > 99:
		return 0, fmt.Errorf("rtlsim: %s %d%% out of range (1..99, 0 for the default %d%%, Never for none)", what, p, DefaultPercent)
	}
	return p, nil
}

// Run simulates the design on the input events (one sim.Codes per input
// port, in port order) and returns its outputs and timing. A design that
// stops answering gives a *TimeoutError together with the partial result.
func Run(d Design, inputs []sim.Codes, opts Options) (*Result, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	simulator := opts.Simulator
	if simulator == "" {
		simulator = Verilator
	}
	if simulator != Verilator && simulator != Icarus {
		return nil, fmt.Errorf("rtlsim: unknown simulator %q (verilator or iverilog)", simulator)
	}
	gap, err := percent(opts.InGapPercent, "input gap")
	if err != nil {
		return nil, err
	}
	stall, err := percent(opts.OutStallPercent, "output stall")
	if err != nil {
		return nil, err
	}
	text, events, err := packInputs(d.Inputs, inputs)
	if err != nil {
		return nil, fmt.Errorf("rtlsim: %s: %w", d.Top, err)
	}
	if events == 0 {
		return nil, fmt.Errorf("rtlsim: %s: no input events", d.Top)
	}

	lat, ii := int64(d.LatencyCycles), int64(max(d.IICycles, 1))
	if lat == 0 {
		lat = 64
	}
	p := runParams{seed: opts.Seed, gap: gap, stall: stall, events: events, maxCycles: opts.MaxCycles}
	if p.maxCycles <= 0 {
		p.maxCycles = 100000 + 50*int64(events)*ii + 10*lat
	}
	p.idle = max(10000, 8*(lat+ii))
	p.calmEvents = opts.CalmEvents
	if p.calmEvents <= 0 {
		p.calmEvents = 16 + int(2*((lat+ii-1)/ii))
	}
	p.calmEvents = min(p.calmEvents, events)
	p.calmFirst = (events - p.calmEvents) / 2
	if opts.Wave != "" {
		if p.wave, err = filepath.Abs(opts.Wave); err != nil {
			return nil, err
		}
	}

	workDir, cleanup, err := workDir(opts.WorkDir)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	res := &Result{Simulator: simulator, Events: events, CalmFirst: p.calmFirst, CalmEvents: p.calmEvents}
	t0 := time.Now()
	exe, built, err := build(d, simulator, p.wave != "", workDir)
	res.Built, res.BuildSeconds = built, time.Since(t0).Seconds()
	if err != nil {
		return nil, err
	}

	runDir, err := os.MkdirTemp(workDir, "run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(runDir)
	p.in, p.out = filepath.Join(runDir, "in.hex"), filepath.Join(runDir, "out.txt")
	if err := writeFile(p.in, text); err != nil {
		return nil, err
	}
	var cmd *exec.Cmd
	if simulator == Verilator {
		cmd = verilatorArgs(exe, p)
	} else {
		cmd = icarusArgs(exe, p)
	}
	cmd.Dir = runDir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	t1 := time.Now()
	err = cmd.Run()
	res.RunSeconds = time.Since(t1).Seconds()
	if err != nil {
		return nil, fmt.Errorf("rtlsim: %s simulation of %s failed (%v):\n%s", simulator, d.Top, err, summarise(stderr.String()))
	}
	status, err := parseOutput(p.out, d, res)
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			err = fmt.Errorf("%w\n%s", err, summarise(msg))
		}
		return nil, fmt.Errorf("rtlsim: %s (%s): %w", d.Top, simulator, err)
	}
	measure(res)
	switch status {
	case "done":
		return res, nil
	case "timeout", "idle":
		te := &TimeoutError{Cycles: res.Cycles, In: len(res.InCycles), Out: len(res.OutCycles), Events: events}
		if status == "idle" {
			te.IdleCycles = p.idle
		}
		return res, fmt.Errorf("rtlsim: %s (%s): %w", d.Top, simulator, te)
	}
	return res, fmt.Errorf("rtlsim: %s (%s): run ended with status %q", d.Top, simulator, status)
}

// workDir returns the directory for builds and runs.
func workDir(dir string) (string, func(), error) {
	if dir == "" {
		if c, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(c, "trigo", "rtlsim")
		}
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "trigo-rtlsim-")
		if err != nil {
			return "", nil, err
		}
		return tmp, func() { os.RemoveAll(tmp) }, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", nil, err
	}
	return abs, func() {}, nil
}

// cacheFormat changes whenever the harnesses change in a way their source
// text does not show.
const cacheFormat = "trigo-rtlsim-1"

// build returns the path of the simulator executable (Verilator) or .vvp
// file (Icarus) for the design, building it unless the cache has it.
func build(d Design, simulator string, wave bool, workDir string) (string, bool, error) {
	var src, version string
	var flags []string
	if simulator == Verilator {
		src, flags = verilatorSource(d), append(verilatorFlags(d, wave), makeFlags...)
	} else {
		src, flags = icarusSource(d), icarusFlags(d)
	}
	if _, err := exec.LookPath(simulator); err != nil {
		return "", false, fmt.Errorf("rtlsim: %s is not installed (make tools)", simulator)
	}
	versionFlag := "-V"
	if simulator == Verilator {
		versionFlag = "--version"
	}
	out, err := exec.Command(simulator, versionFlag).CombinedOutput()
	if err != nil {
		return "", false, fmt.Errorf("rtlsim: %s does not run: %v", simulator, err)
	}
	version = strings.SplitN(string(out), "\n", 2)[0]

	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s\n", len(s), s) }
	field(cacheFormat)
	field(simulator)
	field(version)
	field(src)
	field(strings.Join(flags, "\x00")) // without include directories (sources hashes the included files)
	srcs, err := sources(d.Files)
	if err != nil {
		return "", false, fmt.Errorf("rtlsim: %w", err)
	}
	for _, s := range srcs {
		field(s)
	}
	key := hex.EncodeToString(h.Sum(nil))[:20]
	tag := "iverilog"
	if simulator == Verilator {
		tag = "verilator"
	}
	final := filepath.Join(workDir, fmt.Sprintf("%s-%s-%s", tag, d.Top, key))
	exeName := "sim"
	if simulator == Icarus {
		exeName = "sim.vvp"
	}
	exe := filepath.Join(final, exeName)
	if _, err := os.Stat(exe); err == nil {
		return exe, false, nil
	}

	tmp, err := os.MkdirTemp(workDir, "build-")
	if err != nil {
		return "", false, err
	}
	defer os.RemoveAll(tmp)
	var rel string
	if simulator == Verilator {
		rel, err = buildVerilator(d, tmp, workDir, src, version, wave)
	} else {
		rel, err = buildIcarus(d, tmp, src)
	}
	if err != nil {
		return "", true, fmt.Errorf("rtlsim: %w", err)
	}
	if rel != exeName {
		if err := os.Rename(filepath.Join(tmp, rel), filepath.Join(tmp, exeName)); err != nil {
			return "", true, err
		}
	}
	os.RemoveAll(filepath.Join(tmp, "obj")) // only the executable, the source and the log stay
	if err := os.Rename(tmp, final); err != nil {
		// Another run built the same design at the same time: use its build.
		if _, serr := os.Stat(exe); serr == nil {
			return exe, true, nil
		}
		return "", true, err
	}
	return exe, true, nil
}

// parseOutput reads the harness's output file into res and returns the
// end status.
func parseOutput(path string, d Design, res *Result) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("no output file: %w", err)
	}
	defer f.Close()
	res.Outputs = make([]sim.Codes, len(d.Outputs))
	for i, p := range d.Outputs {
		res.Outputs[i] = sim.Codes{Shape: p.codesShape(), Type: p.codesType(), Data: make([]int64, 0, res.Events*p.Elements)}
	}
	outBits := totalBits(d.Outputs)
	var inStalls, outStalls []int64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<30)
	status := ""
	line := 0
	for sc.Scan() {
		line++
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		bad := func(why string) error { return fmt.Errorf("harness output line %d %q: %s", line, sc.Text(), why) }
		num := func(i int) (int64, error) {
			if i >= len(fs) {
				return 0, bad("too few fields")
			}
			return strconv.ParseInt(fs[i], 10, 64)
		}
		switch fs[0] {
		case "I", "O":
			c, err1 := num(1)
			s, err2 := num(2)
			if err1 != nil || err2 != nil {
				return "", bad("bad number")
			}
			if fs[0] == "I" {
				res.InCycles, inStalls = append(res.InCycles, c), append(inStalls, s)
				continue
			}
			if len(fs) != 4 {
				return "", bad("no data")
			}
			b, err := parseHex(fs[3], outBits)
			if err != nil {
				return "", fmt.Errorf("output event %d (cycle %d): m_axis_tdata: %w", len(res.OutCycles), c, err)
			}
			res.OutCycles, outStalls = append(res.OutCycles, c), append(outStalls, s)
			unpack(d.Outputs, b, res.Outputs)
		case "P":
			res.Protocol = append(res.Protocol, "cycle "+strings.Join(fs[1:], " "))
		case "X":
			if len(fs) < 3 {
				return "", bad("too few fields")
			}
			return "", fmt.Errorf("%s is X/Z at cycle %s (missing reset or undriven signal)", strings.Join(fs[2:], " "), fs[1])
		case "E":
			c, err1 := num(1)
			s, err2 := num(2)
			if err1 != nil || err2 != nil || len(fs) != 4 {
				return "", bad("bad end line")
			}
			res.Cycles, res.Stalls, status = c, s, fs[3]
		default:
			return "", bad("unknown record")
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if status == "" {
		return "", errors.New("harness output has no end line (simulator crashed?)")
	}
	res.inStalls, res.outStalls = inStalls, outStalls
	return status, nil
}

// measure computes latency and II from the handshake cycles.
func measure(res *Result) {
	in, out := res.InCycles, res.OutCycles
	o := 0 // outputs before the current input handshake
	for e := range out {
		if e >= len(in) {
			break
		}
		for o < len(out) && out[o] < in[e] {
			o++
		}
		if o > e || res.outStalls[e] != res.inStalls[o] {
			continue
		}
		l := int(out[e] - in[e])
		if res.LatencyEvents == 0 || l < res.Latency {
			res.Latency = l
		}
		res.LatencyMax = max(res.LatencyMax, l)
		res.LatencyEvents++
	}
	// II: consecutive accepted beats in the calm window, once the events
	// in flight from before it are out (the first event of a pair is
	// unstalled); all calm pairs when none qualify.
	clean := func(e int) bool {
		if e >= len(out) {
			return false
		}
		o := 0
		for o < len(out) && out[o] < in[e] {
			o++
		}
		return o <= e && res.outStalls[e] == res.inStalls[o]
	}
	for pass := 0; pass < 2 && res.IIPairs == 0; pass++ {
		for e := res.CalmFirst + 1; e < res.CalmFirst+res.CalmEvents && e < len(in); e++ {
			if pass == 0 && !clean(e-1) {
				continue
			}
			d := int(in[e] - in[e-1])
			if res.IIPairs == 0 || d < res.II {
				res.II = d
			}
			res.IIMax = max(res.IIMax, d)
			res.IIPairs++
		}
	}
}

// Check compares a run with the expected outputs (the Go simulator's, in
// output port order) code by code, and the measured latency and II with
// the declared ones. It returns the comparison (nil when the event counts
// differ) and an error naming every problem: wrong or missing events with
// the first mismatching element (expected and got, code in hex and value),
// latency or II different from the declared values or varying, AXI4-Stream
// protocol violations.
func Check(d Design, res *Result, want []sim.Codes) (*hil.Comparison, error) {
	if res == nil {
		return nil, fmt.Errorf("%s: no result to check", d.Top)
	}
	var problems []string
	g := &ir.Graph{Name: d.Top}
	for _, p := range d.Outputs {
		g.Outputs = append(g.Outputs, p.Name)
	}
	cmp, err := hil.Compare(g, want, res.Outputs)
	switch {
	case err != nil:
		problems = append(problems, err.Error())
	case !cmp.OK():
		problems = append(problems, cmp.String())
	}
	if d.LatencyCycles > 0 {
		switch {
		case res.LatencyEvents == 0:
			problems = append(problems, fmt.Sprintf("latency not measured (no event came out without back-pressure; %d declared)", d.LatencyCycles))
		case res.Latency != d.LatencyCycles:
			problems = append(problems, fmt.Sprintf("latency %d cycles measured, %d declared", res.Latency, d.LatencyCycles))
		case res.LatencyMax != res.Latency:
			problems = append(problems, fmt.Sprintf("latency varies from %d to %d cycles over %d events without back-pressure", res.Latency, res.LatencyMax, res.LatencyEvents))
		}
	}
	if d.IICycles > 0 {
		switch {
		case res.IIPairs == 0:
			problems = append(problems, fmt.Sprintf("II not measured (fewer than 2 events in the calm window; %d declared)", d.IICycles))
		case res.II != d.IICycles:
			problems = append(problems, fmt.Sprintf("II %d cycles measured, %d declared", res.II, d.IICycles))
		case res.IIMax != res.II:
			problems = append(problems, fmt.Sprintf("II varies from %d to %d cycles with input always valid and output always ready", res.II, res.IIMax))
		}
	}
	if len(res.Protocol) > 0 {
		p := res.Protocol
		more := ""
		if len(p) > 3 {
			at := ""
			if len(res.Protocol) >= 16 {
				at = "at least "
			}
			p, more = p[:3], fmt.Sprintf("; and %s%d more", at, len(res.Protocol)-3)
		}
		problems = append(problems, fmt.Sprintf("AXI4-Stream protocol violated on m_axis: %s%s", strings.Join(p, "; "), more))
	}
	if len(problems) > 0 {
		return cmp, fmt.Errorf("%s (%s): %s", d.Top, res.Simulator, strings.Join(problems, "; "))
	}
	return cmp, nil
}

var includeRE = regexp.MustCompile("`include\\s+\"([^\"]+)\"")

// sources returns the base name and content of every design file and of
// every file they `include (found in the directories of the design files),
// recursively: what the cache key must cover.
func sources(files []string) ([]string, error) {
	dirs := includeDirs(files)
	var out []string
	seen := map[string]bool{}
	var add func(path string, included bool) error
	add = func(path string, included bool) error {
		if seen[path] {
			return nil
		}
		seen[path] = true
		b, err := os.ReadFile(path)
		if err != nil {
			if included {
				return nil // not ours to find: the simulator reports it
			}
			return err
		}
		out = append(out, filepath.Base(path), string(b))
		for _, m := range includeRE.FindAllSubmatch(b, -1) {
			name := string(m[1])
			for _, d := range append([]string{filepath.Dir(path)}, dirs...) {
				p := name
				if !filepath.IsAbs(p) {
					p = filepath.Join(d, name)
				}
				if _, err := os.Stat(p); err == nil {
					if err := add(p, true); err != nil {
						return err
					}
					break
				}
			}
		}
		return nil
	}
	for _, f := range absFiles(files) {
		if err := add(f, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }

func absFiles(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			a = f
		}
		out[i] = a
	}
	return out
}

func includeDirs(files []string) []string {
	var dirs []string
	seen := map[string]bool{}
	for _, f := range absFiles(files) {
		if d := filepath.Dir(f); !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// summarise keeps the error lines of a tool's output (or its first lines),
// at most 20.
func summarise(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var keep []string
	for _, l := range lines {
		ll := strings.ToLower(l)
		if strings.HasPrefix(l, "%Error") || strings.Contains(ll, "error:") || strings.Contains(ll, "syntax error") ||
			strings.Contains(ll, "unknown module") || strings.Contains(ll, ": error") {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		keep = lines
	}
	if len(keep) > 20 {
		keep = append(keep[:20], fmt.Sprintf("... (%d more lines)", len(keep)-20))
	}
	return "  " + strings.Join(keep, "\n  ")
}
