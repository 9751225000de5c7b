package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"trigo/compiler"
	"trigo/internal/npy"
	"trigo/ir"
	"trigo/sim"
)

type simFlags struct {
	inputs  []string
	outputs []string
	float   bool
	raw     bool
	config  string
	calib   []string
}

func newSimCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl simFlags
	cmd := &cobra.Command{
		Use:   "sim MODEL --input X.npy [--input ...] --output Y.npy [--output ...] [--float] [--raw]",
		Short: "Run the bit-exact fixed-point simulator (or the float reference) on NPY event data",
		Long: `Sim runs a model on events read from NPY files and writes its outputs as NPY.

MODEL is one of:
  OUT            a directory written by 'trigo compile': runs OUT/model.tir
                 (fixed point), or OUT/model.float.tir with --float
  FILE.tir       an IR text file, float or fixed point (--float on a
                 fixed-point graph is an error)
  FILE.onnx      an ONNX model: compiled on the fly with --config (default
                 config otherwise) and simulated in fixed point, or with
                 --float the float reference graph is run

By default the fixed-point simulator runs: inputs are quantised to the input
types, every op computes exactly what the firmware computes, outputs are
dequantised (code * 2^-frac) exactly. Overflow events are counted; if there
are any, the overflow report is printed on stderr.

Reads:
  --input X.npy   one per graph input, in graph-input order (repeat the
                  flag); shape (events, per-event shape...) or (events, flat
                  size); any numeric or bool dtype (converted to float32).
                  Graph networks take the padded vertices and the vertex
                  mask: --input x.npy --input valid.npy, valid (events, N)
                  as bool or float 0/1 (a vertex is valid when > 0.5)
Writes:
  --output Y.npy  one per graph output, in graph-output order (repeat the
                  flag; give fewer to write only the first outputs); float32
                  of shape (events, per-event shape...), or with --raw the
                  integer codes (int32 when they all fit, int64 otherwise).
                  Integer outputs (condensation's cluster ids, -1 for none,
                  and cluster counts) are always int32`,
		Example: `  trigo sim out/jet_tagger --input models/examples/jet_tagger/x.npy --output y_fixed.npy
  trigo sim out/jet_tagger --float --input x.npy --output y_float.npy
  trigo sim out/jet_tagger/model.tir --raw --input x.npy --output y_codes.npy
  trigo sim model.onnx --config model.yaml --input x.npy --output y.npy

  # a graph network: two inputs, three outputs (assign, clusters, n_clusters)
  trigo sim out/ecl_gnn --input x.npy --input valid.npy \
      --output assign.npy --output clusters.npy --output n_clusters.npy`,
		Args: exactArgs(1, "one MODEL argument (OUT directory, .tir or .onnx file)"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runSim(args[0], fl, stdout, stderr)
		}),
	}
	f := cmd.Flags()
	f.StringArrayVarP(&fl.inputs, "input", "i", nil, "input events NPY, one per graph input in order (repeatable)")
	f.StringArrayVarP(&fl.outputs, "output", "o", nil, "output NPY, one per graph output in order (repeatable)")
	f.BoolVar(&fl.float, "float", false, "run the float reference graph instead of the fixed-point one")
	f.BoolVar(&fl.raw, "raw", false, "write integer codes instead of dequantised float32 values")
	f.StringVarP(&fl.config, "config", "c", "", "quantisation config YAML (only when MODEL is an ONNX file)")
	f.StringArrayVar(&fl.calib, "calib", nil, "calibration NPY per input, for auto precisions (only when MODEL is an ONNX file)")
	_ = cmd.MarkFlagRequired("input")
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

// loadSimGraph resolves MODEL to the graph to run and says where it came
// from (for messages).
func loadSimGraph(model string, fl simFlags) (*ir.Graph, string, error) {
	st, err := os.Stat(model)
	if err != nil {
		return nil, "", fileError(model, err)
	}
	onlyONNX := func() error {
		if fl.config != "" || len(fl.calib) > 0 {
			return usagef("--config and --calib apply only when MODEL is an ONNX file; %s was compiled already", model)
		}
		return nil
	}
	if st.IsDir() {
		if err := onlyONNX(); err != nil {
			return nil, "", err
		}
		name := fileFixedIR
		if fl.float {
			name = fileFloatIR
		}
		path := filepath.Join(model, name)
		if _, err := os.Stat(path); err != nil {
			return nil, "", fmt.Errorf("%s: no %s in this directory: MODEL must be an output directory of 'trigo compile', a .tir or an .onnx file", model, name)
		}
		g, err := parseIR(path)
		if err != nil {
			return nil, "", err
		}
		if !fl.float && !g.IsFixed() {
			return nil, "", fmt.Errorf("%s: is a float graph, expected the quantised graph", path)
		}
		if fl.float && g.IsFixed() {
			return nil, "", fmt.Errorf("%s: is a quantised graph, expected the float reference graph", path)
		}
		return g, path, nil
	}
	head := make([]byte, 64)
	if f, err := os.Open(model); err == nil {
		n, _ := io.ReadFull(f, head)
		head = head[:n]
		f.Close()
	}
	if looksLikeIR(head) || strings.HasSuffix(model, ".tir") {
		if err := onlyONNX(); err != nil {
			return nil, "", err
		}
		g, err := parseIR(model)
		if err != nil {
			return nil, "", err
		}
		if fl.float && g.IsFixed() {
			return nil, "", fmt.Errorf("%s: is a quantised (fixed-point) graph; --float needs a float graph (the OUT directory with --float, OUT/%s, or the ONNX model)", model, fileFloatIR)
		}
		return g, model, nil
	}
	g, _, err := importONNX(model)
	if err != nil {
		return nil, "", err
	}
	cfg, err := loadConfig(fl.config)
	if err != nil {
		return nil, "", err
	}
	if err := checkConfigNames(fl.config, cfg, model, g); err != nil {
		return nil, "", err
	}
	if fl.float {
		// The float passes do not depend on the config: this is the graph
		// Compile returns as Result.Float.
		fg, err := compiler.PrepareFloat(g)
		if err != nil {
			return nil, "", fileError(model, err)
		}
		return fg, model, nil
	}
	var calib []sim.Batch
	if len(fl.calib) > 0 {
		if calib, err = readBatches(fl.calib, g.Inputs, "--calib"); err != nil {
			return nil, "", err
		}
	}
	res, err := compiler.Compile(g, compiler.Options{Config: cfg, Calib: calib})
	if err != nil {
		return nil, "", fileError(model, err)
	}
	if res == nil || res.Fixed == nil {
		return nil, "", fmt.Errorf("%s: the compiler returned no graph (internal error)", model)
	}
	return res.Fixed, model, nil
}

