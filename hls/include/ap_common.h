// trigo stand-in for the Xilinx/AMD arbitrary-precision types (ap_int.h,
// ap_fixed.h): the subset the C++ that trigo's HLS backend emits uses, with the
// semantics of the Vitis HLS headers (UG1399, "C++ Arbitrary Precision Types"
// and "C++ Arbitrary Precision Fixed-Point Types"), so that a C simulation with
// g++ and these headers gives exactly the results of a C simulation with the
// real headers.
//
// This is NOT Xilinx's implementation. It is a small, independent one written
// for trigo (package trigo/hls), tested against an exact math/big oracle
// (hls/standin_test.go). Emitted code includes <ap_fixed.h> / <ap_int.h> /
// <hls_stream.h> with angle brackets, so only the -I option decides whether
// these stand-ins or the real headers are used.
//
// What is modelled (everything exact, no floating point on the way):
//
//   * ap_fixed<W,I,Q,O,N> / ap_ufixed<W,I,Q,O,N>, 1 <= W <= 127 (stored
//     values up to 64 bits, exact intermediates up to 127 bits; codes are
//     kept in an __int128). Conversion between formats (construction and
//     assignment) quantises with the target's Q (all seven modes) and then
//     resolves overflow with its O (AP_WRAP, AP_SAT, AP_SAT_ZERO,
//     AP_SAT_SYM), in that order, as ap_fixed_base::operator= does.
//     AP_SAT_SYM on a signed target also turns the most negative code into
//     -max (ap_fixed's "underflow |= neg_src && low bits == 0" rule); for
//     W == 1 its negative saturation value is the bit pattern 1 (code -1).
//     AP_WRAP_SM and N != 0 are rejected at compile time.
//   * Copying a value to the SAME type (copy constructor / copy assignment)
//     copies the bits, like the real classes (whose same-type operator= is a
//     plain bit copy): no quantisation or overflow handling happens then.
//   * +, -, * between any two ap_[u]fixed formats return the full-precision
//     result type of ap_fixed_base::RType (mult: W1+W2, I1+I2; plus/minus:
//     max integer bits + 1, max fractional bits; minus is always signed).
//   * Comparisons between any formats are exact.
//   * Construction from C integers and from double/float (exact decoding of
//     the double, then the conversion above). NaN gives 0 with a warning;
//     +-Inf overflows with that sign. (The real double constructor decodes
//     subnormal doubles with an implicit leading 1; values that small only
//     matter for types with more than 1021 fractional bits.)
//   * range(Hi, Lo) / range() read and write raw bits (Hi >= Lo), length(),
//     to_double() (round to nearest even).
//   * ap_int<W> / ap_uint<W> of any width: construction from C integers and
//     other ap_[u]int (truncation / sign or zero extension), range()
//     read/write, to_int/to_uint/to_int64/to_uint64/to_double, comparisons;
//     +, -, * (RType widths of ap_int_base) and shifts by an ap_uint amount
//     for W <= 127. Wider ap_uint (stream words of up to 4096 bits and more)
//     support construction, copying and range() only.
//
// Everything else of the real headers (division, bitwise operators on
// fixed-point values, concatenation, string conversion, printing, ...) is
// deliberately absent: code that compiles against this file uses only
// behaviour that both implementations define identically.
#ifndef TRIGO_AP_COMMON_H
#define TRIGO_AP_COMMON_H

#ifndef __cplusplus
#error "C++ is required to include this header file"
#endif
#ifndef __SIZEOF_INT128__
#error "trigo's ap_fixed stand-in needs a compiler with __int128 (g++ or clang++ on a 64-bit host)"
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum ap_q_mode { AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV, AP_TRN, AP_TRN_ZERO };
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

typedef long long ap_slong;
typedef unsigned long long ap_ulong;

template <int _AP_W, bool _AP_S> struct ap_int_base;
template <int _AP_W> struct ap_int;
template <int _AP_W> struct ap_uint;
template <int _AP_W, bool _AP_S> struct ap_range_ref;
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q = AP_TRN, ap_o_mode _AP_O = AP_WRAP, int _AP_N = 0>
struct ap_fixed_base;
template <int _AP_W, int _AP_I, ap_q_mode _AP_Q = AP_TRN, ap_o_mode _AP_O = AP_WRAP, int _AP_N = 0>
struct ap_fixed;
template <int _AP_W, int _AP_I, ap_q_mode _AP_Q = AP_TRN, ap_o_mode _AP_O = AP_WRAP, int _AP_N = 0>
struct ap_ufixed;
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct af_range_ref;

