"""Judges ONNX round trips with the onnx Python package, independently of ModelGate's own reader.

Usage: python Tools/onnx_roundtrip_compare.py PAIRS_FILE
PAIRS_FILE has one "ORIGINAL<TAB>ROUNDTRIP" pair of model paths per line. For each pair one JSON
line is printed:
  {"original": ..., "original_valid": bool, "roundtrip_valid": bool, "error": str,
   "same_nodes": bool, "same_initializers": bool, "detail": str}
Validity is onnx.checker.check_model(full_check=True). Nodes are compared field by field (names,
op types, domains, inputs, outputs, attribute values, subgraphs recursively); initializers by
name, element type, shape and the bytes of their numpy arrays.
"""
import json
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def check(path):
    try:
        onnx.checker.check_model(path, full_check=True)
        return True, ""
    except Exception as error:
        text = str(error).strip()
        return False, text.splitlines()[0] if text else type(error).__name__


def tensor_key(tensor):
    array = numpy_helper.to_array(tensor)
    return (tensor.name, tensor.data_type, tuple(tensor.dims), np.ascontiguousarray(array).tobytes()
            if array.dtype != object else tuple(array.ravel().tolist()))


def value_key(value):
    if isinstance(value, onnx.TensorProto):
        return ("tensor",) + tensor_key(value)
    if isinstance(value, onnx.GraphProto):
        return ("graph", graph_key(value))
    if isinstance(value, onnx.SparseTensorProto):
        return ("sparse", tensor_key(value.values), tensor_key(value.indices), tuple(value.dims))
    if isinstance(value, onnx.TypeProto):
        return ("type", value.SerializeToString())
    if isinstance(value, list):
        return tuple(value_key(item) for item in value)
    if isinstance(value, float) and value != value:
        return ("nan",)
    return value


def node_key(node):
    attributes = tuple(sorted((a.name, a.ref_attr_name, value_key(helper.get_attribute_value(a)))
                              for a in node.attribute)) if node.attribute else ()
    return (node.name, node.op_type, node.domain, tuple(node.input), tuple(node.output), attributes)


def graph_key(graph):
    return (tuple(node_key(node) for node in graph.node),
            tuple(tensor_key(tensor) for tensor in graph.initializer))


def compare(original_path, roundtrip_path):
    original_valid, _ = check(original_path)
    roundtrip_valid, error = check(roundtrip_path)
    result = {"original": original_path, "original_valid": original_valid, "roundtrip_valid": roundtrip_valid,
              "error": error, "same_nodes": False, "same_initializers": False, "detail": ""}
    try:
        original = onnx.load(original_path)
        roundtrip = onnx.load(roundtrip_path)
        original_nodes = [node_key(node) for node in original.graph.node]
        roundtrip_nodes = [node_key(node) for node in roundtrip.graph.node]
        result["same_nodes"] = original_nodes == roundtrip_nodes
        if not result["same_nodes"]:
            for index, (a, b) in enumerate(zip(original_nodes, roundtrip_nodes)):
                if a != b:
                    result["detail"] = f"node {index} differs: {a[:5]} vs {b[:5]}"
                    break
            else:
                result["detail"] = f"node counts {len(original_nodes)} vs {len(roundtrip_nodes)}"
        result["same_initializers"] = ([tensor_key(t) for t in original.graph.initializer]
                                       == [tensor_key(t) for t in roundtrip.graph.initializer])
    except Exception as error:
        result["detail"] = f"{type(error).__name__}: {error}"
    return result


def main():
    with open(sys.argv[1]) as handle:
        pairs = [line.rstrip("\n").split("\t") for line in handle if line.strip()]
    for original, roundtrip in pairs:
        sys.stdout.write(json.dumps(compare(original, roundtrip)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
