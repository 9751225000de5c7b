package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"trigo/backends/synth"
	"trigo/compiler"
	"trigo/hil"
	"trigo/hil/rtlsim"
	"trigo/hls"
	"trigo/ir"
	"trigo/sim"
)

type verifyFlags struct {
	inputs  []string
	vectors int
	seed    uint64
	rtl     string
	hls     bool
	wave    bool
	stall   int
}

func newVerifyCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl verifyFlags
	cmd := &cobra.Command{
		Use:   "verify OUT [--input X.npy ... | --vectors N --seed S] (--rtl verilator|iverilog | --hls)",
		Short: "Prove the generated firmware bit-exact against the Go simulator (writes OUT/verify.json)",
		Long: `Verify runs the firmware that 'trigo compile' wrote into OUT on test events
and compares every output bit with trigo's fixed-point simulator (the
definition of the results). Any mismatch fails the command and prints the
first bad event and element (expected and got, in hex and as a value) and
the number of further mismatches.

  --rtl verilator|iverilog  builds a harness for OUT/rtl that streams the events
                            over AXI4-Stream with random s_axis_tvalid gaps and
                            m_axis_tready stalls (reproducible from --seed), and
                            measures latency and II in cycles; they must equal
                            manifest.json's
  --hls                     builds the HLS testbench of OUT/hls with g++ (C
                            simulation with the stand-in ap_fixed headers)

Events come from --input (float NPY files, one per graph input, quantised
with the input types) or are generated (--vectors N, default 10000): the
extremes of every input type first, then random codes over the full range.

Reads OUT/model.tir, OUT/manifest.json, OUT/rtl, OUT/hls.
Writes OUT/verify.json and, with --wave or on a failure, a waveform
OUT/verify.fst (Verilator) or OUT/verify.vcd (Icarus).`,
		Example: `  trigo verify out/jet_tagger --rtl verilator --vectors 10000 --seed 1
  trigo verify out/jet_tagger --rtl iverilog --input models/examples/jet_tagger/x.npy
  trigo verify out/jet_tagger --hls`,
		Args: exactArgs(1, "one OUT directory"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runVerify(args[0], fl, stdout, stderr)
		}),
	}
	f := cmd.Flags()
	f.StringArrayVar(&fl.inputs, "input", nil, "input NPY, one per graph input in order (repeatable); default: generated vectors")
	f.IntVar(&fl.vectors, "vectors", 10000, "number of generated events (without --input)")
	f.Uint64Var(&fl.seed, "seed", 1, "seed of generated events and of the stall pattern")
	f.StringVar(&fl.rtl, "rtl", "", "verify OUT/rtl in this simulator: verilator or iverilog")
	f.BoolVar(&fl.hls, "hls", false, "verify OUT/hls by C simulation with g++")
	f.BoolVar(&fl.wave, "wave", false, "write a waveform of the RTL run")
	f.IntVar(&fl.stall, "stall", 20, "percent of cycles with s_axis_tvalid gaps and m_axis_tready stalls (0 = none)")
	return cmd
}

// verifyJSON is OUT/verify.json.
type verifyJSON struct {
	Events int        `json:"events"`
	Seed   uint64     `json:"seed"`
	Source string     `json:"events_from"`
	RTL    *rtlVerify `json:"rtl,omitempty"`
	HLS    *hlsVerify `json:"hls,omitempty"`
	OK     bool       `json:"ok"`
}

type rtlVerify struct {
	Simulator       string          `json:"simulator"`
	Comparison      *hil.Comparison `json:"comparison"`
	LatencyCycles   int             `json:"latency_cycles_measured"`
	LatencyDeclared int             `json:"latency_cycles_manifest"`
	IICycles        int             `json:"ii_cycles_measured"`
	IIDeclared      int             `json:"ii_cycles_manifest"`
	Cycles          int64           `json:"cycles"`
	Stalls          int64           `json:"stall_cycles"`
	BuildSeconds    float64         `json:"build_seconds"`
	RunSeconds      float64         `json:"run_seconds"`
	EventsPerSecond float64         `json:"events_per_second"`
	Wave            string          `json:"wave,omitempty"`
	Error           string          `json:"error,omitempty"`
}

type hlsVerify struct {
	Comparison *hil.Comparison `json:"comparison"`
	Error      string          `json:"error,omitempty"`
}

