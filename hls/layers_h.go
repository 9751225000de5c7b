package hls

// layersHeader is <top>_layers.h after the file comment and include guard:
// one template per op kind. Each implements the op's row of
// ir/SEMANTICS.md: the exact result first (in a type that cannot round or
// overflow), then one conversion to the output type, which applies the
// output type's quantisation and overflow modes.
const layersHeader = `#include <ap_fixed.h>
#include <ap_int.h>

// Pragmas follow UG1399 (Vitis HLS User Guide), "HLS Pragmas":
//   pragma HLS pipeline   II = the layer's reuse factor; pipelining a function
//                         unrolls every loop inside it, so each layer is fully
//                         parallel at reuse factor 1.
//   pragma HLS allocation operation instances=mul limit=N: shares multipliers
//                         when the reuse factor is above 1.
//   pragma HLS array_partition type=complete: every element in its own register.
//   pragma HLS unroll / inline: loops and helpers unrolled into the pipeline.
// Fixed-point behaviour follows UG1399, "Arbitrary Precision Fixed-Point Data
// Types": quantization modes, overflow modes, and range selection
// (ap_[u]fixed::range(Hi, Lo)) for raw bits.

namespace trigo {

// exact_of<T>::type holds the same values as T (same width and integer bits)
// with the modes AP_TRN / AP_WRAP, so assigning a T to it never changes a bit.
template <class T>
struct exact_of;
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct exact_of<ap_fixed<W, I, Q, O, N> > {
  typedef ap_fixed<W, I> type;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct exact_of<ap_ufixed<W, I, Q, O, N> > {
  typedef ap_ufixed<W, I> type;
};

// convert<T>(v): the value v in type T, with T's quantisation and overflow
// modes (SEMANTICS.md: every op converts its exact result to the output type,
// even between equal types). The source is first copied into its AP_TRN /
// AP_WRAP twin, so that T is always constructed from a different type: a
// same-type copy would skip the conversion, which matters for AP_SAT_SYM
// (its most negative code becomes -max).
template <class T, class S>
inline T convert(const S &v) {
#pragma HLS INLINE
  const typename exact_of<S>::type e = v;
  return T(e);
}

// from_code<T>(c): the value of T whose code (raw W-bit pattern) is c. Exact
// for every code: the bits are copied, nothing is rounded.
template <class T, class C>
inline T from_code(const C code) {
#pragma HLS INLINE
  T v = 0;
  v.range(v.length() - 1, 0) = code;
  return v;
}

// ---------------------------------------------------------------------------
// dense: y[r][n] = sum_k x[r][k] * w[k][n] (+ b[n]), w row-major [n_in][n_out].
// The sum is exact in CONFIG_T::sum_t; it is converted to CONFIG_T::acc_t
// (the IR accumulator type), and that value to the output type.
template <class CONFIG_T, class x_t, class wcode_t>
inline typename CONFIG_T::sum_t dense_dot(const x_t *x, const wcode_t *w, int n) {
#pragma HLS INLINE
  typename CONFIG_T::sum_t sum = 0;
DenseDot:
  for (int k = 0; k < CONFIG_T::n_in; k++) {
#pragma HLS UNROLL
    sum += x[k] * from_code<typename CONFIG_T::weight_t>(w[k * CONFIG_T::n_out + n]);
  }
  return sum;
}

template <class CONFIG_T, class x_t, class wcode_t, class bcode_t, class y_t>
void dense(const x_t x[CONFIG_T::n_rows * CONFIG_T::n_in], const wcode_t w[CONFIG_T::n_in * CONFIG_T::n_out],
           const bcode_t b[CONFIG_T::n_out], y_t y[CONFIG_T::n_rows * CONFIG_T::n_out]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
#pragma HLS ALLOCATION operation instances=mul limit=CONFIG_T::multiplier_limit
DenseRows:
  for (int r = 0; r < CONFIG_T::n_rows; r++) {
  DenseOut:
    for (int n = 0; n < CONFIG_T::n_out; n++) {
      typename CONFIG_T::sum_t sum = dense_dot<CONFIG_T>(x + r * CONFIG_T::n_in, w, n);
      sum += from_code<typename CONFIG_T::bias_t>(b[n]);
      const typename CONFIG_T::acc_t acc = convert<typename CONFIG_T::acc_t>(sum);
      y[r * CONFIG_T::n_out + n] = convert<y_t>(acc);
    }
  }
}

// dense without bias.
template <class CONFIG_T, class x_t, class wcode_t, class y_t>
void dense(const x_t x[CONFIG_T::n_rows * CONFIG_T::n_in], const wcode_t w[CONFIG_T::n_in * CONFIG_T::n_out],
           y_t y[CONFIG_T::n_rows * CONFIG_T::n_out]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
#pragma HLS ALLOCATION operation instances=mul limit=CONFIG_T::multiplier_limit
DenseRows:
  for (int r = 0; r < CONFIG_T::n_rows; r++) {
  DenseOut:
    for (int n = 0; n < CONFIG_T::n_out; n++) {
      const typename CONFIG_T::sum_t sum = dense_dot<CONFIG_T>(x + r * CONFIG_T::n_in, w, n);
      const typename CONFIG_T::acc_t acc = convert<typename CONFIG_T::acc_t>(sum);
      y[r * CONFIG_T::n_out + n] = convert<y_t>(acc);
    }
  }
}

// ---------------------------------------------------------------------------
// conv: channel-last convolution, x [in_h][in_w][n_chan], w [k_h][k_w][n_chan]
// [n_filt], y [out_h][out_w][n_filt] (1-D convolutions have in_h = k_h = 1).
// Zero padding contributes nothing; the sum is exact, then acc_t, then y_t.
template <class CONFIG_T, class x_t, class wcode_t>
inline typename CONFIG_T::sum_t conv_dot(const x_t *x, const wcode_t *w, int oh, int ow, int f) {
#pragma HLS INLINE
  typename CONFIG_T::sum_t sum = 0;
ConvKh:
  for (int kh = 0; kh < CONFIG_T::k_h; kh++) {
  ConvKw:
    for (int kw = 0; kw < CONFIG_T::k_w; kw++) {
      const int ih = oh * CONFIG_T::stride_h - CONFIG_T::pad_top + kh * CONFIG_T::dilation_h;
      const int iw = ow * CONFIG_T::stride_w - CONFIG_T::pad_left + kw * CONFIG_T::dilation_w;
      if (ih < 0 || ih >= CONFIG_T::in_h || iw < 0 || iw >= CONFIG_T::in_w) continue;  // padding
    ConvChan:
      for (int c = 0; c < CONFIG_T::n_chan; c++) {
        sum += x[(ih * CONFIG_T::in_w + iw) * CONFIG_T::n_chan + c] *
               from_code<typename CONFIG_T::weight_t>(
                   w[((kh * CONFIG_T::k_w + kw) * CONFIG_T::n_chan + c) * CONFIG_T::n_filt + f]);
      }
    }
  }
  return sum;
}

template <class CONFIG_T, class x_t, class wcode_t, class bcode_t, class y_t>
void conv(const x_t x[CONFIG_T::in_h * CONFIG_T::in_w * CONFIG_T::n_chan],
          const wcode_t w[CONFIG_T::k_h * CONFIG_T::k_w * CONFIG_T::n_chan * CONFIG_T::n_filt],
          const bcode_t b[CONFIG_T::n_filt], y_t y[CONFIG_T::out_h * CONFIG_T::out_w * CONFIG_T::n_filt]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
#pragma HLS ALLOCATION operation instances=mul limit=CONFIG_T::multiplier_limit
ConvOh:
  for (int oh = 0; oh < CONFIG_T::out_h; oh++) {
  ConvOw:
    for (int ow = 0; ow < CONFIG_T::out_w; ow++) {
    ConvFilt:
      for (int f = 0; f < CONFIG_T::n_filt; f++) {
        typename CONFIG_T::sum_t sum = conv_dot<CONFIG_T>(x, w, oh, ow, f);
        sum += from_code<typename CONFIG_T::bias_t>(b[f]);
        const typename CONFIG_T::acc_t acc = convert<typename CONFIG_T::acc_t>(sum);
        y[(oh * CONFIG_T::out_w + ow) * CONFIG_T::n_filt + f] = convert<y_t>(acc);
      }
    }
  }
}

// conv without bias.
template <class CONFIG_T, class x_t, class wcode_t, class y_t>
void conv(const x_t x[CONFIG_T::in_h * CONFIG_T::in_w * CONFIG_T::n_chan],
          const wcode_t w[CONFIG_T::k_h * CONFIG_T::k_w * CONFIG_T::n_chan * CONFIG_T::n_filt],
          y_t y[CONFIG_T::out_h * CONFIG_T::out_w * CONFIG_T::n_filt]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
#pragma HLS ALLOCATION operation instances=mul limit=CONFIG_T::multiplier_limit
ConvOh:
  for (int oh = 0; oh < CONFIG_T::out_h; oh++) {
  ConvOw:
    for (int ow = 0; ow < CONFIG_T::out_w; ow++) {
    ConvFilt:
      for (int f = 0; f < CONFIG_T::n_filt; f++) {
        const typename CONFIG_T::sum_t sum = conv_dot<CONFIG_T>(x, w, oh, ow, f);
        const typename CONFIG_T::acc_t acc = convert<typename CONFIG_T::acc_t>(sum);
        y[(oh * CONFIG_T::out_w + ow) * CONFIG_T::n_filt + f] = convert<y_t>(acc);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// maxpool: the largest input among the window's non-padding positions.
template <class CONFIG_T, class x_t, class y_t>
void maxpool(const x_t x[CONFIG_T::in_h * CONFIG_T::in_w * CONFIG_T::n_chan],
             y_t y[CONFIG_T::out_h * CONFIG_T::out_w * CONFIG_T::n_chan]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
PoolOh:
  for (int oh = 0; oh < CONFIG_T::out_h; oh++) {
  PoolOw:
    for (int ow = 0; ow < CONFIG_T::out_w; ow++) {
    PoolChan:
      for (int c = 0; c < CONFIG_T::n_chan; c++) {
        x_t m = 0;
        bool seen = false;
      PoolKh:
        for (int kh = 0; kh < CONFIG_T::k_h; kh++) {
        PoolKw:
          for (int kw = 0; kw < CONFIG_T::k_w; kw++) {
            const int ih = oh * CONFIG_T::stride_h - CONFIG_T::pad_top + kh;
            const int iw = ow * CONFIG_T::stride_w - CONFIG_T::pad_left + kw;
            if (ih < 0 || ih >= CONFIG_T::in_h || iw < 0 || iw >= CONFIG_T::in_w) continue;  // padding
            const x_t v = x[(ih * CONFIG_T::in_w + iw) * CONFIG_T::n_chan + c];
            if (!seen || v > m) m = v;
            seen = true;
          }
        }
        y[(oh * CONFIG_T::out_w + ow) * CONFIG_T::n_chan + c] = convert<y_t>(m);
      }
    }
  }
}

// avgpool: exact window sum times round_half_up(2^recip_frac / count), where
// count is the kernel size (count_include_pad) or the number of non-padding
// positions.
template <class CONFIG_T, class x_t, class y_t>
void avgpool(const x_t x[CONFIG_T::in_h * CONFIG_T::in_w * CONFIG_T::n_chan],
             y_t y[CONFIG_T::out_h * CONFIG_T::out_w * CONFIG_T::n_chan]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
PoolOh:
  for (int oh = 0; oh < CONFIG_T::out_h; oh++) {
  PoolOw:
    for (int ow = 0; ow < CONFIG_T::out_w; ow++) {
    PoolChan:
      for (int c = 0; c < CONFIG_T::n_chan; c++) {
        typename CONFIG_T::sum_t sum = 0;
        int count = 0;
      PoolKh:
        for (int kh = 0; kh < CONFIG_T::k_h; kh++) {
        PoolKw:
          for (int kw = 0; kw < CONFIG_T::k_w; kw++) {
            const int ih = oh * CONFIG_T::stride_h - CONFIG_T::pad_top + kh;
            const int iw = ow * CONFIG_T::stride_w - CONFIG_T::pad_left + kw;
            if (ih < 0 || ih >= CONFIG_T::in_h || iw < 0 || iw >= CONFIG_T::in_w) continue;  // padding
            sum += x[(ih * CONFIG_T::in_w + iw) * CONFIG_T::n_chan + c];
            count++;
          }
        }
        const long long n = CONFIG_T::count_include_pad ? (long long)(CONFIG_T::k_h * CONFIG_T::k_w) : (long long)count;
        const long long r = ((1LL << (CONFIG_T::recip_frac + 1)) + n) / (2 * n);  // round_half_up(2^recip_frac / n)
        y[(oh * CONFIG_T::out_w + ow) * CONFIG_T::n_chan + c] =
            convert<y_t>(sum * from_code<typename CONFIG_T::recip_t>(r));
      }
    }
  }
}

// ---------------------------------------------------------------------------
// add / sub / mul with numpy broadcasting, over four (right-aligned) axes:
// out[i0][i1][i2][i3] combines a and b at their strides (0 along broadcast
// axes). a + b, a - b and a * b are exact ap_fixed results.
enum { OP_ADD, OP_SUB, OP_MUL };

template <class CONFIG_T, int OP, class a_t, class b_t, class y_t>
void binary(const a_t a[CONFIG_T::a_size], const b_t b[CONFIG_T::b_size], y_t y[CONFIG_T::n]) {
#pragma HLS INLINE
B0:
  for (int i0 = 0; i0 < CONFIG_T::d0; i0++) {
  B1:
    for (int i1 = 0; i1 < CONFIG_T::d1; i1++) {
    B2:
      for (int i2 = 0; i2 < CONFIG_T::d2; i2++) {
      B3:
        for (int i3 = 0; i3 < CONFIG_T::d3; i3++) {
          const int o = ((i0 * CONFIG_T::d1 + i1) * CONFIG_T::d2 + i2) * CONFIG_T::d3 + i3;
          const int ia = i0 * CONFIG_T::a_s0 + i1 * CONFIG_T::a_s1 + i2 * CONFIG_T::a_s2 + i3 * CONFIG_T::a_s3;
          const int ib = i0 * CONFIG_T::b_s0 + i1 * CONFIG_T::b_s1 + i2 * CONFIG_T::b_s2 + i3 * CONFIG_T::b_s3;
          if (OP == OP_ADD)
            y[o] = convert<y_t>(a[ia] + b[ib]);
          else if (OP == OP_SUB)
            y[o] = convert<y_t>(a[ia] - b[ib]);
          else
            y[o] = convert<y_t>(a[ia] * b[ib]);
        }
      }
    }
  }
}

template <class CONFIG_T, class a_t, class b_t, class y_t>
void add(const a_t a[CONFIG_T::a_size], const b_t b[CONFIG_T::b_size], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  binary<CONFIG_T, OP_ADD>(a, b, y);
}

template <class CONFIG_T, class a_t, class b_t, class y_t>
void sub(const a_t a[CONFIG_T::a_size], const b_t b[CONFIG_T::b_size], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  binary<CONFIG_T, OP_SUB>(a, b, y);
}

template <class CONFIG_T, class a_t, class b_t, class y_t>
void mul(const a_t a[CONFIG_T::a_size], const b_t b[CONFIG_T::b_size], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  binary<CONFIG_T, OP_MUL>(a, b, y);
}

// ---------------------------------------------------------------------------
// Element-wise activations.

// relu: max(x, 0).
template <class CONFIG_T, class x_t, class y_t>
void relu(const x_t x[CONFIG_T::n], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  const x_t zero = 0;
Relu:
  for (int i = 0; i < CONFIG_T::n; i++) {
    y[i] = x[i] < zero ? convert<y_t>(zero) : convert<y_t>(x[i]);
  }
}

// leaky_relu: x >= 0 ? x : x * alpha, alpha a multiple of 2^-16 (exact product).
template <class CONFIG_T, class x_t, class y_t>
void leaky_relu(const x_t x[CONFIG_T::n], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  const x_t zero = 0;
  const typename CONFIG_T::alpha_t alpha = from_code<typename CONFIG_T::alpha_t>(CONFIG_T::alpha_code);
LeakyRelu:
  for (int i = 0; i < CONFIG_T::n; i++) {
    y[i] = x[i] < zero ? convert<y_t>(x[i] * alpha) : convert<y_t>(x[i]);
  }
}

// clip: min(max(x, min), max), bounds on x's grid, compared exactly.
template <class CONFIG_T, class x_t, class y_t>
void clip(const x_t x[CONFIG_T::n], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  const typename CONFIG_T::clip_t lo = from_code<typename CONFIG_T::clip_t>(CONFIG_T::min_code);
  const typename CONFIG_T::clip_t hi = from_code<typename CONFIG_T::clip_t>(CONFIG_T::max_code);
Clip:
  for (int i = 0; i < CONFIG_T::n; i++) {
    typename CONFIG_T::clip_t v = x[i];
    if (CONFIG_T::has_min && v < lo) v = lo;
    if (CONFIG_T::has_max && v > hi) v = hi;
    y[i] = convert<y_t>(v);
  }
}

// bipolar_quant: x >= 0 ? +scale : -scale, both constants already in y_t.
template <class CONFIG_T, class x_t, class y_t>
void bipolar_quant(const x_t x[CONFIG_T::n], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  const x_t zero = 0;
Bipolar:
  for (int i = 0; i < CONFIG_T::n; i++) {
    y[i] = x[i] < zero ? from_code<y_t>(CONFIG_T::neg_code) : from_code<y_t>(CONFIG_T::pos_code);
  }
}

// lut: table[clamp((code(x) - offset) >> shift, 0, table_size - 1)], computed
// on the raw codes (arithmetic shift = floor), then converted to y_t.
template <class CONFIG_T, class x_t, class tcode_t, class y_t>
void lut(const x_t x[CONFIG_T::n], const tcode_t table[CONFIG_T::table_size], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  typedef typename CONFIG_T::diff_t diff_t;
Lut:
  for (int i = 0; i < CONFIG_T::n; i++) {
    const typename CONFIG_T::code_t code = ap_uint<CONFIG_T::x_width>(x[i].range(CONFIG_T::x_width - 1, 0));
    const diff_t d = diff_t(code) - diff_t(CONFIG_T::offset);
    const diff_t s = d >> ap_uint<7>(CONFIG_T::shift);
    int idx;
    if (s < diff_t(0))
      idx = 0;
    else if (s > diff_t(CONFIG_T::table_size - 1))
      idx = CONFIG_T::table_size - 1;
    else
      idx = s.to_int();
    y[i] = convert<y_t>(from_code<typename CONFIG_T::table_t>(table[idx]));
  }
}

// ---------------------------------------------------------------------------
// Data movement: every element is converted to the output type.

// copy (reshape, cast): y[i] = x[i].
template <class CONFIG_T, class x_t, class y_t>
void copy(const x_t x[CONFIG_T::n], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
Copy:
  for (int i = 0; i < CONFIG_T::n; i++) {
    y[i] = convert<y_t>(x[i]);
  }
}

// transpose: out[i0][i1][i2][i3] = x at the input strides s0..s3 of the
// permuted axes.
template <class CONFIG_T, class x_t, class y_t>
void transpose(const x_t x[CONFIG_T::n], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
T0:
  for (int i0 = 0; i0 < CONFIG_T::d0; i0++) {
  T1:
    for (int i1 = 0; i1 < CONFIG_T::d1; i1++) {
    T2:
      for (int i2 = 0; i2 < CONFIG_T::d2; i2++) {
      T3:
        for (int i3 = 0; i3 < CONFIG_T::d3; i3++) {
          const int o = ((i0 * CONFIG_T::d1 + i1) * CONFIG_T::d2 + i2) * CONFIG_T::d3 + i3;
          y[o] = convert<y_t>(x[i0 * CONFIG_T::s0 + i1 * CONFIG_T::s1 + i2 * CONFIG_T::s2 + i3 * CONFIG_T::s3]);
        }
      }
    }
  }
}

// concat_part: one input of a concatenation, copied into its slice of y.
template <class PART_T, class x_t, class y_t>
void concat_part(const x_t x[PART_T::outer * PART_T::chunk], y_t y[PART_T::outer * PART_T::out_chunk]) {
#pragma HLS PIPELINE II=PART_T::reuse_factor
ConcatOuter:
  for (int o = 0; o < PART_T::outer; o++) {
  ConcatChunk:
    for (int t = 0; t < PART_T::chunk; t++) {
      y[o * PART_T::out_chunk + PART_T::offset + t] = convert<y_t>(x[o * PART_T::chunk + t]);
    }
  }
}

// ---------------------------------------------------------------------------
// Reductions over the axes whose output stride o_s* is 0 (dimensions kept).

// reduce_sum: exact sum in CONFIG_T::sum_t, then y_t.
template <class CONFIG_T, class x_t, class y_t>
void reduce_sum(const x_t x[CONFIG_T::n_in], y_t y[CONFIG_T::n_out]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  typename CONFIG_T::sum_t acc[CONFIG_T::n_out];
#pragma HLS ARRAY_PARTITION variable=acc type=complete
SumInit:
  for (int o = 0; o < CONFIG_T::n_out; o++) acc[o] = typename CONFIG_T::sum_t(0);
R0:
  for (int i0 = 0; i0 < CONFIG_T::d0; i0++) {
  R1:
    for (int i1 = 0; i1 < CONFIG_T::d1; i1++) {
    R2:
      for (int i2 = 0; i2 < CONFIG_T::d2; i2++) {
      R3:
        for (int i3 = 0; i3 < CONFIG_T::d3; i3++) {
          const int i = ((i0 * CONFIG_T::d1 + i1) * CONFIG_T::d2 + i2) * CONFIG_T::d3 + i3;
          const int o = i0 * CONFIG_T::o_s0 + i1 * CONFIG_T::o_s1 + i2 * CONFIG_T::o_s2 + i3 * CONFIG_T::o_s3;
          acc[o] += x[i];
        }
      }
    }
  }
SumOut:
  for (int o = 0; o < CONFIG_T::n_out; o++) y[o] = convert<y_t>(acc[o]);
}

// reduce_max: the largest input of each group, then y_t.
template <class CONFIG_T, class x_t, class y_t>
void reduce_max(const x_t x[CONFIG_T::n_in], y_t y[CONFIG_T::n_out]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  x_t m[CONFIG_T::n_out];
  bool seen[CONFIG_T::n_out];
#pragma HLS ARRAY_PARTITION variable=m type=complete
#pragma HLS ARRAY_PARTITION variable=seen type=complete
MaxInit:
  for (int o = 0; o < CONFIG_T::n_out; o++) {
    m[o] = x_t(0);
    seen[o] = false;
  }
R0:
  for (int i0 = 0; i0 < CONFIG_T::d0; i0++) {
  R1:
    for (int i1 = 0; i1 < CONFIG_T::d1; i1++) {
    R2:
      for (int i2 = 0; i2 < CONFIG_T::d2; i2++) {
      R3:
        for (int i3 = 0; i3 < CONFIG_T::d3; i3++) {
          const int i = ((i0 * CONFIG_T::d1 + i1) * CONFIG_T::d2 + i2) * CONFIG_T::d3 + i3;
          const int o = i0 * CONFIG_T::o_s0 + i1 * CONFIG_T::o_s1 + i2 * CONFIG_T::o_s2 + i3 * CONFIG_T::o_s3;
          if (!seen[o] || x[i] > m[o]) m[o] = x[i];
          seen[o] = true;
        }
      }
    }
  }
MaxOut:
  for (int o = 0; o < CONFIG_T::n_out; o++) y[o] = convert<y_t>(m[o]);
}

}  // namespace trigo
`
