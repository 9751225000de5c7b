"""Graph-network layers on padded events, and their ONNX export (domain ``trigo``).

Events are padded to a fixed number ``N`` of vertices; ``valid[B, N]`` (float
0/1 or bool) marks the real vertices. Every op here ignores invalid vertices as
candidates and writes zeros (or -1 for indices) for them. The exact contract
(also in ``models/README.md``), shared with the Go importer and simulator:

``GravNetConv`` (trigo domain, version 1)
    inputs ``x[B,N,Fin]``, ``valid[B,N]``, ``lin_s.weight[S,Fin]``,
    ``lin_s.bias[S]``, ``lin_h.weight[P,Fin]``, ``lin_h.bias[P]``,
    ``lin_out1.weight[Fout,Fin]``, ``lin_out2.weight[Fout,2P]``,
    ``lin_out2.bias[Fout]``; attributes ``k`` (int), ``exponent`` (float, 10),
    ``include_self`` (int, 1), ``distance`` (``l2`` | ``l1``).
    For each valid vertex i: s = lin_s(x), h = lin_h(x); d_ij is the squared
    Euclidean (l2) or Manhattan (l1) distance in s; candidates are the valid j
    (j != i unless include_self); the neighbours are the min(k, #candidates)
    candidates with the smallest d_ij, ties to the lower j;
    w_ij = exp(-exponent * d_ij); mean and element-wise max of w_ij * h_j over
    the neighbours (both 0 without neighbours); output
    lin_out1(x_i) + lin_out2(concat(mean, max)); zeros for invalid vertices.

``GlobalExchange``
    inputs ``x[B,N,F]``, ``valid[B,N]``; attribute ``ops`` (strings among
    mean, min, max; default [mean]). Output ``[B,N,F*(1+len(ops))]``: each
    valid vertex's x followed by the statistics over the event's valid
    vertices in the given order (zeros for invalid vertices; statistics 0 when
    the event has no valid vertex).

``Condensation``
    inputs ``beta[B,N]``, ``coords[B,N,C]``, ``valid[B,N]``,
    ``payload[B,N,P]``; attributes ``t_beta``, ``t_d`` (floats),
    ``max_clusters`` M. Candidates: valid vertices with beta > t_beta in order
    of decreasing beta (ties: lower index). The next candidate not yet
    assigned becomes a condensation point with a new cluster id c = 0, 1, ...;
    c is assigned to every valid, not yet assigned vertex j (itself included)
    with ||coords_j - coords_alpha||^2 < t_d^2; stop after M clusters.
    Outputs ``assign[B,N]`` (int32, cluster id or -1),
    ``clusters[B,M,1+P]`` (row c: beta of the condensation point, then its
    payload; zero rows after the last cluster), ``n_clusters[B]`` (int32).

Everything is float32. In PyTorch the modules compute with differentiable
dense tensor ops (N <= 128 is small: pairwise distances are [B,N,N]); while
``torch.onnx.export`` runs they go through ``torch.autograd.Function``s whose
``symbolic`` writes one node of the ``trigo`` domain, with the layer's weights
passed as inputs so that they become initializers named by their
``state_dict`` keys (e.g. ``blocks.0.conv.lin_s.weight``).
"""

import copy
import os
import warnings
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import onnx
import torch
from torch import nn

TRIGO_DOMAIN = "trigo"
TRIGO_OPSET = 1
GLOBAL_OPS = ("mean", "min", "max")
DISTANCES = ("l2", "l1")
_FLT_MAX = float(np.finfo(np.float32).max)


# ---------------------------------------------------------------------------
# argument checks (shared by modules and functions)
# ---------------------------------------------------------------------------

def _check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k <= 0:
        raise ValueError(f"GravNetConv: k must be a positive integer, got {k!r}")
    return int(k)


def _check_distance(distance) -> str:
    if distance not in DISTANCES:
        raise ValueError(f"GravNetConv: distance must be one of {DISTANCES}, got {distance!r}")
    return distance


def _check_positive_int(name, what, v) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
        raise ValueError(f"{name}: {what} must be a positive integer, got {v!r}")
    return int(v)


def _check_ops(ops) -> Tuple[str, ...]:
    if isinstance(ops, str):
        ops = (ops,)
    ops = tuple(ops)
    if not ops:
        raise ValueError("GlobalExchange: ops must not be empty")
    for o in ops:
        if o not in GLOBAL_OPS:
            raise ValueError(f"GlobalExchange: unknown op {o!r}, expected some of {GLOBAL_OPS}")
    return ops


