package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"trigo/compiler"
	"trigo/internal/npy"
)

// The bundled example (part of the repository).
const exampleDir = "../../models/examples/jet_tagger"

var (
	exampleModel = filepath.Join(exampleDir, "model.onnx")
	exampleX     = filepath.Join(exampleDir, "x.npy")
	exampleY     = filepath.Join(exampleDir, "y.npy")
	exampleCalib = filepath.Join(exampleDir, "calib.npy")
)

// trigo runs the command in-process.
func trigo(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

// mustRun runs a command that must succeed.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := trigo(t, args...)
	if code != 0 {
		t.Fatalf("trigo %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// sharedFile returns a file of ../shared (beside the repository root); the
// test skips without it, except in CI.
func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared test file missing: %v", err)
		}
		t.Skipf("shared test file missing: %v", err)
	}
	return p
}

func requireExample(t *testing.T) {
	t.Helper()
	for _, p := range []string{exampleModel, exampleX, exampleY, exampleCalib} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("bundled example missing: %v", err)
		}
	}
}

func readNPY(t *testing.T, path string) *npy.Array {
	t.Helper()
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// --- tiny ONNX models -------------------------------------------------------
//
// The ONNX reader lives in compiler/internal/onnx, which cmd/trigo may not
// import, so the test models are encoded here with protowire (field numbers
// from onnx.proto).

type pb []byte

func (b pb) msg(num protowire.Number, m pb) pb {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), m)
}
func (b pb) str(num protowire.Number, s string) pb { return b.msg(num, pb(s)) }
func (b pb) int(num protowire.Number, v int64) pb {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), uint64(v))
}

// onnxTensor is a FLOAT initializer stored as raw_data.
func onnxTensor(name string, dims []int64, data []float32) pb {
	var t pb
	for _, d := range dims {
		t = t.int(1, d)
	}
	t = t.int(2, 1) // FLOAT
	t = t.str(8, name)
	raw := make([]byte, 0, 4*len(data))
	for _, v := range data {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	return t.msg(9, raw)
}

// onnxValue is a FLOAT tensor value [batch, dims...].
func onnxValue(name string, dims ...int64) pb {
	shape := pb(nil).msg(1, pb(nil).str(2, "batch"))
	for _, d := range dims {
		shape = shape.msg(1, pb(nil).int(1, d))
	}
	tensor := pb(nil).int(1, 1).msg(2, shape)
	return pb(nil).str(1, name).msg(2, pb(nil).msg(1, tensor))
}

type onnxNode struct {
	name, op string
	in, out  []string
	ints     map[string]int64
}

func onnxModel(nodes []onnxNode, inits, inputs, outputs []pb) []byte {
	var g pb
	for _, n := range nodes {
		var nb pb
		for _, s := range n.in {
			nb = nb.str(1, s)
		}
		for _, s := range n.out {
			nb = nb.str(2, s)
		}
		nb = nb.str(3, n.name).str(4, n.op)
		for k, v := range n.ints {
			nb = nb.msg(5, pb(nil).str(1, k).int(3, v).int(20, 2)) // INT
		}
		g = g.msg(1, nb)
	}
	g = g.str(2, "tiny")
	for _, t := range inits {
		g = g.msg(5, t)
	}
	for _, v := range inputs {
		g = g.msg(11, v)
	}
	for _, v := range outputs {
		g = g.msg(12, v)
	}
	return pb(nil).int(1, 8).str(2, "trigo-test").msg(7, g).msg(8, pb(nil).int(2, 13))
}

// gemmModel is x[4] -> Gemm(W[2,4], B[2], transB=1) -> y[2].
func gemmModel(w []float32) []byte {
	return onnxModel(
		[]onnxNode{{name: "fc", op: "Gemm", in: []string{"x", "W", "B"}, out: []string{"y"}, ints: map[string]int64{"transB": 1}}},
		[]pb{onnxTensor("W", []int64{2, 4}, w), onnxTensor("B", []int64{2}, []float32{0.5, -0.25})},
		[]pb{onnxValue("x", 4)}, []pb{onnxValue("y", 2)})
}

func lstmModel() []byte {
	return onnxModel(
		[]onnxNode{{name: "rnn", op: "LSTM", in: []string{"x", "W", "R"}, out: []string{"y"}, ints: map[string]int64{"hidden_size": 2}}},
		[]pb{onnxTensor("W", []int64{1, 8, 4}, make([]float32, 32)), onnxTensor("R", []int64{1, 8, 2}, make([]float32, 16))},
		[]pb{onnxValue("x", 3, 4)}, []pb{onnxValue("y", 3, 1, 2)})
}

// twoInOut has inputs a[2,3], b[2,3] and outputs s = a+b, r = relu(a).
func twoInOut() []byte {
	return onnxModel(
		[]onnxNode{
			{name: "sum", op: "Add", in: []string{"a", "b"}, out: []string{"s"}},
			{name: "rect", op: "Relu", in: []string{"a"}, out: []string{"r"}},
		}, nil,
		[]pb{onnxValue("a", 2, 3), onnxValue("b", 2, 3)},
		[]pb{onnxValue("s", 2, 3), onnxValue("r", 2, 3)})
}

// npyHeader builds a .npy file with an arbitrary descr and payload.
func npyFile(descr, shape string, payload []byte) []byte {
	dict := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }"
	for (10+len(dict)+1)%64 != 0 {
		dict += " "
	}
	b := []byte("\x93NUMPY\x01\x00")
	b = append(b, byte(len(dict)+1), byte((len(dict)+1)>>8))
	b = append(b, dict...)
	b = append(b, '\n')
	return append(b, payload...)
}

