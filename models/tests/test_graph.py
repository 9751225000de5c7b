#!/usr/bin/env python3
"""Tests of the graph ops (GravNetConv, GlobalExchange, Condensation), their ONNX
export and the committed graph examples.

The vectorised PyTorch ops (trigo_models/graph.py) are compared with the slow
loop-based numpy reference in tests/graph_reference.py, written from the
convention text. Run:

    cd models && /usr/bin/python3 -m unittest discover -s tests -v
"""

import json
import os
import sys
import tempfile
import unittest
import warnings

import numpy as np
import onnx
import torch

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.path.dirname(TESTS_DIR)
sys.path.insert(0, MODELS_DIR)
sys.path.insert(0, TESTS_DIR)

import graph_reference as ref  # noqa: E402
from trigo_models import onnx_numpy  # noqa: E402
from trigo_models.graph import (Condensation, GlobalExchange, GravNetConv,  # noqa: E402
                                VertexBatchNorm, condensation_dense, export_graph_onnx,
                                global_exchange_dense, gravnet_dense, pad_events, unpad_events)
from trigo_models.graph_models import CDCGNN, ECLGNN, GravNetFPL26  # noqa: E402

EXAMPLES = os.path.join(MODELS_DIR, "examples")
PYG_KEYS = ["lin_s.weight", "lin_s.bias", "lin_h.weight", "lin_h.bias", "lin_out1.weight",
            "lin_out2.weight", "lin_out2.bias"]
GRAPH_ALLOWED_OPS = {"MatMul", "Add", "Elu", "Relu", "Sigmoid", "Flatten", "Squeeze", "Concat",
                     "Slice", "GravNetConv", "GlobalExchange", "Condensation"}
COND = ["assign", "clusters", "n_clusters"]
# name -> (N, F, output names, ops that must appear)
GRAPH_EXAMPLES = {
    "ecl_gnn": (64, 4, COND, {"GravNetConv", "GlobalExchange", "Condensation"}),
    "cdc_gnn": (64, 7, COND, {"GravNetConv", "GlobalExchange", "Condensation"}),
    "gravnet_fpl26": (64, 4, ["y"], {"GravNetConv"}),
    "plain_gravnet": (32, 5, COND, {"GravNetConv", "GlobalExchange", "Condensation"}),
}

warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)


def random_events(rng, B, N, F, p=None):
    """x, valid with: event 0 empty, event 1 full, event 2 one vertex, event 3
    two vertices, event 4 duplicated vertices, the rest random occupancy."""
    x = rng.normal(0, 0.5, (B, N, F)).astype(np.float32)
    valid = (rng.uniform(size=(B, N)) < (p if p is not None else rng.uniform(0.1, 0.9, (B, 1))))
    valid = valid.astype(np.float32)
    valid[0] = 0
    valid[1] = 1
    if B > 2:
        valid[2] = 0
        valid[2, N - 1] = 1
    if B > 3:
        valid[3] = 0
        valid[3, [2, 5]] = 1
    if B > 4:
        valid[4] = 1
        x[4, N - 1] = x[4, 2]
        x[4, N - 2] = x[4, 2]
        x[4, 3] = x[4, 0]
    x *= valid[..., None]
    return x, valid


def state(conv):
    return {k: v.detach().numpy() for k, v in conv.state_dict().items()}


