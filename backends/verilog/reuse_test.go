package verilog

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trigo/backends"
	"trigo/backends/synth"
	"trigo/hil"
	"trigo/hil/rtlsim"
	"trigo/ir"
	"trigo/sim"
)

// TestPhaseSplit pins the distribution of terms over phases and slots: S
// = ceil(n/R) slots, phase q computes terms q·S .. q·S+S-1, so only the
// last phases have idle slots, and every term is computed exactly once.
func TestPhaseSplit(t *testing.T) {
	golden := map[[2]int]string{
		{10, 4}: "0 3 6 9 | 1 4 7 - | 2 5 8 -",
		{7, 3}:  "0 3 6 | 1 4 - | 2 5 -",
		{16, 4}: "0 4 8 12 | 1 5 9 13 | 2 6 10 14 | 3 7 11 15",
		{2, 4}:  "0 1 - -",
		{5, 2}:  "0 3 | 1 4 | 2 -",
		{0, 3}:  "",
	}
	for k, want := range golden {
		n, R := k[0], k[1]
		S, at := phaseSplit(n, R)
		var rows []string
		for s := 0; s < S; s++ {
			var cells []string
			for q := 0; q < R; q++ {
				if t := at(s, q); t >= 0 {
					cells = append(cells, fmt.Sprint(t))
				} else {
					cells = append(cells, "-")
				}
			}
			rows = append(rows, strings.Join(cells, " "))
		}
		if got := strings.Join(rows, " | "); got != want {
			t.Errorf("phaseSplit(%d, %d): slot rows %q, want %q", n, R, got, want)
		}
	}
	for n := 0; n <= 40; n++ {
		for R := 2; R <= 9; R++ {
			S, at := phaseSplit(n, R)
			if S != (n+R-1)/R {
				t.Fatalf("phaseSplit(%d, %d): %d slots", n, R, S)
			}
			seen := make([]int, n)
			for s := 0; s < S; s++ {
				if at(s, 0) < 0 {
					t.Errorf("phaseSplit(%d, %d): slot %d idle in phase 0", n, R, s)
				}
				for q := 0; q < R; q++ {
					if tm := at(s, q); tm >= 0 {
						seen[tm]++
					}
				}
			}
			for tm, c := range seen {
				if c != 1 {
					t.Fatalf("phaseSplit(%d, %d): term %d computed %d times", n, R, tm, c)
				}
			}
		}
	}
}

// macParams returns the parameters of the first trigo_mac instance of a
// design's top file as name -> value text.
func macParams(t *testing.T, top string) map[string]string {
	t.Helper()
	i := strings.Index(top, "trigo_mac #(")
	if i < 0 {
		t.Fatal("no trigo_mac instance")
	}
	end := strings.Index(top[i:], ") u_")
	out := map[string]string{}
	for _, line := range strings.Split(top[i:i+end], "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, ".") {
			continue
		}
		j := strings.Index(line, "(")
		k := strings.LastIndex(line, ")")
		out[line[1:j]] = line[j+1 : k]
	}
	return out
}

