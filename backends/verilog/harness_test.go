package verilog

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"trigo/backends"
	"trigo/hil"
	"trigo/ir"
	"trigo/sim"
)

// emitTo emits the design into dir and returns the file paths and top.
func emitTo(t testing.TB, b *Backend, g *ir.Graph, dir string) (files []string, top string) {
	t.Helper()
	pg, err := b.Prepare(g)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := b.Emit(pg, backends.Options{Source: g.Name, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := backends.WriteFiles(dir, fs); err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if strings.HasSuffix(f.Path, ".v") {
			files = append(files, filepath.Join(dir, f.Path))
		}
	}
	return files, TopName(g)
}

// tbText is a minimal testbench: it feeds the events of in.hex (one beat
// each) and writes "I <cycle>" per input handshake and "O <cycle> <hex>"
// per output handshake. stall = 0: input always valid, output always
// ready; stall = 1: random gaps and back-pressure.
func tbText(top string, inBits, outBits, events, stall int) string {
	return tbTextReset(top, inBits, outBits, events, stall, -1)
}

// tbTextReset is tbText with ap_rst_n pulled low for two cycles at cycle
// resetAt (>= 0), logging "R <cycle>" for each rising edge in reset.
func tbTextReset(top string, inBits, outBits, events, stall, resetAt int) string {
	return fmt.Sprintf("`timescale 1ns / 1ps\n"+`module tb;
  reg clk = 1'b0;
  reg rst_n = 1'b0;
  reg [%[2]d:0] mem [0:%[4]d];
  reg [%[2]d:0] tdata;
  reg tvalid = 1'b0;
  wire tready;
  wire [%[3]d:0] odata;
  wire ovalid;
  reg oready = 1'b0;
  integer i, o, cyc, f, seed;
  %[1]s dut (.ap_clk(clk), .ap_rst_n(rst_n), .s_axis_tdata(tdata), .s_axis_tvalid(tvalid), .s_axis_tready(tready),
    .m_axis_tdata(odata), .m_axis_tvalid(ovalid), .m_axis_tready(oready));
  always #5 clk = ~clk;
  initial begin
    $readmemh("in.hex", mem);
    f = $fopen("out.txt", "w");
    i = 0; o = 0; cyc = -4; seed = 12345;
    tdata = {%[5]d{1'b0}};
  end
  always @(posedge clk) begin
    cyc = cyc + 1;
    if (cyc == 0 || cyc == %[9]d + 2) rst_n <= 1'b1;
    if (cyc == %[9]d) rst_n <= 1'b0;
    if (!rst_n && cyc > 0) $fwrite(f, "R %%0d\n", cyc - 1);
    if (rst_n) begin
      if (tvalid && tready) begin
        $fwrite(f, "I %%0d\n", cyc - 1);
        i = i + 1;
      end
      if (ovalid && oready) begin
        $fwrite(f, "O %%0d %%h\n", cyc - 1, odata);
        o = o + 1;
      end
    end
    if (tvalid && !tready) begin
      // hold the beat until it transfers
    end else if (rst_n && i < %[6]d && (%[7]d == 0 || ($random(seed) & 3) != 0)) begin
      tvalid <= 1'b1;
      tdata <= mem[i];
    end else begin
      tvalid <= 1'b0;
    end
    oready <= (%[7]d == 0) ? 1'b1 : (($random(seed) & 3) != 0);
    if (o == %[6]d || cyc > %[8]d) begin
      $fclose(f);
      $finish;
    end
  end
endmodule
`, top, inBits-1, outBits-1, max(events-1, 0), inBits, events, stall, 20*events+1000, resetAt)
}

type rtlResult struct {
	outs    []sim.Codes
	inCyc   []int
	outCyc  []int
	seconds float64
}

// runIcarus simulates the design on the events of inputs.
func runIcarus(t testing.TB, b *Backend, g *ir.Graph, inputs []sim.Codes, stall bool) rtlResult {
	t.Helper()
	dir := t.TempDir()
	files, top := emitTo(t, b, g, dir)
	lay := PortLayout(g)
	lines, err := lay.InputHex(inputs)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "in.hex", []byte(strings.Join(lines, "\n")+"\n"))
	st := 0
	if stall {
		st = 1
	}
	writeFile(t, dir, "tb.v", []byte(tbText(top, lay.InBits, lay.OutBits, len(lines), st)))
	start := time.Now()
	iverilog(t, dir, "tb", append([]string{"tb.v"}, files...)...)
	res := rtlResult{seconds: time.Since(start).Seconds()}
	data, err := os.ReadFile(filepath.Join(dir, "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var hexes []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		c, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "I":
			res.inCyc = append(res.inCyc, c)
		case "O":
			res.outCyc = append(res.outCyc, c)
			hexes = append(hexes, f[2])
		}
	}
	if len(hexes) != len(lines) {
		t.Fatalf("%d events in, %d out (%d accepted)", len(lines), len(hexes), len(res.inCyc))
	}
	res.outs, err = lay.OutputCodes(g, hexes)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkRTL simulates g on n events from hil.Vectors and compares with the
// Go simulator, and the measured latency with Timing.
func checkRTL(t testing.TB, b *Backend, g *ir.Graph, n int, stall bool) *hil.Comparison {
	t.Helper()
	inputs, err := hil.Vectors(g, n, 7)
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
	res := runIcarus(t, b, g, inputs, stall)
	cmp, err := hil.Compare(g, want, res.outs)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.OK() {
		t.Errorf("%s: %s", g.Name, cmp)
	}
	lat, ii, err := b.Timing(g)
	if err != nil {
		t.Fatal(err)
	}
	if !stall {
		for e := range res.outCyc {
			if got := res.outCyc[e] - res.inCyc[e]; got != lat {
				t.Errorf("%s: event %d: measured latency %d, Timing says %d", g.Name, e, got, lat)
				break
			}
			if e > 0 && res.inCyc[e]-res.inCyc[e-1] != ii {
				t.Errorf("%s: events %d,%d accepted %d cycles apart, II %d", g.Name, e-1, e, res.inCyc[e]-res.inCyc[e-1], ii)
				break
			}
		}
	}
	return cmp
}