def _mask(valid: torch.Tensor, x: torch.Tensor, name: str) -> torch.Tensor:
    """valid[B,N] (float 0/1 or bool) -> bool mask, checked against x[B,N,...]."""
    if valid.dim() != 2 or tuple(valid.shape) != tuple(x.shape[:2]):
        raise ValueError(f"{name}: valid must be [B,N] = {tuple(x.shape[:2])}, got {tuple(valid.shape)}")
    if valid.dtype == torch.bool:
        return valid
    return valid > 0.5


# ---------------------------------------------------------------------------
# dense implementations (differentiable where it makes sense)
# ---------------------------------------------------------------------------

def gravnet_dense(x, valid, lin_s_w, lin_s_b, lin_h_w, lin_h_b, lin_out1_w, lin_out2_w,
                  lin_out2_b, k: int, exponent: float = 10.0, include_self: bool = True,
                  distance: str = "l2") -> torch.Tensor:
    """GravNetConv on padded events: x[B,N,Fin], valid[B,N] -> [B,N,Fout]."""
    k = _check_k(k)
    distance = _check_distance(distance)
    if x.dim() != 3:
        raise ValueError(f"GravNetConv: x must be [B,N,F], got shape {tuple(x.shape)}")
    m = _mask(valid, x, "GravNetConv")
    B, N, _ = x.shape
    s = x @ lin_s_w.t() + lin_s_b                      # [B,N,S]
    h = x @ lin_h_w.t() + lin_h_b                      # [B,N,P]
    diff = s[:, :, None, :] - s[:, None, :, :]         # [B,N,N,S] (i, j)
    d = (diff * diff).sum(-1) if distance == "l2" else diff.abs().sum(-1)
    cand = m[:, None, :].expand(B, N, N)               # candidate j must be valid
    if not include_self:
        cand = cand & ~torch.eye(N, dtype=torch.bool, device=x.device)[None]
    inf = torch.tensor(float("inf"), dtype=d.dtype, device=d.device)
    key = torch.where(cand, d.detach().clamp(max=_FLT_MAX), inf)
    kk = min(k, N)
    order = torch.sort(key, dim=-1, stable=True).indices[:, :, :kk]   # [B,N,kk]
    nb = torch.gather(cand, 2, order)                  # neighbour slot in use
    d_nb = torch.gather(d, 2, order)
    e = torch.tensor(exponent, dtype=x.dtype, device=x.device)
    w = torch.exp(-e * d_nb)                           # [B,N,kk]
    P = h.shape[-1]
    h_nb = torch.gather(h[:, None, :, :].expand(B, N, N, P), 2,
                        order[..., None].expand(B, N, kk, P))          # [B,N,kk,P]
    msg = w[..., None] * h_nb
    nbf = nb[..., None]
    cnt = nb.sum(-1, keepdim=True)                     # [B,N,1]
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    mean = torch.where(nbf, msg, zero).sum(2) / cnt.clamp(min=1).to(x.dtype)
    mx = torch.where(nbf, msg, -inf).amax(2)
    mx = torch.where(cnt > 0, mx, zero)
    y = x @ lin_out1_w.t() + torch.cat([mean, mx], -1) @ lin_out2_w.t() + lin_out2_b
    return torch.where(m[..., None], y, zero)


def global_exchange_dense(x, valid, ops: Sequence[str] = ("mean",)) -> torch.Tensor:
    """GlobalExchange: x[B,N,F], valid[B,N] -> [B,N,F*(1+len(ops))]."""
    ops = _check_ops(ops)
    if x.dim() != 3:
        raise ValueError(f"GlobalExchange: x must be [B,N,F], got shape {tuple(x.shape)}")
    m = _mask(valid, x, "GlobalExchange")
    mf = m[..., None]
    cnt = m.sum(1)[:, None, None]                      # [B,1,1]
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    inf = torch.tensor(float("inf"), dtype=x.dtype, device=x.device)
    parts = [x]
    for o in ops:
        if o == "mean":
            st = torch.where(mf, x, zero).sum(1, keepdim=True) / cnt.clamp(min=1).to(x.dtype)
        elif o == "min":
            st = torch.where(mf, x, inf).amin(1, keepdim=True)
        else:
            st = torch.where(mf, x, -inf).amax(1, keepdim=True)
        st = torch.where(cnt > 0, st, zero)
        parts.append(st.expand_as(x))
    return torch.where(mf, torch.cat(parts, -1), zero)


