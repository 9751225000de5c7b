#!/usr/bin/python3
"""Small ONNX fixtures with trigo graph ops for the Go importer tests.

Run from the repository root with Debian's interpreter (numpy, onnx):

    /usr/bin/python3 compiler/testdata/graph/make_fixtures.py

Writes, per fixture NAME, NAME.onnx, NAME.x.npy, NAME.valid.npy and
NAME.out<i>.npy (the reference outputs in graph-output order). The reference
is an independent numpy implementation (float64, then float32) of the ONNX
convention of the trigo domain (see compiler/importer_graph.go and
ir/SEMANTICS.md). The graphs use the standard ops exporters put around graph
layers on [B,N,F] tensors: MatMul+Add, Elu, Sigmoid, Transpose +
BatchNormalization + Transpose (BatchNorm1d on [B,F,N]), Concat, Split,
Slice, Flatten, Squeeze, Unsqueeze, Cast, and the shape plumbing
Shape/Gather/Unsqueeze/Concat/Reshape. The data put exact distance ties
(duplicate vertices), an empty event and a full event in.
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
N, FIN = 8, 3


def rng_weights(rng, *shape, scale=0.6):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# --- numpy reference -------------------------------------------------------

def elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def gravnet(x, valid, p, k, exponent, include_self, distance):
    B, n, _ = x.shape
    out = np.zeros((B, n, p["lin_out1.weight"].shape[0]))
    s = x @ p["lin_s.weight"].T.astype(np.float64) + p["lin_s.bias"]
    h = x @ p["lin_h.weight"].T.astype(np.float64) + p["lin_h.bias"]
    P = h.shape[-1]
    for b in range(B):
        for i in range(n):
            if not valid[b, i]:
                continue
            cand = [j for j in range(n) if valid[b, j] and (j != i or include_self)]
            diff = s[b, cand] - s[b, i]
            d = (diff ** 2).sum(-1) if distance == "l2" else np.abs(diff).sum(-1)
            order = sorted(range(len(cand)), key=lambda t: (d[t], cand[t]))[:k]
            agg = np.zeros(2 * P)
            if order:
                msgs = np.array([np.exp(-exponent * d[t]) * h[b, cand[t]] for t in order])
                agg = np.concatenate([msgs.mean(0), msgs.max(0)])
            out[b, i] = x[b, i] @ p["lin_out1.weight"].T + agg @ p["lin_out2.weight"].T + p["lin_out2.bias"]
    return out


def global_exchange(x, valid, ops):
    B, n, F = x.shape
    out = np.zeros((B, n, F * (1 + len(ops))))
    for b in range(B):
        v = valid[b].astype(bool)
        if not v.any():
            continue
        stats = [{"mean": x[b, v].mean(0), "min": x[b, v].min(0), "max": x[b, v].max(0)}[o] for o in ops]
        out[b, v] = np.concatenate([x[b, v]] + [np.broadcast_to(s, x[b, v].shape) for s in stats], -1)
    return out


def condensation(beta, coords, valid, payload, t_beta, t_d, m):
    B, n = beta.shape
    assign = -np.ones((B, n), np.int32)
    clusters = np.zeros((B, m, 1 + payload.shape[-1]), np.float32)
    count = np.zeros(B, np.int32)
    for b in range(B):
        c = 0
        while c < m:
            cands = [i for i in range(n) if valid[b, i] and beta[b, i] > t_beta and assign[b, i] < 0]
            if not cands:
                break
            a = max(cands, key=lambda i: (beta[b, i], -i))
            assign[b, a] = c
            for j in range(n):
                if valid[b, j] and assign[b, j] < 0 and ((coords[b, j] - coords[b, a]) ** 2).sum() < t_d * t_d:
                    assign[b, j] = c
            clusters[b, c, 0] = beta[b, a]
            clusters[b, c, 1:] = payload[b, a]
            c += 1
        count[b] = c
    return assign, clusters, count


# --- data --------------------------------------------------------------------

def events(rng, B):
    x = rng.uniform(-1, 1, (B, N, FIN)).astype(np.float32)
    valid = rng.uniform(size=(B, N)) < 0.7
    valid[0] = False            # an empty event
    valid[1] = True             # a full event
    x[2, 3] = x[2, 1]           # duplicate vertices: exact distance ties
    x[2, 5] = x[2, 1]
    valid[2, [1, 3, 5]] = True
    x[~valid] = 0
    return x, valid


# --- graph building --------------------------------------------------------

class Builder:
    def __init__(self, name):
        self.name, self.nodes, self.inits, self.n = name, [], [], 0

    def init(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(self, op, ins, n_out=1, domain="", **attrs):
        self.n += 1
        outs = [f"{op.lower()}_{self.n}_{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op, ins, outs, name=f"/{self.name}/{op}_{self.n}", domain=domain, **attrs))
        return outs[0] if n_out == 1 else outs

    def linear(self, x, w, b, prefix):
        # torch exports Linear on 3-D tensors as MatMul by the transposed
        # weight and Add of the bias.
        y = self.node("MatMul", [x, self.init(prefix + ".weight_t", w.T.copy())])
        return self.node("Add", [y, self.init(prefix + ".bias", b)])

    def gravnet(self, x, valid, p, prefix, **attrs):
        names = ["lin_s.weight", "lin_s.bias", "lin_h.weight", "lin_h.bias", "lin_out1.weight", "lin_out2.weight", "lin_out2.bias"]
        ins = [x, valid] + [self.init(f"{prefix}.{k}", p[k]) for k in names]
        return self.node("GravNetConv", ins, domain="trigo", **attrs)


def gravnet_params(rng, fin, fout, S, P):
    return {"lin_s.weight": rng_weights(rng, S, fin), "lin_s.bias": rng_weights(rng, S, scale=0.1),
            "lin_h.weight": rng_weights(rng, P, fin), "lin_h.bias": rng_weights(rng, P, scale=0.1),
            "lin_out1.weight": rng_weights(rng, fout, fin), "lin_out2.weight": rng_weights(rng, fout, 2 * P),
            "lin_out2.bias": rng_weights(rng, fout, scale=0.1)}


def save(name, graph, x, valid, outs, valid_type):
    model = helper.make_model(graph, producer_name="trigo-fixtures",
                              opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("trigo", 1)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name + ".onnx"))
    np.save(os.path.join(HERE, name + ".x.npy"), x)
    np.save(os.path.join(HERE, name + ".valid.npy"), valid if valid_type == TensorProto.BOOL else valid.astype(np.float32))
    for i, o in enumerate(outs):
        np.save(os.path.join(HERE, f"{name}.out{i}.npy"), o)


def tensor(name, elem, dims):
    return helper.make_tensor_value_info(name, elem, ["batch"] + list(dims))


def ecl_like(rng):
    """Linear+Elu, BatchNorm1d on [B,F,N], GlobalExchange, GravNetConv (l2),
    heads through Split/Slice/Flatten, Condensation; bool valid."""
    b = Builder("ecl_like")
    H, S, P, FOUT = 6, 2, 4, 6
    w0, b0 = rng_weights(rng, H, FIN), rng_weights(rng, H, scale=0.1)
    bn = [rng.uniform(0.5, 1.5, H), rng_weights(rng, H, scale=0.2), rng_weights(rng, H, scale=0.3), rng.uniform(0.5, 2, H)]
    bn = [a.astype(np.float32) for a in bn]
    w1, b1 = rng_weights(rng, H, 3 * H), rng_weights(rng, H, scale=0.1)
    gp = gravnet_params(rng, H, FOUT, S, P)
    wh, bh = rng_weights(rng, 6, FOUT), rng_weights(rng, 6, scale=0.1)

    h = b.node("Elu", [b.linear("x", w0, b0, "inp")])
    t = b.node("Transpose", [h], perm=[0, 2, 1])
    t = b.node("BatchNormalization", [t] + [b.init(f"bn.{k}", v) for k, v in zip(["weight", "bias", "running_mean", "running_var"], bn)], epsilon=1e-5)
    h = b.node("Transpose", [t], perm=[0, 2, 1])
    h = b.node("GlobalExchange", [h, "valid"], domain="trigo", ops=["mean", "max"])
    h = b.node("Elu", [b.linear(h, w1, b1, "lin")])
    feat = b.gravnet(h, "valid", gp, "conv", k=3, exponent=2.0)
    h = b.node("Elu", [feat])
    heads = b.linear(h, wh, bh, "heads")                         # [B,N,6]
    beta_raw, coords, payload = b.node("Split", [heads, b.init("split", np.array([1, 2, 3], np.int64))], n_out=3, axis=2)
    beta = b.node("Flatten", [b.node("Sigmoid", [beta_raw])], axis=1)  # [B,N,1] -> [B,N] (torch's .flatten(1))
    beta = b.node("Reshape", [beta, shape_of_batch_n(b, heads)])       # a no-op through exporter plumbing
    payload = b.node("Slice", [payload] + [b.init(f"sl.{k}", np.array(v, np.int64)) for k, v in (("starts", [0]), ("ends", [2]), ("axes", [-1]))])
    assign, clusters, count = b.node("Condensation", [beta, coords, "valid", payload], n_out=3, domain="trigo",
                                     t_beta=0.4, t_d=0.8, max_clusters=3)
    b.nodes[-1].output[:] = ["assign", "clusters", "n_clusters"]
    b.nodes.append(helper.make_node("Identity", [feat], ["features"], name="/ecl_like/features"))
    graph = helper.make_graph(b.nodes, "ecl_like", [tensor("x", TensorProto.FLOAT, [N, FIN]), tensor("valid", TensorProto.BOOL, [N])],
                              [tensor("assign", TensorProto.INT32, [N]), tensor("clusters", TensorProto.FLOAT, [3, 3]),
                               tensor("n_clusters", TensorProto.INT32, []), tensor("features", TensorProto.FLOAT, [N, FOUT])],
                              initializer=b.inits)

    x, valid = events(rng, 16)
    vf = valid.astype(np.float64)
    h = elu(x @ w0.T.astype(np.float64) + b0)
    h = (h - bn[2]) / np.sqrt(bn[3].astype(np.float64) + 1e-5) * bn[0] + bn[1]
    h = global_exchange(h, vf, ["mean", "max"])
    h = elu(h @ w1.T.astype(np.float64) + b1)
    feat = gravnet(h, vf, gp, 3, 2.0, True, "l2")
    heads = elu(feat) @ wh.T.astype(np.float64) + bh
    beta = sigmoid(heads[..., 0]).astype(np.float32)
    coords = heads[..., 1:3].astype(np.float32)
    payload = heads[..., 3:5].astype(np.float32)
    assign, clusters, count = condensation(beta, coords, valid, payload, np.float32(0.4), np.float32(0.8), 3)
    save("ecl_like", graph, x, valid, [assign, clusters, count, feat.astype(np.float32)], TensorProto.BOOL)


def shape_of_batch_n(b, like):
    """The exporters' shape plumbing for reshape(-1... ): Shape -> Gather(0)
    -> Unsqueeze -> Concat with N -> Reshape target [batch, N]."""
    shape = b.node("Shape", [like])
    batch = b.node("Gather", [shape, b.init(f"g{b.n}", np.array(0, np.int64))], axis=0)
    batch = b.node("Unsqueeze", [batch, b.init(f"u{b.n}", np.array([0], np.int64))])
    return b.node("Concat", [batch, b.init(f"n{b.n}", np.array([N], np.int64))], axis=0)


def plain_l1(rng):
    """GravNetConv (l1, no self, two layers) and a sigmoid score; float valid
    given as a Cast of a float input."""
    b = Builder("plain_l1")
    g1, g2 = gravnet_params(rng, FIN, 5, 3, 4), gravnet_params(rng, 5, 4, 3, 4)
    wo, bo = rng_weights(rng, 1, 4), rng_weights(rng, 1, scale=0.1)
    v = b.node("Cast", ["valid"], to=TensorProto.FLOAT)
    h = b.node("Elu", [b.gravnet("x", v, g1, "convs.0", k=4, distance="l1", include_self=0)])
    h = b.node("Elu", [b.gravnet(h, v, g2, "convs.1", k=2, distance="l1", include_self=0, exponent=3.5)])
    y = b.node("Sigmoid", [b.linear(h, wo, bo, "out")])
    b.nodes[-1].output[0] = "y"
    graph = helper.make_graph(b.nodes, "plain_l1", [tensor("x", TensorProto.FLOAT, [N, FIN]), tensor("valid", TensorProto.FLOAT, [N])],
                              [tensor("y", TensorProto.FLOAT, [N, 1])], initializer=b.inits)
    x, valid = events(rng, 12)
    vf = valid.astype(np.float64)
    h = elu(gravnet(x.astype(np.float64), vf, g1, 4, 10.0, False, "l1"))
    h = elu(gravnet(h, vf, g2, 2, 3.5, False, "l1"))
    y = sigmoid(h @ wo.T.astype(np.float64) + bo).astype(np.float32)
    save("plain_l1", graph, x, valid, [y], TensorProto.FLOAT)


if __name__ == "__main__":
    ecl_like(np.random.default_rng(1))
    plain_l1(np.random.default_rng(2))
    for f in sorted(os.listdir(HERE)):
        if f.endswith(".onnx"):
            print(f, os.path.getsize(os.path.join(HERE, f)), "bytes")
