package verilog

// The gravnet_agg kernel's parameters (lib/trigo_gravnet_agg.v, GRAPH.md
// §3), resolved from a quantised gravnet_agg node: the emitter (stream.go)
// and the kernel tests (graph_kernel_test.go) use the same resolution.

import (
	"fmt"
	"math/big"
	"math/bits"

	"trigo/ir"
	"trigo/ir/fixed"
)

// gkPipe places the kernel's registers (parameters QREG, REGS, SORT_REGS,
// MERGE_REG of trigo_gravnet_agg).
type gkPipe struct {
	QReg     int    // register after the query-row multiplexer
	Regs     uint8  // lane: bit 0 distances, 1 ROM/gather, 2 products, 3 sum/max, 4 mean, 5 output
	SortRegs uint32 // bit b: register after every sorted block of 2^b keys
	MergeReg int    // register after every merge of the top-k tree
}

var gkFullPipe = gkPipe{QReg: 1, Regs: 0x3f, SortRegs: 1 << 2, MergeReg: 1}

// gkKernel holds the parameters of one trigo_gravnet_agg instance, resolved
// from a gravnet_agg node of a quantised graph.
type gkKernel struct {
	N, L, S, P, K     int
	WS, WH, TW, OW    int
	SS, HS, TS, OS    bool
	Table             []int64
	Offset            int64
	DSat              uint64 // distance saturation (0: none), see gravnetDSat
	Shift, RF, FM, FO int
	Rnd               fixed.Rounding
	Ovf               fixed.Overflow
	L2, Self, TieHigh bool
	Pipe              gkPipe
	VW, VT            int64 // valid input: width and MaskThreshold
	VS                bool
}

// gravnetKernel resolves the kernel parameters of node n (lanes L must
// divide N).
func gravnetKernel(g *ir.Graph, n *ir.Node, lanes int, pipe gkPipe) (*gkKernel, error) {
	p, err := ir.GravNet(n.Attrs)
	if err != nil {
		return nil, err
	}
	if len(n.Inputs) != 4 {
		return nil, fmt.Errorf("gravnet_agg %s: want 4 inputs (s, h, valid, table)", n.Name)
	}
	s, h, v := g.Lookup(n.Inputs[0]), g.Lookup(n.Inputs[1]), g.Lookup(n.Inputs[2])
	tab := g.Const(n.Inputs[3])
	if s == nil || h == nil || v == nil || tab == nil {
		return nil, fmt.Errorf("gravnet_agg %s: unresolved inputs", n.Name)
	}
	N := s.Shape[0]
	if lanes < 1 || N%lanes != 0 {
		return nil, fmt.Errorf("gravnet_agg %s: %d lanes do not divide %d vertices", n.Name, lanes, N)
	}
	st, ht, tt, ot, vt := s.Type.Fixed, h.Type.Fixed, tab.Type.Fixed, n.Outputs[0].Type.Fixed, v.Type.Fixed
	return &gkKernel{
		N: N, L: lanes, S: s.Shape[1], P: h.Shape[1], K: p.K,
		WS: st.Width, WH: ht.Width, TW: tt.Width, OW: ot.Width,
		SS: st.Signed, HS: ht.Signed, TS: tt.Signed, OS: ot.Signed,
		Table: tab.Codes, Offset: n.Attrs.Int("offset", 0), Shift: int(n.Attrs.Int("shift", 0)),
		DSat: gravnetDSat(tab.Codes, n.Attrs.Int("offset", 0), int(n.Attrs.Int("shift", 0))),
		RF:   int(n.Attrs.Int("recip_frac", 0)), FM: tt.Frac() + ht.Frac(), FO: ot.Frac(),
		Rnd: ot.Rounding, Ovf: ot.Overflow,
		L2: p.Distance == ir.DistanceL2, Self: p.IncludeSelf, Pipe: pipe,
		VW: int64(vt.Width), VS: vt.Signed, VT: ir.MaskThreshold(vt),
	}, nil
}

// gravnetDSat returns the distance code from which every table lookup
// gives 0 (the compiler's tables end in zeros), or 0 when the last entry is
// not 0. Saturating the distances in the top-k keys there is exact: the
// candidates at or beyond it all carry zero messages (trigo_gravnet_lane).
func gravnetDSat(table []int64, offset int64, shift int) uint64 {
	n := len(table)
	if n == 0 || table[n-1] != 0 {
		return 0
	}
	e0 := n - 1
	for e0 > 0 && table[e0-1] == 0 {
		e0--
	}
	if e0 == 0 {
		return 1 // every lookup gives 0; keep one distance bit
	}
	// The smallest d with floor((d - offset) / 2^shift) >= e0.
	d := new(big.Int).Lsh(big.NewInt(int64(e0)), uint(shift))
	d.Add(d, big.NewInt(offset))
	switch {
	case d.Sign() <= 0:
		return 1
	case d.BitLen() > 63:
		return 0
	}
	return d.Uint64()
}

func gkLog2(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

// T is the number of groups (cycles) per event.
func (k *gkKernel) T() int { return k.N / k.L }

// depth is the kernel's DEPTH: registers from the query counter to the
// output (the formulas of trigo_gravnet_agg).
func (k *gkKernel) depth() int {
	ke := min(k.K, k.N)
	lgke := gkLog2(ke)
	kp := 1 << lgke
	lgng := gkLog2((k.N + kp - 1) / kp)
	td := bits.OnesCount32(k.Pipe.SortRegs&(uint32(1)<<(lgke+1)-2)) + k.Pipe.MergeReg*lgng
	return k.Pipe.QReg + bits.OnesCount8(k.Pipe.Regs&0x3f) + td
}

// latency is the latency of the test top level (CONTRACT.md): input register, T groups
// in, the kernel, T groups out, output register.
func (k *gkKernel) latency() int { return 2*k.T() + k.depth() + 1 }

// params is the Verilog parameter list of the kernel instance.
func (k *gkKernel) params(indent string) string {
	return fmt.Sprintf(".N(%d), .L(%d), .S(%d), .P(%d), .K(%d),\n%s"+
		".WS(%d), .SS(%d), .WH(%d), .HS(%d), .TW(%d), .TS(%d), .TL(%d),\n%s"+
		".TABLE(%s),\n%s"+
		".OFFSET(%s), .SHIFT(%d), .DSAT(64'd%d), .RF(%d), .FM(%d), .OW(%d), .OS(%d), .FO(%d), .RND(%d), .OVF(%d),\n%s"+
		".L2(%d), .INCLUDE_SELF(%d), .TIE_HIGH(%d), .SORT_REGS(32'd%d), .MERGE_REG(%d), .REGS(8'd%d), .QREG(%d)",
		k.N, k.L, k.S, k.P, k.K, indent,
		k.WS, b01(k.SS), k.WH, b01(k.HS), k.TW, b01(k.TS), len(k.Table), indent,
		vecLit(bigs(k.Table), k.TW, indent+"  "), indent,
		lit(big.NewInt(k.Offset), 64), k.Shift, k.DSat, k.RF, k.FM, k.OW, b01(k.OS), k.FO, int(k.Rnd), int(k.Ovf), indent,
		b01(k.L2), b01(k.Self), b01(k.TieHigh), k.Pipe.SortRegs, k.Pipe.MergeReg, k.Pipe.Regs, k.Pipe.QReg)
}
