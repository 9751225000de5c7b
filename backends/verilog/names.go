package verilog

import (
	"fmt"
	"strings"
)

// verilogKeywords are reserved words of Verilog-2005 and SystemVerilog
// that a generated identifier must not be.
var verilogKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`always and assign automatic begin buf bufif0 bufif1 case casex casez
	cell cmos config deassign default defparam design disable edge else end endcase endconfig
	endfunction endgenerate endmodule endprimitive endspecify endtable endtask event for force
	forever fork function generate genvar highz0 highz1 if ifnone incdir include initial inout
	input instance integer join large liblist library localparam macromodule medium module nand
	negedge nmos nor noshowcancelled not notif0 notif1 or output parameter pmos posedge primitive
	pull0 pull1 pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg
	release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled signed small
	specify specparam strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri
	tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand weak0 weak1 while wire wor
	xnor xor logic bit byte int shortint longint class interface package program property
	sequence string struct union typedef enum void return break continue import export final
	unique priority alias assert assume cover bind const context extern forkjoin local new null
	packed protected pure rand randc ref solve static super this throughout var virtual with
	within clk ce`) {
		verilogKeywords[k] = true
	}
}

// sanitize turns an IR name into a Verilog identifier: characters other
// than letters, digits and '_' become '_', runs of '_' collapse, and a
// name not starting with a letter gets prefix.
func sanitize(name, prefix string) string {
	var b strings.Builder
	last := byte('_')
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !ok {
			c = '_'
		}
		if c == '_' && last == '_' {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	s := strings.TrimRight(b.String(), "_")
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		s = prefix + s
	}
	if verilogKeywords[s] {
		s += "_"
	}
	return s
}

// namer hands out unique identifiers.
type namer struct{ taken map[string]bool }

func newNamer(reserved ...string) *namer {
	n := &namer{taken: map[string]bool{}}
	for _, r := range reserved {
		n.taken[r] = true
	}
	return n
}

// unique returns s, or s with a numeric suffix, marking it taken.
func (n *namer) unique(s string) string {
	if !n.taken[s] {
		n.taken[s] = true
		return s
	}
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s_%d", s, i)
		if !n.taken[c] {
			n.taken[c] = true
			return c
		}
	}
}
