package rtlsim

// The harnesses of both simulators decide, independently in every cycle,
// whether to leave s_axis_tvalid low (an input gap, only between beats:
// a presented beat stays valid until it is accepted, as AXI4-Stream
// requires) and whether to pull m_axis_tready low (an output stall). The
// decisions are a counter-based hash of (seed, cycle, channel), computed
// identically by the C++ harness, the Verilog testbench and this Go
// reference, so a seed gives the same stall pattern in every simulator and
// the pattern never runs out.
//
//	gap(c)   = mix(seed, 2c)   mod 100 < InGapPercent
//	stall(c) = mix(seed, 2c+1) mod 100 < OutStallPercent
//
// except in the calm window: while the number of accepted input events is
// at least calmFirst and the number of output events is below
// calmFirst+calmEvents, there are no gaps and no stalls (the stretch where
// latency and II are measured).

// mix is the splitmix64 output function of seed + (x+1)·golden ratio.
func mix(seed, x uint64) uint64 {
	z := seed + (x+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Gap reports whether the harness leaves s_axis_tvalid low in cycle c
// (outside the calm window, when no beat is pending).
func Gap(seed uint64, percent int, c int64) bool {
	return mix(seed, 2*uint64(c))%100 < uint64(max(percent, 0))
}

// Stall reports whether the harness pulls m_axis_tready low in cycle c
// (outside the calm window).
func Stall(seed uint64, percent int, c int64) bool {
	return mix(seed, 2*uint64(c)+1)%100 < uint64(max(percent, 0))
}
