package ir

import (
	"fmt"
	"math"
)

// TableFunctions lists the functions a `table` node may tabulate.
var TableFunctions = []string{"sigmoid", "tanh", "exp", "reciprocal", "elu_neg"}

// TableFunction returns the float64 function named by a `table` node.
// Both the float simulator and the quantiser (filling lookup tables) use
// it, so the reference and the tables agree on what is tabulated.
func TableFunction(name string, alpha float64) (func(float64) float64, error) {
	switch name {
	case "sigmoid":
		return func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, nil
	case "tanh":
		return math.Tanh, nil
	case "exp":
		return math.Exp, nil
	case "reciprocal":
		return func(x float64) float64 {
			if x == 0 {
				return math.MaxFloat32
			}
			return 1 / x
		}, nil
	case "elu_neg":
		return func(x float64) float64 { return alpha * (math.Exp(math.Min(x, 0)) - 1) }, nil
	}
	return nil, fmt.Errorf("unknown table function %q (supported: %v)", name, TableFunctions)
}
