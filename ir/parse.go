package ir

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse reads the text form written by Print. Errors name the line.
// Parse does not validate; call Validate on the result.
func Parse(src string) (*Graph, error) {
	p := &parser{lex: lexer{src: src, line: 1}}
	g, err := p.graph()
	if err != nil {
		return nil, fmt.Errorf("ir text line %d: %w", p.errLine, err)
	}
	return g, nil
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tWord
	tString
	tPunct
)

type token struct {
	kind tokKind
	text string
	line int
}

type lexer struct {
	src  string
	pos  int
	line int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\n' {
			l.line++
			l.pos++
		} else if c == ' ' || c == '\t' || c == '\r' {
			l.pos++
		} else if c == '#' {
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		} else {
			break
		}
	}
	if l.pos >= len(l.src) {
		return token{kind: tEOF, line: l.line}, nil
	}
	start, c := l.pos, l.src[l.pos]
	switch {
	case c == '"':
		l.pos++
		for l.pos < len(l.src) && l.src[l.pos] != '"' {
			if l.src[l.pos] == '\\' {
				l.pos++
			}
			if l.pos < len(l.src) && l.src[l.pos] == '\n' {
				return token{}, fmt.Errorf("newline in quoted name")
			}
			l.pos++
		}
		if l.pos >= len(l.src) {
			return token{}, fmt.Errorf("unterminated quoted name")
		}
		l.pos++
		s, err := strconv.Unquote(l.src[start:l.pos])
		if err != nil {
			return token{}, fmt.Errorf("bad quoted name %s: %v", l.src[start:l.pos], err)
		}
		return token{kind: tString, text: s, line: l.line}, nil
	case c == '-' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '>':
		l.pos += 2
		return token{kind: tPunct, text: "->", line: l.line}, nil
	case strings.IndexByte("()[]{},=:", c) >= 0:
		l.pos++
		return token{kind: tPunct, text: string(c), line: l.line}, nil
	case isBareChar(c) || c == '-' || c == '+':
		for l.pos < len(l.src) {
			c := l.src[l.pos]
			if c == '-' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '>' {
				break
			}
			if !isBareChar(c) && c != '-' && c != '+' {
				break
			}
			l.pos++
		}
		// Type spellings carry their parameters: fixed<16,6,RND,SAT>.
		if l.pos < len(l.src) && l.src[l.pos] == '<' {
			end := strings.IndexByte(l.src[l.pos:], '>')
			if end < 0 || strings.IndexByte(l.src[l.pos:l.pos+end], '\n') >= 0 {
				return token{}, fmt.Errorf("unterminated type %q", l.src[start:l.pos])
			}
			l.pos += end + 1
		}
		return token{kind: tWord, text: l.src[start:l.pos], line: l.line}, nil
	}
	return token{}, fmt.Errorf("unexpected character %q", c)
}

type parser struct {
	lex     lexer
	tok     token
	peeked  bool
	errLine int
	lexErr  error // a lexer error is final: isPunct must not swallow it
}

func (p *parser) peek() (token, error) {
	if p.lexErr != nil {
		return token{}, p.lexErr
	}
	if !p.peeked {
		t, err := p.lex.next()
		if err != nil {
			p.errLine = p.lex.line
			p.lexErr = err
			return token{}, err
		}
		p.tok, p.peeked = t, true
	}
	p.errLine = p.tok.line
	return p.tok, nil
}

func (p *parser) take() (token, error) {
	t, err := p.peek()
	p.peeked = false
	return t, err
}

func (p *parser) expect(punct string) error {
	t, err := p.take()
	if err != nil {
		return err
	}
	if t.kind != tPunct || t.text != punct {
		return fmt.Errorf("expected %q, found %q", punct, t.text)
	}
	return nil
}

func (p *parser) isPunct(punct string) bool {
	t, err := p.peek()
	return err == nil && t.kind == tPunct && t.text == punct
}

func (p *parser) name() (string, error) {
	t, err := p.take()
	if err != nil {
		return "", err
	}
	if t.kind == tString || (t.kind == tWord && isBareName(t.text)) {
		return t.text, nil
	}
	return "", fmt.Errorf("expected a name, found %q", t.text)
}

func isBareName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isBareChar(s[i]) {
			return false
		}
	}
	return s != ""
}

func (p *parser) word() (string, error) {
	t, err := p.take()
	if err != nil {
		return "", err
	}
	if t.kind != tWord {
		return "", fmt.Errorf("expected a word, found %q", t.text)
	}
	return t.text, nil
}

func (p *parser) graph() (*Graph, error) {
	for _, w := range strings.Fields(TextHeader) {
		got, err := p.word()
		if err != nil || got != w {
			return nil, fmt.Errorf("not trigo IR text: expected header %q", TextHeader)
		}
	}
	if w, err := p.word(); err != nil || w != "graph" {
		return nil, fmt.Errorf("expected 'graph NAME' after the header")
	}
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	g := &Graph{Name: name}
	for {
		t, err := p.take()
		if err != nil {
			return nil, err
		}
		if t.kind == tEOF {
			return g, nil
		}
		switch t.text {
		case "input":
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			g.Inputs = append(g.Inputs, v)
		case "const":
			c, err := p.constant()
			if err != nil {
				return nil, err
			}
			g.Consts = append(g.Consts, c)
		case "node":
			n, err := p.node()
			if err != nil {
				return nil, err
			}
			g.Nodes = append(g.Nodes, n)
		case "output":
			o, err := p.name()
			if err != nil {
				return nil, err
			}
			g.Outputs = append(g.Outputs, o)
		default:
			return nil, fmt.Errorf("expected input, const, node or output, found %q", t.text)
		}
	}
}

