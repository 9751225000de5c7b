#!/usr/bin/env python3
"""Tiny GravNet + object condensation in plain PyTorch, exported to ONNX for trigo.

This script does NOT use trigo_models: it is what a user would write from the
convention in models/README.md ("Graph ops"). Events are padded to N hits with a
0/1 mask `valid`; GravNetConv, GlobalExchange and Condensation are written as
custom nodes of the ONNX domain "trigo" (version 1) by autograd Functions with a
`symbolic`. Run with /usr/bin/python3; writes examples/plain_gravnet/.
"""
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

N, NFEAT, NEVENTS = 32, 5, 200
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "examples", "plain_gravnet")


class GravNetOp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, valid, ws, bs, wh, bh, wo1, wo2, bo2, k, include_self):
        out = torch.zeros(x.shape[0], x.shape[1], wo1.shape[0])
        for b in range(x.shape[0]):
            s, h = x[b] @ ws.T + bs, x[b] @ wh.T + bh
            for i in range(x.shape[1]):
                if valid[b, i] < 0.5:
                    continue
                d = ((s[i] - s) ** 2).sum(-1)                      # squared distance to every hit
                ok = valid[b] > 0.5
                if not include_self:
                    ok[i] = False
                d = torch.where(ok, d, torch.tensor(float("inf")))
                nb = torch.sort(d, stable=True).indices[:min(k, int(ok.sum()))]  # ties: lower index
                msg = torch.exp(-10.0 * d[nb])[:, None] * h[nb]
                agg = torch.cat([msg.mean(0), msg.max(0).values]) if len(nb) else torch.zeros(2 * h.shape[1])
                out[b, i] = x[b, i] @ wo1.T + agg @ wo2.T + bo2
        return out

    @staticmethod
    def symbolic(g, x, valid, ws, bs, wh, bh, wo1, wo2, bo2, k, include_self):
        return g.op("trigo::GravNetConv", x, valid, ws, bs, wh, bh, wo1, wo2, bo2,
                    k_i=k, exponent_f=10.0, include_self_i=int(include_self), distance_s="l2")


class GlobalExchangeOp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, valid):                                  # ops = mean, min
        m = (valid > 0.5)[..., None]
        n = m.sum(1, keepdim=True).clamp(min=1)
        mean = torch.where(m, x, torch.tensor(0.0)).sum(1, keepdim=True) / n
        mn = torch.where(m, x, torch.tensor(float("inf"))).min(1, keepdim=True).values
        mn = torch.where(m.any(1, keepdim=True), mn, torch.tensor(0.0))
        out = torch.cat([x, mean.expand_as(x), mn.expand_as(x)], -1)
        return torch.where(m, out, torch.tensor(0.0))

    @staticmethod
    def symbolic(g, x, valid):
        return g.op("trigo::GlobalExchange", x, valid, ops_s=["mean", "min"])


class CondensationOp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, beta, coords, valid, payload, t_beta, t_d, max_clusters):
        B = beta.shape[0]
        assign = torch.full(beta.shape, -1, dtype=torch.int32)
        clusters = torch.zeros(B, max_clusters, 1 + payload.shape[-1])
        n_clusters = torch.zeros(B, dtype=torch.int32)
        for b in range(B):
            order = torch.sort(-beta[b], stable=True).indices     # decreasing beta, ties: lower index
            for a in order.tolist():
                if n_clusters[b] == max_clusters or not (valid[b, a] > 0.5 and beta[b, a] > t_beta):
                    continue
                if assign[b, a] >= 0:
                    continue
                c = int(n_clusters[b])
                near = ((coords[b] - coords[b, a]) ** 2).sum(-1) < t_d * t_d
                sel = (valid[b] > 0.5) & (assign[b] < 0) & near
                sel[a] = True
                assign[b][sel] = c
                clusters[b, c, 0], clusters[b, c, 1:] = beta[b, a], payload[b, a]
                n_clusters[b] += 1
        return assign, clusters, n_clusters

    @staticmethod
    def symbolic(g, beta, coords, valid, payload, t_beta, t_d, max_clusters):
        return g.op("trigo::Condensation", beta, coords, valid, payload, t_beta_f=t_beta,
                    t_d_f=t_d, max_clusters_i=max_clusters, outputs=3)


