package compiler

import (
	"strings"
	"testing"

	"trigo/ir"
	"trigo/sim"
)

const identityDense = `trigo-ir 1
graph ovf
input x: f32[4]
const w: f32[4,4] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
node d = dense(x, w) -> y: f32[4]
output y
`

func mustParse(t *testing.T, src string) *ir.Graph {
	t.Helper()
	g, err := ir.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustConfig(t *testing.T, yaml string) *Config {
	t.Helper()
	c, err := ParseConfig([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestOverflowReportExact provokes a known number of overflow events and
// checks the report counts each of them, on the right node and of the
// right kind.
func TestOverflowReportExact(t *testing.T) {
	events := []float32{
		0, 5, -5, 1, // 5 and -5 overflow fixed<8,3> ([-4, 3.96875])
		3.5, 4, -4, -4.5, // 4 and -4.5 overflow; -4 fits
		1, 2, 3, -3, // nothing
	}
	cases := []struct {
		name, cfg          string
		node               string
		saturated, wrapped int64
	}{
		{"result SAT", "layers: {d: {result: 'fixed<8,3,RND,SAT>'}}", "d", 4, 0},
		{"result WRAP", "layers: {d: {result: 'fixed<8,3,RND,WRAP>'}}", "d", 0, 4},
		{"input SAT", "inputs: {x: 'fixed<8,3,RND,SAT>'}", "x", 4, 0},
		{"no overflow", "", "d", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Compile(mustParse(t, identityDense), Options{Config: mustConfig(t, c.cfg)})
			if err != nil {
				t.Fatal(err)
			}
			fx, err := sim.NewFixed(res.Fixed)
			if err != nil {
				t.Fatal(err)
			}
			codes, err := fx.Quantize([]sim.Batch{{Events: 3, Shape: ir.Shape{4}, Data: events}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fx.Run(codes); err != nil {
				t.Fatal(err)
			}
			rep := fx.Report()
			nr := rep.Node(c.node)
			if nr == nil {
				t.Fatalf("no report row for %q:\n%s", c.node, rep)
			}
			if nr.Saturated != c.saturated || nr.Wrapped != c.wrapped || rep.Total() != c.saturated+c.wrapped {
				t.Fatalf("got saturated %d wrapped %d total %d, want %d %d\n%s", nr.Saturated, nr.Wrapped, rep.Total(), c.saturated, c.wrapped, rep)
			}
		})
	}
}

// TestConfigErrors: bad configs give one clear error naming the problem.
func TestConfigErrors(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"unknown layer", "layers: {nope: {result: 'fixed<8,3>'}}", `config names layer "nope"`},
		{"unknown input", "inputs: {y: 'fixed<8,3>'}", `config names input "y"`},
		{"auto without calibration", "model: {precision: auto}", "needs calibration data"},
		{"exact result for dense input", "inputs: {x: exact}", "exact is only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile(mustParse(t, identityDense), Options{Config: mustConfig(t, c.yaml)})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	parseCases := []struct{ name, yaml, want string }{
		{"unknown key", "model: {precission: 'fixed<8,3>'}", "precission"},
		{"bad type", "model: {precision: 'fixed<0,3>'}", "model.precision"},
		{"bad rounding", "model: {rounding: NEAREST}", "model.rounding"},
		{"bad layer type", "layers: {d: {weight: 'float<3>'}}", "layers.d.weight"},
		{"bad table range", "layers: {d: {table: {range: [2, 1]}}}", "table.range"},
		{"not yaml", "model: [", "config"},
	}
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestConfigOverrides: per-layer weight/bias/accum/result and model modes
// reach the quantised graph.
func TestConfigOverrides(t *testing.T) {
	src := `trigo-ir 1
graph o
input x: f32[2]
const w: f32[2,2] = [0.5, -0.25, 0.75, 1]
const b: f32[2] = [0.5, -0.5]
node d = dense(x, w, b) -> h: f32[2]
node s = sigmoid(h) -> y: f32[2]
output y
`
	cfg := mustConfig(t, `
model: {precision: 'fixed<12,4>', rounding: TRN_ZERO, overflow: SAT_SYM}
layers:
  d: {weight: 'fixed<6,1>', bias: 'ufixed<5,2,RND,WRAP>', accum: 'fixed<20,6>', result: 'fixed<10,3>'}
  s: {result: 'ufixed<8,0>', table: {size: 64, range: [-4, 4]}}
`)
	res, err := Compile(mustParse(t, src), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Fixed.Text()
	for _, want := range []string{
		"input x: fixed<12,4,TRN_ZERO,SAT_SYM>[2]",
		"fixed<6,1,TRN_ZERO,SAT_SYM>[2,2]",
		"ufixed<5,2,RND>[2]",
		"acc = fixed<20,6,TRN_ZERO,SAT_SYM>",
		"-> h: fixed<10,3,TRN_ZERO,SAT_SYM>[2]",
		"s.table: ufixed<8,0,TRN_ZERO,SAT_SYM>[64]",
		"-> y: ufixed<8,0,TRN_ZERO,SAT_SYM>[2]",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("quantised graph lacks %q:\n%s", want, text)
		}
	}
}

// TestQONNXQuantBecomesType: a Quant with a power-of-two scale is the
// equivalent fixed-point type; other scales are refused clearly.
func TestQONNXQuantBecomesType(t *testing.T) {
	src := `trigo-ir 1
graph q
input x: f32[3]
node q = fake_quant(x) {scale = SCALE, zero_point = 0.0, bits = 6, signed = 1, narrow = 1, rounding = "ROUND"} -> y: f32[3]
output y
`
	res, err := Compile(mustParse(t, strings.Replace(src, "SCALE", "0.125", 1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Fixed.Nodes[0]; got.Op != "cast" || got.Outputs[0].Type.String() != "fixed<6,3,RND_CONV,SAT_SYM>" {
		t.Fatalf("got %s %s", got.Op, got.Outputs[0].Type)
	}
	_, err = Compile(mustParse(t, strings.Replace(src, "SCALE", "0.3", 1)), Options{})
	if err == nil || !strings.Contains(err.Error(), "power of two") {
		t.Fatalf("got %v", err)
	}
}
