package hls

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"trigo/ir"
	"trigo/sim"
)

// IncludeDir returns the folder of trigo's stand-in headers (ap_fixed.h,
// ap_int.h, hls_stream.h): hls/include beside this package's source. It is
// found through the source path recorded in the binary; CSim reports a
// clear error when that folder does not exist (e.g. a binary built with
// -trimpath and run elsewhere), and CSimOptions.Include overrides it.
func IncludeDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return filepath.Join(filepath.Dir(file), "include")
}

// CSimOptions steers CSim.
type CSimOptions struct {
	// Top is the top function; empty finds the one <top>_tb.cpp in dir.
	Top string
	// CXX is the C++ compiler; empty means $CXX, else g++.
	CXX string
	// Include is the folder with ap_fixed.h, ap_int.h and hls_stream.h;
	// empty means IncludeDir() (the stand-ins). Point it at a Vitis HLS
	// installation's include folder to simulate with the real headers.
	Include string
	// Flags are extra compiler flags (after -std=c++14 -O1).
	Flags []string
	// Timeout bounds the build and the run each; 0 means no limit.
	Timeout time.Duration
}

// csimCacheDir is the folder under the project where CSim keeps binaries.
const csimCacheDir = ".trigo-csim"

// CSim builds the testbench of an emitted project in dir (Emit's files
// written there), runs it on the input codes (one sim.Codes per graph input,
// as for sim.Fixed.Run) and returns the output codes, one sim.Codes per graph
// output with the graph's types. The binary is cached in dir by a hash of
// the sources, the headers and the compiler command, so repeated runs skip
// the build.
func CSim(dir string, g *ir.Graph, inputs []sim.Codes, opts CSimOptions) ([]sim.Codes, error) {
	if g == nil {
		return nil, errors.New("hls csim: nil graph")
	}
	events, err := checkInputs(g, inputs)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	bin, err := Build(dir, opts)
	if err != nil {
		return nil, err
	}
	in, err := os.CreateTemp(dir, "csim-in-*.txt")
	if err != nil {
		return nil, fmt.Errorf("hls csim: %w", err)
	}
	inPath := in.Name()
	defer os.Remove(inPath)
	w := bufio.NewWriterSize(in, 1<<16)
	buf := make([]byte, 0, 32)
	for e := 0; e < events; e++ {
		first := true
		for i := range inputs {
			for _, c := range inputs[i].Event(e) {
				if !first {
					w.WriteByte(' ')
				}
				first = false
				buf = strconv.AppendInt(buf[:0], c, 10)
				w.Write(buf)
			}
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		in.Close()
		return nil, fmt.Errorf("hls csim: writing inputs: %w", err)
	}
	if err := in.Close(); err != nil {
		return nil, fmt.Errorf("hls csim: writing inputs: %w", err)
	}
	outPath := strings.TrimSuffix(inPath, ".txt") + ".out"
	defer os.Remove(outPath)

	ctx, cancel := withTimeout(opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, inPath, outPath)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("hls csim: running %s: %v\n%s", filepath.Base(bin), err, firstLines(stderr.String(), 20))
	}
	return readOutputs(outPath, g, events)
}

func withTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	if d > 0 {
		return context.WithTimeout(context.Background(), d)
	}
	return context.WithCancel(context.Background())
}

// checkInputs validates input codes against the graph, as sim.Fixed.Run
// does, and returns the number of events.
func checkInputs(g *ir.Graph, inputs []sim.Codes) (int, error) {
	if len(inputs) != len(g.Inputs) {
		return 0, fmt.Errorf("hls csim: graph %q has %d inputs, got %d", g.Name, len(g.Inputs), len(inputs))
	}
	events := -1
	for i, v := range g.Inputs {
		c := &inputs[i]
		if v.Type.Kind != ir.Fixed {
			return 0, fmt.Errorf("hls csim: input %q is %s, not fixed-point", v.Name, v.Type)
		}
		if !c.Shape.Equal(v.Shape) || c.Type != v.Type {
			return 0, fmt.Errorf("hls csim: input %q: expected %s%v, got %s%v", v.Name, v.Type, v.Shape, c.Type, c.Shape)
		}
		if c.Events < 0 || len(c.Data) != c.Events*v.Shape.Size() {
			return 0, fmt.Errorf("hls csim: input %q: %d events of shape %v need %d codes, got %d", v.Name, c.Events, v.Shape, c.Events*v.Shape.Size(), len(c.Data))
		}
		if events >= 0 && c.Events != events {
			return 0, fmt.Errorf("hls csim: input %q has %d events, input %q has %d", v.Name, c.Events, g.Inputs[0].Name, events)
		}
		events = c.Events
		lo, hi := v.Type.Fixed.MinCode(), v.Type.Fixed.MaxCode()
		for j, code := range c.Data {
			if code < lo || code > hi {
				return 0, fmt.Errorf("hls csim: input %q event %d element %d: code %d outside [%d,%d] of %s",
					v.Name, j/v.Shape.Size(), j%v.Shape.Size(), code, lo, hi, v.Type)
			}
		}
	}
	return events, nil
}

