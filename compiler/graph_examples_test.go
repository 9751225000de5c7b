package compiler

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"trigo/internal/npy"
	"trigo/ir"
	"trigo/sim"
)

// The graph examples of models/examples (exported from PyTorch by
// models/make_graph_examples.py and models/plain_gravnet_export.py): every
// directory holds model.onnx, x.npy, valid.npy and the PyTorch outputs
// named after the ONNX outputs.
var graphExamples = []string{"ecl_gnn", "cdc_gnn", "gravnet_fpl26", "plain_gravnet", "pyg_state_dict"}

type graphExample struct {
	name, dir string
	g         *ir.Graph
	in        []sim.Batch // x, valid
	ref       []*npy.Array
}

// loadGraphExample returns the example, or skips (fails in CI) when the
// files are missing.
func loadGraphExample(t *testing.T, name string) *graphExample {
	t.Helper()
	dir := filepath.Join("..", "models", "examples", name)
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("graph example %s missing: %v", name, err)
		}
		t.Skipf("graph example %s missing", name)
	}
	data, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := ImportONNX(data, filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	ex := &graphExample{name: name, dir: dir, g: g}
	for i, f := range []string{"x.npy", "valid.npy"} {
		ex.in = append(ex.in, loadBatch(t, filepath.Join(dir, f), g.Inputs[i].Shape))
	}
	for i := range g.Outputs {
		// Reference files are named after the ONNX outputs; the IR keeps
		// those names except where an output is renamed (y for a single one).
		f := filepath.Join(dir, g.Outputs[i]+".npy")
		if _, err := os.Stat(f); err != nil && len(g.Outputs) == 1 {
			f = filepath.Join(dir, "y.npy")
		}
		a, err := npy.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ex.ref = append(ex.ref, a)
	}
	return ex
}

// fragility lists, per event, why the float32 computations of PyTorch and
// of trigo may legitimately choose differently: a beta or squared distance
// within 1e-6 (relative) of a condensation threshold, two candidate betas
// within 1e-6, or a k-th and (k+1)-th neighbour distance within 1e-6 in a
// gravnet_agg.
func fragility(t *testing.T, g *ir.Graph, in []sim.Batch) map[int][]string {
	t.Helper()
	// Run the float graph with the inputs of every graph op as outputs.
	probe := cloneGraph(g)
	type watch struct {
		n    *ir.Node
		outs []int // indices in probe.Outputs of the node's inputs
	}
	var watches []watch
	index := map[string]int{}
	for _, n := range probe.Nodes {
		if n.Op != "gravnet_agg" && n.Op != "condensation" {
			continue
		}
		w := watch{n: n}
		for _, v := range n.Inputs {
			if _, ok := index[v]; !ok {
				index[v] = len(probe.Outputs)
				probe.Outputs = append(probe.Outputs, v)
			}
			w.outs = append(w.outs, index[v])
		}
		watches = append(watches, w)
	}
	f, err := sim.NewFloat(probe)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := f.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float32) bool {
		return math.Abs(float64(a)-float64(b)) <= 1e-6*math.Max(math.Abs(float64(b)), 1e-30)
	}
	res := map[int][]string{}
	for e := 0; e < in[0].Events; e++ {
		for _, w := range watches {
			ev := func(i int) []float32 { b := outs[w.outs[i]]; return b.Event(e) }
			switch w.n.Op {
			case "condensation":
				p, _ := ir.Condensation(w.n.Attrs)
				beta, coords, valid := ev(0), ev(1), ev(2)
				C := len(coords) / len(beta)
				tb, td := float32(p.TBeta), float32(p.TD)
				td2 := td * td
				var cands []float32
				for i, b := range beta {
					if valid[i] <= 0.5 {
						continue
					}
					if near(b, tb) {
						res[e] = append(res[e], fmt.Sprintf("beta[%d] = %v at t_beta", i, b))
					}
					if b > tb {
						cands = append(cands, b)
						for j := range beta {
							var d float32
							for c := 0; c < C; c++ {
								x := coords[i*C+c] - coords[j*C+c]
								d += x * x
							}
							if valid[j] > 0.5 && near(d, td2) {
								res[e] = append(res[e], fmt.Sprintf("d²(%d,%d) = %v at t_d²", i, j, d))
							}
						}
					}
				}
				sort.Slice(cands, func(a, b int) bool { return cands[a] < cands[b] })
				for i := 1; i < len(cands); i++ {
					if cands[i] != cands[i-1] && near(cands[i-1], cands[i]) {
						res[e] = append(res[e], fmt.Sprintf("betas %v and %v", cands[i-1], cands[i]))
					}
				}
			case "gravnet_agg":
				p, _ := ir.GravNet(w.n.Attrs)
				s, valid := ev(0), ev(2)
				N := len(valid)
				S := len(s) / N
				for i := 0; i < N; i++ {
					if valid[i] <= 0.5 {
						continue
					}
					var d []float32
					for j := 0; j < N; j++ {
						if valid[j] <= 0.5 || (j == i && !p.IncludeSelf) {
							continue
						}
						var x float32
						for c := 0; c < S; c++ {
							diff := s[j*S+c] - s[i*S+c]
							if p.Distance == ir.DistanceL1 {
								x += float32(math.Abs(float64(diff)))
							} else {
								x += diff * diff
							}
						}
						d = append(d, x)
					}
					sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
					if len(d) > p.K && d[p.K] != d[p.K-1] && near(d[p.K-1], d[p.K]) {
						res[e] = append(res[e], fmt.Sprintf("%s: vertex %d's k-th and (k+1)-th distances %v, %v", w.n.Name, i, d[p.K-1], d[p.K]))
					}
				}
			}
		}
	}
	return res
}

