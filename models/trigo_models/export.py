"""Export a PyTorch model to ONNX following trigo's conventions.

Conventions:
  * the first dimension of every input and output is the event (batch) axis
    and is exported as a symbolic dimension named ``batch``;
  * the model is exported in eval mode (BatchNorm uses running statistics and
    is folded into the preceding Conv where PyTorch can), with constant
    folding enabled;
  * default opset 13.
"""

from typing import Sequence, Union
import os

import torch

BATCH_DIM_NAME = "batch"


def export_onnx(
    model: torch.nn.Module,
    example_input: Union[torch.Tensor, Sequence[torch.Tensor]],
    path: Union[str, os.PathLike],
    opset: int = 13,
    input_names: Sequence[str] = ("input",),
    output_names: Sequence[str] = ("output",),
) -> str:
    """Write ``model`` to ``path`` as ONNX and return the path.

    ``example_input`` is a tensor (or a tuple of tensors for multi-input
    models) with the event axis first; its batch size is irrelevant because
    dim 0 of every input/output is exported as the dynamic axis ``batch``.
    The model is put in eval mode (and left in eval mode).
    """
    path = os.fspath(path)
    input_names = list(input_names)
    output_names = list(output_names)
    if isinstance(example_input, torch.Tensor):
        args = (example_input,)
    else:
        args = tuple(example_input)
    if len(args) != len(input_names):
        raise ValueError(
            f"{len(args)} example inputs but {len(input_names)} input names")
    dynamic_axes = {name: {0: BATCH_DIM_NAME}
                    for name in input_names + output_names}
    model.eval()
    with torch.no_grad():
        torch.onnx.export(
            model,
            args,
            path,
            export_params=True,
            opset_version=opset,
            do_constant_folding=True,
            input_names=input_names,
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            training=torch.onnx.TrainingMode.EVAL,
        )
    return path
