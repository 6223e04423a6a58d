"""Classic conversion bugs injected into a correct ONNX model, one kind at a time: the external paths
of the mutation benchmark (`Benchmarks/mutations.sh`).

Usage:
    $PY Benchmarks/mutate_onnx.py KIND INPUT.onnx OUTPUT.onnx   write INPUT with bug KIND to OUTPUT
    $PY Benchmarks/mutate_onnx.py --sites INPUT.onnx            JSON: kind -> number of places it changes

A kind applies to a model when it changes at least one place of the graph (`--sites` > 0); the
benchmark lists a kind for a model only then. Each kind is the mistake a converter makes, applied
everywhere the converter would make it:

- `mut-none`: the control. The model is read and written back unchanged.
- `mut-bn-eps`: the BatchNormalization epsilon taken from the other framework, on every
  BatchNormalization node: an epsilon below 1e-4 (PyTorch's 1e-5, Keras ResNet/DenseNet's 1.001e-5)
  becomes Keras's default 1e-3, any other (Keras's 1e-3) becomes PyTorch's 1e-5. A BatchNormalization
  already folded into its convolution (torchvision exports) leaves nothing to change: not applicable.
- `mut-ln-eps`: the same for every LayerNormalization node: an epsilon of 1e-5 (PyTorch and ONNX's
  default, GPT-2, Swin) becomes 1e-6 (ViT, ConvNeXt), any other (1e-6, BERT's 1e-12) becomes 1e-5.
  Normalizations written out as ReduceMean/Sqrt/Div (T5's RMS norm) are not changed.
- `mut-channel-scale`: in the first Conv, Gemm or MatMul of the graph (node order) whose weight is a
  float constant with at least two output channels, the output channel of largest L2 norm is
  multiplied by 1.02 (Conv: axis 0 of the OIHW weight; Gemm: axis 0 with transB=1, else 1; MatMul:
  the last axis of B).
- `mut-kernel-hw`: every Conv whose constant weight has a square spatial kernel k×k with k ≥ 2
  (3×3 depthwise and full convolutions, 5×5, 7×7, patch embeddings) has its kernel read with H and W
  swapped (weight transposed on its last two axes), as a converter mixing up HWIO and WHIO does.
  Non-square kernels would not load that way, so a converter fails on them instead.
- `mut-same-pads`: SAME padding split the other way: every Conv, MaxPool and AveragePool whose
  explicit `pads` differ between the begin and the end of a spatial axis (TensorFlow's SAME at stride
  2 on an even size pads one more at the end) gets the two swapped, and auto_pad SAME_UPPER becomes
  SAME_LOWER and back. Explicit Pad nodes (Keras ZeroPadding2D) are the model's own and not changed.
- `mut-drop-bias`: the bias dropped: every Conv and Gemm with a bias that is not all zeros loses its
  bias input, and every Add of a 1-D constant that is not all zeros to a MatMul result (a dense
  layer written as MatMul + Add) adds zeros instead.
- `mut-leaky-relu`: every Relu written as LeakyRelu, with the alpha of the source framework's own
  leaky ReLU: 0.2 (`tf.nn.leaky_relu`) for Keras and TFLite sources, 0.01 (`torch.nn.LeakyReLU`,
  ONNX's default) for the others. `--framework keras|torch` chooses; the default is read from the
  model's producer name (`modelgate` conversions are Keras or TFLite sources).
- `mut-resize-mode`: every Resize's coordinate_transformation_mode confused: half_pixel and
  pytorch_half_pixel become asymmetric (TensorFlow 1's resize without half_pixel_centers), asymmetric
  and align_corners become half_pixel.
- `mut-gelu-tanh`: exact GELU replaced by its tanh approximation: every Erf whose input is x / √2
  (Div by √2 or Mul by 1/√2, the exact GELU 0.5·x·(1 + erf(x/√2)) as exporters write it) becomes
  tanh(√(2/π)·(t + 0.044715·t³)) with t = √2·(its input), which turns the whole expression into
  0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); every Gelu node (opset 20) gets approximate="tanh".

New tensors get fresh names; a constant shared with other nodes is copied, never changed in place.
"""
import argparse
import json
import math
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

