#!/usr/bin/env python3
"""Writes the ONNX backend test data used by ModelGate's test suite.

Called by Tools/onnx-suite.sh (which owns caching and the final move into
.cache/onnx-suite/); it can also be run by hand with the venv's python.

Subcommands:
  generate --out DIR --stamp-key KEY
      Write every suite into DIR in the standard backend-test layout
          <suite>/<case>/model.onnx
          <suite>/<case>/test_data_set_N/input_K.pb, output_K.pb
      plus DIR/README.txt and DIR/.stamp.  Suites:
        node/               generated from onnx.backend.test.case.node.collect_testcases()
        simple/             copied from the wheel's onnx/backend/test/data/simple/
        pytorch-converted/  copied from the wheel's onnx/backend/test/data/pytorch-converted/
        pytorch-operator/   copied from the wheel's onnx/backend/test/data/pytorch-operator/
        light/              the wheel's light_<name>.onnx models, laid out as cases with
                            the inputs onnx's own backend test runner feeds them
  check DIR
      Parse every model.onnx and every input/output .pb of DIR (TensorProto,
      SequenceProto, OptionalProto or MapProto according to the graph's types).
  verify-light DIR
      Run onnx.reference.ReferenceEvaluator on each light/ case's input and
      compare with its output_0.pb (rtol 1e-3, atol 1e-7).

The .pb encoding follows onnx's own writer (onnx/backend/test/cmd_tools.py,
generate_data): map values -> numpy_helper.from_dict (MapProto), sequence values
-> numpy_helper.from_list (SequenceProto), optional values ->
numpy_helper.from_optional (OptionalProto), tensors -> the TensorProto as given or
numpy_helper.from_array(value, graph_value_name).  That writer only covers the
model test cases in this onnx version, so the same logic is applied here to the
node test cases.
"""

from __future__ import annotations

import argparse
import glob
import os
import platform
import shutil
import sys
import time
import traceback
import warnings
from typing import Any

import numpy as np

import onnx
from onnx import TensorProto, numpy_helper

ONNX_DIR = os.path.dirname(os.path.abspath(onnx.__file__))
WHEEL_DATA_DIR = os.path.join(ONNX_DIR, "backend", "test", "data")
COPIED_SUITES = ("simple", "pytorch-converted", "pytorch-operator")
SUITE_ORDER = ("node", "simple", "pytorch-converted", "pytorch-operator", "light")


# --------------------------------------------------------------------------
# Encoding of values, as in onnx/backend/test/cmd_tools.py (generate_data).
# --------------------------------------------------------------------------
def serialize_value(value: Any, value_info: onnx.ValueInfoProto) -> bytes:
    """Encode one input/output value the way onnx's backend test data does."""
    type_proto = value_info.type
    name = value_info.name
    if type_proto.HasField("map_type"):
        return numpy_helper.from_dict(value, name).SerializeToString()
    if type_proto.HasField("sequence_type"):
        return numpy_helper.from_list(value, name).SerializeToString()
    if type_proto.HasField("optional_type"):
        return numpy_helper.from_optional(value, name).SerializeToString()
    if not type_proto.HasField("tensor_type"):
        raise ValueError(f"unsupported type for {name!r}: {type_proto}")
    if isinstance(value, TensorProto):
        return value.SerializeToString()
    return numpy_helper.from_array(value, name).SerializeToString()


def write_case(case_dir: str, model: onnx.ModelProto, data_sets: Any) -> None:
    """Write model.onnx and test_data_set_N/{input,output}_K.pb for one case."""
    os.makedirs(case_dir)
    with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for i, (inputs, outputs) in enumerate(data_sets):
        set_dir = os.path.join(case_dir, f"test_data_set_{i}")
        os.makedirs(set_dir)
        for j, value in enumerate(inputs):
            data = serialize_value(value, model.graph.input[j])
            with open(os.path.join(set_dir, f"input_{j}.pb"), "wb") as f:
                f.write(data)
        for j, value in enumerate(outputs):
            data = serialize_value(value, model.graph.output[j])
            with open(os.path.join(set_dir, f"output_{j}.pb"), "wb") as f:
                f.write(data)


