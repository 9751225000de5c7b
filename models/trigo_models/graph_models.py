"""Reference graph networks for trigo: GravNet + object condensation.

All take padded events ``x[B,N,F]``, ``valid[B,N]`` (see ``graph``).

* ``ECLGNN``     ECL trigger GNN (GNN-ETM style): trigger cells -> photon clusters.
* ``CDCGNN``     CDC GNN in the CAT Finder ``CDCNet`` style, sized for a trigger.
* ``GravNetFPL26`` plain 2-block GravNet (k=8, P=8, 8 filters, l1, S=4),
  per-vertex score, no condensation.
"""

import copy
from typing import Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .graph import (Condensation, GlobalExchange, GravNetConv, VertexBatchNorm,
                    fold_batchnorm_into_gravnet, fold_batchnorm_into_next_linear)


class ECLGNN(nn.Module):
    """ECL trigger GNN: trigger cells (theta, phi, energy, time) -> clusters.

    Linear(4->H)+ELU; n_blocks x [GlobalExchange(mean, max), Linear(3H->H)+ELU,
    GravNetConv(H->H, S, P, k)+ELU]; concat of the block outputs ->
    Linear(n_blocks*H -> D)+ELU; heads beta = sigmoid(Linear(D->1)),
    coords = Linear(D->C), payload = Linear(D->3) (cluster energy, theta, phi);
    Condensation(t_beta, t_d, max_clusters).

    forward(x, valid) -> (assign int32 [B,N], clusters [B,M,4], n_clusters int32 [B]);
    ``heads(x, valid)`` -> (beta [B,N], coords [B,N,C], payload [B,N,3]) for training.
    """

    def __init__(self, n_features: int = 4, hidden: int = 24, space_dimensions: int = 4,
                 propagate_dimensions: int = 12, k: int = 8, n_blocks: int = 2, dense: int = 32,
                 coord_dim: int = 2, n_payload: int = 3, global_ops: Sequence[str] = ("mean", "max"),
                 t_beta: float = 0.3, t_d: float = 0.7, max_clusters: int = 6):
        super().__init__()
        self.inp = nn.Linear(n_features, hidden)
        self.blocks = nn.ModuleList()
        for _ in range(n_blocks):
            blk = nn.Module()
            blk.gx = GlobalExchange(global_ops)
            blk.lin = nn.Linear(hidden * (1 + len(global_ops)), hidden)
            blk.conv = GravNetConv(hidden, hidden, space_dimensions, propagate_dimensions, k)
            self.blocks.append(blk)
        self.dense = nn.Linear(hidden * n_blocks, dense)
        self.beta = nn.Linear(dense, 1)
        self.coords = nn.Linear(dense, coord_dim)
        self.payload = nn.Linear(dense, n_payload)
        self.condensation = Condensation(t_beta, t_d, max_clusters)

    def heads(self, x, valid) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = F.elu(self.inp(x))
        feats = []
        for blk in self.blocks:
            h = blk.gx(h, valid)
            h = F.elu(blk.lin(h))
            h = F.elu(blk.conv(h, valid))
            feats.append(h)
        h = F.elu(self.dense(torch.cat(feats, dim=2)))
        beta = torch.sigmoid(self.beta(h)).flatten(1)      # [B,N,1] -> [B,N] (ONNX Flatten)
        return beta, self.coords(h), self.payload(h)

    def forward(self, x, valid):
        beta, coords, payload = self.heads(x, valid)
        return self.condensation(beta, coords, valid, payload)


