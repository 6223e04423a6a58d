#!/usr/bin/env python3
"""The smallest QDQ file a chain of Gemm/Relu layers can have, against its fp32 file.

Builds, from an fp32 ONNX model made of Gemm (constant weight and bias) and Relu nodes, the QDQ
int8-static graph with every byte the ONNX standard lets one drop: no node names, one- or
two-character names for every new tensor, no zero point where the default (0) serves, the graph,
producer and original nodes unchanged. Two encodings:
  spec     weights int8 per output channel, bias int32 (scale = input scale × weight scale): what
           ModelGate's int8-static writes, and what ORT's quantize_static(per_channel=True) writes;
  minimal  weights int8 with one scale per tensor, bias left float32: the fewest bytes possible
           while every Gemm still reads a quantized activation and quantized weights.
Each is checked by onnx.checker (full check) and run by ONNX Runtime, and its size printed beside
the fp32 file's. Scales are placeholders (1/127 of the largest magnitude; activations 1/255):
their values do not change the file's size.

Usage: $PY Benchmarks/qdq_size_floor.py Golden/simplenet/model.onnx
"""
import itertools
import os
import string
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def short_names():
    letters = string.ascii_letters
    for length in itertools.count(1):
        for chars in itertools.product(letters, repeat=length):
            yield "".join(chars)


def quantize(model, per_channel, int32_bias):
    graph = model.graph
    initial = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    taken = {t.name for t in graph.initializer} | {v.name for v in graph.input} | {o for n in graph.node for o in n.output}
    names = (name for name in short_names() if name not in taken)
    nodes, initializers = [], []
    activation_scales = {}

    def constant(array):
        name = next(names)
        initializers.append(numpy_helper.from_array(array, name))
        return name

    def quantized_activation(value, after_relu):
        scale = constant(np.array(1 / 255, dtype=np.float32))
        inputs = [scale] if after_relu else [scale, constant(np.array(128, dtype=np.uint8))]
        q, dq = next(names), next(names)
        nodes.append(helper.make_node("QuantizeLinear", [value] + inputs, [q]))
        nodes.append(helper.make_node("DequantizeLinear", [q] + inputs, [dq]))
        activation_scales[dq] = np.float32(1 / 255)
        return dq

    relu_outputs = {n.output[0] for n in graph.node if n.op_type == "Relu"}
    for node in graph.node:
        if node.op_type != "Gemm":
            nodes.append(node)
            continue
        weight, bias = initial[node.input[1]], initial[node.input[2]]
        activation = quantized_activation(node.input[0], node.input[0] in relu_outputs)
        transposed = any(a.name == "transB" and a.i == 1 for a in node.attribute)
        channel_axis = 0 if transposed else 1
        magnitude = np.abs(weight).max(axis=1 - channel_axis) if per_channel else np.abs(weight).max()
        weight_scale = (np.maximum(magnitude, 1e-8) / 127).astype(np.float32)
        shaped = np.expand_dims(weight_scale, 1 - channel_axis) if per_channel else weight_scale
        q_weight = np.clip(np.round(weight / shaped), -127, 127).astype(np.int8)
        w_inputs = [constant(q_weight), constant(weight_scale)]
        w = next(names)
        axis = [helper.make_attribute("axis", channel_axis)] if per_channel else []
        w_node = helper.make_node("DequantizeLinear", w_inputs, [w])
        w_node.attribute.extend(axis)
        nodes.append(w_node)
        if int32_bias:
            bias_scale = (activation_scales[activation] * weight_scale).astype(np.float32)
            q_bias = np.round(bias / bias_scale).astype(np.int32)
            b = next(names)
            b_node = helper.make_node("DequantizeLinear", [constant(q_bias), constant(np.atleast_1d(bias_scale))], [b])
            if per_channel:
                b_node.attribute.extend([helper.make_attribute("axis", 0)])
            nodes.append(b_node)
        else:
            b = constant(bias)
        gemm = onnx.NodeProto()
        gemm.CopyFrom(node)
        gemm.input[:] = [activation, w, b]
        nodes.append(gemm)
    result = onnx.ModelProto()
    result.CopyFrom(model)
    del result.graph.node[:]
    result.graph.node.extend(nodes)
    del result.graph.initializer[:]
    result.graph.initializer.extend(initializers)
    return result


def main():
    path = sys.argv[1]
    model = onnx.load(path)
    ops = {n.op_type for n in model.graph.node}
    if not ops <= {"Gemm", "Relu"}:
        sys.exit(f"{path}: only Gemm/Relu chains are supported, found {sorted(ops - {'Gemm', 'Relu'})}")
    feeds = {}
    for value in model.graph.input:
        dims = [d.dim_value if d.dim_value > 0 else 1 for d in value.type.tensor_type.shape.dim]
        feeds[value.name] = np.random.default_rng(0).standard_normal(dims).astype(np.float32)
    print(f"{'encoding':10} {'bytes':>6} {'vs fp32':>8}")
    print(f"{'fp32':10} {os.path.getsize(path):6d} {1:8.3f}")
    for label, per_channel, int32_bias in [("spec", True, True), ("minimal", False, False)]:
        quantized = quantize(model, per_channel, int32_bias)
        onnx.checker.check_model(quantized, full_check=True)
        ort.InferenceSession(quantized.SerializeToString()).run(None, feeds)
        size = quantized.ByteSize()
        print(f"{label:10} {size:6d} {size / os.path.getsize(path):8.3f}")


if __name__ == "__main__":
    main()
