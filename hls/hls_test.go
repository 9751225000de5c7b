package hls

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"trigo/backends"
	"trigo/compiler"
	"trigo/hil"
	"trigo/ir"
	"trigo/sim"
)

// testEvents is the number of events every C simulation runs.
const testEvents = 10000

// exampleModel is one ONNX model the tests compile.
type exampleModel struct {
	name, path string
}

// exampleModels lists the shared hls4ml examples (../../shared/models/
// hls4ml-examples: skipped when absent, except in CI) and trigo's own
// examples.
func exampleModels(t *testing.T) []exampleModel {
	t.Helper()
	files, _ := filepath.Glob("../../shared/models/hls4ml-examples/*.onnx")
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("../../shared/models/hls4ml-examples is missing (required in CI)")
		}
		t.Log("../../shared/models/hls4ml-examples not found: testing trigo's own examples only")
	}
	var out []exampleModel
	for _, f := range files {
		out = append(out, exampleModel{name: strings.TrimSuffix(filepath.Base(f), ".onnx"), path: f})
	}
	for _, name := range []string{"jet_tagger", "small_cnn"} {
		out = append(out, exampleModel{name: name, path: filepath.Join("..", "models", "examples", name, "model.onnx")})
	}
	return out
}

// compileModel imports and quantises a model with a config (nil: default).
func compileModel(t *testing.T, path string, cfg *compiler.Config) *compiler.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := compiler.ImportONNX(data, path)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	res, err := compiler.Compile(g, compiler.Options{Config: cfg})
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return res
}

// forcedConfig narrows some layers' types so that the graph saturates and
// wraps: the first MAC layer gets a saturating result and a narrow SAT_SYM
// accumulator, the second a wrapping result, the last a SAT_SYM result.
func forcedConfig(t *testing.T, g *ir.Graph) *compiler.Config {
	t.Helper()
	var macs []string
	for _, n := range g.Nodes {
		if n.Op == "dense" || n.Op == "conv" {
			macs = append(macs, n.Name)
		}
	}
	if len(macs) == 0 {
		t.Fatalf("graph %s has no dense/conv layer", g.Name)
	}
	layers := map[string]string{}
	layers[macs[0]] = `{result: "fixed<8,3,RND,SAT>", accum: "fixed<14,5,RND_CONV,SAT_SYM>"}`
	if len(macs) > 1 {
		layers[macs[1]] = `{result: "fixed<7,1,TRN,WRAP>"}`
	}
	if len(macs) > 2 {
		layers[macs[len(macs)-1]] = `{result: "fixed<10,4,RND_CONV,SAT_SYM>", accum: "fixed<20,7,RND_INF,WRAP>"}`
	}
	var b strings.Builder
	b.WriteString("layers:\n")
	names := make([]string, 0, len(layers))
	for n := range layers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %s: %s\n", strconv.Quote(n), layers[n])
	}
	cfg, err := compiler.ParseConfig([]byte(b.String()))
	if err != nil {
		t.Fatalf("config:\n%s\n%v", b.String(), err)
	}
	return cfg
}