// TestGraphExamplesFloat: every graph example imports, and the float
// simulator reproduces PyTorch: integer outputs (cluster ids and counts)
// identical except in events that fragility explains, features within
// rel 1e-5 / abs 1e-6 except for float32 rounding noise (PyTorch computes
// in float32, trigo's float reference accumulates in float64), which must
// stay below rel 1e-4 / abs 2e-5 and touch under 0.5 % of the values.
// (PyTorch itself deviates from a float64 evaluation of the same graphs by
// up to 7e-5 relative / 7e-6 absolute: exp(-10*d) amplifies the rounding
// of the distances.)
func TestGraphExamplesFloat(t *testing.T) {
	for _, name := range graphExamples {
		t.Run(name, func(t *testing.T) {
			ex := loadGraphExample(t, name)
			for _, stage := range []string{"imported", "after float passes"} {
				g := ex.g
				if stage != "imported" {
					g = mustPrepare(t, g)
				}
				f, err := sim.NewFloat(g)
				if err != nil {
					t.Fatal(err)
				}
				outs, err := f.Run(ex.in)
				if err != nil {
					t.Fatal(err)
				}
				// Events whose integer outputs differ.
				differ := map[int]bool{}
				for i, name := range g.Outputs {
					if g.Lookup(name).Type.Kind != ir.Int32 {
						continue
					}
					want := ex.ref[i].Float32s()
					n := outs[i].Shape.Size()
					for j, v := range outs[i].Data {
						if v != want[j] {
							differ[j/n] = true
						}
					}
				}
				var frag map[int][]string
				if len(differ) > 0 {
					frag = fragility(t, g, ex.in)
				}
				for e := range differ {
					if len(frag[e]) == 0 {
						t.Errorf("%s: event %d: cluster outputs differ from PyTorch with no tie or threshold within 1e-6", stage, e)
					}
				}
				worst, noisy, total := 0.0, 0, 0
				for i, name := range g.Outputs {
					if g.Lookup(name).Type.Kind == ir.Int32 {
						continue
					}
					want := ex.ref[i].Float32s()
					n := outs[i].Shape.Size()
					for j, v := range outs[i].Data {
						e := j / n
						if differ[e] {
							continue // other clusters: compared as integer outputs above
						}
						total++
						w := want[j]
						d := math.Abs(float64(v) - float64(w))
						if w != 0 {
							worst = math.Max(worst, d/math.Abs(float64(w)))
						}
						if closeTo(v, w) {
							continue
						}
						noisy++
						if d > 2e-5 && d > 1e-4*math.Abs(float64(w)) {
							t.Errorf("%s: output %s element %d (event %d): %v, PyTorch %v", stage, name, j, e, v, w)
						}
					}
				}
				if float64(noisy) > 5e-3*float64(total) {
					t.Errorf("%s: %d of %d values beyond rel 1e-5 / abs 1e-6", stage, noisy, total)
				}
				t.Logf("%s: %d events; %d with different cluster outputs (all explained by ties or thresholds within 1e-6); "+
					"max rel err %.2g; %d of %d values beyond rel 1e-5 / abs 1e-6 (float32 noise, all within rel 1e-4 / abs 2e-5)",
					stage, ex.in[0].Events, len(differ), worst, noisy, total)
			}
		})
	}
}