// ---------------------------------------------------------------------------
// Exact integer helpers.
namespace trigo_ap {

typedef __int128 i128;
typedef unsigned __int128 u128;

// Forced inlining lets optimised builds fold the constant format parameters
// of every conversion; unoptimised builds compile faster without it.
#ifdef __OPTIMIZE__
#define TRIGO_AP_INLINE inline __attribute__((always_inline))
#else
#define TRIGO_AP_INLINE inline
#endif

// Widest ap_[u]fixed (and arithmetic ap_[u]int) the stand-in represents.
enum { MAX_NARROW = 127 };

template <int A, int B> struct max_of { enum { value = A > B ? A : B }; };

TRIGO_AP_INLINE void fail(const char *msg) {
  fprintf(stderr, "trigo ap_fixed stand-in: %s\n", msg);
  abort();
}

// Mask of the n low bits, 0 <= n <= 128.
TRIGO_AP_INLINE u128 mask(int n) {
  return n >= 128 ? ~(u128)0 : (((u128)1 << n) - 1);
}

// v * 2^k for a result known to fit (0 <= k <= 126).
TRIGO_AP_INLINE i128 shl(i128 v, int k) { return (i128)((u128)v << k); }

// v reduced to w bits (1 <= w <= 127): sign-extended when s, else zero-extended.
TRIGO_AP_INLINE i128 norm(i128 v, int w, bool s) {
  const u128 u = (u128)v << (128 - w);
  return s ? ((i128)u >> (128 - w)) : (i128)(u >> (128 - w));
}

TRIGO_AP_INLINE i128 max_code(int w, bool s) {
  return s ? (i128)(((u128)1 << (w - 1)) - 1) : (i128)(((u128)1 << w) - 1);
}

TRIGO_AP_INLINE i128 min_code(int w, bool s) {
  return s ? -(i128)((u128)1 << (w - 1)) : 0;
}

// Resolves an out-of-range quantised value with sign neg whose low bits are
// low (only its w low bits matter for AP_WRAP).
TRIGO_AP_INLINE i128 overflow(bool neg, i128 low, int w, bool s, ap_o_mode o) {
  switch (o) {
  case AP_SAT_ZERO:
    return 0;
  case AP_SAT:
    return neg ? min_code(w, s) : max_code(w, s);
  case AP_SAT_SYM:
    if (!neg) return max_code(w, s);
    if (!s) return 0;
    return w == 1 ? (i128)-1 : min_code(w, s) + 1;  // bit pattern 100..01
  default:
    return norm(low, w, s);  // AP_WRAP: keep the low w bits
  }
}

// v * 2^-sh rounded to an integer with mode q (sh >= 1). The rounding
// decisions use the sign of v, the exact source value.
TRIGO_AP_INLINE i128 quantise(i128 v, int sh, ap_q_mode q) {
  i128 fl;
  bool exact;
  int cmp;  // dropped part vs half an LSB: -1 below, 0 tie, +1 above
  if (sh <= 127) {
    fl = v >> sh;  // arithmetic shift: floor
    const u128 rem = (u128)v & mask(sh);
    const u128 half = (u128)1 << (sh - 1);
    exact = rem == 0;
    cmp = rem < half ? -1 : (rem > half ? 1 : 0);
  } else {
    // |v| < 2^127 <= 2^(sh-1): the value lies strictly within half an LSB of 0.
    fl = v < 0 ? -1 : 0;
    exact = v == 0;
    cmp = v < 0 ? 1 : -1;
  }
  const bool neg = v < 0;
  bool inc = false;
  switch (q) {
  case AP_TRN: break;
  case AP_TRN_ZERO: inc = neg && !exact; break;
  case AP_RND: inc = cmp >= 0; break;
  case AP_RND_ZERO: inc = cmp > 0 || (cmp == 0 && neg); break;
  case AP_RND_MIN_INF: inc = cmp > 0; break;
  case AP_RND_INF: inc = cmp > 0 || (cmp == 0 && !neg); break;
  case AP_RND_CONV: inc = cmp > 0 || (cmp == 0 && (fl & 1) != 0); break;
  }
  return fl + (inc ? 1 : 0);
}

// The code of the exact value v * 2^-f2 in the format (w, f, s) with
// quantisation q and overflow o: quantisation first, then overflow.
TRIGO_AP_INLINE i128 convert(i128 v, long f2, int w, long f, bool s, ap_q_mode q, ap_o_mode o) {
  const long sh = f2 - f;
  i128 qv;
  if (sh > 0) {
    qv = quantise(v, sh > 200 ? 200 : (int)sh, q);
  } else {
    if (v == 0) return 0;
    const long k = -sh;
    if (k >= 127) return overflow(v < 0, 0, w, s, o);  // |v * 2^k| >= 2^127, low bits all 0
    const u128 shifted = (u128)v << k;
    if (((i128)shifted >> k) != v) return overflow(v < 0, (i128)shifted, w, s, o);
    qv = (i128)shifted;
  }
  const i128 mx = max_code(w, s), mn = min_code(w, s);
  if (qv > mx) return overflow(false, qv, w, s, o);
  if (qv < mn) return overflow(true, qv, w, s, o);
  if (s && o == AP_SAT_SYM && qv == mn) return w == 1 ? (i128)-1 : mn + 1;
  return qv;
}

// Exact conversion of a double into (w, f, s, q, o).
inline i128 from_double(double d, int w, long f, bool s, ap_q_mode q, ap_o_mode o) {
  if (d == 0) return 0;
  if (d != d) {
    fprintf(stderr, "trigo ap_fixed stand-in: warning: NaN assigned to a fixed-point value; using 0\n");
    return 0;
  }
  if (isinf(d)) return overflow(d < 0, 0, w, s, o);
  int e = 0;
  const double fr = frexp(d, &e);              // d = fr * 2^e, 0.5 <= |fr| < 1
  const long long m = (long long)ldexp(fr, 53);  // exact 53-bit integer
  return convert((i128)m, 53L - e, w, f, s, q, o);
}

// code * 2^-f rounded to the nearest double (ties to even).
inline double to_double(i128 code, long f) {
  if (code == 0) return 0.0;
  if (f > 100000) f = 100000;
  if (f < -100000) f = -100000;
  if (code >= -((i128)1 << 62) && code < ((i128)1 << 62)) return ldexp((double)(long long)code, (int)-f);
  return ldexp((double)code, (int)-f);  // __int128 -> double rounds to nearest even
}

// Exact comparison of a * 2^-fa with b * 2^-fb: -1, 0 or +1.
inline int compare(i128 a, long fa, i128 b, long fb) {
  if (fa != fb) {
    // Bring both to the larger frac; a shift that overflows means that
    // operand's magnitude dominates.
    i128 *lo = fa < fb ? &a : &b;
    const long k = fa < fb ? fb - fa : fa - fb;
    const i128 v = *lo;
    if (v != 0) {
      const bool fits = k < 127 && (((i128)((u128)v << k)) >> k) == v;
      if (!fits) {
        const int sgn = v < 0 ? -1 : 1;
        return lo == &a ? sgn : -sgn;
      }
      *lo = (i128)((u128)v << k);
    }
  }
  return a < b ? -1 : (a > b ? 1 : 0);
}

}  // namespace trigo_ap

