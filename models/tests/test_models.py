#!/usr/bin/env python3
"""Tests for trigo_models and the committed example models.

Run (Debian's interpreter has torch/onnx/numpy):

    cd /work/main/models && /usr/bin/python3 -m unittest discover -s tests -v
"""

import os
import sys
import tempfile
import unittest

import numpy as np
import onnx
import torch

MODELS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS_DIR)

from trigo_models import JetTagger, SmallCNN, export_onnx  # noqa: E402
from trigo_models import data, onnx_numpy  # noqa: E402

EXAMPLES = os.path.join(MODELS_DIR, "examples")

# name -> (per-event input shape, number of classes)
EXAMPLE_SPECS = {
    "jet_tagger": ((16,), 5),
    "small_cnn": ((1, 8, 8), 3),
}

ALLOWED_OPS = {
    "Gemm", "MatMul", "Add", "Relu", "Softmax", "Conv", "MaxPool",
    "BatchNormalization", "Flatten", "Reshape", "Constant", "Shape",
    "Gather", "Unsqueeze", "Concat", "Identity",
}


def _dims(value_info):
    return list(value_info.type.tensor_type.shape.dim)


def _first_dim_is_dynamic(value_info):
    d0 = _dims(value_info)[0]
    return d0.HasField("dim_param") and d0.dim_param != "" and not d0.HasField("dim_value")


class TestModules(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)

    def _check_probs(self, y, n, k):
        self.assertEqual(tuple(y.shape), (n, k))
        self.assertTrue(torch.all(y >= 0))
        torch.testing.assert_close(y.sum(dim=1), torch.ones(n), atol=1e-5, rtol=0)

    def test_jet_tagger_forward(self):
        m = JetTagger().eval()
        with torch.no_grad():
            y = m(torch.randn(7, 16))
        self._check_probs(y, 7, 5)
        self.assertEqual(sum(p.numel() for p in m.parameters()),
                         16 * 64 + 64 + 64 * 32 + 32 + 32 * 32 + 32 + 32 * 5 + 5)

    def test_small_cnn_forward(self):
        m = SmallCNN().eval()
        with torch.no_grad():
            y = m(torch.randn(7, 1, 8, 8))
            self.assertEqual(tuple(m.features(torch.randn(2, 1, 8, 8)).shape), (2, 32))
        self._check_probs(y, 7, 3)

    def test_logits_match_softmax(self):
        m = JetTagger().eval()
        x = torch.randn(4, 16)
        with torch.no_grad():
            torch.testing.assert_close(m(x), torch.softmax(m.logits(x), dim=1))


class TestExport(unittest.TestCase):
    def _export(self, model, example, names=("inp",), outs=("out",)):
        with tempfile.TemporaryDirectory() as td:
            path = export_onnx(model, example, os.path.join(td, "m.onnx"),
                               input_names=names, output_names=outs)
            m = onnx.load(path)
        onnx.checker.check_model(m)
        return m

    def test_export_dynamic_batch(self):
        for model, example, k in ((JetTagger(), torch.randn(3, 16), 5),
                                  (SmallCNN(), torch.randn(3, 1, 8, 8), 3)):
            with self.subTest(model=type(model).__name__):
                model.train()  # export_onnx must switch to eval itself
                m = self._export(model, example)
                self.assertFalse(model.training)
                self.assertEqual(m.opset_import[0].version, 13)
                self.assertEqual([i.name for i in m.graph.input], ["inp"])
                self.assertEqual([o.name for o in m.graph.output], ["out"])
                self.assertTrue(_first_dim_is_dynamic(m.graph.input[0]))
                self.assertTrue(_first_dim_is_dynamic(m.graph.output[0]))
                self.assertEqual([d.dim_value for d in _dims(m.graph.input[0])[1:]],
                                 list(example.shape[1:]))
                self.assertEqual(_dims(m.graph.output[0])[1].dim_value, k)
                # the exported file must reproduce the module (eval mode)
                x = torch.randn(5, *example.shape[1:])
                with torch.no_grad():
                    want = model(x).numpy()
                got = onnx_numpy.run(m, {"inp": x.numpy()})["out"]
                np.testing.assert_allclose(got, want, atol=1e-5)

    def test_export_name_count_mismatch(self):
        with tempfile.TemporaryDirectory() as td:
            with self.assertRaises(ValueError):
                export_onnx(JetTagger(), torch.randn(1, 16), os.path.join(td, "m.onnx"),
                            input_names=("a", "b"))


