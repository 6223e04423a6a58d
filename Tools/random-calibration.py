#!/usr/bin/env python3
"""Writes calibration data for `modelgate optimize --path int8-static` from random inputs.

Usage: Tools/random-calibration.py MODEL.onnx OUT.h5 [--samples N] [--seed S]

For each graph input that is not an initializer, N samples drawn from a standard normal
distribution (float inputs only), with the input's static shape and batch 1 per sample, are
stored under inputs/<name> with the sample count as the first axis. The file's `data` attribute
records how the samples were made.
"""
import argparse

import h5py
import numpy as np
import onnx


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("output")
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    model = onnx.load(args.model, load_external_data=False)
    initializers = {tensor.name for tensor in model.graph.initializer}
    rng = np.random.default_rng(args.seed)
    with h5py.File(args.output, "w") as f:
        group = f.create_group("inputs")
        for value in model.graph.input:
            if value.name in initializers:
                continue
            tensor_type = value.type.tensor_type
            if tensor_type.elem_type != onnx.TensorProto.FLOAT:
                raise SystemExit(f"{args.model}: input {value.name} is not float; give calibration data for it instead")
            dims = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else 1 for d in tensor_type.shape.dim]
            shape = [args.samples] + dims[1:] if dims and dims[0] == 1 else [args.samples] + dims
            group.create_dataset(value.name, data=rng.standard_normal(shape).astype(np.float32))
        f.attrs["data"] = (f"{args.samples} samples per input from numpy default_rng({args.seed}).standard_normal, "
                           f"shapes from the graph inputs of {args.model}")


if __name__ == "__main__":
    main()