// ---------------------------------------------------------------------------
// Result-type traits (ap_int_base::RType and ap_fixed_base::RType).
template <int _AP_W, bool _AP_S> struct _ap_int_factory;
template <int _AP_W> struct _ap_int_factory<_AP_W, true> { typedef ap_int<_AP_W> type; };
template <int _AP_W> struct _ap_int_factory<_AP_W, false> { typedef ap_uint<_AP_W> type; };

template <int _AP_W, int _AP_I, bool _AP_S> struct _ap_fixed_factory;
template <int _AP_W, int _AP_I> struct _ap_fixed_factory<_AP_W, _AP_I, true> { typedef ap_fixed<_AP_W, _AP_I> type; };
template <int _AP_W, int _AP_I> struct _ap_fixed_factory<_AP_W, _AP_I, false> { typedef ap_ufixed<_AP_W, _AP_I> type; };

// ---------------------------------------------------------------------------
// ap_int_base: the bits of an ap_int / ap_uint, in 64-bit words (little
// endian); the bits above W in the top word repeat the sign (signed) or are
// zero (unsigned).
template <int _AP_W, bool _AP_S>
struct ap_int_base {
  static_assert(_AP_W >= 1, "ap_[u]int width must be at least 1");
  enum { NW = (_AP_W + 63) / 64 };
  static const int width = _AP_W;
  uint64_t w_[NW];

  template <int _AP_W2, bool _AP_S2>
  struct RType {
    enum {
      mult_w = _AP_W + _AP_W2,
      mult_s = _AP_S || _AP_S2,
      plus_w = trigo_ap::max_of<_AP_W + (_AP_S2 && !_AP_S), _AP_W2 + (_AP_S && !_AP_S2)>::value + 1,
      plus_s = _AP_S || _AP_S2,
      minus_w = trigo_ap::max_of<_AP_W + (_AP_S2 && !_AP_S), _AP_W2 + (_AP_S && !_AP_S2)>::value + 1,
      minus_s = true
    };
    typedef typename _ap_int_factory<mult_w, mult_s>::type mult;
    typedef typename _ap_int_factory<plus_w, plus_s>::type plus;
    typedef typename _ap_int_factory<minus_w, minus_s>::type minus;
  };

