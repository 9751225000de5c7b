package verilog

// The global ops of a vertex stream (GRAPH.md §4, §5): global_exchange
// re-streams the event with its statistics, condensation turns it into
// event-level outputs.

import (
	"fmt"

	"trigo/ir"
	"trigo/ir/fixed"
)

// kernelII is the event interval a kernel needs: T, or condensation's
// walk when it takes longer.
func kernelII(g *ir.Graph, n *ir.Node, lanes int, budget float64) (int, error) {
	k, err := condensationKernel(g, n, lanes)
	if err != nil {
		return 0, err
	}
	k.Pipe = condPipeForBudget(k.N, budget)
	return k.minII(), nil
}

// condPipeForBudget places condensation's registers for the clock: below
// ~135 MHz (7 ns of logic per stage) the arg-max tree and alpha's
// coordinate differences share a cycle (2 cycles per step), faster clocks
// get condPipeFor's 3-cycle step.
func condPipeForBudget(n int, budget float64) condPipe {
	if budget >= 7.0 {
		return condPipe{Regs: 0x2}
	}
	return condPipeFor(n)
}

// globalExchangeNode instantiates trigo_graph_gx.
func (d *design) globalExchangeNode(orig, ln *ir.Node) error {
	k, err := globalExchangeKernel(d.g, orig, d.stream.L)
	if err != nil {
		return err
	}
	x := d.input(ln, 0)
	vb := d.validBits(ln.Inputs[1])
	cyc, arr, al := d.align([]*sig{x, vb})
	grp, act := d.grpAt(cyc)
	out := ln.Output()
	depth := k.depth()
	y := &sig{net: d.nm.unique(sanitize(ln.Name, "n_") + "_out"), n: out.Shape.Size(), t: out.Type.Fixed, cycle: cyc + d.stream.T + depth}
	if k.Pipe.OReg == 0 {
		y.arr = d.dm.LUT // the valid mask after the last register
	}
	inst := d.nm.unique("u_" + sanitize(ln.Name, "n_"))
	d.used["trigo_graph_gx"] = true
	b := &d.body
	fmt.Fprintf(b, "  // ---- layer %s: global_exchange (%v over the valid vertices, %d lanes)\n", ln.Name, k.Ops, k.L)
	fmt.Fprintf(b, "  //   %s\n", d.ioComment(orig, orig.Output()))
	fmt.Fprintf(b, "  //   statistics while the %d groups arrive from stage %d (+%.2f ns), %d kernel stages;\n", d.stream.T, cyc, arr, depth)
	fmt.Fprintf(b, "  //   rows with the statistics appended: output group q at stage %d + q\n", y.cycle)
	fmt.Fprintf(b, "  wire [%d:0] %s;\n", y.bits()-1, y.net)
	b.WriteString("  /* verilator lint_off PINCONNECTEMPTY */\n")
	fmt.Fprintf(b, "  trigo_graph_gx #(\n    %s\n  ) %s (\n", k.params("    "), inst)
	fmt.Fprintf(b, "    .clk(ap_clk), .ce(ce), .rst(graph_rst), .in_act(%s), .in_grp(%s),\n", act, grp)
	fmt.Fprintf(b, "    .in_x(%s), .in_v(%s),\n", d.net(al[0]), d.net(al[1]))
	fmt.Fprintf(b, "    .out_act(), .out_grp(), .out_y(%s)\n  );\n", y.net)
	b.WriteString("  /* verilator lint_on PINCONNECTEMPTY */\n\n")
	d.sigs[out.Name] = y
	d.sched.Layers = append(d.sched.Layers, LayerSchedule{Layer: ln.Name, Op: ln.Op, Module: "trigo_graph_gx",
		InCycle: cyc, InNS: round2(arr), OutCycle: y.cycle, OutNS: round2(y.arr),
		Stages: fmt.Sprintf("collect %d groups | snapshot | %d kernel stages", d.stream.T, depth)})
	return nil
}

