package ir

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// TextHeader opens every IR text file; the number is the format version.
const TextHeader = "trigo-ir 1"

// valuesPerLine keeps constant data readable in diffs.
const valuesPerLine = 16

// Print writes the graph's text form. Parse(Print(g)) gives a graph that
// prints identically.
//
//	trigo-ir 1
//	graph jet_tagger
//	input x: fixed<16,6,RND,SAT>[16]
//	const fc1.w: fixed<8,2>[16,64] = [ ... ]
//	node fc1 = dense(x, fc1.w, fc1.b) {acc = fixed<32,12>} -> fc1.y: fixed<16,6,RND,SAT>[64]
//	output fc1.y
func Print(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, TextHeader)
	fmt.Fprintf(bw, "graph %s\n", quoteName(g.Name))
	for _, v := range g.Inputs {
		fmt.Fprintf(bw, "input %s\n", formatValue(v))
	}
	for _, c := range g.Consts {
		fmt.Fprintf(bw, "const %s = [", formatValue(&c.Value))
		n := c.Len()
		for i := 0; i < n; i++ {
			if i > 0 {
				bw.WriteString(",")
			}
			if i%valuesPerLine == 0 {
				bw.WriteString("\n  ")
			} else {
				bw.WriteString(" ")
			}
			if c.Type.Kind == Float32 {
				bw.WriteString(strconv.FormatFloat(float64(c.Floats[i]), 'g', -1, 32))
			} else {
				bw.WriteString(strconv.FormatInt(c.Codes[i], 10))
			}
		}
		if n > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]\n")
	}
	for _, n := range g.Nodes {
		fmt.Fprintf(bw, "node %s = %s(", quoteName(n.Name), n.Op)
		for i, in := range n.Inputs {
			if i > 0 {
				bw.WriteString(", ")
			}
			bw.WriteString(quoteName(in))
		}
		bw.WriteString(")")
		if len(n.Attrs) > 0 {
			bw.WriteString(" {")
			for i, k := range attrOrder(n) {
				if i > 0 {
					bw.WriteString(", ")
				}
				fmt.Fprintf(bw, "%s = %s", k, formatAttr(n.Attrs[k]))
			}
			bw.WriteString("}")
		}
		bw.WriteString(" ->")
		for i, o := range n.Outputs {
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString(" " + formatValue(o))
		}
		bw.WriteString("\n")
	}
	for _, o := range g.Outputs {
		fmt.Fprintf(bw, "output %s\n", quoteName(o))
	}
	return bw.Flush()
}

// Text returns the text form as a string.
func (g *Graph) Text() string {
	var b bytes.Buffer
	_ = Print(&b, g)
	return b.String()
}

// attrOrder lists a node's attributes in op-table order (unknown ones last,
// sorted), so printing is deterministic.
func attrOrder(n *Node) []string {
	var keys []string
	seen := map[string]bool{}
	if spec := LookupOp(n.Op); spec != nil {
		for _, as := range spec.Attrs {
			if _, ok := n.Attrs[as.Name]; ok {
				keys = append(keys, as.Name)
				seen[as.Name] = true
			}
		}
	}
	for _, k := range sortedKeys(n.Attrs) {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

func formatValue(v *Value) string {
	return quoteName(v.Name) + ": " + v.Type.String() + v.Shape.String()
}

func formatAttr(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case string:
		return strconv.Quote(x)
	case []int64:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = strconv.FormatInt(e, 10)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []float64:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatFloat(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = strconv.Quote(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case Type:
		return x.String()
	}
	return fmt.Sprintf("<%T>", v)
}

// formatFloat always prints a float so it reads as one (1.0, not 1).
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEnN") { // NaN, +Inf and -Inf stay as they are
		s += ".0"
	}
	return s
}

func isBareChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
}

// quoteName leaves simple names bare and quotes the rest (ONNX names such as
// "onnx::Gemm_0" or "dense/BiasAdd:0").
func quoteName(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		if !isBareChar(s[i]) {
			return strconv.Quote(s)
		}
	}
	return s
}