  // --- raw access -----------------------------------------------------------
  void renorm() {
    const int t = (_AP_W - 1) / 64, b = (_AP_W - 1) % 64;
    if (b == 63) return;
    const uint64_t m = ~(uint64_t)0 >> (63 - b);  // the b+1 low bits
    if (_AP_S && ((w_[t] >> b) & 1)) w_[t] |= ~m;
    else w_[t] &= m;
  }
  // Sets the value from a sign-extended (or, for unsigned sources,
  // zero-extended) 128-bit integer, truncating to W bits.
  void set_i128(trigo_ap::i128 v) {
    for (int i = 0; i < NW; i++) {
      if (i == 0) w_[i] = (uint64_t)v;
      else if (i == 1) w_[i] = (uint64_t)(v >> 64);
      else w_[i] = v < 0 ? ~(uint64_t)0 : 0;
    }
    renorm();
  }
  // The value (W <= 127 only).
  trigo_ap::i128 get() const {
    static_assert(_AP_W <= trigo_ap::MAX_NARROW, "arithmetic on ap_[u]int wider than 127 bits is not supported by trigo's stand-in");
    if (NW == 1) return _AP_S ? (trigo_ap::i128)(int64_t)w_[0] : (trigo_ap::i128)w_[0];
    const uint64_t hi = w_[NW - 1];
    const trigo_ap::i128 h = _AP_S ? (trigo_ap::i128)(int64_t)hi : (trigo_ap::i128)hi;
    return (trigo_ap::i128)(((trigo_ap::u128)h << 64) | (trigo_ap::u128)w_[0]);
  }
  // Bits lo .. lo+n-1 (1 <= n <= 128), zero-extended.
  trigo_ap::u128 get_bits(int lo, int n) const {
    trigo_ap::u128 r = 0;
    int got = 0;
    while (got < n) {
      const int pos = lo + got, wi = pos >> 6, bi = pos & 63;
      const int take = (64 - bi) < (n - got) ? (64 - bi) : (n - got);
      const uint64_t chunk = (w_[wi] >> bi) & (take == 64 ? ~(uint64_t)0 : ((((uint64_t)1) << take) - 1));
      r |= (trigo_ap::u128)chunk << got;
      got += take;
    }
    return r;
  }
  // Sets bits lo .. lo+n-1 to the n low bits of v.
  void set_bits(int lo, int n, trigo_ap::u128 v) {
    int done = 0;
    while (done < n) {
      const int pos = lo + done, wi = pos >> 6, bi = pos & 63;
      const int take = (64 - bi) < (n - done) ? (64 - bi) : (n - done);
      const uint64_t m = take == 64 ? ~(uint64_t)0 : ((((uint64_t)1) << take) - 1);
      w_[wi] = (w_[wi] & ~(m << bi)) | ((((uint64_t)(v >> done)) & m) << bi);
      done += take;
    }
    renorm();
  }
  // Copies another ap_int_base, sign- or zero-extending it (by its own
  // signedness) or truncating it to W bits.
  template <int _AP_W2, bool _AP_S2>
  void assign_bits(const ap_int_base<_AP_W2, _AP_S2> &op) {
    const uint64_t fill = (_AP_S2 && (int64_t)op.w_[ap_int_base<_AP_W2, _AP_S2>::NW - 1] < 0) ? ~(uint64_t)0 : 0;
    for (int i = 0; i < NW; i++) w_[i] = i < (int)ap_int_base<_AP_W2, _AP_S2>::NW ? op.w_[i] : fill;
    renorm();
  }

  // --- construction ---------------------------------------------------------
  ap_int_base() { set_i128(0); }
  template <int _AP_W2, bool _AP_S2>
  ap_int_base(const ap_int_base<_AP_W2, _AP_S2> &op) { assign_bits(op); }
#define TRIGO_AP_INT_CTOR(T) \
  ap_int_base(const T op) { set_i128((trigo_ap::i128)op); }
  TRIGO_AP_INT_CTOR(bool)
  TRIGO_AP_INT_CTOR(char)
  TRIGO_AP_INT_CTOR(signed char)
  TRIGO_AP_INT_CTOR(unsigned char)
  TRIGO_AP_INT_CTOR(short)
  TRIGO_AP_INT_CTOR(unsigned short)
  TRIGO_AP_INT_CTOR(int)
  TRIGO_AP_INT_CTOR(unsigned int)
  TRIGO_AP_INT_CTOR(long)
  TRIGO_AP_INT_CTOR(unsigned long)
  TRIGO_AP_INT_CTOR(long long)
  TRIGO_AP_INT_CTOR(unsigned long long)
#undef TRIGO_AP_INT_CTOR
  template <int _AP_W2, bool _AP_S2>
  ap_int_base(const ap_range_ref<_AP_W2, _AP_S2> &ref) { set_bits_from_slice(ref.bits(), ref.length()); }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_int_base(const af_range_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &ref) {
    set_bits_from_slice(ref.bits(), ref.length());
  }
  // A slice value is unsigned: zero-extend, then truncate to W.
  void set_bits_from_slice(trigo_ap::u128 v, int n) {
    for (int i = 0; i < NW; i++) w_[i] = 0;
    set_bits(0, n < _AP_W ? n : _AP_W, v);
  }

  // --- queries and conversions ------------------------------------------------
  int length() const { return _AP_W; }
  int to_int() const { return (int)(int64_t)w_[0]; }
  unsigned to_uint() const { return (unsigned)w_[0]; }
  long to_long() const { return (long)(int64_t)w_[0]; }
  unsigned long to_ulong() const { return (unsigned long)w_[0]; }
  ap_slong to_int64() const { return (ap_slong)w_[0]; }
  ap_ulong to_uint64() const { return (ap_ulong)w_[0]; }
  double to_double() const { return trigo_ap::to_double(get(), 0); }

  // --- bit selection --------------------------------------------------------
  ap_range_ref<_AP_W, _AP_S> range(int Hi, int Lo) { return ap_range_ref<_AP_W, _AP_S>(this, Hi, Lo); }
  ap_range_ref<_AP_W, _AP_S> range(int Hi, int Lo) const {
    return ap_range_ref<_AP_W, _AP_S>(const_cast<ap_int_base *>(this), Hi, Lo);
  }
  ap_range_ref<_AP_W, _AP_S> range() { return range(_AP_W - 1, 0); }
  ap_range_ref<_AP_W, _AP_S> range() const { return range(_AP_W - 1, 0); }

