"""Runs onnx.shape_inference.infer_shapes on ONNX files and prints the inferred value_info as JSON lines.

Usage: python Tools/onnx_infer_shapes.py [--list FILE] [MODEL ...]
Each line is {"path": ..., "values": {name: {"elem_type": 1, "shape": [1, "N", null] or null}}} for the
main graph's value_info after inference (null dimension: unknown; string: symbolic), or
{"path": ..., "error": "..."} when inference fails. The Swift tests compare ModelGate's own shape
inference with it.
"""

import onnx

import model_list


def dimension(dim):
    if dim.HasField("dim_value"):
        return dim.dim_value
    if dim.HasField("dim_param"):
        return dim.dim_param
    return None


def values(path):
    try:
        model = onnx.shape_inference.infer_shapes(onnx.load(path), check_type=False, strict_mode=False)
    except Exception as error:  # inference raises several exception types
        return {"path": path, "error": str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__}
    result = {}
    for info in model.graph.value_info:
        if info.type.WhichOneof("value") != "tensor_type":
            continue
        tensor = info.type.tensor_type
        shape = [dimension(d) for d in tensor.shape.dim] if tensor.HasField("shape") else None
        result[info.name] = {"elem_type": tensor.elem_type, "shape": shape}
    return {"path": path, "values": result}


if __name__ == "__main__":
    model_list.run(values)