func runVerify(out string, fl verifyFlags, stdout, stderr io.Writer) error {
	if fl.rtl == "" && !fl.hls {
		return usagef("say what to verify: --rtl verilator, --rtl iverilog or --hls")
	}
	if fl.rtl != "" && fl.rtl != rtlsim.Verilator && fl.rtl != rtlsim.Icarus {
		return usagef("--rtl %q: want verilator or iverilog", fl.rtl)
	}
	if fl.vectors < 1 {
		return usagef("--vectors must be at least 1")
	}
	g, err := parseIR(filepath.Join(out, fileFixedIR))
	if err != nil {
		return err
	}
	if !g.IsFixed() {
		return fmt.Errorf("%s: not a quantised graph", filepath.Join(out, fileFixedIR))
	}
	m, err := compiler.ReadManifest(filepath.Join(out, fileManifest))
	if err != nil {
		return fileError(filepath.Join(out, fileManifest), err)
	}
	fx, err := sim.NewFixed(g)
	if err != nil {
		return err
	}
	var inputs []sim.Codes
	rep := &verifyJSON{Seed: fl.seed, OK: true}
	if len(fl.inputs) > 0 {
		batches, err := readBatches(fl.inputs, g.Inputs, "--input")
		if err != nil {
			return err
		}
		if inputs, err = fx.Quantize(batches); err != nil {
			return err
		}
		rep.Source = strings.Join(fl.inputs, ", ")
	} else {
		if inputs, err = hil.Vectors(g, fl.vectors, fl.seed); err != nil {
			return err
		}
		rep.Source = fmt.Sprintf("generated (seed %d)", fl.seed)
	}
	rep.Events = inputs[0].Events
	want, err := fx.Run(inputs)
	if err != nil {
		return err
	}
	var failures []string
	if fl.rtl != "" {
		rv, err := verifyRTL(out, g, m, inputs, want, fl)
		rep.RTL = rv
		if err != nil {
			rep.OK = false
			failures = append(failures, "rtl ("+fl.rtl+"): "+err.Error())
		} else {
			fmt.Fprintf(stdout, "rtl %s: %s; latency %d cycles, II %d (manifest: %d, %d); %.0f events/s simulated\n",
				fl.rtl, rv.Comparison, rv.LatencyCycles, rv.IICycles, rv.LatencyDeclared, rv.IIDeclared, rv.EventsPerSecond)
		}
	}
	if fl.hls {
		hv, err := verifyHLS(out, g, inputs, want)
		rep.HLS = hv
		if err != nil {
			rep.OK = false
			failures = append(failures, "hls: "+err.Error())
		} else {
			fmt.Fprintf(stdout, "hls csim: %s\n", hv.Comparison)
		}
	}
	// Keep the other firmware's section of an earlier verify run.
	if old, err := os.ReadFile(filepath.Join(out, "verify.json")); err == nil {
		var prev verifyJSON
		if json.Unmarshal(old, &prev) == nil && prev.Events == rep.Events && prev.Seed == rep.Seed && prev.Source == rep.Source {
			if rep.RTL == nil && prev.RTL != nil {
				rep.RTL, rep.OK = prev.RTL, rep.OK && prev.RTL.Error == ""
			}
			if rep.HLS == nil && prev.HLS != nil {
				rep.HLS, rep.OK = prev.HLS, rep.OK && prev.HLS.Error == ""
			}
		}
	}
	data, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(filepath.Join(out, "verify.json"), append(data, '\n'), 0o644); err != nil {
		return fileError(filepath.Join(out, "verify.json"), err)
	}
	if len(failures) > 0 {
		return fmt.Errorf("%s: verification FAILED: %s (details in %s)", out, strings.Join(failures, "; "), filepath.Join(out, "verify.json"))
	}
	fmt.Fprintf(stdout, "verified %d events bit-exact; wrote %s\n", rep.Events, filepath.Join(out, "verify.json"))
	return nil
}

// rtlDesign describes OUT/rtl for the harness.
func rtlDesign(out string, g *ir.Graph, m *compiler.Manifest) (rtlsim.Design, error) {
	if m.RTL == nil {
		return rtlsim.Design{}, fmt.Errorf("%s has no RTL (compile with --backend rtl)", out)
	}
	d := rtlsim.Design{Top: m.RTL.Top, LatencyCycles: m.RTL.LatencyCycles, IICycles: m.RTL.IICycles}
	for _, f := range m.RTL.Files {
		if strings.HasSuffix(f, ".v") || strings.HasSuffix(f, ".sv") {
			d.Files = append(d.Files, filepath.Join(out, f))
		}
	}
	var err error
	d.Inputs, d.Outputs, err = rtlsim.PortsOf(g)
	return d, err
}