  // --- arithmetic (W <= 127) -----------------------------------------------
  template <int _AP_W2, bool _AP_S2>
  typename RType<_AP_W2, _AP_S2>::mult operator*(const ap_int_base<_AP_W2, _AP_S2> &op2) const {
    static_assert((int)RType<_AP_W2, _AP_S2>::mult_w <= (int)trigo_ap::MAX_NARROW, "product wider than 127 bits");
    typename RType<_AP_W2, _AP_S2>::mult r;
    r.set_i128(get() * op2.get());
    return r;
  }
  template <int _AP_W2, bool _AP_S2>
  typename RType<_AP_W2, _AP_S2>::plus operator+(const ap_int_base<_AP_W2, _AP_S2> &op2) const {
    static_assert((int)RType<_AP_W2, _AP_S2>::plus_w <= (int)trigo_ap::MAX_NARROW, "sum wider than 127 bits");
    typename RType<_AP_W2, _AP_S2>::plus r;
    r.set_i128(get() + op2.get());
    return r;
  }
  template <int _AP_W2, bool _AP_S2>
  typename RType<_AP_W2, _AP_S2>::minus operator-(const ap_int_base<_AP_W2, _AP_S2> &op2) const {
    static_assert((int)RType<_AP_W2, _AP_S2>::minus_w <= (int)trigo_ap::MAX_NARROW, "difference wider than 127 bits");
    typename RType<_AP_W2, _AP_S2>::minus r;
    r.set_i128(get() - op2.get());
    return r;
  }
  // Shifts keep the type; >> is arithmetic for signed values.
  template <int _AP_W2>
  typename _ap_int_factory<_AP_W, _AP_S>::type operator>>(const ap_int_base<_AP_W2, false> &sh) const {
    typename _ap_int_factory<_AP_W, _AP_S>::type r;
    const unsigned n = (unsigned)sh.get();
    const trigo_ap::i128 v = get();
    r.set_i128(n >= 127 ? (v < 0 ? -1 : 0) : (v >> n));
    return r;
  }
  template <int _AP_W2>
  typename _ap_int_factory<_AP_W, _AP_S>::type operator<<(const ap_int_base<_AP_W2, false> &sh) const {
    typename _ap_int_factory<_AP_W, _AP_S>::type r;
    const unsigned n = (unsigned)sh.get();
    r.set_i128(n >= 127 ? 0 : (trigo_ap::i128)((trigo_ap::u128)get() << n));
    return r;
  }

  // --- comparisons (exact) ------------------------------------------------------
#define TRIGO_AP_INT_CMP(OP)                                                         \
  template <int _AP_W2, bool _AP_S2>                                                 \
  bool operator OP(const ap_int_base<_AP_W2, _AP_S2> &op2) const { return get() OP op2.get(); } \
  bool operator OP(int op2) const { return get() OP (trigo_ap::i128)op2; }          \
  bool operator OP(long long op2) const { return get() OP (trigo_ap::i128)op2; }
  TRIGO_AP_INT_CMP(==)
  TRIGO_AP_INT_CMP(!=)
  TRIGO_AP_INT_CMP(<)
  TRIGO_AP_INT_CMP(<=)
  TRIGO_AP_INT_CMP(>)
  TRIGO_AP_INT_CMP(>=)
#undef TRIGO_AP_INT_CMP
};

// Part selection of an ap_[u]int: bits Lo .. Hi (Hi >= Lo), read as an
// unsigned number, written from the low bits of the assigned value.
template <int _AP_W, bool _AP_S>
struct ap_range_ref {
  ap_int_base<_AP_W, _AP_S> &d_bv;
  int l_index;
  int h_index;

  ap_range_ref(ap_int_base<_AP_W, _AP_S> *bv, int h, int l) : d_bv(*bv), l_index(l), h_index(h) {
    if (l < 0 || h >= _AP_W || h < l) trigo_ap::fail("range(Hi, Lo) needs 0 <= Lo <= Hi < W");
    if (h - l + 1 > 128) trigo_ap::fail("range() slices are limited to 128 bits");
  }
  ap_range_ref(const ap_range_ref &ref) : d_bv(ref.d_bv), l_index(ref.l_index), h_index(ref.h_index) {}

  int length() const { return h_index - l_index + 1; }
  trigo_ap::u128 bits() const { return d_bv.get_bits(l_index, length()); }

  template <int _AP_W2, bool _AP_S2>
  ap_range_ref &operator=(const ap_int_base<_AP_W2, _AP_S2> &val) {
    // Extended to the parent's width (by val's signedness), then sliced.
    const int n = length();
    trigo_ap::u128 v;
    if (_AP_W2 >= n) v = val.get_bits(0, n);
    else v = (trigo_ap::u128)val.get_bits(0, _AP_W2) |
             ((_AP_S2 && ((val.get_bits(_AP_W2 - 1, 1)) & 1)) ? (~trigo_ap::mask(_AP_W2)) : 0);
    d_bv.set_bits(l_index, n, v);
    return *this;
  }
  ap_range_ref &operator=(const ap_range_ref &val) {
    d_bv.set_bits(l_index, length(), val.bits());
    return *this;
  }
#define TRIGO_AP_RANGE_ASSIGN(T)                                          \
  ap_range_ref &operator=(const T val) {                                  \
    d_bv.set_bits(l_index, length(), (trigo_ap::u128)(trigo_ap::i128)val); \
    return *this;                                                         \
  }
  TRIGO_AP_RANGE_ASSIGN(int)
  TRIGO_AP_RANGE_ASSIGN(unsigned int)
  TRIGO_AP_RANGE_ASSIGN(long)
  TRIGO_AP_RANGE_ASSIGN(unsigned long)
  TRIGO_AP_RANGE_ASSIGN(long long)
  TRIGO_AP_RANGE_ASSIGN(unsigned long long)
#undef TRIGO_AP_RANGE_ASSIGN