// TestReuseTermLayout checks the generated entry tables of a small dense
// layer against a hand-computed split: 3 inputs x 2 outputs, reuse 2.
func TestReuseTermLayout(t *testing.T) {
	b := newGB("mac_layout", 1)
	x := b.input("x", "fixed<8,3>", 3)
	// w[k][j]: output 0 has terms 5, -3, 7 (3 terms: 2 slots); output 1
	// has 0, 4, -6 (2 terms: 1 slot).
	w := b.constCodes("w", "fixed<6,2>", []int64{5, 0, -3, 4, 7, -6}, 3, 2)
	y := b.node("dense", []string{x, w}, ir.Attrs{"acc": accT("fixed<20,8>")}, "fixed<12,5,RND,SAT>", 2)
	g := b.output(y)
	g = b.valid(t)
	fs, err := New(Options{Reuse: map[string]int{"dense_a": 2}}).Emit(g, backends.Options{})
	if err != nil {
		t.Fatal(err)
	}
	top := string(fs[0].Data)
	p := macParams(t, top)
	lp := func(name string) string { // the localparam behind a vector parameter
		v := p[name]
		re := "localparam [" // "localparam [N:0] NAME = {...};"
		i := strings.Index(top, " "+v+" = ")
		if i < 0 || !strings.Contains(top[:i], re) {
			t.Fatalf("no localparam %s", v)
		}
		e := strings.Index(top[i:], ";")
		return strings.Join(strings.Fields(top[i+len(v)+4:i+e]), "")
	}
	// slots: output 0 -> slots 0,1 (phase 0: terms 0,1; phase 1: term 2),
	// output 1 -> slot 2 (phase 0: term 0, phase 1: term 1). Entry k*R+q,
	// element 0 last.
	for name, want := range map[string]string{
		"NS": "3", "NL": "2", "R": "2", "PW": "1", "LW": "1", "LEVELS": "1", "LUTMUL": "0", "PH_IN": "1'd0",
	} {
		if p[name] != want {
			t.Errorf("%s = %s, want %s", name, p[name], want)
		}
	}
	for name, want := range map[string]string{
		"SL_START": "{32'd2,32'd0}",
		"SL_COUNT": "{32'd1,32'd2}",
		// entries (slot, phase): (0,0) x0*5 (0,1) x2*7 (1,0) x1*-3 (1,1) idle
		// (2,0) x1*4 (2,1) x2*-6; lanes: slot 0 reads x0, x2 (lane 0),
		// slot 2 x1, x2 (lane 1), slot 1 x1 then nothing: lane 1 too.
		"E_W":    "{-4'sd6,4'd4,4'd0,-4'sd3,4'd7,4'd5}",
		"S_LANE": "{32'd1,32'd1,32'd0}",
		"L_IDX":  "{32'd2,32'd1,32'd2,32'd0}",
		"LQ_TAB": "{1'd1,1'd0}",
	} {
		if got := lp(name); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	if p["PH_ACC"] == "" {
		t.Error("no PH_ACC")
	}
	for _, want := range []string{"reg  [0:0] ph;", "assign s_axis_tready = ce & ap_rst_n & ph0;", "// Reuse factors: dense_a 2 (II 2)."} {
		if !strings.Contains(top, want) {
			t.Errorf("top lacks %q", want)
		}
	}
}

// reuseFor sets reuse factor r on every dense and conv layer of g.
func reuseFor(g *ir.Graph, r int) map[string]int {
	out := map[string]int{}
	for _, n := range g.Nodes {
		if n.Op == "dense" || n.Op == "conv" {
			out[n.Name] = r
		}
	}
	return out
}

// TestReuseIcarus simulates time-multiplexed dense and conv layers (reuse
// 3: an odd factor, terms split unevenly) in Icarus against the Go
// simulator, in both multiplier modes, without stalls (latency and II
// measured == Timing) and with random input gaps and back-pressure; and a
// mix of reuse factors (2 and 3, and parallel layers) in one design.
func TestReuseIcarus(t *testing.T) {
	t.Parallel()
	needTool(t, "iverilog", "vvp", "verilator")
	type tc struct {
		graph, mode string
		reuse       func(g *ir.Graph) map[string]int
	}
	cases := map[string]tc{
		"dense_mix/r3/dsp": {"dense_mix", "dsp", func(g *ir.Graph) map[string]int { return reuseFor(g, 3) }},
		"dense_mix/r3/lut": {"dense_mix", "lut", func(g *ir.Graph) map[string]int { return reuseFor(g, 3) }},
		"conv_mix/r3/dsp":  {"conv_mix", "dsp", func(g *ir.Graph) map[string]int { return reuseFor(g, 3) }},
		"dense_mix/mixed": {"dense_mix", "dsp", func(*ir.Graph) map[string]int {
			return map[string]int{"dense_a": 3, "dense_c": 2, "relu_f": 2} // dense_d, dense_e parallel
		}},
	}
	for name, c := range cases {
		c := c
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := opGraphs(t)[c.graph]
			b := New(Options{Reuse: c.reuse(g), Multipliers: c.mode})
			lat, ii, err := b.Timing(g)
			if err != nil {
				t.Fatal(err)
			}
			if ii != 3 {
				t.Errorf("II %d, want 3", ii)
			}
			muls := checkTools(t, b, g, c.mode == "lut")
			if c.mode == "lut" && muls != 0 {
				t.Errorf("shift-add mode: %d multipliers after elaboration, want 0", muls)
			}
			cmp := checkRTL(t, b, g, 150, false)
			cmp2 := checkRTL(t, b, g, 150, true)
			t.Logf("%s: latency %d, II %d; no stalls: %s; stalls: %s", name, lat, ii, cmp, cmp2)
		})
	}
}

// rtlsimDesign emits g into dir and describes it for hil/rtlsim.
func rtlsimDesign(t testing.TB, b *Backend, g *ir.Graph, dir string) rtlsim.Design {
	t.Helper()
	files, top := emitTo(t, b, g, dir)
	in, out, err := rtlsim.PortsOf(g)
	if err != nil {
		t.Fatal(err)
	}
	lat, ii, err := b.Timing(g)
	if err != nil {
		t.Fatal(err)
	}
	return rtlsim.Design{Top: top, Files: files, Inputs: in, Outputs: out, LatencyCycles: lat, IICycles: ii}
}

// jetTagger returns the quantised three_layer_pytorch example (skips when
// the shared examples are missing, fails under CI=true).
func jetTagger(t testing.TB) *ir.Graph {
	t.Helper()
	for _, p := range exampleModels(t) {
		if exampleName(p) == "three_layer_pytorch" {
			return quantised(t, p)
		}
	}
	t.Skip("three_layer_pytorch not found")
	return nil
}