// value parses NAME: TYPE[SHAPE].
func (p *parser) value() (*Value, error) {
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	tw, err := p.word()
	if err != nil {
		return nil, err
	}
	typ, err := ParseType(tw)
	if err != nil {
		return nil, err
	}
	ints, err := p.intList()
	if err != nil {
		return nil, fmt.Errorf("shape of %q: %w", name, err)
	}
	shape := make(Shape, len(ints))
	for i, d := range ints {
		if d < 1 || d > 1<<30 {
			return nil, fmt.Errorf("shape of %q: dimension %d out of range", name, d)
		}
		shape[i] = int(d)
	}
	return &Value{Name: name, Type: typ, Shape: shape}, nil
}

func (p *parser) intList() ([]int64, error) {
	words, err := p.list()
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(words))
	for i, w := range words {
		if out[i], err = strconv.ParseInt(w, 10, 64); err != nil {
			return nil, fmt.Errorf("bad integer %q", w)
		}
	}
	return out, nil
}

func (p *parser) floatList() ([]float64, error) {
	words, err := p.list()
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(words))
	for i, w := range words {
		if out[i], err = strconv.ParseFloat(w, 64); err != nil {
			return nil, fmt.Errorf("bad number %q", w)
		}
	}
	return out, nil
}

// list parses [w, w, ...] and returns the words.
func (p *parser) list() ([]string, error) {
	if err := p.expect("["); err != nil {
		return nil, err
	}
	var out []string
	for !p.isPunct("]") {
		if len(out) > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		w, err := p.word()
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, p.expect("]")
}

// stringList parses ["a", "b", ...].
func (p *parser) stringList() ([]string, error) {
	if err := p.expect("["); err != nil {
		return nil, err
	}
	out := []string{}
	for !p.isPunct("]") {
		if len(out) > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		t, err := p.take()
		if err != nil {
			return nil, err
		}
		if t.kind != tString {
			return nil, fmt.Errorf("expected a quoted string, found %q", t.text)
		}
		out = append(out, t.text)
	}
	return out, p.expect("]")
}

func (p *parser) constant() (*Const, error) {
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.expect("="); err != nil {
		return nil, err
	}
	c := &Const{Value: *v}
	if v.Type.Kind == Float32 {
		fs, err := p.floatList()
		if err != nil {
			return nil, fmt.Errorf("const %q: %w", v.Name, err)
		}
		c.Floats = make([]float32, len(fs))
		for i, f := range fs {
			c.Floats[i] = float32(f)
		}
	} else {
		if c.Codes, err = p.intList(); err != nil {
			return nil, fmt.Errorf("const %q: %w", v.Name, err)
		}
	}
	return c, nil
}

func (p *parser) node() (*Node, error) {
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	if err := p.expect("="); err != nil {
		return nil, err
	}
	op, err := p.word()
	if err != nil {
		return nil, err
	}
	spec := LookupOp(op)
	if spec == nil {
		return nil, fmt.Errorf("node %q: unknown op %q (supported: %s)", name, op, supportedOps())
	}
	n := &Node{Name: name, Op: op, Attrs: Attrs{}}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	for !p.isPunct(")") {
		if len(n.Inputs) > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		in, err := p.name()
		if err != nil {
			return nil, err
		}
		n.Inputs = append(n.Inputs, in)
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if p.isPunct("{") {
		p.take()
		for !p.isPunct("}") {
			if len(n.Attrs) > 0 {
				if err := p.expect(","); err != nil {
					return nil, err
				}
			}
			if err := p.attr(n, spec); err != nil {
				return nil, fmt.Errorf("node %q: %w", name, err)
			}
		}
		p.take()
	}
	if err := p.expect("->"); err != nil {
		return nil, err
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.Outputs = append(n.Outputs, v)
		if !p.isPunct(",") {
			break
		}
		p.take()
	}
	return n, nil
}

func (p *parser) attr(n *Node, spec *OpSpec) error {
	key, err := p.word()
	if err != nil {
		return err
	}
	as := spec.Attr(key)
	if as == nil {
		return fmt.Errorf("op %s has no attribute %q", spec.Name, key)
	}
	if _, dup := n.Attrs[key]; dup {
		return fmt.Errorf("attribute %q given twice", key)
	}
	if err := p.expect("="); err != nil {
		return err
	}
	var v any
	switch as.Kind {
	case AttrInt:
		w, err := p.word()
		if err != nil {
			return err
		}
		if v, err = strconv.ParseInt(w, 10, 64); err != nil {
			return fmt.Errorf("attribute %q: bad integer %q", key, w)
		}
	case AttrFloat:
		w, err := p.word()
		if err != nil {
			return err
		}
		if v, err = strconv.ParseFloat(w, 64); err != nil {
			return fmt.Errorf("attribute %q: bad number %q", key, w)
		}
	case AttrString:
		t, err := p.take()
		if err != nil {
			return err
		}
		if t.kind != tString {
			return fmt.Errorf("attribute %q: expected a quoted string", key)
		}
		v = t.text
	case AttrInts:
		if v, err = p.intList(); err != nil {
			return fmt.Errorf("attribute %q: %w", key, err)
		}
	case AttrFloats:
		if v, err = p.floatList(); err != nil {
			return fmt.Errorf("attribute %q: %w", key, err)
		}
	case AttrStrings:
		if v, err = p.stringList(); err != nil {
			return fmt.Errorf("attribute %q: %w", key, err)
		}
	case AttrType:
		w, err := p.word()
		if err != nil {
			return err
		}
		if v, err = ParseType(w); err != nil {
			return fmt.Errorf("attribute %q: %w", key, err)
		}
	}
	n.Attrs[key] = v
	return nil
}
