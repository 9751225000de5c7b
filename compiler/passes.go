package compiler

import "trigo/ir"

// Pass is one graph transformation. Passes run in the order listed below;
// Validate runs after the lists (and after every pass with VerifyPasses).
type Pass struct {
	Name string
	Doc  string
	Run  func(g *ir.Graph, st *state) error
}

// state carries what passes share: the config and what quantisation chose.
type state struct {
	opts   Options
	cfg    *Config
	float  *ir.Graph // the float graph the fixed passes start from
	chosen []ChosenType
}

// floatPasses prepare the float graph. Each keeps it a float graph with
// the same outputs (up to float rounding).
var floatPasses = []Pass{
	{Name: "infer-shapes", Doc: "recompute every output shape from the op table and check it", Run: inferShapes},
	{Name: "fold-constants", Doc: "evaluate nodes whose inputs are all constants", Run: foldConstants},
	{Name: "fuse-bias", Doc: "dense/conv followed by the addition of a per-output constant takes it as bias", Run: fuseBias},
	{Name: "eliminate-transposes", Doc: "move transposes through element-wise ops, merge them, drop identities (channel-last Keras exports)", Run: eliminateTransposes},
	{Name: "fold-batchnorm", Doc: "fold per-channel scale and shift (BatchNorm) into the preceding dense/conv", Run: foldBatchNorm},
	{Name: "fuse-bias-again", Doc: "fuse-bias after BatchNorm folding", Run: fuseBias},
	{Name: "lower-activations", Doc: "softmax, elu and selu into primitive ops and table functions", Run: lowerActivations},
	{Name: "remove-dead", Doc: "drop unused nodes and constants", Run: removeDead},
}

// fixedPasses quantise the float graph.
var fixedPasses = []Pass{
	{Name: "quantize", Doc: "assign fixed-point types (config, auto from calibration, exact), quantise constants, turn table functions into lookup tables", Run: quantize},
	{Name: "remove-dead", Doc: "drop unused nodes and constants", Run: removeDead},
}

func removeDead(g *ir.Graph, _ *state) error {
	g.RemoveUnused()
	return nil
}