// int32Type carries condensation's i32 outputs through the emitter: 32-bit
// two's-complement codes.
var int32Type = fixed.Type{Signed: true, Width: 32, Int: 32}

// condensationNode instantiates trigo_graph_cond; its outputs are
// event-level (valid in the stage the result appears).
func (d *design) condensationNode(orig, ln *ir.Node) error {
	k, err := condensationKernel(d.g, orig, d.stream.L)
	if err != nil {
		return err
	}
	k.Pipe = condPipeForBudget(k.N, d.budget)
	beta, coords := d.input(ln, 0), d.input(ln, 1)
	vb := d.validBits(ln.Inputs[2])
	ins := []*sig{beta, coords, vb}
	if k.P > 0 {
		ins = append(ins, d.input(ln, 3))
	}
	cyc, arr, al := d.align(ins)
	grp, act := d.grpAt(cyc)
	depth := k.depth()
	at := cyc + d.stream.T + depth
	base := sanitize(ln.Name, "n_")
	assign := &sig{net: d.nm.unique(base + "_assign"), n: k.N, t: int32Type, cycle: at}
	clusters := &sig{net: d.nm.unique(base + "_clusters"), n: ln.Outputs[1].Shape.Size(), t: ln.Outputs[1].Type.Fixed, cycle: at}
	count := &sig{net: d.nm.unique(base + "_n_clusters"), n: 1, t: int32Type, cycle: at}
	inst := d.nm.unique("u_" + base)
	d.used["trigo_graph_cond"] = true
	b := &d.body
	fmt.Fprintf(b, "  // ---- layer %s: condensation (up to %d clusters, %d lanes)\n", ln.Name, k.M, k.L)
	fmt.Fprintf(b, "  //   %s\n", d.ioComment(orig, orig.Output()))
	fmt.Fprintf(b, "  //   collects the %d groups arriving from stage %d (+%.2f ns), snapshot, %d steps of %d cycles;\n", d.stream.T, cyc, arr, k.M, k.step())
	fmt.Fprintf(b, "  //   assign, clusters and n_clusters at stage %d (one event every %d cycles at most)\n", at, k.minII())
	for _, s := range []*sig{assign, clusters, count} {
		fmt.Fprintf(b, "  wire [%d:0] %s;\n", s.bits()-1, s.net)
	}
	payload := "1'b0"
	if k.P > 0 {
		payload = d.net(al[3])
	}
	b.WriteString("  /* verilator lint_off PINCONNECTEMPTY */\n")
	fmt.Fprintf(b, "  trigo_graph_cond #(\n    %s\n  ) %s (\n", k.params("    "), inst)
	fmt.Fprintf(b, "    .clk(ap_clk), .ce(ce), .rst(graph_rst), .in_act(%s), .in_grp(%s),\n", act, grp)
	fmt.Fprintf(b, "    .in_beta(%s), .in_c(%s), .in_p(%s), .in_v(%s),\n", d.net(al[0]), d.net(al[1]), payload, d.net(al[2]))
	fmt.Fprintf(b, "    .out_act(), .out_assign(%s), .out_clusters(%s), .out_n(%s)\n  );\n", assign.net, clusters.net, count.net)
	b.WriteString("  /* verilator lint_on PINCONNECTEMPTY */\n\n")
	d.sigs[ln.Outputs[0].Name] = assign
	d.sigs[ln.Outputs[1].Name] = clusters
	d.sigs[ln.Outputs[2].Name] = count
	d.sched.Layers = append(d.sched.Layers, LayerSchedule{Layer: ln.Name, Op: ln.Op, Module: "trigo_graph_cond",
		InCycle: cyc, InNS: round2(arr), OutCycle: at,
		Stages: fmt.Sprintf("collect %d groups | snapshot | %d steps x %d cycles", d.stream.T, k.M, k.step())})
	return nil
}