# --------------------------------------------------------------------------
# Suites.
# --------------------------------------------------------------------------
def generate_node(out: str, failures: list[str]) -> int:
    """node/: every case of onnx.backend.test.case.node.collect_testcases()."""
    import onnx.backend.test.case.node as node_cases

    # The case definitions seed numpy themselves (np.random.seed(0) before each
    # export), so the data is reproducible; their numeric warnings (overflowing
    # casts, log(0), ...) are intended and silenced here.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        cases = node_cases.collect_testcases()
    suite_dir = os.path.join(out, "node")
    os.makedirs(suite_dir)
    written = 0
    for case in cases:
        case_dir = os.path.join(suite_dir, case.name)
        try:
            assert case.model is not None and case.data_sets
            write_case(case_dir, case.model, case.data_sets)
            written += 1
        except Exception as e:  # noqa: BLE001 - record the case and go on
            shutil.rmtree(case_dir, ignore_errors=True)
            failures.append(f"node/{case.name}: {type(e).__name__}: {e}")
    print(f"  node: {len(cases)} cases collected, {written} written", flush=True)
    return written


def copy_suite(out: str, suite: str, failures: list[str]) -> int:
    """simple/, pytorch-*/: copied as shipped in the wheel."""
    src = os.path.join(WHEEL_DATA_DIR, suite)
    dst = os.path.join(out, suite)
    if not os.path.isdir(src):
        failures.append(f"{suite}/: not shipped in this onnx wheel ({src})")
        os.makedirs(dst)
        return 0
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
    return count_cases(dst)


def light_models() -> list[str]:
    return sorted(glob.glob(os.path.join(WHEEL_DATA_DIR, "light", "light_*.onnx")))


