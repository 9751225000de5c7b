package verilog

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// needTool skips the test when a tool is missing (fails under CI=true).
func needTool(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found (CI=true): %v", n, err)
			}
			t.Skipf("%s not found: %v", n, err)
		}
	}
}

// run runs a command in dir and fails the test on error.
func run(t testing.TB, dir string, timeout time.Duration, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		msg := out.String()
		if len(msg) > 6000 {
			msg = msg[:6000] + "\n...(truncated)"
		}
		t.Fatalf("%s %v: %v\n%s", name, args, err, msg)
	}
	return out.Bytes()
}

// writeFile writes a file under dir.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// iverilog compiles files (-g2005) and runs the simulation in dir.
func iverilog(t testing.TB, dir, top string, files ...string) []byte {
	t.Helper()
	args := append([]string{"-g2005", "-Wall", "-Wno-timescale", "-o", "sim.vvp", "-s", top}, files...)
	out := run(t, dir, 3*time.Minute, "iverilog", args...)
	if bytes.Contains(out, []byte("warning")) {
		t.Logf("iverilog warnings:\n%s", firstLines(out, 30))
	}
	return run(t, dir, 5*time.Minute, "vvp", "-n", "sim.vvp")
}

func firstLines(b []byte, n int) string {
	lines := bytes.SplitN(b, []byte("\n"), n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

func readFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