class CDCGNN(nn.Module):
    """CDC GNN after basf2's CAT Finder ``CDCNet``, sized for a trigger.

    BatchNorm(F) on the input; per block: GlobalExchange(mean) (the global
    mean concatenated to every vertex), Linear+ELU, Linear+ELU, BatchNorm,
    Linear+ELU, GravNetConv(dim1 -> 2*dim1, S, P=dim1, k), BatchNorm,
    and a skip branch Linear(2*dim1 -> dim2)+ELU; the skip outputs of all
    blocks are concatenated -> Linear(nblocks*dim2 -> dim1)+ELU; heads
    beta (sigmoid), cluster coordinates (coord_dim), momentum (3),
    vertex (3), charge (sigmoid); Condensation with payload
    (momentum, vertex, charge) -> clusters [B,M,8].

    BatchNorms are ``VertexBatchNorm`` (statistics over valid vertices);
    ``fold_batchnorm()`` returns a copy with all of them folded into
    neighbouring linear maps (used by the ONNX export).
    """

    def __init__(self, n_features: int = 7, k: int = 8, dim1: int = 16, dim2: int = 16,
                 n_blocks: int = 2, coord_dim: int = 3, space_dimensions: int = 4,
                 momentum: float = 0.6, t_beta: float = 0.3, t_d: float = 0.5,
                 max_clusters: int = 6):
        super().__init__()
        self.bn0 = VertexBatchNorm(n_features, momentum=momentum)
        self.gx = GlobalExchange(("mean",))
        self.blocks = nn.ModuleList()
        for i in range(n_blocks):
            blk = nn.Module()
            blk.lin0 = nn.Linear(2 * n_features if i == 0 else 4 * dim1, dim1)
            blk.lin1 = nn.Linear(dim1, dim1)
            blk.bn1 = VertexBatchNorm(dim1, momentum=momentum)
            blk.lin2 = nn.Linear(dim1, dim1)
            blk.conv = GravNetConv(dim1, 2 * dim1, space_dimensions, dim1, k)
            blk.bn2 = VertexBatchNorm(2 * dim1, momentum=momentum)
            blk.skip = nn.Linear(2 * dim1, dim2)
            self.blocks.append(blk)
        self.dense_cat = nn.Linear(dim2 * n_blocks, dim1)
        self.p_beta = nn.Linear(dim1, 1)
        self.p_ccoords = nn.Linear(dim1, coord_dim)
        self.p_p = nn.Linear(dim1, 3)
        self.p_vertex = nn.Linear(dim1, 3)
        self.p_charge = nn.Linear(dim1, 1)
        self.condensation = Condensation(t_beta, t_d, max_clusters)

    @staticmethod
    def _bn(bn, x, valid):
        return x if bn is None else bn(x, valid)

    def heads(self, x, valid):
        """(beta [B,N], coords [B,N,C], payload [B,N,7])."""
        x = self._bn(self.bn0, x, valid)
        feats = []
        for blk in self.blocks:
            x = self.gx(x, valid)
            x = F.elu(blk.lin0(x))
            x = F.elu(blk.lin1(x))
            x = self._bn(blk.bn1, x, valid)
            x = F.elu(blk.lin2(x))
            x = blk.conv(x, valid)
            x = self._bn(blk.bn2, x, valid)
            feats.append(F.elu(blk.skip(x)))
        x = F.elu(self.dense_cat(torch.cat(feats, dim=2)))
        beta = torch.sigmoid(self.p_beta(x)).flatten(1)
        payload = torch.cat([self.p_p(x), self.p_vertex(x), torch.sigmoid(self.p_charge(x))], dim=2)
        return beta, self.p_ccoords(x), payload

    def forward(self, x, valid):
        beta, coords, payload = self.heads(x, valid)
        return self.condensation(beta, coords, valid, payload)

    def fold_batchnorm(self) -> "CDCGNN":
        """Copy with every BatchNorm folded away (eval-mode statistics):
        bn0 into block 0's lin0 (its input is [bn0(x), mean(bn0(x))]), bn1 into
        lin2, bn2 into the GravNetConv's lin_out1/lin_out2. Exact on valid
        vertices of non-empty events (up to float rounding)."""
        m = copy.deepcopy(self).eval()
        if m.bn0 is not None:
            fold_batchnorm_into_next_linear(m.bn0, m.blocks[0].lin0, copies=2)
            m.bn0 = None
        for blk in m.blocks:
            if blk.bn1 is not None:
                fold_batchnorm_into_next_linear(blk.bn1, blk.lin2)
                blk.bn1 = None
            if blk.bn2 is not None:
                fold_batchnorm_into_gravnet(blk.conv, blk.bn2)
                blk.bn2 = None
        return m


