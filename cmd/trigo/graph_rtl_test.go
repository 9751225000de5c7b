package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"trigo/compiler"
)

// graphEvents is the bar for the graph networks: every reference
// model runs this many generated events (random occupancy 0..N, empty,
// full and tie-heavy events) through Verilator.
const graphEvents = 2000

// compileGraphExample compiles a bundled graph example (with its
// config.yaml and calibration events where it has them) into a temporary
// OUT and returns OUT and the manifest.
func compileGraphExample(t *testing.T, name string, extra ...string) (string, *compiler.Manifest) {
	t.Helper()
	return compileGraphExampleConfig(t, name, "config.yaml", extra...)
}

// compileGraphExampleConfig is compileGraphExample with another config file
// of the example (gravnet_fpl26's fpl26.yaml).
func compileGraphExampleConfig(t *testing.T, name, config string, extra ...string) (string, *compiler.Manifest) {
	t.Helper()
	dir, exampleArgs := graphExampleArgs(t, name, config)
	out := filepath.Join(t.TempDir(), name)
	args := append([]string{"compile", filepath.Join(dir, "model.onnx"), "-o", out, "--backend", "rtl"}, exampleArgs...)
	args = append(args, extra...)
	mustRun(t, args...)
	m, err := compiler.ReadManifest(filepath.Join(out, fileManifest))
	if err != nil {
		t.Fatal(err)
	}
	if m.RTL == nil || m.RTL.Lanes == 0 {
		t.Fatalf("manifest rtl section %+v: want a vertex-streamed design", m.RTL)
	}
	return out, m
}

// graphExampleArgs returns a bundled graph example's directory and the
// compile flags of its config file (config.yaml may be absent; any other
// named config must exist) and calibration events (where it has them). It
// skips the test when the example is missing, outside CI.
func graphExampleArgs(t *testing.T, name, config string) (dir string, args []string) {
	t.Helper()
	dir = filepath.Join("..", "..", "models", "examples", name)
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	if fileExists(filepath.Join(dir, config)) {
		args = append(args, "--config", filepath.Join(dir, config))
	} else if config != "config.yaml" {
		t.Fatalf("%s: no %s", dir, config)
	}
	if fileExists(filepath.Join(dir, "calib_x.npy")) {
		args = append(args, "--calib", filepath.Join(dir, "calib_x.npy"), "--calib", filepath.Join(dir, "calib_valid.npy"))
	}
	return dir, args
}

// verifyGraphRTL runs `trigo verify --rtl` and checks the verdict, the event
// count and that measured latency and II equal the manifest's.
func verifyGraphRTL(t *testing.T, out string, m *compiler.Manifest, simulator string, events int) *verifyJSON {
	t.Helper()
	stdout := mustRun(t, "verify", out, "--rtl", simulator, "--vectors", strconv.Itoa(events), "--seed", "5", "--stall", "20")
	if !strings.Contains(stdout, "bit-exact") {
		t.Fatalf("%s: %s", simulator, stdout)
	}
	var vj verifyJSON
	data, err := os.ReadFile(filepath.Join(out, "verify.json"))
	if err != nil || json.Unmarshal(data, &vj) != nil || vj.RTL == nil {
		t.Fatalf("%s: verify.json: %v\n%s", simulator, err, data)
	}
	r := vj.RTL
	if !vj.OK || r.Comparison.Events != events || !r.Comparison.OK() {
		t.Fatalf("%s: not %d bit-exact events: %s", simulator, events, data)
	}
	if r.LatencyCycles != m.RTL.LatencyCycles || r.IICycles != m.RTL.IICycles {
		t.Errorf("%s: measured latency %d II %d, manifest %d %d", simulator, r.LatencyCycles, r.IICycles, m.RTL.LatencyCycles, m.RTL.IICycles)
	}
	if r.Stalls == 0 {
		t.Errorf("%s: no stall cycles: the run did not exercise back-pressure", simulator)
	}
	t.Logf("%s: latency %d II %d (%d lanes), build %.1f s, %.0f events/s",
		simulator, r.LatencyCycles, r.IICycles, m.RTL.Lanes, r.BuildSeconds, r.EventsPerSecond)
	return &vj
}

