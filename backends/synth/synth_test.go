package synth

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	_ "trigo/internal/golden"
)

func needYosys(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("yosys"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("yosys is missing under CI")
		}
		t.Skip("yosys not installed")
	}
}

func TestSynthCountsAndPath(t *testing.T) {
	needYosys(t)
	mac, err := Run([]string{"testdata/mac.v"}, "mac", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(mac)
	// 16x16 signed multiply: one DSP48E2; registers: 16+16+32 inputs + 32 outputs
	// (some may be absorbed into the DSP's own registers).
	if mac.DSP != 1 {
		t.Errorf("mac: %d DSPs, want 1 (%v)", mac.DSP, mac.Cells)
	}
	if mac.FF+mac.DSP == 0 || mac.LongestPath < 1 {
		t.Errorf("mac: implausible report %+v", mac)
	}
	regs, err := Run([]string{"testdata/mac.v"}, "regs", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(regs)
	if regs.LUT != 0 || regs.DSP != 0 || regs.LongestPath != 0 {
		t.Errorf("regs: want no logic, got %+v", regs)
	}
	if regs.FF+regs.LUTRAM == 0 {
		t.Errorf("regs: no registers found: %v", regs.Cells)
	}
}

func TestSynthErrors(t *testing.T) {
	needYosys(t)
	if _, err := Run([]string{"testdata/mac.v"}, "nosuch", Options{}); err == nil {
		t.Fatal("unknown top accepted")
	}
	bad := t.TempDir() + "/bad.v"
	if err := os.WriteFile(bad, []byte("module bad(; endmodule"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run([]string{bad}, "bad", Options{}); err == nil || !strings.Contains(err.Error(), "yosys failed") {
		t.Fatalf("syntax error: got %v", err)
	}
	// A run cut short by the timeout says so (not "signal: killed").
	if _, err := Run([]string{"testdata/mac.v"}, "mac", Options{Timeout: time.Millisecond}); err == nil || !strings.Contains(err.Error(), "did not finish within 1ms") {
		t.Fatalf("timeout: got %v", err)
	}
}

func TestAnalyseLongestPath(t *testing.T) {
	// FD -> LUT -> CARRY -> LUT -> FD: 3 cells; a parallel 1-cell path.
	nl := `{"modules":{"t":{"cells":{
	 "f1":{"type":"FDRE","parameters":{},"port_directions":{"D":"input","Q":"output"},"connections":{"D":[9],"Q":[2]}},
	 "l1":{"type":"LUT2","parameters":{},"port_directions":{"I0":"input","I1":"input","O":"output"},"connections":{"I0":[2],"I1":[2],"O":[3]}},
	 "c1":{"type":"CARRY8","parameters":{},"port_directions":{"S":"input","O":"output"},"connections":{"S":[3],"O":[4]}},
	 "l2":{"type":"LUT1","parameters":{},"port_directions":{"I0":"input","O":"output"},"connections":{"I0":[4],"O":[5]}},
	 "l3":{"type":"LUT1","parameters":{},"port_directions":{"I0":"input","O":"output"},"connections":{"I0":[2],"O":[6]}},
	 "f2":{"type":"FDRE","parameters":{},"port_directions":{"D":"input","Q":"output"},"connections":{"D":[5],"Q":[9]}}
	}}}}`
	rep, err := analyse([]byte(nl), "t")
	if err != nil {
		t.Fatal(err)
	}
	if rep.LongestPath != 3 || rep.LUT != 3 || rep.FF != 2 || rep.Carry != 1 {
		t.Fatalf("got %+v", rep)
	}
	loop := `{"modules":{"t":{"cells":{
	 "l1":{"type":"LUT1","parameters":{},"port_directions":{"I0":"input","O":"output"},"connections":{"I0":[3],"O":[2]}},
	 "l2":{"type":"LUT1","parameters":{},"port_directions":{"I0":"input","O":"output"},"connections":{"I0":[2],"O":[3]}}
	}}}}`
	if _, err := analyse([]byte(loop), "t"); err == nil {
		t.Fatal("combinational loop not reported")
	}
}
