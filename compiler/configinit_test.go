package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trigo/ir"
)

// configInitModels lists the bundled examples and the shared hls4ml models.
func configInitModels(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("../models/examples/*/model.onnx")
	graphs, _ := filepath.Glob("testdata/graph/*.onnx")
	files = append(files, graphs...)
	shared, _ := filepath.Glob("../../shared/models/hls4ml-examples/*.onnx")
	if len(shared) == 0 && os.Getenv("CI") == "true" {
		t.Fatal("../shared/models/hls4ml-examples is missing")
	}
	files = append(files, shared...)
	if len(files) == 0 {
		t.Skip("no example models found")
	}
	return files
}

// TestConfigTemplate: the template of every example loads, names every
// layer, and compiles to exactly the graph the default config gives.
func TestConfigTemplate(t *testing.T) {
	for _, path := range configInitModels(t) {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			g, err := ImportONNX(data, path)
			if err != nil {
				t.Fatal(err)
			}
			fg, err := PrepareFloat(g)
			if err != nil {
				t.Fatal(err)
			}
			text := ConfigTemplate(fg, path, nil)
			cfgPath := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(cfgPath, text, 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(cfgPath)
			if err != nil {
				t.Fatalf("template does not load: %v\n%s", err, text)
			}
			if err := cfg.CheckNames(fg); err != nil {
				t.Fatal(err)
			}
			for _, n := range fg.Nodes {
				if _, ok := cfg.Layers[n.Name]; !ok {
					t.Errorf("layer %q missing from the template", n.Name)
				}
				if !strings.Contains(string(text), "# "+n.Op+" ") {
					t.Errorf("op %s of %q not in a comment", n.Op, n.Name)
				}
			}
			for _, v := range fg.Inputs {
				if cfg.Inputs[v.Name] == "" {
					t.Errorf("input %q missing from the template", v.Name)
				}
			}
			def, err := Compile(g, Options{})
			if err != nil {
				t.Skipf("the default config does not compile this model: %v", err)
			}
			withTemplate, err := Compile(g, Options{Config: cfg})
			if err != nil {
				t.Fatalf("compiling with the template: %v", err)
			}
			if a, b := def.Fixed.Text(), withTemplate.Fixed.Text(); a != b {
				t.Errorf("the template changes the compiled graph:\n%s", firstDiff(a, b))
			}
		})
	}
}

// TestConfigTemplateKeepsOverrides: a base config's values appear in the
// template.
func TestConfigTemplateKeepsOverrides(t *testing.T) {
	g, err := ir.Parse(`trigo-ir 1
graph t
input "in put": f32[4]
const w: f32[4,2] = [1, 2, 3, 4, 5, 6, 7, 8]
node "fc 1" = dense("in put", w) -> y: f32[2]
node yes = relu(y) -> z: f32[2]
output z
`)
	if err != nil {
		t.Fatal(err)
	}
	base, err := ParseConfig([]byte("model:\n  precision: fixed<12,4>\n  weight: fixed<6,1>\nlayers:\n  yes:\n    result: ufixed<8,3>\n"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(ConfigTemplate(g, "t.onnx", base))
	cfg, err := ParseConfig([]byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if err := cfg.CheckNames(g); err != nil {
		t.Fatal(err)
	}
	if cfg.Layers["fc 1"] == nil || cfg.Layers["fc 1"].Weight != "fixed<6,1>" || cfg.Layers["fc 1"].Result != "fixed<12,4>" {
		t.Errorf("fc 1: %+v", cfg.Layers["fc 1"])
	}
	if cfg.Layers["yes"] == nil || cfg.Layers["yes"].Result != "ufixed<8,3>" {
		t.Errorf("yes: %+v", cfg.Layers["yes"])
	}
	if cfg.Inputs["in put"] != "fixed<12,4>" {
		t.Errorf("inputs: %v", cfg.Inputs)
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "default:  " + al[i] + "\ntemplate: " + bl[i]
		}
	}
	return "lengths differ"
}
