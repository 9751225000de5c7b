package verilog

import "math"

// DelayModel estimates combinational delays (ns) for the scheduler, which
// decides where pipeline registers go. The defaults are estimates for a
// Xilinx UltraScale/UltraScale+ device, speed grade -2 (Belle II UT4 class
// boards), with typical routing included in each figure. They are an
// estimate to be calibrated against post-route timing reports, not a
// timing sign-off: the scheduler only needs them to be about right.
type DelayModel struct {
	// RegOverhead is subtracted from the clock period: clock-to-out,
	// setup and clock uncertainty.
	RegOverhead float64
	// LUT is one level of 6-input LUT logic with its net.
	LUT float64
	// AddBase + AddPerBit·w is a w-bit carry-chain adder, subtractor or
	// comparator (LUT + CARRY8 chain + net).
	AddBase, AddPerBit float64
	// Add3Extra is added for a three-input (ternary) adder level.
	Add3Extra float64
	// MulDSP is a multiplication that fits one DSP48E2 (27×18 signed),
	// combinational, with its nets; MulCascade is added per further DSP
	// when the operands need several.
	MulDSP, MulCascade float64
	// ROM read of a distributed ROM with a address bits: one LUT up to 6
	// bits, ROMMux per bit from 7 to 9 (MUXF7..F9), then one LUT level per
	// further 2 bits.
	ROMMux float64
}

// DefaultDelayModel is used when Options.Delays is nil.
func DefaultDelayModel() *DelayModel {
	return &DelayModel{
		RegOverhead: 0.40,
		LUT:         0.35,
		AddBase:     0.45,
		AddPerBit:   0.010,
		Add3Extra:   0.15,
		MulDSP:      2.30,
		MulCascade:  1.00,
		ROMMux:      0.10,
	}
}

// budget is the combinational time available per stage at f MHz.
func (m *DelayModel) budget(mhz float64) float64 { return 1000/mhz - m.RegOverhead }

func (m *DelayModel) add(w int) float64 { return m.AddBase + m.AddPerBit*float64(w) }

func (m *DelayModel) add3(w int) float64 { return m.add(w) + m.Add3Extra }

// mul is a DSP multiplication of an a-bit by a b-bit signed operand.
func (m *DelayModel) mul(a, b int) float64 {
	if a < b {
		a, b = b, a
	}
	// A DSP48E2 multiplies 27×18 signed. Wider operands need a cascade.
	n := int(math.Ceil(float64(a)/26)) * int(math.Ceil(float64(b)/17))
	if n < 1 {
		n = 1
	}
	return m.MulDSP + m.MulCascade*float64(n-1)
}

// rom is a distributed-ROM read with a address bits.
func (m *DelayModel) rom(a int) float64 {
	d := m.LUT
	if a > 6 {
		d += m.ROMMux * float64(min(a, 9)-6)
	}
	if a > 9 {
		d += m.LUT * float64((a-9+1)/2)
	}
	return d
}

// lookup is a ROM read followed by the clamp select (entry 0 below the
// table, the last entry above it), the comparisons running in parallel
// with the read. The select merges into the ROM's last LUT level when that
// level is a 2:1 multiplexer (an odd number of address bits above 9: 3
// data/select inputs plus the two clamp flags fit a LUT6); otherwise it is
// one more LUT level.
func (m *DelayModel) lookup(a int, cmp float64) float64 {
	if a > 9 && (a-9)%2 == 1 {
		return max(m.rom(a)-m.LUT, cmp) + m.LUT
	}
	return max(m.rom(a), cmp) + m.LUT
}

// mux is the operand multiplexer of a time-multiplexed layer: r inputs
// selected by a phase register of p bits. A LUT6 is a 4:1 multiplexer and
// MUXF7/MUXF8 double it twice, like a ROM read with log2(r)+4 address
// bits; one more LUT level decodes the select when the phase has more
// bits than log2(r) and the inputs do not fit one LUT.
func (m *DelayModel) mux(r, p int) float64 {
	if r <= 1 {
		return 0
	}
	a := clog(r, 2)
	d := m.rom(a + 4)
	if p > a && r+p > 6 {
		d += m.LUT
	}
	return d
}

// accumulate is the accumulator of a time-multiplexed layer: a w-bit
// adder whose feedback operand is the accumulator or, at the first phase,
// the constant term (the select sits in the adder's LUTs).
func (m *DelayModel) accumulate(w int) float64 { return m.add(w) }
