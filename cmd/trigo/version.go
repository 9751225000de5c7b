package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"

	"trigo/compiler"
)

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print trigo's version and the Go version it was built with",
		Long: `Version prints trigo's version (also written into every manifest.json) and
the Go toolchain and platform it was built with. It reads and writes no files.`,
		Example: "  trigo version",
		Args:    exactArgs(0, "no arguments"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(stdout, "trigo %s (%s %s/%s)\n", compiler.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		}),
	}
}
