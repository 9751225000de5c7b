package compiler

import (
	"errors"
	"fmt"
	"strings"

	"trigo/compiler/internal/onnx"
	"trigo/ir"
)

// TrigoDomain is the ONNX domain of trigo's graph ops, version
// TrigoDomainVersion. Exporters write nodes trigo::GravNetConv,
// trigo::GlobalExchange and trigo::Condensation on events padded to N
// vertices with a mask valid[B,N]; models/ holds the PyTorch side.
const (
	TrigoDomain        = "trigo"
	TrigoDomainVersion = 1
)

// TrigoOps lists the ops of the trigo domain.
var TrigoOps = []string{"GravNetConv", "GlobalExchange", "Condensation"}

// gravNetInputs names GravNetConv's inputs in order (PyTorch Geometric's
// parameter names; weights in torch.nn.Linear layout [out, in]).
var gravNetInputs = []string{"x", "valid", "lin_s.weight", "lin_s.bias", "lin_h.weight", "lin_h.bias",
	"lin_out1.weight", "lin_out2.weight", "lin_out2.bias"}

func (im *importer) importTrigo(n *onnx.Node, es []*entry) error {
	if v, ok := im.model.Opset(TrigoDomain); !ok || v != TrigoDomainVersion {
		got := "no opset import"
		if ok {
			got = fmt.Sprintf("version %d", v)
		}
		return fmt.Errorf("the model imports domain %q with %s; trigo supports version %d", TrigoDomain, got, TrigoDomainVersion)
	}
	switch n.OpType {
	case "GravNetConv":
		return im.importGravNet(n, es)
	case "GlobalExchange":
		return im.importGlobalExchange(n, es)
	case "Condensation":
		return im.importCondensation(n, es)
	}
	return fmt.Errorf("op %s::%s is not supported (supported: %s)", TrigoDomain, n.OpType, strings.Join(TrigoOps, ", "))
}

// trigoInputs checks the input count of a trigo-domain node and names the
// inputs for messages.
func trigoInputs(n *onnx.Node, es []*entry, names []string) error {
	if len(es) != len(names) {
		return fmt.Errorf("%s takes %d inputs (%s), got %d", n.OpType, len(names), strings.Join(names, ", "), len(es))
	}
	for i, e := range es {
		if e == nil {
			return fmt.Errorf("input %d (%s) is missing", i, names[i])
		}
	}
	return nil
}

// vertexInput checks that input i is event data of per-event rank rank
// ([N] or [N,F]) with n vertices (n < 0: any).
func vertexInput(es []*entry, names []string, i, rank, n int) error {
	e := es[i]
	if e.c != nil {
		return fmt.Errorf("input %d (%s) is a constant; it must be event data [batch,N%s]", i, names[i], strings.Repeat(",F", rank-1))
	}
	want := "[batch,N]"
	if rank == 2 {
		want = "[batch,N,F]"
	}
	if len(e.shape) != rank {
		return fmt.Errorf("input %d (%s) has shape [batch,%s], want %s", i, names[i], strings.Trim(e.shape.String(), "[]"), want)
	}
	if n >= 0 && e.shape[0] != n {
		return fmt.Errorf("input %d (%s) has %d vertices, %s has %d", i, names[i], e.shape[0], names[0], n)
	}
	return nil
}

// weightInput returns constant input i after checking its shape against
// want (-1 matches any size); spell describes the expected shape ("[S,Fin]").
func weightInput(n *onnx.Node, es []*entry, names []string, i int, want []int, spell string) (*constTensor, error) {
	e := es[i]
	if e.c == nil {
		return nil, fmt.Errorf("input %d (%s, %q) is not a constant: trigo compiles fixed weights, export them as initializers", i, names[i], n.Inputs[i])
	}
	ok := len(e.c.dims) == len(want)
	for j := 0; ok && j < len(want); j++ {
		ok = want[j] < 0 || e.c.dims[j] == want[j]
	}
	if !ok {
		w := make([]string, len(want))
		for j, d := range want {
			w[j] = "*"
			if d >= 0 {
				w[j] = fmt.Sprint(d)
			}
		}
		return nil, fmt.Errorf("input %d (%s, %q) has shape %v, expected %s = [%s]", i, names[i], n.Inputs[i], ir.Shape(e.c.dims), spell, strings.Join(w, ","))
	}
	return e.c, nil
}

// attrOf returns the attribute name when present, checking its ONNX type.
func attrOf(n *onnx.Node, name string, typ onnx.AttrType) (*onnx.Attribute, error) {
	a := n.Attr(name)
	if a == nil {
		return nil, nil
	}
	if a.Type != typ {
		return nil, fmt.Errorf("attribute %s is %s, want %s", name, a.Type, typ)
	}
	return a, nil
}