def condensation_dense(beta, coords, valid, payload, t_beta: float, t_d: float,
                       max_clusters: int):
    """Object-condensation inference. Returns (assign int32 [B,N],
    clusters float32 [B,M,1+P], n_clusters int32 [B]). Not differentiable."""
    M = _check_positive_int("Condensation", "max_clusters", max_clusters)
    if beta.dim() != 2:
        raise ValueError(f"Condensation: beta must be [B,N], got shape {tuple(beta.shape)}")
    if coords.dim() != 3 or payload.dim() != 3 or coords.shape[:2] != beta.shape \
            or payload.shape[:2] != beta.shape:
        raise ValueError("Condensation: coords and payload must be [B,N,C] and [B,N,P] "
                         f"with [B,N] = {tuple(beta.shape)}")
    m = _mask(valid, beta[..., None], "Condensation")
    with torch.no_grad():
        beta = beta.float()
        coords = coords.float()
        payload = payload.float()
        B, N = beta.shape
        tb = torch.tensor(t_beta, dtype=torch.float32)
        td = torch.tensor(t_d, dtype=torch.float32)
        td2 = td * td
        assign = torch.full((B, N), -1, dtype=torch.int32)
        clusters = torch.zeros((B, M, 1 + payload.shape[-1]), dtype=torch.float32)
        n_clusters = torch.zeros((B,), dtype=torch.int32)
        for b in range(B):
            cand = m[b] & (beta[b] > tb)
            order = torch.sort(-beta[b], stable=True).indices
            order = order[cand[order]]
            a = assign[b]
            c = 0
            for alpha in order.tolist():
                if c == M:
                    break
                if a[alpha] >= 0:
                    continue
                diff = coords[b] - coords[b, alpha]
                d2 = (diff * diff).sum(-1)
                sel = m[b] & (a < 0) & (d2 < td2)
                sel[alpha] = True
                a[sel] = c
                clusters[b, c, 0] = beta[b, alpha]
                clusters[b, c, 1:] = payload[b, alpha]
                c += 1
            n_clusters[b] = c
    return assign, clusters, n_clusters


# ---------------------------------------------------------------------------
# ONNX export: autograd Functions whose symbolic writes trigo-domain nodes
# ---------------------------------------------------------------------------

class _GravNetFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, valid, ws, bs, wh, bh, wo1, wo2, bo2, k, exponent, include_self, distance):
        return gravnet_dense(x, valid, ws, bs, wh, bh, wo1, wo2, bo2, k, exponent,
                             include_self, distance)

    @staticmethod
    def symbolic(g, x, valid, ws, bs, wh, bh, wo1, wo2, bo2, k, exponent, include_self, distance):
        return g.op(f"{TRIGO_DOMAIN}::GravNetConv", x, valid, ws, bs, wh, bh, wo1, wo2, bo2,
                    k_i=int(k), exponent_f=float(exponent), include_self_i=int(bool(include_self)),
                    distance_s=str(distance))


class _GlobalExchangeFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, valid, ops):
        return global_exchange_dense(x, valid, ops)

    @staticmethod
    def symbolic(g, x, valid, ops):
        return g.op(f"{TRIGO_DOMAIN}::GlobalExchange", x, valid, ops_s=list(ops))


class _CondensationFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, beta, coords, valid, payload, t_beta, t_d, max_clusters):
        return condensation_dense(beta, coords, valid, payload, t_beta, t_d, max_clusters)

    @staticmethod
    def symbolic(g, beta, coords, valid, payload, t_beta, t_d, max_clusters):
        return g.op(f"{TRIGO_DOMAIN}::Condensation", beta, coords, valid, payload,
                    t_beta_f=float(t_beta), t_d_f=float(t_d), max_clusters_i=int(max_clusters),
                    outputs=3)


def _exporting() -> bool:
    return torch.onnx.is_in_onnx_export()


# ---------------------------------------------------------------------------
# modules
# ---------------------------------------------------------------------------

