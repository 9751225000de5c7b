package ir

import (
	"os"
	"testing"
)

// FuzzParseIR checks that Parse never panics, that the printed form of any
// graph it accepts is a fixed point of Print∘Parse, and that Validate never
// panics on a parsed graph.
func FuzzParseIR(f *testing.F) {
	f.Add(floatGraphText)
	f.Add(fixedGraphText)
	f.Add("trigo-ir 1\ngraph g\ninput x: f32[4]\nnode n = relu(x) -> y: f32[4]\noutput y\n")
	f.Add("trigo-ir 1\ngraph \"q \\\"n\\\"\"\ninput \"a b\": f32[]\nconst c: f32[] = [NaN]\n" +
		"node \"ü\" = leaky_relu(\"a b\") {alpha = -0.0} -> \"z\\n\": f32[]\noutput \"z\\n\"\n")
	f.Add("trigo-ir 1\ngraph t\ninput x: f32[2]\nnode t = table(x) {function = \"reciprocal\", alpha = 1e-300, lo = -Inf, hi = 1e+308, size = 2} -> y: f32[2]\noutput y\n")
	f.Add("trigo-ir 1\ngraph p\ninput x: ap_fixed<16,6,AP_RND,AP_SAT>[5,5,2]\n" +
		"node p = avgpool(x) {kernel = [2, 2], strides = [2, 2], pads = [0, 0, 1, 1], count_include_pad = 0, recip_frac = 16} -> y: fixed<16,6>[3,3,2]\n" +
		"node r = reduce_sum(y) {axes = [0, 1]} -> s: fixed<24,14>[1,1,2]\noutput s\n")
	f.Add("trigo-ir 1\ngraph c\ninput x: int<8>[3]\nconst k: uint<4>[3] = [0, 15, 7]\nnode m = mul(x, k) -> y: ufixed<12,12,RND_CONV,SAT_ZERO>[3]\n" +
		"node cc = concat(y, y) {axis = -1} -> z: fixed<13,13>[6]\nnode b = bipolar_quant(z) {scale = 0.5} -> q: fixed<2,1>[6]\noutput q\n")
	for _, path := range graphOpFixtures {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}

	f.Fuzz(func(t *testing.T, src string) {
		g, err := Parse(src)
		if err != nil {
			if g != nil {
				t.Fatalf("Parse returned a graph and an error: %v", err)
			}
			return
		}
		_ = g.Validate() // must not panic
		text := g.Text()
		g2, err := Parse(text)
		if err != nil {
			t.Fatalf("printed graph does not parse: %v\n%s", err, text)
		}
		if text2 := g2.Text(); text2 != text {
			t.Fatalf("print/parse is not a fixed point:\n--- first\n%s\n--- second\n%s", text, text2)
		}
		_ = g2.Validate()
	})
}