func (im *importer) importGravNet(n *onnx.Node, es []*entry) error {
	names := gravNetInputs
	if err := trigoInputs(n, es, names); err != nil {
		return err
	}
	if err := vertexInput(es, names, 0, 2, -1); err != nil {
		return err
	}
	x := es[0]
	N, Fin := x.shape[0], x.shape[1]
	if err := vertexInput(es, names, 1, 1, N); err != nil {
		return err
	}
	ws, err := weightInput(n, es, names, 2, []int{-1, Fin}, "[S,Fin]")
	if err != nil {
		return err
	}
	S := ws.dims[0]
	bs, err := weightInput(n, es, names, 3, []int{S}, "[S]")
	if err != nil {
		return err
	}
	wh, err := weightInput(n, es, names, 4, []int{-1, Fin}, "[P,Fin]")
	if err != nil {
		return err
	}
	P := wh.dims[0]
	bh, err := weightInput(n, es, names, 5, []int{P}, "[P]")
	if err != nil {
		return err
	}
	w1, err := weightInput(n, es, names, 6, []int{-1, Fin}, "[Fout,Fin]")
	if err != nil {
		return err
	}
	Fout := w1.dims[0]
	w2, err := weightInput(n, es, names, 7, []int{Fout, 2 * P}, "[Fout,2P]")
	if err != nil {
		return err
	}
	b2, err := weightInput(n, es, names, 8, []int{Fout}, "[Fout]")
	if err != nil {
		return err
	}
	for _, d := range []int{S, P, Fout} {
		if d < 1 {
			return errors.New("GravNetConv with an empty weight matrix")
		}
	}

	attrs := ir.Attrs{}
	a, err := attrOf(n, "k", onnx.AttrInt)
	if err != nil {
		return err
	}
	if a == nil {
		return errors.New("attribute k (the number of neighbours) is required")
	}
	attrs["k"] = a.I
	if a, err = attrOf(n, "exponent", onnx.AttrFloat); err != nil {
		return err
	} else if a != nil {
		attrs["exponent"] = float64(a.F)
	} else {
		attrs["exponent"] = ir.GravNetDefaultExponent
	}
	if a, err = attrOf(n, "include_self", onnx.AttrInt); err != nil {
		return err
	} else if a != nil {
		attrs["include_self"] = a.I
	} else {
		attrs["include_self"] = int64(1)
	}
	if a, err = attrOf(n, "distance", onnx.AttrString); err != nil {
		return err
	} else if a != nil {
		attrs["distance"] = string(a.S)
	} else {
		attrs["distance"] = ir.DistanceL2
	}
	if _, err := ir.GravNet(attrs); err != nil {
		return fmt.Errorf("attribute %w", err)
	}

	// Lower onto dense layers (each with its own precision in the config)
	// around the aggregation; the mask zeroes the padding vertices, which
	// lin_out1 and lin_out2's bias would otherwise fill.
	base := im.nodeName("gravnet")
	valid := es[1].v
	dense := func(suffix string, in string, inShape ir.Shape, w, b *constTensor) (string, ir.Shape, error) {
		wt, err := w.transpose([]int{1, 0})
		if err != nil {
			return "", nil, err
		}
		name := im.reserve(base + "." + suffix)
		ins := []string{in, im.addConst(name+".weight", wt, ir.Shape(wt.dims))}
		if b != nil {
			ins = append(ins, im.addConst(name+".bias", b, ir.Shape{b.size()}))
		}
		shape := ir.Shape{inShape[0], wt.dims[1]}
		return im.emitNamed(name, "dense", ins, nil, name+".out", shape), shape, nil
	}
	s, _, err := dense("lin_s", x.v, x.shape, ws, bs)
	if err != nil {
		return err
	}
	h, _, err := dense("lin_h", x.v, x.shape, wh, bh)
	if err != nil {
		return err
	}
	aggName := im.reserve(base + ".agg")
	aggShape := ir.Shape{N, 2 * P}
	agg := im.emitNamed(aggName, "gravnet_agg", []string{s, h, valid}, attrs, aggName+".out", aggShape)
	o1, _, err := dense("lin_out1", x.v, x.shape, w1, nil)
	if err != nil {
		return err
	}
	o2, _, err := dense("lin_out2", agg, aggShape, w2, b2)
	if err != nil {
		return err
	}
	shape := ir.Shape{N, Fout}
	addName := im.reserve(base + ".add")
	sum := im.emitNamed(addName, "add", []string{o1, o2}, nil, addName+".out", shape)
	out := im.emitNamed(base, "mask", []string{sum, valid}, nil, im.out(n, 0), shape)
	im.result(n, 0, out, shape)
	return nil
}