// readOutputs parses the testbench's output file.
func readOutputs(path string, g *ir.Graph, events int) ([]sim.Codes, error) {
	ix := g.BuildIndex()
	outs := make([]sim.Codes, len(g.Outputs))
	total := 0
	for i, name := range g.Outputs {
		v := ix.Values[name]
		outs[i] = sim.Codes{Events: events, Shape: v.Shape.Clone(), Type: v.Type, Data: make([]int64, 0, events*v.Shape.Size())}
		total += v.Shape.Size()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hls csim: reading outputs: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	ev := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != total {
			return nil, fmt.Errorf("hls csim: output event %d has %d codes, want %d", ev, len(fields), total)
		}
		k := 0
		for i := range outs {
			n := outs[i].Shape.Size()
			for j := 0; j < n; j++ {
				c, err := strconv.ParseInt(fields[k], 10, 64)
				if err != nil {
					return nil, fmt.Errorf("hls csim: output event %d: %v", ev, err)
				}
				outs[i].Data = append(outs[i].Data, c)
				k++
			}
		}
		ev++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("hls csim: reading outputs: %w", err)
	}
	if ev != events {
		return nil, fmt.Errorf("hls csim: testbench wrote %d events, expected %d", ev, events)
	}
	return outs, nil
}

// Build compiles the testbench of the project in dir and returns the path
// of the binary. A binary built from the same sources, headers and command
// is reused.
func Build(dir string, opts CSimOptions) (string, error) {
	// The compiler runs in dir: every path handed to it must be absolute.
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	top := opts.Top
	if top == "" {
		tbs, _ := filepath.Glob(filepath.Join(dir, "*_tb.cpp"))
		if len(tbs) != 1 {
			return "", fmt.Errorf("hls csim: %s holds %d *_tb.cpp files; set CSimOptions.Top", dir, len(tbs))
		}
		top = strings.TrimSuffix(filepath.Base(tbs[0]), "_tb.cpp")
	}
	include := opts.Include
	if include == "" {
		include = IncludeDir()
	}
	if abs, err := filepath.Abs(include); err == nil {
		include = abs
	}
	if st, err := os.Stat(filepath.Join(include, "ap_fixed.h")); err != nil || st.IsDir() {
		return "", fmt.Errorf("hls csim: no ap_fixed.h in %q (trigo's stand-ins live in hls/include of the source tree; set CSimOptions.Include)", include)
	}
	cxx := opts.CXX
	if cxx == "" {
		cxx = os.Getenv("CXX")
	}
	if cxx == "" {
		cxx = "g++"
	}
	cxxPath, err := exec.LookPath(cxx)
	if err != nil {
		return "", fmt.Errorf("hls csim: C++ compiler %q not found: %w", cxx, err)
	}
	sources := []string{top + ".cpp", top + "_tb.cpp"}
	args := append([]string{"-std=c++14", "-O1", "-I", include}, opts.Flags...)

	// Key: compiler command, every source and header of the project, every
	// header of the include folder.
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%q\x00%q\n", cxxPath, args, sources)
	if err := hashFiles(h, dir, []string{"*.cpp", "*.h"}); err != nil {
		return "", err
	}
	if err := hashFiles(h, include, []string{"*.h"}); err != nil {
		return "", err
	}
	key := hex.EncodeToString(h.Sum(nil))[:24]
	cache := filepath.Join(dir, csimCacheDir)
	bin := filepath.Join(cache, top+"-"+key)
	if st, err := os.Stat(bin); err == nil && !st.IsDir() {
		return bin, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("hls csim: %w", err)
	}
	tmp, err := os.CreateTemp(cache, top+"-build-*")
	if err != nil {
		return "", fmt.Errorf("hls csim: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	ctx, cancel := withTimeout(opts.Timeout)
	defer cancel()
	full := append(append([]string{}, args...), "-o", tmp.Name())
	full = append(full, sources...)
	cmd := exec.CommandContext(ctx, cxxPath, full...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("hls csim: %s %s failed: %v\n%s", cxx, strings.Join(full, " "), err, firstLines(out.String(), 15))
	}
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", fmt.Errorf("hls csim: %w", err)
	}
	return bin, nil
}

func hashFiles(h io.Writer, dir string, patterns []string) error {
	var files []string
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(dir, p))
		if err != nil {
			return err
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("hls csim: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(data))
		h.Write(data)
	}
	return nil
}

// firstLines keeps the first n lines of s.
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "\n")
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n... (%d more lines)", len(lines)-n)
}
