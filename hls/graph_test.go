package hls

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"trigo/backends"
	"trigo/compiler"
	"trigo/hil"
	"trigo/internal/npy"
	"trigo/ir"
	"trigo/sim"
)

// graphModels are the graph networks of models/examples, compiled with
// their config.yaml and calibration events (plain_gravnet has neither and
// uses the defaults).
var graphModels = []string{"ecl_gnn", "cdc_gnn", "gravnet_fpl26", "plain_gravnet"}

// graphGenerated is the number of generated events per graph model, on top
// of the model's test events (x.npy, valid.npy).
const graphGenerated = 2000

// graphChecks selects the costlier checks per model (each is one more g++
// build): every graph op's outputs compared on the test events, and the
// flipped tie rule. gravnet_fpl26 proves the k-nn tie rule (it has no
// condensation), ecl_gnn the condensation order; testdata/graph.tir covers
// every op variant with every check.
var graphChecks = map[string]struct{ expose, flip bool }{
	"ecl_gnn":       {expose: true, flip: true},
	"cdc_gnn":       {},
	"gravnet_fpl26": {expose: true, flip: true},
	"plain_gravnet": {expose: true},
}

// graphModel is a compiled graph example and its test events.
type graphModel struct {
	name, dir string
	g         *ir.Graph   // the quantised graph
	test      []sim.Codes // x.npy, valid.npy quantised
}

// loadGraphModel compiles a graph example like `trigo compile MODEL
// --config config.yaml --calib calib_x.npy --calib calib_valid.npy`.
// Missing examples skip the test, except in CI.
func loadGraphModel(t *testing.T, name string) *graphModel {
	t.Helper()
	dir := filepath.Join("..", "models", "examples", name)
	data, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("graph example %s missing: %v", name, err)
		}
		t.Skipf("graph example %s missing: %v", name, err)
	}
	g, err := compiler.ImportONNX(data, filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	var cfg *compiler.Config
	if _, err := os.Stat(filepath.Join(dir, "config.yaml")); err == nil {
		if cfg, err = compiler.LoadConfig(filepath.Join(dir, "config.yaml")); err != nil {
			t.Fatal(err)
		}
	}
	batches := func(prefix string) []sim.Batch {
		var out []sim.Batch
		for i, in := range []string{"x", "valid"} {
			a, err := npy.ReadFile(filepath.Join(dir, prefix+in+".npy"))
			if err != nil {
				return nil
			}
			out = append(out, sim.Batch{Events: a.Shape[0], Shape: g.Inputs[i].Shape, Data: a.Float32s()})
		}
		return out
	}
	res, err := compiler.Compile(g, compiler.Options{Config: cfg, Calib: batches("calib_")})
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	fx, err := sim.NewFixed(res.Fixed)
	if err != nil {
		t.Fatal(err)
	}
	test, err := fx.Quantize(batches(""))
	if err != nil {
		t.Fatal(err)
	}
	return &graphModel{name: name, dir: dir, g: res.Fixed, test: test}
}