func runSim(model string, fl simFlags, stdout, stderr io.Writer) error {
	if fl.raw && fl.float {
		return usagef("--raw writes fixed-point codes; it cannot be combined with --float")
	}
	for _, p := range fl.outputs {
		if err := checkWritable(p); err != nil {
			return err
		}
	}
	g, from, err := loadSimGraph(model, fl)
	if err != nil {
		return err
	}
	fixedGraph := g.IsFixed()
	if fl.raw && !fixedGraph {
		return fmt.Errorf("%s: --raw writes fixed-point codes, but this is a float graph", from)
	}
	if len(fl.outputs) > len(g.Outputs) {
		return usagef("%d --output files for %d graph output(s) (%s)", len(fl.outputs), len(g.Outputs), strings.Join(g.Outputs, ", "))
	}
	batches, err := readBatches(fl.inputs, g.Inputs, "--input")
	if err != nil {
		return err
	}
	events := batches[0].Events

	// An output holds float32 values, fixed-point codes (--raw) or, for
	// i32 outputs (cluster ids, counts), integers written as int32.
	type result struct {
		shape []int
		f32   []float32
		i64   []int64
		i32   []int32
	}
	isInt := func(i int) bool {
		v := g.Lookup(g.Outputs[i])
		return v != nil && v.Type.Kind == ir.Int32
	}
	results := make([]result, len(g.Outputs))
	if fixedGraph {
		fx, err := sim.NewFixed(g)
		if err != nil {
			return fileError(from, err)
		}
		codes, err := fx.Quantize(batches)
		if err != nil {
			return fileError(from, err)
		}
		outs, err := fx.Run(codes)
		if err != nil {
			return fileError(from, err)
		}
		for i := range outs {
			r := result{shape: append([]int{outs[i].Events}, outs[i].Shape...)}
			switch {
			case isInt(i):
				r.i32 = make([]int32, len(outs[i].Data))
				for j, v := range outs[i].Data {
					r.i32[j] = int32(v)
				}
			case fl.raw:
				r.i64 = outs[i].Data
			default:
				r.f32 = outs[i].Dequantize().Data
			}
			results[i] = r
		}
		if rep := fx.Report(); rep.Total() > 0 {
			fmt.Fprintf(stderr, "trigo: warning: %s: %d overflow events in the fixed-point simulation\n%s", from, rep.Total(), rep.String())
		}
	} else {
		fs, err := sim.NewFloat(g)
		if err != nil {
			return fileError(from, err)
		}
		outs, err := fs.Run(batches)
		if err != nil {
			return fileError(from, err)
		}
		for i := range outs {
			r := result{shape: append([]int{outs[i].Events}, outs[i].Shape...), f32: outs[i].Data}
			if isInt(i) {
				r.i32 = make([]int32, len(r.f32))
				for j, v := range r.f32 {
					r.i32[j] = int32(v)
				}
				r.f32 = nil
			}
			results[i] = r
		}
	}

	kind := "fixed-point"
	if !fixedGraph {
		kind = "float"
	}
	fmt.Fprintf(stdout, "simulated %d events (%s) with %s\n", events, kind, from)
	for i, path := range fl.outputs {
		r := results[i]
		var dtype string
		err := writeFileAtomic(path, func(f *os.File) error {
			switch {
			case r.i32 != nil:
				dtype = "int32"
				return npy.Write(f, r.shape, r.i32)
			case r.i64 != nil && fitsInt32(r.i64):
				dtype = "int32"
				i32 := make([]int32, len(r.i64))
				for j, v := range r.i64 {
					i32[j] = int32(v)
				}
				return npy.Write(f, r.shape, i32)
			case r.i64 != nil:
				dtype = "int64"
				return npy.Write(f, r.shape, r.i64)
			default:
				dtype = "float32"
				return npy.Write(f, r.shape, r.f32)
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: output %s, %s %s\n", path, g.Outputs[i], dtype, npy.ShapeString(r.shape))
	}
	return nil
}

func fitsInt32(v []int64) bool {
	for _, x := range v {
		if x < math.MinInt32 || x > math.MaxInt32 {
			return false
		}
	}
	return true
}