class TestData(unittest.TestCase):
    def test_generators_deterministic(self):
        for gen, shape, k in ((data.jet_events, (16,), 5), (data.shower_images, (1, 8, 8), 3)):
            x1, l1 = gen(50, 123)
            x2, l2 = gen(50, 123)
            x3, _ = gen(50, 124)
            np.testing.assert_array_equal(x1, x2)
            np.testing.assert_array_equal(l1, l2)
            self.assertFalse(np.array_equal(x1, x3))
            self.assertEqual(x1.shape, (50,) + shape)
            self.assertEqual(x1.dtype, np.float32)
            self.assertEqual(l1.dtype, np.int64)
            self.assertTrue(set(l1.tolist()) <= set(range(k)))


class TestCommittedExamples(unittest.TestCase):
    def _load(self, name, f):
        p = os.path.join(EXAMPLES, name, f)
        self.assertTrue(os.path.isfile(p), f"missing {p}; run /usr/bin/python3 models/make_examples.py")
        return np.load(p) if f.endswith(".npy") else onnx.load(p)

    def test_files_shapes_dtypes(self):
        for name, (shape, k) in EXAMPLE_SPECS.items():
            with self.subTest(example=name):
                x = self._load(name, "x.npy")
                y = self._load(name, "y.npy")
                calib = self._load(name, "calib.npy")
                labels = self._load(name, "labels.npy")
                self.assertEqual((x.dtype, x.shape), (np.float32, (1000,) + shape))
                self.assertEqual((y.dtype, y.shape), (np.float32, (1000, k)))
                self.assertEqual((calib.dtype, calib.shape), (np.float32, (2000,) + shape))
                self.assertEqual((labels.dtype, labels.shape), (np.int64, (1000,)))
                self.assertTrue(set(labels.tolist()) <= set(range(k)))
                np.testing.assert_allclose(y.sum(axis=1), 1.0, atol=1e-5)
                self.assertFalse(np.array_equal(x[:100], calib[:100]))
                acc = float((y.argmax(axis=1) == labels).mean())
                self.assertGreater(acc, 0.7, f"{name} accuracy {acc}")

    def test_onnx_ops_and_io(self):
        for name, (shape, k) in EXAMPLE_SPECS.items():
            with self.subTest(example=name):
                m = self._load(name, "model.onnx")
                onnx.checker.check_model(m)
                self.assertEqual([(o.domain, o.version) for o in m.opset_import], [("", 13)])
                self.assertEqual([i.name for i in m.graph.input], ["x"])
                self.assertEqual([o.name for o in m.graph.output], ["y"])
                self.assertTrue(_first_dim_is_dynamic(m.graph.input[0]))
                self.assertEqual([d.dim_value for d in _dims(m.graph.input[0])[1:]], list(shape))
                self.assertEqual(_dims(m.graph.output[0])[1].dim_value, k)
                ops = [n.op_type for n in m.graph.node]
                sys.stderr.write(f"\n  {name}: opset 13, ops in order: {' -> '.join(ops)}"
                                 f"\n  {name}: op types used: {sorted(set(ops))} ... ")
                self.assertLessEqual(set(ops), ALLOWED_OPS)
                self.assertEqual(ops[-1], "Softmax")

    def test_onnx_reproduces_y(self):
        # Evaluate the committed ONNX (weights from its initializers) on x.npy.
        for name in EXAMPLE_SPECS:
            with self.subTest(example=name):
                m = self._load(name, "model.onnx")
                x = self._load(name, "x.npy")
                y = self._load(name, "y.npy")
                got = onnx_numpy.run(m, {"x": x})["y"]
                np.testing.assert_allclose(got, y, atol=1e-5, rtol=0)


if __name__ == "__main__":
    unittest.main()
