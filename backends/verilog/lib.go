package verilog

import (
	"embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The library modules, one file per module under lib/. Emit writes the
// modules a design uses (and the modules they instantiate) into
// trigo_lib.v.
//
//go:embed lib/*.v
var libFS embed.FS

// instRE finds module instantiations in a library source.
var instRE = regexp.MustCompile(`(?m)^\s*(trigo_\w+)\s+(?:#\(|u_)`)

// libDeps returns the library modules a library module instantiates (read
// from its source).
func libDeps(name string) []string {
	src, err := libSource(name)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range instRE.FindAllStringSubmatch(src, -1) {
		if d := m[1]; d != name && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// libOrder is the order modules appear in trigo_lib.v.
var libOrder = []string{
	"trigo_pipe", "trigo_delay", "trigo_resize", "trigo_convert", "trigo_addtree", "trigo_termtree", "trigo_maxflat", "trigo_mulc",
	"trigo_linear", "trigo_dense", "trigo_conv", "trigo_mux", "trigo_mac", "trigo_eltwise", "trigo_relu", "trigo_leaky_relu",
	"trigo_clip", "trigo_reduce", "trigo_maxpool", "trigo_avgpool", "trigo_reduce_sum",
	"trigo_reduce_max", "trigo_lut", "trigo_bipolar", "trigo_cast",
	// graph kernels (GRAPH.md)
	"trigo_knn_bmerge", "trigo_knn_oemerge", "trigo_knn_oesort", "trigo_knn_topk", "trigo_gravnet_wrom", "trigo_gravnet_mux",
	"trigo_gravnet_hram", "trigo_gravnet_hold", "trigo_gravnet_lane", "trigo_gravnet_agg",
	"trigo_graph_gx", "trigo_graph_cond",
}

// libSource returns the text of one library module.
func libSource(name string) (string, error) {
	b, err := libFS.ReadFile("lib/" + name + ".v")
	if err != nil {
		return "", fmt.Errorf("verilog: library module %s: %w", name, err)
	}
	return string(b), nil
}

// libClosure returns the used modules and everything they instantiate, in
// library order.
func libClosure(used []string) []string {
	need := map[string]bool{}
	var visit func(string)
	visit = func(m string) {
		if need[m] {
			return
		}
		need[m] = true
		for _, d := range libDeps(m) {
			visit(d)
		}
	}
	for _, m := range used {
		visit(m)
	}
	var out []string
	for _, m := range libOrder {
		if need[m] {
			out = append(out, m)
			delete(need, m)
		}
	}
	// Anything not in libOrder (should not happen) goes last, sorted.
	var rest []string
	for m := range need {
		rest = append(rest, m)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// libText assembles trigo_lib.v for the given modules.
func libText(header string, used []string) (string, error) {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("// Library modules used by this design. Each module has one job; the\n")
	b.WriteString("// generator resolves shapes, windows, broadcasting and weights into\n")
	b.WriteString("// parameters. Every register is enabled by ce (the global stall).\n")
	b.WriteString("//\n")
	b.WriteString("// Lint waivers (Verilator -Wall): DECLFILENAME (several modules in one\n")
	b.WriteString("// file) for the whole file; UNUSEDSIGNAL where bits are dropped on\n")
	b.WriteString("// purpose (modular arithmetic, pruned weights, dropped LSBs); the\n")
	b.WriteString("// waivers are local and commented.\n")
	b.WriteString("/* verilator lint_off DECLFILENAME */\n")
	b.WriteString("`timescale 1ns / 1ps\n\n")
	for _, m := range libClosure(used) {
		src, err := libSource(m)
		if err != nil {
			return "", err
		}
		b.WriteString(src)
		b.WriteString("\n")
	}
	return b.String(), nil
}