func (im *importer) importGlobalExchange(n *onnx.Node, es []*entry) error {
	names := []string{"x", "valid"}
	if err := trigoInputs(n, es, names); err != nil {
		return err
	}
	if err := vertexInput(es, names, 0, 2, -1); err != nil {
		return err
	}
	x := es[0]
	if err := vertexInput(es, names, 1, 1, x.shape[0]); err != nil {
		return err
	}
	attrs := ir.Attrs{}
	a, err := attrOf(n, "ops", onnx.AttrStrings)
	if err != nil {
		return err
	}
	if a != nil {
		ops := make([]string, len(a.Strings))
		for i, s := range a.Strings {
			ops[i] = string(s)
		}
		attrs["ops"] = ops
	}
	ops, err := ir.GlobalExchangeOps(attrs)
	if err != nil {
		return fmt.Errorf("attribute %w", err)
	}
	shape := ir.Shape{x.shape[0], x.shape[1] * (1 + len(ops))}
	v := im.emit("global_exchange", []string{x.v, es[1].v}, attrs, im.out(n, 0), shape)
	im.result(n, 0, v, shape)
	return nil
}

func (im *importer) importCondensation(n *onnx.Node, es []*entry) error {
	names := []string{"beta", "coords", "valid", "payload"}
	if err := trigoInputs(n, es, names); err != nil {
		return err
	}
	if err := vertexInput(es, names, 0, 1, -1); err != nil {
		return err
	}
	N := es[0].shape[0]
	for i, rank := range []int{2, 1, 2} {
		if err := vertexInput(es, names, i+1, rank, N); err != nil {
			return err
		}
	}
	attrs := ir.Attrs{}
	for _, name := range []string{"t_beta", "t_d"} {
		a, err := attrOf(n, name, onnx.AttrFloat)
		if err != nil {
			return err
		}
		if a == nil {
			return fmt.Errorf("attribute %s is required", name)
		}
		attrs[name] = float64(a.F)
	}
	a, err := attrOf(n, "max_clusters", onnx.AttrInt)
	if err != nil {
		return err
	}
	if a == nil {
		return errors.New("attribute max_clusters is required")
	}
	attrs["max_clusters"] = a.I
	p, err := ir.Condensation(attrs)
	if err != nil {
		return fmt.Errorf("attribute %w", err)
	}
	if len(n.Outputs) > 3 {
		return fmt.Errorf("Condensation has 3 outputs (assign, clusters, n_clusters), got %d", len(n.Outputs))
	}
	name := im.nodeName("condensation")
	shapes := []ir.Shape{{N}, {p.MaxClusters, 1 + es[3].shape[1]}, {}}
	types := []ir.Type{ir.I32, ir.F32, ir.I32}
	suffix := []string{".assign", ".clusters", ".n_clusters"}
	node := &ir.Node{Name: name, Op: "condensation", Inputs: []string{es[0].v, es[1].v, es[2].v, es[3].v}, Attrs: attrs}
	for i := range shapes {
		out := im.out(n, i)
		if out == "" || im.g.Lookup(out) != nil {
			out = im.g.UniqueName(name + suffix[i])
		}
		node.Outputs = append(node.Outputs, &ir.Value{Name: out, Type: types[i], Shape: shapes[i]})
	}
	im.g.Nodes = append(im.g.Nodes, node)
	for i, o := range node.Outputs {
		im.result(n, i, o.Name, o.Shape)
	}
	return nil
}

