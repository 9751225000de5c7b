package ir

import (
	"os"
	"strings"
	"testing"
)

// The graph-op fixtures in testdata use every graph op (and slice) in a
// float and a quantised graph.
var graphOpFixtures = []string{"testdata/graph_ops.float.tir", "testdata/graph_ops.fixed.tir"}

func TestGraphOpsRoundTrip(t *testing.T) {
	for _, path := range graphOpFixtures {
		t.Run(path, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			g := mustParse(t, string(src))
			if err := g.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if text := roundTrip(t, g); text != string(src) {
				t.Errorf("printing changes the fixture:\n%s", text)
			}
			cd := g.Node("cd")
			if len(cd.Outputs) != 3 || cd.Outputs[0].Type != I32 || cd.Outputs[2].Type != I32 || len(cd.Outputs[2].Shape) != 0 {
				t.Errorf("condensation outputs %v %v %v", cd.Outputs[0], cd.Outputs[1], cd.Outputs[2])
			}
			if ops := g.Node("ge").Attrs.Strings("ops"); strings.Join(ops, ",") != "mean,min,max" {
				t.Errorf("global_exchange ops %q", ops)
			}
		})
	}
	if VertexMaskInput("gravnet_agg") != 2 || VertexMaskInput("condensation") != 2 || VertexMaskInput("mask") != 1 || VertexMaskInput("dense") != -1 {
		t.Error("VertexMaskInput")
	}
}