// --- error handling ----------------------------------------------------------

func TestErrors(t *testing.T) {
	requireExample(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 11))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	empty := writeFile(t, filepath.Join(dir, "empty.onnx"), nil)
	randomFile := writeFile(t, filepath.Join(dir, "random.onnx"), random)
	lstm := writeFile(t, filepath.Join(dir, "lstm.onnx"), lstmModel())
	w := []float32{1, 2, 3, 4, 5, float32(math.NaN()), 7, 8}
	nan := writeFile(t, filepath.Join(dir, "nan.onnx"), gemmModel(w))
	w[5] = float32(math.Inf(1))
	inf := writeFile(t, filepath.Join(dir, "inf.onnx"), gemmModel(w))
	badLayer := writeFile(t, filepath.Join(dir, "badlayer.yaml"), []byte("layers:\n  no_such_layer:\n    result: fixed<8,3>\n"))
	unknownKey := writeFile(t, filepath.Join(dir, "unknownkey.yaml"), []byte("model:\n  precison: fixed<8,3>\n"))
	badInput := writeFile(t, filepath.Join(dir, "badinput.yaml"), []byte("inputs:\n  nope: fixed<8,3>\n"))
	badType := writeFile(t, filepath.Join(dir, "badtype.yaml"), []byte("model:\n  precision: fixed<0,3>\n"))
	var wrongShape bytes.Buffer
	if err := npy.Write(&wrongShape, []int{3, 15}, make([]float32, 45)); err != nil {
		t.Fatal(err)
	}
	wrong := writeFile(t, filepath.Join(dir, "wrongshape.npy"), wrongShape.Bytes())
	var scalar bytes.Buffer
	if err := npy.Write(&scalar, []int{}, []float32{1}); err != nil {
		t.Fatal(err)
	}
	scalarNPY := writeFile(t, filepath.Join(dir, "scalar.npy"), scalar.Bytes())
	unicode := writeFile(t, filepath.Join(dir, "unicode.npy"), npyFile("<U3", "(2, 16)", make([]byte, 2*16*12)))
	complexNPY := writeFile(t, filepath.Join(dir, "complex.npy"), npyFile("<c8", "(2, 16)", make([]byte, 2*16*8)))
	nanData := make([]float32, 32)
	nanData[17] = float32(math.NaN())
	var nanNPY bytes.Buffer
	if err := npy.Write(&nanNPY, []int{2, 16}, nanData); err != nil {
		t.Fatal(err)
	}
	nanInput := writeFile(t, filepath.Join(dir, "naninput.npy"), nanNPY.Bytes())
	notNPY := writeFile(t, filepath.Join(dir, "text.npy"), []byte("1,2,3\n"))
	badTIR := writeFile(t, filepath.Join(dir, "bad.tir"), []byte("trigo-ir 1\ngraph g\ninput x: f32[4]\nnode n = frobnicate(x) -> y: f32[4]\noutput y\n"))
	missing := filepath.Join(dir, "missing.onnx")
	out := filepath.Join(dir, "out")

	// A compiled model for the sim rows.
	compiled := filepath.Join(dir, "compiled")
	mustRun(t, "compile", exampleModel, "-o", compiled)
	fixedTIR := filepath.Join(compiled, "model.tir")
	yOut := filepath.Join(dir, "y.npy")

	type row struct {
		name string
		args []string
		want []string // substrings of the one error line
	}
	rows := []row{
		{"empty file", []string{"compile", empty, "-o", out}, []string{empty, "empty file"}},
		{"random bytes", []string{"compile", randomFile, "-o", out}, []string{randomFile, "ONNX"}},
		{"unsupported op", []string{"compile", lstm, "-o", out}, []string{lstm, "LSTM", "not supported"}},
		{"NaN weight", []string{"compile", nan, "-o", out}, []string{nan, "NaN", "finite"}},
		{"Inf weight", []string{"compile", inf, "-o", out}, []string{inf, "Inf", "finite"}},
		{"missing model", []string{"compile", missing, "-o", out}, []string{missing, "no such file"}},
		{"missing config", []string{"compile", exampleModel, "--config", filepath.Join(dir, "nope.yaml"), "-o", out}, []string{"nope.yaml", "no such file"}},
		{"config names unknown layer", []string{"compile", exampleModel, "--config", badLayer, "-o", out}, []string{badLayer, "no_such_layer"}},
		{"config names unknown input", []string{"compile", exampleModel, "--config", badInput, "-o", out}, []string{badInput, "nope"}},
		{"config unknown key", []string{"compile", exampleModel, "--config", unknownKey, "-o", out}, []string{unknownKey, "precison"}},
		{"config bad type", []string{"compile", exampleModel, "--config", badType, "-o", out}, []string{badType, "fixed<0,3>"}},
		{"calib wrong shape", []string{"compile", exampleModel, "--calib", wrong, "-o", out}, []string{wrong, "(3, 15)", "(events, 16)"}},
		{"calib unicode", []string{"compile", exampleModel, "--calib", unicode, "-o", out}, []string{unicode, "unicode string", "not supported"}},
		{"calib not npy", []string{"compile", exampleModel, "--calib", notNPY, "-o", out}, []string{notNPY, "not a NumPy"}},
		{"calib missing", []string{"compile", exampleModel, "--calib", filepath.Join(dir, "nocalib.npy"), "-o", out}, []string{"nocalib.npy", "no such file"}},
		{"calib NaN", []string{"compile", exampleModel, "--calib", nanInput, "-o", out}, []string{nanInput, "NaN", "event 1"}},
		{"too many calib files", []string{"compile", exampleModel, "--calib", exampleCalib, "--calib", exampleCalib, "-o", out}, []string{"1 input", "got 2"}},
		{"ir instead of onnx", []string{"compile", fixedTIR, "-o", out}, []string{fixedTIR, "IR text"}},

		{"sim wrong shape", []string{"sim", compiled, "--input", wrong, "--output", yOut}, []string{wrong, "(3, 15)", "input \"x\""}},
		{"sim scalar npy", []string{"sim", compiled, "--input", scalarNPY, "--output", yOut}, []string{scalarNPY, "scalar"}},
		{"sim unicode", []string{"sim", compiled, "--input", unicode, "--output", yOut}, []string{unicode, "unicode string"}},
		{"sim complex", []string{"sim", compiled, "--input", complexNPY, "--output", yOut}, []string{complexNPY, "complex"}},
		{"sim missing input", []string{"sim", compiled, "--input", filepath.Join(dir, "nox.npy"), "--output", yOut}, []string{"nox.npy", "no such file"}},
		{"sim missing model", []string{"sim", missing, "--input", exampleX, "--output", yOut}, []string{missing, "no such file"}},
		{"sim truncated-by-text model", []string{"sim", randomFile, "--input", exampleX, "--output", yOut}, []string{randomFile, "ONNX"}},
		{"sim float on fixed tir", []string{"sim", fixedTIR, "--float", "--input", exampleX, "--output", yOut}, []string{fixedTIR, "--float"}},
		{"sim raw on float", []string{"sim", filepath.Join(compiled, "model.float.tir"), "--raw", "--input", exampleX, "--output", yOut}, []string{"model.float.tir", "--raw"}},
		{"sim bad tir", []string{"sim", badTIR, "--input", exampleX, "--output", yOut}, []string{badTIR, "frobnicate"}},
		{"sim too many outputs", []string{"sim", compiled, "--input", exampleX, "--output", yOut, "--output", yOut + "2"}, []string{"2 --output", "1 graph output"}},
		{"sim config with tir", []string{"sim", fixedTIR, "--config", badLayer, "--input", exampleX, "--output", yOut}, []string{"--config", "ONNX"}},
		{"sim onnx bad config", []string{"sim", exampleModel, "--config", badLayer, "--input", exampleX, "--output", yOut}, []string{badLayer, "no_such_layer"}},
		{"sim not a model dir", []string{"sim", dir, "--input", exampleX, "--output", yOut}, []string{dir, "model.tir"}},
		{"sim output dir missing", []string{"sim", compiled, "--input", exampleX, "--output", filepath.Join(dir, "no", "y.npy")}, []string{filepath.Join(dir, "no", "y.npy"), "does not exist"}},

		{"config init unsupported op", []string{"config", "init", lstm}, []string{lstm, "LSTM"}},
		{"config init missing", []string{"config", "init", missing}, []string{missing, "no such file"}},

		{"unknown command", []string{"frobnicate"}, []string{"unknown command"}},
		{"unknown flag", []string{"compile", "--frob", exampleModel}, []string{"frob"}},
		{"missing -o", []string{"compile", exampleModel}, []string{"out"}},
		{"no model", []string{"compile", "-o", out}, []string{"MODEL.onnx"}},
	}
	if p := filepath.Join("..", "..", "..", "shared", "models", "hls4ml-examples", "two_layer_pytorch.onnx"); fileExists(p) || os.Getenv("CI") == "true" {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range []int{len(data) / 2, len(data) - 7, 40} {
			trunc := writeFile(t, filepath.Join(dir, "truncated"+strings.Repeat("_", cut%5)+".onnx"), data[:cut])
			rows = append(rows, row{"truncated ONNX", []string{"compile", trunc, "-o", out}, []string{trunc, "ONNX"}})
		}
	} else {
		t.Log("shared two_layer_pytorch.onnx missing: truncated-ONNX rows skipped")
	}

	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			stdout, stderr, code := trigo(t, r.args...)
			if code == 0 {
				t.Fatalf("exit 0, want failure\nstdout: %s", stdout)
			}
			checkErrorLine(t, stderr, r.want)
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed command", out)
			}
			if _, err := os.Stat(yOut); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed command", yOut)
			}
			checkNoTemp(t, dir)
		})
	}
}