// importSlice slices event data along per-event axes. The event axis may
// appear only with a full range (exporters write x[:, a:b] that way).
func (im *importer) importSlice(n *onnx.Node, es []*entry) error {
	x := es[0]
	rank := len(x.shape) + 1
	var starts, ends, axes, steps []int
	if im.opset < 10 {
		starts, ends, axes = attrInts(n, "starts"), attrInts(n, "ends"), attrInts(n, "axes")
	} else {
		for i, p := range []*[]int{&starts, &ends, &axes, &steps} {
			if i+1 >= len(es) || es[i+1] == nil {
				continue
			}
			if es[i+1].c == nil {
				return errors.New("Slice starts, ends, axes and steps must be constants")
			}
			v, err := es[i+1].c.ints()
			if err != nil {
				return err
			}
			*p = v
		}
	}
	if axes == nil {
		for i := range starts {
			axes = append(axes, i)
		}
	}
	if len(starts) != len(axes) || len(ends) != len(axes) || (steps != nil && len(steps) != len(axes)) {
		return fmt.Errorf("Slice starts %v, ends %v, axes %v and steps %v differ in length", starts, ends, axes, steps)
	}
	var irAxes, irStarts, irEnds, irSteps []int64
	for i, a := range axes {
		step := 1
		if steps != nil {
			step = steps[i]
		}
		if a < 0 {
			a += rank
		}
		if a < 0 || a >= rank {
			return fmt.Errorf("Slice axis %d out of range for rank %d", axes[i], rank)
		}
		if step < 1 {
			return fmt.Errorf("Slice step %d on axis %d is not supported (only positive steps)", step, a)
		}
		if a == 0 {
			if starts[i] != 0 || ends[i] < im.batch || ends[i] < 1 || step != 1 {
				return errors.New("Slice of the event (batch) axis is not supported: each event is processed on its own")
			}
			continue
		}
		d := x.shape[a-1]
		clampIdx := func(v int) int {
			if v < 0 {
				v += d
			}
			return min(max(v, 0), d)
		}
		s, e := clampIdx(starts[i]), clampIdx(ends[i])
		if e <= s {
			return fmt.Errorf("Slice [%d:%d] of axis %d (size %d) is empty", starts[i], ends[i], a, d)
		}
		if s == 0 && e == d && step == 1 {
			continue // the whole axis
		}
		irAxes = append(irAxes, int64(a-1))
		irStarts, irEnds, irSteps = append(irStarts, int64(s)), append(irEnds, int64(e)), append(irSteps, int64(min(step, d)))
	}
	if len(irAxes) == 0 {
		im.env[n.Outputs[0]] = x
		return nil
	}
	attrs := ir.Attrs{"axes": irAxes, "starts": irStarts, "ends": irEnds, "steps": irSteps}
	shapes, err := ir.LookupOp("slice").Shapes([]ir.Shape{x.shape}, attrs)
	if err != nil {
		return err
	}
	v := im.emit("slice", []string{x.v}, attrs, im.out(n, 0), shapes[0])
	im.result(n, 0, v, shapes[0])
	return nil
}

// importSplit splits event data along a per-event axis into slices.
func (im *importer) importSplit(n *onnx.Node, es []*entry) error {
	x := es[0]
	rank := len(x.shape) + 1
	ax, err := eventAxis(int(attrInt(n, "axis", 0)), rank)
	if err != nil {
		return err
	}
	d := x.shape[ax]
	var parts []int
	switch {
	case im.opset >= 13 && len(es) > 1 && es[1] != nil:
		if es[1].c == nil {
			return errors.New("Split sizes must be a constant")
		}
		if parts, err = es[1].c.ints(); err != nil {
			return err
		}
	case im.opset < 13 && n.Attr("split") != nil:
		parts = attrInts(n, "split")
	default:
		k := len(n.Outputs)
		if k < 1 || d%k != 0 {
			return fmt.Errorf("Split of axis %d (size %d) into %d equal parts", ax+1, d, k)
		}
		for range n.Outputs {
			parts = append(parts, d/k)
		}
	}
	if len(parts) != len(n.Outputs) {
		return fmt.Errorf("Split into %d parts with %d outputs", len(parts), len(n.Outputs))
	}
	total := 0
	for _, p := range parts {
		if p < 1 {
			return fmt.Errorf("Split part sizes %v must be >= 1", parts)
		}
		total += p
	}
	if total != d {
		return fmt.Errorf("Split part sizes %v add up to %d, axis %d has %d", parts, total, ax+1, d)
	}
	base := im.nodeName("split")
	off := 0
	for i, p := range parts {
		attrs := ir.Attrs{"axes": []int64{int64(ax)}, "starts": []int64{int64(off)}, "ends": []int64{int64(off + p)}, "steps": []int64{1}}
		off += p
		if n.Outputs[i] == "" {
			continue
		}
		shape := x.shape.Clone()
		shape[ax] = p
		v := im.emitNamed(im.reserve(fmt.Sprintf("%s.%d", base, i)), "slice", []string{x.v}, attrs, im.out(n, i), shape)
		im.result(n, i, v, shape)
	}
	return nil
}

// importCast passes event data through a cast to a float type (bool or
// float masks turned into float); other targets have no IR equivalent.
func (im *importer) importCast(n *onnx.Node, x *entry) error {
	to := onnx.DataType(attrInt(n, "to", int64(onnx.Float)))
	switch to {
	case onnx.Float, onnx.Double, onnx.Float16, onnx.BFloat16:
		im.env[n.Outputs[0]] = x
		return nil
	}
	return fmt.Errorf("Cast of event data to %v is not supported (only to float types: trigo computes on real values)", to)
}

// isInputType reports whether an ONNX graph input element type is accepted
// for event data: floats, and bool or integers (masks such as valid), which
// the IR carries as f32 values (0/1 for bool).
func isInputType(t onnx.DataType) bool {
	switch t {
	case onnx.Float, onnx.Double, onnx.Float16, onnx.Undefined, onnx.Bool,
		onnx.Int8, onnx.Uint8, onnx.Int16, onnx.Uint16, onnx.Int32, onnx.Int64:
		return true
	}
	return false
}
