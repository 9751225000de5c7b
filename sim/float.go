package sim

import (
	"fmt"
	"math"

	"trigo/ir"
)

// Float is a compiled float reference executor. Every op computes its
// mathematical definition in float64 and rounds its result to float32.
type Float struct {
	g        *ir.Graph
	inSlots  []int
	outSlots []int
	bufs     [][]float32
	steps    []func()
}

// NewFloat validates the graph and compiles it for float execution. The
// graph must be a float graph (f32 inputs).
func NewFloat(g *ir.Graph) (*Float, error) {
	if g == nil {
		return nil, fmt.Errorf("sim: nil graph")
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("sim: invalid graph %q: %w", g.Name, err)
	}
	if g.IsFixed() {
		return nil, fmt.Errorf("sim: graph %q is quantised (fixed-point inputs): use NewFixed", g.Name)
	}
	if err := checkNoInt32(g); err != nil {
		return nil, err
	}
	s := newSlots(g)
	f := &Float{g: g, bufs: make([][]float32, len(s.values))}
	for i, v := range s.values {
		f.bufs[i] = make([]float32, v.Shape.Size())
		if c := s.consts[i]; c != nil {
			copy(f.bufs[i], c.Floats)
		}
	}
	for _, v := range g.Inputs {
		f.inSlots = append(f.inSlots, s.of(v.Name))
	}
	for _, o := range g.Outputs {
		f.outSlots = append(f.outSlots, s.of(o))
	}
	for _, n := range g.Nodes {
		step, err := f.compile(n, s)
		if err != nil {
			return nil, fmt.Errorf("sim: node %q (%s): %w", n.Name, n.Op, err)
		}
		f.steps = append(f.steps, step)
	}
	return f, nil
}

// Graph returns the compiled graph.
func (f *Float) Graph() *ir.Graph { return f.g }

// Run executes every event. It takes one Batch per graph input, in order,
// whose shapes match the inputs exactly, and returns one Batch per graph
// output in g.Outputs order.
func (f *Float) Run(inputs []Batch) ([]Batch, error) {
	events, err := checkBatches(f.g, inputs)
	if err != nil {
		return nil, err
	}
	outs := make([]Batch, len(f.outSlots))
	for i, name := range f.g.Outputs {
		outs[i] = NewBatch(events, f.g.Lookup(name).Shape)
	}
	for e := 0; e < events; e++ {
		for i, s := range f.inSlots {
			copy(f.bufs[s], inputs[i].Event(e))
		}
		for _, st := range f.steps {
			st()
		}
		for i, s := range f.outSlots {
			copy(outs[i].Event(e), f.bufs[s])
		}
	}
	return outs, nil
}

// checkBatches checks count, shapes, event counts and data lengths.
func checkBatches(g *ir.Graph, inputs []Batch) (int, error) {
	if len(inputs) != len(g.Inputs) {
		return 0, fmt.Errorf("sim: graph %q has %d inputs, got %d batches", g.Name, len(g.Inputs), len(inputs))
	}
	events := -1
	for i, v := range g.Inputs {
		b := &inputs[i]
		if !b.Shape.Equal(v.Shape) {
			return 0, fmt.Errorf("sim: input %q: expected shape %v, got %v", v.Name, v.Shape, b.Shape)
		}
		if b.Events < 0 || len(b.Data) != b.Events*v.Shape.Size() {
			return 0, fmt.Errorf("sim: input %q: %d events of shape %v need %d values, got %d", v.Name, b.Events, v.Shape, b.Events*v.Shape.Size(), len(b.Data))
		}
		if events >= 0 && b.Events != events {
			return 0, fmt.Errorf("sim: input %q has %d events, input %q has %d", v.Name, b.Events, g.Inputs[0].Name, events)
		}
		events = b.Events
	}
	return events, nil
}

