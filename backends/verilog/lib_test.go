package verilog

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// TestLibraryComplete checks that every library file is in libOrder and
// that dependencies come first.
func TestLibraryComplete(t *testing.T) {
	files, err := fs.Glob(libFS, "lib/*.v")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "lib/"), ".v")
		src, _ := libSource(name)
		if !strings.Contains(src, "module "+name+" ") {
			t.Errorf("%s does not define module %s", f, name)
		}
		i := slices.Index(libOrder, name)
		if i < 0 {
			t.Errorf("%s missing from libOrder", name)
			continue
		}
		for _, d := range libDeps(name) {
			if j := slices.Index(libOrder, d); j < 0 || j > i {
				t.Errorf("%s instantiates %s, which is not before it in libOrder", name, d)
			}
		}
	}
	if got := libClosure([]string{"trigo_lut"}); !slices.Contains(got, "trigo_resize") || !slices.Contains(got, "trigo_pipe") {
		t.Errorf("closure of trigo_lut = %v", got)
	}
}