// TestPyGStateDict: the PyG GravNetConv state_dict (one .npy per key) is
// exactly the weights of the imported layer, in trigo's [in, out] layout.
func TestPyGStateDict(t *testing.T) {
	ex := loadGraphExample(t, "pyg_state_dict")
	var hp map[string]any
	b, err := os.ReadFile(filepath.Join(ex.dir, "hparams.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &hp); err != nil {
		t.Fatal(err)
	}
	var agg *ir.Node
	for _, n := range ex.g.Nodes {
		if n.Op == "gravnet_agg" {
			agg = n
		}
	}
	if agg == nil {
		t.Fatalf("no gravnet_agg in\n%s", ex.g.Text())
	}
	p, err := ir.GravNet(agg.Attrs)
	if err != nil {
		t.Fatal(err)
	}
	if float64(p.K) != hp["k"] || p.Exponent != hp["exponent"] || p.Distance != hp["distance"] || p.IncludeSelf != (hp["include_self"] == 1.0) {
		t.Errorf("attributes %+v, hparams %v", p, hp)
	}
	base := agg.Name[:len(agg.Name)-len(".agg")]
	for key, node := range map[string]string{"lin_s": ".lin_s", "lin_h": ".lin_h", "lin_out1": ".lin_out1", "lin_out2": ".lin_out2"} {
		n := ex.g.Node(base + node)
		if n == nil {
			t.Fatalf("no node %s", base+node)
		}
		w := ex.g.Const(n.Inputs[1])
		a, err := npy.ReadFile(filepath.Join(ex.dir, key+".weight.npy"))
		if err != nil {
			t.Fatal(err)
		}
		out, in := a.Shape[0], a.Shape[1]
		want := a.Float32s()
		if !w.Shape.Equal(ir.Shape{in, out}) {
			t.Fatalf("%s weight shape %v, state_dict [%d,%d]", key, w.Shape, out, in)
		}
		for o := 0; o < out; o++ {
			for i := 0; i < in; i++ {
				if w.Floats[i*out+o] != want[o*in+i] {
					t.Fatalf("%s weight [%d,%d] = %v, state_dict %v", key, o, i, w.Floats[i*out+o], want[o*in+i])
				}
			}
		}
		bias := filepath.Join(ex.dir, key+".bias.npy")
		if _, err := os.Stat(bias); err != nil {
			if len(n.Inputs) > 2 {
				t.Errorf("%s has a bias, the state_dict none", key)
			}
			continue
		}
		bw, err := npy.ReadFile(bias)
		if err != nil {
			t.Fatal(err)
		}
		if len(n.Inputs) < 3 {
			t.Fatalf("%s has no bias", key)
		}
		for i, v := range bw.Float32s() {
			if got := ex.g.Const(n.Inputs[2]).Floats[i]; got != v {
				t.Fatalf("%s bias %d = %v, state_dict %v", key, i, got, v)
			}
		}
	}
}

// TestECLGNNFixedAgreement: the fixed-point simulation of ecl_gnn, compiled
// with its config.yaml and calibrated on calib_x/calib_valid, assigns the
// vertices to clusters like the float reference.
func TestECLGNNFixedAgreement(t *testing.T) {
	ex := loadGraphExample(t, "ecl_gnn")
	cfg, err := LoadConfig(filepath.Join(ex.dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	calib := []sim.Batch{loadBatch(t, filepath.Join(ex.dir, "calib_x.npy"), ex.g.Inputs[0].Shape),
		loadBatch(t, filepath.Join(ex.dir, "calib_valid.npy"), ex.g.Inputs[1].Shape)}
	res, err := Compile(ex.g, Options{Config: cfg, Calib: calib})
	if err != nil {
		t.Fatal(err)
	}
	fl, err := sim.NewFloat(res.Float)
	if err != nil {
		t.Fatal(err)
	}
	floatOut, err := fl.Run(ex.in)
	if err != nil {
		t.Fatal(err)
	}
	fx, err := sim.NewFixed(res.Fixed)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := fx.Quantize(ex.in)
	if err != nil {
		t.Fatal(err)
	}
	fixedOut, err := fx.Run(codes)
	if err != nil {
		t.Fatal(err)
	}
	ai := -1
	for i, o := range res.Fixed.Outputs {
		if o == "assign" {
			ai = i
		}
	}
	if ai < 0 {
		t.Fatalf("no assign output in %v", res.Fixed.Outputs)
	}
	events, N := ex.in[0].Events, ex.in[1].Shape.Size()
	valid := ex.in[1].Data
	var same, sameValid, samePart, nValid, sameEvents int
	for e := 0; e < events; e++ {
		fa, xa := floatOut[ai].Event(e), fixedOut[ai].Event(e)
		fc, xc := canonicalClusters(fa), canonicalClusters(xa)
		identical := true
		for i := 0; i < N; i++ {
			eq := float64(fa[i]) == float64(xa[i])
			identical = identical && eq
			if eq {
				same++
			}
			if valid[e*N+i] > 0.5 {
				nValid++
				if eq {
					sameValid++
				}
				if fc[i] == xc[i] {
					samePart++
				}
			}
		}
		if identical {
			sameEvents++
		}
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(b) }
	rep := fx.Report()
	t.Logf("ecl_gnn fixed vs float (config.yaml, %d calibration events): cluster ids agree on %.2f %% of the %d assign entries "+
		"(%.2f %% of the %d valid vertices; %.2f %% of valid vertices in the same cluster up to relabelling); %d/%d events identical; %d overflow events",
		calib[0].Events, pct(same, events*N), events*N, pct(sameValid, nValid), nValid, pct(samePart, nValid), sameEvents, events, rep.Total())
	for _, n := range rep.Nodes {
		if n.Overflows()+n.AccOverflows() > 0 {
			t.Logf("  overflow: %s (%s) %d of %d conversions", n.Name, n.Op, n.Overflows()+n.AccOverflows(), n.Conversions)
		}
	}
	if pct(same, events*N) < 99 || pct(samePart, nValid) < 99 {
		t.Errorf("fixed-point cluster assignments agree with float on %.2f %% of entries, %.2f %% of valid vertices up to relabelling; want >= 99 %%",
			pct(same, events*N), pct(samePart, nValid))
	}
}

// canonicalClusters renumbers cluster ids by first appearance, so that two
// clusterings that differ only in the order of their clusters compare
// equal vertex by vertex.
func canonicalClusters[T float32 | int64](a []T) []int {
	out := make([]int, len(a))
	ids := map[T]int{}
	for i, c := range a {
		out[i] = -1
		if c < 0 {
			continue
		}
		if _, ok := ids[c]; !ok {
			ids[c] = len(ids)
		}
		out[i] = ids[c]
	}
	return out
}

// TestFragility: the tie and threshold detector of TestGraphExamplesFloat
// flags what it should and nothing else.
func TestFragility(t *testing.T) {
	g, err := ir.Parse(`trigo-ir 1
graph f
input s: f32[4,1]
input valid: f32[4]
node agg = gravnet_agg(s, s, valid) {k = 1, include_self = 0} -> a: f32[4,2]
node r = reshape(s) {shape = [4]} -> beta: f32[4]
node c = condensation(beta, s, valid, a) {t_beta = 0.5, t_d = 0.25, max_clusters = 2} -> assign: i32[4], cl: f32[2,3], n: i32[]
output assign
`)
	if err != nil {
		t.Fatal(err)
	}
	one := float32(1)
	events := [][]float32{
		{0.1, 0.7, 0.9, 0.3},         // nothing close
		{0.5000001, 0.7, 0.9, 0.3},   // beta at t_beta
		{0.2, 0.6, 0.6 + 1e-7, 0.95}, // two candidate betas within 1e-6
		{0.1, 0.2, 0.3, 2},           // vertex 1: neighbours 0 and 2 at distances 0.01 and 0.01 + 2e-9 (float32 rounding)
		{0.15, 0.62, 0.95, 0.33},     // nothing close
	}
	x := sim.Batch{Events: len(events), Shape: ir.Shape{4, 1}}
	v := sim.Batch{Events: len(events), Shape: ir.Shape{4}}
	for _, e := range events {
		x.Data = append(x.Data, e...)
		v.Data = append(v.Data, one, one, one, one)
	}
	frag := fragility(t, g, []sim.Batch{x, v})
	for e, want := range []bool{false, true, true, true, false} {
		if got := len(frag[e]) > 0; got != want {
			t.Errorf("event %d %v: fragile %v (%v), want %v", e, events[e], got, frag[e], want)
		}
	}
}
