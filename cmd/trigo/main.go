// Command trigo compiles ONNX neural networks into trigo's quantised IR and
// runs the bit-exact fixed-point simulator on them.
//
//	trigo compile MODEL.onnx -o OUT [--config C.yaml] [--calib X.npy ...]
//	trigo sim MODEL --input X.npy --output Y.npy [--float] [--raw]
//	trigo config init MODEL.onnx [-o C.yaml]
//	trigo version
//
// The command is thin: it parses flags, calls the compiler, ir and sim
// packages, and prints. Every failure is one line on stderr,
// "trigo: <file>: <what is wrong>", and a non-zero exit status.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFailure  = 1 // the command ran and failed (bad input, compile error...)
	exitUsage    = 2 // bad command line
	exitInternal = 3 // a bug in trigo (recovered panic)
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError marks command-line mistakes (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// run executes the command line args and returns the exit status. Tests call
// it in-process.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "trigo: internal error: %s (this is a bug in trigo; please report it with the command line)\n", oneLine(fmt.Sprint(r)))
			code = exitInternal
		}
	}()
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) || !isRuntime(err) {
		name := "trigo"
		if cmd != nil {
			name = cmd.CommandPath()
		}
		fmt.Fprintf(stderr, "trigo: %s (see '%s --help')\n", oneLine(err.Error()), name)
		return exitUsage
	}
	fmt.Fprintf(stderr, "trigo: %s\n", oneLine(err.Error()))
	return exitFailure
}

// runtimeError marks errors returned by a command's RunE, as opposed to
// cobra's own argument and flag errors.
type runtimeError struct{ err error }

func (e runtimeError) Error() string { return e.err.Error() }
func (e runtimeError) Unwrap() error { return e.err }

func isRuntime(err error) bool {
	var re runtimeError
	return errors.As(err, &re)
}

// runE wraps a command body so that its errors count as runtime errors.
func runE(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := f(cmd, args); err != nil {
			var ue usageError
			if errors.As(err, &ue) {
				return err
			}
			return runtimeError{err}
		}
		return nil
	}
}

// usagef returns a command-line error.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exactArgs is cobra.ExactArgs with a message that names the arguments.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s: want %s, got %d argument(s)", strings.TrimPrefix(cmd.CommandPath(), "trigo "), what, len(args))
		}
		return nil
	}
}

// oneLine flattens a (possibly joined, multi-line) error message.
func oneLine(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

// fileError puts the path in front of an error about a file, unless the
// message starts with it already. OS errors lose their "open" prefix:
// "x.npy: no such file or directory".
func fileError(path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	if strings.HasPrefix(err.Error(), path+":") {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "trigo",
		Short: "Compile ONNX neural networks into bit-exact fixed-point trigger firmware models",
		Long: `trigo compiles ONNX neural networks (PyTorch, Keras, QONNX exports) into a
quantised intermediate representation (IR) with ap_fixed semantics, and runs a
bit-exact fixed-point simulator on it: what the simulator computes is what the
trigger firmware computes, overflow events included.

Typical session:

  trigo config init model.onnx -o model.yaml      # a starting config to edit
  trigo compile model.onnx --config model.yaml --calib calib.npy -o out/model
  trigo sim out/model --input x.npy --output y_fixed.npy
  trigo sim out/model --float --input x.npy --output y_float.npy

Event data are NumPy .npy files whose first axis is the event axis.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newCompileCmd(stdout, stderr), newSimCmd(stdout, stderr), newVerifyCmd(stdout, stderr),
		newSynthCmd(stdout, stderr), newConfigCmd(stdout, stderr), newVersionCmd(stdout))
	return root
}