class TinyGravNetOC(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(NFEAT, 16)
        self.mix = nn.Linear(48, 16)
        self.lin_s, self.lin_h = nn.Linear(16, 3), nn.Linear(16, 8)          # GravNet(16 -> 16, S=3, P=8)
        self.lin_out1, self.lin_out2 = nn.Linear(16, 16, bias=False), nn.Linear(16, 16)
        self.beta, self.coords, self.payload = nn.Linear(16, 1), nn.Linear(16, 2), nn.Linear(16, 2)

    def features(self, x, valid):
        h = F.elu(self.inp(x))
        h = F.elu(self.mix(GlobalExchangeOp.apply(h, valid)))
        return F.elu(GravNetOp.apply(h, valid, self.lin_s.weight, self.lin_s.bias, self.lin_h.weight,
                                     self.lin_h.bias, self.lin_out1.weight, self.lin_out2.weight,
                                     self.lin_out2.bias, 6, False))       # k=6, without self

    def forward(self, x, valid):
        h = self.features(x, valid)
        beta = torch.sigmoid(self.beta(h)).flatten(1)                    # [B,N,1] -> [B,N]
        return CondensationOp.apply(beta, self.coords(h), valid, self.payload(h), 0.5, 0.8, 4)


def make_events(rng):
    """1-4 blobs of hits in feature space plus a few noise hits, 0..N valid hits."""
    x = np.zeros((NEVENTS, N, NFEAT), np.float32)
    valid = np.zeros((NEVENTS, N), np.float32)
    for b in range(NEVENTS):
        hits = [rng.normal(c, 0.15, (rng.integers(2, 9), NFEAT))
                for c in rng.normal(0, 1, (rng.integers(1, 5), NFEAT))]
        hits.append(rng.normal(0, 1.5, (rng.integers(0, 6), NFEAT)))
        hits = np.concatenate(hits)[rng.permutation(sum(len(h) for h in hits))][:N]
        n = 0 if b == 0 else (N if b == 1 else len(hits))               # one empty, one full event
        if b == 1:
            hits = rng.normal(0, 1, (N, NFEAT))
        x[b, :n], valid[b, :n] = hits[:n], 1.0
    return x, valid


if __name__ == "__main__":
    torch.manual_seed(7)
    torch.set_num_threads(1)
    x, valid = make_events(np.random.default_rng(7))
    model = TinyGravNetOC().eval()
    xt, vt = torch.from_numpy(x), torch.from_numpy(valid)
    with torch.no_grad():   # random weights: widen the heads so that condensation has work to do
        h = model.features(xt, vt)[vt > 0.5]
        for head, spread in ((model.beta, 2.0), (model.coords, 1.0)):
            sd = head(h).std(0).mean()
            head.weight *= spread / sd
            head.bias *= spread / sd
        model.beta.bias -= torch.quantile(model.beta(h)[:, 0], 0.5)   # half of the hits pass t_beta
        assign, clusters, n_clusters = model(xt, vt)
    os.makedirs(OUT, exist_ok=True)
    names = ["x", "valid", "assign", "clusters", "n_clusters"]
    torch.onnx.export(model, (xt[:2], vt[:2]),
                      os.path.join(OUT, "model.onnx"), opset_version=13, input_names=names[:2],
                      output_names=names[2:], dynamic_axes={n: {0: "batch"} for n in names},
                      custom_opsets={"trigo": 1})
    for name, a in zip(names, (x, valid, assign.numpy(), clusters.numpy(), n_clusters.numpy())):
        np.save(os.path.join(OUT, f"{name}.npy"), a)
    print("n_clusters per event:", np.bincount(n_clusters.numpy()).tolist())
