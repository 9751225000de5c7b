package hls

// graphLayersHeader is appended to <top>_layers.h (inside namespace trigo)
// when the graph uses a graph op: mask, slice, gravnet_agg, global_exchange,
// condensation (ir/SEMANTICS.md, "Graph ops"). Like the other templates,
// each computes its exact result first and converts it once to the output
// type; selections (k nearest neighbours, condensation order) compare exact
// integer codes.
const graphLayersHeader = `
// ===========================================================================
// Graph ops (ir/SEMANTICS.md, "Graph ops"). An event is padded to n_vert
// vertices; the vertex mask valid[n_vert] marks the real ones. A vertex is
// valid when the code of its mask value exceeds mask_threshold = floor(2^(F-1))
// (its value is greater than 1/2). Invalid vertices are never candidates and
// get zero rows (-1 for cluster indices).
//
// Hardware structure. Every template is one function pipelined at
// II = reuse_factor (like the layers above): at reuse factor 1 every loop
// unrolls and the op is a combinational network cut into pipeline stages by
// the scheduler; larger reuse factors share the multipliers (ALLOCATION).
// The selections are written as comparison matrices rather than as
// sequential insertions or sorts: "candidate j comes before candidate j2"
// is one comparator per pair, a candidate's rank is the number of candidates
// before it (a popcount), and output slot r takes the candidate of rank r
// (a one-hot multiplexer). The logic depth is then O(log n_vert) instead of
// O(n_vert); the cost is O(n_vert^2) comparators per vertex for the k
// nearest neighbours. Only condensation's walk over the candidates is
// inherently sequential (each cluster removes vertices from the next ones);
// it is a chain of n_vert steps of single-bit logic on precomputed
// neighbourhood flags.

// Tie rule of every selection: among equal keys (distance codes, beta codes)
// the LOWER vertex index comes first (SEMANTICS.md). TRIGO_TEST_FLIP_TIES
// flips it to the higher index; it exists only so that trigo's tests can
// prove that C simulation catches a wrong tie rule. Never define it.
#ifdef TRIGO_TEST_FLIP_TIES
#define TRIGO_INDEX_FIRST(a, b) ((a) > (b))
#else
#define TRIGO_INDEX_FIRST(a, b) ((a) < (b))
#endif

// vertex_valid: code(v) > mask_threshold, compared exactly on the code.
template <class CONFIG_T, class v_t>
inline bool vertex_valid(const v_t &v) {
#pragma HLS INLINE
  const typename CONFIG_T::valid_code_t code = ap_uint<CONFIG_T::valid_width>(v.range(CONFIG_T::valid_width - 1, 0));
  return code > CONFIG_T::mask_threshold;
}

// code_of<code_t, W>(x): the W-bit code of x as the integer type code_t
// (sign-extended for signed types).
template <class code_t, int W, class x_t>
inline code_t code_of(const x_t &x) {
#pragma HLS INLINE
  return code_t(ap_uint<W>(x.range(W - 1, 0)));
}

// precedes(ka, a, kb, b): in the ascending order of (key, index) with the
// tie rule above, does (ka, a) come before (kb, b)? Keys are exact codes.
template <class key_t>
inline bool precedes(const key_t &ka, int a, const key_t &kb, int b) {
#pragma HLS INLINE
  return ka < kb || (ka == kb && TRIGO_INDEX_FIRST(a, b));
}

// ---------------------------------------------------------------------------
// mask: y[v][c] = x[v][c] for valid vertices, 0 for the others (row = the
// product of x's trailing dimensions).
template <class CONFIG_T, class x_t, class v_t, class y_t>
void mask(const x_t x[CONFIG_T::n_vert * CONFIG_T::row], const v_t valid[CONFIG_T::n_vert],
          y_t y[CONFIG_T::n_vert * CONFIG_T::row]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
MaskVert:
  for (int v = 0; v < CONFIG_T::n_vert; v++) {
    const bool ok = vertex_valid<CONFIG_T>(valid[v]);
  MaskRow:
    for (int c = 0; c < CONFIG_T::row; c++) {
      y[v * CONFIG_T::row + c] = ok ? convert<y_t>(x[v * CONFIG_T::row + c]) : y_t(0);
    }
  }
}

// ---------------------------------------------------------------------------
// slice: pure wiring, y[i0][i1][i2][i3] = x[offset + i0*s0 + i1*s1 + i2*s2 +
// i3*s3] (the strides include the steps), each element converted to y_t.
template <class CONFIG_T, class x_t, class y_t>
void slice(const x_t x[CONFIG_T::n_in], y_t y[CONFIG_T::n]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
S0:
  for (int i0 = 0; i0 < CONFIG_T::d0; i0++) {
  S1:
    for (int i1 = 0; i1 < CONFIG_T::d1; i1++) {
    S2:
      for (int i2 = 0; i2 < CONFIG_T::d2; i2++) {
      S3:
        for (int i3 = 0; i3 < CONFIG_T::d3; i3++) {
          const int o = ((i0 * CONFIG_T::d1 + i1) * CONFIG_T::d2 + i2) * CONFIG_T::d3 + i3;
          y[o] = convert<y_t>(
              x[CONFIG_T::offset + i0 * CONFIG_T::s0 + i1 * CONFIG_T::s1 + i2 * CONFIG_T::s2 + i3 * CONFIG_T::s3]);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// global_exchange: each valid vertex's row is its x followed by statistics
// of x over the valid vertices (per feature, in the order op0, op1, op2 of
// the config: GX_MEAN, GX_MIN or GX_MAX). The sum is exact in sum_t; the mean
// is sum * recip[count] with recip[c] = round_half_up(2^recip_frac / c) (a
// ROM, no divider), exact, then converted once; min and max are exact
// values of x, converted once. Adder and comparator trees over the vertices.
enum { GX_MEAN = 0, GX_MIN = 1, GX_MAX = 2 };

template <class CONFIG_T, class x_t, class v_t, class rcode_t, class y_t>
void global_exchange(const x_t x[CONFIG_T::n_vert * CONFIG_T::n_feat], const v_t valid[CONFIG_T::n_vert],
                     const rcode_t recip[CONFIG_T::n_vert + 1], y_t y[CONFIG_T::n_vert * CONFIG_T::n_out]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  typedef typename CONFIG_T::sum_t sum_t;
  const int ops[3] = {CONFIG_T::op0, CONFIG_T::op1, CONFIG_T::op2};
  bool ok[CONFIG_T::n_vert];
  sum_t sum[CONFIG_T::n_feat];
  x_t lo[CONFIG_T::n_feat], hi[CONFIG_T::n_feat];
  y_t stat[CONFIG_T::n_ops * CONFIG_T::n_feat];
#pragma HLS ARRAY_PARTITION variable=ok type=complete
#pragma HLS ARRAY_PARTITION variable=sum type=complete
#pragma HLS ARRAY_PARTITION variable=lo type=complete
#pragma HLS ARRAY_PARTITION variable=hi type=complete
#pragma HLS ARRAY_PARTITION variable=stat type=complete

  // Statistics over the valid vertices. min/max start at the extremes of
  // x_t; with no valid vertex every row is zero and they are not used.
GxInit:
  for (int c = 0; c < CONFIG_T::n_feat; c++) {
    sum[c] = 0;
    lo[c] = from_code<x_t>(CONFIG_T::x_max_code);
    hi[c] = from_code<x_t>(CONFIG_T::x_min_code);
  }
  int count = 0;
GxVert:
  for (int v = 0; v < CONFIG_T::n_vert; v++) {
    ok[v] = vertex_valid<CONFIG_T>(valid[v]);
    if (!ok[v]) continue;
    count++;
  GxFeat:
    for (int c = 0; c < CONFIG_T::n_feat; c++) {
      const x_t xv = x[v * CONFIG_T::n_feat + c];
      sum[c] += xv;
      if (xv < lo[c]) lo[c] = xv;
      if (xv > hi[c]) hi[c] = xv;
    }
  }

  // Each statistic is converted once (recip[0] = 0 is never used).
  const typename CONFIG_T::recip_t r = from_code<typename CONFIG_T::recip_t>(recip[count]);
GxStatOp:
  for (int k = 0; k < CONFIG_T::n_ops; k++) {
  GxStatFeat:
    for (int c = 0; c < CONFIG_T::n_feat; c++) {
      y_t s;
      if (ops[k] == GX_MEAN)
        s = convert<y_t>(sum[c] * r);
      else if (ops[k] == GX_MIN)
        s = convert<y_t>(lo[c]);
      else
        s = convert<y_t>(hi[c]);
      stat[k * CONFIG_T::n_feat + c] = s;
    }
  }

  // Rows: x, then the statistics; zero rows for invalid vertices.
GxRow:
  for (int v = 0; v < CONFIG_T::n_vert; v++) {
  GxRowX:
    for (int c = 0; c < CONFIG_T::n_feat; c++) {
      y[v * CONFIG_T::n_out + c] = ok[v] ? convert<y_t>(x[v * CONFIG_T::n_feat + c]) : y_t(0);
    }
  GxRowStat:
    for (int k = 0; k < CONFIG_T::n_ops * CONFIG_T::n_feat; k++) {
      y[v * CONFIG_T::n_out + CONFIG_T::n_feat + k] = ok[v] ? stat[k] : y_t(0);
    }
  }
}

// ---------------------------------------------------------------------------
// gravnet_agg: for each valid vertex i, the k nearest valid vertices j
// (j != i unless include_self) in the learned space s, by the exact integer
// distance d = sum_t (code(s_jt) - code(s_it))^2 (l2) or |...| (l1), ties to
// the lower j; edge weight w = table[clamp((d - offset) >> shift, 0,
// table_size - 1)]; messages m = w * h_j (exact, msg_t); output row
// concat(mean, max) of the messages, mean = exact sum * recip[count]
// (recip[c] = round_half_up(2^recip_frac / c)), both converted once.
//
// Stages: (1) codes and mask; (2) the symmetric distance matrix, each pair
// computed once (l2: n_vert*(n_vert-1)/2*n_s multipliers); (3) per vertex:
// candidates, ranks by comparison matrix, the k neighbour slots, k*n_h
// message multipliers, adder / max trees, one multiplier per output for the
// mean. At reuse factor 1 the expected latency is a few dozen cycles
// (distance, comparator, popcount, mux, multiply and adder-tree stages);
// the area grows as n_vert^3 comparators, so large graphs want a reuse
// factor (ALLOCATION limits the multipliers to multiplier_limit).
template <class CONFIG_T, class code_t, class s_t>
inline typename CONFIG_T::dist_t pair_distance(const s_t *si, const s_t *sj) {
#pragma HLS INLINE
  typedef typename CONFIG_T::diff_t diff_t;
  typename CONFIG_T::dist_t d = 0;
GravNetDim:
  for (int t = 0; t < CONFIG_T::n_s; t++) {
    const diff_t df = code_of<code_t, CONFIG_T::s_width>(sj[t]) - code_of<code_t, CONFIG_T::s_width>(si[t]);
    if (CONFIG_T::l1)
      d = d + (df < 0 ? diff_t(diff_t(0) - df) : df);
    else
      d = d + df * df;
  }
  return d;
}

// edge_weight: the table entry of distance code d, exactly like lut.
template <class CONFIG_T, class tcode_t>
inline typename CONFIG_T::weight_t edge_weight(const typename CONFIG_T::dist_t &d,
                                               const tcode_t table[CONFIG_T::table_size]) {
#pragma HLS INLINE
  typedef typename CONFIG_T::tdiff_t tdiff_t;
  const tdiff_t e = tdiff_t(d) - tdiff_t(CONFIG_T::offset);
  const tdiff_t sh = e >> ap_uint<7>(CONFIG_T::shift);
  int idx;
  if (sh < 0)
    idx = 0;
  else if (sh > CONFIG_T::table_size - 1)
    idx = CONFIG_T::table_size - 1;
  else
    idx = sh.to_int();
  return from_code<typename CONFIG_T::weight_t>(table[idx]);
}

template <class CONFIG_T, class s_t, class h_t, class v_t, class tcode_t, class rcode_t, class y_t>
void gravnet_agg(const s_t s[CONFIG_T::n_vert * CONFIG_T::n_s], const h_t h[CONFIG_T::n_vert * CONFIG_T::n_h],
                 const v_t valid[CONFIG_T::n_vert], const tcode_t table[CONFIG_T::table_size],
                 const rcode_t recip[CONFIG_T::k + 1], y_t y[CONFIG_T::n_vert * 2 * CONFIG_T::n_h]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
#pragma HLS ALLOCATION operation instances=mul limit=CONFIG_T::multiplier_limit
  static const int N = CONFIG_T::n_vert;
  static const int K = CONFIG_T::k;  // min(k, n_vert)
  static const int P = CONFIG_T::n_h;
  typedef typename CONFIG_T::dist_t dist_t;
  typedef typename CONFIG_T::msg_t msg_t;
  typedef typename CONFIG_T::sum_t sum_t;

  bool ok[N];
  dist_t dist[N][N];
#pragma HLS ARRAY_PARTITION variable=ok type=complete
#pragma HLS ARRAY_PARTITION variable=dist type=complete dim=0
GravNetMask:
  for (int i = 0; i < N; i++) ok[i] = vertex_valid<CONFIG_T>(valid[i]);

  // Pairwise distances, each unordered pair once.
GravNetDistI:
  for (int i = 0; i < N; i++) {
    dist[i][i] = 0;
  GravNetDistJ:
    for (int j = i + 1; j < N; j++) {
      const dist_t d = pair_distance<CONFIG_T, typename CONFIG_T::code_t>(s + i * CONFIG_T::n_s, s + j * CONFIG_T::n_s);
      dist[i][j] = d;
      dist[j][i] = d;
    }
  }

GravNetVertex:
  for (int i = 0; i < N; i++) {
    bool cand[N];
    int rank[N];
    int slot[K];
    bool used[K];
#pragma HLS ARRAY_PARTITION variable=cand type=complete
#pragma HLS ARRAY_PARTITION variable=rank type=complete
#pragma HLS ARRAY_PARTITION variable=slot type=complete
#pragma HLS ARRAY_PARTITION variable=used type=complete
  GravNetCand:
    for (int j = 0; j < N; j++) {
      cand[j] = ok[i] && ok[j] && (CONFIG_T::include_self || j != i);
      rank[j] = 0;
    }
    // Rank of each candidate in the order (distance, index): every pair of
    // candidates is compared once and the later one's rank grows.
  GravNetRankJ:
    for (int j = 1; j < N; j++) {
    GravNetRankJ2:
      for (int j2 = 0; j2 < j; j2++) {
        if (!cand[j] || !cand[j2]) continue;
        if (precedes(dist[i][j2], j2, dist[i][j], j))
          rank[j]++;
        else
          rank[j2]++;
      }
    }
    // Neighbour slot r takes the candidate of rank r; the used slots are
    // 0 .. min(k, #candidates) - 1.
  GravNetSlot:
    for (int r = 0; r < K; r++) {
      slot[r] = 0;
      used[r] = false;
    GravNetSlotJ:
      for (int j = 0; j < N; j++) {
        if (cand[j] && rank[j] == r) {
          slot[r] = j;
          used[r] = true;
        }
      }
    }
    // Messages w * h_j: exact sum and maximum per feature.
    sum_t sum[P];
    msg_t mx[P];
#pragma HLS ARRAY_PARTITION variable=sum type=complete
#pragma HLS ARRAY_PARTITION variable=mx type=complete
    int count = 0;
  GravNetInit:
    for (int c = 0; c < P; c++) {
      sum[c] = 0;
      mx[c] = 0;
    }
  GravNetMsg:
    for (int r = 0; r < K; r++) {
      if (!used[r]) continue;
      const int j = slot[r];
      const typename CONFIG_T::weight_t w = edge_weight<CONFIG_T>(dist[i][j], table);
      count++;
    GravNetMsgFeat:
      for (int c = 0; c < P; c++) {
        const msg_t m = w * h[j * P + c];
        sum[c] += m;
        if (r == 0 || m > mx[c]) mx[c] = m;  // slot 0 is the first used slot
      }
    }
    const typename CONFIG_T::recip_t rc = from_code<typename CONFIG_T::recip_t>(recip[count]);
  GravNetOut:
    for (int c = 0; c < P; c++) {
      y[(i * 2) * P + c] = count > 0 ? convert<y_t>(sum[c] * rc) : y_t(0);
      y[(i * 2) * P + P + c] = count > 0 ? convert<y_t>(mx[c]) : y_t(0);
    }
  }
}

// ---------------------------------------------------------------------------
// condensation: candidates are the valid vertices with code(beta) >
// beta_code, taken in order of decreasing beta code (ties: lower index
// first). Walking them, the next unassigned candidate a becomes the
// condensation point of cluster c = 0, 1, ...; a and every valid, unassigned
// vertex j with d2(j, a) = sum_t (code(coords_jt) - code(coords_at))^2 <
// dist_code join it; the walk stops after max_clusters clusters. Outputs:
// assign[j] (cluster or -1, int32), clusters[c] = (beta, payload) of point c
// converted to y_t (zero rows after the last cluster), n_clusters (int32).
//
// Stages: (1) mask, beta codes, candidates; (2) the symmetric "within t_d"
// flags of every pair (n_vert*(n_vert-1)/2*n_coord multipliers); (3) the
// candidates' ranks by comparison matrix and the ordered list (one-hot
// multiplexers); (4) the walk: n_vert sequential steps of bit logic (the
// latency-critical part: a chain of n_vert small steps); (5) the outputs.
template <class CONFIG_T, class b_t, class c_t, class v_t, class p_t, class a_t, class y_t, class n_t>
void condensation(const b_t beta[CONFIG_T::n_vert], const c_t coords[CONFIG_T::n_vert * CONFIG_T::n_coord],
                  const v_t valid[CONFIG_T::n_vert], const p_t payload[CONFIG_T::n_vert * CONFIG_T::n_pay],
                  a_t assign[CONFIG_T::n_vert], y_t clusters[CONFIG_T::max_clusters * (1 + CONFIG_T::n_pay)],
                  n_t n_clusters[1]) {
#pragma HLS PIPELINE II=CONFIG_T::reuse_factor
#pragma HLS ALLOCATION operation instances=mul limit=CONFIG_T::multiplier_limit
  static const int N = CONFIG_T::n_vert;
  static const int M = CONFIG_T::max_clusters;
  static const int C = CONFIG_T::n_coord;
  static const int P = CONFIG_T::n_pay;
  typedef typename CONFIG_T::beta_code_t beta_code_t;
  typedef typename CONFIG_T::coord_code_t coord_code_t;
  typedef typename CONFIG_T::diff_t diff_t;
  typedef typename CONFIG_T::dist_t dist_t;

  bool ok[N], cand[N];
  beta_code_t bc[N];
  bool joins[N][N];  // joins[a][j]: j lies within t_d of a
  int rank[N], order[N], cl[N], point[M];
#pragma HLS ARRAY_PARTITION variable=ok type=complete
#pragma HLS ARRAY_PARTITION variable=cand type=complete
#pragma HLS ARRAY_PARTITION variable=bc type=complete
#pragma HLS ARRAY_PARTITION variable=joins type=complete dim=0
#pragma HLS ARRAY_PARTITION variable=rank type=complete
#pragma HLS ARRAY_PARTITION variable=order type=complete
#pragma HLS ARRAY_PARTITION variable=cl type=complete
#pragma HLS ARRAY_PARTITION variable=point type=complete

  // (1) Candidates: valid and code(beta) > beta_code.
  int n_cand = 0;
CondCand:
  for (int i = 0; i < N; i++) {
    ok[i] = vertex_valid<CONFIG_T>(valid[i]);
    bc[i] = code_of<beta_code_t, CONFIG_T::beta_width>(beta[i]);
    cand[i] = ok[i] && bc[i] > CONFIG_T::beta_code;
    n_cand += cand[i] ? 1 : 0;
    rank[i] = 0;
    order[i] = 0;
    cl[i] = -1;
  }

  // (2) Pairs within the distance threshold, each unordered pair once.
CondNearI:
  for (int i = 0; i < N; i++) {
    joins[i][i] = true;  // the point itself always joins (even when dist_code = 0)
  CondNearJ:
    for (int j = i + 1; j < N; j++) {
      dist_t d = 0;
    CondNearDim:
      for (int t = 0; t < C; t++) {
        const diff_t df = code_of<coord_code_t, CONFIG_T::coord_width>(coords[j * C + t]) -
                          code_of<coord_code_t, CONFIG_T::coord_width>(coords[i * C + t]);
        d = d + df * df;
      }
      const bool within = d < CONFIG_T::dist_code;
      joins[i][j] = within;
      joins[j][i] = within;
    }
  }

  // (3) Order of the candidates: decreasing beta code, ties to the lower
  // index. Key -code ascending = code descending.
CondRankJ:
  for (int j = 1; j < N; j++) {
  CondRankJ2:
    for (int j2 = 0; j2 < j; j2++) {
      if (!cand[j] || !cand[j2]) continue;
      const bool first = bc[j2] > bc[j] || (bc[j2] == bc[j] && TRIGO_INDEX_FIRST(j2, j));
      if (first)
        rank[j]++;
      else
        rank[j2]++;
    }
  }
CondOrder:
  for (int p = 0; p < N; p++) {
  CondOrderJ:
    for (int j = 0; j < N; j++) {
      if (cand[j] && rank[j] == p) order[p] = j;
    }
  }

  // (4) The walk.
CondPointInit:
  for (int c = 0; c < M; c++) point[c] = 0;
  int n = 0;
CondWalk:
  for (int p = 0; p < N; p++) {
    if (p >= n_cand || n >= M) continue;
    const int a = order[p];
    if (cl[a] >= 0) continue;  // already in an earlier cluster
  CondJoin:
    for (int j = 0; j < N; j++) {
      if (cl[j] < 0 && ok[j] && joins[a][j]) cl[j] = n;
    }
    point[n] = a;
    n++;
  }

  // (5) Outputs: one conversion per element of clusters (zero rows included).
CondAssign:
  for (int j = 0; j < N; j++) assign[j] = a_t(cl[j]);
CondClusters:
  for (int c = 0; c < M; c++) {
    const int a = c < n ? point[c] : 0;
    clusters[c * (1 + P)] = c < n ? convert<y_t>(beta[a]) : y_t(0);
  CondPayload:
    for (int t = 0; t < P; t++) {
      clusters[c * (1 + P) + 1 + t] = c < n ? convert<y_t>(payload[a * P + t]) : y_t(0);
    }
  }
  n_clusters[0] = n_t(n);
}
`
