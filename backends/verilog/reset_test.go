package verilog

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"

	"trigo/hil"
	"trigo/sim"
)

// TestResetEmpties pulls ap_rst_n low while events are in flight: the
// events in the pipeline are dropped (no m_axis_tvalid until new events are
// accepted), and the events accepted afterwards come out correct, in order,
// LATENCY cycles after they went in.
func TestResetEmpties(t *testing.T) {
	needTool(t, "iverilog", "vvp")
	g := opGraphs(t)["dense_mix"]
	b := New(Options{ClockMHz: 600})
	lat, _, err := b.Timing(g)
	if err != nil {
		t.Fatal(err)
	}
	if lat < 3 {
		t.Fatalf("latency %d: the test needs events in flight", lat)
	}
	const events = 40
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
	resetAt := 10
	tb := tbTextReset(top, lay.InBits, lay.OutBits, events, 0, resetAt)
	// The testbench finishes when `events` beats came out; events dropped by
	// the reset never do, so stop on the time-out instead.
	writeFile(t, dir, "tb.v", []byte(tb))
	iverilog(t, dir, "tb", append([]string{"tb.v"}, files...)...)
	out := readFile(t, dir, "out.txt")

	var ins []int
	type outRec struct {
		cyc int
		hex string
	}
	var outs []outRec
	lastReset := -1
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		c, _ := strconv.Atoi(fs[1])
		switch fs[0] {
		case "I":
			ins = append(ins, c)
		case "O":
			outs = append(outs, outRec{c, fs[2]})
		case "R":
			lastReset = c
		}
	}
	if lastReset < 0 {
		t.Fatal("no reset edge logged")
	}
	// Events accepted before the reset and after it.
	var before, after []int
	for e, c := range ins {
		if c < lastReset {
			before = append(before, e)
		} else {
			after = append(after, e)
		}
	}
	var outsAfter []outRec
	nBefore := 0
	for _, o := range outs {
		if o.cyc <= lastReset {
			nBefore++
		} else {
			outsAfter = append(outsAfter, o)
		}
	}
	if len(after) == 0 || len(outsAfter) != len(after) {
		t.Fatalf("%d events accepted after the reset, %d outputs after it (before: %d in, %d out)", len(after), len(outsAfter), len(before), nBefore)
	}
	if nBefore >= len(before) {
		t.Fatalf("reset at cycle %d dropped nothing: %d in, %d out before it", lastReset, len(before), nBefore)
	}
	// Outputs after the reset: exactly the post-reset events, on time.
	hexes := make([]string, len(outsAfter))
	for i, o := range outsAfter {
		hexes[i] = o.hex
		if got := o.cyc - ins[after[i]]; got != lat {
			t.Errorf("post-reset event %d: latency %d, want %d", i, got, lat)
		}
	}
	got, err := lay.OutputCodes(g, hexes)
	if err != nil {
		t.Fatal(err)
	}
	for o := range want {
		size := want[o].Shape.Size()
		for i, e := range after {
			w := want[o].Data[e*size : (e+1)*size]
			gv := got[o].Data[i*size : (i+1)*size]
			for k := range w {
				if w[k] != gv[k] {
					t.Fatalf("output %d of post-reset event %d (event %d): got %d, want %d", o, i, e, gv[k], w[k])
				}
			}
		}
	}
	t.Logf("latency %d: %d events in before the reset, %d came out, %d dropped; %d events after it, all correct",
		lat, len(before), nBefore, len(before)-nBefore, len(after))
}
