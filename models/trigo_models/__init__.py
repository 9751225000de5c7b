"""trigo_models: reference PyTorch models and ONNX export helpers for trigo.

trigo (the Go FPGA neural-network compiler in this repository) imports ONNX.
This package holds the project's own example networks, a thin wrapper around
``torch.onnx.export`` that applies trigo's conventions, and a tiny numpy
evaluator for the ONNX subset used by the examples (for golden-value checks
without onnxruntime), and graph networks on padded events (GravNet, global
exchange, object condensation) exported as custom ``trigo``-domain ONNX nodes.

Run everything with Debian's interpreter: ``/usr/bin/python3``.
"""

from .mlp import JetTagger
from .cnn import SmallCNN
from .export import export_onnx
from .graph import (GravNetConv, GlobalExchange, Condensation, VertexBatchNorm,
                    pad_events, unpad_events, export_graph_onnx)
from .graph_models import ECLGNN, CDCGNN, GravNetFPL26, object_condensation_loss

__all__ = ["JetTagger", "SmallCNN", "export_onnx",
           "GravNetConv", "GlobalExchange", "Condensation", "VertexBatchNorm",
           "pad_events", "unpad_events", "export_graph_onnx",
           "ECLGNN", "CDCGNN", "GravNetFPL26", "object_condensation_loss"]