class GravNetConv(nn.Module):
    """GravNet convolution on padded events, with the parameters of
    ``torch_geometric.nn.GravNetConv`` (same ``state_dict`` keys:
    ``lin_s.weight, lin_s.bias, lin_h.weight, lin_h.bias, lin_out1.weight,
    lin_out2.weight, lin_out2.bias``), so PyG-trained weights load with
    ``load_state_dict``. PyG's behaviour is ``exponent=10``,
    ``include_self=True``, ``distance="l2"``.

    forward(x[B,N,Fin], valid[B,N]) -> [B,N,Fout].
    """

    def __init__(self, in_channels: int, out_channels: int, space_dimensions: int,
                 propagate_dimensions: int, k: int, exponent: float = 10.0,
                 include_self: bool = True, distance: str = "l2"):
        super().__init__()
        for what, v in (("in_channels", in_channels), ("out_channels", out_channels),
                        ("space_dimensions", space_dimensions),
                        ("propagate_dimensions", propagate_dimensions)):
            _check_positive_int("GravNetConv", what, v)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.k = _check_k(k)
        self.exponent = float(exponent)
        self.include_self = bool(include_self)
        self.distance = _check_distance(distance)
        self.lin_s = nn.Linear(in_channels, space_dimensions)
        self.lin_h = nn.Linear(in_channels, propagate_dimensions)
        self.lin_out1 = nn.Linear(in_channels, out_channels, bias=False)
        self.lin_out2 = nn.Linear(2 * propagate_dimensions, out_channels)

    def _args(self):
        return (self.lin_s.weight, self.lin_s.bias, self.lin_h.weight, self.lin_h.bias,
                self.lin_out1.weight, self.lin_out2.weight, self.lin_out2.bias)

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        if _exporting():
            return _GravNetFn.apply(x, valid, *self._args(), self.k, self.exponent,
                                    self.include_self, self.distance)
        return gravnet_dense(x, valid, *self._args(), self.k, self.exponent,
                             self.include_self, self.distance)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, k={self.k}, exponent={self.exponent}, "
                f"include_self={self.include_self}, distance={self.distance!r}")


class GlobalExchange(nn.Module):
    """Concatenate event-wide statistics (over valid vertices) to every vertex."""

    def __init__(self, ops: Sequence[str] = ("mean",)):
        super().__init__()
        self.ops = _check_ops(ops)

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        if _exporting():
            return _GlobalExchangeFn.apply(x, valid, self.ops)
        return global_exchange_dense(x, valid, self.ops)

    def extra_repr(self):
        return f"ops={list(self.ops)}"


class Condensation(nn.Module):
    """Object-condensation inference (see module docstring); no parameters.

    forward(beta[B,N], coords[B,N,C], valid[B,N], payload[B,N,P]) ->
    (assign int32 [B,N], clusters float32 [B,M,1+P], n_clusters int32 [B]).
    """

    def __init__(self, t_beta: float, t_d: float, max_clusters: int):
        super().__init__()
        self.max_clusters = _check_positive_int("Condensation", "max_clusters", max_clusters)
        if not (0.0 <= float(t_beta) < 1.0):
            raise ValueError(f"Condensation: t_beta must be in [0, 1), got {t_beta!r}")
        if not float(t_d) > 0.0:
            raise ValueError(f"Condensation: t_d must be positive, got {t_d!r}")
        self.t_beta = float(t_beta)
        self.t_d = float(t_d)

    def forward(self, beta, coords, valid, payload):
        if _exporting():
            return _CondensationFn.apply(beta, coords, valid, payload, self.t_beta, self.t_d,
                                         self.max_clusters)
        return condensation_dense(beta, coords, valid, payload, self.t_beta, self.t_d,
                                  self.max_clusters)

    def extra_repr(self):
        return f"t_beta={self.t_beta}, t_d={self.t_d}, max_clusters={self.max_clusters}"