// TestGraphExamplesRTL: the graph networks compile to vertex-streamed
// Verilog that is bit-exact with the Go simulator in Verilator on 2,000
// generated events each (random occupancy 0..N, empty, full and tie-heavy
// events, 20 % input gaps and output stalls), with the measured latency
// and II equal to the manifest's; the smallest also in Icarus. With
// -short (and not CI), only the smallest model.
func TestGraphExamplesRTL(t *testing.T) {
	needTool(t, "verilator")
	models := []struct {
		name     string
		config   string // config file of the example
		iverilog int    // Icarus events (0: too slow there)
	}{
		{"pyg_state_dict", "config.yaml", 100}, {"plain_gravnet", "config.yaml", 0}, {"gravnet_fpl26", "config.yaml", 0},
		// the FPL 2026 comparison point: 8-bit weights, 12-bit activations, 200 MHz
		{"gravnet_fpl26", "fpl26.yaml", 0},
		{"ecl_gnn", "config.yaml", 0}, {"cdc_gnn", "config.yaml", 0},
	}
	if testing.Short() && os.Getenv("CI") != "true" {
		models = models[:1]
	}
	for _, mc := range models {
		name := mc.name
		if mc.config != "config.yaml" {
			name += "/" + mc.config
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, m := compileGraphExampleConfig(t, mc.name, mc.config)
			verifyGraphRTL(t, out, m, "verilator", graphEvents)
			if mc.iverilog > 0 {
				needTool(t, "iverilog")
				verifyGraphRTL(t, out, m, "iverilog", mc.iverilog)
			}
		})
	}
}

// TestGraphVerifyCatches proves that verify catches, in a graph network's
// RTL, a flipped tie rule (ties to the higher index, in the kNN and in the
// condensation walk), wrong condensation thresholds, and corrupted
// expectations (OUT/model.tir, from which verify computes the expected
// outputs, with a changed weight-table code or distance threshold).
func TestGraphVerifyCatches(t *testing.T) {
	needTool(t, "iverilog")
	type corruption struct {
		name string
		file string // "rtl" or "ir"
		edit func(t *testing.T, s string) string
	}
	replaceAll := func(old, new string) func(t *testing.T, s string) string {
		return func(t *testing.T, s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("no %s in the file", old)
			}
			return strings.ReplaceAll(s, old, new)
		}
	}
	models := []struct {
		name  string
		cases []corruption
	}{
		{"pyg_state_dict", []corruption{
			{"kNN tie rule flipped", "rtl", replaceAll(".TIE_HIGH(0)", ".TIE_HIGH(1)")},
			{"corrupted expectation (weight table)", "ir", bumpFirstTableCode},
		}},
		{"plain_gravnet", []corruption{
			{"tie rules flipped", "rtl", replaceAll(".TIE_HIGH(0)", ".TIE_HIGH(1)")},
			{"distance threshold 10 % low", "rtl", func(t *testing.T, s string) string {
				return scaleParam(t, s, `\.DIST_CODE\(64'd(\d+)\)`, 0.9)
			}},
			{"beta threshold raised", "rtl", func(t *testing.T, s string) string {
				return scaleParam(t, s, `\.BETA_CODE\(64'sd(\d+)\)`, 1.5)
			}},
			{"corrupted expectation (distance threshold)", "ir", func(t *testing.T, s string) string {
				return scaleParam(t, s, `dist_code = (\d+)`, 1.2)
			}},
		}},
	}
	for _, mc := range models {
		t.Run(mc.name, func(t *testing.T) {
			t.Parallel()
			out, _ := compileGraphExample(t, mc.name)
			files := map[string]string{"rtl": filepath.Join(out, "rtl", mc.name+".v"), "ir": filepath.Join(out, fileFixedIR)}
			pristine := map[string][]byte{}
			for k, f := range files {
				pristine[k], _ = os.ReadFile(f)
			}
			for _, c := range mc.cases {
				t.Run(c.name, func(t *testing.T) {
					for k, f := range files {
						os.WriteFile(f, pristine[k], 0o644)
					}
					editFile(t, files[c.file], func(s string) string { return c.edit(t, s) })
					_, stderr, code := trigo(t, "verify", out, "--rtl", "iverilog", "--vectors", "40", "--seed", "5")
					if code == 0 || !strings.Contains(stderr, "FAILED") || !strings.Contains(stderr, "first: event") {
						t.Fatalf("not caught: exit %d, stderr %s", code, stderr)
					}
				})
			}
		})
	}
}

// scaleParam multiplies the first number matched by re's group 1 by f.
func scaleParam(t *testing.T, s, re string, f float64) string {
	t.Helper()
	loc := regexp.MustCompile(re).FindStringSubmatchIndex(s)
	if loc == nil {
		t.Fatalf("no match for %s", re)
	}
	v, _ := strconv.ParseInt(s[loc[2]:loc[3]], 10, 64)
	return s[:loc[2]] + strconv.FormatInt(int64(float64(v)*f), 10) + s[loc[3]:]
}

