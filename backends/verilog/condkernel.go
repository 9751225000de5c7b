package verilog

import (
	"fmt"
	"math/big"
	"math/bits"
	"strings"

	"trigo/ir"
	"trigo/ir/fixed"
)

// condPipe places the registers of the condensation kernel (parameters
// ARG_REGS and REGS of trigo_graph_cond). The walk is a loop (the next
// arg-max reads this step's assignments): every register adds one cycle to
// each of the M steps.
type condPipe struct {
	ArgRegs uint32 // bit b (1..ceil(log2 N)): register after level b of the arg-max tree
	Regs    uint8  // bit 0 after the root (alpha), 1 after the coordinate differences, 2 after the squared distances
}

// condPipeFor returns the register placement for ~200 MHz: the arg-max
// tree cut in the middle (N = 64: avail and three 2:1 levels of ~23-bit
// compares in the first cycle), a register after the coordinate
// differences (the last three levels, alpha's coordinates and the
// subtraction in the second cycle; the squares, their sum, the threshold
// compare and the state update, and in parallel the gather and conversion
// of alpha's row, in the third): 3 cycles per step for N >= 4. Yosys
// synth_xilinx (BenchmarkCondKernelSynth, N = 64, L = 4, C = 2, P = 3,
// M = 6, 16-bit codes): longest path 22 cells (58 with every register
// off); cutting the tree after level 2 or 4, or registering the root
// instead of the differences, makes the longest stage longer.
func condPipeFor(n int) condPipe {
	lgn := condLog2(n)
	p := condPipe{Regs: 0x2}
	if lgn >= 2 {
		p.ArgRegs = 1 << ((lgn + 1) / 2)
	}
	return p
}

// condKernel holds the parameters of one trigo_graph_cond instance,
// resolved from a condensation node of a quantised graph.
type condKernel struct {
	N, L, C, P, M  int
	WB, WC, WP, OW int
	BS, CS, PS, OS bool
	FB, FP, FO     int
	BetaCode       int64  // code(beta) > BetaCode: candidate
	DistCode       uint64 // d2 < DistCode: within the cluster
	Rnd            fixed.Rounding
	Ovf            fixed.Overflow
	TieHigh        bool // ties to the higher index (deliberately wrong, for tests)
	Pipe           condPipe
	VW             int   // valid input: width
	VS             bool  // valid input: signed
	VT             int64 // valid input: MaskThreshold (valid iff code > VT)
}

