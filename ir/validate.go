package ir

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// MaxExactBits bounds every exact intermediate of the fixed-point semantics
// (products, sums before conversion). The simulator computes in int64; the
// IR refuses graphs whose exact intermediates could need more bits.
const MaxExactBits = 63

// Validate checks the graph against the op table and the typing rules. It
// returns all problems found, joined, each naming the node or value.
func (g *Graph) Validate() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if g == nil {
		return errors.New("nil graph")
	}
	fixedGraph := g.IsFixed()
	defined := map[string]*Value{}
	consts := map[string]*Const{}
	define := func(v *Value, what string) {
		if v.Name == "" {
			fail("%s with an empty name", what)
			return
		}
		if _, dup := defined[v.Name]; dup {
			fail("%s %q: name already defined", what, v.Name)
		}
		defined[v.Name] = v
		for _, d := range v.Shape {
			if d < 1 {
				fail("%s %q: shape %v has a dimension < 1", what, v.Name, v.Shape)
			}
		}
		if err := checkType(v.Type); err != nil {
			fail("%s %q: %v", what, v.Name, err)
		}
		if v.Type.Kind == Float32 && fixedGraph {
			fail("%s %q is f32 in a quantised graph", what, v.Name)
		}
		if v.Type.Kind == Fixed && !fixedGraph {
			fail("%s %q is fixed-point in a float graph (inputs are f32)", what, v.Name)
		}
	}
	if len(g.Inputs) == 0 {
		fail("graph has no inputs")
	}
	for _, v := range g.Inputs {
		define(v, "input")
	}
	for _, c := range g.Consts {
		define(&c.Value, "const")
		consts[c.Name] = c
		if checkType(c.Type) != nil {
			continue // reported by define; the code range is undefined
		}
		if err := checkConstData(c); err != nil {
			fail("const %q: %v", c.Name, err)
		}
	}
	nodeNames := map[string]bool{}
	for _, n := range g.Nodes {
		where := fmt.Sprintf("node %q (%s)", n.Name, n.Op)
		if n.Name == "" {
			fail("%s: empty node name", where)
		}
		if nodeNames[n.Name] {
			fail("%s: node name used twice", where)
		}
		nodeNames[n.Name] = true
		spec := LookupOp(n.Op)
		if spec == nil {
			fail("%s: unknown op (supported: %s)", where, supportedOps())
			continue
		}
		if spec.Domain == FloatOnly && fixedGraph {
			fail("%s: op must be lowered before quantisation", where)
		}
		if spec.Domain == FixedOnly && !fixedGraph {
			fail("%s: op exists only in quantised graphs", where)
		}
		if len(n.Inputs) < spec.MinInputs || (spec.MaxInputs >= 0 && len(n.Inputs) > spec.MaxInputs) {
			fail("%s: %d inputs, want %d..%d", where, len(n.Inputs), spec.MinInputs, spec.MaxInputs)
			continue
		}
		if len(n.Outputs) != spec.Outputs {
			fail("%s: %d outputs, want %d", where, len(n.Outputs), spec.Outputs)
			continue
		}
		if err := checkAttrs(spec, n.Attrs); err != nil {
			fail("%s: %v", where, err)
			continue
		}
		ins := make([]*Value, len(n.Inputs))
		shapes := make([]Shape, len(n.Inputs))
		ok := true
		for i, name := range n.Inputs {
			v := defined[name]
			if v == nil {
				fail("%s: input %q is not defined before this node", where, name)
				ok = false
				continue
			}
			ins[i], shapes[i] = v, v.Shape
		}
		if !ok {
			continue
		}
		want, err := spec.Shapes(shapes, n.Attrs)
		if err != nil {
			fail("%s: %v", where, err)
		} else {
			for i, o := range n.Outputs {
				if !o.Shape.Equal(want[i]) {
					fail("%s: output %q has shape %v, op gives %v", where, o.Name, o.Shape, want[i])
				}
			}
		}
		for i, o := range n.Outputs {
			define(o, "value")
			if isInt := o.Type.Kind == Int32; isInt != spec.IsIntOutput(i) {
				if isInt {
					fail("%s: output %q is i32, but output %d of %s holds f32 or fixed-point values", where, o.Name, i, n.Op)
				} else {
					fail("%s: output %q is %s, want i32 (indices and counts)", where, o.Name, o.Type)
				}
			}
		}
		for _, v := range ins {
			if v.Type.Kind == Int32 {
				fail("%s: input %q is i32; no op reads i32 values (they are graph outputs only)", where, v.Name)
			}
		}
		if n.Op == "gravnet_agg" && !fixedGraph && len(n.Inputs) > 3 {
			fail("%s: the table input exists only in quantised graphs (the float graph computes exp exactly)", where)
		}
		if n.Op == "table" {
			if _, err := TableFunction(n.Attrs.String("function", ""), 0); err != nil {
				fail("%s: %v", where, err)
			}
			if lo, hi := n.Attrs.Float("lo", 0), n.Attrs.Float("hi", 0); !(lo < hi) {
				fail("%s: table range [%v, %v) is empty", where, lo, hi)
			}
			if sz := n.Attrs.Int("size", 0); sz < 2 || sz > 1<<20 {
				fail("%s: table size %d outside 2..1048576", where, sz)
			}
		}
		if fixedGraph {
			if err := checkFixedNode(n, ins, consts); err != nil {
				fail("%s: %v", where, err)
			}
		}
	}
	if len(g.Outputs) == 0 {
		fail("graph has no outputs")
	}
	for _, o := range g.Outputs {
		if defined[o] == nil {
			fail("output %q is not defined", o)
		}
	}
	return errors.Join(errs...)
}

