#!/usr/bin/env python3
"""Build, train and export trigo's graph-network examples (GravNet + object condensation).

Run with Debian's interpreter (it has torch, onnx and numpy):

    /usr/bin/python3 models/make_graph_examples.py            # from the repo root
    /usr/bin/python3 models/make_graph_examples.py cdc_gnn    # only some examples

Writes models/examples/<name>/ for
    ecl_gnn         ECL trigger GNN, trained (~2 min CPU) with an object-condensation loss
    cdc_gnn         CDC GNN in the CAT Finder CDCNet style, random weights (BN statistics
                    and the beta/coordinate heads calibrated so that condensation does work)
    gravnet_fpl26   plain 2-block GravNet (k=8, P=8, 8 filters, l1, S=4), per-vertex
                    photon score, briefly trained
    pyg_state_dict  one GravNetConv with PyG state_dict keys (one .npy per key), inputs and
                    the outputs of the loop-based numpy reference (tests/graph_reference.py)

Each model directory holds model.onnx (inputs x, valid; opset 13 + domain trigo v1),
config.yaml, x.npy/valid.npy (500 test events), calib_x.npy/calib_valid.npy (1000
calibration events) and the PyTorch outputs named after the ONNX outputs.

Everything is seeded, single-threaded and deterministic: re-running rewrites the same
files (same torch/numpy versions). The script checks every ONNX file with onnx.checker,
re-runs torch on the saved inputs, evaluates the ONNX file with the numpy evaluator and
the loop reference of the trigo ops, and prints node lists, distributions and sizes.
"""

import hashlib
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "tests"))

from trigo_models import graph_data, onnx_numpy  # noqa: E402
from trigo_models.graph import (GravNetConv, VertexBatchNorm, condensation_dense,  # noqa: E402
                                export_graph_onnx)
from trigo_models.graph_models import (CDCGNN, ECLGNN, GravNetFPL26,  # noqa: E402
                                       object_condensation_loss)
import graph_reference  # noqa: E402  (tests/graph_reference.py)

OUT_DIR = os.path.join(HERE, "examples")
N_TEST, N_CALIB = 500, 600
# CDC events have 7 features: fewer events keep the directory under 2 MB
N_TEST_CDC, N_CALIB_CDC = 400, 400
N_CHECK = 100          # events evaluated through the ONNX file with the loop reference
COND_OUTPUTS = ["assign", "clusters", "n_clusters"]

CONFIG_HEADER = """# trigo compile config for {name} (keys: README.md "Quantisation config").
# Compile:  trigo compile models/examples/{name}/model.onnx --config models/examples/{name}/config.yaml \\
#             --calib models/examples/{name}/calib_x.npy --calib models/examples/{name}/calib_valid.npy -o out/{name}
"""


def log(*a):
    print(*a, flush=True)