class VertexBatchNorm(nn.BatchNorm1d):
    """BatchNorm1d over the feature axis of [B,N,F] that, in training, takes its
    statistics from the valid vertices only (like PyG's BatchNorm on a node
    list). In eval mode it is the usual affine map with the running statistics,
    applied to every vertex. Same state_dict keys as ``nn.BatchNorm1d``.
    ``fold_batchnorm_*`` fold it into a neighbouring linear map for export."""

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        m = _mask(valid, x, "VertexBatchNorm")
        if self.training and bool(m.sum() > 1):
            y = torch.zeros_like(x)
            y[m] = super().forward(x[m])               # statistics of the valid vertices
            return y
        a, b = self.scale_shift()
        return x * a + b

    def scale_shift(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """(a, b) with eval-mode output a * x + b (detached)."""
        inv = torch.rsqrt(self.running_var + self.eps)
        a = (self.weight if self.affine else torch.ones_like(inv)) * inv
        b = (self.bias if self.affine else torch.zeros_like(inv)) - self.running_mean * a
        return a.detach(), b.detach()


# ---------------------------------------------------------------------------
# BatchNorm folding (done before export: trigo then sees plain MatMul/Add)
# ---------------------------------------------------------------------------

@torch.no_grad()
def fold_batchnorm_into_next_linear(bn: VertexBatchNorm, lin: nn.Linear, copies: int = 1):
    """Fold eval-mode ``bn`` into the Linear that consumes its output.

    ``copies`` > 1 handles a Linear fed by concat(bn(x), mean(bn(x)), ...) from
    a ``GlobalExchange(("mean",))`` (mean commutes with the affine map; min/max
    do not for negative scales, so only mean is supported)."""
    a, b = bn.scale_shift()
    F = a.shape[0]
    if lin.in_features != copies * F:
        raise ValueError(f"fold: Linear has {lin.in_features} inputs, expected {copies}x{F}")
    a_full = a.repeat(copies)
    b_full = b.repeat(copies)
    bias = lin.bias if lin.bias is not None else torch.zeros(lin.out_features)
    new_bias = bias + lin.weight @ b_full
    lin.weight.mul_(a_full[None, :])
    if lin.bias is None:
        lin.bias = nn.Parameter(new_bias)
    else:
        lin.bias.copy_(new_bias)


@torch.no_grad()
def fold_batchnorm_into_gravnet(conv: GravNetConv, bn: VertexBatchNorm):
    """Fold eval-mode ``bn`` applied to a GravNetConv's output into its
    lin_out1/lin_out2 (exact on valid vertices; invalid ones stay 0)."""
    a, b = bn.scale_shift()
    conv.lin_out1.weight.mul_(a[:, None])
    conv.lin_out2.weight.mul_(a[:, None])
    conv.lin_out2.bias.copy_(conv.lin_out2.bias * a + b)


# ---------------------------------------------------------------------------
# padding helpers
# ---------------------------------------------------------------------------

def pad_events(events: Iterable[np.ndarray], n_vertices: int, n_features: Optional[int] = None,
               positions: Optional[Iterable[Optional[np.ndarray]]] = None
               ) -> Tuple[np.ndarray, np.ndarray]:
    """Pad a list of per-event vertex arrays ``[n_i, F]`` to
    ``x[B, N, F]`` (float32, zeros at invalid vertices) and ``valid[B, N]``
    (float32 0/1). Vertices go to slots 0..n_i-1 unless ``positions`` gives,
    per event, the slot of each vertex (distinct, < N). Events with more than
    N vertices raise ValueError (select vertices first, e.g. by energy)."""
    events = [np.asarray(e, dtype=np.float32) for e in events]
    if n_features is None:
        if not events:
            raise ValueError("pad_events: no events and no n_features")
        n_features = events[0].shape[1] if events[0].ndim == 2 else 0
    pos = list(positions) if positions is not None else [None] * len(events)
    if len(pos) != len(events):
        raise ValueError("pad_events: positions must have one entry per event")
    x = np.zeros((len(events), n_vertices, n_features), np.float32)
    valid = np.zeros((len(events), n_vertices), np.float32)
    for b, (e, p) in enumerate(zip(events, pos)):
        e = e.reshape(-1, n_features)
        if len(e) > n_vertices:
            raise ValueError(f"pad_events: event {b} has {len(e)} vertices > N = {n_vertices}")
        slots = np.arange(len(e)) if p is None else np.asarray(p, dtype=np.int64)
        if len(slots) != len(e) or len(set(slots.tolist())) != len(e) or \
                (len(e) and (slots.min() < 0 or slots.max() >= n_vertices)):
            raise ValueError(f"pad_events: bad positions for event {b}")
        x[b, slots] = e
        valid[b, slots] = 1.0
    return x, valid


def unpad_events(x: np.ndarray, valid: np.ndarray) -> List[np.ndarray]:
    """Inverse of ``pad_events``: the valid vertices of each event (slot order)."""
    return [x[b][np.asarray(valid[b]) > 0.5] for b in range(len(x))]


# ---------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------

def _rename_matmul_weights(model: onnx.ModelProto) -> None:
    """Give the transposed Linear weights that torch writes as
    ``onnx::MatMul_<n>`` the name ``<module>.weight_t`` (from the bias of the
    following Add, ``<module>.bias``)."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    consumers: Dict[str, List[onnx.NodeProto]] = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    renames = {}
    for n in g.node:
        if n.op_type != "MatMul" or len(n.input) != 2 or n.input[1] not in inits:
            continue
        w = n.input[1]
        if not w.startswith("onnx::"):
            continue
        for c in consumers.get(n.output[0], []):
            if c.op_type == "Add":
                bias = [i for i in c.input if i != n.output[0]]
                if len(bias) == 1 and bias[0].endswith(".bias") and bias[0] in inits:
                    new = bias[0][: -len(".bias")] + ".weight_t"
                    if new not in inits and new not in renames.values():
                        renames[w] = new
    for old, new in renames.items():
        inits[old].name = new
        for n in g.node:
            for j, i in enumerate(n.input):
                if i == old:
                    n.input[j] = new


def _fix_outputs(model: onnx.ModelProto, outputs: Sequence[torch.Tensor]) -> None:
    """Torch cannot infer shapes through custom-domain nodes; write the real
    output shapes (dim 0 = "batch") and drop the partial intermediate
    value_info it produced."""
    del model.graph.value_info[:]
    for vi, t in zip(model.graph.output, outputs):
        tt = vi.type.tensor_type
        tt.elem_type = onnx.helper.np_dtype_to_tensor_dtype(t.detach().numpy().dtype) \
            if hasattr(onnx.helper, "np_dtype_to_tensor_dtype") else \
            onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[t.detach().numpy().dtype]
        del tt.shape.dim[:]
        for i, d in enumerate(t.shape):
            dim = tt.shape.dim.add()
            if i == 0:
                dim.dim_param = "batch"
            else:
                dim.dim_value = int(d)


def export_graph_onnx(model: nn.Module, n_vertices: int, n_features: int,
                      path: Union[str, os.PathLike], output_names: Sequence[str],
                      opset: int = 13, fold_batchnorm: bool = True) -> str:
    """Export a graph model ``forward(x[B,N,F], valid[B,N])`` to ONNX.

    Conventions: inputs ``x`` and ``valid`` (float32), dim 0 of every input
    and output is the symbolic axis ``batch``; opset ``opset`` plus domain
    ``trigo`` version 1 for GravNetConv/GlobalExchange/Condensation; eval
    mode. BatchNorm is folded into neighbouring linear maps **before** export
    when ``fold_batchnorm`` and the model has a ``fold_batchnorm()`` method
    (returning the folded copy), so the file has no BatchNormalization node.
    Transposed Linear weights are renamed ``<module>.weight_t``; graph output
    shapes are written explicitly. The model passed in is not modified.
    """
    path = os.fspath(path)
    m = copy.deepcopy(model).eval()
    if fold_batchnorm and hasattr(m, "fold_batchnorm"):
        m = m.fold_batchnorm().eval()
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, n_vertices, n_features, generator=gen)
    valid = torch.ones(2, n_vertices)
    valid[1, n_vertices // 2:] = 0
    names = ["x", "valid"] + list(output_names)
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer warns about Python-level checks and loops; the custom nodes
        # hide them from the graph, so the warnings do not apply
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=".*shape inference of trigo::")
        warnings.filterwarnings("ignore", category=FutureWarning, message=".*_graph_op")
        outs = m(x, valid)
        if isinstance(outs, torch.Tensor):
            outs = (outs,)
        if len(outs) != len(output_names):
            raise ValueError(f"model has {len(outs)} outputs but {len(output_names)} names")
        torch.onnx.export(
            m, (x, valid), path, export_params=True, opset_version=opset,
            do_constant_folding=True, input_names=["x", "valid"],
            output_names=list(output_names), dynamic_axes={n: {0: "batch"} for n in names},
            custom_opsets={TRIGO_DOMAIN: TRIGO_OPSET}, training=torch.onnx.TrainingMode.EVAL)
    om = onnx.load(path)
    _rename_matmul_weights(om)
    _fix_outputs(om, outs)
    onnx.checker.check_model(om)
    onnx.save(om, path)
    return path