func condLog2(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

// condensationKernel resolves the kernel parameters of condensation node n
// of quantised graph g (inputs beta[N], coords[N,C], valid[N],
// payload[N,P]; attributes beta_code, dist_code, max_clusters) for the
// given number of lanes (a divisor of N), with the ~200 MHz register
// placement (condPipeFor).
func condensationKernel(g *ir.Graph, n *ir.Node, lanes int) (*condKernel, error) {
	if n == nil || n.Op != "condensation" {
		return nil, fmt.Errorf("condensation kernel: node is not a condensation")
	}
	fail := func(format string, a ...any) (*condKernel, error) {
		return nil, fmt.Errorf("condensation %s: %s", n.Name, fmt.Sprintf(format, a...))
	}
	p, err := ir.Condensation(n.Attrs)
	if err != nil {
		return fail("%v", err)
	}
	if len(n.Inputs) != 4 {
		return fail("want 4 inputs (beta, coords, valid, payload), got %d", len(n.Inputs))
	}
	if len(n.Outputs) != 3 {
		return fail("want 3 outputs (assign, clusters, n_clusters), got %d", len(n.Outputs))
	}
	names := []string{"beta", "coords", "valid", "payload"}
	vals := make([]*ir.Value, 4)
	for i, in := range n.Inputs {
		v := g.Lookup(in)
		if v == nil {
			return fail("input %s %q is not a value of the graph", names[i], in)
		}
		if v.Type.Kind != ir.Fixed {
			return fail("input %s %q is %s: the RTL kernel needs fixed-point inputs", names[i], in, v.Type)
		}
		vals[i] = v
	}
	beta, coords, valid, pay := vals[0], vals[1], vals[2], vals[3]
	if len(beta.Shape) != 1 || len(coords.Shape) != 2 || len(valid.Shape) != 1 || len(pay.Shape) != 2 {
		return fail("shapes beta %v, coords %v, valid %v, payload %v: want [N], [N,C], [N], [N,P]",
			beta.Shape, coords.Shape, valid.Shape, pay.Shape)
	}
	N := coords.Shape[0]
	if beta.Shape[0] != N || valid.Shape[0] != N || pay.Shape[0] != N {
		return fail("vertex counts differ: beta %v, coords %v, valid %v, payload %v", beta.Shape, coords.Shape, valid.Shape, pay.Shape)
	}
	if lanes < 1 || N%lanes != 0 {
		return fail("%d lanes do not divide %d vertices", lanes, N)
	}
	ct := n.Outputs[1].Type
	if ct.Kind != ir.Fixed {
		return fail("clusters output %q is %s, want a fixed-point type", n.Outputs[1].Name, ct)
	}
	bc, ok1 := n.Attrs["beta_code"].(int64)
	dc, ok2 := n.Attrs["dist_code"].(int64)
	if !ok1 || !ok2 {
		return fail("quantised condensation needs the integer attributes beta_code and dist_code")
	}
	if dc < 0 {
		return fail("dist_code %d must be >= 0", dc)
	}
	bt, cot, vt, pt, ot := beta.Type.Fixed, coords.Type.Fixed, valid.Type.Fixed, pay.Type.Fixed, ct.Fixed
	if bt.Width > 64 || pt.Width > 64 || ot.Width > 64 {
		return fail("beta, payload and clusters must be at most 64 bits wide (%d, %d, %d)", bt.Width, pt.Width, ot.Width)
	}
	C := coords.Shape[1]
	if dw := 2*(cot.Width+1) + condLog2(C); dw > 63 {
		return fail("exact squared distances of coords %q need %d bits (max 63)", coords.Name, dw)
	}
	return &condKernel{
		N: N, L: lanes, C: C, P: pay.Shape[1], M: p.MaxClusters,
		WB: bt.Width, WC: cot.Width, WP: pt.Width, OW: ot.Width,
		BS: bt.Signed, CS: cot.Signed, PS: pt.Signed, OS: ot.Signed,
		FB: bt.Frac(), FP: pt.Frac(), FO: ot.Frac(),
		BetaCode: bc, DistCode: uint64(dc),
		Rnd: ot.Rounding, Ovf: ot.Overflow,
		Pipe: condPipeFor(N),
		VW:   vt.Width, VS: vt.Signed, VT: ir.MaskThreshold(vt),
	}, nil
}

// T is the number of groups (cycles) per event.
func (k *condKernel) T() int { return k.N / k.L }

// step is the number of cycles per walk step: 1 + the registers in the
// loop (STEP of trigo_graph_cond).
func (k *condKernel) step() int {
	lgn := condLog2(k.N)
	mask := uint32(1)<<(lgn+1) - 2
	return 1 + bits.OnesCount32(k.Pipe.ArgRegs&mask) + bits.OnesCount8(k.Pipe.Regs&0x7)
}

// depth is the kernel's DEPTH: the result appears 1 + DEPTH cycles after
// the last input group (the 1 is the snapshot edge); DEPTH = M * step.
func (k *condKernel) depth() int { return k.M * k.step() }

// occupancy is the number of cycles the walk holds the unit: successive
// events' last groups must be at least this far apart.
func (k *condKernel) occupancy() int { return k.M * k.step() }

// minII is the smallest initiation interval: max(T, occupancy).
func (k *condKernel) minII() int { return max(k.T(), k.occupancy()) }

// params is the Verilog parameter list of the kernel instance.
func (k *condKernel) params(indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, ".N(%d), .L(%d), .C(%d), .P(%d), .M(%d),\n%s", k.N, k.L, k.C, k.P, k.M, indent)
	fmt.Fprintf(&b, ".WB(%d), .BS(%d), .FB(%d), .WC(%d), .CS(%d), .WP(%d), .PS(%d), .FP(%d),\n%s",
		k.WB, b01(k.BS), k.FB, k.WC, b01(k.CS), k.WP, b01(k.PS), k.FP, indent)
	fmt.Fprintf(&b, ".BETA_CODE(%s), .DIST_CODE(64'd%d),\n%s", condSigned64(k.BetaCode), k.DistCode, indent)
	fmt.Fprintf(&b, ".OW(%d), .OS(%d), .FO(%d), .RND(%d), .OVF(%d), .TIE_HIGH(%d), .ARG_REGS(32'd%d), .REGS(8'd%d)",
		k.OW, b01(k.OS), k.FO, int(k.Rnd), int(k.Ovf), b01(k.TieHigh), k.Pipe.ArgRegs, k.Pipe.Regs)
	return b.String()
}

// condSigned64 is a signed 64-bit literal of v.
func condSigned64(v int64) string {
	if v >= 0 {
		return fmt.Sprintf("64'sd%d", v)
	}
	if v == -1<<63 {
		return "64'sh8000000000000000"
	}
	return "-" + fmt.Sprintf("64'sd%s", new(big.Int).Neg(big.NewInt(v)).Text(10))
}