BN_EPS_SMALL, BN_EPS_KERAS, BN_EPS_TORCH = 1e-4, 1e-3, 1e-5
LN_EPS_TORCH, LN_EPS_OTHER = 1e-5, 1e-6
CHANNEL_FACTOR = 1.02
LEAKY_ALPHA = {"keras": 0.2, "torch": 0.01}
SQRT2 = math.sqrt(2.0)


class Graph:
    """Constant lookup and fresh names over one ONNX graph (the main graph; subgraphs are left alone)."""

    def __init__(self, model):
        self.model = model
        self.graph = model.graph
        self.initializers = {t.name: t for t in self.graph.initializer}
        self.constant_nodes = {}
        for node in self.graph.node:
            if node.op_type == "Constant":
                for attribute in node.attribute:
                    if attribute.name == "value":
                        self.constant_nodes[node.output[0]] = attribute.t
        self.producers = {name: node for node in self.graph.node for name in node.output}
        self.readers = {}
        for node in self.graph.node:
            for name in node.input:
                self.readers[name] = self.readers.get(name, 0) + 1
        self.names = {name for node in self.graph.node for name in list(node.input) + list(node.output)}
        self.names |= set(self.initializers)
        self.counter = 0

    def constant(self, name):
        """The value of `name` when it is an initializer or a Constant node's output, else None."""
        tensor = self.initializers.get(name) or self.constant_nodes.get(name)
        return None if tensor is None else numpy_helper.to_array(tensor)

    def fresh(self, base):
        while True:
            self.counter += 1
            name = f"{base}_mut{self.counter}"
            if name not in self.names:
                self.names.add(name)
                return name

    def add_constant(self, base, array):
        """A new initializer holding `array`; returns its name."""
        name = self.fresh(base)
        self.graph.initializer.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def replace_input(self, node, index, array):
        """Points input `index` of `node` at a new initializer holding `array` (others keep the old)."""
        node.input[index] = self.add_constant(node.input[index] or "value", array)


