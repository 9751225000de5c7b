#!/usr/bin/env python3
"""Build, train and export trigo's bundled example models.

Run with Debian's interpreter (it has torch, onnx and numpy):

    /usr/bin/python3 models/make_examples.py          # from the repo root

For each model this writes models/examples/<name>/:
    model.onnx  opset 13, input "x", output "y", dynamic event axis "batch"
    x.npy       1000 test events (float32)
    y.npy       PyTorch float32 outputs (softmax probabilities) for x
    calib.npy   2000 separate calibration events (float32)
    labels.npy  int64 true classes of x

Everything is seeded and single-threaded on CPU; re-running reproduces the
same files byte for byte (on the same torch/numpy versions).
"""

import hashlib
import os
import sys
import time

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from trigo_models import JetTagger, SmallCNN, export_onnx  # noqa: E402
from trigo_models import data, onnx_numpy  # noqa: E402

OUT_DIR = os.path.join(HERE, "examples")
OPSET = 13
N_TRAIN, N_CALIB, N_TEST = 20000, 2000, 1000


def train(model, x, labels, steps, lr, batch, seed):
    """Plain Adam on cross-entropy of the logits with seeded minibatches."""
    rng = np.random.default_rng(seed)
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(labels)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(steps):
        idx = torch.from_numpy(rng.integers(0, len(x), size=batch))
        opt.zero_grad()
        loss = loss_fn(model.logits(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    return float(loss)


def build(name, model_cls, gen, seed, steps, lr, batch=256):
    t0 = time.time()
    torch.manual_seed(seed)
    model = model_cls()
    x_train, l_train = gen(N_TRAIN, seed + 1)
    x_calib, _ = gen(N_CALIB, seed + 2)
    x_test, l_test = gen(N_TEST, seed + 3)
    last_loss = train(model, x_train, l_train, steps, lr, batch, seed + 4)

    with torch.no_grad():
        y_test = model(torch.from_numpy(x_test)).numpy().astype(np.float32)
    acc = float((y_test.argmax(axis=1) == l_test).mean())

    d = os.path.join(OUT_DIR, name)
    os.makedirs(d, exist_ok=True)
    onnx_path = export_onnx(model, torch.from_numpy(x_test[:1]),
                            os.path.join(d, "model.onnx"), opset=OPSET,
                            input_names=["x"], output_names=["y"])
    np.save(os.path.join(d, "x.npy"), x_test)
    np.save(os.path.join(d, "y.npy"), y_test)
    np.save(os.path.join(d, "calib.npy"), x_calib)
    np.save(os.path.join(d, "labels.npy"), l_test)

    # --- checks -----------------------------------------------------------
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    # y again through torch, from the files on disk
    with torch.no_grad():
        y_again = model(torch.from_numpy(np.load(os.path.join(d, "x.npy")))).numpy()
    assert np.array_equal(y_again, np.load(os.path.join(d, "y.npy"))), "torch re-run differs"
    # y through the ONNX file itself (numpy evaluator; onnx 1.12 has no onnx.reference)
    y_onnx = onnx_numpy.run(m, {"x": x_test})["y"]
    err = float(np.abs(y_onnx - y_test).max())
    assert err < 1e-5, f"ONNX numpy evaluation differs from torch by {err}"

    ops = [n.op_type for n in m.graph.node]
    print(f"{name}: {sum(p.numel() for p in model.parameters())} params, "
          f"final train loss {last_loss:.3f}, test accuracy {acc:.3f}, "
          f"|onnx-torch| max {err:.1e}, {time.time() - t0:.1f} s")
    print(f"  opset {m.opset_import[0].version}, nodes: {' -> '.join(ops)}")
    for f in ("model.onnx", "x.npy", "y.npy", "calib.npy", "labels.npy"):
        p = os.path.join(d, f)
        with open(p, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()[:12]
        print(f"  {f:11s} {os.path.getsize(p):8d} B  sha256 {digest}")
    return acc


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    build("jet_tagger", JetTagger, data.jet_events, seed=1000, steps=400, lr=3e-3)
    build("small_cnn", SmallCNN, data.shower_images, seed=2000, steps=400, lr=1e-2)


if __name__ == "__main__":
    main()