func checkType(t Type) error {
	switch t.Kind {
	case Float32, Int32:
		return nil
	case Fixed:
		return t.Fixed.Validate()
	}
	return errors.New("invalid element type")
}

func checkConstData(c *Const) error {
	n := c.Shape.Size()
	switch c.Type.Kind {
	case Float32:
		if len(c.Floats) != n || c.Codes != nil {
			return fmt.Errorf("has %d float values, shape %v needs %d", len(c.Floats), c.Shape, n)
		}
		for i, f := range c.Floats {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return fmt.Errorf("element %d is %v: weights must be finite", i, f)
			}
		}
	case Fixed, Int32:
		if len(c.Codes) != n || c.Floats != nil {
			return fmt.Errorf("has %d codes, shape %v needs %d", len(c.Codes), c.Shape, n)
		}
		lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
		if c.Type.Kind == Fixed {
			lo, hi = c.Type.Fixed.MinCode(), c.Type.Fixed.MaxCode()
		}
		for i, v := range c.Codes {
			if v < lo || v > hi {
				return fmt.Errorf("element %d code %d outside %s range [%d,%d]", i, v, c.Type, lo, hi)
			}
		}
	}
	return nil
}

func checkAttrs(spec *OpSpec, a Attrs) error {
	for name, v := range a {
		as := spec.Attr(name)
		if as == nil {
			return fmt.Errorf("unknown attribute %q", name)
		}
		okKind := false
		switch v.(type) {
		case int64:
			okKind = as.Kind == AttrInt
		case float64:
			okKind = as.Kind == AttrFloat
		case string:
			okKind = as.Kind == AttrString
		case []int64:
			okKind = as.Kind == AttrInts
		case []float64:
			okKind = as.Kind == AttrFloats
		case []string:
			okKind = as.Kind == AttrStrings
		case Type:
			okKind = as.Kind == AttrType
		}
		if !okKind {
			return fmt.Errorf("attribute %q must be %s, got %T", name, as.Kind, v)
		}
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return fmt.Errorf("attribute %q is %v", name, f)
		}
	}
	for _, as := range spec.Attrs {
		if _, ok := a[as.Name]; as.Required && !ok {
			return fmt.Errorf("missing attribute %q", as.Name)
		}
	}
	return nil
}