func TestGraphOpsValidateErrors(t *testing.T) {
	const hdr = "trigo-ir 1\ngraph g\ninput x: f32[6,3]\ninput valid: f32[6]\n"
	const fhdr = "trigo-ir 1\ngraph g\ninput x: fixed<12,4>[6,3]\ninput valid: ufixed<1,1>[6]\nconst tab: ufixed<18,1>[4] = [1, 2, 3, 4]\n"
	gv := func(attrs string) string {
		return hdr + "node g = gravnet_agg(x, x, valid) {" + attrs + "} -> y: f32[6,6]\noutput y\n"
	}
	fgv := func(attrs, out string) string {
		return fhdr + "node g = gravnet_agg(x, x, valid, tab) {" + attrs + "} -> y: " + out + "[6,6]\noutput y\n"
	}
	const fgvOK = "k = 4, offset = 0, shift = 3, recip_frac = 16"
	cond := func(attrs, assign string) string {
		return hdr + "input b: f32[6]\nnode c = condensation(b, x, valid, x) {" + attrs + "} -> a: " + assign + "[6], cl: f32[2,4], n: i32[]\noutput a\n"
	}
	cases := []struct {
		name, src, want string
	}{
		{"k zero", gv("k = 0"), "k = 0: the number of neighbours must be in 1.."},
		{"k negative", gv("k = -3"), "k = -3"},
		{"k missing", hdr + "node g = gravnet_agg(x, x, valid) -> y: f32[6,6]\noutput y\n", `missing attribute "k"`},
		{"unknown distance", gv(`k = 2, distance = "cosine"`), `distance "cosine" is not supported (supported: l2, l1)`},
		{"include_self 2", gv("k = 2, include_self = 2"), "include_self = 2: want 0 or 1"},
		{"negative exponent", gv("k = 2, exponent = -1.0"), "exponent = -1"},
		{"valid of the wrong length", hdr + "input v5: f32[5]\nnode g = gravnet_agg(x, x, v5) {k = 2} -> y: f32[6,6]\noutput y\n", "valid has 5 vertices"},
		{"s not 2-D", hdr + "input s: f32[6]\nnode g = gravnet_agg(s, x, valid) {k = 2} -> y: f32[6,6]\noutput y\n", "s has shape [6], want [N,features]"},
		{"wrong output shape", hdr + "node g = gravnet_agg(x, x, valid) {k = 2} -> y: f32[6,3]\noutput y\n", "op gives [6,6]"},
		{"table in a float graph", hdr + "const t: f32[2] = [1, 0]\nnode g = gravnet_agg(x, x, valid, t) {k = 2} -> y: f32[6,6]\noutput y\n", "table input exists only in quantised graphs"},
		{"fixed without table", fhdr + "node g = gravnet_agg(x, x, valid) {" + fgvOK + "} -> y: fixed<16,6>[6,6]\noutput y\n", "needs its weight table"},
		{"fixed without recip_frac", fgv("k = 4, offset = 0, shift = 3", "fixed<16,6>"), "recip_frac in 1..32"},
		{"fixed without offset", fgv("k = 4, shift = 3, recip_frac = 16", "fixed<16,6>"), "table offset"},
		{"fixed shift out of range", fgv("k = 4, offset = 0, shift = 63, recip_frac = 16", "fixed<16,6>"), "shift 63 outside 0..62"},
		{"fixed table not const", fhdr + "input t2: ufixed<8,1>[4]\nnode g = gravnet_agg(x, x, valid, t2) {" + fgvOK + "} -> y: fixed<16,6>[6,6]\noutput y\n", "table must be a 1-D constant"},
		{"fixed distance too wide", "trigo-ir 1\ngraph g\ninput x: fixed<40,4>[6,3]\ninput valid: ufixed<1,1>[6]\nconst tab: ufixed<8,1>[4] = [1, 2, 3, 4]\nnode g = gravnet_agg(x, x, valid, tab) {" + fgvOK + "} -> y: fixed<16,6>[6,6]\noutput y\n", "exact distance of s \"x\" needs 84 bits"},
		{"ops unknown", hdr + "node g = global_exchange(x, valid) {ops = [\"mean\", \"median\"]} -> y: f32[6,9]\noutput y\n", `unknown statistic "median" (supported: mean, min, max)`},
		{"ops empty", hdr + "node g = global_exchange(x, valid) {ops = []} -> y: f32[6,3]\noutput y\n", "ops is empty"},
		{"global_exchange shape", hdr + "node g = global_exchange(x, valid) {ops = [\"max\"]} -> y: f32[6,3]\noutput y\n", "op gives [6,6]"},
		{"global_exchange fixed without recip_frac", fhdr + "node g = global_exchange(x, valid) -> y: fixed<16,6>[6,6]\noutput y\n", "recip_frac in 1..32"},
		{"mask shape", hdr + "input v: f32[3]\nnode m = mask(x, v) -> y: f32[6,3]\noutput y\n", "valid has shape [3], want [6]"},
		{"condensation assign not i32", cond("t_beta = 0.1, t_d = 1.0, max_clusters = 2", "f32"), "want i32"},
		{"condensation max_clusters 0", cond("t_beta = 0.1, t_d = 1.0, max_clusters = 0", "i32"), "max_clusters = 0"},
		{"condensation missing t_d", cond("t_beta = 0.1, max_clusters = 2", "i32"), `missing attribute "t_d"`},
		{"condensation negative t_d", cond("t_beta = 0.1, t_d = -1.0, max_clusters = 2", "i32"), "t_d = -1"},
		{"condensation beta 2-D", hdr + "node c = condensation(x, x, valid, x) {t_beta = 0.1, t_d = 1.0, max_clusters = 2} -> a: i32[6], cl: f32[2,4], n: i32[]\noutput a\n", "beta has shape [6,3], want [N]"},
		{"condensation fixed without codes", fhdr + "input b: ufixed<8,0>[6]\nnode c = condensation(b, x, valid, x) {t_beta = 0.1, t_d = 1.0, max_clusters = 2} -> a: i32[6], cl: fixed<16,6>[2,4], n: i32[]\noutput a\n", "threshold code attribute beta_code"},
		{"i32 read by an op", cond("t_beta = 0.1, t_d = 1.0, max_clusters = 2", "i32") + "node r = relu(a) -> r2: f32[6]\n", `input "a" is i32`},
		{"i32 output of a float op", hdr + "node r = relu(x) -> y: i32[6,3]\noutput y\n", `output "y" is i32, but output 0 of relu`},
		{"slice empty", hdr + "node s = slice(x) {axes = [1], starts = [2], ends = [2]} -> y: f32[6,1]\noutput y\n", "is empty or out of range"},
		{"slice past the end", hdr + "node s = slice(x) {axes = [1], starts = [0], ends = [4]} -> y: f32[6,4]\noutput y\n", "is empty or out of range"},
		{"slice step 0", hdr + "node s = slice(x) {axes = [1], starts = [0], ends = [2], steps = [0]} -> y: f32[6,2]\noutput y\n", "step 0 on axis 1"},
		{"slice lengths", hdr + "node s = slice(x) {axes = [1], starts = [0, 1], ends = [2]} -> y: f32[6,2]\noutput y\n", "must have the same length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := Parse(c.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = g.Validate()
			if err == nil {
				t.Fatalf("Validate accepted\n%s", c.src)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestStringListAttribute(t *testing.T) {
	const attrs = `{ops = ["max", "a \"q\""]}`
	src := "trigo-ir 1\ngraph g\ninput x: f32[2,2]\ninput v: f32[2]\nnode n = global_exchange(x, v) " + attrs + " -> y: f32[2,6]\noutput y\n"
	g := mustParse(t, src)
	if got := g.Nodes[0].Attrs.Strings("ops"); len(got) != 2 || got[1] != `a "q"` {
		t.Errorf("ops %q", got)
	}
	roundTrip(t, g)
	for _, bad := range []string{`{ops = [max]}`, `{ops = ["max" "min"]}`, `{ops = "max"}`, `{ops = ["max"}`} {
		if _, err := Parse(strings.Replace(src, attrs, bad, 1)); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}
