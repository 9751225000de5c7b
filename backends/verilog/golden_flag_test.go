package verilog

// The -update flag (refresh golden files) must exist in every test binary
// of `go test ./... -update`.
import _ "trigo/internal/golden"