func (f *Float) compile(n *ir.Node, s *slots) (func(), error) {
	if step, ok, err := f.compileGraphOp(n, s); ok {
		return step, err
	}
	in := func(i int) []float32 { return f.bufs[s.of(n.Inputs[i])] }
	inShape := func(i int) ir.Shape { return s.value(n.Inputs[i]).Shape }
	outV := n.Outputs[0]
	out := f.bufs[s.of(outV.Name)]
	x := in(0)
	unary := func(fn func(float64) float64) func() {
		return func() {
			for i, v := range x {
				out[i] = float32(fn(float64(v)))
			}
		}
	}
	switch n.Op {
	case "dense":
		w := in(1)
		var b []float32
		if len(n.Inputs) > 2 {
			b = in(2)
		}
		ws := inShape(1)
		K, N := ws[0], ws[1]
		rows := len(x) / K
		acc := make([]float64, N)
		return func() {
			for r := 0; r < rows; r++ {
				for j := range acc {
					acc[j] = 0
					if b != nil {
						acc[j] = float64(b[j])
					}
				}
				xr := x[r*K : (r+1)*K]
				for k, xv := range xr {
					xf := float64(xv)
					wr := w[k*N : (k+1)*N]
					for j, wv := range wr {
						acc[j] += xf * float64(wv)
					}
				}
				o := out[r*N : (r+1)*N]
				for j, a := range acc {
					o[j] = float32(a)
				}
			}
		}, nil
	case "conv":
		xs, ws := inShape(0), inShape(1)
		win, err := convWindow(n, xs, ws, outV.Shape)
		if err != nil {
			return nil, err
		}
		w := in(1)
		var b []float32
		if len(n.Inputs) > 2 {
			b = in(2)
		}
		cin, cout := xs[len(xs)-1], ws[len(ws)-1]
		acc := make([]float64, cout)
		return func() {
			for o := 0; o < win.nOut; o++ {
				for j := range acc {
					acc[j] = 0
					if b != nil {
						acc[j] = float64(b[j])
					}
				}
				for kk, p := range win.idx[o*win.nK : (o+1)*win.nK] {
					if p < 0 {
						continue
					}
					xr := x[int(p)*cin : (int(p)+1)*cin]
					wb := w[kk*cin*cout : (kk+1)*cin*cout]
					for ci, xv := range xr {
						xf := float64(xv)
						wr := wb[ci*cout : (ci+1)*cout]
						for j, wv := range wr {
							acc[j] += xf * float64(wv)
						}
					}
				}
				ob := out[o*cout : (o+1)*cout]
				for j, a := range acc {
					ob[j] = float32(a)
				}
			}
		}, nil
	case "add", "sub", "mul":
		a, b := x, in(1)
		ma := broadcastMap(inShape(0), outV.Shape)
		mb := broadcastMap(inShape(1), outV.Shape)
		var op func(a, b float64) float64
		switch n.Op {
		case "add":
			op = func(a, b float64) float64 { return a + b }
		case "sub":
			op = func(a, b float64) float64 { return a - b }
		default:
			op = func(a, b float64) float64 { return a * b }
		}
		return func() {
			for i := range out {
				ia, ib := i, i
				if ma != nil {
					ia = int(ma[i])
				}
				if mb != nil {
					ib = int(mb[i])
				}
				out[i] = float32(op(float64(a[ia]), float64(b[ib])))
			}
		}, nil
	case "relu":
		return unary(func(v float64) float64 {
			if v > 0 {
				return v
			}
			return 0
		}), nil
	case "leaky_relu":
		alpha := n.Attrs.Float("alpha", 0)
		return unary(func(v float64) float64 {
			if v >= 0 {
				return v
			}
			return alpha * v
		}), nil
	case "clip":
		lo := n.Attrs.Float("min", math.Inf(-1))
		hi := n.Attrs.Float("max", math.Inf(1))
		return unary(func(v float64) float64 {
			if v < lo {
				v = lo
			}
			if v > hi {
				v = hi
			}
			return v
		}), nil
	case "maxpool", "avgpool":
		xs := inShape(0)
		win, err := poolWindow(n, xs, outV.Shape)
		if err != nil {
			return nil, err
		}
		C := xs[len(xs)-1]
		acc := make([]float64, C)
		isMax := n.Op == "maxpool"
		inclPad := n.Attrs.Int("count_include_pad", 0) != 0
		return func() {
			for o := 0; o < win.nOut; o++ {
				for c := range acc {
					if isMax {
						acc[c] = math.Inf(-1)
					} else {
						acc[c] = 0
					}
				}
				for _, p := range win.idx[o*win.nK : (o+1)*win.nK] {
					if p < 0 {
						continue
					}
					xr := x[int(p)*C : (int(p)+1)*C]
					for c, v := range xr {
						if isMax {
							acc[c] = math.Max(acc[c], float64(v))
						} else {
							acc[c] += float64(v)
						}
					}
				}
				cnt := float64(win.valid[o])
				if inclPad {
					cnt = float64(win.nK)
				}
				ob := out[o*C : (o+1)*C]
				for c, a := range acc {
					if !isMax {
						a /= cnt
					}
					ob[c] = float32(a)
				}
			}
		}, nil
	case "reduce_sum", "reduce_max":
		axes, err := ir.NormAxes(n.Attrs.Ints("axes"), len(inShape(0)))
		if err != nil {
			return nil, err
		}
		m, _ := reduceMap(inShape(0), axes)
		acc := make([]float64, len(out))
		isMax := n.Op == "reduce_max"
		return func() {
			for i := range acc {
				if isMax {
					acc[i] = math.Inf(-1)
				} else {
					acc[i] = 0
				}
			}
			for i, v := range x {
				if isMax {
					acc[m[i]] = math.Max(acc[m[i]], float64(v))
				} else {
					acc[m[i]] += float64(v)
				}
			}
			for i, a := range acc {
				out[i] = float32(a)
			}
		}, nil
	case "reshape", "cast":
		return func() { copy(out, x) }, nil
	case "transpose":
		perm, err := ir.NormAxes(n.Attrs.Ints("perm"), len(inShape(0)))
		if err != nil {
			return nil, err
		}
		m := transposeMap(inShape(0), perm)
		return func() {
			for i, j := range m {
				out[i] = x[j]
			}
		}, nil
	case "concat":
		ax, err := normAxis(n.Attrs.Int("axis", 0), len(inShape(0)))
		if err != nil {
			return nil, err
		}
		shapes := make([]ir.Shape, len(n.Inputs))
		ins := make([][]float32, len(n.Inputs))
		for i := range n.Inputs {
			shapes[i], ins[i] = inShape(i), in(i)
		}
		p := newConcatPlan(shapes, ax)
		return func() {
			for o := 0; o < p.outer; o++ {
				for j, src := range ins {
					copy(out[o*p.outChunk+p.off[j]:], src[o*p.chunk[j]:(o+1)*p.chunk[j]])
				}
			}
		}, nil
	case "bipolar_quant":
		scale := float32(n.Attrs.Float("scale", 0))
		return func() {
			for i, v := range x {
				if v >= 0 {
					out[i] = scale
				} else {
					out[i] = -scale
				}
			}
		}, nil
	case "fake_quant":
		q, err := newQuantParams(n.Attrs)
		if err != nil {
			return nil, err
		}
		return unary(q.apply), nil
	case "table":
		// The float reference evaluates the tabulated function exactly.
		fn, err := ir.TableFunction(n.Attrs.String("function", ""), n.Attrs.Float("alpha", 0))
		if err != nil {
			return nil, err
		}
		return unary(fn), nil
	case "sigmoid":
		return unary(func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }), nil
	case "tanh":
		return unary(math.Tanh), nil
	case "exp":
		return unary(math.Exp), nil
	case "elu":
		alpha := n.Attrs.Float("alpha", 1.0)
		return unary(func(v float64) float64 {
			if v > 0 {
				return v
			}
			return alpha * math.Expm1(v)
		}), nil
	case "selu":
		alpha := n.Attrs.Float("alpha", 1.6732632423543772848170429916717)
		gamma := n.Attrs.Float("gamma", 1.0507009873554804934193349852946)
		return unary(func(v float64) float64 {
			if v > 0 {
				return gamma * v
			}
			return gamma * (alpha * math.Expm1(v))
		}), nil
	case "softmax":
		xs := inShape(0)
		ax, err := normAxis(n.Attrs.Int("axis", 0), len(xs))
		if err != nil {
			return nil, err
		}
		inner := 1
		for _, d := range xs[ax+1:] {
			inner *= d
		}
		outer := len(x) / (inner * xs[ax])
		L := xs[ax]
		tmp := make([]float64, L)
		return func() {
			for o := 0; o < outer; o++ {
				for in := 0; in < inner; in++ {
					base := o*L*inner + in
					mx := math.Inf(-1)
					for k := 0; k < L; k++ {
						mx = math.Max(mx, float64(x[base+k*inner]))
					}
					sum := 0.0
					for k := 0; k < L; k++ {
						tmp[k] = math.Exp(float64(x[base+k*inner]) - mx)
						sum += tmp[k]
					}
					for k := 0; k < L; k++ {
						out[base+k*inner] = float32(tmp[k] / sum)
					}
				}
			}
		}, nil
	}
	return nil, fmt.Errorf("op not supported by the float executor")
}