def attribute(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def set_attribute(node, name, value):
    for i, a in enumerate(node.attribute):
        if a.name == name:
            del node.attribute[i]
            break
    node.attribute.append(helper.make_attribute(name, value))


def is_float(array):
    return array is not None and array.dtype in (np.float32, np.float64, np.float16)


# Each kind: function(graph, options, apply) -> number of sites; changes the graph only when apply.

def bn_eps(g, options, apply):
    sites = 0
    for node in g.graph.node:
        if node.op_type == "BatchNormalization":
            eps = attribute(node, "epsilon", 1e-5)
            sites += 1
            if apply:
                set_attribute(node, "epsilon", BN_EPS_KERAS if eps < BN_EPS_SMALL else BN_EPS_TORCH)
    return sites


def ln_eps(g, options, apply):
    sites = 0
    for node in g.graph.node:
        if node.op_type == "LayerNormalization":
            eps = attribute(node, "epsilon", 1e-5)
            sites += 1
            if apply:
                set_attribute(node, "epsilon", LN_EPS_OTHER if abs(eps - LN_EPS_TORCH) < 1e-3 * LN_EPS_TORCH else LN_EPS_TORCH)
    return sites


def weighted_output_axis(g, node):
    """(weight input index, output channel axis) of a Conv/Gemm/MatMul with a float constant weight."""
    if node.op_type == "Conv":
        return 1, 0
    if node.op_type == "Gemm":
        return 1, 0 if attribute(node, "transB", 0) else 1
    if node.op_type == "MatMul":
        return 1, -1
    return None


def channel_scale(g, options, apply):
    for node in g.graph.node:
        found = weighted_output_axis(g, node)
        if found is None or len(node.input) <= found[0]:
            continue
        index, axis = found
        weight = g.constant(node.input[index])
        if not is_float(weight) or weight.ndim < 2 or weight.shape[axis] < 2:
            continue
        if apply:
            moved = np.moveaxis(weight.astype(np.float64), axis, 0).reshape(weight.shape[axis], -1)
            channel = int(np.argmax(np.linalg.norm(moved, axis=1)))
            scaled = np.array(weight, copy=True)
            view = np.moveaxis(scaled, axis, 0)
            view[channel] = (view[channel].astype(np.float64) * CHANNEL_FACTOR).astype(weight.dtype)
            g.replace_input(node, index, scaled)
        return 1
    return 0


def kernel_hw(g, options, apply):
    sites = 0
    for node in g.graph.node:
        if node.op_type != "Conv" or len(node.input) < 2:
            continue
        weight = g.constant(node.input[1])
        if not is_float(weight) or weight.ndim != 4 or weight.shape[2] != weight.shape[3] or weight.shape[2] < 2:
            continue
        swapped = np.ascontiguousarray(np.swapaxes(weight, 2, 3))
        if np.array_equal(swapped, weight):
            continue
        sites += 1
        if apply:
            g.replace_input(node, 1, swapped)
    return sites


def same_pads(g, options, apply):
    sites = 0
    for node in g.graph.node:
        if node.op_type not in ("Conv", "MaxPool", "AveragePool"):
            continue
        auto_pad = attribute(node, "auto_pad", b"NOTSET")
        auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            sites += 1
            if apply:
                set_attribute(node, "auto_pad", "SAME_LOWER" if auto_pad == "SAME_UPPER" else "SAME_UPPER")
            continue
        pads = attribute(node, "pads")
        if not pads:
            continue
        half = len(pads) // 2
        if all(pads[i] == pads[i + half] for i in range(half)):
            continue
        sites += 1
        if apply:
            set_attribute(node, "pads", list(pads[half:]) + list(pads[:half]))
    return sites


def drop_bias(g, options, apply):
    sites = 0
    for node in g.graph.node:
        if node.op_type in ("Conv", "Gemm") and len(node.input) > 2 and node.input[2]:
            bias = g.constant(node.input[2])
            if bias is None or not np.any(bias != 0):
                continue
            sites += 1
            if apply:
                del node.input[2]
        elif node.op_type == "Add":
            for own, other in ((0, 1), (1, 0)):
                producer = g.producers.get(node.input[own])
                bias = g.constant(node.input[other])
                if producer is not None and producer.op_type == "MatMul" and is_float(bias) and bias.ndim == 1 and np.any(bias != 0):
                    sites += 1
                    if apply:
                        g.replace_input(node, other, np.zeros_like(bias))
                    break
    return sites


def source_framework(model):
    return "keras" if model.producer_name.lower().startswith(("modelgate", "keras", "tf", "tensorflow")) else "torch"


def leaky_relu(g, options, apply):
    alpha = LEAKY_ALPHA[options.framework or source_framework(g.model)]
    sites = 0
    for node in g.graph.node:
        if node.op_type == "Relu":
            sites += 1
            if apply:
                node.op_type = "LeakyRelu"
                set_attribute(node, "alpha", float(alpha))
    return sites


RESIZE_CONFUSED = {"half_pixel": "asymmetric", "pytorch_half_pixel": "asymmetric",
                   "asymmetric": "half_pixel", "align_corners": "half_pixel"}


def resize_mode(g, options, apply):
    sites = 0
    for node in g.graph.node:
        if node.op_type != "Resize":
            continue
        mode = attribute(node, "coordinate_transformation_mode", b"half_pixel")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        if mode not in RESIZE_CONFUSED:
            continue
        sites += 1
        if apply:
            set_attribute(node, "coordinate_transformation_mode", RESIZE_CONFUSED[mode])
    return sites


def gelu_input_is_scaled(g, node):
    """Whether the Erf `node` reads x / √2 (a Div by √2 or a Mul by 1/√2 with a constant)."""
    producer = g.producers.get(node.input[0])
    if producer is None or producer.op_type not in ("Div", "Mul") or len(producer.input) != 2:
        return False
    for i in (0, 1):
        if producer.op_type == "Div" and i == 0:
            continue
        value = g.constant(producer.input[i])
        if value is None or value.size != 1:
            continue
        c = float(value.reshape(-1)[0])
        target = SQRT2 if producer.op_type == "Div" else 1.0 / SQRT2
        if abs(c - target) < 1e-4 * target:
            return True
    return False


def gelu_tanh(g, options, apply):
    sites = 0
    nodes = list(g.graph.node)
    rebuilt = []
    for node in nodes:
        if node.op_type == "Gelu" and attribute(node, "approximate", b"none") in (b"none", "none"):
            sites += 1
            if apply:
                set_attribute(node, "approximate", "tanh")
            rebuilt.append(node)
        elif node.op_type == "Erf" and gelu_input_is_scaled(g, node):
            sites += 1
            if not apply:
                rebuilt.append(node)
                continue
            z, out = node.input[0], node.output[0]
            dtype = np.float32
            constant = lambda base, v: g.add_constant(base, np.array(v, dtype=dtype))
            t, t2, t3, a, u, v = (g.fresh(out + "_" + s) for s in ("t", "t2", "t3", "a", "u", "v"))
            rebuilt += [
                helper.make_node("Mul", [z, constant("sqrt2", SQRT2)], [t], name=g.fresh("gelu_tanh_t")),
                helper.make_node("Mul", [t, t], [t2], name=g.fresh("gelu_tanh_t2")),
                helper.make_node("Mul", [t2, t], [t3], name=g.fresh("gelu_tanh_t3")),
                helper.make_node("Mul", [t3, constant("gelu_c", 0.044715)], [a], name=g.fresh("gelu_tanh_a")),
                helper.make_node("Add", [t, a], [u], name=g.fresh("gelu_tanh_u")),
                helper.make_node("Mul", [u, constant("sqrt_2_over_pi", math.sqrt(2.0 / math.pi))], [v], name=g.fresh("gelu_tanh_v")),
                helper.make_node("Tanh", [v], [out], name=node.name or g.fresh("gelu_tanh")),
            ]
        else:
            rebuilt.append(node)
    if apply and sites:
        del g.graph.node[:]
        g.graph.node.extend(rebuilt)
    return sites


def none(g, options, apply):
    return 1


KINDS = {
    "mut-none": none,
    "mut-bn-eps": bn_eps,
    "mut-ln-eps": ln_eps,
    "mut-channel-scale": channel_scale,
    "mut-kernel-hw": kernel_hw,
    "mut-same-pads": same_pads,
    "mut-drop-bias": drop_bias,
    "mut-leaky-relu": leaky_relu,
    "mut-resize-mode": resize_mode,
    "mut-gelu-tanh": gelu_tanh,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", action="store_true", help="print the number of sites of every kind as JSON")
    parser.add_argument("--framework", choices=sorted(LEAKY_ALPHA), help="the source framework (leaky ReLU alpha)")
    parser.add_argument("arguments", nargs="+", help="KIND INPUT OUTPUT, or INPUT with --sites")
    options = parser.parse_args()
    if options.sites:
        if len(options.arguments) != 1:
            parser.error("--sites takes one model file")
        model = onnx.load(options.arguments[0])
        print(json.dumps({kind: function(Graph(model), options, False) for kind, function in KINDS.items()}))
        return 0
    if len(options.arguments) != 3:
        parser.error("expected KIND INPUT OUTPUT")
    kind, source, target = options.arguments
    if kind not in KINDS:
        parser.error(f"unknown kind '{kind}'; known: {', '.join(KINDS)}")
    model = onnx.load(source)
    sites = KINDS[kind](Graph(model), options, True)
    if sites == 0:
        print(f"{source}: {kind} does not apply to this model (nothing to change)", file=sys.stderr)
        return 1
    onnx.save(model, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