class GravNetFPL26(nn.Module):
    """Plain GravNet: n_blocks x [GravNetConv(-> filters, S=4, P=8, k=8,
    distance l1)+ELU], then a per-vertex score sigmoid(Linear(filters -> 1)).

    forward(x, valid) -> y [B,N,1]. ``y`` of invalid vertices is
    sigmoid(bias) (the plain ops run on their zero features): ignore it.
    """

    def __init__(self, n_features: int = 4, filters: int = 8, space_dimensions: int = 4,
                 propagate_dimensions: int = 8, k: int = 8, n_blocks: int = 2,
                 distance: str = "l1"):
        super().__init__()
        self.convs = nn.ModuleList(
            GravNetConv(n_features if i == 0 else filters, filters, space_dimensions,
                        propagate_dimensions, k, distance=distance) for i in range(n_blocks))
        self.out = nn.Linear(filters, 1)

    def forward(self, x, valid):
        for conv in self.convs:
            x = F.elu(conv(x, valid))
        return torch.sigmoid(self.out(x))


# ---------------------------------------------------------------------------
# object-condensation loss (Kieseler 2020), dense over padded events
# ---------------------------------------------------------------------------

def object_condensation_loss(beta, coords, payload, valid, obj, truth, q_min: float = 0.1,
                             s_b: float = 1.0, payload_weight: float = 1.0,
                             payload_scale=None):
    """Object-condensation loss.

    beta [B,N], coords [B,N,C], payload [B,N,P] (predictions); valid [B,N];
    obj [B,N] long (object index, -1 for noise/invalid); truth [B,K,P] (true
    payload per object). Returns (total, dict of the terms)."""
    v = valid > 0.5
    B, N = beta.shape
    K = truth.shape[1]
    M = (obj[..., None] == torch.arange(K)[None, None, :]) & v[..., None]   # [B,N,K]
    has = M.any(1)                                                           # [B,K]
    b = beta.clamp(1e-6, 1 - 1e-4)
    at2 = torch.atanh(b) ** 2
    q = at2 + q_min
    alpha = torch.where(M, b[..., None], torch.full_like(b[..., None], -1.0)).argmax(1)  # [B,K]
    beta_a = torch.gather(b, 1, alpha)
    q_a = torch.gather(q, 1, alpha)
    C = coords.shape[-1]
    x_a = torch.gather(coords, 1, alpha[..., None].expand(B, K, C))          # [B,K,C]
    d2 = ((coords[:, :, None, :] - x_a[:, None, :, :]) ** 2).sum(-1)        # [B,N,K]
    dist = torch.sqrt(d2 + 1e-6)
    Mf = M.float()
    pot = Mf * d2 + (1 - Mf) * F.relu(1.0 - dist)
    w = q[..., None] * q_a[:, None, :] * has[:, None, :].float() * v[..., None].float()
    n_valid = v.sum(1).clamp(min=1).float()
    l_v = ((w * pot).sum((1, 2)) / n_valid).mean()
    n_has = has.sum(1)
    l_b_sig = (((1 - beta_a) * has.float()).sum(1) / n_has.clamp(min=1).float())
    l_b_sig = l_b_sig[n_has > 0].mean() if bool((n_has > 0).any()) else beta.sum() * 0
    noise = v & (obj < 0)
    l_b_noise = (b * noise.float()).sum() / noise.float().sum().clamp(min=1)
    member = v & (obj >= 0)
    tgt = torch.gather(truth, 1, obj.clamp(min=0)[..., None].expand(B, N, truth.shape[-1]))
    scale = torch.ones(truth.shape[-1]) if payload_scale is None else torch.as_tensor(payload_scale)
    err = (((payload - tgt) / scale) ** 2).sum(-1)
    xi = at2.detach() * member.float()
    l_p = (xi * err).sum() / xi.sum().clamp(min=1e-6)
    total = l_v + l_b_sig + s_b * l_b_noise + payload_weight * l_p
    return total, {"V": float(l_v), "beta": float(l_b_sig), "noise": float(l_b_noise),
                   "payload": float(l_p)}