def sha(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def n_params(m):
    return sum(p.numel() for p in m.parameters())


def run_torch(model, x, valid, chunk=250):
    """Model outputs (numpy) on padded events, in chunks."""
    outs = None
    with torch.no_grad():
        for s in range(0, len(x), chunk):
            o = model(torch.from_numpy(x[s:s + chunk]), torch.from_numpy(valid[s:s + chunk]))
            o = (o,) if isinstance(o, torch.Tensor) else o
            o = [t.numpy() for t in o]
            outs = o if outs is None else [np.concatenate([a, b]) for a, b in zip(outs, o)]
    return outs


def heads_numpy(model, x, valid):
    with torch.no_grad():
        return [t.numpy() for t in model.heads(torch.from_numpy(x), torch.from_numpy(valid))]


def hist(v, bins):
    h, _ = np.histogram(v, bins=bins)
    return " ".join(f"[{a},{b}):{c}" for a, b, c in zip(bins[:-1], bins[1:], h))


def knn_margin(model, x, valid):
    """How close the test events come to flipping a neighbour choice: over all
    GravNetConv layers and valid vertices with more than k candidates, the
    smallest relative gap (d_(k+1) - d_k) / d_(k+1) between the k-th and
    (k+1)-th smallest candidate distance (exact ties excluded; they are
    resolved by index), and the number of exact ties at that boundary."""
    gaps, ties = [], [0]

    def hook(mod, inp, out):
        xx, vv = inp
        with torch.no_grad():
            s = mod.lin_s(xx)
            diff = s[:, :, None, :] - s[:, None, :, :]
            d = (diff * diff).sum(-1) if mod.distance == "l2" else diff.abs().sum(-1)
            m = vv > 0.5
            N = d.shape[1]
            cand = m[:, None, :].expand(-1, N, N).clone()
            if not mod.include_self:
                cand &= ~torch.eye(N, dtype=torch.bool)[None]
            srt = torch.sort(torch.where(cand, d, torch.tensor(float("inf"))), -1).values
            k = mod.k
            ok = m & (cand.sum(-1) > k)
            if bool(ok.any()):
                lo, hi = srt[..., k - 1][ok], srt[..., k][ok]
                ties[0] += int((hi == lo).sum())
                rel = ((hi - lo) / hi)[hi > lo]
                if rel.numel():
                    gaps.append(rel.min().item())
    hs = [mod.register_forward_hook(hook) for mod in model.modules() if isinstance(mod, GravNetConv)]
    run_torch(model, x, valid)
    for h in hs:
        h.remove()
    return (min(gaps) if gaps else float("nan")), ties[0]


def write_example(name, model, test, calib, output_names, config, extra=None):
    """Export, save, check and describe one example."""
    d = os.path.join(OUT_DIR, name)
    os.makedirs(d, exist_ok=True)
    model.eval()
    x, valid = test["x"], test["valid"]
    N, F_ = x.shape[1:]
    onnx_path = export_graph_onnx(model, N, F_, os.path.join(d, "model.onnx"), output_names)
    outs = run_torch(model, x, valid)
    np.save(os.path.join(d, "x.npy"), x)
    np.save(os.path.join(d, "valid.npy"), valid)
    np.save(os.path.join(d, "calib_x.npy"), calib["x"])
    np.save(os.path.join(d, "calib_valid.npy"), calib["valid"])
    for nm, o in zip(output_names, outs):
        np.save(os.path.join(d, f"{nm}.npy"), o)
    with open(os.path.join(d, "config.yaml"), "w") as fh:
        fh.write(CONFIG_HEADER.format(name=name) + config)

    # --- checks -------------------------------------------------------------
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    again = run_torch(model, np.load(os.path.join(d, "x.npy")), np.load(os.path.join(d, "valid.npy")))
    for nm, a in zip(output_names, again):
        assert np.array_equal(a, np.load(os.path.join(d, f"{nm}.npy"))), f"{name}: torch re-run differs ({nm})"
    sel = np.r_[0:N_CHECK]
    got = onnx_numpy.run(m, {"x": x[sel], "valid": valid[sel]},
                         custom_ops=graph_reference.CUSTOM_OPS, dtype=np.float32)
    for nm, o in zip(output_names, outs):
        g = got[nm]
        assert g.shape == o[sel].shape, f"{name}: {nm} shape {g.shape} vs {o[sel].shape}"
        if o.dtype.kind == "f":
            err = float(np.abs(g - o[sel]).max())
            assert err < 1e-4, f"{name}: ONNX+reference differs from torch on {nm} by {err}"
            log(f"  check {nm}: |onnx(loop ref) - torch| max {err:.1e} on {N_CHECK} events")
        else:
            bad = int((g != o[sel]).sum())
            assert bad == 0, f"{name}: ONNX+reference differs from torch on {nm} in {bad} entries"
            log(f"  check {nm}: identical on {N_CHECK} events")

    # --- description ----------------------------------------------------------
    occ = valid.sum(1).astype(int)
    log(f"{name}: {n_params(model)} params, x {list(x.shape)}, valid {list(valid.shape)}, "
        f"outputs " + ", ".join(f"{nm} {list(o.shape)} {o.dtype}" for nm, o in zip(output_names, outs)))
    log(f"  opsets {[(o.domain or 'ai.onnx', o.version) for o in m.opset_import]}")
    log(f"  inputs {[i.name for i in m.graph.input]} outputs {[o.name for o in m.graph.output]}")
    log("  nodes: " + " -> ".join(
        (f"{n.domain}::" if n.domain else "") + n.op_type for n in m.graph.node))
    for n in m.graph.node:
        if n.domain:
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
            log(f"    {n.op_type}{attrs} inputs {list(n.input)}")
    log(f"  occupancy (valid per event): min {occ.min()} max {occ.max()} mean {occ.mean():.1f}; "
        + hist(occ, [0, 1, 9, 17, 25, 33, 41, 49, 57, 64, 65]))
    if "n_clusters" in output_names:
        nc = outs[output_names.index("n_clusters")]
        log(f"  n_clusters: {np.bincount(nc, minlength=7).tolist()} (counts of 0,1,2,...)")
    gap, ties = knn_margin(model, x, valid)
    log(f"  kNN margin on the test events: smallest relative gap between the k-th and (k+1)-th "
        f"neighbour distance {gap:.1e}, exact ties there {ties}")
    if extra:
        log("  " + extra)
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        log(f"  {f:16s} {os.path.getsize(p):8d} B  sha256 {sha(p)}")
    total = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    assert total < 2_000_000, f"{name}: {total} bytes"
    return outs


def beta_margin(beta, valid, t_beta):
    b = beta[valid > 0.5]
    return float(np.abs(b - np.float32(t_beta)).min()) if b.size else float("nan")


# ---------------------------------------------------------------------------
# ecl_gnn: trained with the object-condensation loss on toy ECL events
# ---------------------------------------------------------------------------

ECL_CONFIG = """model:
  precision: fixed<16,6>
  rounding: RND
  overflow: SAT
  accum: exact
  table_size: 1024
  clock_mhz: 127.2
  reuse_factor: 1
inputs:
  x: fixed<16,4>      # theta, phi [rad], energy [GeV], time [100 ns]
  valid: ufixed<1,1>  # 0/1 vertex mask
"""


def build_ecl(seed=3000, steps=2000, batch=32, lr=3e-3):
    t0, c0 = time.time(), time.process_time()
    torch.manual_seed(seed)
    model = ECLGNN(hidden=16, dense=24, t_beta=0.1, t_d=0.7, max_clusters=6)
    train = graph_data.ecl_events(12000, seed + 1)
    test = graph_data.ecl_events(N_TEST, seed + 2, force_extremes=True)
    calib = graph_data.ecl_events(N_CALIB, seed + 3, force_extremes=True)
    T = {k: torch.from_numpy(v) for k, v in train.items()}
    rng = np.random.default_rng(seed + 4)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    model.train()
    hist_loss = []
    for s in range(steps):
        idx = torch.from_numpy(rng.integers(0, len(train["x"]), size=batch))
        beta, coords, pay = model.heads(T["x"][idx], T["valid"][idx])
        loss, parts = object_condensation_loss(beta, coords, pay, T["valid"][idx], T["obj"][idx],
                                               T["truth"][idx], payload_scale=[0.3, 0.1, 0.1],
                                               payload_weight=0.5)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        hist_loss.append(float(loss))
        if s % 500 == 0 or s == steps - 1:
            log(f"  ecl step {s:4d} loss {float(loss):.3f} " +
                " ".join(f"{k} {v:.3f}" for k, v in parts.items()))
    model.eval()
    t_train, c_train = time.time() - t0, time.process_time() - c0
    outs = write_example("ecl_gnn", model, test, calib, COND_OUTPUTS, ECL_CONFIG)
    nc = outs[2]
    acc = float((nc == test["n_obj"]).mean())
    beta = heads_numpy(model, test["x"], test["valid"])[0]
    log(f"  ecl: training {steps} steps x {batch} events, {t_train:.0f} s wall, {c_train:.0f} s CPU, "
        f"mean loss of the last "
        f"100 steps {np.mean(hist_loss[-100:]):.3f}; test n_clusters == true photons in {acc:.3f}; "
        f"true photon counts {np.bincount(test['n_obj'], minlength=7).tolist()}; "
        f"min |beta - t_beta| {beta_margin(beta, test['valid'], 0.1):.1e}")


# ---------------------------------------------------------------------------
# cdc_gnn: random weights, calibrated BatchNorm statistics and heads
# ---------------------------------------------------------------------------

CDC_CONFIG = """model:
  precision: fixed<16,6>
  rounding: RND
  overflow: SAT
  accum: exact
  table_size: 1024
  clock_mhz: 127.2
  reuse_factor: 1
inputs:
  x: fixed<16,3>      # x, y [m], superlayer/8, layer/5, drift time [us], adc/100, stereo
  valid: ufixed<1,1>
"""


@torch.no_grad()
def calibrate_random_cdc(model, calib, t_beta, t_d):
    """Give a randomly initialised CDCGNN sensible BatchNorm statistics and heads:
    (1) run it in training mode over calibration events with cumulative BatchNorm
    averages; (2) scale the beta head so that ~15 % of the valid vertices pass
    t_beta; (3) scale the coordinate head so that the median distance between
    two vertices of an event is 3 t_d. Deterministic."""
    x, valid = torch.from_numpy(calib["x"]), torch.from_numpy(calib["valid"])
    bns = [m for m in model.modules() if isinstance(m, VertexBatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None                 # cumulative moving average
    model.train()
    for s in range(0, len(x), 100):
        model.heads(x[s:s + 100], valid[s:s + 100])
    for bn in bns:
        bn.momentum = 0.6
    model.eval()
    m = valid > 0.5
    _, coords, _ = model.heads(x, valid)
    z = model.p_beta(_last_hidden(model, x, valid))[..., 0][m]
    model.p_beta.weight.mul_(2.0 / z.std())
    model.p_beta.bias.mul_(2.0 / z.std())
    z = model.p_beta(_last_hidden(model, x, valid))[..., 0][m]
    target = float(np.log(t_beta / (1 - t_beta)))
    model.p_beta.bias.add_(target - torch.quantile(z, 0.85))
    dists = []
    for b in range(len(x)):
        c = coords[b][m[b]]
        if len(c) > 1:
            dd = torch.cdist(c, c)
            dists.append(dd[torch.triu(torch.ones_like(dd, dtype=torch.bool), 1)])
    med = torch.cat(dists).median()
    scale = 3.0 * t_d / med
    model.p_ccoords.weight.mul_(scale)
    model.p_ccoords.bias.mul_(scale)


def _last_hidden(model, x, valid):
    """Input of CDCGNN's heads (the dense_cat output)."""
    cache = {}
    h = model.p_beta.register_forward_hook(lambda mod, inp, out: cache.setdefault("h", inp[0]))
    model.heads(x, valid)
    h.remove()
    return cache["h"]


def build_cdc(seed=4000):
    t0 = time.time()
    torch.manual_seed(seed)
    t_beta, t_d = 0.3, 0.5
    model = CDCGNN(n_features=7, k=8, dim1=16, dim2=16, n_blocks=2, coord_dim=3,
                   space_dimensions=4, t_beta=t_beta, t_d=t_d, max_clusters=6)
    test = graph_data.cdc_events(N_TEST_CDC, seed + 2, force_extremes=True)
    calib = graph_data.cdc_events(N_CALIB_CDC, seed + 3, force_extremes=True)
    calibrate_random_cdc(model, calib, t_beta, t_d)
    log(f"  cdc: random weights calibrated in {time.time() - t0:.1f} s")
    # the folded copy that is exported must agree with the module itself
    folded = model.fold_batchnorm()
    a = heads_numpy(model, test["x"][:50], test["valid"][:50])
    b = heads_numpy(folded, test["x"][:50], test["valid"][:50])
    v = test["valid"][:50] > 0.5
    ferr = max(float(np.abs(p[v] - q[v]).max()) for p, q in zip(a, b))
    assert ferr < 1e-4, f"BatchNorm folding error {ferr}"
    write_example("cdc_gnn", model, test, calib, COND_OUTPUTS, CDC_CONFIG,
                  extra=f"BatchNorm folded before export: |folded - module| max {ferr:.1e} on the heads; "
                        f"min |beta - t_beta| "
                        f"{beta_margin(heads_numpy(model, test['x'], test['valid'])[0], test['valid'], t_beta):.1e}")


# ---------------------------------------------------------------------------
# gravnet_fpl26: plain GravNet, per-vertex photon-vs-noise score
# ---------------------------------------------------------------------------

FPL26_CONFIG = """model:
  precision: fixed<16,6>
  rounding: RND
  overflow: SAT
  accum: exact
  table_size: 1024
  clock_mhz: 127.2
  reuse_factor: 1
inputs:
  x: fixed<16,4>      # ECL trigger cells: theta, phi [rad], energy [GeV], time [100 ns]
  valid: ufixed<1,1>
"""


def build_fpl26(seed=5000, steps=600, batch=32, lr=5e-3):
    t0 = time.time()
    torch.manual_seed(seed)
    model = GravNetFPL26(n_features=4, filters=8, space_dimensions=4, propagate_dimensions=8,
                         k=8, n_blocks=2, distance="l1")
    train = graph_data.ecl_events(6000, seed + 1)
    test = graph_data.ecl_events(N_TEST, seed + 2, force_extremes=True)
    calib = graph_data.ecl_events(N_CALIB, seed + 3, force_extremes=True)
    X, V = torch.from_numpy(train["x"]), torch.from_numpy(train["valid"])
    Y = torch.from_numpy((train["obj"] >= 0).astype(np.float32))
    rng = np.random.default_rng(seed + 4)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for s in range(steps):
        idx = torch.from_numpy(rng.integers(0, len(X), size=batch))
        y = model(X[idx], V[idx])[..., 0].clamp(1e-6, 1 - 1e-6)
        w = V[idx]
        loss = (F.binary_cross_entropy(y, Y[idx], reduction="none") * w).sum() / w.sum().clamp(min=1)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    y = write_example("gravnet_fpl26", model, test, calib, ["y"], FPL26_CONFIG)[0][..., 0]
    v = test["valid"] > 0.5
    acc = float(((y[v] > 0.5) == (test["obj"][v] >= 0)).mean())
    log(f"  fpl26: trained {steps} steps in {time.time() - t0:.0f} s, final loss {float(loss):.3f}, "
        f"per-cell photon/noise accuracy on test {acc:.3f}")


# ---------------------------------------------------------------------------
# pyg_state_dict: a PyG-keyed GravNetConv state_dict and reference outputs
# ---------------------------------------------------------------------------

PYG_HP = {"in_channels": 6, "out_channels": 5, "space_dimensions": 3, "propagate_dimensions": 4,
          "k": 5, "exponent": 10.0, "include_self": 1, "distance": "l2"}


def pyg_inputs(seed):
    """16 events of N=24 vertices: empty, full, 1 vertex, 3 vertices (< k),
    duplicated vertices (distance ties), random occupancy."""
    rng = np.random.default_rng(seed)
    B, N, Fin = 16, 24, PYG_HP["in_channels"]
    x = rng.normal(0, 1, (B, N, Fin)).astype(np.float32) * 0.3
    valid = (rng.uniform(size=(B, N)) < rng.uniform(0.2, 0.9, (B, 1))).astype(np.float32)
    valid[0] = 0
    valid[1] = 1
    valid[2] = 0
    valid[2, 7] = 1
    valid[3] = 0
    valid[3, [1, 5, 20]] = 1
    valid[4] = 1
    x[4, 10] = x[4, 3]               # duplicates of vertex 3: ties go to the lower index
    x[4, 17] = x[4, 3]
    x[4, 12] = x[4, 6]
    x *= valid[..., None]
    return x, valid


def build_pyg(seed=6000):
    d = os.path.join(OUT_DIR, "pyg_state_dict")
    os.makedirs(d, exist_ok=True)
    torch.manual_seed(seed)
    hp = PYG_HP
    conv = GravNetConv(hp["in_channels"], hp["out_channels"], hp["space_dimensions"],
                       hp["propagate_dimensions"], hp["k"])
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in conv.state_dict().items()}
    for k, v in sd.items():
        np.save(os.path.join(d, f"{k}.npy"), v)
    x, valid = pyg_inputs(seed + 1)
    y = graph_reference.gravnet(x, valid, sd, hp["k"], hp["exponent"], bool(hp["include_self"]),
                                hp["distance"])
    np.save(os.path.join(d, "x.npy"), x)
    np.save(os.path.join(d, "valid.npy"), valid)
    np.save(os.path.join(d, "y.npy"), y)
    with open(os.path.join(d, "hparams.json"), "w") as fh:
        json.dump({**hp, "state_dict_keys": list(sd)}, fh, indent=2)
        fh.write("\n")
    export_graph_onnx(conv, x.shape[1], x.shape[2], os.path.join(d, "model.onnx"), ["y"])
    with torch.no_grad():
        yt = conv(torch.from_numpy(x), torch.from_numpy(valid)).numpy()
    err = float(np.abs(yt - y).max())
    assert err < 1e-5, f"pyg: torch vs reference {err}"
    m = onnx.load(os.path.join(d, "model.onnx"))
    yo = onnx_numpy.run(m, {"x": x, "valid": valid}, custom_ops=graph_reference.CUSTOM_OPS,
                        dtype=np.float32)["y"]
    assert np.array_equal(yo, y)
    log(f"pyg_state_dict: GravNetConv{tuple(hp.values())}, keys {list(sd)}, "
        f"x {list(x.shape)}, occupancy {valid.sum(1).astype(int).tolist()}, |torch - reference| {err:.1e}")
    log("  nodes: " + " -> ".join((f"{n.domain}::" if n.domain else "") + n.op_type for n in m.graph.node)
        + f"; initializers {[i.name for i in m.graph.initializer]}")
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        log(f"  {f:20s} {os.path.getsize(p):8d} B  sha256 {sha(p)}")


BUILDERS = {"ecl_gnn": build_ecl, "cdc_gnn": build_cdc, "gravnet_fpl26": build_fpl26,
            "pyg_state_dict": build_pyg}


def main(argv):
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    names = argv or list(BUILDERS)
    for n in names:
        if n not in BUILDERS:
            sys.exit(f"unknown example {n!r}; choose from {list(BUILDERS)}")
    for n in names:
        t0 = time.time()
        BUILDERS[n]()
        log(f"  ({n}: {time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