  int to_int() const { return (int)bits(); }
  unsigned to_uint() const { return (unsigned)bits(); }
  ap_slong to_int64() const { return (ap_slong)bits(); }
  ap_ulong to_uint64() const { return (ap_ulong)bits(); }
};

// ap_int<W> / ap_uint<W>.
template <int _AP_W>
struct ap_int : ap_int_base<_AP_W, true> {
  typedef ap_int_base<_AP_W, true> Base;
  ap_int() : Base() {}
  template <int _AP_W2>
  ap_int(const ap_int<_AP_W2> &op) { Base::assign_bits(op); }
  template <int _AP_W2>
  ap_int(const ap_uint<_AP_W2> &op) { Base::assign_bits(op); }
  template <int _AP_W2, bool _AP_S2>
  ap_int(const ap_int_base<_AP_W2, _AP_S2> &op) { Base::assign_bits(op); }
  template <int _AP_W2, bool _AP_S2>
  ap_int(const ap_range_ref<_AP_W2, _AP_S2> &ref) : Base(ref) {}
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_int(const af_range_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &ref) : Base(ref) {}
#define TRIGO_AP_CTOR(T) \
  ap_int(const T v) : Base(v) {}
  TRIGO_AP_CTOR(bool)
  TRIGO_AP_CTOR(char)
  TRIGO_AP_CTOR(signed char)
  TRIGO_AP_CTOR(unsigned char)
  TRIGO_AP_CTOR(short)
  TRIGO_AP_CTOR(unsigned short)
  TRIGO_AP_CTOR(int)
  TRIGO_AP_CTOR(unsigned int)
  TRIGO_AP_CTOR(long)
  TRIGO_AP_CTOR(unsigned long)
  TRIGO_AP_CTOR(long long)
  TRIGO_AP_CTOR(unsigned long long)
#undef TRIGO_AP_CTOR
};

template <int _AP_W>
struct ap_uint : ap_int_base<_AP_W, false> {
  typedef ap_int_base<_AP_W, false> Base;
  ap_uint() : Base() {}
  template <int _AP_W2>
  ap_uint(const ap_uint<_AP_W2> &op) { Base::assign_bits(op); }
  template <int _AP_W2>
  ap_uint(const ap_int<_AP_W2> &op) { Base::assign_bits(op); }
  template <int _AP_W2, bool _AP_S2>
  ap_uint(const ap_int_base<_AP_W2, _AP_S2> &op) { Base::assign_bits(op); }
  template <int _AP_W2, bool _AP_S2>
  ap_uint(const ap_range_ref<_AP_W2, _AP_S2> &ref) : Base(ref) {}
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_uint(const af_range_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &ref) : Base(ref) {}
#define TRIGO_AP_CTOR(T) \
  ap_uint(const T v) : Base(v) {}
  TRIGO_AP_CTOR(bool)
  TRIGO_AP_CTOR(char)
  TRIGO_AP_CTOR(signed char)
  TRIGO_AP_CTOR(unsigned char)
  TRIGO_AP_CTOR(short)
  TRIGO_AP_CTOR(unsigned short)
  TRIGO_AP_CTOR(int)
  TRIGO_AP_CTOR(unsigned int)
  TRIGO_AP_CTOR(long)
  TRIGO_AP_CTOR(unsigned long)
  TRIGO_AP_CTOR(long long)
  TRIGO_AP_CTOR(unsigned long long)
#undef TRIGO_AP_CTOR
};

// ---------------------------------------------------------------------------
// ap_fixed_base: a W-bit code c (two's complement when signed) with the value
// c * 2^-(W-I).
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct ap_fixed_base {
  static_assert(_AP_W >= 1, "ap_[u]fixed width must be at least 1");
  static_assert(_AP_W <= trigo_ap::MAX_NARROW, "trigo's ap_fixed stand-in supports widths up to 127 bits");
  static_assert(_AP_O != AP_WRAP_SM, "AP_WRAP_SM is not supported by trigo's ap_fixed stand-in");
  static_assert(_AP_N == 0, "saturation bits N != 0 are not supported by trigo's ap_fixed stand-in");

  static const int width = _AP_W;
  static const int iwidth = _AP_I;
  static const ap_q_mode qmode = _AP_Q;
  static const ap_o_mode omode = _AP_O;
  enum { F = _AP_W - _AP_I };

  trigo_ap::i128 V;  // the code, sign- or zero-extended from W bits

  template <int _AP_W2, int _AP_I2, bool _AP_S2>
  struct RType {
    enum {
      F2 = _AP_W2 - _AP_I2,
      mult_w = _AP_W + _AP_W2,
      mult_i = _AP_I + _AP_I2,
      mult_s = _AP_S || _AP_S2,
      plus_i = trigo_ap::max_of<_AP_I + (_AP_S2 && !_AP_S), _AP_I2 + (_AP_S && !_AP_S2)>::value + 1,
      plus_w = plus_i + trigo_ap::max_of<(int)F, (int)F2>::value,
      plus_s = _AP_S || _AP_S2,
      minus_i = plus_i,
      minus_w = plus_w,
      minus_s = true
    };
    typedef typename _ap_fixed_factory<mult_w, mult_i, mult_s>::type mult;
    typedef typename _ap_fixed_factory<plus_w, plus_i, plus_s>::type plus;
    typedef typename _ap_fixed_factory<minus_w, minus_i, minus_s>::type minus;
  };

  static trigo_ap::i128 cvt(trigo_ap::i128 v, long f2) {
    return trigo_ap::convert(v, f2, _AP_W, F, _AP_S, _AP_Q, _AP_O);
  }

  // --- construction ---------------------------------------------------------
  ap_fixed_base() : V(0) {}
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op) {
    V = cvt(op.V, _AP_W2 - _AP_I2);
  }
  template <int _AP_W2, bool _AP_S2>
  ap_fixed_base(const ap_int_base<_AP_W2, _AP_S2> &op) { V = cvt(op.get(), 0); }
