package backends_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"trigo/backends"
	"trigo/backends/verilog"
	"trigo/hls"
	"trigo/ir"
)

// TestGraphOps: both firmware backends implement the graph ops (the
// verilog backend as a vertex stream); a backend that lacks an op reports
// one *backends.UnsupportedError naming the first op and node and the
// others (trigo compile turns it into a skipped backend).
func TestGraphOps(t *testing.T) {
	src, err := os.ReadFile("../ir/testdata/graph_ops.fixed.tir")
	if err != nil {
		t.Fatal(err)
	}
	g, err := ir.Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verilog.New(verilog.Options{}).Prepare(g); err != nil {
		t.Errorf("verilog: Prepare: %v", err)
	}
	if _, err := (hls.Backend{}).Prepare(g); err != nil {
		t.Errorf("hls: Prepare: %v", err)
	}
	if err := backends.CheckOps(g, "x", map[string]bool{"dense": true, "gravnet_agg": true, "global_exchange": true,
		"mask": true, "slice": true, "reshape": true, "condensation": true}); err != nil {
		t.Errorf("CheckOps with every op supported: %v", err)
	}
	err = backends.CheckOps(g, "x", map[string]bool{"dense": true, "reshape": true})
	var ue *backends.UnsupportedError
	want := `op gravnet_agg (node "gv") is not supported by the x backend yet; nor are global_exchange, mask, slice, condensation`
	if !errors.As(err, &ue) || ue.Op != "gravnet_agg" || ue.Node != "gv" || !strings.Contains(err.Error(), want) {
		t.Errorf("CheckOps without the graph ops: %v, want %q", err, want)
	}
	ue.Reason = "why"
	if !strings.HasSuffix(ue.Error(), ": why") {
		t.Errorf("reason not in %q", ue.Error())
	}
}
