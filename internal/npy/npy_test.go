package npy

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The files in testdata were written by numpy 1.24 (np.save); see
// TestGoldenFiles for what each holds.

func TestGoldenFiles(t *testing.T) {
	want := []float64{-3, -1, 0, 1, 2, 100}
	wantU := []float64{3, 1, 0, 1, 2, 100}
	for _, tc := range []struct {
		file  string
		dtype string
		vals  []float64
	}{
		{"i1.npy", "int8", want}, {"i2.npy", "int16", want}, {"i4.npy", "int32", want}, {"i8.npy", "int64", want},
		{"u1.npy", "uint8", wantU}, {"u2.npy", "uint16", wantU}, {"u4.npy", "uint32", wantU}, {"u8.npy", "uint64", wantU},
		{"f2.npy", "float16", want}, {"f4.npy", "float32", want}, {"f8.npy", "float64", want},
		{"be_i2.npy", "int16", want}, {"be_i4.npy", "int32", want}, {"be_i8.npy", "int64", want},
		{"be_u2.npy", "uint16", wantU}, {"be_u4.npy", "uint32", wantU}, {"be_u8.npy", "uint64", wantU},
		{"be_f2.npy", "float16", want}, {"be_f4.npy", "float32", want}, {"be_f8.npy", "float64", want},
		{"v2.npy", "float32", want},
		{"bool.npy", "bool", []float64{1, 0, 1, 0, 0, 1}},
	} {
		a, err := ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if !reflect.DeepEqual(a.Shape, []int{2, 3}) {
			t.Errorf("%s: shape %v", tc.file, a.Shape)
		}
		if a.Dtype.String() != tc.dtype {
			t.Errorf("%s: dtype %s, want %s", tc.file, a.Dtype, tc.dtype)
		}
		if got := a.Float64s(); !reflect.DeepEqual(got, tc.vals) {
			t.Errorf("%s: values %v, want %v", tc.file, got, tc.vals)
		}
		f32 := a.Float32s()
		for i, v := range tc.vals {
			if f32[i] != float32(v) {
				t.Errorf("%s: Float32s[%d] = %v", tc.file, i, f32[i])
			}
		}
		if a.Dtype.Kind != Float {
			ints, err := a.Int64s()
			if err != nil {
				t.Errorf("%s: Int64s: %v", tc.file, err)
			}
			for i, v := range tc.vals {
				if ints[i] != int64(v) {
					t.Errorf("%s: Int64s[%d] = %d", tc.file, i, ints[i])
				}
			}
		} else if _, err := a.Int64s(); err == nil {
			t.Errorf("%s: Int64s of a float array: no error", tc.file)
		}
	}
}

func TestSpecialShapes(t *testing.T) {
	a, err := ReadFile("testdata/scalar.npy")
	if err != nil || len(a.Shape) != 0 || a.Len() != 1 || a.Float32s()[0] != 2.5 {
		t.Errorf("scalar: %v %+v", err, a)
	}
	a, err = ReadFile("testdata/empty.npy")
	if err != nil || !reflect.DeepEqual(a.Shape, []int{0, 3}) || a.Len() != 0 {
		t.Errorf("empty: %v %+v", err, a)
	}
	a, err = ReadFile("testdata/fortran1d.npy")
	if err != nil || !reflect.DeepEqual(a.Float64s(), []float64{0, 1, 2, 3}) {
		t.Errorf("1-D Fortran order: %v %+v", err, a)
	}
}

func TestSpecialValues(t *testing.T) {
	a, err := ReadFile("testdata/special_f4.npy")
	if err != nil {
		t.Fatal(err)
	}
	f := a.Float32s()
	if !math.IsNaN(float64(f[0])) || !math.IsInf(float64(f[1]), 1) || !math.IsInf(float64(f[2]), -1) ||
		math.Float32bits(f[3]) != 0x80000000 || f[4] != 1e-45 || f[5] != math.MaxFloat32 {
		t.Errorf("float32 specials: %v", f)
	}
	a, err = ReadFile("testdata/special_f2.npy")
	if err != nil {
		t.Fatal(err)
	}
	f = a.Float32s()
	if !math.IsInf(float64(f[0]), 1) || !math.IsInf(float64(f[1]), -1) || math.Float32bits(f[2]) != 0x80000000 ||
		f[3] != float32(math.Ldexp(1, -24)) || f[4] != 65504 || f[5] != float32(0.0999755859375) {
		t.Errorf("float16 specials: %v", f)
	}
}