// TestReuseJetTagger runs the jet tagger (three_layer_pytorch, fixed<16,6>,
// 250 MHz) with reuse 2 and 4 on every dense layer and with reuse 4 on the
// first dense layer only, in Verilator through hil/rtlsim: 2000 events with
// random input gaps and output stalls, bit-exact against the Go simulator,
// measured latency and II equal to Timing.
func TestReuseJetTagger(t *testing.T) {
	t.Parallel()
	needTool(t, "verilator")
	g := jetTagger(t)
	const events = 2000
	inputs, err := hil.Vectors(g, events, 11)
	if err != nil {
		t.Fatal(err)
	}
	f, err := sim.NewFixed(g)
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.Run(inputs)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir() // shared: the Verilator runtime objects are built once
	cases := []struct {
		name  string
		reuse map[string]int
		ii    int
	}{
		{"r2", reuseFor(g, 2), 2},
		{"r4", reuseFor(g, 4), 4},
		{"dense0_r4", map[string]int{"dense0": 4}, 4},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := New(Options{Reuse: c.reuse})
			s, err := b.Schedule(g)
			if err != nil {
				t.Fatal(err)
			}
			if s.II != c.ii || len(s.Over) != 0 {
				t.Errorf("II %d (want %d), over budget: %v", s.II, c.ii, s.Over)
			}
			d := rtlsimDesign(t, b, g, t.TempDir())
			res, err := rtlsim.Run(d, inputs, rtlsim.Options{Simulator: rtlsim.Verilator, Seed: 5, WorkDir: work})
			if err != nil {
				t.Fatal(err)
			}
			cmp, err := rtlsim.Check(d, res, want)
			if err != nil {
				t.Fatal(err)
			}
			if res.Stalls == 0 || res.Cycles < int64(events*c.ii) {
				t.Errorf("%d cycles, %d stalled: the run should stall", res.Cycles, res.Stalls)
			}
			t.Logf("%s: latency %d, II %d (measured %d, %d); %d cycles, %d stalled; build %.1fs, run %.1fs; %s",
				c.name, s.Latency, s.II, res.Latency, res.II, res.Cycles, res.Stalls, res.BuildSeconds, res.RunSeconds, cmp)
		})
	}
}

// multipliers sums the Multipliers of a schedule.
func multipliers(t testing.TB, b *Backend, g *ir.Graph) int {
	t.Helper()
	s, err := b.Schedule(g)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range s.Layers {
		n += l.Multipliers
	}
	return n
}

// TestReuseMultipliers checks the multiplier counts of the schedule
// against Yosys on the dense and conv op graphs (reuse 1 and 3: every `*`
// left after elaboration is a multiplier the schedule counts), and that
// reuse 4 divides the jet tagger's multipliers by at least 3. The DSP
// count after synthesis is BenchmarkReuseSynth (minutes of Yosys).
func TestReuseMultipliers(t *testing.T) {
	t.Parallel()
	g := jetTagger(t)
	m1, m4 := multipliers(t, New(Options{}), g), multipliers(t, New(Options{Reuse: reuseFor(g, 4)}), g)
	t.Logf("jet tagger: %d multipliers at reuse 1, %d at reuse 4", m1, m4)
	if m4 == 0 || float64(m1) < 3*float64(m4) {
		t.Errorf("jet tagger: %d multipliers at reuse 1, %d at reuse 4: want a drop of at least 3x", m1, m4)
	}
	if n := multipliers(t, New(Options{Reuse: reuseFor(g, 4), Multipliers: "lut"}), g); n != 0 {
		t.Errorf("shift-add mode: %d multipliers", n)
	}
	needTool(t, "yosys")
	for _, name := range []string{"dense_mix", "conv_mix"} {
		for _, r := range []int{1, 3} {
			name, r := name, r
			t.Run(fmt.Sprintf("%s/r%d", name, r), func(t *testing.T) {
				t.Parallel()
				g := opGraphs(t)[name]
				b := New(Options{Reuse: reuseFor(g, r)})
				want := multipliers(t, b, g)
				dir := t.TempDir()
				files, top := emitTo(t, b, g, dir)
				for i, f := range files {
					files[i] = filepath.Base(f)
				}
				if got := yosysMuls(t, dir, top, files); got != want {
					t.Errorf("reuse %d: Yosys elaborates %d multipliers, the schedule counts %d", r, got, want)
				}
				t.Logf("reuse %d: %d multipliers", r, want)
			})
		}
	}
}

