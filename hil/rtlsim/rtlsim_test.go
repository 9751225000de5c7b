package rtlsim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"trigo/hil"
	_ "trigo/internal/golden"
	"trigo/ir"
	"trigo/sim"
)

// workDirForTests is shared by every test so that the Verilator builds are
// made once per `go test`.
var workDirForTests string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rtlsim-test-")
	if err != nil {
		panic(err)
	}
	workDirForTests = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needTool skips the test when the simulator is missing, except in CI.
func needTool(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: %v", tool, err)
		}
		t.Skipf("%s not installed", tool)
	}
}

// addpipeGraph describes the reference DUT as a graph: n signed w-bit
// integers in, the same out.
func addpipeGraph(t testing.TB, n, w int) *ir.Graph {
	t.Helper()
	g, err := ir.Parse(fmt.Sprintf(`trigo-ir 1
graph addpipe
input x: fixed<%[2]d,%[2]d>[%[1]d]
node r = relu(x) -> y: fixed<%[2]d,%[2]d>[%[1]d]
output y
`, n, w))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// addpipe is a design of testdata/addpipe.v with n elements of w bits,
// declared latency 3 and II 1.
func addpipe(t testing.TB, top string, n, w int) (Design, *ir.Graph) {
	g := addpipeGraph(t, n, w)
	in, out, err := PortsOf(g)
	if err != nil {
		t.Fatal(err)
	}
	return Design{Top: top, Files: []string{"testdata/addpipe.v"}, Inputs: in, Outputs: out,
		LatencyCycles: 3, IICycles: 1}, g
}

// addOne is what addpipe computes: x+1 per element, wrapping.
func addOne(in sim.Codes, w int) sim.Codes {
	out := sim.Codes{Events: in.Events, Shape: in.Shape, Type: in.Type, Data: make([]int64, len(in.Data))}
	for i, x := range in.Data {
		v := (x + 1) & (1<<w - 1)
		if v >= 1<<(w-1) {
			v -= 1 << w
		}
		out.Data[i] = v
	}
	return out
}

func vectors(t *testing.T, g *ir.Graph, n int) []sim.Codes {
	t.Helper()
	v, err := hil.Vectors(g, n, 42)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func opts(simulator string, seed uint64) Options {
	return Options{Simulator: simulator, Seed: seed, WorkDir: workDirForTests}
}

// stallsOf recomputes, from the handshake cycles and the Go reference of
// the hash, how many cycles the harness stalled the output: it checks that
// the simulator's harness drew the same pattern as Gap/Stall.
func stallsOf(res *Result, seed uint64, percent int) int64 {
	var n int64
	ins, outs := 0, 0
	for c := int64(0); c < res.Cycles; c++ {
		for ins < len(res.InCycles) && res.InCycles[ins] < c {
			ins++
		}
		for outs < len(res.OutCycles) && res.OutCycles[outs] < c {
			outs++
		}
		calm := ins >= res.CalmFirst && outs < res.CalmFirst+res.CalmEvents
		if !calm && Stall(seed, percent, c) {
			n++
		}
	}
	return n
}

func runOK(t *testing.T, d Design, in []sim.Codes, o Options, want []sim.Codes) *Result {
	t.Helper()
	res, err := Run(d, in, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Check(d, res, want); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAddpipeBothSimulators(t *testing.T) {
	needTool(t, "verilator")
	needTool(t, "iverilog")
	for _, c := range []struct {
		top      string
		n, w, ii int
	}{
		{"addpipe", 2, 8, 1},       // 16-bit tdata: SData in Verilator
		{"addpipe48", 3, 16, 1},    // 48 bits: QData
		{"addpipe_wide", 25, 8, 1}, // 200 bits: VlWide
		{"addpipe_ii2", 2, 8, 2},   // accepts every other cycle
	} {
		t.Run(c.top, func(t *testing.T) {
			d, g := addpipe(t, c.top, c.n, c.w)
			d.IICycles = c.ii
			in := vectors(t, g, 400)
			want := []sim.Codes{addOne(in[0], c.w)}
			var results []*Result
			for _, s := range []string{Verilator, Icarus} {
				res := runOK(t, d, in, opts(s, 7), want)
				t.Logf("%s: %d events in %d cycles (%d stalled), latency %d (%d events), II %d (%d pairs); build %.2fs (built %v), run %.3fs = %.0f events/s",
					s, res.Events, res.Cycles, res.Stalls, res.Latency, res.LatencyEvents, res.II, res.IIPairs,
					res.BuildSeconds, res.Built, res.RunSeconds, float64(res.Events)/res.RunSeconds)
				if res.Latency != 3 || res.LatencyMax != 3 || res.II != c.ii || res.IIMax != c.ii || res.IIPairs < 8 {
					t.Errorf("%s: latency %d..%d, II %d..%d over %d pairs; want 3 and %d over ≥ 8", s, res.Latency, res.LatencyMax, res.II, res.IIMax, res.IIPairs, c.ii)
				}
				if res.Stalls == 0 || res.Cycles < int64(res.Events)+int64(res.Events)/10 {
					t.Errorf("%s: %d stalled cycles, %d cycles for %d events: the harness did not stall", s, res.Stalls, res.Cycles, res.Events)
				}
				if got := stallsOf(res, 7, DefaultPercent); got != res.Stalls {
					t.Errorf("%s: harness stalled %d cycles, the Go reference of the pattern says %d", s, res.Stalls, got)
				}
				results = append(results, res)
			}
			v, i := results[0], results[1]
			if !reflect.DeepEqual(v.InCycles, i.InCycles) || !reflect.DeepEqual(v.OutCycles, i.OutCycles) || v.Cycles != i.Cycles {
				t.Errorf("Verilator and Icarus handshakes differ (cycles %d vs %d)", v.Cycles, i.Cycles)
			}
			if !reflect.DeepEqual(v.Outputs, i.Outputs) {
				t.Errorf("Verilator and Icarus outputs differ")
			}
		})
	}
}

func TestSeedsChangeStallsNotOutputs(t *testing.T) {
	needTool(t, "verilator")
	d, g := addpipe(t, "addpipe", 2, 8)
	in := vectors(t, g, 300)
	want := []sim.Codes{addOne(in[0], 8)}
	a := runOK(t, d, in, opts(Verilator, 1), want)
	b := runOK(t, d, in, opts(Verilator, 1), want)
	c := runOK(t, d, in, opts(Verilator, 2), want)
	if !reflect.DeepEqual(a.InCycles, b.InCycles) || !reflect.DeepEqual(a.OutCycles, b.OutCycles) {
		t.Error("the same seed gave different stall patterns")
	}
	if reflect.DeepEqual(a.InCycles, c.InCycles) || reflect.DeepEqual(a.OutCycles, c.OutCycles) {
		t.Error("seeds 1 and 2 gave the same stall pattern")
	}
	if !reflect.DeepEqual(a.Outputs, c.Outputs) {
		t.Error("seeds 1 and 2 gave different outputs")
	}
	// No gaps, no stalls: one event per cycle, first out at cycle 3.
	o := opts(Verilator, 3)
	o.InGapPercent, o.OutStallPercent = Never, Never
	r := runOK(t, d, in, o, want)
	if r.Stalls != 0 || r.Cycles != int64(len(in[0].Data)/2)+3 || r.LatencyEvents != r.Events || r.OutCycles[0] != 3 {
		t.Errorf("without stalls: %d cycles, %d stalls, %d unstalled events, first out at %d", r.Cycles, r.Stalls, r.LatencyEvents, r.OutCycles[0])
	}
}

func TestCache(t *testing.T) {
	needTool(t, "verilator")
	needTool(t, "iverilog")
	d, g := addpipe(t, "addpipe", 2, 8)
	in := vectors(t, g, 50)
	want := []sim.Codes{addOne(in[0], 8)}
	runOK(t, d, in, opts(Verilator, 1), want) // built here or by an earlier test
	res := runOK(t, d, in, opts(Verilator, 5), want)
	if res.Built || res.BuildSeconds > 0.5 {
		t.Errorf("second run rebuilt (built %v, %.2fs)", res.Built, res.BuildSeconds)
	}
	// A changed design file is a different build.
	src, err := os.ReadFile("testdata/addpipe.v")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	changed := filepath.Join(dir, "addpipe.v")
	if err := os.WriteFile(changed, append(src, "\n// changed\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	d.Files = []string{changed}
	o := opts(Icarus, 1) // (Icarus builds are cheap; the key is computed the same way)
	r1 := runOK(t, d, in, o, want)
	r2 := runOK(t, d, in, o, want)
	if !r1.Built || r2.Built {
		t.Errorf("Icarus: built %v then %v, want true then false", r1.Built, r2.Built)
	}
}

func TestFailureInjection(t *testing.T) {
	needTool(t, "verilator")
	needTool(t, "iverilog")
	for _, s := range []string{Verilator, Icarus} {
		t.Run(s, func(t *testing.T) {
			t.Run("drop", func(t *testing.T) {
				// Ignores m_axis_tready: beats are lost under back-pressure.
				d, g := addpipe(t, "addpipe_drop", 2, 8)
				in := vectors(t, g, 200)
				res, err := Run(d, in, opts(s, 1))
				var te *TimeoutError
				if !errors.As(err, &te) || res == nil {
					t.Fatalf("want a time-out with a partial result, got %v", err)
				}
				if !strings.Contains(err.Error(), "no answer after") || te.Out >= te.Events {
					t.Errorf("time-out message: %v", err)
				}
				_, cerr := Check(d, res, []sim.Codes{addOne(in[0], 8)})
				if cerr == nil || !strings.Contains(cerr.Error(), "events") || !strings.Contains(cerr.Error(), "AXI4-Stream protocol violated on m_axis: cycle 14 m_axis_tdata changed while stalled") {
					t.Errorf("Check: %v", cerr)
				}
				t.Logf("Run: %v\nCheck: %v", err, cerr)
			})
			t.Run("slow", func(t *testing.T) {
				// One register stage more than declared.
				d, g := addpipe(t, "addpipe_slow", 2, 8)
				in := vectors(t, g, 200)
				res, err := Run(d, in, opts(s, 1))
				if err != nil {
					t.Fatal(err)
				}
				cmp, cerr := Check(d, res, []sim.Codes{addOne(in[0], 8)})
				if cerr == nil || !cmp.OK() || res.Latency != 4 || !strings.Contains(cerr.Error(), "latency 4 cycles measured, 3 declared") {
					t.Errorf("latency %d; Check: %v", res.Latency, cerr)
				}
				t.Logf("Check: %v", cerr)
			})
			t.Run("ii", func(t *testing.T) {
				// II 2 declared as 1.
				d, g := addpipe(t, "addpipe_ii2", 2, 8)
				in := vectors(t, g, 200)
				res, err := Run(d, in, opts(s, 1))
				if err != nil {
					t.Fatal(err)
				}
				_, cerr := Check(d, res, []sim.Codes{addOne(in[0], 8)})
				if cerr == nil || !strings.Contains(cerr.Error(), "II 2 cycles measured, 1 declared") {
					t.Errorf("Check: %v", cerr)
				}
				t.Logf("Check: %v", cerr)
			})
			t.Run("flip", func(t *testing.T) {
				// Bit 2 of the constant of element 1 flipped: x+5.
				d, g := addpipe(t, "addpipe_flip", 2, 8)
				in := vectors(t, g, 200)
				res, err := Run(d, in, opts(s, 1))
				if err != nil {
					t.Fatal(err)
				}
				cmp, cerr := Check(d, res, []sim.Codes{addOne(in[0], 8)})
				if cerr == nil || cmp == nil || cmp.Mismatches != 200 || cmp.First.Event != 0 || cmp.First.Element != 1 {
					t.Fatalf("comparison %v; Check: %v", cmp, cerr)
				}
				// Event 0 is all minimum codes: -128+1 expected, -128+5 got.
				if msg := cerr.Error(); !strings.Contains(msg, "event 0, output y[1] (fixed<8,8>): expected -0x7f (-127), got -0x7b (-123)") {
					t.Errorf("Check: %v", msg)
				}
				t.Logf("Check: %v", cerr)
			})
		})
	}
}

func TestUnresetValidIsX(t *testing.T) {
	needTool(t, "iverilog")
	d, g := addpipe(t, "addpipe_noreset", 2, 8)
	in := vectors(t, g, 20)
	_, err := Run(d, in, opts(Icarus, 1))
	if err == nil || !strings.Contains(err.Error(), "m_axis_tvalid is X/Z at cycle 0") {
		t.Fatalf("%v", err)
	}
}

func TestWave(t *testing.T) {
	for _, c := range []struct{ sim, file, magic string }{
		{Verilator, "wave.fst", ""},
		{Icarus, "wave.vcd", "$enddefinitions"},
	} {
		t.Run(c.sim, func(t *testing.T) {
			needTool(t, c.sim)
			d, g := addpipe(t, "addpipe", 2, 8)
			in := vectors(t, g, 40)
			o := opts(c.sim, 1)
			o.Wave = filepath.Join(t.TempDir(), c.file)
			runOK(t, d, in, o, []sim.Codes{addOne(in[0], 8)})
			b, err := os.ReadFile(o.Wave)
			if err != nil || len(b) < 100 {
				t.Fatalf("wave file: %d bytes, %v", len(b), err)
			}
			if !strings.Contains(string(b), c.magic) {
				t.Errorf("%s does not look like a waveform", c.file)
			}
		})
	}
}

func TestNoAnswer(t *testing.T) {
	needTool(t, "iverilog")
	d, g := addpipe(t, "addpipe", 2, 8)
	in := vectors(t, g, 100)
	o := opts(Icarus, 1)
	o.MaxCycles = 50
	res, err := Run(d, in, o)
	var te *TimeoutError
	if !errors.As(err, &te) || res == nil || te.Cycles != 50 || te.Out == 0 || te.Out >= 100 {
		t.Fatalf("want no answer after 50 cycles, got %v", err)
	}
	if want := fmt.Sprintf("no answer after 50 cycles: %d of 100 events came out", te.Out); !strings.Contains(err.Error(), want) {
		t.Errorf("%v", err)
	}
	if res.Outputs[0].Events != te.Out {
		t.Errorf("partial result has %d events, %d came out", res.Outputs[0].Events, te.Out)
	}
}

func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.v")
	src := "module addpipe(input wire ap_clk);\n  wire x = ;\nendmodule\n"
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	d, g := addpipe(t, "addpipe", 2, 8)
	d.Files = []string{bad}
	in := vectors(t, g, 10)
	for _, s := range []string{Verilator, Icarus} {
		t.Run(s, func(t *testing.T) {
			needTool(t, s)
			_, err := Run(d, in, opts(s, 1))
			if err == nil || !strings.Contains(err.Error(), "build of addpipe failed") || !strings.Contains(err.Error(), "bad.v:2") {
				t.Fatalf("%v", err)
			}
			if n := strings.Count(err.Error(), "\n"); n > 22 {
				t.Errorf("error not summarised: %d lines", n)
			}
			t.Logf("%v", err)
		})
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	d, g := addpipe(t, "addpipe", 2, 8)
	in := vectors(t, g, 3)
	in[0].Data[1] = 128
	if _, err := Run(d, in, opts(Icarus, 1)); err == nil || !strings.Contains(err.Error(), "code 128 does not fit 8 bits signed") {
		t.Errorf("%v", err)
	}
	in = vectors(t, g, 3)
	o := opts(Icarus, 1)
	o.OutStallPercent = 100
	if _, err := Run(d, in, o); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("%v", err)
	}
	d.Top = "not a module"
	if _, err := Run(d, in, opts(Icarus, 1)); err == nil {
		t.Error("bad top accepted")
	}
}

func TestPackRoundTrip(t *testing.T) {
	ports := []Port{
		{Name: "a", Elements: 3, Width: 5, Signed: true},
		{Name: "b", Elements: 2, Width: 64, Signed: true},
		{Name: "c", Elements: 1, Width: 63},
		{Name: "d", Elements: 4, Width: 1},
		{Name: "e", Elements: 2, Width: 33, Signed: true},
	}
	r := rand.New(rand.NewPCG(1, 2))
	const events = 50
	in := make([]sim.Codes, len(ports))
	for i, p := range ports {
		in[i] = sim.Codes{Events: events, Shape: ir.Shape{p.Elements}, Type: p.codesType()}
		for k := 0; k < events*p.Elements; k++ {
			u := r.Uint64()
			if p.Width < 64 {
				u &= 1<<p.Width - 1
			}
			v := int64(u)
			if p.Signed && p.Width < 64 && u>>(p.Width-1) != 0 {
				v = int64(u | ^uint64(0)<<p.Width)
			}
			in[i].Data = append(in[i].Data, v)
		}
	}
	text, n, err := packInputs(ports, in)
	if err != nil || n != events {
		t.Fatal(n, err)
	}
	bits := totalBits(ports)
	out := make([]sim.Codes, len(ports))
	for i, p := range ports {
		out[i] = sim.Codes{Shape: p.codesShape(), Type: p.codesType()}
	}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if len(line) != (bits+3)/4 {
			t.Fatalf("%d hex digits for %d bits", len(line), bits)
		}
		b, err := parseHex(line, bits)
		if err != nil {
			t.Fatal(err)
		}
		unpack(ports, b, out)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatal("pack/unpack round trip differs")
	}
	// Element 0 of the first port is in the least significant bits.
	one := []sim.Codes{{Events: 1, Data: []int64{-1, 0, 0}}, {Events: 1, Data: []int64{0, 0}},
		{Events: 1, Data: []int64{0}}, {Events: 1, Data: []int64{0, 0, 0, 1}}, {Events: 1, Data: []int64{0, 0}}}
	text, _, _ = packInputs(ports, one)
	b, _ := parseHex(strings.TrimSpace(text), bits)
	if b.get(0, 5) != 31 || b.get(5, 10) != 0 || b.get(15+128+63+3, 1) != 1 {
		t.Errorf("layout: %s", text)
	}
	for _, s := range []string{"1x", "10000", "g"} {
		if _, err := parseHex(s, 15); err == nil {
			t.Errorf("parseHex(%q, 15) accepted", s)
		}
	}
}

func TestStallRates(t *testing.T) {
	const n = 100000
	gaps, stalls := 0, 0
	for c := int64(0); c < n; c++ {
		if Gap(9, 20, c) {
			gaps++
		}
		if Stall(9, 35, c) {
			stalls++
		}
	}
	if gaps < n*19/100 || gaps > n*21/100 || stalls < n*34/100 || stalls > n*36/100 {
		t.Errorf("%d gaps (20%%), %d stalls (35%%) in %d cycles", gaps, stalls, n)
	}
	if Gap(9, 0, 5) || !Gap(9, 100, 5) {
		t.Error("0% must never gap, 100% always")
	}
}

// BenchmarkRun reports the simulation speed (events/s, without the build)
// of the 200-bit reference pipeline with the default stalls.
func BenchmarkRun(b *testing.B) {
	for _, c := range []struct {
		sim    string
		events int
	}{{Verilator, 200000}, {Icarus, 20000}} {
		b.Run(c.sim, func(b *testing.B) {
			if _, err := exec.LookPath(c.sim); err != nil {
				b.Skip(err)
			}
			d, g := addpipe(b, "addpipe_wide", 25, 8)
			v, err := hil.Vectors(g, c.events, 1)
			if err != nil {
				b.Fatal(err)
			}
			o := opts(c.sim, 1)
			warm, _ := hil.Vectors(g, 10, 1)
			if _, err := Run(d, warm, o); err != nil { // the build, outside the timing
				b.Fatal(err)
			}
			var secs float64
			for b.Loop() {
				res, err := Run(d, v, o)
				if err != nil {
					b.Fatal(err)
				}
				secs += res.RunSeconds
			}
			b.ReportMetric(float64(b.N*c.events)/secs, "events/s")
		})
	}
}
