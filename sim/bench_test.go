package sim

import (
	"math/rand/v2"
	"testing"
	"time"

	"trigo/ir"
	"trigo/ir/fixed"
)

func fx(w, i int, q fixed.Rounding, o fixed.Overflow) ir.Type {
	return ir.FixedOf(fixed.Type{Signed: true, Width: w, Int: i, Rounding: q, Overflow: o})
}

// benchBuilder assembles quantised graphs with random weights.
type benchBuilder struct {
	g *ir.Graph
	r *rand.Rand
	n int
}

func (b *benchBuilder) constant(t ir.Type, shape ir.Shape) string {
	b.n++
	c := &ir.Const{Value: ir.Value{Name: b.g.UniqueName("w"), Type: t, Shape: shape}, Codes: make([]int64, shape.Size())}
	// Small weights (|w| < 1/4) keep most activations in range, as in a
	// trained network.
	lo, hi := max(t.Fixed.MinCode(), -16), min(t.Fixed.MaxCode(), 16)
	for i := range c.Codes {
		c.Codes[i] = lo + b.r.Int64N(hi-lo+1)
	}
	b.g.Consts = append(b.g.Consts, c)
	return c.Name
}

func (b *benchBuilder) node(op string, ins []string, attrs ir.Attrs, t ir.Type, shape ir.Shape) string {
	name := b.g.UniqueName(op)
	b.g.Nodes = append(b.g.Nodes, &ir.Node{Name: name, Op: op, Inputs: ins, Attrs: attrs,
		Outputs: []*ir.Value{{Name: name + ".y", Type: t, Shape: shape}}})
	return name + ".y"
}

var (
	actT = fx(16, 6, fixed.RND, fixed.SAT)
	wT   = fx(8, 2, fixed.TRN, fixed.WRAP)
	bT   = fx(12, 4, fixed.TRN, fixed.WRAP)
	accT = fx(32, 12, fixed.TRN, fixed.WRAP)
)

// jetTagger is the hls4ml jet-tagging MLP: 16 -> 64 -> 32 -> 32 -> 5.
func jetTagger() *ir.Graph {
	b := &benchBuilder{g: &ir.Graph{Name: "jet"}, r: rand.New(rand.NewPCG(5, 6))}
	b.g.Inputs = []*ir.Value{{Name: "x", Type: actT, Shape: ir.Shape{16}}}
	x, n := "x", 16
	for i, m := range []int{64, 32, 32, 5} {
		x = b.node("dense", []string{x, b.constant(wT, ir.Shape{n, m}), b.constant(bT, ir.Shape{m})},
			ir.Attrs{"acc": accT}, actT, ir.Shape{m})
		if i < 3 {
			x = b.node("relu", []string{x}, nil, actT, ir.Shape{m})
		}
		n = m
	}
	b.g.Outputs = []string{x}
	return b.g
}

// smallCNN: [16,16,3] -> conv3x3(8) -> relu -> maxpool2 -> conv3x3(16) -> relu -> avgpool -> dense(5).
func smallCNN() *ir.Graph {
	b := &benchBuilder{g: &ir.Graph{Name: "cnn"}, r: rand.New(rand.NewPCG(7, 8))}
	b.g.Inputs = []*ir.Value{{Name: "x", Type: actT, Shape: ir.Shape{16, 16, 3}}}
	x := b.node("conv", []string{"x", b.constant(wT, ir.Shape{3, 3, 3, 8}), b.constant(bT, ir.Shape{8})},
		ir.Attrs{"acc": accT, "pads": []int64{1, 1, 1, 1}}, actT, ir.Shape{16, 16, 8})
	x = b.node("relu", []string{x}, nil, actT, ir.Shape{16, 16, 8})
	x = b.node("maxpool", []string{x}, ir.Attrs{"kernel": []int64{2, 2}, "strides": []int64{2, 2}}, actT, ir.Shape{8, 8, 8})
	x = b.node("conv", []string{x, b.constant(wT, ir.Shape{3, 3, 8, 16}), b.constant(bT, ir.Shape{16})},
		ir.Attrs{"acc": accT}, actT, ir.Shape{6, 6, 16})
	x = b.node("relu", []string{x}, nil, actT, ir.Shape{6, 6, 16})
	x = b.node("avgpool", []string{x}, ir.Attrs{"kernel": []int64{6, 6}, "recip_frac": int64(12)}, actT, ir.Shape{1, 1, 16})
	x = b.node("reshape", []string{x}, ir.Attrs{"shape": []int64{16}}, actT, ir.Shape{16})
	x = b.node("dense", []string{x, b.constant(wT, ir.Shape{16, 5})}, ir.Attrs{"acc": accT}, actT, ir.Shape{5})
	b.g.Outputs = []string{x}
	return b.g
}

func benchFixed(b *testing.B, g *ir.Graph) {
	f, err := NewFixed(g)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 10))
	const events = 256
	in := make([]Batch, len(g.Inputs))
	for i, v := range g.Inputs {
		in[i] = NewBatch(events, v.Shape)
		for j := range in[i].Data {
			in[i].Data[j] = float32(r.NormFloat64() * 4)
		}
	}
	codes, err := f.Quantize(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := f.Run(codes); err != nil {
			b.Fatal(err)
		}
	}
	reportPerEvent(b, events, cpuTime()-cpu0)
}

func BenchmarkFixedDense(b *testing.B) { benchFixed(b, jetTagger()) }

func BenchmarkFixedConv(b *testing.B) { benchFixed(b, smallCNN()) }

func BenchmarkFloatDense(b *testing.B) {
	g := jetTagger()
	// The same network as a float graph.
	for _, v := range g.Inputs {
		v.Type = ir.F32
	}
	for _, c := range g.Consts {
		c.Floats = make([]float32, len(c.Codes))
		for i, code := range c.Codes {
			c.Floats[i] = float32(c.Type.Fixed.Float(code))
		}
		c.Type, c.Codes = ir.F32, nil
	}
	for _, n := range g.Nodes {
		delete(n.Attrs, "acc")
		n.Outputs[0].Type = ir.F32
	}
	f, err := NewFloat(g)
	if err != nil {
		b.Fatal(err)
	}
	const events = 256
	in := []Batch{NewBatch(events, ir.Shape{16})}
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := f.Run(in); err != nil {
			b.Fatal(err)
		}
	}
	reportPerEvent(b, events, cpuTime()-cpu0)
}

func TestBenchGraphsRun(t *testing.T) {
	for _, g := range []*ir.Graph{jetTagger(), smallCNN()} {
		f, err := NewFixed(g)
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.RunEvent([][]int64{make([]int64, g.Inputs[0].Shape.Size())})
		if err != nil || len(out[0]) != 5 {
			t.Fatalf("%s: %v %v", g.Name, out, err)
		}
	}
}

// reportPerEvent reports wall-clock and CPU nanoseconds per event (the CPU
// time is meaningful on a loaded machine; it includes the GC's).
func reportPerEvent(b *testing.B, events int, cpu time.Duration) {
	n := float64(b.N * events)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/event")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/event")
	}
}