// checkErrorLine: exactly one line "trigo: ...", naming what it should, no
// usage text, no Go panic.
func checkErrorLine(t *testing.T, stderr string, want []string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "trigo: ") || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr is not one 'trigo: ' line:\n%s", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("error %q does not mention %q", strings.TrimSpace(stderr), w)
		}
	}
	for _, bad := range []string{"goroutine", "panic", "Usage:", "Flags:"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr contains %q:\n%s", bad, stderr)
		}
	}
}

// checkNoTemp: no temporary directories or files left in dir.
func checkNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-") {
			t.Errorf("temporary %s left behind", e.Name())
		}
	}
}

// TestRecoverPanic: a panic inside a command becomes one line.
func TestRecoverPanic(t *testing.T) {
	var o, e bytes.Buffer
	code := run([]string{"sim", "--input"}, &o, &e) // flag error, not a panic
	if code != exitUsage {
		t.Errorf("flag without value: exit %d, want %d", code, exitUsage)
	}
	checkErrorLine(t, e.String(), []string{"input"})
	// Inject a panic through a nil writer used by version.
	e.Reset()
	code = run([]string{"version"}, nil, &e)
	if code != exitInternal {
		t.Errorf("panic: exit %d, want %d", code, exitInternal)
	}
	checkErrorLine(t, e.String(), []string{"internal error"})
}

