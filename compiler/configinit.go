package compiler

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"trigo/ir"
)

// ConfigTemplate returns a complete, commented YAML config for g, the float
// graph after PrepareFloat (layer names are its node names), with every
// field set to what base (nil: DefaultConfig) gives it, so that users edit a
// file rather than write one. source names the model file in the header.
// The text parses with ParseConfig and passes CheckNames for g.
//
// Compiling with the template gives the same quantised graph as compiling
// with base (a test checks this). Layer fields that the config leaves empty
// take the defaults the quantiser applies, which the template spells out:
// weight and bias take model.weight and model.bias when set, otherwise
// model.precision (constant operands of other ops take the weight
// precision); accum takes model.accum; reduce_sum results are exact;
// softmax's exp and reciprocal tables hold ufixed<18,1>; other results take
// model.precision, except for ops whose unset result follows their input
// (reshape, transpose, maxpool, reduce_max, concat) or their own attributes
// (QONNX quantisers): those lines are commented out. A table's size and
// range are the ones lowering chose (model.table_size and the function's
// default range unless configured); gravnet_agg's weight is the type of
// its exp table, whose default range depends on it. Vertex masks (graph
// ops' valid inputs) default to MaskPrecision.
func ConfigTemplate(g *ir.Graph, source string, base *Config) []byte {
	if base == nil {
		base = DefaultConfig()
	}
	m := base.Model
	or := func(s, def string) string {
		if s != "" {
			return s
		}
		return def
	}
	weight := or(m.Weight, m.Precision)
	bias := or(m.Bias, m.Precision)
	accum := or(m.Accum, DefaultAccum)
	tableSize := m.TableSize
	if tableSize == 0 {
		tableSize = DefaultTableSize
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# trigo quantisation config for %s (graph %q), written by `trigo config init`.\n", source, g.Name)
	b.WriteString(`# Edit the types, then compile with:
#   trigo compile MODEL.onnx --config THIS.yaml -o OUT [--calib X.npy]
#
# A precision is a fixed-point type with ap_fixed semantics:
#   fixed<W,I>            signed, W bits in total, I integer bits including the sign
#   ufixed<W,I>           unsigned
#   fixed<W,I,Q,O>        with rounding mode Q and overflow mode O
#   ap_fixed<W,I,AP_RND,AP_SAT>, ap_ufixed<...>   hls4ml/Vitis spellings work too
# or one of:
#   auto      integer bits chosen from the calibration data (--calib) so that
#             nothing overflows on it; the width is model.precision's
#   auto<W>   the same with width W
#   exact     (accumulators) wide enough that no bit is lost
# Types written without modes take model.rounding and model.overflow.
# Rounding modes: TRN TRN_ZERO RND RND_ZERO RND_MIN_INF RND_INF RND_CONV
# Overflow modes: WRAP SAT SAT_ZERO SAT_SYM
# Unknown keys, and layer or input names the model does not have, are errors.
# Delete a line to fall back to the model-wide default.

`)
	b.WriteString("model:\n")
	fmt.Fprintf(&b, "  precision: %s   # default type of every value (results and inputs)\n", yamlScalar(m.Precision))
	fmt.Fprintf(&b, "  rounding: %s   # default rounding mode\n", yamlScalar(m.Rounding))
	fmt.Fprintf(&b, "  overflow: %s   # default overflow mode\n", yamlScalar(m.Overflow))
	fmt.Fprintf(&b, "  weight: %s   # default type of dense/conv weights\n", yamlScalar(weight))
	fmt.Fprintf(&b, "  bias: %s   # default type of dense/conv biases\n", yamlScalar(bias))
	fmt.Fprintf(&b, "  accum: %s   # default dense/conv accumulator type\n", yamlScalar(accum))
	fmt.Fprintf(&b, "  table_size: %d   # default number of entries of lookup tables (gravnet_agg weight tables: 4x)\n", tableSize)
	b.WriteString("  # Firmware:\n")
	fmt.Fprintf(&b, "  clock_mhz: %s   # target clock; the RTL scheduler places registers to meet it\n", yamlFloat(orFloat(m.ClockMHz, 250)))
	fmt.Fprintf(&b, "  reuse_factor: %d   # 1 = fully parallel (II 1); R shares multipliers R ways (II R)\n", max(m.ReuseFactor, 1))
	if graphInputs(g) {
		fmt.Fprintf(&b, "  lanes: %d   # graph networks: vertices per cycle in the RTL (II = vertices/lanes); 0 = smallest with II <= 16\n", m.Lanes)
	}
	fmt.Fprintf(&b, "  multipliers: %s   # dsp: constant multiplications in DSPs; lut: shift-add logic, zero DSPs\n", or(m.Multipliers, "dsp"))
	fmt.Fprintf(&b, "  part: %s   # FPGA part for the HLS project\n", or(m.Part, "xcvu9p-flga2104-2-e"))
	if m.HLSInterface != "" {
		fmt.Fprintf(&b, "  hls_interface: %s   # axis (one AXI4-Stream beat per event, at most 4096 bits) or ap_vld\n", m.HLSInterface)
	} else {
		b.WriteString("  # hls_interface: axis   # axis (one AXI4-Stream beat per event, at most 4096 bits) or ap_vld;\n" +
			"  #                        # unset: axis when an event fits one beat, else ap_vld\n")
	}

	if len(g.Inputs) > 0 {
		b.WriteString("\n# Graph inputs: the type events are quantised to on entry.\ninputs:\n")
		for _, v := range g.Inputs {
			t := base.Inputs[v.Name]
			if t == "" {
				t = InputDefault(g, v.Name, m.Precision)
			}
			note := ""
			if InputDefault(g, v.Name, "") != "" {
				note = " vertex mask: valid when > 0.5"
			}
			fmt.Fprintf(&b, "  %s: %s   # %s%s\n", yamlKey(v.Name), yamlScalar(t), v.Shape, note)
		}
	}
	if len(g.Nodes) == 0 {
		return []byte(b.String())
	}
	b.WriteString("\n# Layers (IR node names), in graph order. A commented-out field has no\n")
	b.WriteString("# fixed default spelling: unset, it behaves as its comment says.\nlayers:\n")
	for _, n := range g.Nodes {
		lc := base.layer(n.Name)
		var ins []string
		hasConst := false
		for _, in := range n.Inputs {
			if g.Const(in) != nil {
				hasConst = true
			} else if v := g.Lookup(in); v != nil {
				ins = append(ins, v.Shape.String())
			}
		}
		fmt.Fprintf(&b, "  %s:   # %s %s -> %s\n", yamlKey(n.Name), n.Op, strings.Join(ins, ", "), n.Output().Shape)
		field := func(key, val string) { fmt.Fprintf(&b, "    %s: %s\n", key, yamlScalar(val)) }
		// optional writes an override when the base config has one, else
		// a commented-out line explaining the default.
		optional := func(key, val, why string) {
			if val != "" {
				field(key, val)
				return
			}
			fmt.Fprintf(&b, "    # %s: %s   # unset: %s\n", key, yamlScalar(m.Precision), why)
		}
		switch n.Op {
		case "dense", "conv":
			field("weight", or(lc.Weight, weight))
			if len(n.Inputs) > 2 {
				field("bias", or(lc.Bias, bias))
			}
			field("accum", or(lc.Accum, accum))
		default:
			// Constant operands of other ops take the weight precision.
			if hasConst {
				field("weight", or(lc.Weight, weight))
			}
		}
		switch n.Op {
		case "reshape", "transpose", "maxpool", "reduce_max", "slice", "mask":
			optional("result", lc.Result, "keeps the input's type")
		case "global_exchange":
			optional("result", lc.Result, "the input's type (x, its mean, min and max lie in its range)")
		case "gravnet_agg":
			tw := or(lc.Weight, GravNetTablePrecision)
			fmt.Fprintf(&b, "    weight: %s   # type of the entries of the table of exp(-exponent*d)\n", yamlScalar(tw))
			field("result", or(lc.Result, ResultDefault(g, n, m.Precision)))
			p, _ := ir.GravNet(n.Attrs)
			rng := [2]float64{0, 1}
			if tp, err := base.Precision(tw); err == nil && tp.Kind == PrecFixed {
				rng = gravnetTableRange(p.Exponent, tp.Type)
			}
			size := GravNetTableScale * tableSize
			if lc.Table != nil {
				if lc.Table.Size != 0 {
					size = lc.Table.Size
				}
				if len(lc.Table.Range) == 2 {
					rng = [2]float64{lc.Table.Range[0], lc.Table.Range[1]}
				}
			}
			fmt.Fprintf(&b, "    table:   # exp(-%g*d) over distances d in [lo, hi) (k = %d, %s)\n", p.Exponent, p.K, p.Distance)
			fmt.Fprintf(&b, "      size: %d\n", size)
			fmt.Fprintf(&b, "      range: [%s, %s]\n", yamlFloat(rng[0]), yamlFloat(rng[1]))
		case "condensation":
			fmt.Fprintf(&b, "    result: %s   # type of the clusters output (beta and payload of each condensation point)\n",
				yamlScalar(or(lc.Result, ResultDefault(g, n, m.Precision))))
		case "concat":
			optional("result", lc.Result, "the inputs' type when they agree, else model.precision")
		case "fake_quant":
			optional("result", lc.Result, "the type the QONNX Quant node defines")
		case "bipolar_quant":
			optional("result", lc.Result, "2 bits holding +-scale when scale is a power of two, else model.precision")
		case "table":
			fn := n.Attrs.String("function", "")
			lo, hi := n.Attrs.Float("lo", 0), n.Attrs.Float("hi", 0)
			field("result", or(lc.Result, ResultDefault(g, n, m.Precision)))
			size := int(n.Attrs.Int("size", int64(tableSize)))
			fmt.Fprintf(&b, "    table:   # %s tabulated over [lo, hi)\n", fn)
			fmt.Fprintf(&b, "      size: %d\n", size)
			fmt.Fprintf(&b, "      range: [%s, %s]\n", yamlFloat(lo), yamlFloat(hi))
		default:
			field("result", or(lc.Result, ResultDefault(g, n, m.Precision)))
		}
	}
	return []byte(b.String())
}

var (
	plainKey    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)
	plainScalar = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_<>, ]*[A-Za-z0-9_>]$`)
)

// yamlKey quotes a mapping key unless it is a plain identifier that YAML
// reads back as the same string.
func yamlKey(s string) string {
	if plainKey.MatchString(s) && !yamlSpecial(s) {
		return s
	}
	return strconv.Quote(s)
}

// yamlScalar leaves precision strings (fixed<16,6>, RND, auto<8>) bare and
// quotes anything unusual.
func yamlScalar(s string) string {
	if plainScalar.MatchString(s) && !yamlSpecial(s) {
		return s
	}
	return strconv.Quote(s)
}

// yamlSpecial reports words YAML 1.1/1.2 would read as something other
// than a string.
func yamlSpecial(s string) bool {
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf":
		return true
	}
	return false
}

// yamlFloat prints a float that YAML reads back exactly as a float.
func yamlFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

func orFloat(v, def float64) float64 {
	if v != 0 {
		return v
	}
	return def
}

// graphInputs reports whether g is a graph network (it has a graph op),
// whose config gets the lanes setting.
func graphInputs(g *ir.Graph) bool {
	for _, n := range g.Nodes {
		switch n.Op {
		case "gravnet_agg", "global_exchange", "condensation", "mask":
			return true
		}
	}
	return false
}