class TestGravNetConv(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.rng = np.random.default_rng(0)

    def _compare(self, conv, x, valid):
        with torch.no_grad():
            got = conv(torch.from_numpy(x), torch.from_numpy(valid)).numpy()
        want = ref.gravnet(x, valid, state(conv), conv.k, conv.exponent, conv.include_self,
                           conv.distance)
        np.testing.assert_allclose(got, want, atol=2e-6, rtol=1e-5)
        self.assertTrue(np.all(got[valid < 0.5] == 0))
        return got

    def test_against_reference(self):
        x, valid = random_events(self.rng, 8, 12, 5)
        for distance in ("l2", "l1"):
            for include_self in (True, False):
                for k in (1, 3, 12, 50):      # 50 > N: every candidate is a neighbour
                    with self.subTest(distance=distance, include_self=include_self, k=k):
                        conv = GravNetConv(5, 4, 3, 6, k=k, include_self=include_self,
                                           distance=distance, exponent=2.0)
                        self._compare(conv, x, valid)

    def test_bool_valid_and_float_valid_agree(self):
        x, valid = random_events(self.rng, 5, 10, 3)
        conv = GravNetConv(3, 2, 2, 2, k=4)
        with torch.no_grad():
            a = conv(torch.from_numpy(x), torch.from_numpy(valid))
            b = conv(torch.from_numpy(x), torch.from_numpy(valid > 0.5))
        torch.testing.assert_close(a, b, atol=0, rtol=0)

    def _neighbour_conv(self, N, k, include_self, distance="l2"):
        """x = [s (2 dims), one-hot(j) (N)]; the output of vertex i is the
        mean over its neighbours of one-hot(j): it shows the neighbour set."""
        conv = GravNetConv(2 + N, N, 2, N, k=k, exponent=0.0, include_self=include_self,
                           distance=distance)
        with torch.no_grad():
            for p in conv.parameters():
                p.zero_()
            conv.lin_s.weight[:, :2] = torch.eye(2)
            conv.lin_h.weight[:, 2:] = torch.eye(N)
            conv.lin_out2.weight[:, :N] = torch.eye(N)
        return conv

    def _neighbours(self, conv, pos, valid):
        N = len(valid)
        x = np.concatenate([pos, np.eye(N)], 1)[None].astype(np.float32)
        v = np.asarray(valid, np.float32)[None]
        y = self._compare(conv, x, v)[0]
        return [sorted(np.nonzero(y[i] > 1e-6)[0].tolist()) if v[0, i] else None for i in range(N)]

    def test_ties_go_to_lower_index(self):
        # vertices 1, 3, 4 share a position; 0 and 5 share another; 2 invalid
        pos = np.array([[1, 1], [0, 0], [0, 0], [0, 0], [0, 0], [1, 1]], np.float32)
        valid = [1, 1, 0, 1, 1, 1]
        nb = self._neighbours(self._neighbour_conv(6, 2, True), pos, valid)
        self.assertEqual(nb, [[0, 5], [1, 3], None, [1, 3], [1, 3], [0, 5]])
        nb = self._neighbours(self._neighbour_conv(6, 2, False), pos, valid)
        self.assertEqual(nb, [[1, 5], [3, 4], None, [1, 4], [1, 3], [0, 1]])
        # l1 with equal Manhattan distances: (0,0) -> (1,0) and (0,1) tie
        pos = np.array([[0, 0], [0, 1], [1, 0], [3, 3]], np.float32)
        nb = self._neighbours(self._neighbour_conv(4, 1, False, "l1"), pos, [1, 1, 1, 1])
        self.assertEqual(nb, [[1], [0], [0], [1]])

    def test_k_larger_than_candidates_and_lonely_vertex(self):
        pos = np.array([[0, 0], [5, 5], [1, 1], [9, 9]], np.float32)
        nb = self._neighbours(self._neighbour_conv(4, 10, True), pos, [1, 1, 1, 0])
        self.assertEqual(nb, [[0, 1, 2]] * 3 + [None])
        # without self a single valid vertex has no neighbours: mean = max = 0
        nb = self._neighbours(self._neighbour_conv(4, 3, False), pos, [0, 1, 0, 0])
        self.assertEqual(nb, [None, [], None, None])

    def test_empty_and_full_events(self):
        conv = GravNetConv(3, 4, 2, 3, k=4)
        x = np.random.default_rng(1).normal(size=(2, 6, 3)).astype(np.float32)
        valid = np.array([[0] * 6, [1] * 6], np.float32)
        y = self._compare(conv, x, valid)
        self.assertTrue(np.all(y[0] == 0))
        self.assertTrue(np.all(y[1] != 0))

    def test_bad_arguments(self):
        for k in (0, -1, 2.5, True, "8"):
            with self.subTest(k=k):
                with self.assertRaisesRegex(ValueError, "k must be a positive integer"):
                    GravNetConv(3, 4, 2, 3, k=k)
        with self.assertRaisesRegex(ValueError, "distance must be one of"):
            GravNetConv(3, 4, 2, 3, k=2, distance="cosine")
        with self.assertRaisesRegex(ValueError, "space_dimensions must be a positive integer"):
            GravNetConv(3, 4, 0, 3, k=2)
        conv = GravNetConv(3, 4, 2, 3, k=2)
        with self.assertRaisesRegex(ValueError, "valid must be"):
            conv(torch.zeros(2, 5, 3), torch.ones(2, 4))
        with self.assertRaisesRegex(ValueError, "k must be a positive integer"):
            gravnet_dense(torch.zeros(1, 2, 3), torch.ones(1, 2), *conv._args(), 0)
        with self.assertRaisesRegex(ValueError, "unknown op"):
            GlobalExchange(("mean", "median"))
        with self.assertRaisesRegex(ValueError, "ops must not be empty"):
            GlobalExchange(())
        with self.assertRaisesRegex(ValueError, "max_clusters must be a positive integer"):
            Condensation(0.1, 1.0, 0)
        with self.assertRaisesRegex(ValueError, "t_d must be positive"):
            Condensation(0.1, 0.0, 3)
        with self.assertRaisesRegex(ValueError, "t_beta must be in"):
            Condensation(1.5, 1.0, 3)

    def test_pyg_state_dict_keys_and_gradients(self):
        conv = GravNetConv(5, 7, 4, 3, k=4)
        self.assertEqual(list(conv.state_dict()), PYG_KEYS)
        self.assertIsNone(conv.lin_out1.bias)
        shapes = {k: tuple(v.shape) for k, v in conv.state_dict().items()}
        self.assertEqual(shapes, {"lin_s.weight": (4, 5), "lin_s.bias": (4,), "lin_h.weight": (3, 5),
                                  "lin_h.bias": (3,), "lin_out1.weight": (7, 5),
                                  "lin_out2.weight": (7, 6), "lin_out2.bias": (7,)})
        x, valid = random_events(self.rng, 4, 8, 5)
        xt = torch.from_numpy(x).requires_grad_()
        conv(xt, torch.from_numpy(valid)).sum().backward()
        self.assertTrue(all(torch.isfinite(p.grad).all() for p in conv.parameters()))
        self.assertTrue(torch.isfinite(xt.grad).all())


class TestGlobalExchange(unittest.TestCase):
    def test_against_reference(self):
        rng = np.random.default_rng(2)
        x, valid = random_events(rng, 7, 9, 3)
        for ops in (("mean",), ("min",), ("max",), ("mean", "min", "max"), ("max", "mean")):
            with self.subTest(ops=ops):
                with torch.no_grad():
                    got = GlobalExchange(ops)(torch.from_numpy(x), torch.from_numpy(valid)).numpy()
                want = ref.global_exchange(x, valid, ops)
                self.assertEqual(got.shape, (7, 9, 3 * (1 + len(ops))))
                np.testing.assert_allclose(got, want, atol=1e-6)
                self.assertTrue(np.all(got[0] == 0))          # empty event
                self.assertTrue(np.all(got[valid < 0.5] == 0))

    def test_values(self):
        x = torch.tensor([[[1.0], [5.0], [-2.0], [100.0]]])
        v = torch.tensor([[1.0, 1.0, 1.0, 0.0]])
        y = global_exchange_dense(x, v, ("mean", "min", "max"))
        torch.testing.assert_close(y[0, 0], torch.tensor([1.0, 4 / 3, -2.0, 5.0]))
        torch.testing.assert_close(y[0, 3], torch.zeros(4))


class TestCondensation(unittest.TestCase):
    def _compare(self, beta, coords, valid, payload, t_beta, t_d, M):
        a, c, n = condensation_dense(*(torch.from_numpy(np.asarray(t, np.float32))
                                       for t in (beta, coords, valid, payload)), t_beta, t_d, M)
        ar, cr, nr = ref.condensation(beta, coords, valid, payload, t_beta, t_d, M)
        self.assertEqual((a.dtype, c.dtype, n.dtype), (torch.int32, torch.float32, torch.int32))
        np.testing.assert_array_equal(a.numpy(), ar)
        np.testing.assert_array_equal(c.numpy(), cr)
        np.testing.assert_array_equal(n.numpy(), nr)
        return a.numpy(), c.numpy(), n.numpy()

    def test_random_against_reference(self):
        rng = np.random.default_rng(3)
        B, N = 30, 20
        _, valid = random_events(rng, B, N, 1)
        beta = rng.uniform(size=(B, N)).astype(np.float32)
        beta[5, [3, 8, 11]] = 0.9            # equal betas: lower index first
        coords = rng.normal(size=(B, N, 2)).astype(np.float32)
        payload = rng.normal(size=(B, N, 3)).astype(np.float32)
        for t_beta, t_d, M in ((0.1, 1.0, 6), (0.5, 0.3, 3), (0.0, 0.5, 1), (0.95, 2.0, 4)):
            with self.subTest(t_beta=t_beta, t_d=t_d, M=M):
                a, c, n = self._compare(beta, coords, valid, payload, t_beta, t_d, M)
                self.assertTrue(np.all(a[valid < 0.5] == -1))
                self.assertTrue(np.all(n <= M))
                self.assertEqual(n[0], 0)

    def test_hand_example(self):
        # five vertices on a line; vertex 4 invalid
        beta = np.array([[0.5, 0.9, 0.2, 0.9, 0.95]], np.float32)
        coords = np.array([[[0.0], [0.4], [3.0], [2.6], [0.0]]], np.float32)
        valid = np.array([[1, 1, 1, 1, 0]], np.float32)
        payload = np.arange(5, dtype=np.float32).reshape(1, 5, 1) * 10
        a, c, n = self._compare(beta, coords, valid, payload, 0.3, 0.5, 5)
        # 1 (beta .9, lower index than 3) takes 0; 3 takes 2; 0 is assigned, 2 below t_beta
        np.testing.assert_array_equal(a, [[0, 0, 1, 1, -1]])
        np.testing.assert_array_equal(n, [2])
        np.testing.assert_allclose(c[0], [[0.9, 10.0], [0.9, 30.0], [0, 0], [0, 0], [0, 0]])
        # max_clusters reached: only the first cluster
        a, c, n = self._compare(beta, coords, valid, payload, 0.3, 0.5, 1)
        np.testing.assert_array_equal(a, [[0, 0, -1, -1, -1]])
        np.testing.assert_array_equal(n, [1])
        # strict "<": vertex 0 at exactly t_d from vertex 1 stays out and becomes
        # the third condensation point; 2 is just beyond t_d of 3 (3.0 - 2.6f > 0.4f)
        a, c, n = self._compare(beta, coords, valid, payload, 0.3, 0.4, 5)
        np.testing.assert_array_equal(a, [[2, 0, -1, 1, -1]])
        np.testing.assert_array_equal(n, [3])

    def test_no_candidates(self):
        beta = np.full((2, 4), 0.05, np.float32)
        a, c, n = self._compare(beta, np.zeros((2, 4, 2)), np.ones((2, 4)), np.ones((2, 4, 1)),
                                0.1, 1.0, 3)
        self.assertTrue(np.all(a == -1) and np.all(c == 0) and np.all(n == 0))


class TestPadding(unittest.TestCase):
    def test_roundtrip_and_errors(self):
        ev = [np.ones((3, 2)), np.zeros((0, 2)), np.arange(8.0).reshape(4, 2)]
        x, valid = pad_events(ev, 5, positions=[None, None, [4, 0, 2, 1]])
        self.assertEqual((x.shape, valid.shape, x.dtype, valid.dtype),
                         ((3, 5, 2), (3, 5), np.float32, np.float32))
        np.testing.assert_array_equal(valid.sum(1), [3, 0, 4])
        np.testing.assert_array_equal(x[2, 4], [0, 1])
        back = unpad_events(x, valid)
        np.testing.assert_array_equal(back[0], ev[0])
        self.assertEqual(len(back[1]), 0)
        with self.assertRaisesRegex(ValueError, "vertices > N"):
            pad_events([np.ones((6, 2))], 5)
        with self.assertRaisesRegex(ValueError, "bad positions"):
            pad_events([np.ones((2, 2))], 5, positions=[[1, 1]])


class TinyNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gx = GlobalExchange(("mean", "max"))
        self.lin = torch.nn.Linear(9, 6)
        self.conv = GravNetConv(6, 5, 2, 4, k=3, exponent=5.0, include_self=False, distance="l1")
        self.beta = torch.nn.Linear(5, 1)
        self.coords = torch.nn.Linear(5, 2)
        self.cond = Condensation(0.4, 0.6, 3)

    def forward(self, x, valid):
        h = torch.nn.functional.elu(self.lin(self.gx(x, valid)))
        h = self.conv(h, valid)
        beta = torch.sigmoid(self.beta(h)).flatten(1)
        return self.cond(beta, self.coords(h), valid, h)


class TestExport(unittest.TestCase):
    def test_tiny_net(self):
        torch.manual_seed(1)
        net = TinyNet().eval()
        with tempfile.TemporaryDirectory() as td:
            p = export_graph_onnx(net, 10, 3, os.path.join(td, "m.onnx"), COND)
            m = onnx.load(p)
        onnx.checker.check_model(m)
        self.assertEqual(sorted((o.domain, o.version) for o in m.opset_import),
                         [("", 13), ("trigo", 1)])
        self.assertEqual([i.name for i in m.graph.input], ["x", "valid"])
        self.assertEqual([o.name for o in m.graph.output], COND)
        self.assertEqual([n.op_type for n in m.graph.node],
                         ["GlobalExchange", "MatMul", "Add", "Elu", "GravNetConv", "MatMul", "Add",
                          "Sigmoid", "Flatten", "MatMul", "Add", "Condensation"])
        nodes = {n.op_type: n for n in m.graph.node}
        attrs = {op: {a.name: onnx.helper.get_attribute_value(a) for a in nodes[op].attribute}
                 for op in ("GravNetConv", "GlobalExchange", "Condensation")}
        self.assertEqual(attrs["GravNetConv"], {"k": 3, "exponent": 5.0, "include_self": 0,
                                                "distance": b"l1"})
        self.assertEqual(attrs["GlobalExchange"], {"ops": [b"mean", b"max"]})
        self.assertEqual(attrs["Condensation"]["max_clusters"], 3)
        self.assertAlmostEqual(attrs["Condensation"]["t_beta"], 0.4, places=6)
        self.assertAlmostEqual(attrs["Condensation"]["t_d"], 0.6, places=6)
        for op in ("GravNetConv", "GlobalExchange", "Condensation"):
            self.assertEqual(nodes[op].domain, "trigo")
        self.assertEqual(list(nodes["GravNetConv"].input),
                         [nodes["Elu"].output[0], "valid"] + [f"conv.{k}" for k in PYG_KEYS])
        self.assertEqual(list(nodes["Condensation"].output), COND)
        inits = {i.name: tuple(i.dims) for i in m.graph.initializer}
        self.assertEqual(inits["conv.lin_s.weight"], (2, 6))
        self.assertEqual(inits["conv.lin_out2.weight"], (5, 8))
        self.assertIn("lin.weight_t", inits)
        self.assertFalse([n for n in inits if n.startswith("onnx::")])
        types = {o.name: (o.type.tensor_type.elem_type,
                          [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim])
                 for o in m.graph.output}
        self.assertEqual(types, {"assign": (onnx.TensorProto.INT32, ["batch", 10]),
                                 "clusters": (onnx.TensorProto.FLOAT, ["batch", 3, 6]),
                                 "n_clusters": (onnx.TensorProto.INT32, ["batch"])})
        # the file reproduces the module (numpy evaluator + loop reference of the trigo ops)
        x, valid = random_events(np.random.default_rng(4), 12, 10, 3)
        with torch.no_grad():
            want = [t.numpy() for t in net(torch.from_numpy(x), torch.from_numpy(valid))]
        got = onnx_numpy.run(m, {"x": x, "valid": valid}, custom_ops=ref.CUSTOM_OPS, dtype=np.float32)
        np.testing.assert_array_equal(got["assign"], want[0])
        np.testing.assert_allclose(got["clusters"], want[1], atol=1e-5)
        np.testing.assert_array_equal(got["n_clusters"], want[2])

    def test_batchnorm_folding(self):
        torch.manual_seed(2)
        net = CDCGNN(n_features=7, k=4, dim1=8, dim2=8, n_blocks=2)
        x, valid = random_events(np.random.default_rng(5), 16, 12, 7, p=0.7)
        net.train()
        with torch.no_grad():
            for _ in range(3):
                net.heads(torch.from_numpy(x), torch.from_numpy(valid))
        net.eval()
        folded = net.fold_batchnorm()
        self.assertFalse([m for m in folded.modules() if isinstance(m, VertexBatchNorm)])
        self.assertTrue([m for m in net.modules() if isinstance(m, VertexBatchNorm)])
        with torch.no_grad():
            a = net.heads(torch.from_numpy(x), torch.from_numpy(valid))
            b = folded.heads(torch.from_numpy(x), torch.from_numpy(valid))
        v = torch.from_numpy(valid) > 0.5
        for p, q in zip(a, b):
            torch.testing.assert_close(p[v], q[v], atol=1e-5, rtol=1e-5)
        with tempfile.TemporaryDirectory() as td:
            m = onnx.load(export_graph_onnx(net, 12, 7, os.path.join(td, "m.onnx"), COND))
        self.assertNotIn("BatchNormalization", [n.op_type for n in m.graph.node])

    def test_model_shapes(self):
        for model, F, outs in ((ECLGNN(), 4, [(3, 64), (3, 6, 4), (3,)]),
                               (CDCGNN(), 7, [(3, 64), (3, 6, 8), (3,)]),
                               (GravNetFPL26(), 4, [(3, 64, 1)])):
            with self.subTest(model=type(model).__name__):
                x, valid = random_events(np.random.default_rng(6), 3, 64, F)
                with torch.no_grad():
                    y = model.eval()(torch.from_numpy(x), torch.from_numpy(valid))
                y = (y,) if isinstance(y, torch.Tensor) else y
                self.assertEqual([tuple(t.shape) for t in y], outs)


class TestPygStateDict(unittest.TestCase):
    DIR = os.path.join(EXAMPLES, "pyg_state_dict")

    def test_load_state_dict_matches_loop_reference(self):
        with open(os.path.join(self.DIR, "hparams.json")) as fh:
            hp = json.load(fh)
        self.assertEqual(hp["state_dict_keys"], PYG_KEYS)
        sd = {k: torch.from_numpy(np.load(os.path.join(self.DIR, f"{k}.npy"))) for k in PYG_KEYS}
        conv = GravNetConv(hp["in_channels"], hp["out_channels"], hp["space_dimensions"],
                           hp["propagate_dimensions"], hp["k"], exponent=hp["exponent"],
                           include_self=bool(hp["include_self"]), distance=hp["distance"])
        conv.load_state_dict(sd)                       # strict: keys and shapes must match
        x = np.load(os.path.join(self.DIR, "x.npy"))
        valid = np.load(os.path.join(self.DIR, "valid.npy"))
        y = np.load(os.path.join(self.DIR, "y.npy"))
        self.assertEqual((x.dtype, valid.dtype, y.dtype), (np.float32,) * 3)
        with torch.no_grad():
            got = conv(torch.from_numpy(x), torch.from_numpy(valid)).numpy()
        np.testing.assert_allclose(got, y, atol=1e-6, rtol=1e-5)
        want = ref.gravnet(x, valid, {k: v.numpy() for k, v in sd.items()}, hp["k"], hp["exponent"],
                           bool(hp["include_self"]), hp["distance"])
        np.testing.assert_array_equal(want, y)        # the fixture is the loop reference's output
        occ = valid.sum(1)
        self.assertIn(0, occ)
        self.assertIn(x.shape[1], occ)
        self.assertTrue(np.any((occ > 0) & (occ < hp["k"])))
        m = onnx.load(os.path.join(self.DIR, "model.onnx"))
        self.assertEqual([i.name for i in m.graph.initializer], PYG_KEYS)
        got = onnx_numpy.run(m, {"x": x, "valid": valid}, custom_ops=ref.CUSTOM_OPS, dtype=np.float32)
        np.testing.assert_array_equal(got["y"], y)


class TestCommittedGraphExamples(unittest.TestCase):
    N_EVAL = 30      # events evaluated through the ONNX file (loop reference is slow)

    def _load(self, name, f):
        p = os.path.join(EXAMPLES, name, f)
        self.assertTrue(os.path.isfile(p), f"missing {p}; run /usr/bin/python3 models/make_graph_examples.py")
        return np.load(p) if f.endswith(".npy") else onnx.load(p)

    def test_files_and_onnx(self):
        for name, (N, F, outs, must) in GRAPH_EXAMPLES.items():
            with self.subTest(example=name):
                x, valid = self._load(name, "x.npy"), self._load(name, "valid.npy")
                B = len(x)
                self.assertEqual((x.dtype, x.shape), (np.float32, (B, N, F)))
                self.assertEqual((valid.dtype, valid.shape), (np.float32, (B, N)))
                self.assertTrue(set(np.unique(valid).tolist()) <= {0.0, 1.0})
                self.assertTrue(np.all(x[valid == 0] == 0))
                occ = valid.sum(1)
                self.assertEqual(occ.min(), 0)
                self.assertEqual(occ.max(), N)
                if name != "plain_gravnet":
                    cx, cv = self._load(name, "calib_x.npy"), self._load(name, "calib_valid.npy")
                    self.assertEqual(cx.shape[1:], (N, F))
                    self.assertEqual(cv.shape, cx.shape[:2])
                    self.assertFalse(np.array_equal(cx[:50], x[:50]))
                    self.assertTrue(os.path.isfile(os.path.join(EXAMPLES, name, "config.yaml")))
                m = self._load(name, "model.onnx")
                onnx.checker.check_model(m)
                self.assertEqual([i.name for i in m.graph.input], ["x", "valid"])
                self.assertEqual([o.name for o in m.graph.output], outs)
                self.assertIn(("trigo", 1), [(o.domain, o.version) for o in m.opset_import])
                ops = [n.op_type for n in m.graph.node]
                sys.stderr.write(f"\n  {name}: {' -> '.join(ops)} ... ")
                self.assertLessEqual(set(ops), GRAPH_ALLOWED_OPS)
                self.assertLessEqual(must, set(ops))
                for n in m.graph.node:
                    self.assertEqual(n.domain, "trigo" if n.op_type in must | {"GlobalExchange"} else "")
                    if n.op_type == "GravNetConv":
                        self.assertEqual(len(n.input), 9)
                        for w in n.input[2:]:
                            self.assertIn(w, {i.name for i in m.graph.initializer})
                y = [self._load(name, f"{o}.npy") for o in outs]
                if outs == COND:
                    a, c, nc = y
                    self.assertEqual((a.dtype, a.shape), (np.int32, (B, N)))
                    self.assertEqual((c.dtype, c.shape[:1]), (np.float32, (B,)))
                    self.assertEqual((nc.dtype, nc.shape), (np.int32, (B,)))
                    self.assertTrue(np.all(a[valid == 0] == -1))
                    self.assertTrue(np.all(a.max(1) == nc - 1))
                    self.assertGreater((nc > 0).mean(), 0.4)
                    self.assertGreater(len(np.unique(nc)), 3)

    def test_ecl_clusters_are_real(self):
        nc = self._load("ecl_gnn", "n_clusters.npy")
        self.assertGreater(((nc >= 1) & (nc <= 6)).mean(), 0.85)
        c = self._load("ecl_gnn", "clusters.npy")
        e = c[..., 1][np.arange(6)[None] < nc[:, None]]   # predicted cluster energies
        self.assertGreater(np.median(e), 0.2)

    def test_onnx_reproduces_outputs(self):
        for name, (N, F, outs, _) in GRAPH_EXAMPLES.items():
            with self.subTest(example=name):
                m = self._load(name, "model.onnx")
                sel = np.r_[0:self.N_EVAL]
                x, valid = self._load(name, "x.npy")[sel], self._load(name, "valid.npy")[sel]
                got = onnx_numpy.run(m, {"x": x, "valid": valid}, custom_ops=ref.CUSTOM_OPS,
                                     dtype=np.float32)
                for o in outs:
                    want = self._load(name, f"{o}.npy")[sel]
                    if want.dtype.kind == "f":
                        np.testing.assert_allclose(got[o], want, atol=1e-4, rtol=0, err_msg=o)
                    else:
                        np.testing.assert_array_equal(got[o], want, err_msg=o)


if __name__ == "__main__":
    unittest.main()