func TestErrors(t *testing.T) {
	f4, err := os.ReadFile("testdata/f4.npy")
	if err != nil {
		t.Fatal(err)
	}
	hdr := func(dict string) []byte {
		b := []byte(magic + "\x01\x00")
		b = append(b, byte(len(dict)+1), 0)
		return append(append(b, dict...), '\n')
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"text", []byte("hello world, not numpy"), "not a NumPy .npy file"},
		{"zip", []byte("PK\x03\x04rest of a zip"), ".npz"},
		{"short", []byte(magic), "not a NumPy"},
		{"version", []byte(magic + "\x04\x00\x10\x00"), "version 4.0"},
		{"truncated header", f4[:40], "truncated .npy header"},
		{"truncated data", f4[:len(f4)-3], "truncated data"},
		{"trailing", append(append([]byte(nil), f4...), 1, 2), "unexpected bytes"},
		{"unicode", mustRead(t, "unicode.npy"), "unicode string"},
		{"complex", mustRead(t, "complex.npy"), "complex"},
		{"structured", mustRead(t, "structured.npy"), "structured"},
		{"object", mustRead(t, "object.npy"), "Python objects"},
		{"datetime", mustRead(t, "datetime.npy"), "datetime"},
		{"fortran", mustRead(t, "fortran.npy"), "Fortran"},
		{"no dict", hdr("[1, 2]"), "want a dictionary"},
		{"missing key", hdr("{'descr': '<f4', 'shape': (1,), }"), "missing key \"fortran_order\""},
		{"unknown key", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}"), "unknown key"},
		{"dup key", hdr("{'descr': '<f4', 'descr': '<f4'}"), "duplicate key"},
		{"bad shape", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), "non-negative"},
		{"huge shape", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }"), "too large"},
		{"huge dim", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"), "too large"},
		{"huge claim", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }"), "truncated data"},
		{"float128", hdr("{'descr': '<f16', 'fortran_order': False, 'shape': (1,), }"), "float128"},
		{"bad bool", append(hdr("{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }"), 7), "bool element 0"},
		{"garbage after", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (), } x"), "after the dictionary"},
	} {
		_, err := Decode(tc.data)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not mention %q", tc.name, err, tc.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: multi-line error %q", tc.name, err)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWriteMatchesNumpy: Write produces the bytes np.save produces.