// tableStartRE finds the first entry of a gravnet_agg weight table in the
// IR text: `const <name>.agg.table: <type>[n] = [` followed by codes.
var tableStartRE = regexp.MustCompile(`(?m)^const \S+\.agg\.table: [^\n]*\[\s*\n?\s*(\d+)`)

// bumpFirstTableCode changes the first code of the first gravnet weight
// table (1.0 at distance 0: every vertex's self message).
func bumpFirstTableCode(t *testing.T, s string) string {
	t.Helper()
	loc := tableStartRE.FindStringSubmatchIndex(s)
	if loc == nil {
		t.Fatal("no gravnet_agg table in the IR")
	}
	v, _ := strconv.Atoi(s[loc[2]:loc[3]])
	return s[:loc[2]] + strconv.Itoa(v-7) + s[loc[3]:]
}

// TestGraphFixtureRTL: the small graph fixture (GlobalExchange, GravNet,
// a Split into slices, Condensation; 8 vertices) is bit-exact in Icarus
// with 1, 2 and 8 lanes (Icarus runs these designs at a few events per
// second: 60 events each).
func TestGraphFixtureRTL(t *testing.T) {
	needTool(t, "iverilog")
	model, x, valid := graphFixture+".onnx", graphFixture+".x.npy", graphFixture+".valid.npy"
	for _, lanes := range []int{1, 2, 8} {
		t.Run(fmt.Sprintf("lanes_%d", lanes), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cfg := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(cfg, []byte(fmt.Sprintf("model:\n  lanes: %d\n", lanes)), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			mustRun(t, "compile", model, "-o", out, "--config", cfg, "--calib", x, "--calib", valid, "--backend", "rtl")
			m, err := compiler.ReadManifest(filepath.Join(out, fileManifest))
			if err != nil {
				t.Fatal(err)
			}
			if m.RTL == nil || m.RTL.Lanes != lanes {
				t.Fatalf("manifest rtl %+v, want %d lanes", m.RTL, lanes)
			}
			verifyGraphRTL(t, out, m, "iverilog", 60)
		})
	}
}

// TestCompileSweep: --sweep lists, per lane count, the latency and II the
// RTL backend schedules (the same as compiling with that lane count), an
// error for a lane count that does not divide the vertices, and writes
// OUT/sweep.json; a malformed --sweep is a usage error.
func TestCompileSweep(t *testing.T) {
	model, x, valid := graphFixture+".onnx", graphFixture+".x.npy", graphFixture+".valid.npy"
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	stdout := mustRun(t, "compile", model, "-o", out, "--calib", x, "--calib", valid, "--backend", "none", "--sweep", "lanes=1,2,3,8")
	if !strings.Contains(stdout, "design space") || !strings.Contains(stdout, "sweep.json") {
		t.Errorf("stdout:\n%s", stdout)
	}
	data, err := os.ReadFile(filepath.Join(out, "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	var points []SweepPoint
	if err := json.Unmarshal(data, &points); err != nil || len(points) != 4 {
		t.Fatalf("sweep.json: %v\n%s", err, data)
	}
	for _, p := range points {
		if p.Lanes == 3 {
			if !strings.Contains(p.Error, "lanes 3: must divide the 8 vertices") {
				t.Errorf("lanes 3: error %q", p.Error)
			}
			continue
		}
		// the same as a compile with that lane count
		cfg := filepath.Join(dir, fmt.Sprintf("l%d.yaml", p.Lanes))
		os.WriteFile(cfg, []byte(fmt.Sprintf("model:\n  lanes: %d\n", p.Lanes)), 0o644)
		o := filepath.Join(dir, fmt.Sprintf("l%d", p.Lanes))
		mustRun(t, "compile", model, "-o", o, "--config", cfg, "--calib", x, "--calib", valid, "--backend", "rtl")
		m, err := compiler.ReadManifest(filepath.Join(o, fileManifest))
		if err != nil {
			t.Fatal(err)
		}
		if p.Error != "" || p.LatencyCycles != m.RTL.LatencyCycles || p.IICycles != m.RTL.IICycles || p.IICycles < 8/p.Lanes {
			t.Errorf("lanes %d: sweep %+v, compile latency %d II %d", p.Lanes, p, m.RTL.LatencyCycles, m.RTL.IICycles)
		}
	}
	if points[0].LatencyCycles <= points[3].LatencyCycles {
		t.Errorf("1 lane (%d cycles) is not slower than 8 (%d)", points[0].LatencyCycles, points[3].LatencyCycles)
	}
	_, stderr, code := trigo(t, "compile", model, "-o", filepath.Join(dir, "bad"), "--sweep", "lanes=two")
	if code != 2 || !strings.Contains(stderr, "--sweep") {
		t.Errorf("bad --sweep: exit %d: %s", code, stderr)
	}
}