// exposeAll returns a copy of g whose outputs are its own outputs followed
// by every node output, so that every intermediate is compared.
func exposeAll(t *testing.T, g *ir.Graph) *ir.Graph {
	t.Helper()
	c := *g
	c.Outputs = append([]string(nil), g.Outputs...)
	seen := map[string]bool{}
	for _, o := range c.Outputs {
		seen[o] = true
	}
	for _, n := range g.Nodes {
		if o := n.Outputs[0].Name; !seen[o] {
			seen[o] = true
			c.Outputs = append(c.Outputs, o)
		}
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return &c
}

// emitTo prepares and emits g into a fresh folder and returns it.
func emitTo(t *testing.T, g *ir.Graph, opts Options, source string) string {
	t.Helper()
	b := Backend{Options: opts}
	pg, err := b.Prepare(g)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	files, err := b.Emit(pg, backends.Options{Source: source, Version: compiler.Version})
	if err != nil {
		t.Fatalf("emit: %v", err)
	}
	dir := t.TempDir()
	if err := backends.WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

// simulate runs the Go fixed simulator.
func simulate(t *testing.T, g *ir.Graph, in []sim.Codes) ([]sim.Codes, *sim.Report) {
	t.Helper()
	f, err := sim.NewFixed(g)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	return out, f.Report()
}

// csimMatches runs the C simulation of the project in dir and requires
// zero mismatches with the simulator's outputs.
func csimMatches(t *testing.T, dir string, g *ir.Graph, in, want []sim.Codes) []sim.Codes {
	t.Helper()
	start := time.Now()
	got, err := CSim(dir, g, in, CSimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := hil.Compare(g, want, got)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.OK() {
		t.Fatalf("C simulation differs from the Go simulator: %v", cmp)
	}
	t.Logf("%v (build + csim %v)", cmp, time.Since(start).Round(time.Millisecond))
	return got
}

// checkLutCoverage requires every lookup table of g (all node outputs
// exposed) to be read at several different entries by the events.
func checkLutCoverage(t *testing.T, g *ir.Graph, in, outs []sim.Codes) int {
	t.Helper()
	codes := map[string]*sim.Codes{}
	for i, v := range g.Inputs {
		codes[v.Name] = &in[i]
	}
	for i, name := range g.Outputs {
		codes[name] = &outs[i]
	}
	luts := 0
	for _, n := range g.Nodes {
		if n.Op != "lut" {
			continue
		}
		luts++
		x := codes[n.Inputs[0]]
		table := g.Const(n.Inputs[1])
		if x == nil || table == nil {
			t.Fatalf("lut %s: input or table not found", n.Name)
		}
		hit := map[int64]bool{}
		for _, c := range x.Data {
			hit[sim.LutIndex(c, n.Attrs.Int("offset", 0), uint(n.Attrs.Int("shift", 0)), int64(len(table.Codes)))] = true
		}
		want := min(8, len(table.Codes))
		if len(hit) < want {
			t.Errorf("lut %s (%s): the test events read only %d of %d entries", n.Name, n.Attrs.String("function", "?"), len(hit), len(table.Codes))
		}
		t.Logf("lut %s (%s): %d of %d entries exercised", n.Name, n.Attrs.String("function", "?"), len(hit), len(table.Codes))
	}
	return luts
}

// TestExamples compiles every example model twice and compares 10,000
// events of C simulation with the Go simulator, bit for bit:
//
//   - the default config, ap_vld interface, every node output exposed (so
//     every intermediate, and every lookup table, is checked);
//   - a config that forces saturating and wrapping layers, axis interface.
func TestExamples(t *testing.T) {
	requireCXX(t)
	models := exampleModels(t)
	var (
		mu   sync.Mutex
		luts int
	)
	t.Cleanup(func() {
		if luts == 0 && !t.Failed() {
			t.Error("no example model had a lookup table")
		}
	})
	for i, m := range models {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			res := compileModel(t, m.path, nil)
			in, err := hil.Vectors(res.Fixed, testEvents, uint64(100+i))
			if err != nil {
				t.Fatal(err)
			}

			// Default config, every intermediate exposed, ap_vld.
			g := exposeAll(t, res.Fixed)
			want, _ := simulate(t, g, in)
			dir := emitTo(t, g, Options{Interface: InterfaceAPVld}, m.path)
			got := csimMatches(t, dir, g, in, want)
			n := checkLutCoverage(t, g, in, got)
			mu.Lock()
			luts += n
			mu.Unlock()

			// Forced saturation and wrapping, axis.
			fres := compileModel(t, m.path, forcedConfig(t, res.Fixed))
			fg := fres.Fixed
			fwant, rep := simulate(t, fg, in)
			var sat, wrap int64
			for _, r := range rep.Nodes {
				sat += r.Saturated + r.AccSaturated
				wrap += r.Wrapped + r.AccWrapped
			}
			if sat == 0 || (wrap == 0 && countMACs(fg) > 1) {
				t.Errorf("forced config: %d saturations, %d wraps: the config does not force overflow\n%v", sat, wrap, rep)
			}
			fdir := emitTo(t, fg, Options{}, m.path)
			fgot := csimMatches(t, fdir, fg, in, fwant)
			t.Logf("forced config: %d saturations, %d wraps in the simulator", sat, wrap)

			if m.name == "jet_tagger" {
				corruptedExpectation(t, fg, fwant, fgot)
			}
		})
	}
}

func countMACs(g *ir.Graph) int {
	n := 0
	for _, nd := range g.Nodes {
		if nd.Op == "dense" || nd.Op == "conv" {
			n++
		}
	}
	return n
}

// corruptedExpectation flips one bit of one expected output code: Compare
// must report exactly that element.
func corruptedExpectation(t *testing.T, g *ir.Graph, want, got []sim.Codes) {
	t.Helper()
	bad := make([]sim.Codes, len(want))
	for i := range want {
		bad[i] = want[i]
		bad[i].Data = append([]int64(nil), want[i].Data...)
	}
	o := len(bad) - 1
	size := bad[o].Shape.Size()
	ev, el := 4321, size-1
	bad[o].Data[ev*size+el] ^= 1 << 3
	cmp, err := hil.Compare(g, bad, got)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.OK() || cmp.Mismatches != 1 || cmp.First == nil || cmp.First.Event != ev || cmp.First.Element != el || cmp.First.Output != g.Outputs[o] {
		t.Fatalf("one flipped expected bit: Compare reported %v", cmp)
	}
	t.Logf("flipped expectation detected: %v", cmp)
}

// TestCorruptedWeight changes one weight code in a copy of the graph before
// emitting: the C simulation must then differ from the simulation of the
// original graph.
func TestCorruptedWeight(t *testing.T) {
	requireCXX(t)
	t.Parallel()
	path := filepath.Join("..", "models", "examples", "jet_tagger", "model.onnx")
	g := compileModel(t, path, nil).Fixed
	in, err := hil.Vectors(g, testEvents, 7)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := simulate(t, g, in)

	// Copy the graph and corrupt one weight of the last dense layer.
	bad := *g
	bad.Consts = append([]*ir.Const(nil), g.Consts...)
	var target string
	for _, n := range g.Nodes {
		if n.Op == "dense" {
			target = n.Inputs[1]
		}
	}
	for i, c := range bad.Consts {
		if c.Name == target {
			cc := *c
			cc.Codes = append([]int64(nil), c.Codes...)
			cc.Codes[0] = c.Type.Fixed.MaxCode() - cc.Codes[0]/2
			bad.Consts[i] = &cc
		}
	}
	if target == "" || bad.Const(target).Codes[0] == g.Const(target).Codes[0] {
		t.Fatal("no weight corrupted")
	}
	dir := emitTo(t, &bad, Options{}, path)
	got, err := CSim(dir, &bad, in, CSimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := hil.Compare(g, want, got)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.OK() {
		t.Fatal("a corrupted weight went unnoticed: the C simulation still matches the original graph")
	}
	t.Logf("corrupted weight %s[0] detected: %v", target, cmp)
	// And the corrupted project matches the corrupted graph's simulation.
	badWant, _ := simulate(t, &bad, in)
	if cmp, _ := hil.Compare(&bad, badWant, got); !cmp.OK() {
		t.Fatalf("the corrupted graph's C simulation differs from its own simulation: %v", cmp)
	}
}

// TestOpsZoo runs hand-written graphs covering every op, rounding and
// overflow mode (testdata/*.tir) through both interfaces.
func TestOpsZoo(t *testing.T) {
	requireCXX(t)
	for _, tc := range []struct {
		file string
		opts Options
	}{
		// Reuse factors change the pragmas, never the results.
		{"ops.tir", Options{Interface: InterfaceAXIS, ReuseFactor: map[string]int{"dn": 3, "c2": 2}}},
		{"ops.tir", Options{Interface: InterfaceAPVld}},
		{"wide.tir", Options{Interface: InterfaceAXIS}},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".tir")+"_"+tc.opts.Interface, func(t *testing.T) {
			t.Parallel()
			g := loadTIR(t, tc.file)
			if tc.opts.Interface == InterfaceAPVld {
				g = exposeAll(t, g)
			}
			in := mixedInputs(g, testEvents, 11)
			want, rep := simulate(t, g, in)
			dir := emitTo(t, g, tc.opts, tc.file)
			csimMatches(t, dir, g, in, want)
			t.Logf("simulator report:\n%v", rep)
			if tc.file == "wide.tir" {
				// The binary is cached: a second run reuses it.
				bin, err := Build(dir, CSimOptions{})
				if err != nil {
					t.Fatal(err)
				}
				st, _ := os.Stat(bin)
				csimMatches(t, dir, g, in, want)
				st2, err := os.Stat(bin)
				if err != nil || !st2.ModTime().Equal(st.ModTime()) {
					t.Errorf("the cached binary was rebuilt: %v", err)
				}
				if m, _ := filepath.Glob(filepath.Join(dir, csimCacheDir, "*")); len(m) != 1 {
					t.Errorf("cache holds %d files, want 1: %v", len(m), m)
				}
			}
		})
	}
}

// mixedInputs draws input codes: the extremes of every type first, then
// uniform codes over the full range and small codes near zero. (hil.Vectors
// is not used: it cannot draw 64-bit codes.)
func mixedInputs(g *ir.Graph, n int, seed uint64) []sim.Codes {
	out := make([]sim.Codes, len(g.Inputs))
	st := seed
	for i, v := range g.Inputs {
		t := v.Type.Fixed
		c := sim.Codes{Events: n, Shape: v.Shape, Type: v.Type, Data: make([]int64, n*v.Shape.Size())}
		size := v.Shape.Size()
		for j := range c.Data {
			e := j / size
			st += 0x9e3779b97f4a7c15
			r := splitmix(st)
			switch {
			case e == 0:
				c.Data[j] = t.MinCode()
			case e == 1:
				c.Data[j] = t.MaxCode()
			case e == 2:
				c.Data[j] = 0
			case e == 3:
				c.Data[j] = min(t.MinCode()+1, t.MaxCode())
			case e%2 == 0:
				c.Data[j] = randomCode(t, r)
			default:
				c.Data[j] = min(max(int64(r%33)-16, t.MinCode()), t.MaxCode())
			}
		}
		out[i] = c
	}
	return out
}