func TestWriteMatchesNumpy(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, []int{2, 3}, []float32{-3, -1, 0, 1, 2, 100}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), mustRead(t, "f4.npy")) {
		t.Errorf("float32 output differs from numpy's:\n%q\n%q", b.Bytes(), mustRead(t, "f4.npy"))
	}
	b.Reset()
	if err := Write(&b, []int{2, 3}, []int64{-3, -1, 0, 1, 2, 100}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), mustRead(t, "i8.npy")) {
		t.Errorf("int64 output differs from numpy's")
	}
	b.Reset()
	if err := Write(&b, []int{2, 3}, []int32{-3, -1, 0, 1, 2, 100}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), mustRead(t, "i4.npy")) {
		t.Errorf("int32 output differs from numpy's")
	}
	if err := Write(&b, []int{2, 2}, []int32{1}); err == nil {
		t.Errorf("wrong element count: no error")
	}
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][]int{{}, {0}, {1}, {7}, {3, 4}, {2, 3, 4, 5}, {1000, 16}, {0, 5}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		f := make([]float32, n)
		i4 := make([]int32, n)
		i8 := make([]int64, n)
		for i := range f {
			f[i] = float32(r.NormFloat64())
			i4[i] = int32(r.Uint32())
			i8[i] = int64(r.Uint64())
		}
		dir := t.TempDir()
		if err := WriteFile(filepath.Join(dir, "f.npy"), shape, f); err != nil {
			t.Fatal(err)
		}
		a, err := ReadFile(filepath.Join(dir, "f.npy"))
		if err != nil || !reflect.DeepEqual(a.Shape, shape) || !reflect.DeepEqual(a.Float32s(), f) {
			t.Errorf("float32 %v: %v", shape, err)
		}
		var b bytes.Buffer
		if err := Write(&b, shape, i4); err != nil {
			t.Fatal(err)
		}
		if b.Len()%64 != (4*n)%64 {
			t.Errorf("header not padded to 64 bytes")
		}
		a, err = Read(&b)
		if err != nil || !reflect.DeepEqual(a.Data, i4) {
			t.Errorf("int32 %v: %v", shape, err)
		}
		b.Reset()
		if err := Write(&b, shape, i8); err != nil {
			t.Fatal(err)
		}
		a, err = Read(&b)
		if err != nil || !reflect.DeepEqual(a.Data, i8) {
			t.Errorf("int64 %v: %v", shape, err)
		}
	}
}

// TestNumpyReadsOurFiles checks with numpy itself when it is available.
func TestNumpyReadsOurFiles(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("numpy not available in CI: %v", err)
		}
		t.Skip("numpy not available:", err)
	}
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "f.npy"), []int{2, 1, 3}, []float32{1.5, -2, 3, 0, 1e-8, 7}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "i.npy"), []int{4}, []int64{-1 << 62, 5, 6, 7}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "s.npy"), []int{}, []int32{-42}); err != nil {
		t.Fatal(err)
	}
	script := `
import numpy as np, sys
d = sys.argv[1]
f = np.load(d + "/f.npy"); assert f.dtype == np.float32 and f.shape == (2, 1, 3), (f.dtype, f.shape)
assert (f.ravel() == np.array([1.5, -2, 3, 0, 1e-8, 7], dtype=np.float32)).all()
i = np.load(d + "/i.npy"); assert i.dtype == np.int64 and list(i) == [-1 << 62, 5, 6, 7]
s = np.load(d + "/s.npy"); assert s.dtype == np.int32 and s.shape == () and s == -42
`
	out, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy rejected our files: %v\n%s", err, out)
	}
}

func TestExampleData(t *testing.T) {
	a, err := ReadFile("../../models/examples/jet_tagger/x.npy")
	if err != nil {
		t.Skip(err)
	}
	if !reflect.DeepEqual(a.Shape, []int{1000, 16}) || a.Dtype.String() != "float32" {
		t.Errorf("x.npy: %v %s", a.Shape, a.Dtype)
	}
	l, err := ReadFile("../../models/examples/jet_tagger/labels.npy")
	if err != nil {
		t.Fatal(err)
	}
	if ints, err := l.Int64s(); err != nil || len(ints) != 1000 {
		t.Errorf("labels.npy: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join("testdata", e.Name())); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Decode(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if a.Len() != n {
			t.Fatalf("shape %v but %d elements", a.Shape, a.Len())
		}
		_ = a.Float64s()
		// What we read, we can write back (as float32) and read again.
		var buf bytes.Buffer
		if err := Write(&buf, a.Shape, a.Float32s()); err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(buf.Bytes()); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkDecodeFloat32(b *testing.B) {
	var buf bytes.Buffer
	data := make([]float32, 1000*16)
	if err := Write(&buf, []int{1000, 16}, data); err != nil {
		b.Fatal(err)
	}
	raw := buf.Bytes()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteFloat32(b *testing.B) {
	data := make([]float32, 1000*16)
	b.SetBytes(int64(4 * len(data)))
	for b.Loop() {
		if err := Write(io.Discard, []int{1000, 16}, data); err != nil {
			b.Fatal(err)
		}
	}
}
