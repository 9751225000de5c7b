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

// TestGraphOpsRefused: the verilog backend does not implement the graph ops
// yet (a later issue); it refuses such graphs with one
// *backends.UnsupportedError naming the first op and node, which trigo
// compile turns into a skipped backend.
func TestGraphOpsRefused(t *testing.T) {
	src, err := os.ReadFile("../ir/testdata/graph_ops.fixed.tir")
	if err != nil {
		t.Fatal(err)
	}
	g, err := ir.Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		b    backends.Backend
		want string
	}{
		{"verilog", verilog.New(verilog.Options{}), `op gravnet_agg (node "gv") is not supported by the verilog backend yet; nor are global_exchange, mask, slice, condensation`},
	} {
		_, err := c.b.Prepare(g)
		var ue *backends.UnsupportedError
		if !errors.As(err, &ue) {
			t.Fatalf("%s: Prepare: %v, want an UnsupportedError", c.name, err)
		}
		if !strings.Contains(err.Error(), c.want) || ue.Op != "gravnet_agg" || ue.Node != "gv" {
			t.Errorf("%s: %q (%+v), want %q", c.name, err, ue, c.want)
		}
	}
	// The HLS backend implements the graph ops.
	if _, err := (hls.Backend{}).Prepare(g); err != nil {
		t.Errorf("hls: Prepare: %v", err)
	}
	if err := backends.CheckOps(g, "x", map[string]bool{"dense": true, "gravnet_agg": true, "global_exchange": true,
		"mask": true, "slice": true, "reshape": true, "condensation": true}); err != nil {
		t.Errorf("CheckOps with every op supported: %v", err)
	}
}
