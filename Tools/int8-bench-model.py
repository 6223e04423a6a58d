#!/usr/bin/env python3
"""Makes an ONNX model ready for `modelgate optimize --path int8-static`: opset 13 or later, IR version 7 or later.

Usage: Tools/int8-bench-model.py IN.onnx OUT.onnx

The light models of the ONNX backend suite are opset 9 (no QuantizeLinear) and make their weights
with ConstantOfShape from a stored shape. This converts the model with onnx.version_converter to
opset 13 (a model at 13 or later keeps its opset), replaces every ConstantOfShape whose shape is an initializer by an initializer holding
the same tensor (so the weights are initializers the quantizer can store as int8), raises the IR version to 7
and drops initializers from the graph inputs (they are constants, not inputs, from IR version 4 on).
The computed function is unchanged.
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper, version_converter


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    model = onnx.load(sys.argv[1])
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 1)
    if opset < 13:
        model = version_converter.convert_version(model, 13)
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    constant_names = set(initializers)
    kept = []
    for node in graph.node:
        if node.op_type == "ConstantOfShape" and node.input and node.input[0] in initializers:
            shape = numpy_helper.to_array(initializers[node.input[0]]).astype(np.int64)
            value = next((numpy_helper.to_array(a.t) for a in node.attribute if a.name == "value"), np.zeros(1, np.float32))
            graph.initializer.append(numpy_helper.from_array(np.full(shape, value.reshape(-1)[0], dtype=value.dtype), node.output[0]))
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)
    used = {name for node in graph.node for name in node.input} | {output.name for output in graph.output}
    live = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend(live)
    inputs = [value for value in graph.input if value.name not in constant_names]
    del graph.input[:]
    graph.input.extend(inputs)
    model.ir_version = max(model.ir_version, 7)
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])


if __name__ == "__main__":
    main()
