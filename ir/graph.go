package ir

import (
	"fmt"
	"sort"
)

// Value is a named tensor: a graph input, a constant or a node output.
type Value struct {
	Name  string
	Type  Type
	Shape Shape
}

// Const is a constant tensor stored in the IR: weights, biases and lookup
// tables. Float constants keep their float32 values; fixed-point and int32
// constants keep integer codes (value = code * 2^-frac).
type Const struct {
	Value
	Floats []float32 // Type.Kind == Float32
	Codes  []int64   // Type.Kind == Fixed or Int32
}

// Float returns element i as a float64 (dequantised for fixed constants).
func (c *Const) Float(i int) float64 {
	switch c.Type.Kind {
	case Float32:
		return float64(c.Floats[i])
	case Fixed:
		return c.Type.Fixed.Float(c.Codes[i])
	default:
		return float64(c.Codes[i])
	}
}

// Len is the number of stored elements.
func (c *Const) Len() int {
	if c.Type.Kind == Float32 {
		return len(c.Floats)
	}
	return len(c.Codes)
}

// Node is one op application. Its name is the layer name users see in
// configs and reports.
type Node struct {
	Name    string
	Op      string
	Inputs  []string
	Attrs   Attrs
	Outputs []*Value
}

// Output returns the node's first output.
func (n *Node) Output() *Value { return n.Outputs[0] }

// Attrs holds an op's attributes. Values are int64, float64, string,
// []int64, []float64, []string or Type, as the op table declares.
type Attrs map[string]any

// Int returns an int attribute or def when absent.
func (a Attrs) Int(name string, def int64) int64 {
	if v, ok := a[name].(int64); ok {
		return v
	}
	return def
}

// Float returns a float attribute or def when absent.
func (a Attrs) Float(name string, def float64) float64 {
	if v, ok := a[name].(float64); ok {
		return v
	}
	return def
}

// String returns a string attribute or def when absent.
func (a Attrs) String(name, def string) string {
	if v, ok := a[name].(string); ok {
		return v
	}
	return def
}

// Ints returns an int-list attribute (nil when absent).
func (a Attrs) Ints(name string) []int64 {
	v, _ := a[name].([]int64)
	return v
}

// Floats returns a float-list attribute (nil when absent).
func (a Attrs) Floats(name string) []float64 {
	v, _ := a[name].([]float64)
	return v
}

// Strings returns a string-list attribute (nil when absent).
func (a Attrs) Strings(name string) []string {
	v, _ := a[name].([]string)
	return v
}

// Type returns a type attribute.
func (a Attrs) Type(name string) (Type, bool) {
	v, ok := a[name].(Type)
	return v, ok
}

// Clone returns a shallow copy with copied slices.
func (a Attrs) Clone() Attrs {
	out := make(Attrs, len(a))
	for k, v := range a {
		switch x := v.(type) {
		case []int64:
			out[k] = append([]int64(nil), x...)
		case []float64:
			out[k] = append([]float64(nil), x...)
		case []string:
			out[k] = append([]string(nil), x...)
		default:
			out[k] = v
		}
	}
	return out
}

// Graph is a model: inputs, constants, nodes in topological order, outputs.
type Graph struct {
	Name    string
	Inputs  []*Value
	Consts  []*Const
	Nodes   []*Node
	Outputs []string
}

// Lookup finds a value (input, constant or node output) by name.
func (g *Graph) Lookup(name string) *Value {
	for _, v := range g.Inputs {
		if v.Name == name {
			return v
		}
	}
	for _, c := range g.Consts {
		if c.Name == name {
			return &c.Value
		}
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o.Name == name {
				return o
			}
		}
	}
	return nil
}

// Index maps names to values and constants for repeated lookups.
type Index struct {
	Values   map[string]*Value
	Consts   map[string]*Const
	Producer map[string]*Node // node defining each value
	Users    map[string][]*Node
}

// BuildIndex indexes the graph. It does not validate; duplicate names keep
// the last definition.
func (g *Graph) BuildIndex() *Index {
	ix := &Index{
		Values:   map[string]*Value{},
		Consts:   map[string]*Const{},
		Producer: map[string]*Node{},
		Users:    map[string][]*Node{},
	}
	for _, v := range g.Inputs {
		ix.Values[v.Name] = v
	}
	for _, c := range g.Consts {
		ix.Values[c.Name] = &c.Value
		ix.Consts[c.Name] = c
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			ix.Values[o.Name] = o
			ix.Producer[o.Name] = n
		}
		for _, in := range n.Inputs {
			ix.Users[in] = append(ix.Users[in], n)
		}
	}
	return ix
}

// Const returns the constant with this name, or nil.
func (g *Graph) Const(name string) *Const {
	for _, c := range g.Consts {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Node returns the node with this name, or nil.
func (g *Graph) Node(name string) *Node {
	for _, n := range g.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// IsFixed reports whether the graph has been quantised (its inputs are fixed).
func (g *Graph) IsFixed() bool {
	for _, v := range g.Inputs {
		if v.Type.Kind == Fixed {
			return true
		}
	}
	return false
}

// RemoveUnused drops constants and nodes whose results nobody uses.
func (g *Graph) RemoveUnused() {
	live := map[string]bool{}
	for _, o := range g.Outputs {
		live[o] = true
	}
	var keep []*Node
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		n := g.Nodes[i]
		used := false
		for _, o := range n.Outputs {
			if live[o.Name] {
				used = true
			}
		}
		if !used {
			continue
		}
		for _, in := range n.Inputs {
			live[in] = true
		}
		keep = append(keep, n)
	}
	for i, j := 0, len(keep)-1; i < j; i, j = i+1, j-1 {
		keep[i], keep[j] = keep[j], keep[i]
	}
	g.Nodes = keep
	var consts []*Const
	for _, c := range g.Consts {
		if live[c.Name] {
			consts = append(consts, c)
		}
	}
	g.Consts = consts
}

// UniqueName returns base, or base with a numeric suffix, so that it names
// nothing in the graph yet.
func (g *Graph) UniqueName(base string) string {
	taken := map[string]bool{}
	for _, v := range g.Inputs {
		taken[v.Name] = true
	}
	for _, c := range g.Consts {
		taken[c.Name] = true
	}
	for _, n := range g.Nodes {
		taken[n.Name] = true
		for _, o := range n.Outputs {
			taken[o.Name] = true
		}
	}
	if !taken[base] {
		return base
	}
	for i := 1; ; i++ {
		s := fmt.Sprintf("%s_%d", base, i)
		if !taken[s] {
			return s
		}
	}
}

// ReplaceUses makes every consumer of old (and the graph outputs) read new.
func (g *Graph) ReplaceUses(old, new string) {
	for _, n := range g.Nodes {
		for i, in := range n.Inputs {
			if in == old {
				n.Inputs[i] = new
			}
		}
	}
	for i, o := range g.Outputs {
		if o == old {
			g.Outputs[i] = new
		}
	}
}

// sortedKeys returns map keys in sorted order (deterministic printing).
func sortedKeys(a Attrs) []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