// ceilLog2 returns the number of bits needed to count to n (n >= 1).
func ceilLog2(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

// ExactSumBits bounds the width of a sum of terms terms of termBits bits.
func ExactSumBits(termBits, terms int) int { return termBits + ceilLog2(terms) }

// AlignedBits is the width of a value of type t shifted to frac bits.
func AlignedBits(t Type, frac int) int {
	return t.Fixed.Width + frac - t.Fixed.Frac() + boolInt(!t.Fixed.Signed)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fixedIn(ins []*Value) error {
	for _, v := range ins {
		if v.Type.Kind != Fixed {
			return fmt.Errorf("input %q is %s, want a fixed-point type", v.Name, v.Type)
		}
	}
	return nil
}

// checkFixedNode enforces the typing rules of the quantised semantics.
func checkFixedNode(n *Node, ins []*Value, consts map[string]*Const) error {
	if err := fixedIn(ins); err != nil {
		return err
	}
	spec := LookupOp(n.Op)
	for i, o := range n.Outputs {
		if o.Type.Kind != Fixed && !spec.IsIntOutput(i) {
			return fmt.Errorf("output %q is %s, want a fixed-point type", o.Name, o.Type)
		}
	}
	switch n.Op {
	case "dense", "conv":
		acc, ok := n.Attrs.Type("acc")
		if !ok || acc.Kind != Fixed {
			return errors.New("quantised dense/conv needs a fixed-point acc attribute")
		}
		for _, i := range []int{1, 2} {
			if i < len(ins) && consts[ins[i].Name] == nil {
				return fmt.Errorf("input %q must be a constant", ins[i].Name)
			}
		}
		x, w := ins[0].Type, ins[1].Type
		ws := ins[1].Shape
		if len(ws) == 0 || ws[len(ws)-1] < 1 {
			return fmt.Errorf("weight shape %v has no output axis", ws)
		}
		terms := ws.Size() / ws[len(ws)-1]
		frac := x.Fixed.Frac() + w.Fixed.Frac()
		need := ExactSumBits(x.Fixed.Width+w.Fixed.Width, terms+1)
		if len(ins) > 2 {
			b := ins[2].Type
			if bf := b.Fixed.Frac(); bf > frac {
				need += bf - frac
				frac = bf
			}
			need = max(need, AlignedBits(b, frac)+1)
		}
		if need > MaxExactBits {
			return fmt.Errorf("exact accumulation needs %d bits (max %d): use narrower weights or inputs", need, MaxExactBits)
		}
	case "add", "sub":
		a, b := ins[0].Type, ins[1].Type
		frac := max(a.Fixed.Frac(), b.Fixed.Frac())
		if need := max(AlignedBits(a, frac), AlignedBits(b, frac)) + 1; need > MaxExactBits {
			return fmt.Errorf("exact sum needs %d bits (max %d)", need, MaxExactBits)
		}
	case "mul":
		if need := ins[0].Type.Fixed.Width + ins[1].Type.Fixed.Width; need > MaxExactBits {
			return fmt.Errorf("exact product needs %d bits (max %d)", need, MaxExactBits)
		}
	case "reduce_sum", "avgpool":
		if need := ins[0].Type.Fixed.Width + 1 + ceilLog2(ins[0].Shape.Size()) + int(n.Attrs.Int("recip_frac", 0)); need > MaxExactBits {
			return fmt.Errorf("exact sum needs %d bits (max %d)", need, MaxExactBits)
		}
		if n.Op == "avgpool" {
			if rf := n.Attrs.Int("recip_frac", -1); rf < 1 || rf > 32 {
				return errors.New("quantised avgpool needs recip_frac in 1..32")
			}
		}
	case "leaky_relu":
		a := n.Attrs.Float("alpha", 0) * (1 << 16)
		if a != math.Trunc(a) || math.Abs(a) > 1<<20 {
			return fmt.Errorf("alpha %v is not a multiple of 2^-16 within ±16", n.Attrs.Float("alpha", 0))
		}
		if need := ins[0].Type.Fixed.Width + 22; need > MaxExactBits {
			return fmt.Errorf("exact product needs %d bits (max %d)", need, MaxExactBits)
		}
	case "clip":
		x := ins[0].Type.Fixed
		for _, k := range []string{"min", "max"} {
			if _, ok := n.Attrs[k]; !ok {
				continue
			}
			c := math.Ldexp(n.Attrs.Float(k, 0), x.Frac())
			if c != math.Trunc(c) || math.Abs(c) > 1<<62 {
				return fmt.Errorf("%s %v does not lie on the input grid of %s", k, n.Attrs.Float(k, 0), x)
			}
		}
	case "gravnet_agg":
		return checkFixedGravNet(n, ins, consts)
	case "global_exchange":
		x := ins[0].Type.Fixed
		if rf := n.Attrs.Int("recip_frac", -1); rf < 1 || rf > 32 {
			return errors.New("quantised global_exchange needs recip_frac in 1..32")
		}
		if need := x.Width + 1 + ceilLog2(ins[0].Shape[0]) + int(n.Attrs.Int("recip_frac", 0)); need > MaxExactBits {
			return fmt.Errorf("exact mean needs %d bits (max %d)", need, MaxExactBits)
		}
	case "condensation":
		for _, k := range []string{"beta_code", "dist_code"} {
			if _, ok := n.Attrs[k].(int64); !ok {
				return fmt.Errorf("quantised condensation needs the threshold code attribute %s", k)
			}
		}
		if dc := n.Attrs.Int("dist_code", 0); dc < 0 {
			return fmt.Errorf("dist_code %d must be >= 0", dc)
		}
		c := ins[1]
		if need := 2*(c.Type.Fixed.Width+1) + ceilLog2(c.Shape[1]); need > MaxExactBits {
			return fmt.Errorf("exact squared distance of coords %q needs %d bits (max %d)", c.Name, need, MaxExactBits)
		}
	case "lut":
		t := consts[ins[1].Name]
		if t == nil || len(t.Shape) != 1 || t.Shape[0] < 1 {
			return errors.New("table must be a 1-D constant")
		}
		if s := n.Attrs.Int("shift", -1); s < 0 || s > 62 {
			return fmt.Errorf("shift %d outside 0..62", s)
		}
	}
	return nil
}

// checkFixedGravNet checks a quantised gravnet_agg: its weight table and
// the widths of the exact distances, messages and sums.
func checkFixedGravNet(n *Node, ins []*Value, consts map[string]*Const) error {
	if len(ins) < 4 {
		return errors.New("quantised gravnet_agg needs its weight table as the fourth input")
	}
	if t := consts[ins[3].Name]; t == nil || len(t.Shape) != 1 || t.Shape[0] < 1 {
		return errors.New("table must be a 1-D constant")
	}
	if s := n.Attrs.Int("shift", -1); s < 0 || s > 62 {
		return fmt.Errorf("shift %d outside 0..62", s)
	}
	if _, ok := n.Attrs["offset"].(int64); !ok {
		return errors.New("quantised gravnet_agg needs the table offset attribute")
	}
	rf := n.Attrs.Int("recip_frac", -1)
	if rf < 1 || rf > 32 {
		return errors.New("quantised gravnet_agg needs recip_frac in 1..32")
	}
	p, err := GravNet(n.Attrs)
	if err != nil {
		return err
	}
	s, h, t := ins[0], ins[1], ins[3]
	term := s.Type.Fixed.Width + 1 // |s_i - s_j|
	if p.Distance == DistanceL2 {
		term *= 2
	}
	if need := term + ceilLog2(s.Shape[1]); need > MaxExactBits {
		return fmt.Errorf("exact distance of s %q needs %d bits (max %d)", s.Name, need, MaxExactBits)
	}
	msg := t.Type.Fixed.Width + h.Type.Fixed.Width + 1
	if need := msg + ceilLog2(min(p.K, s.Shape[0])) + int(rf) + 1; need > MaxExactBits {
		return fmt.Errorf("exact mean of the messages needs %d bits (max %d): use a narrower table or h", need, MaxExactBits)
	}
	return nil
}