// graphEvents returns n generated events for a graph with inputs x [N,F]
// and valid [N]: hil.Vectors (the extremes, then random codes with random
// occupancy 0..N), every other event after the extremes rebuilt to make
// exact ties likely (hil.TiePattern):
//
//   - duplicates: every valid vertex copies the features of one of 1..4
//     source vertices (equal distances, equal betas);
//   - lattice: features on the integer values -2..2 (symmetric offsets
//     give equal distances in any linear projection);
//   - mirrors: a centre c and pairs c ± δ·e_f with integer δ (equal
//     distances from c through a linear layer whose weights have at most
//     the output's fractional bits, with different messages);
//   - a few distinct codes per feature.
//
// The occupancy of the rebuilt events is random too; the mirror events
// keep only the centre and its pairs valid.
func graphEvents(t *testing.T, g *ir.Graph, n int, seed uint64) []sim.Codes {
	t.Helper()
	in, err := hil.Vectors(g, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 2 || len(in[0].Shape) != 2 || len(in[1].Shape) != 1 {
		t.Fatalf("graph %s: want inputs x [N,F] and valid [N], got %v, %v", g.Name, in[0].Shape, in[1].Shape)
	}
	r := rand.New(rand.NewPCG(seed, 77))
	X, V := g.Inputs[0].Type.Fixed, g.Inputs[1].Type.Fixed
	N, F := in[0].Shape[0], in[0].Shape[1]
	vOn, vOff := V.MaxCode(), V.MinCode()
	for e := 6; e < n; e++ {
		if e%2 == 0 {
			continue
		}
		x, valid := in[0].Event(e), in[1].Event(e)
		hil.TiePattern((e/2)%4, x, valid, N, F, X, vOn, vOff, r)
	}
	return in
}

// concatEvents appends the events of b to those of a (same inputs).
func concatEvents(a, b []sim.Codes) []sim.Codes {
	out := make([]sim.Codes, len(a))
	for i := range a {
		out[i] = a[i]
		out[i].Events = a[i].Events + b[i].Events
		out[i].Data = append(append([]int64(nil), a[i].Data...), b[i].Data...)
	}
	return out
}

// exposeGraphOps returns a copy of g whose outputs are g's outputs followed
// by every output of every graph op, so that the C simulation is compared
// on the graph ops' results, not only on what reaches the model's outputs.
func exposeGraphOps(t *testing.T, g *ir.Graph) *ir.Graph {
	t.Helper()
	c := *g
	c.Outputs = append([]string(nil), g.Outputs...)
	seen := map[string]bool{}
	for _, o := range c.Outputs {
		seen[o] = true
	}
	for _, n := range g.Nodes {
		if !graphOps[n.Op] {
			continue
		}
		for _, o := range n.Outputs {
			if !seen[o.Name] {
				seen[o.Name] = true
				c.Outputs = append(c.Outputs, o.Name)
			}
		}
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return &c
}

// exposeAllOutputs is exposeAll for graphs with multi-output nodes.
func exposeAllOutputs(t *testing.T, g *ir.Graph) *ir.Graph {
	t.Helper()
	c := *g
	c.Outputs = append([]string(nil), g.Outputs...)
	seen := map[string]bool{}
	for _, o := range c.Outputs {
		seen[o] = true
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if !seen[o.Name] {
				seen[o.Name] = true
				c.Outputs = append(c.Outputs, o.Name)
			}
		}
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return &c
}

// coverage counts, with the Go simulator, how often the events put the
// selections of the graph ops at a tie or a threshold, i.e. how often a
// wrong tie rule or threshold changes a result.
type coverage struct {
	knnTies       int // (event, vertex): the k-th and (k+1)-th candidates tie, with different messages
	betaTies      int // events with two candidates of equal beta code and different coordinates or payload
	occupancy     map[int]int
	betaAt        [2]int // valid vertices with code(beta) == beta_code, == beta_code+1
	distAt        [2]int // valid pairs with d2 == dist_code-1, == dist_code
	betaCode      int64  // of the first condensation
	condensations int
}

func (c *coverage) String() string {
	occ := make([]int, 0, len(c.occupancy))
	for k := range c.occupancy {
		occ = append(occ, k)
	}
	sort.Ints(occ)
	s := fmt.Sprintf("k-nn selections decided by the tie rule: %d; events with tied candidate betas: %d; occupancies seen: %d (min %d, max %d, empty events %d, full events %d)",
		c.knnTies, c.betaTies, len(occ), occ[0], occ[len(occ)-1], c.occupancy[0], c.occupancy[occ[len(occ)-1]])
	if c.condensations > 0 {
		s += fmt.Sprintf("; beta at beta_code / beta_code+1: %d / %d; squared distances at dist_code-1 / dist_code: %d / %d",
			c.betaAt[0], c.betaAt[1], c.distAt[0], c.distAt[1])
	}
	return s
}

func measureCoverage(t *testing.T, g *ir.Graph, in []sim.Codes) *coverage {
	t.Helper()
	probe := *g
	probe.Outputs = nil
	index := map[string]int{}
	for _, n := range g.Nodes {
		if n.Op != "gravnet_agg" && n.Op != "condensation" {
			continue
		}
		for _, v := range n.Inputs {
			if _, ok := index[v]; !ok && g.Const(v) == nil {
				index[v] = len(probe.Outputs)
				probe.Outputs = append(probe.Outputs, v)
			}
		}
	}
	var outs []sim.Codes
	if len(probe.Outputs) > 0 {
		outs, _ = simulate(t, &probe, in)
	}
	inputs := map[string]*sim.Codes{}
	for i, v := range g.Inputs {
		inputs[v.Name] = &in[i]
	}
	codes := func(name string) *sim.Codes {
		if c, ok := inputs[name]; ok {
			return c
		}
		return &outs[index[name]]
	}
	cv := &coverage{occupancy: map[int]int{}}
	validOf := func(name string, e int) []bool {
		c := codes(name)
		thr := ir.MaskThreshold(c.Type.Fixed)
		ev := c.Event(e)
		ok := make([]bool, len(ev))
		for i, v := range ev {
			ok[i] = v > thr
		}
		return ok
	}
	events := in[0].Events
	for e := 0; e < events; e++ {
		for _, n := range g.Nodes {
			switch n.Op {
			case "gravnet_agg":
				p, _ := ir.GravNet(n.Attrs)
				s, h, ok := codes(n.Inputs[0]), codes(n.Inputs[1]), validOf(n.Inputs[2], e)
				sv, hv := s.Event(e), h.Event(e)
				N, S, P := s.Shape[0], s.Shape[1], h.Shape[1]
				occ := 0
				for _, v := range ok {
					if v {
						occ++
					}
				}
				cv.occupancy[occ]++
				type cd struct {
					d int64
					j int
				}
				for i := 0; i < N; i++ {
					if !ok[i] {
						continue
					}
					var cs []cd
					for j := 0; j < N; j++ {
						if !ok[j] || (j == i && !p.IncludeSelf) {
							continue
						}
						var d int64
						for k := 0; k < S; k++ {
							df := sv[j*S+k] - sv[i*S+k]
							if p.Distance == ir.DistanceL1 {
								d += max(df, -df)
							} else {
								d += df * df
							}
						}
						cs = append(cs, cd{d, j})
					}
					sort.SliceStable(cs, func(a, b int) bool { return cs[a].d < cs[b].d })
					K := p.K
					if len(cs) <= K || cs[K-1].d != cs[K].d {
						continue
					}
					a, b := cs[K-1].j, cs[K].j
					for c := 0; c < P; c++ {
						if hv[a*P+c] != hv[b*P+c] {
							cv.knnTies++
							break
						}
					}
				}
			case "condensation":
				if e == 0 {
					cv.condensations++
				}
				beta, coords, ok, pay := codes(n.Inputs[0]), codes(n.Inputs[1]), validOf(n.Inputs[2], e), codes(n.Inputs[3])
				bc, dc := n.Attrs.Int("beta_code", 0), n.Attrs.Int("dist_code", 0)
				cv.betaCode = bc
				bv, cvv, pv := beta.Event(e), coords.Event(e), pay.Event(e)
				N, C, P := coords.Shape[0], coords.Shape[1], pay.Shape[1]
				tie := false
				for i := 0; i < N; i++ {
					if !ok[i] {
						continue
					}
					if bv[i] == bc {
						cv.betaAt[0]++
					} else if bv[i] == bc+1 {
						cv.betaAt[1]++
					}
					for j := 0; j < N; j++ {
						if !ok[j] || j == i {
							continue
						}
						var d int64
						for k := 0; k < C; k++ {
							df := cvv[j*C+k] - cvv[i*C+k]
							d += df * df
						}
						if j > i && d == dc-1 {
							cv.distAt[0]++
						} else if j > i && d == dc {
							cv.distAt[1]++
						}
						if !tie && j > i && bv[i] > bc && bv[j] == bv[i] {
							differ := d != 0
							for k := 0; k < P && !differ; k++ {
								differ = pv[i*P+k] != pv[j*P+k]
							}
							tie = differ
						}
					}
				}
				if tie {
					cv.betaTies++
				}
			}
		}
	}
	return cv
}

// graphCSim emits g (options o), runs the C simulation with extra compiler
// flags and returns the comparison with want and the build and run times.
func graphCSim(t *testing.T, dir string, g *ir.Graph, in, want []sim.Codes, flags ...string) (*hil.Comparison, time.Duration, time.Duration) {
	t.Helper()
	cmp, _, build, run := graphCSimOutputs(t, dir, g, in, want, flags...)
	return cmp, build, run
}

// graphCSimOutputs is graphCSim that also returns the C simulation's
// outputs.
func graphCSimOutputs(t *testing.T, dir string, g *ir.Graph, in, want []sim.Codes, flags ...string) (*hil.Comparison, []sim.Codes, time.Duration, time.Duration) {
	t.Helper()
	start := time.Now()
	if _, err := Build(dir, CSimOptions{Flags: flags}); err != nil {
		t.Fatal(err)
	}
	built := time.Now()
	got, err := CSim(dir, g, in, CSimOptions{Flags: flags})
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := hil.Compare(g, want, got)
	if err != nil {
		t.Fatal(err)
	}
	return cmp, got, built.Sub(start), time.Since(built)
}

// mismatchesByOutput counts the differing elements of each output.
func mismatchesByOutput(g *ir.Graph, want, got []sim.Codes) map[string]int {
	m := map[string]int{}
	for o := range want {
		for i := range want[o].Data {
			if want[o].Data[i] != got[o].Data[i] {
				m[g.Outputs[o]]++
			}
		}
	}
	return m
}

// TestGraphModels compiles the graph examples with their configs and
// calibration and compares the C simulation with the Go simulator bit for
// bit on their test events and graphGenerated generated events (random
// occupancy 0..N, empty and full events, tie-heavy events), every output
// (assign, clusters, n_clusters) and, on the test events, every output of
// every graph op. It then proves that the comparison fails for a flipped
// tie rule (the templates compiled with -DTRIGO_TEST_FLIP_TIES), a beta
// threshold off by one in the generated code and a corrupted expectation.
func TestGraphModels(t *testing.T) {
	requireCXX(t)
	for i, name := range graphModels {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := loadGraphModel(t, name)
			g := m.g
			gen := graphEvents(t, g, graphGenerated, uint64(1000+i))
			in := concatEvents(m.test, gen)
			want, _ := simulate(t, g, in)
			cv := measureCoverage(t, g, in)
			t.Logf("%d events (%d test, %d generated): %v", in[0].Events, m.test[0].Events, gen[0].Events, cv)
			if cv.occupancy[0] == 0 || cv.occupancy[g.Inputs[1].Shape[0]] == 0 || len(cv.occupancy) < g.Inputs[1].Shape[0]/2 {
				t.Errorf("occupancy not covered: %v", cv)
			}
			if cv.knnTies == 0 {
				t.Errorf("no k-nn selection is decided by the tie rule: %v", cv)
			}
			if cv.condensations > 0 && cv.betaTies == 0 {
				t.Errorf("no tied candidate betas: %v", cv)
			}

			dir := emitTo(t, g, Options{}, m.dir)
			iface, err := Backend{}.Interface(g)
			if err != nil {
				t.Fatal(err)
			}
			cmp, build, run := graphCSim(t, dir, g, in, want)
			if !cmp.OK() {
				t.Fatalf("C simulation (%s) differs from the Go simulator: %v", iface, cmp)
			}
			t.Logf("%s interface: %v (g++ build %v, C simulation %v)", iface, cmp, build.Round(time.Millisecond), run.Round(time.Millisecond))
			if name == "plain_gravnet" && iface != InterfaceAXIS || name == "cdc_gnn" && iface != InterfaceAPVld {
				t.Errorf("default interface of %s: %s", name, iface)
			}

			checks := graphChecks[name]
			if checks.expose {
				// Every graph op's outputs, on the test events.
				xg := exposeGraphOps(t, g)
				xin := m.test
				xwant, _ := simulate(t, xg, xin)
				xdir := emitTo(t, xg, Options{Interface: InterfaceAPVld}, m.dir)
				xcmp, build, run := graphCSim(t, xdir, xg, xin, xwant)
				if !xcmp.OK() {
					t.Fatalf("graph op outputs: C simulation differs from the Go simulator: %v", xcmp)
				}
				t.Logf("graph op outputs exposed: %v (g++ build %v, C simulation %v)", xcmp, build.Round(time.Millisecond), run.Round(time.Millisecond))
			}
			if checks.flip {
				fcmp, fgot, _, _ := graphCSimOutputs(t, dir, g, in, want, "-DTRIGO_TEST_FLIP_TIES")
				if fcmp.OK() {
					t.Fatalf("ties to the higher index went unnoticed: %v", fcmp)
				}
				t.Logf("flipped tie rule detected: %v; mismatches per output: %v", fcmp, mismatchesByOutput(g, want, fgot))
			}
			if cv.condensations > 0 {
				wrongBetaCode(t, g, dir, in, want, cv)
				corruptedGraphExpectation(t, g, want)
			}
		})
	}
}

