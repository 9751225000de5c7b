package compiler

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trigo/internal/golden"
	"trigo/ir"
	"trigo/sim"
)

func passByName(t *testing.T, name string) Pass {
	for _, p := range append(append([]Pass{}, floatPasses...), fixedPasses...) {
		if strings.ReplaceAll(p.Name, "-", "_") == name {
			return p
		}
	}
	t.Fatalf("no pass %q", name)
	return Pass{}
}

func randomBatch(g *ir.Graph, events int, r *rand.Rand) []sim.Batch {
	var out []sim.Batch
	for _, v := range g.Inputs {
		b := sim.Batch{Events: events, Shape: v.Shape, Data: make([]float32, events*v.Shape.Size())}
		for i := range b.Data {
			b.Data[i] = float32(r.NormFloat64() * 2)
		}
		out = append(out, b)
	}
	return out
}

// TestPassGolden runs each pass on testdata/passes/NAME.in.tir, compares the
// result with NAME.out.tir, and checks that the float graph computes the
// same outputs before and after the pass.
func TestPassGolden(t *testing.T) {
	ins, _ := filepath.Glob("testdata/passes/*.in.tir")
	if len(ins) == 0 {
		t.Fatal("no pass test inputs")
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in.tir")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			g, err := ir.Parse(string(src))
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			before := cloneGraph(g)
			if err := passByName(t, name).Run(g, &state{cfg: DefaultConfig()}); err != nil {
				t.Fatal(err)
			}
			if err := g.Validate(); err != nil {
				t.Fatalf("pass left an invalid graph: %v\n%s", err, g.Text())
			}
			golden.Check(t, strings.TrimSuffix(in, ".in.tir")+".out.tir", g.Text())
			if g.Text() == before.Text() {
				t.Fatal("the pass changed nothing")
			}
			x := randomBatch(before, 16, rand.New(rand.NewPCG(1, 2)))
			want := runFloat(t, before, x[0])
			got := runFloat(t, g, x[0])
			for i := range want.Data {
				if d := math.Abs(float64(got.Data[i] - want.Data[i])); d > 1e-5*(1+math.Abs(float64(want.Data[i]))) {
					t.Fatalf("element %d: %v after the pass, %v before", i, got.Data[i], want.Data[i])
				}
			}
		})
	}
}

// TestPassListValidates runs the whole pipeline with Validate after every
// pass on each example (VerifyPasses).
func TestPassListValidates(t *testing.T) {
	for _, m := range loadExamples(t) {
		if _, err := Compile(m.g, Options{VerifyPasses: true}); err != nil {
			t.Errorf("%s: %v", m.name, err)
		}
	}
}