// TestExistingOut: a failed compile leaves an existing OUT untouched; a
// successful one replaces it; a directory that is not a trigo output is
// never replaced.
func TestExistingOut(t *testing.T) {
	requireExample(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	mustRun(t, "compile", exampleModel, "-o", out)
	marker := filepath.Join(out, "marker")
	writeFile(t, marker, []byte("old"))
	nan := writeFile(t, filepath.Join(dir, "nan.onnx"), gemmModel([]float32{1, 2, 3, float32(math.NaN()), 5, 6, 7, 8}))
	if _, stderr, code := trigo(t, "compile", nan, "-o", out); code == 0 {
		t.Fatal("NaN model compiled")
	} else {
		checkErrorLine(t, stderr, []string{nan})
	}
	if !fileExists(marker) || !fileExists(filepath.Join(out, "model.tir")) {
		t.Errorf("failed compile modified the existing %s", out)
	}
	mustRun(t, "compile", exampleModel, "-o", out)
	if fileExists(marker) {
		t.Errorf("successful compile did not replace %s", out)
	}
	checkNoTemp(t, dir)

	user := filepath.Join(dir, "precious")
	if err := os.Mkdir(user, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(user, "thesis.tex"), []byte("x"))
	_, stderr, code := trigo(t, "compile", exampleModel, "-o", user)
	if code == 0 {
		t.Fatal("compile replaced a non-trigo directory")
	}
	checkErrorLine(t, stderr, []string{user, "not a trigo output directory"})
	if !fileExists(filepath.Join(user, "thesis.tex")) {
		t.Error("user file removed")
	}
	file := writeFile(t, filepath.Join(dir, "afile"), []byte("x"))
	_, stderr, code = trigo(t, "compile", exampleModel, "-o", file)
	if code == 0 {
		t.Fatal("compile replaced a file")
	}
	checkErrorLine(t, stderr, []string{file, "not a directory"})
}

// --- happy paths -------------------------------------------------------------

// closeTo checks |a-b| <= abs + rel*|b| elementwise.
func closeTo(t *testing.T, what string, got, want []float32, rel, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if !(d <= abs+rel*math.Abs(float64(want[i]))) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
}

func TestCompileAndSim(t *testing.T) {
	requireExample(t)
	dir := t.TempDir()
	y := readNPY(t, exampleY)
	yRef := y.Float32s()

	for _, withCalib := range []bool{false, true} {
		name := "nocalib"
		args := []string{"compile", exampleModel}
		if withCalib {
			name = "calib"
			args = append(args, "--calib", exampleCalib)
		}
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, name, "jet_tagger") // parent created on demand
			stdout := mustRun(t, append(args, "-o", out)...)
			for _, s := range []string{"jet_tagger", "layers", "input  x", "output y", "wrote " + out} {
				if !strings.Contains(stdout, s) {
					t.Errorf("summary lacks %q:\n%s", s, stdout)
				}
			}
			for _, f := range []string{"model.tir", "model.float.tir", "manifest.json", "report.txt"} {
				if !fileExists(filepath.Join(out, f)) {
					t.Fatalf("%s missing", f)
				}
			}
			checkNoTemp(t, filepath.Dir(out))

			m, err := compiler.ReadManifest(filepath.Join(out, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			if m.Model != "jet_tagger" || m.Source != exampleModel || m.TrigoVersion != compiler.Version || len(m.SourceSHA256) != 64 {
				t.Errorf("manifest header %+v", m)
			}
			if len(m.Inputs) != 1 || m.Inputs[0].Name != "x" || !reflect.DeepEqual(m.Inputs[0].Shape, []int{16}) ||
				len(m.Outputs) != 1 || m.Outputs[0].Name != "y" || !reflect.DeepEqual(m.Outputs[0].Shape, []int{5}) {
				t.Errorf("manifest interface %+v %+v", m.Inputs, m.Outputs)
			}
			outT := m.Outputs[0]
			if outT.Width == 0 || outT.Width != outT.IntBits+outT.FracBits {
				t.Errorf("output type %+v", outT)
			}
			var raw map[string]any
			b, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"model", "source", "trigo_version", "inputs", "outputs", "chosen_types"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("manifest.json lacks %q", k)
				}
			}

			report, _ := os.ReadFile(filepath.Join(out, "report.txt"))
			for _, s := range []string{"chosen types", "layers"} {
				if !strings.Contains(string(report), s) {
					t.Errorf("report.txt lacks %q", s)
				}
			}
			if withCalib != strings.Contains(string(report), "overflow report") {
				t.Errorf("report.txt overflow report present=%v, want %v:\n%s", !withCalib, withCalib, report)
			}
			if withCalib && !strings.Contains(string(report), "max|err|") {
				t.Errorf("report.txt lacks the error against float:\n%s", report)
			}

			sim := func(model string, extra ...string) *npy.Array {
				t.Helper()
				p := filepath.Join(t.TempDir(), "y.npy")
				mustRun(t, append([]string{"sim", model, "--input", exampleX, "--output", p}, extra...)...)
				a := readNPY(t, p)
				if !reflect.DeepEqual(a.Shape, []int{1000, 5}) {
					t.Fatalf("sim %s %v: output shape %v, want (1000, 5)", model, extra, a.Shape)
				}
				return a
			}
			// Float: the out directory, the .tir and the ONNX agree with PyTorch.
			for _, model := range []string{out, filepath.Join(out, "model.float.tir"), exampleModel} {
				a := sim(model, "--float")
				if a.Dtype.String() != "float32" {
					t.Errorf("float output dtype %s", a.Dtype)
				}
				if model == filepath.Join(out, "model.float.tir") {
					a = sim(model) // a float .tir runs float without --float too
				}
				closeTo(t, "float sim of "+model, a.Float32s(), yRef, 1e-5, 1e-6)
			}
			// Fixed: the three ways give the same bits, close to float.
			fixedDir := sim(out).Float32s()
			closeTo(t, "fixed sim", fixedDir, yRef, 0, 0.05)
			if got := sim(filepath.Join(out, "model.tir")).Float32s(); !reflect.DeepEqual(got, fixedDir) {
				t.Errorf("fixed sim of model.tir differs from the out directory")
			}
			if !withCalib {
				if got := sim(exampleModel).Float32s(); !reflect.DeepEqual(got, fixedDir) {
					t.Errorf("fixed sim of the ONNX (default config) differs from the compiled directory")
				}
			}
			// Raw codes dequantise to the fixed outputs.
			codes := sim(out, "--raw")
			if k := codes.Dtype.Kind; k != npy.Int {
				t.Fatalf("raw dtype %s", codes.Dtype)
			}
			ints, _ := codes.Int64s()
			for i, c := range ints {
				if v := float32(math.Ldexp(float64(c), -outT.FracBits)); v != fixedDir[i] {
					t.Fatalf("raw code %d * 2^-%d = %v, dequantised output %v", c, outT.FracBits, v, fixedDir[i])
				}
			}
		})
	}
}