#define TRIGO_AP_FIXED_CTOR(T) \
  ap_fixed_base(const T x) { V = cvt((trigo_ap::i128)x, 0); }
  TRIGO_AP_FIXED_CTOR(bool)
  TRIGO_AP_FIXED_CTOR(char)
  TRIGO_AP_FIXED_CTOR(signed char)
  TRIGO_AP_FIXED_CTOR(unsigned char)
  TRIGO_AP_FIXED_CTOR(short)
  TRIGO_AP_FIXED_CTOR(unsigned short)
  TRIGO_AP_FIXED_CTOR(int)
  TRIGO_AP_FIXED_CTOR(unsigned int)
  TRIGO_AP_FIXED_CTOR(long)
  TRIGO_AP_FIXED_CTOR(unsigned long)
  TRIGO_AP_FIXED_CTOR(long long)
  TRIGO_AP_FIXED_CTOR(unsigned long long)
#undef TRIGO_AP_FIXED_CTOR
  ap_fixed_base(double d) { V = trigo_ap::from_double(d, _AP_W, F, _AP_S, _AP_Q, _AP_O); }
  ap_fixed_base(float d) { V = trigo_ap::from_double((double)d, _AP_W, F, _AP_S, _AP_Q, _AP_O); }

  // Conversion from another format (the same format uses the implicit bit copy).
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base &operator=(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op) {
    V = cvt(op.V, _AP_W2 - _AP_I2);
    return *this;
  }

  // --- queries ------------------------------------------------------------------
  int length() const { return _AP_W; }
  double to_double() const { return trigo_ap::to_double(V, F); }
  float to_float() const { return (float)to_double(); }

  // --- bit selection --------------------------------------------------------
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range(int Hi, int Lo) {
    return af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>(this, Hi, Lo);
  }
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range(int Hi, int Lo) const {
    return af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>(const_cast<ap_fixed_base *>(this), Hi, Lo);
  }
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range() { return range(_AP_W - 1, 0); }
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range() const { return range(_AP_W - 1, 0); }

  // --- full-precision arithmetic ----------------------------------------------
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  typename RType<_AP_W2, _AP_I2, _AP_S2>::mult operator*(
      const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op2) const {
    typename RType<_AP_W2, _AP_I2, _AP_S2>::mult r;
    r.V = V * op2.V;  // |product| < 2^(W+W2-1) <= 2^126
    return r;
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  typename RType<_AP_W2, _AP_I2, _AP_S2>::plus operator+(
      const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op2) const {
    typedef typename RType<_AP_W2, _AP_I2, _AP_S2>::plus R;
    R r;
    r.V = trigo_ap::shl(V, (int)R::F - (int)F) + trigo_ap::shl(op2.V, (int)R::F - (_AP_W2 - _AP_I2));
    return r;
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  typename RType<_AP_W2, _AP_I2, _AP_S2>::minus operator-(
      const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op2) const {
    typedef typename RType<_AP_W2, _AP_I2, _AP_S2>::minus R;
    R r;
    r.V = trigo_ap::shl(V, (int)R::F - (int)F) - trigo_ap::shl(op2.V, (int)R::F - (_AP_W2 - _AP_I2));
    return r;
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base &operator+=(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op2) {
    *this = operator+(op2);
    return *this;
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base &operator-=(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op2) {
    *this = operator-(op2);
    return *this;
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base &operator*=(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op2) {
    *this = operator*(op2);
    return *this;
  }

  // --- comparisons ----------------------------------------------------------
#define TRIGO_AP_FIXED_CMP(OP)                                                                          \
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>        \
  bool operator OP(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op2) const {   \
    return trigo_ap::compare(V, F, op2.V, _AP_W2 - _AP_I2) OP 0;                                         \
  }                                                                                                     \
  template <int _AP_W2, bool _AP_S2>                                                                    \
  bool operator OP(const ap_int_base<_AP_W2, _AP_S2> &op2) const {                                      \
    return trigo_ap::compare(V, F, op2.get(), 0) OP 0;                                                  \
  }                                                                                                     \
  bool operator OP(int op2) const { return trigo_ap::compare(V, F, (trigo_ap::i128)op2, 0) OP 0; }     \
  bool operator OP(long long op2) const { return trigo_ap::compare(V, F, (trigo_ap::i128)op2, 0) OP 0; } \
  bool operator OP(double op2) const { return to_double() OP op2; }
  TRIGO_AP_FIXED_CMP(==)
  TRIGO_AP_FIXED_CMP(!=)
  TRIGO_AP_FIXED_CMP(<)
  TRIGO_AP_FIXED_CMP(<=)
  TRIGO_AP_FIXED_CMP(>)
  TRIGO_AP_FIXED_CMP(>=)
#undef TRIGO_AP_FIXED_CMP
};

// Part selection of an ap_[u]fixed's code bits.
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct af_range_ref {
  typedef ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> ref_type;
  ref_type &d_bv;
  int l_index;
  int h_index;

  af_range_ref(ref_type *bv, int h, int l) : d_bv(*bv), l_index(l), h_index(h) {
    if (l < 0 || h >= _AP_W || h < l) trigo_ap::fail("range(Hi, Lo) needs 0 <= Lo <= Hi < W");
  }
  af_range_ref(const af_range_ref &ref) : d_bv(ref.d_bv), l_index(ref.l_index), h_index(ref.h_index) {}

  int length() const { return h_index - l_index + 1; }
  trigo_ap::u128 bits() const { return ((trigo_ap::u128)d_bv.V >> l_index) & trigo_ap::mask(length()); }
  void set(trigo_ap::u128 v) {
    const trigo_ap::u128 m = trigo_ap::mask(length()) << l_index;
    const trigo_ap::u128 u = ((trigo_ap::u128)d_bv.V & ~m) | ((v << l_index) & m);
    d_bv.V = trigo_ap::norm((trigo_ap::i128)u, _AP_W, _AP_S);
  }

  template <int _AP_W3, bool _AP_S3>
  af_range_ref &operator=(const ap_int_base<_AP_W3, _AP_S3> &val) {
    const int n = length();
    trigo_ap::u128 v;
    if (_AP_W3 >= n) v = val.get_bits(0, n);
    else v = (trigo_ap::u128)val.get_bits(0, _AP_W3) |
             ((_AP_S3 && ((val.get_bits(_AP_W3 - 1, 1)) & 1)) ? (~trigo_ap::mask(_AP_W3)) : 0);
    set(v);
    return *this;
  }
  af_range_ref &operator=(const af_range_ref &val) {
    set(val.bits());
    return *this;
  }
#define TRIGO_AF_RANGE_ASSIGN(T)                          \
  af_range_ref &operator=(const T val) {                  \
    set((trigo_ap::u128)(trigo_ap::i128)val);             \
    return *this;                                         \
  }
  TRIGO_AF_RANGE_ASSIGN(int)
  TRIGO_AF_RANGE_ASSIGN(unsigned int)
  TRIGO_AF_RANGE_ASSIGN(long)
  TRIGO_AF_RANGE_ASSIGN(unsigned long)
  TRIGO_AF_RANGE_ASSIGN(long long)
  TRIGO_AF_RANGE_ASSIGN(unsigned long long)
#undef TRIGO_AF_RANGE_ASSIGN

  int to_int() const { return (int)bits(); }
  unsigned to_uint() const { return (unsigned)bits(); }
  ap_slong to_int64() const { return (ap_slong)bits(); }
  ap_ulong to_uint64() const { return (ap_ulong)bits(); }
};

// ap_fixed<W,I,Q,O,N> / ap_ufixed<W,I,Q,O,N>.
#define TRIGO_AP_FIXED_CLASS(NAME, SIGNED)                                                               \
  template <int _AP_W, int _AP_I, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>                           \
  struct NAME : ap_fixed_base<_AP_W, _AP_I, SIGNED, _AP_Q, _AP_O, _AP_N> {                               \
    typedef ap_fixed_base<_AP_W, _AP_I, SIGNED, _AP_Q, _AP_O, _AP_N> Base;                               \
    NAME() : Base() {}                                                                                   \
    template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>       \
    NAME(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2> &op) : Base(op) {}          \
    template <int _AP_W2, bool _AP_S2>                                                                   \
    NAME(const ap_int_base<_AP_W2, _AP_S2> &op) : Base(op) {}                                            \
    NAME(const bool v) : Base(v) {}                                                                      \
    NAME(const char v) : Base(v) {}                                                                      \
    NAME(const signed char v) : Base(v) {}                                                               \
    NAME(const unsigned char v) : Base(v) {}                                                             \
    NAME(const short v) : Base(v) {}                                                                     \
    NAME(const unsigned short v) : Base(v) {}                                                            \
    NAME(const int v) : Base(v) {}                                                                       \
    NAME(const unsigned int v) : Base(v) {}                                                              \
    NAME(const long v) : Base(v) {}                                                                      \
    NAME(const unsigned long v) : Base(v) {}                                                             \
    NAME(const long long v) : Base(v) {}                                                                 \
    NAME(const unsigned long long v) : Base(v) {}                                                        \
    NAME(const float v) : Base(v) {}                                                                     \
    NAME(const double v) : Base(v) {}                                                                    \
  };
TRIGO_AP_FIXED_CLASS(ap_fixed, true)
TRIGO_AP_FIXED_CLASS(ap_ufixed, false)
#undef TRIGO_AP_FIXED_CLASS

#endif  // TRIGO_AP_COMMON_H