// BenchmarkReuseSynth synthesises the jet tagger with Yosys synth_xilinx
// (backends/synth) at reuse 1 and 4 and reports LUT, FF and DSP: the DSP
// count must drop at least 3x. (Synthesis of the parallel design takes
// about 10 CPU minutes, more than 20 on a busy machine: a benchmark, not a
// test.)
func BenchmarkReuseSynth(b *testing.B) {
	needTool(b, "yosys")
	g := jetTagger(b)
	dsp := map[int]int{}
	for _, r := range []int{1, 4} {
		b.Run(fmt.Sprintf("reuse%d", r), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				be := New(Options{Reuse: reuseFor(g, r)})
				dir := b.TempDir()
				files, top := emitTo(b, be, g, dir)
				rep, err := synth.Run(files, top, synth.Options{WorkDir: filepath.Join(dir, "synth"), Timeout: 3 * time.Hour})
				if err != nil {
					b.Fatal(err)
				}
				lat, ii, _ := be.Timing(g)
				dsp[r] = rep.DSP
				b.ReportMetric(float64(rep.LUT), "LUT")
				b.ReportMetric(float64(rep.FF), "FF")
				b.ReportMetric(float64(rep.DSP), "DSP")
				b.ReportMetric(float64(lat), "latency-cycles")
				b.ReportMetric(float64(ii), "ii-cycles")
				b.Logf("reuse %d: LUT %d, FF %d, DSP %d, carry %d, longest path %d cells; latency %d, II %d; yosys %.0fs",
					r, rep.LUT, rep.FF, rep.DSP, rep.Carry, rep.LongestPath, lat, ii, rep.Seconds)
			}
		})
	}
	if d1, d4 := dsp[1], dsp[4]; d1 > 0 && d4 > 0 && float64(d1) < 3*float64(d4) {
		b.Errorf("DSPs: %d at reuse 1, %d at reuse 4: want a drop of at least 3x", d1, d4)
	}
}

// TestReuseReset pulls ap_rst_n low while events are in flight through
// time-multiplexed layers (reuse 3): the phase restarts, the events in
// flight are dropped, and the events accepted afterwards come out correct
// and on time.
func TestReuseReset(t *testing.T) {
	t.Parallel()
	needTool(t, "iverilog", "vvp")
	g := opGraphs(t)["dense_mix"]
	b := New(Options{Reuse: reuseFor(g, 3)})
	lat, _, err := b.Timing(g)
	if err != nil {
		t.Fatal(err)
	}
	const events, resetAt = 30, 11
	inputs, err := hil.Vectors(g, events, 3)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := sim.NewFixed(g)
	want, _ := f.Run(inputs)
	dir := t.TempDir()
	files, top := emitTo(t, b, g, dir)
	lay := PortLayout(g)
	lines, _ := lay.InputHex(inputs)
	writeFile(t, dir, "in.hex", []byte(strings.Join(lines, "\n")+"\n"))
	writeFile(t, dir, "tb.v", []byte(tbTextReset(top, lay.InBits, lay.OutBits, events, 0, resetAt)))
	iverilog(t, dir, "tb", append([]string{"tb.v"}, files...)...)
	var ins, outCyc []int
	var hexes []string
	lastReset := -1
	for _, line := range strings.Split(string(readFile(t, dir, "out.txt")), "\n") {
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		var c int
		fmt.Sscan(fs[1], &c)
		switch fs[0] {
		case "I":
			ins = append(ins, c)
		case "O":
			outCyc, hexes = append(outCyc, c), append(hexes, fs[2])
		case "R":
			lastReset = c
		}
	}
	first := 0 // the first event accepted after the reset
	for first < len(ins) && ins[first] < lastReset {
		first++
	}
	k := 0 // the first output after the reset
	for k < len(outCyc) && outCyc[k] <= lastReset {
		k++
	}
	if lastReset < 0 || first == len(ins) || k >= first || len(outCyc)-k != len(ins)-first {
		t.Fatalf("reset at %d: %d events in (%d before the reset), %d out (%d before it)", lastReset, len(ins), first, len(outCyc), k)
	}
	got, err := lay.OutputCodes(g, hexes[k:])
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if i > 0 && ins[first+i]-ins[first+i-1] < 3 {
			t.Errorf("events %d, %d accepted %d cycles apart", first+i-1, first+i, ins[first+i]-ins[first+i-1])
		}
		if d := outCyc[k+i] - ins[first+i]; d != lat {
			t.Errorf("post-reset event %d: latency %d, want %d", i, d, lat)
		}
	}
	for o := range want {
		size := want[o].Shape.Size()
		w := want[o].Data[first*size:]
		for i := range got[o].Data {
			if got[o].Data[i] != w[i] {
				t.Fatalf("output %d, post-reset element %d: got %d, want %d", o, i, got[o].Data[i], w[i])
			}
		}
	}
	t.Logf("latency %d: %d events before the reset (%d came out), %d after it, all correct", lat, first, k, len(ins)-first)
}