def generate_light(out: str, failures: list[str]) -> int:
    """light/: light_<name>/model.onnx + test_data_set_0/input_K.pb, output_K.pb.

    The wheel ships only light_<name>.onnx and light_<name>_output_0.pb.  onnx's
    backend test runner (onnx/backend/test/runner/__init__.py, Runner._add_model_test,
    the "use_dummy" branch for urls under onnx/backend/test/data/light/) builds the
    test data set itself, and this function does exactly the same:
      * one input_K.pb per graph input that is not an initializer, with the value
        Runner.generate_dummy_data(x, seed=0, random=False), i.e.
        (np.arange(n).reshape(shape) / n).astype(np.float32), where shape takes
        dim_value or 1 for a symbolic dimension, written as
        numpy_helper.from_array(value) (no tensor name, as the runner writes it),
        K counting only the non-initializer inputs;
      * output_K.pb copied byte for byte from light_<name>_output_K.pb; only if
        the wheel lacks one of them are all outputs computed with
        onnx.reference.ReferenceEvaluator, as the runner does.
    """
    from onnx.backend.test.runner import Runner

    suite_dir = os.path.join(out, "light")
    os.makedirs(suite_dir)
    written = 0
    for model_path in light_models():
        stem = os.path.splitext(os.path.basename(model_path))[0]  # light_<name>
        model_name = stem[len("light_") :]
        case_dir = os.path.join(suite_dir, stem)
        try:
            set_dir = os.path.join(case_dir, "test_data_set_0")
            os.makedirs(set_dir)
            shutil.copyfile(model_path, os.path.join(case_dir, "model.onnx"))
            model = onnx.load(model_path)
            inits = {i.name for i in model.graph.initializer}
            feeds = {}
            n_input = 0
            for x in model.graph.input:
                if x.name in inits:
                    continue
                value = Runner.generate_dummy_data(
                    x, seed=0, name=model_name, random=False
                )
                feeds[x.name] = value
                with open(os.path.join(set_dir, f"input_{n_input}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(value).SerializeToString())
                n_input += 1
            prefix = os.path.splitext(model_path)[0]
            shipped = [f"{prefix}_output_{i}.pb" for i in range(len(model.graph.output))]
            if all(os.path.exists(p) for p in shipped):
                for i, p in enumerate(shipped):
                    shutil.copyfile(p, os.path.join(set_dir, f"output_{i}.pb"))
            else:
                from onnx.reference import ReferenceEvaluator

                results = ReferenceEvaluator(model).run(None, feeds)
                for i, o in enumerate(results):
                    with open(os.path.join(set_dir, f"output_{i}.pb"), "wb") as f:
                        f.write(numpy_helper.from_array(o).SerializeToString())
            written += 1
        except Exception as e:  # noqa: BLE001 - record the case and go on
            shutil.rmtree(case_dir, ignore_errors=True)
            failures.append(f"light/{stem}: {type(e).__name__}: {e}")
    return written


def count_cases(suite_dir: str) -> int:
    return len(glob.glob(os.path.join(suite_dir, "*", "model.onnx")))


README = """\
ONNX backend test data for ModelGate
====================================

Written by Tools/onnx-suite.sh (with Tools/onnx_suite.py); do not edit, rerun the
script instead.  Regenerated when the onnx or numpy version or those two scripts
change, or when cases are missing.

onnx {onnx_version}, numpy {numpy_version}, Python {python_version}
onnx package: {onnx_dir}

Layout: <suite>/<case>/model.onnx and <suite>/<case>/test_data_set_N/input_K.pb,
output_K.pb.  A .pb holds a TensorProto, or for sequence / optional / map values a
SequenceProto / OptionalProto / MapProto (onnx-data.proto), encoded as in
onnx/backend/test/cmd_tools.py (numpy_helper.from_array / from_list /
from_optional / from_dict, named after the graph input or output).

Suites
------
node/ ({node} cases)
    Generated from onnx.backend.test.case.node.collect_testcases() (the wheel
    does not ship node data).  One case per test name (e.g. test_abs), including
    the *_expanded function-body variants.  The case definitions reseed numpy
    (np.random.seed(0)) before each export, so the data is reproducible for a
    given onnx and numpy version.

simple/ ({simple} cases)
    Copied unchanged from onnx/backend/test/data/simple/ of the wheel.

pytorch-converted/ ({pytorch-converted} cases)
    Copied unchanged from onnx/backend/test/data/pytorch-converted/ of the wheel.

pytorch-operator/ ({pytorch-operator} cases)
    Copied unchanged from onnx/backend/test/data/pytorch-operator/ of the wheel.

light/ ({light} cases)
    From onnx/backend/test/data/light/light_<name>.onnx and
    light_<name>_output_0.pb of the wheel, laid out as light/light_<name>/.
    The wheel ships no inputs: onnx's backend test runner
    (onnx/backend/test/runner/__init__.py, light-model branch) makes them, and
    they are made here the same way: each non-initializer graph input is
    Runner.generate_dummy_data(x, seed=0, random=False), that is
    (np.arange(n).reshape(shape) / n).astype(np.float32) with symbolic
    dimensions taken as 1, written as numpy_helper.from_array(value) (unnamed,
    as the runner writes it).  input_K is the K-th graph input that is not an
    initializer (light_densenet121 lists 12 initializers before data_0).
    output_0.pb is the shipped
    light_<name>_output_0.pb, copied byte for byte, as the runner does.
    `python Tools/onnx_suite.py verify-light .cache/onnx-suite` compares these
    outputs with onnx.reference.ReferenceEvaluator.

Not included: onnx/backend/test/data/real/ (only download URLs of full-size
models, which are not reachable here).

Total: {total} cases.
{failures_text}"""


def generate(out: str, stamp_key: str) -> int:
    start = time.time()
    if os.path.exists(out) and os.listdir(out):
        raise SystemExit(f"output directory {out} is not empty")
    os.makedirs(out, exist_ok=True)
    failures: list[str] = []
    counts: dict[str, int] = {}
    counts["node"] = generate_node(out, failures)
    for suite in COPIED_SUITES:
        counts[suite] = copy_suite(out, suite, failures)
    counts["light"] = generate_light(out, failures)
    total = sum(counts.values())

    if failures:
        failures_text = "\nCases that could not be written:\n" + "".join(
            f"  {line}\n" for line in failures
        )
    else:
        failures_text = "\nEvery collected case was written.\n"
    with open(os.path.join(out, "README.txt"), "w") as f:
        f.write(
            README.format(
                onnx_version=onnx.__version__,
                numpy_version=np.__version__,
                python_version=platform.python_version(),
                onnx_dir=ONNX_DIR,
                total=total,
                failures_text=failures_text,
                **counts,
            )
        )
    # The stamp is written last: its presence marks a complete output.
    with open(os.path.join(out, ".stamp"), "w") as f:
        f.write(f"{stamp_key}\n")
        f.write(f"cases={total}\n")
        for suite in SUITE_ORDER:
            f.write(f"{suite}={counts[suite]}\n")

    for line in failures:
        print(f"  could not write {line}", file=sys.stderr)
    print(f"  generated in {time.time() - start:.1f}s", flush=True)
    return 0


# --------------------------------------------------------------------------
# Checks (not run by default).
# --------------------------------------------------------------------------
def parse_value(path: str, type_proto: onnx.TypeProto) -> Any:
    with open(path, "rb") as f:
        data = f.read()
    if type_proto.HasField("map_type"):
        proto = onnx.MapProto()
        proto.ParseFromString(data)
        return numpy_helper.to_dict(proto)
    if type_proto.HasField("sequence_type"):
        proto = onnx.SequenceProto()
        proto.ParseFromString(data)
        return numpy_helper.to_list(proto)
    if type_proto.HasField("optional_type"):
        proto = onnx.OptionalProto()
        proto.ParseFromString(data)
        return numpy_helper.to_optional(proto)
    proto = onnx.TensorProto()
    proto.ParseFromString(data)
    return numpy_helper.to_array(proto)


def check(root: str) -> int:
    bad = 0
    total = 0
    for model_path in sorted(glob.glob(os.path.join(root, "*", "*", "model.onnx"))):
        case_dir = os.path.dirname(model_path)
        total += 1
        try:
            model = onnx.load(model_path)
            inits = {i.name for i in model.graph.initializer}
            inputs = [i for i in model.graph.input if i.name not in inits]
            sets = sorted(glob.glob(os.path.join(case_dir, "test_data_set_*")))
            if not sets:
                raise ValueError("no test_data_set_*")
            for set_dir in sets:
                for kind, infos in (("input", inputs), ("output", model.graph.output)):
                    files = glob.glob(os.path.join(set_dir, f"{kind}_*.pb"))
                    if len(files) > len(infos):
                        raise ValueError(f"{set_dir}: {len(files)} {kind} files")
                    for k in range(len(files)):
                        parse_value(os.path.join(set_dir, f"{kind}_{k}.pb"), infos[k].type)
        except Exception:  # noqa: BLE001
            bad += 1
            print(f"BAD {case_dir}:\n{traceback.format_exc()}")
    print(f"checked {total} cases, {bad} bad")
    return 1 if bad else 0


def verify_light(root: str) -> int:
    from onnx.reference import ReferenceEvaluator

    mismatches = 0
    for case_dir in sorted(glob.glob(os.path.join(root, "light", "light_*"))):
        start = time.time()
        model = onnx.load(os.path.join(case_dir, "model.onnx"))
        inits = {i.name for i in model.graph.initializer}
        inputs = [i for i in model.graph.input if i.name not in inits]
        set_dir = os.path.join(case_dir, "test_data_set_0")
        feeds = {
            x.name: parse_value(os.path.join(set_dir, f"input_{k}.pb"), x.type)
            for k, x in enumerate(inputs)
        }
        got = ReferenceEvaluator(model).run(None, feeds)
        for k, value in enumerate(got):
            expected = parse_value(
                os.path.join(set_dir, f"output_{k}.pb"), model.graph.output[k].type
            )
            diff = np.abs(value.astype(np.float64) - expected.astype(np.float64))
            rel = float(np.max(diff / np.maximum(np.abs(expected), 1e-30)))
            ok = value.shape == expected.shape and np.allclose(
                value, expected, rtol=1e-3, atol=1e-7
            )
            mismatches += not ok
            print(
                f"{os.path.basename(case_dir)} output_{k}: "
                f"{'match' if ok else 'MISMATCH'} max|diff|={float(np.max(diff)):.3g} "
                f"max rel={rel:.3g} ({time.time() - start:.1f}s)",
                flush=True,
            )
    return 1 if mismatches else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("generate", help="write all suites into an empty directory")
    p.add_argument("--out", required=True)
    p.add_argument("--stamp-key", required=True)
    p = sub.add_parser("check", help="parse every model and .pb file")
    p.add_argument("root")
    p = sub.add_parser("verify-light", help="compare light outputs with ReferenceEvaluator")
    p.add_argument("root")
    args = parser.parse_args()
    if args.command == "generate":
        return generate(args.out, args.stamp_key)
    if args.command == "check":
        return check(args.root)
    return verify_light(args.root)


if __name__ == "__main__":
    sys.exit(main())