// wrongBetaCode moves beta_code in the generated code by one (towards a
// beta code the events hit) and requires the C simulation to differ from
// the simulator, and to equal the simulation of the graph with that
// threshold.
func wrongBetaCode(t *testing.T, g *ir.Graph, dir string, in, want []sim.Codes, cv *coverage) {
	t.Helper()
	delta := int64(1) // code beta_code+1 is no longer a candidate
	if cv.betaAt[1] == 0 {
		delta = -1 // code beta_code becomes one
	}
	if cv.betaAt[0]+cv.betaAt[1] == 0 {
		// Detectable only if beta can take either code at all.
		if codes := reachableCodes(g, condensationNode(g).Inputs[0]); codes != nil && !codes[cv.betaCode] && !codes[cv.betaCode+1] {
			t.Logf("beta_code %d ± 1 computes the same function: beta comes from a table without the codes %d and %d",
				cv.betaCode, cv.betaCode, cv.betaCode+1)
			return
		}
		t.Fatalf("no valid vertex has a beta code at the threshold: a wrong threshold cannot be detected (%v)", cv)
	}
	wrong := patchThreshold(t, dir, "beta_code", cv.betaCode, cv.betaCode+delta)
	cmp, err := hil.Compare(g, want, csimRun(t, wrong, g, in))
	if err != nil {
		t.Fatal(err)
	}
	if cmp.OK() {
		t.Fatalf("beta_code %d instead of %d went unnoticed", cv.betaCode+delta, cv.betaCode)
	}
	t.Logf("beta_code %d instead of %d detected: %v", cv.betaCode+delta, cv.betaCode, cmp)
	// The patched project computes the graph with that threshold.
	bad := *g
	bad.Nodes = append([]*ir.Node(nil), g.Nodes...)
	for i, n := range bad.Nodes {
		if n.Op == "condensation" {
			nn := *n
			nn.Attrs = ir.Attrs{}
			for k, v := range n.Attrs {
				nn.Attrs[k] = v
			}
			nn.Attrs["beta_code"] = cv.betaCode + delta
			bad.Nodes[i] = &nn
		}
	}
	badWant, _ := simulate(t, &bad, in)
	if cmp, _ := hil.Compare(&bad, badWant, csimRun(t, wrong, g, in)); !cmp.OK() {
		t.Fatalf("the patched threshold does not compute the graph with beta_code %d: %v", cv.betaCode+delta, cmp)
	}
}

