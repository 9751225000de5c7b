package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"trigo/compiler"
	"trigo/ir"
	"trigo/sim"
)

// Files of an output directory.
const (
	fileFixedIR  = "model.tir"
	fileFloatIR  = "model.float.tir"
	fileManifest = "manifest.json"
	fileReport   = "report.txt"
)

type compileFlags struct {
	out          string
	config       string
	calib        []string
	verbose      bool
	backends     []string
	name         string
	synth        bool
	synthTimeout time.Duration
	sweep        string
	// backendsExplicit is set when --backend was given on the command line.
	backendsExplicit bool
}

func newCompileCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl compileFlags
	cmd := &cobra.Command{
		Use:   "compile MODEL.onnx -o OUT [--config C.yaml] [--calib X.npy ...]",
		Short: "Compile an ONNX model into quantised IR (writes OUT/model.tir, manifest.json, report.txt)",
		Long: `Compile imports an ONNX model, runs the float passes (folding, BatchNorm and
bias fusion, transpose elimination, activation lowering) and quantises it
with the config (defaults when --config is not given: fixed<16,6>, RND, SAT,
exact accumulators).

Reads:
  MODEL.onnx       the network (first axis of every input = event axis)
  --config C.yaml  quantisation config (start from 'trigo config init')
  --calib X.npy    calibration events, one file per graph input in order,
                   shape (events, per-event shape...); needed by 'auto'
                   precisions, and used to check the result

Writes the directory OUT (created or replaced as a whole, only on success):
  OUT/model.tir        the quantised IR (what the firmware computes)
  OUT/model.float.tir  the float reference IR
  OUT/manifest.json    model, source, trigo version, inputs/outputs with
                       shape, type, width, integer/fractional bits, signedness,
                       and the types the compiler chose
  OUT/report.txt       layers, chosen types and, with --calib, the overflow
                       report and the error of every output against float
  OUT/rtl, OUT/hls     the firmware (--backend). A backend selected by
                       default that does not implement an op of the model
                       yet (the graph ops of GNNs) is skipped with a warning
                       and listed in manifest.json (skipped_backends) and
                       report.txt; naming it with --backend makes that an error`,
		Example: `  trigo compile models/examples/jet_tagger/model.onnx -o out/jet_tagger \
      --calib models/examples/jet_tagger/calib.npy
  trigo compile model.onnx --config model.yaml -o out/model

  # a graph network: inputs x and valid, so two calibration files
  trigo compile models/examples/ecl_gnn/model.onnx --config models/examples/ecl_gnn/config.yaml \
      --calib models/examples/ecl_gnn/calib_x.npy --calib models/examples/ecl_gnn/calib_valid.npy -o out/ecl_gnn

  # its design space: latency and II for 1, 2, 4 and 8 vertices per cycle
  trigo compile models/examples/ecl_gnn/model.onnx --config models/examples/ecl_gnn/config.yaml \
      -o out/ecl_gnn --sweep lanes=1,2,4,8`,
		Args: exactArgs(1, "one MODEL.onnx argument"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			fl.backendsExplicit = cmd.Flags().Changed("backend")
			return runCompile(args[0], fl, stdout, stderr)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&fl.out, "out", "o", "", "output directory (required; replaced only when compilation succeeds)")
	f.StringVarP(&fl.config, "config", "c", "", "quantisation config YAML (default: built-in defaults)")
	f.StringArrayVar(&fl.calib, "calib", nil, "calibration NPY, one per graph input in order (repeatable)")
	f.BoolVarP(&fl.verbose, "verbose", "v", false, "print the compiler's log to stderr")
	f.StringArrayVar(&fl.backends, "backend", []string{"rtl,hls"}, "firmware to generate: rtl (Verilog, OUT/rtl), hls (Vitis HLS C++, OUT/hls), none (default rtl,hls, skipping those that do not support the model yet)")
	f.StringVar(&fl.name, "name", "", "name of the top module/function (default: the model's name)")
	f.BoolVar(&fl.synth, "synth", false, "also run Yosys on OUT/rtl and write OUT/synth.json (see 'trigo synth')")
	f.DurationVar(&fl.synthTimeout, "synth-timeout", defaultSynthTimeout, "with --synth: give up on Yosys after this long (per design point)")
	f.StringVar(&fl.sweep, "sweep", "", "graph networks: design-space report over lane counts, e.g. lanes=1,2,4,8 (latency, II; with --synth also Yosys LUT/FF/DSP and longest path per point, under OUT/sweep/) into OUT/sweep.json")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func runCompile(modelPath string, fl compileFlags, stdout, stderr io.Writer) error {
	if strings.TrimSpace(fl.out) == "" {
		return usagef("-o OUT must name a directory")
	}
	out := filepath.Clean(fl.out)
	if err := checkOutDir(out); err != nil {
		return err
	}
	g, modelData, err := importONNX(modelPath)
	if err != nil {
		return err
	}
	var sweepLanes []int
	if fl.sweep != "" {
		l, err := parseSweep(fl.sweep)
		if err != nil {
			return err
		}
		sweepLanes = l
	}
	cfg, err := loadConfig(fl.config)
	if err != nil {
		return err
	}
	if err := checkConfigNames(fl.config, cfg, modelPath, g); err != nil {
		return err
	}
	var calib []sim.Batch
	if len(fl.calib) > 0 {
		if calib, err = readBatches(fl.calib, g.Inputs, "--calib"); err != nil {
			return err
		}
	}
	var log bytes.Buffer
	var logW io.Writer = &log
	if fl.verbose {
		logW = io.MultiWriter(&log, stderr)
	}
	res, err := compiler.Compile(g, compiler.Options{Config: cfg, Calib: calib, Log: logW})
	if err != nil {
		return fileError(modelPath, err)
	}
	if res == nil || res.Fixed == nil || res.Float == nil {
		return fmt.Errorf("%s: the compiler returned no graph (internal error)", modelPath)
	}

	files := map[string][]byte{}
	// The IR texts must read back: `trigo sim OUT` depends on it.
	for name, gr := range map[string]*ir.Graph{fileFixedIR: res.Fixed, fileFloatIR: res.Float} {
		text := gr.Text()
		back, err := ir.Parse(text)
		if err == nil {
			err = back.Validate()
		}
		if err == nil && back.Text() != text {
			err = fmt.Errorf("printing it again gives a different text")
		}
		if err != nil {
			return fmt.Errorf("%s: the compiled %s does not read back (internal error): %w", modelPath, name, err)
		}
		files[name] = []byte(text)
	}

	m := compiler.NewManifest(res, modelPath)
	sum := sha256.Sum256(modelData)
	m.SourceSHA256 = hex.EncodeToString(sum[:])
	if err := emitFirmware(res, cfg, firmwareFlags{backends: parseBackends(fl.backends), name: fl.name, explicit: fl.backendsExplicit}, modelPath, files, m); err != nil {
		return err
	}
	if files[fileManifest], err = m.JSON(); err != nil {
		return err
	}

	var rep bytes.Buffer
	fmt.Fprintf(&rep, "trigo %s compile report\n", compiler.Version)
	fmt.Fprintf(&rep, "model:  %s (graph %q, sha256 %s)\n", modelPath, res.Fixed.Name, m.SourceSHA256)
	if fl.config != "" {
		fmt.Fprintf(&rep, "config: %s\n", fl.config)
	} else {
		fmt.Fprintf(&rep, "config: defaults (precision %s, rounding %s, overflow %s, accum %s)\n",
			cfg.Model.Precision, cfg.Model.Rounding, cfg.Model.Overflow, cfg.Model.Accum)
	}
	if len(calib) > 0 {
		fmt.Fprintf(&rep, "calib:  %s (%d events)\n", strings.Join(fl.calib, ", "), calib[0].Events)
	} else {
		rep.WriteString("calib:  none (no overflow check on data; pass --calib to get one)\n")
	}
	for _, sk := range m.Skipped {
		fmt.Fprintf(&rep, "firmware: %s skipped: %s\n", sk.Backend, sk.Reason)
	}
	rep.WriteString("\n== layers (quantised graph) ==\n")
	writeLayers(&rep, res.Fixed)
	rep.WriteString("\n== chosen types ==\n")
	writeChosen(&rep, res.Chosen)

	var overflows int64
	var stats []sim.ErrorStats
	if len(calib) > 0 {
		report, st, err := checkOnCalib(res, calib)
		if err != nil {
			return fmt.Errorf("%s: simulating the calibration data: %w", modelPath, err)
		}
		overflows, stats = report.Total(), st
		rep.WriteString("\n== calibration: overflow report (fixed-point simulation) ==\n")
		rep.WriteString(report.String())
		rep.WriteString("\n== calibration: error of the fixed-point outputs against float ==\n")
		for _, s := range stats {
			fmt.Fprintln(&rep, s.String())
		}
	}
	if log.Len() > 0 {
		rep.WriteString("\n== compiler log ==\n")
		rep.Write(log.Bytes())
		if !bytes.HasSuffix(log.Bytes(), []byte("\n")) {
			rep.WriteString("\n")
		}
	}
	files[fileReport] = rep.Bytes()

	if err := writeOutDir(out, files); err != nil {
		return err
	}

	// Human summary.
	fmt.Fprintf(stdout, "compiled %s (graph %q): %d layers\n", modelPath, res.Fixed.Name, len(res.Fixed.Nodes))
	writeLayers(stdout, res.Fixed)
	for _, v := range res.Fixed.Inputs {
		fmt.Fprintf(stdout, "input  %s: %s%v\n", v.Name, v.Type, v.Shape)
	}
	for _, o := range res.Fixed.Outputs {
		if v := res.Fixed.Lookup(o); v != nil {
			fmt.Fprintf(stdout, "output %s: %s%v\n", v.Name, v.Type, v.Shape)
		}
	}
	if len(res.Chosen) > 0 {
		fmt.Fprintf(stdout, "chosen types: %d (see %s)\n", len(res.Chosen), filepath.Join(out, fileReport))
	}
	if len(calib) > 0 {
		fmt.Fprintf(stdout, "calibration: %d events, %d overflow events\n", calib[0].Events, overflows)
		for _, s := range stats {
			fmt.Fprintf(stdout, "  %s\n", s)
		}
		if overflows > 0 {
			fmt.Fprintf(stderr, "trigo: warning: %d overflow events on the calibration data; see %s\n", overflows, filepath.Join(out, fileReport))
		}
	}
	fmt.Fprintf(stdout, "wrote %s/{%s, %s, %s, %s}\n", out, fileFixedIR, fileFloatIR, fileManifest, fileReport)
	if m.RTL != nil {
		fmt.Fprintf(stdout, "rtl: %s/rtl (top %s, latency %d cycles, II %d at %g MHz, s_axis %d bits, m_axis %d bits)\n",
			out, m.RTL.Top, m.RTL.LatencyCycles, m.RTL.IICycles, m.RTL.ClockMHz, m.RTL.InBits, m.RTL.OutBits)
	}
	if m.HLS != nil {
		fmt.Fprintf(stdout, "hls: %s/hls (top %s, %s interface, %s)\n", out, m.HLS.Top, m.HLS.Interface, m.HLS.Part)
	}
	for _, sk := range m.Skipped {
		fmt.Fprintf(stderr, "trigo: warning: %s: %s backend skipped: %s (--backend %s makes this an error)\n", modelPath, sk.Backend, sk.Reason, sk.Backend)
	}
	if fl.synth && sweepLanes == nil { // with --sweep, --synth synthesises every point instead
		if m.RTL == nil {
			return fmt.Errorf("%s: --synth needs the rtl backend, which did not run", modelPath)
		}
		if err := runSynth(out, fl.synthTimeout, stdout); err != nil {
			return err
		}
	}
	if sweepLanes != nil {
		return runSweep(res.Fixed, cfg, sweepLanes, fl.synth, fl.synthTimeout, out, stdout, stderr)
	}
	return nil
}

// checkOnCalib runs the fixed-point simulator and the float reference on
// the calibration events.
func checkOnCalib(res *compiler.Result, calib []sim.Batch) (*sim.Report, []sim.ErrorStats, error) {
	fx, err := sim.NewFixed(res.Fixed)
	if err != nil {
		return nil, nil, err
	}
	codes, err := fx.Quantize(calib)
	if err != nil {
		return nil, nil, err
	}
	fixedOut, err := fx.Run(codes)
	if err != nil {
		return nil, nil, err
	}
	fl, err := sim.NewFloat(res.Float)
	if err != nil {
		return nil, nil, err
	}
	floatOut, err := fl.Run(calib)
	if err != nil {
		return nil, nil, err
	}
	stats, err := sim.Compare(res.Fixed.Outputs, floatOut, fixedOut)
	if err != nil {
		return nil, nil, err
	}
	return fx.Report(), stats, nil
}

// writeLayers prints one line per node: name, op, output type and shape,
// accumulator type.
func writeLayers(w io.Writer, g *ir.Graph) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  layer\top\tresult\tshape\taccumulator")
	for _, n := range g.Nodes {
		acc := "-"
		if t, ok := n.Attrs.Type("acc"); ok {
			acc = t.String()
		}
		// The value the node converts to its type: condensation's clusters
		// rather than its i32 cluster ids.
		out := n.Output()
		for _, o := range n.Outputs {
			if o.Type.Kind != ir.Int32 {
				out = o
				break
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%v\t%s\n", n.Name, n.Op, out.Type, out.Shape, acc)
	}
	tw.Flush()
}

func writeChosen(w io.Writer, chosen []compiler.ChosenType) {
	if len(chosen) == 0 {
		fmt.Fprintln(w, "none (every type was given by the config)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "layer\twhat\ttype\tmax|x|\treason")
	for _, c := range chosen {
		maxAbs := "-"
		if c.MaxAbs != 0 {
			maxAbs = fmt.Sprintf("%.6g", c.MaxAbs)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Layer, c.What, c.Type, maxAbs, c.Reason)
	}
	tw.Flush()
}

// checkOutDir refuses an OUT that exists and is not a trigo output
// directory: replacing it would destroy the user's files.
func checkOutDir(out string) error {
	st, err := os.Lstat(out)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fileError(out, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: exists and is not a directory; choose another -o", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return fileError(out, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, fileManifest)); err != nil {
		return fmt.Errorf("%s: exists and is not a trigo output directory (no %s); refusing to replace it, choose another -o", out, fileManifest)
	}
	return nil
}

// writeOutDir writes files into a fresh directory next to out and renames
// it into place. An existing out is replaced only once the new directory
// is complete; on failure nothing named out is left behind that was not
// there before.
func writeOutDir(out string, files map[string][]byte) (err error) {
	if err := checkOutDir(out); err != nil {
		return err
	}
	parent, base := filepath.Dir(out), filepath.Base(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fileError(parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return fileError(out, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fileError(out, err)
	}
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(tmp, name)), 0o755); err != nil {
			return fileError(filepath.Join(out, name), err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return fileError(filepath.Join(out, name), err)
		}
	}
	if _, err := os.Lstat(out); err == nil {
		old := filepath.Join(parent, fmt.Sprintf(".%s.old-%d-%d", base, os.Getpid(), time.Now().UnixNano()))
		if err := os.Rename(out, old); err != nil {
			return fileError(out, err)
		}
		if err := os.Rename(tmp, out); err != nil {
			os.Rename(old, out)
			return fileError(out, err)
		}
		os.RemoveAll(old)
		return nil
	}
	if err := os.Rename(tmp, out); err != nil {
		return fileError(out, err)
	}
	return nil
}
