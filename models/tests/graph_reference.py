"""Slow, straightforward numpy reference of the trigo graph ops.

Written from the convention text (models/README.md, "Graph ops"), vertex by
vertex with explicit loops, independently of the vectorised PyTorch code in
trigo_models/graph.py. Everything is computed in float32. Used by the unit
tests, to check the exported ONNX files (through onnx_numpy's custom-op hook)
and to produce the expected outputs of examples/pyg_state_dict.
"""

import numpy as np

F32 = np.float32


def _linear(x, w, b=None):
    y = np.asarray(x, F32) @ np.asarray(w, F32).T
    if b is not None:
        y = y + np.asarray(b, F32)
    return y.astype(F32)


def gravnet(x, valid, params, k, exponent=10.0, include_self=True, distance="l2"):
    """params: dict with the PyG GravNetConv state_dict keys."""
    if int(k) <= 0:
        raise ValueError("k must be positive")
    if distance not in ("l2", "l1"):
        raise ValueError("unknown distance")
    x = np.asarray(x, F32)
    valid = np.asarray(valid) > 0.5
    B, N, _ = x.shape
    fout = np.asarray(params["lin_out1.weight"]).shape[0]
    P = np.asarray(params["lin_h.weight"]).shape[0]
    y = np.zeros((B, N, fout), F32)
    e = F32(exponent)
    for b in range(B):
        s = _linear(x[b], params["lin_s.weight"], params["lin_s.bias"])
        h = _linear(x[b], params["lin_h.weight"], params["lin_h.bias"])
        for i in range(N):
            if not valid[b, i]:
                continue
            diff = (s[i][None, :] - s).astype(F32)        # [N,S], row j = s_i - s_j
            d = np.zeros(N, F32)
            for col in range(diff.shape[1]):                 # summed dim by dim, in order
                t = diff[:, col]
                d = (d + (t * t if distance == "l2" else np.abs(t))).astype(F32)
            cands = [(d[j], j) for j in range(N)
                     if valid[b, j] and (j != i or include_self)]
            cands.sort()                        # by distance, then lower j
            nbs = cands[: int(k)]
            mean = np.zeros(P, F32)
            mx = np.zeros(P, F32)
            if nbs:
                msgs = np.stack([F32(np.exp(-e * d)) * h[j] for d, j in nbs]).astype(F32)
                mean = (msgs.sum(0, dtype=F32) / F32(len(nbs))).astype(F32)
                mx = msgs.max(0)
            agg = np.concatenate([mean, mx])
            y[b, i] = _linear(x[b, i][None], params["lin_out1.weight"])[0] + \
                _linear(agg[None], params["lin_out2.weight"], params["lin_out2.bias"])[0]
    return y


def global_exchange(x, valid, ops=("mean",)):
    x = np.asarray(x, F32)
    valid = np.asarray(valid) > 0.5
    B, N, F = x.shape
    y = np.zeros((B, N, F * (1 + len(ops))), F32)
    for b in range(B):
        xv = x[b][valid[b]]
        stats = []
        for o in ops:
            if len(xv) == 0:
                stats.append(np.zeros(F, F32))
            elif o == "mean":
                stats.append((xv.sum(0, dtype=F32) / F32(len(xv))).astype(F32))
            elif o == "min":
                stats.append(xv.min(0))
            elif o == "max":
                stats.append(xv.max(0))
            else:
                raise ValueError(f"unknown op {o}")
        for i in range(N):
            if valid[b, i]:
                y[b, i] = np.concatenate([x[b, i]] + stats)
    return y


def condensation(beta, coords, valid, payload, t_beta, t_d, max_clusters):
    beta = np.asarray(beta, F32)
    coords = np.asarray(coords, F32)
    payload = np.asarray(payload, F32)
    valid = np.asarray(valid) > 0.5
    B, N = beta.shape
    M = int(max_clusters)
    tb = F32(t_beta)
    td2 = F32(F32(t_d) * F32(t_d))
    assign = np.full((B, N), -1, np.int32)
    clusters = np.zeros((B, M, 1 + payload.shape[2]), F32)
    n_clusters = np.zeros(B, np.int32)
    for b in range(B):
        cands = [i for i in range(N) if valid[b, i] and beta[b, i] > tb]
        cands.sort(key=lambda i: (-beta[b, i], i))
        c = 0
        for a in cands:
            if c == M:
                break
            if assign[b, a] >= 0:
                continue
            diff = (coords[b] - coords[b, a][None, :]).astype(F32)
            d2 = np.zeros(N, F32)
            for col in range(diff.shape[1]):
                d2 = (d2 + diff[:, col] * diff[:, col]).astype(F32)
            for j in range(N):
                if valid[b, j] and assign[b, j] < 0 and (d2[j] < td2 or j == a):
                    assign[b, j] = c
            clusters[b, c, 0] = beta[b, a]
            clusters[b, c, 1:] = payload[b, a]
            c += 1
        n_clusters[b] = c
    return assign, clusters, n_clusters


# ---- onnx_numpy custom-op hook -------------------------------------------

def _attr(a, name, default):
    return a.get(name, default)


def _gravnet_node(inputs, a):
    x, valid, ws, bs, wh, bh, wo1, wo2, bo2 = inputs
    params = {"lin_s.weight": ws, "lin_s.bias": bs, "lin_h.weight": wh, "lin_h.bias": bh,
              "lin_out1.weight": wo1, "lin_out2.weight": wo2, "lin_out2.bias": bo2}
    dist = _attr(a, "distance", b"l2")
    dist = dist.decode() if isinstance(dist, bytes) else dist
    return [gravnet(x, valid, params, a["k"], _attr(a, "exponent", 10.0),
                    bool(_attr(a, "include_self", 1)), dist)]


def _global_exchange_node(inputs, a):
    ops = [o.decode() if isinstance(o, bytes) else o for o in _attr(a, "ops", [b"mean"])]
    return [global_exchange(inputs[0], inputs[1], ops)]


def _condensation_node(inputs, a):
    beta, coords, valid, payload = inputs
    return list(condensation(beta, coords, valid, payload, a["t_beta"], a["t_d"],
                             a["max_clusters"]))


CUSTOM_OPS = {
    ("trigo", "GravNetConv"): _gravnet_node,
    ("trigo", "GlobalExchange"): _global_exchange_node,
    ("trigo", "Condensation"): _condensation_node,
}