func condensationNode(g *ir.Graph) *ir.Node {
	for _, n := range g.Nodes {
		if n.Op == "condensation" {
			return n
		}
	}
	return nil
}

// reachableCodes returns every code a value can take when it is a lookup
// table's output, possibly through reshapes (each converting to its
// type), and nil otherwise.
func reachableCodes(g *ir.Graph, name string) map[int64]bool {
	var p *ir.Node
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o.Name == name {
				p = n
			}
		}
	}
	if p == nil {
		return nil
	}
	out := p.Outputs[0].Type.Fixed
	var src map[int64]bool
	var frac int
	switch p.Op {
	case "reshape":
		src = reachableCodes(g, p.Inputs[0])
		frac = g.Lookup(p.Inputs[0]).Type.Fixed.Frac()
	case "lut":
		tab := g.Const(p.Inputs[1])
		src = map[int64]bool{}
		for _, c := range tab.Codes {
			src[c] = true
		}
		frac = tab.Type.Fixed.Frac()
	}
	if src == nil {
		return nil
	}
	codes := map[int64]bool{}
	for c := range src {
		y, _ := out.Convert(c, frac)
		codes[y] = true
	}
	return codes
}

// patchThreshold copies the project in dir and changes "static const long
// long <name> = <from>LL;" to <to> in its top source.
func patchThreshold(t *testing.T, dir, name string, from, to int64) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	patched := 0
	re := regexp.MustCompile(`static const long long ` + name + ` = ` + regexp.QuoteMeta(llit(from)) + `;`)
	for _, en := range entries {
		if en.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(en.Name(), ".cpp") && !strings.HasSuffix(en.Name(), "_tb.cpp") {
			n := len(re.FindAll(data, -1))
			data = re.ReplaceAll(data, []byte("static const long long "+name+" = "+llit(to)+";"))
			patched += n
		}
		if err := os.WriteFile(filepath.Join(out, en.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if patched == 0 {
		t.Fatalf("no %s = %d in the generated code", name, from)
	}
	return out
}

func csimRun(t *testing.T, dir string, g *ir.Graph, in []sim.Codes) []sim.Codes {
	t.Helper()
	got, err := CSim(dir, g, in, CSimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// corruptedGraphExpectation changes one expected assign and one expected
// n_clusters: Compare must report exactly those elements.
func corruptedGraphExpectation(t *testing.T, g *ir.Graph, want []sim.Codes) {
	t.Helper()
	bad := make([]sim.Codes, len(want))
	for i := range want {
		bad[i] = want[i]
		bad[i].Data = append([]int64(nil), want[i].Data...)
	}
	out := map[string]int{}
	for i, name := range g.Outputs {
		out[name] = i
	}
	a, ok1 := out["assign"]
	nc, ok2 := out["n_clusters"]
	if !ok1 || !ok2 {
		t.Fatalf("outputs %v lack assign or n_clusters", g.Outputs)
	}
	ev, el := 1234, 17
	N := bad[a].Shape.Size()
	bad[a].Data[ev*N+el]++ // another cluster (or 0 for -1)
	bad[nc].Data[ev+1] ^= 1 << 4
	cmp, err := hil.Compare(g, bad, want)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.OK() || cmp.Mismatches != 2 || cmp.First == nil || cmp.First.Event != ev || cmp.First.Output != "assign" || cmp.First.Element != el {
		t.Fatalf("corrupted expectations: Compare reported %v", cmp)
	}
	t.Logf("corrupted expectations detected: %v", cmp)
}

// graphZooInputs draws events for testdata/graph.tir: the extremes, then
// codes over each input's full range and narrow ranges (more ties); the
// masks get random occupancy.
func graphZooInputs(t *testing.T, g *ir.Graph, n int, seed uint64) []sim.Codes {
	t.Helper()
	in, err := hil.Vectors(g, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 5))
	for i, v := range g.Inputs {
		if v.Name == "valid" || v.Name == "vmask" {
			continue
		}
		lo, hi := v.Type.Fixed.MinCode(), v.Type.Fixed.MaxCode()
		for e := 6; e < n; e++ {
			if e%3 != 0 {
				continue
			}
			// three codes only: many exact duplicates
			a, b := lo+int64(r.IntN(int(hi-lo+1))), lo+int64(r.IntN(int(hi-lo+1)))
			ev := in[i].Event(e)
			for k := range ev {
				switch r.IntN(3) {
				case 0:
					ev[k] = a
				case 1:
					ev[k] = b
				default:
					ev[k] = 0
				}
			}
		}
	}
	return in
}

// TestGraphZoo runs testdata/graph.tir (every graph op on narrow types:
// ties and thresholds everywhere) through both interfaces with every node
// output exposed, and proves that a flipped tie rule and thresholds off by
// one are caught.
func TestGraphZoo(t *testing.T) {
	requireCXX(t)
	g := loadTIR(t, "graph.tir")
	in := graphZooInputs(t, g, testEvents, 21)
	cv := measureCoverage(t, g, in)
	t.Logf("%v", cv)
	if cv.knnTies == 0 || cv.betaTies == 0 || cv.betaAt[0] == 0 || cv.betaAt[1] == 0 || cv.distAt[0] == 0 || cv.distAt[1] == 0 {
		t.Errorf("ties or thresholds not covered: %v", cv)
	}
	for _, iface := range []string{InterfaceAXIS, InterfaceAPVld} {
		t.Run(iface, func(t *testing.T) {
			t.Parallel()
			xg := exposeAllOutputs(t, g)
			if iface == InterfaceAXIS {
				xg = g // every node output would not fit one stream word
			}
			want, _ := simulate(t, xg, in)
			// Reuse factors change the pragmas, never the results.
			dir := emitTo(t, xg, Options{Interface: iface, ReuseFactor: map[string]int{"g1": 4, "cd1": 2, "ge1": 3}}, "testdata/graph.tir")
			cmp, build, run := graphCSim(t, dir, xg, in, want)
			if !cmp.OK() {
				t.Fatalf("C simulation differs from the Go simulator: %v", cmp)
			}
			t.Logf("%v (g++ build %v, C simulation %v)", cmp, build.Round(time.Millisecond), run.Round(time.Millisecond))
			if iface == InterfaceAXIS {
				return
			}
			// A flipped tie rule changes the k nearest neighbours of g1 and
			// g2 (g3 takes every candidate: k > N) and the order of both
			// condensations.
			cmp, got, _, _ := graphCSimOutputs(t, dir, xg, in, want, "-DTRIGO_TEST_FLIP_TIES")
			if cmp.OK() {
				t.Error("ties to the higher index went unnoticed")
			}
			bad := mismatchesByOutput(xg, want, got)
			for _, o := range []string{"g1.y", "g2.y", "cd1.assign", "cd2.assign", "cd1.clusters"} {
				if bad[o] == 0 {
					t.Errorf("ties to the higher index: no difference in %s", o)
				}
			}
			t.Logf("flipped tie rule detected: %v; mismatches per output: %v", cmp, bad)
			for _, th := range []struct {
				name     string
				from, to int64
			}{{"beta_code", 3, 4}, {"beta_code", 3, 2}, {"dist_code", 9, 10}, {"dist_code", 9, 8}} {
				wrong := patchThreshold(t, dir, th.name, th.from, th.to)
				cmp, err := hil.Compare(xg, want, csimRun(t, wrong, xg, in))
				if err != nil {
					t.Fatal(err)
				}
				if cmp.OK() {
					t.Errorf("%s %d instead of %d went unnoticed", th.name, th.to, th.from)
				} else {
					t.Logf("%s %d instead of %d detected: %v", th.name, th.to, th.from, cmp)
				}
			}
		})
	}
}

// TestGraphEmit checks the generated code of the graph ops: the int32
// outputs, the reciprocal ROMs, the templates and the interface choice.
func TestGraphEmit(t *testing.T) {
	g := loadTIR(t, "graph.tir")
	m := emitFiles(t, g, Options{}, backends.Options{})
	top, layers, weights, header := string(m["graph_zoo.cpp"]), string(m["graph_zoo_layers.h"]), string(m["graph_zoo_weights.h"]), string(m["graph_zoo.h"])
	for _, s := range []string{
		"typedef ap_int<32> graph_zoo_cd1_assign_t;", "typedef ap_int<32> graph_zoo_cd1_n_t;",
		"#pragma HLS INTERFACE mode=axis port=in_stream",
	} {
		if !strings.Contains(header+top, s) {
			t.Errorf("graph_zoo.h/.cpp lacks %q", s)
		}
	}
	for _, s := range []string{
		"trigo::condensation<cd1_config>(beta, coords, valid, h, cd1_assign_2, cd1_clusters_2, cd1_n_2);",
		"static const long long beta_code = 3LL;", "static const long long dist_code = 9LL;",
		"static const long long mask_threshold = 2LL;", "static const int k = 12;",
		"static const int op0 = trigo::GX_MIN;",
	} {
		if !strings.Contains(top, s) {
			t.Errorf("graph_zoo.cpp lacks %q", s)
		}
	}
	for _, s := range []string{"void gravnet_agg(", "void condensation(", "void global_exchange(", "void mask(", "void slice(",
		"#ifdef TRIGO_TEST_FLIP_TIES", "GravNetRankJ:", "CondWalk:"} {
		if !strings.Contains(layers, s) {
			t.Errorf("graph_zoo_layers.h lacks %q", s)
		}
	}
	// recip[c] = round_half_up(2^16 / c), c = 0..4 (k = 4).
	if !regexp.MustCompile(`static const ap_uint<17> g1_recip\[5\] = \{\s*0, 65536, 32768, 21845, 16384\s*\};`).MatchString(weights) {
		t.Errorf("weights lack g1's reciprocal table:\n%s", weights)
	}
	// Graphs without graph ops keep the plain layer templates.
	if plain := emitFiles(t, loadTIR(t, "ops.tir"), Options{}, backends.Options{}); strings.Contains(string(plain["ops_zoo_layers.h"]), "gravnet_agg") {
		t.Error("the graph templates are emitted for a graph without graph ops")
	}
	if iface, err := (Backend{}).Interface(g); err != nil || iface != InterfaceAXIS {
		t.Errorf("Interface = %q, %v; want axis", iface, err)
	}
	// An event wider than one stream word: ap_vld unless axis is asked for.
	wide, err := ir.Parse(`trigo-ir 1
graph wide_mask
input x: fixed<16,6>[64,5]
input valid: ufixed<1,1,RND_MIN_INF,SAT>[64]
node mk = mask(x, valid) -> y: fixed<16,6>[64,5]
output y
`)
	if err != nil {
		t.Fatal(err)
	}
	if iface, err := (Backend{}).Interface(wide); err != nil || iface != InterfaceAPVld {
		t.Errorf("5184-bit event: Interface = %q, %v; want ap_vld", iface, err)
	}
	wm := emitFiles(t, wide, Options{}, backends.Options{})
	if h := string(wm["wide_mask.h"]); !strings.Contains(h, "ap_vld interface") || !strings.Contains(h, "5184 input") {
		t.Errorf("wide_mask.h does not explain the ap_vld choice:\n%s", h)
	}
	if _, err := (Backend{Options: Options{Interface: InterfaceAXIS}}).Emit(wide, backends.Options{}); err == nil || !strings.Contains(err.Error(), "ap_vld") {
		t.Errorf("explicit axis on a 5184-bit event: %v", err)
	}
}
