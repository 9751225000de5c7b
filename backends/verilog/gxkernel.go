package verilog

import (
	"fmt"
	"math/bits"
	"strings"

	"trigo/ir"
	"trigo/ir/fixed"
)

// gxPipe places the registers of trigo_graph_gx (parameters TREGS, RREG,
// MREG, CREG, OREG).
type gxPipe struct {
	TRegs uint32 // bit l-1: a register after level l of the per-group trees
	RReg  int    // registers before the mean product
	MReg  int    // registers after the mean product
	CReg  int    // registers after the statistics' conversions
	OReg  int    // registers after the row assembly
}

// gxPipeFor is the register placement for ~250 MHz with L lanes: the trees
// and the accumulator in stages of two comparator or adder levels (a
// register after tree level l when LGL+1-l is even, LGL = log2 L: L = 4
// registers after level 1, L = 8 after level 2), the reciprocal from a
// register (RREG = 1 only when no tree register delays the sums: the count
// needs no tree and its lookup overlaps the trees), the product fully
// pipelined (DSP M and P registers), a register after the conversions and
// none after the valid mask (one AND per bit before the consumer).
func gxPipeFor(lanes int) gxPipe {
	p := gxPipe{MReg: 2, CReg: 1}
	lgl := gxLog2(lanes)
	for l := 1; l <= lgl; l++ {
		if (lgl+1-l)%2 == 0 {
			p.TRegs |= 1 << (l - 1)
		}
	}
	if p.TRegs == 0 {
		p.RReg = 1
	}
	return p
}

// gxLog2 is ceil(log2 n) (0 for n <= 1), Verilog's $clog2.
func gxLog2(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

// gx statistic codes (the OPS parameter of trigo_graph_gx).
var gxOpCode = map[string]int{"mean": 0, "min": 1, "max": 2}

// gxKernel holds the parameters of one trigo_graph_gx instance, resolved
// from a global_exchange node of a quantised graph.
type gxKernel struct {
	N, L, F int
	WX, FX  int
	XS      bool
	Ops     []string // statistics, in row order
	RF      int      // recip_frac
	RBias   int      // added to every reciprocal constant (0; tests only)
	OW, FO  int
	OS      bool
	Rnd     fixed.Rounding
	Ovf     fixed.Overflow
	Pipe    gxPipe
	VW, VT  int64 // valid input: width and MaskThreshold
	VS      bool
}

// globalExchangeKernel resolves the kernel parameters of global_exchange
// node n of quantised graph g for lanes lanes (which must divide the
// number of vertices), with the ~250 MHz register placement of
// gxPipeFor.
func globalExchangeKernel(g *ir.Graph, n *ir.Node, lanes int) (*gxKernel, error) {
	if n == nil || n.Op != "global_exchange" {
		return nil, fmt.Errorf("globalExchangeKernel: not a global_exchange node")
	}
	ops, err := ir.GlobalExchangeOps(n.Attrs)
	if err != nil {
		return nil, fmt.Errorf("global_exchange %s: %w", n.Name, err)
	}
	if len(n.Inputs) != 2 || len(n.Outputs) != 1 {
		return nil, fmt.Errorf("global_exchange %s: want 2 inputs (x, valid) and 1 output", n.Name)
	}
	x, v, out := g.Lookup(n.Inputs[0]), g.Lookup(n.Inputs[1]), n.Outputs[0]
	if x == nil || v == nil {
		return nil, fmt.Errorf("global_exchange %s: unresolved inputs", n.Name)
	}
	for _, val := range []*ir.Value{x, v, out} {
		if val.Type.Kind != ir.Fixed {
			return nil, fmt.Errorf("global_exchange %s: %s is %s, want a fixed-point type (quantised graph)", n.Name, val.Name, val.Type)
		}
	}
	if len(x.Shape) != 2 || len(v.Shape) != 1 || v.Shape[0] != x.Shape[0] {
		return nil, fmt.Errorf("global_exchange %s: x %v and valid %v are not [N,F] and [N]", n.Name, x.Shape, v.Shape)
	}
	N, F := x.Shape[0], x.Shape[1]
	if len(out.Shape) != 2 || out.Shape[0] != N || out.Shape[1] != F*(1+len(ops)) {
		return nil, fmt.Errorf("global_exchange %s: output %v, want [%d,%d]", n.Name, out.Shape, N, F*(1+len(ops)))
	}
	if lanes < 1 || N%lanes != 0 {
		return nil, fmt.Errorf("global_exchange %s: %d lanes do not divide %d vertices", n.Name, lanes, N)
	}
	rf := int(n.Attrs.Int("recip_frac", -1))
	if rf < 1 || rf > 32 {
		return nil, fmt.Errorf("global_exchange %s: recip_frac %d outside 1..32", n.Name, rf)
	}
	xt, vt, ot := x.Type.Fixed, v.Type.Fixed, out.Type.Fixed
	return &gxKernel{
		N: N, L: lanes, F: F,
		WX: xt.Width, FX: xt.Frac(), XS: xt.Signed,
		Ops: ops, RF: rf,
		OW: ot.Width, FO: ot.Frac(), OS: ot.Signed, Rnd: ot.Rounding, Ovf: ot.Overflow,
		Pipe: gxPipeFor(lanes),
		VW:   int64(vt.Width), VS: vt.Signed, VT: ir.MaskThreshold(vt),
	}, nil
}

// T is the number of groups (cycles) per event.
func (k *gxKernel) T() int { return k.N / k.L }

// treeRegs is CD, the registers of the per-group trees.
func (k *gxKernel) treeRegs() int {
	lgl := gxLog2(k.L)
	return bits.OnesCount32(k.Pipe.TRegs & (uint32(1)<<lgl - 1))
}

// depth is the kernel's DEPTH (trigo_graph_gx): output group q appears
// 1 + depth() + q cycles after the last input group.
func (k *gxKernel) depth() int {
	return k.treeRegs() + k.Pipe.RReg + k.Pipe.MReg + k.Pipe.CReg + k.Pipe.OReg
}

// opsLit is the OPS parameter: op i's code in bits 2i+1:2i.
func (k *gxKernel) opsLit() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d'b", 2*len(k.Ops))
	for i := len(k.Ops) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "%02b", gxOpCode[k.Ops[i]])
	}
	return b.String()
}

// params is the Verilog parameter list of the kernel instance.
func (k *gxKernel) params(indent string) string {
	return fmt.Sprintf(".N(%d), .L(%d), .F(%d), .WX(%d), .XS(%d), .FX(%d),\n%s"+
		".NOPS(%d), .OPS(%s), .RF(%d), .RBIAS(%d),\n%s"+
		".OW(%d), .OS(%d), .FO(%d), .RND(%d), .OVF(%d),\n%s"+
		".TREGS(32'd%d), .RREG(%d), .MREG(%d), .CREG(%d), .OREG(%d)",
		k.N, k.L, k.F, k.WX, b01(k.XS), k.FX, indent,
		len(k.Ops), k.opsLit(), k.RF, k.RBias, indent,
		k.OW, b01(k.OS), k.FO, int(k.Rnd), int(k.Ovf), indent,
		k.Pipe.TRegs, k.Pipe.RReg, k.Pipe.MReg, k.Pipe.CReg, k.Pipe.OReg)
}