func verifyRTL(out string, g *ir.Graph, m *compiler.Manifest, inputs, want []sim.Codes, fl verifyFlags) (*rtlVerify, error) {
	rv := &rtlVerify{Simulator: fl.rtl}
	d, err := rtlDesign(out, g, m)
	if err != nil {
		return rv, err
	}
	rv.LatencyDeclared, rv.IIDeclared = d.LatencyCycles, d.IICycles
	opts := rtlsim.Options{Simulator: fl.rtl, Seed: fl.seed, InGapPercent: fl.stall, OutStallPercent: fl.stall}
	if fl.stall == 0 {
		opts.InGapPercent, opts.OutStallPercent = rtlsim.Never, rtlsim.Never
	}
	wavePath := filepath.Join(out, "verify.fst")
	if fl.rtl == rtlsim.Icarus {
		wavePath = filepath.Join(out, "verify.vcd")
	}
	if fl.wave {
		opts.Wave = wavePath
		rv.Wave = wavePath
	}
	res, runErr := rtlsim.Run(d, inputs, opts)
	var cmpErr error
	if res != nil {
		rv.LatencyCycles, rv.IICycles, rv.Cycles, rv.Stalls = res.Latency, res.II, res.Cycles, res.Stalls
		rv.BuildSeconds, rv.RunSeconds = res.BuildSeconds, res.RunSeconds
		if res.RunSeconds > 0 {
			rv.EventsPerSecond = float64(len(inputs[0].Data)/max(inputs[0].Shape.Size(), 1)) / res.RunSeconds
		}
		rv.Comparison, cmpErr = rtlsim.Check(d, res, want)
	}
	err = errors.Join(runErr, cmpErr)
	if err != nil {
		rv.Error = err.Error()
		if !fl.wave {
			// A failure always leaves a waveform to look at.
			opts.Wave = wavePath
			if _, werr := rtlsim.Run(d, inputs, opts); werr == nil || fileExists(wavePath) {
				rv.Wave = wavePath
			}
		}
		if rv.Wave != "" {
			err = fmt.Errorf("%w (waveform: %s)", err, rv.Wave)
		}
	}
	return rv, err
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func verifyHLS(out string, g *ir.Graph, inputs, want []sim.Codes) (*hlsVerify, error) {
	hv := &hlsVerify{}
	dir := filepath.Join(out, "hls")
	if !fileExists(dir) {
		return hv, fmt.Errorf("%s has no HLS project (compile with --backend hls)", out)
	}
	got, err := hls.CSim(dir, g, inputs, hls.CSimOptions{})
	if err != nil {
		hv.Error = err.Error()
		return hv, err
	}
	cmp, err := hil.Compare(g, want, got)
	if err != nil {
		hv.Error = err.Error()
		return hv, err
	}
	hv.Comparison = cmp
	if !cmp.OK() {
		hv.Error = cmp.String()
		return hv, errors.New(cmp.String())
	}
	return hv, nil
}

func newSynthCmd(stdout, stderr io.Writer) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "synth OUT",
		Short: "Size OUT/rtl with Yosys synth_xilinx (writes OUT/synth.json)",
		Long: `Synth runs Yosys' synth_xilinx for an UltraScale+ family on the RTL that
'trigo compile' wrote into OUT and reports LUT, FF, DSP and BRAM counts and
the longest combinational path between registers, in cells. Yosys is not
Vivado: use the figures to compare design points, not as a timing sign-off.

Reads OUT/manifest.json and OUT/rtl. Writes OUT/synth.json and OUT/synth/ (the
Yosys script, log and netlist).`,
		Example: `  trigo synth out/jet_tagger
  trigo compile model.onnx -o out/model --synth`,
		Args: exactArgs(1, "one OUT directory"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runSynth(args[0], timeout, stdout)
		}),
	}
	cmd.Flags().DurationVar(&timeout, "timeout", defaultSynthTimeout, "give up on Yosys after this long (whole graph networks take an hour or more)")
	return cmd
}

// defaultSynthTimeout bounds one Yosys run from the CLI: long enough for the
// largest bundled graph network on 2 cores, short enough that a runaway
// synthesis ends with an error instead of a hung terminal.
const defaultSynthTimeout = 4 * time.Hour

func runSynth(out string, timeout time.Duration, stdout io.Writer) error {
	m, err := compiler.ReadManifest(filepath.Join(out, fileManifest))
	if err != nil {
		return fileError(filepath.Join(out, fileManifest), err)
	}
	if m.RTL == nil {
		return fmt.Errorf("%s has no RTL (compile with --backend rtl)", out)
	}
	var files []string
	for _, f := range m.RTL.Files {
		if strings.HasSuffix(f, ".v") {
			files = append(files, filepath.Join(out, f))
		}
	}
	rep, err := synth.Run(files, m.RTL.Top, synth.Options{WorkDir: filepath.Join(out, "synth"), Timeout: timeout})
	if err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	if err := rep.WriteJSON(filepath.Join(out, "synth.json")); err != nil {
		return fileError(filepath.Join(out, "synth.json"), err)
	}
	fmt.Fprintf(stdout, "synth: %s (%.0f s); wrote %s\n", rep, rep.Seconds, filepath.Join(out, "synth.json"))
	return nil
}
