package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"trigo/compiler"
)

func newConfigCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Quantisation config helpers (config init)",
		Long: `Config groups the commands that help write a quantisation config.

A config is a YAML file: model-wide defaults (model.precision, rounding,
overflow, weight, bias, accum, table_size), per-input types (inputs.NAME) and
per-layer overrides (layers.NAME.weight/bias/accum/result/table). See README.md.`,
		Args: exactArgs(0, "a subcommand (init)"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		}),
	}
	var out string
	initCmd := &cobra.Command{
		Use:   "init MODEL.onnx [-o C.yaml]",
		Short: "Write a complete, commented starting config naming every layer of a model",
		Long: `Config init imports MODEL.onnx, runs the float passes (so the layer names are
the IR node names that compile, the reports and the config use) and prints a
complete YAML config: the model-wide defaults, every graph input, and every
layer with its op and shapes in a comment and every field it accepts (weight,
bias, accum for dense/conv; result for all; table size and range for lookup
tables) set to the default value. Edit it rather than write one.

Reads:  MODEL.onnx
Writes: the YAML to stdout, or to C.yaml with -o`,
		Example: `  trigo config init models/examples/jet_tagger/model.onnx -o jet_tagger.yaml
  trigo compile models/examples/jet_tagger/model.onnx --config jet_tagger.yaml -o out/jet_tagger`,
		Args: exactArgs(1, "one MODEL.onnx argument"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runConfigInit(args[0], out, stdout)
		}),
	}
	initCmd.Flags().StringVarP(&out, "out", "o", "", "write the config to this file instead of stdout")
	cmd.AddCommand(initCmd)
	return cmd
}

func runConfigInit(model, out string, stdout io.Writer) error {
	if out != "" {
		if err := checkWritable(out); err != nil {
			return err
		}
	}
	g, _, err := importONNX(model)
	if err != nil {
		return err
	}
	fg, err := compiler.PrepareFloat(g)
	if err != nil {
		return fileError(model, err)
	}
	text := compiler.ConfigTemplate(fg, model, nil)
	// The template must load and name only existing layers.
	cfg, err := compiler.ParseConfig(text)
	if err == nil {
		err = cfg.CheckNames(fg)
	}
	if err != nil {
		return fmt.Errorf("%s: the generated config does not load back (internal error): %w", model, err)
	}
	if out == "" {
		_, err := stdout.Write(text)
		return err
	}
	if err := writeFileAtomic(out, func(f *os.File) error {
		_, err := f.Write(text)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d layers)\n", out, len(fg.Nodes))
	return nil
}