// TestSimInputs: several inputs and outputs, flat inputs, integer dtypes,
// fewer --output than outputs.
func TestSimInputs(t *testing.T) {
	dir := t.TempDir()
	model := writeFile(t, filepath.Join(dir, "two.onnx"), twoInOut())
	a := []float32{-1, 2, -3, 4, -5, 6, 0.5, -0.5, 1, 1, 1, 1}
	bInts := []int32{1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2}
	aPath := filepath.Join(dir, "a.npy")
	bPath := filepath.Join(dir, "b.npy")
	if err := npy.WriteFile(aPath, []int{2, 2, 3}, a); err != nil {
		t.Fatal(err)
	}
	if err := npy.WriteFile(bPath, []int{2, 6}, bInts); err != nil { // flat per event, int32
		t.Fatal(err)
	}
	s, r := filepath.Join(dir, "s.npy"), filepath.Join(dir, "r.npy")
	for _, float := range []bool{true, false} {
		args := []string{"sim", model, "--input", aPath, "--input", bPath, "--output", s, "--output", r}
		if float {
			args = append(args, "--float")
		}
		mustRun(t, args...)
		sa, ra := readNPY(t, s), readNPY(t, r)
		if !reflect.DeepEqual(sa.Shape, []int{2, 2, 3}) || !reflect.DeepEqual(ra.Shape, []int{2, 2, 3}) {
			t.Fatalf("shapes %v %v", sa.Shape, ra.Shape)
		}
		for i := range a {
			if want := a[i] + float32(bInts[i]); sa.Float32s()[i] != want {
				t.Errorf("float=%v s[%d] = %v, want %v", float, i, sa.Float32s()[i], want)
			}
			if want := max(a[i], 0); ra.Float32s()[i] != want {
				t.Errorf("float=%v r[%d] = %v, want %v", float, i, ra.Float32s()[i], want)
			}
		}
	}
	// Only the first output.
	os.Remove(r)
	mustRun(t, "sim", model, "--input", aPath, "--input", bPath, "--output", s)
	if fileExists(r) {
		t.Error("second output written without a second --output")
	}
	// Inputs in the wrong count, or with different event counts.
	_, stderr, code := trigo(t, "sim", model, "--input", aPath, "--output", s)
	if code == 0 {
		t.Fatal("one input for two: no error")
	}
	checkErrorLine(t, stderr, []string{"2 input", "a [2,3], b [2,3]", "got 1"})
	short := filepath.Join(dir, "short.npy")
	if err := npy.WriteFile(short, []int{1, 6}, []int64{1, 2, 3, 4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = trigo(t, "sim", model, "--input", aPath, "--input", short, "--output", s)
	if code == 0 {
		t.Fatal("different event counts: no error")
	}
	checkErrorLine(t, stderr, []string{short, "1 events", "2"})
}

func TestConfigInit(t *testing.T) {
	requireExample(t)
	stdout := mustRun(t, "config", "init", exampleModel)
	dir := t.TempDir()
	cfgPath := writeFile(t, filepath.Join(dir, "c.yaml"), []byte(stdout))
	cfg, err := compiler.LoadConfig(cfgPath)
	if err != nil {
		t.Fatalf("config init output does not load: %v\n%s", err, stdout)
	}
	if len(cfg.Layers) == 0 || cfg.Inputs["x"] == "" {
		t.Errorf("config has no layers or inputs:\n%s", stdout)
	}
	for _, s := range []string{"# dense", "weight:", "bias:", "accum:", "result:", "table:", "size:", "range:", "model:", "precision:"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("template lacks %q", s)
		}
	}
	// -o writes the file; compiling with it gives the same graph as without.
	p := filepath.Join(dir, "o.yaml")
	if msg := mustRun(t, "config", "init", exampleModel, "-o", p); !strings.Contains(msg, p) {
		t.Errorf("config init -o says %q", msg)
	}
	b, _ := os.ReadFile(p)
	if string(b) != stdout {
		t.Error("config init -o wrote something else than stdout shows")
	}
	withCfg, noCfg := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	mustRun(t, "compile", exampleModel, "--config", p, "-o", withCfg)
	mustRun(t, "compile", exampleModel, "-o", noCfg)
	x, _ := os.ReadFile(filepath.Join(withCfg, "model.tir"))
	y, _ := os.ReadFile(filepath.Join(noCfg, "model.tir"))
	if !bytes.Equal(x, y) {
		t.Error("compiling with the config init output differs from the defaults")
	}
}

func TestVersionAndHelp(t *testing.T) {
	out := mustRun(t, "version")
	if !strings.HasPrefix(out, "trigo "+compiler.Version+" (go") {
		t.Errorf("version: %q", out)
	}
	for _, cmd := range [][]string{{"compile"}, {"sim"}, {"config", "init"}, {"version"}} {
		help := mustRun(t, append(cmd, "--help")...)
		for _, s := range []string{"Usage:", "Examples:"} {
			if !strings.Contains(help, s) {
				t.Errorf("%v --help lacks %q:\n%s", cmd, s, help)
			}
		}
		if cmd[0] != "version" && (!strings.Contains(help, "Reads") || !strings.Contains(help, "Writes")) {
			t.Errorf("%v --help does not say what it reads and writes", cmd)
		}
	}
	if out := mustRun(t, "--help"); !strings.Contains(out, "compile") || !strings.Contains(out, "sim") {
		t.Errorf("root help:\n%s", out)
	}
}
