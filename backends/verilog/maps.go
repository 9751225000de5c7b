package verilog

import (
	"fmt"

	"trigo/ir"
)

// Index maps resolved at generation time: the same definitions as the
// simulator's (sim/sim.go), so the wiring agrees with it element by
// element.

// broadcastIndex returns, for every element of out, the index into a tensor
// of shape in broadcast to out (numpy rules).
func broadcastIndex(in, out ir.Shape) []int {
	n := out.Size()
	m := make([]int, n)
	inStr := in.Strides()
	eff := make([]int, len(out))
	for i := range out {
		j := len(in) - len(out) + i
		if j >= 0 && in[j] != 1 {
			eff[i] = inStr[j]
		}
	}
	coord := make([]int, len(out))
	for o := 0; o < n; o++ {
		rem := o
		for a := len(out) - 1; a >= 0; a-- {
			coord[a] = rem % out[a]
			rem /= out[a]
		}
		idx := 0
		for a := range out {
			idx += coord[a] * eff[a]
		}
		m[o] = idx
	}
	return m
}

// transposeIndex returns, for every output element, the input element.
func transposeIndex(in ir.Shape, perm []int) []int {
	out := make(ir.Shape, len(in))
	for i, p := range perm {
		out[i] = in[p]
	}
	inStr := in.Strides()
	n := out.Size()
	m := make([]int, n)
	coord := make([]int, len(out))
	for o := 0; o < n; o++ {
		rem := o
		for a := len(out) - 1; a >= 0; a-- {
			coord[a] = rem % out[a]
			rem /= out[a]
		}
		idx := 0
		for a, p := range perm {
			idx += coord[a] * inStr[p]
		}
		m[o] = idx
	}
	return m
}

// reduceLists returns, for every output element of a reduction over axes
// (kept with size 1), the input elements reduced into it, in input order.
func reduceLists(in ir.Shape, axes []int) [][]int {
	out := in.Clone()
	for _, a := range axes {
		out[a] = 1
	}
	outStr := out.Strides()
	lists := make([][]int, out.Size())
	coord := make([]int, len(in))
	for i := 0; i < in.Size(); i++ {
		rem := i
		for a := len(in) - 1; a >= 0; a-- {
			coord[a] = rem % in[a]
			rem /= in[a]
		}
		o := 0
		for a := range in {
			if out[a] != 1 {
				o += coord[a] * outStr[a]
			}
		}
		lists[o] = append(lists[o], i)
	}
	return lists
}

// window is a channel-last sliding window: for output position o and
// kernel position k, idx[o][k] is the input spatial position or -1 in the
// padding.
type window struct {
	nOut, nK int
	idx      [][]int
	valid    []int
}

func newWindow(inSp, k, strides, dil, padBegin, outSp []int) *window {
	d := len(inSp)
	w := &window{nOut: 1, nK: 1}
	for _, v := range outSp {
		w.nOut *= v
	}
	for _, v := range k {
		w.nK *= v
	}
	inStr := ir.Shape(inSp).Strides()
	w.idx = make([][]int, w.nOut)
	w.valid = make([]int, w.nOut)
	oc := make([]int, d)
	kc := make([]int, d)
	for o := 0; o < w.nOut; o++ {
		rem := o
		for a := d - 1; a >= 0; a-- {
			oc[a] = rem % outSp[a]
			rem /= outSp[a]
		}
		w.idx[o] = make([]int, w.nK)
		for kk := 0; kk < w.nK; kk++ {
			rem := kk
			for a := d - 1; a >= 0; a-- {
				kc[a] = rem % k[a]
				rem /= k[a]
			}
			pos, ok := 0, true
			for a := 0; a < d; a++ {
				p := oc[a]*strides[a] - padBegin[a] + kc[a]*dil[a]
				if p < 0 || p >= inSp[a] {
					ok = false
					break
				}
				pos += p * inStr[a]
			}
			if ok {
				w.idx[o][kk] = pos
				w.valid[o]++
			} else {
				w.idx[o][kk] = -1
			}
		}
	}
	return w
}

func convWindow(n *ir.Node, x, w, out ir.Shape) (*window, error) {
	d := len(x) - 1
	st, dil, pads, err := ir.SpatialParams(n.Attrs, d)
	if err != nil {
		return nil, err
	}
	return newWindow(x[:d], []int(w[:d]), st, dil, pads[:d], out[:d]), nil
}

func poolWindow(n *ir.Node, x, out ir.Shape) (*window, error) {
	d := len(x) - 1
	st, dil, pads, err := ir.SpatialParams(ir.Attrs{"strides": n.Attrs.Ints("strides"), "pads": n.Attrs.Ints("pads")}, d)
	if err != nil {
		return nil, err
	}
	ki := n.Attrs.Ints("kernel")
	k := make([]int, d)
	for i := range k {
		k[i] = int(ki[i])
	}
	w := newWindow(x[:d], k, st, dil, pads[:d], out[:d])
	for o, v := range w.valid {
		if v == 0 {
			return nil, fmt.Errorf("pooling window at output position %d lies entirely in the padding", o)
		}
	}
	return w, nil
}
