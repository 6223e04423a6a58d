"""Runs converted Keras models on ONNX Runtime against Keras's golden outputs.

Usage: python Tools/keras_crosscheck.py [--rtol R] [--atol A] --list FILE
FILE has one case per line, tab-separated: case label, converted .onnx path, golden.h5 path.
For each case it runs onnx.checker.check_model(full_check=True), feeds golden.h5's inputs/<name>
to onnxruntime and compares with outputs/<name> (a model with one input or output takes the single
dataset whatever its name). It prints one JSON object per line:
{"case", "checker": "ok" or the checker's first line, "outputs": {name: {"max_abs", "max_rel",
"mismatches", "shape_ok"}}, "pass": true|false, "error": ""}. A value passes when
|actual - golden| <= atol + rtol * |golden| (numpy.isclose), with rtol 1e-4 and atol 1e-5 by default.
"""
import argparse
import json
import sys

import h5py
import numpy as np
import onnx
import onnxruntime as ort


def first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def match(names, group):
    """Maps model value names to golden datasets: by name, or the single dataset of a one-value model."""
    if len(names) == 1 and len(group) == 1:
        return {names[0]: next(iter(group.values()))[()]}
    return {name: group[name][()] for name in names}


def check(case, model_path, golden_path, rtol, atol):
    result = {"case": case, "checker": "ok", "outputs": {}, "pass": False, "error": ""}
    try:
        onnx.checker.check_model(model_path, full_check=True)
    except Exception as error:  # the checker raises several exception types
        result["checker"] = first_line(error)
    try:
        options = ort.SessionOptions()
        options.log_severity_level = 3
        session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
        with h5py.File(golden_path, "r") as golden:
            inputs = match([i.name for i in session.get_inputs()], golden["inputs"])
            output_names = [o.name for o in session.get_outputs()]
            expected = match(output_names, golden["outputs"])
        feed = {}
        for meta in session.get_inputs():
            array = inputs[meta.name]
            if meta.type == "tensor(float)":
                array = array.astype(np.float32)
            feed[meta.name] = array
        actual = dict(zip(output_names, session.run(output_names, feed)))
        passed = result["checker"] == "ok"
        for name in output_names:
            got = np.asarray(actual[name], dtype=np.float64)
            want = np.asarray(expected[name], dtype=np.float64)
            entry = {"shape_ok": list(got.shape) == list(want.shape)}
            if entry["shape_ok"]:
                diff = np.abs(got - want)
                entry["max_abs"] = float(diff.max()) if diff.size else 0.0
                entry["max_rel"] = float((diff / np.maximum(np.abs(want), 1e-12)).max()) if diff.size else 0.0
                entry["mismatches"] = int((~np.isclose(got, want, rtol=rtol, atol=atol)).sum())
                passed = passed and entry["mismatches"] == 0
            else:
                entry["got_shape"] = list(got.shape)
                entry["want_shape"] = list(want.shape)
                passed = False
            result["outputs"][name] = entry
        result["pass"] = bool(passed)
    except Exception as error:  # onnxruntime raises several exception types
        result["error"] = first_line(error)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", required=True)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()
    with open(args.list) as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if line.strip()]
    for case, model_path, golden_path in rows:
        sys.stdout.write(json.dumps(check(case, model_path, golden_path, args.rtol, args.atol)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
