#!/usr/bin/env python3
"""ModelGate's optimization paths side by side with the Python toolchain's equivalents, judged by
onnx.checker and ONNX Runtime against the source framework's golden outputs.

For one model (`model` subcommand):

- fp32 reference: the ONNX file itself, or `modelgate convert` of a Keras or TFLite source.
- ModelGate: `modelgate optimize SOURCE OUT --path P --calibration CALIBRATION` for each path.
- Python toolchain: the same path applied to the fp32 reference by `vs_python_toolchain.apply_path`
  (onnxconverter-common fp16; ONNX Runtime quantize_dynamic; quantize_static, QDQ, per channel,
  MinMax, int8, calibrated on the same calibration file; numpy magnitude pruning). Paths it has no
  equivalent for (prune-channels-N, compositions) get ModelGate's columns only.
- Every file: onnx.checker.check_model(full_check=True), then ONNX Runtime (CPU, one thread) on the
  golden inputs (one sample at a time when the model fixes its batch). Per output: cosine to golden
  and max |error| (`vs_python_toolchain.output_metrics`); top-1 agreement with golden for class
  vectors (2-D outputs); accuracy when the golden file has labels. A row's cosine is its worst
  output's.
- Verdict: ModelGate's file is checker-valid and its cosine ≥ the Python toolchain's − EPSILON.
- Where ModelGate's cosine is below, two more figures say whether the file or the runtime's kernels
  cost the difference: the cosine with ONNX Runtime's graph optimizations off (Q/DQ pairs run as
  written, not as its integer kernels, which saturate 16-bit pair sums on CPUs without VNNI), and
  the cosine with onnx's reference evaluator (exact integer arithmetic; files ≤ EXACT_LIMIT_BYTES,
  runs ≤ EXACT_SECONDS).
- Golden sets hold few samples (the zoo's: two photographs or two token sequences), and on a deep
  random-weight network a one-ulp difference in one runtime's float rounding moves an int8 file's
  cosine by a few hundredths. So every file is also run on the calibration inputs, against the fp32
  reference run by ONNX Runtime, and each sample's cosine (its worst output's) is paired with the
  other side's on the same sample: golden and calibration samples together give the mean paired
  difference and its standard error (`wide`). A row is "MG ahead" when that mean is ≥ −EPSILON,
  "within sampling noise" when it is below but within two standard errors of −EPSILON, "behind"
  otherwise.
  The calibration samples are the ones both quantizers calibrated on (in-sample for int8-static,
  alike for both sides); no other inputs of the model's kind are known to the benchmark.
- A model whose fp32 file already holds quantized operators (TFLite int8 conversions) is not
  quantized, pruned or halved again: its rows say so.

Writes <out>/<model>/rows.json (and the modelgate logs). The `table` subcommand prints the Markdown
table and the summary of the selected models' rows.json; `models` lists a corpus.yml's models, smallest first, for the driver,
Benchmarks/paths-vs-ort.sh.

Usage: python paths_vs_ort.py models CORPUS [--only a,b]
       python paths_vs_ort.py model --modelgate BIN --name N --source S --golden G --calibration C --paths "fp16 int8-static" --out DIR [--reuse] [--keep]
       python paths_vs_ort.py exact FILE --golden G
       python paths_vs_ort.py table DIR --corpus CORPUS --paths "fp16 int8-static" [--only a,b]
"""
import argparse
import glob
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import yaml  # noqa: E402

from vs_python_toolchain import apply_path, feeds_for, fixed_batch, output_metrics, read_golden, read_group  # noqa: E402

logging.getLogger().setLevel(logging.ERROR)  # ONNX Runtime's quantizer advises pre-processing on every call
warnings.filterwarnings("ignore", module="onnxconverter_common")  # one warning per float16-truncated weight
ort.set_default_logger_severity(3)

EPSILON = 1e-6
EXACT_LIMIT_BYTES = 30_000_000  # onnx's reference evaluator is pure numpy: larger files take too long
EXACT_SECONDS = 180
QUANTIZED_OPS = {"QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger",
                 "DynamicQuantizeLinear"}


# MARK: Corpus

def list_models(corpus, only):
    """(name, source, golden, calibration) of each corpus.yml model, in name order."""
    with open(os.path.join(corpus, "corpus.yml")) as f:
        manifest = yaml.safe_load(f)
    models = manifest["models"]
    patterns = [p for p in only.replace(" ", ",").split(",") if p]
    for name in sorted(models):
        if patterns and not any(p in name for p in patterns):
            continue
        entry = models[name]
        source = os.path.join(corpus, entry["source"])
        teacher = entry.get("teacher")
        golden_dir = os.path.dirname(os.path.join(corpus, models[teacher]["source"])) if teacher else os.path.dirname(source)
        calibration = os.path.join(os.path.dirname(source), "calibration.h5")
        if not os.path.isfile(calibration):
            calibration = os.path.join(golden_dir, "golden.h5")
        yield name, source, os.path.join(golden_dir, "golden.h5"), calibration


# MARK: Measuring one file

def check(path):
    try:
        onnx.checker.check_model(path, full_check=True)
        return None
    except Exception as error:  # a finding, not a stop
        return one_line(error)


def one_line(error, width=160):
    text = " ".join(str(error).split())
    return (text[:width] + "…") if len(text) > width else text


def run_golden(path, inputs, fused=True):
    """Every output by name, ONNX Runtime on the golden inputs (sample by sample under a fixed batch);
    `fused=False` disables its graph optimizations, so that Q/DQ pairs run as written instead of as
    its integer kernels."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    if not fused:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feeds = feeds_for(session, inputs)
    names = [o.name for o in session.get_outputs()]
    count = len(next(iter(feeds.values())))
    batch = fixed_batch(session)
    if batch is None or batch >= count:
        return dict(zip(names, session.run(None, feeds)))
    parts = [session.run(None, {k: v[i:i + batch] for k, v in feeds.items()}) for i in range(0, count, batch)]
    return {name: np.concatenate([p[k] for p in parts]) for k, name in enumerate(names)}


def output_named(actual, name, expected):
    """`actual`'s output `name`, or its lone output when both sides have one, else None."""
    value = actual.get(name)
    if value is None and len(actual) == 1 and len(expected) == 1:
        value = next(iter(actual.values()))
    return value


def compare(actual, golden, labels):
    """Per-output metrics against golden and the row's summary (worst cosine, largest error, top-1, accuracy)."""
    outputs, notes = {}, []
    for name, expected in golden.items():
        value = output_named(actual, name, golden)
        if value is None:
            notes.append(f"output {name} missing")
            continue
        value = np.asarray(value)
        if value.shape != expected.shape:
            notes.append(f"{name} shape {list(value.shape)} ≠ golden {list(expected.shape)}")
            continue
        outputs[name] = output_metrics(value.astype(np.float64), expected, {})
    comparable = len(outputs) == len(golden)
    worst = min(outputs, key=lambda n: outputs[n]["cosine"]) if outputs else None
    top1 = next((m["top1Agreement"] for m in outputs.values() if "top1Agreement" in m), None)
    accuracy = None
    first_name, first = next(iter(golden.items()))
    if labels is not None and first.ndim == 2 and first_name in outputs:
        value = actual.get(first_name, next(iter(actual.values())))
        accuracy = float(np.mean(np.asarray(value).argmax(1) == labels))
    return {
        "outputs": outputs, "notes": notes,
        "cosine": outputs[worst]["cosine"] if comparable and worst else None,
        "worstOutput": worst if comparable else None,
        "maxAbsError": max((m["maxAbsError"] for m in outputs.values()), default=None),
        "top1Agreement": top1, "accuracy": accuracy,
    }


def exact_cosine(path, golden_path):
    """`evaluate_exactly` in a child process, or None when it fails or takes over EXACT_SECONDS."""
    try:
        done = subprocess.run([sys.executable, os.path.abspath(__file__), "exact", path, "--golden", golden_path],
                              capture_output=True, text=True, timeout=EXACT_SECONDS)
    except subprocess.TimeoutExpired:
        return None
    text = done.stdout.strip()
    return float(text) if done.returncode == 0 and text not in ("", "None") else None


def evaluate_exactly(path, golden):
    """The worst output's cosine to golden with onnx's reference evaluator (exact integer arithmetic,
    no runtime kernels), or None when the evaluator cannot run the file. The evaluator implements
    QuantizeLinear and DequantizeLinear from opset 19 only, so an older default-domain opset is read
    as 19 (the changes since 13 add types, not semantics, for the operators these files use)."""
    from onnx.reference import ReferenceEvaluator
    try:
        model = onnx.load(path)
        for opset in model.opset_import:
            if opset.domain in ("", "ai.onnx") and opset.version < 19:
                opset.version = 19
        evaluator = ReferenceEvaluator(model)
        inputs = golden["inputs"]
        names = evaluator.input_names
        feeds = {names[0]: next(iter(inputs.values()))} if len(names) == 1 and len(inputs) == 1 else {n: inputs[n] for n in names}
        types = {i.name: onnx.helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type) for i in model.graph.input}
        feeds = {n: v.astype(types.get(n, v.dtype)) for n, v in feeds.items()}
        outputs = dict(zip(evaluator.output_names, evaluator.run(None, feeds)))
        return compare(outputs, golden["outputs"], None)["cosine"]
    except Exception:  # an operator the evaluator lacks: no exact figure
        return None


def in_child(function, *args):
    """`function(*args)` (a JSON-able result) in a forked child process, so that a runtime that
    crashes on a file ends the child, not the measurement of the model's other files. Raises
    RuntimeError with the child's exception, or naming the signal that ended it."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            payload = json.dumps({"result": function(*args)}, default=float)
        except Exception as error:  # noqa: BLE001 — reported to the parent as it is
            payload = json.dumps({"error": one_line(error)})
        with os.fdopen(write, "w") as handle:
            handle.write(payload)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as handle:
        text = handle.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        raise RuntimeError(f"ONNX Runtime crashed on the file (signal {os.WTERMSIG(status)})")
    data = json.loads(text)
    if "error" in data:
        raise RuntimeError(data["error"])
    return data["result"]


def sample_cosines(actual, expected):
    """Each sample's cosine, its worst output's (outputs paired by name, a lone output whatever its
    name); None when an output's leading axis is not the samples' (detections, a fixed batch)."""
    worst = None
    for name, reference in expected.items():
        value = output_named(actual, name, expected)
        if value is None or np.shape(value) != reference.shape or reference.ndim == 0:
            return None
        a = np.asarray(value, np.float64).reshape(len(reference), -1)
        g = np.asarray(reference, np.float64).reshape(len(reference), -1)
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(g, axis=1)
        cosines = np.where(norms > 0, (a * g).sum(1) / np.where(norms > 0, norms, 1), np.all(a == g, axis=1).astype(np.float64))
        worst = cosines if worst is None else np.minimum(worst, cosines)
    return None if worst is None else [float(c) for c in worst]


def runtime_metrics(path, golden, wide=None):
    """`compare` of ONNX Runtime's outputs on the golden inputs; with `unfusedCosine` for files with
    quantized operators, and `sampleCosines` (golden samples, then `wide`'s) when `wide` holds the
    calibration inputs and the fp32 reference's outputs on them."""
    outputs = run_golden(path, golden["inputs"])
    result = compare(outputs, golden["outputs"], golden["labels"])
    if quantized_ops(path):
        result["unfusedCosine"] = compare(run_golden(path, golden["inputs"], fused=False), golden["outputs"], None)["cosine"]
    if wide is not None:
        on_golden = sample_cosines(outputs, golden["outputs"])
        on_calibration = sample_cosines(run_golden(path, wide["inputs"]), wide["outputs"])
        if on_golden is not None and on_calibration is not None:
            result["sampleCosines"] = on_golden + on_calibration
    return result


def wide_reference(reference, calibration):
    """The calibration inputs and the fp32 reference's outputs on them (ONNX Runtime, in this
    process: the reference already ran in a child), or None when the file has no calibration
    inputs it can run."""
    try:
        inputs = read_group(calibration, "inputs")
        return {"inputs": inputs, "outputs": run_golden(reference, inputs)}
    except Exception:  # noqa: BLE001 — no wider comparison for this model
        return None


def paired_difference(mg, py):
    """Mean and standard error of ModelGate's minus the Python toolchain's per-sample cosine, or None."""
    a, b = mg.get("sampleCosines"), py.get("sampleCosines")
    if not a or not b or len(a) != len(b) or len(a) < 2:
        return None
    difference = np.asarray(a) - np.asarray(b)
    return float(difference.mean()), float(difference.std(ddof=1) / math.sqrt(len(difference))), len(difference)


def measure(path, golden, keep, wide=None):
    """Checker verdict, ONNX Runtime metrics and size of one file; removes it unless `keep`. Files
    with quantized operators also get `unfusedCosine`, the cosine with ONNX Runtime's graph
    optimizations off. ONNX Runtime runs in a child process (`in_child`): a crash on one file is
    that file's `ortError`."""
    result = {"bytes": os.path.getsize(path), "checker": check(path) or "ok"}
    try:
        result.update(in_child(runtime_metrics, path, golden, wide))
    except Exception as error:  # ONNX Runtime refusing a file is a result too
        result["ortError"] = one_line(error)
    if not keep:
        os.remove(path)
    return result


# MARK: One model

def convert_reference(args, folder):
    if args.source.endswith(".onnx"):
        return args.source, None
    reference = os.path.join(folder, "fp32.onnx")
    if os.path.exists(reference):
        os.remove(reference)
    done = run_modelgate([args.modelgate, "convert", args.source, reference], os.path.join(folder, "fp32.log"), args.timeout)
    return (reference, None) if done is None else (None, done)


def run_modelgate(command, log, timeout):
    """None when the command succeeded, else its error line (the last output line without one), or the timeout."""
    with open(log, "w") as handle:
        try:
            status = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return f"timed out after {timeout} s"
    if status == 0:
        return None
    with open(log) as handle:
        lines = [line.strip() for line in handle if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    return one_line((errors or lines or [f"exit {status}"])[-1])


def has_python_equivalent(path):
    """Whether `vs_python_toolchain.apply_path` does this path (compositions and channel pruning it does not)."""
    return path in ("fp32", "fused", "fp16", "int8-dynamic", "int8-static") or re.fullmatch(r"prune-\d+(\.\d+)?", path) is not None


def quantized_ops(path):
    ops = {node.op_type for node in onnx.load(path, load_external_data=False).graph.node}
    return sorted(ops & QUANTIZED_OPS)


def model_rows(args):
    folder = os.path.join(args.out, args.name)
    os.makedirs(folder, exist_ok=True)
    inputs, outputs, labels = read_golden(args.golden)
    golden = {"inputs": inputs, "outputs": outputs, "labels": labels}
    paths = args.paths.split()
    reference, failure = convert_reference(args, folder)
    if failure:
        return [{"path": p, "mg": {"error": f"convert: {failure}"}, "py": {"na": "no fp32 file to start from"}}
                for p in ["fp32", *paths]]
    rows = [{"path": "fp32", "mg": measure(reference, golden, keep=True)}]
    quantized = quantized_ops(reference)
    wide = None if quantized else wide_reference(reference, args.calibration)
    for path in paths:
        if quantized:
            rows.append({"path": path, "na": f"int8 to begin with ({', '.join(quantized)} in the fp32 file)"})
            continue
        files = {side: os.path.join(folder, f"{side}.{path}.onnx") for side in ("mg", "py")}
        try:
            rows.append(path_row(args, path, reference, files, golden, wide))
        finally:
            for file in files.values():
                if os.path.exists(file) and not args.keep:
                    os.remove(file)
    if reference != args.source and not args.keep:
        os.remove(reference)
    return rows


def path_row(args, path, reference, files, golden, wide):
    """ModelGate's and the Python toolchain's file for one path, measured."""
    row = {"path": path}
    started = time.perf_counter()
    failure = run_modelgate([args.modelgate, "optimize", args.source, files["mg"], "--path", path, "--calibration", args.calibration],
                            os.path.join(args.out, args.name, f"mg.{path}.log"), args.timeout)
    row["mg"] = {"error": f"optimize: {failure}"} if failure else measure(files["mg"], golden, keep=True, wide=wide)
    row["mg"]["seconds"] = time.perf_counter() - started
    if not has_python_equivalent(path):
        row["py"] = {"na": "no Python equivalent"}
        return row
    started = time.perf_counter()
    try:
        apply_path(path, reference, files["py"], args.calibration)
    except Exception as error:  # the toolchain failing is a result
        row["py"] = {"error": f"{path}: {type(error).__name__}: {one_line(error)}"}
        return row
    row["py"] = measure(files["py"], golden, keep=True, wide=wide)
    row["py"]["seconds"] = time.perf_counter() - started
    mg, py = row["mg"], row["py"]
    below = valid(mg) and valid(py) and None not in (mg.get("cosine"), py.get("cosine")) and mg["cosine"] < py["cosine"] - EPSILON
    if below and quantized_ops(files["py"]) and max(mg["bytes"], py["bytes"]) <= EXACT_LIMIT_BYTES:
        mg["exactCosine"], py["exactCosine"] = exact_cosine(files["mg"], args.golden), exact_cosine(files["py"], args.golden)
    return row


# MARK: Table

def valid(side):
    return bool(side) and side.get("checker") == "ok" and "ortError" not in side and "error" not in side


def side_status(side):
    if not side or "na" in side:
        return "—"
    if "error" in side:
        return "fail"
    return "ok" if side.get("checker") == "ok" else "FAIL"


def verdict(row):
    """(text, kind): kind is na, mg-fail, mg-only, py-fail, not-comparable, ge or lt."""
    if "na" in row:
        return f"n/a: {row['na']}", "na"
    mg, py = row["mg"], row.get("py") or {}
    if "error" in mg:
        return f"ModelGate fails: {mg['error']}", "mg-fail"
    if mg.get("checker") != "ok":
        return f"ModelGate file fails onnx.checker: {mg['checker']}", "mg-fail"
    if "ortError" in mg:
        return f"ONNX Runtime refuses ModelGate's file: {mg['ortError']}", "mg-fail"
    if "na" in py:
        return "ModelGate only (no Python equivalent)", "mg-only"
    if not valid(py):
        reason = py.get("error") or (f"onnx.checker: {py['checker']}" if py.get("checker") != "ok" else f"ONNX Runtime: {py.get('ortError')}")
        return f"MG ok; Python toolchain fails: {reason}", "py-fail"
    if mg.get("cosine") is None or py.get("cosine") is None:
        notes = "; ".join(mg.get("notes", []) or py.get("notes", []))
        return f"not comparable to golden ({notes})", "not-comparable"
    if mg["cosine"] >= py["cosine"] - EPSILON:
        return "MG ≥ Py", "ge"
    text = f"MG < Py by {py['cosine'] - mg['cosine']:.2e} ({mg['worstOutput']})"
    if mg.get("unfusedCosine") is not None and py.get("unfusedCosine") is not None:
        text += f"; ORT unfused: MG {mg['unfusedCosine']:.6f}, Py {py['unfusedCosine']:.6f}"
    if mg.get("exactCosine") is not None and py.get("exactCosine") is not None:
        text += f"; exact (onnx reference evaluator): MG {mg['exactCosine']:.6f}, Py {py['exactCosine']:.6f}"
    return text, "lt"


def wide_verdict(row):
    """(text, kind) of the paired comparison over golden and calibration samples: kind is ahead
    (mean difference ≥ −EPSILON), noise (below, but within two standard errors of −EPSILON), behind,
    or None without it."""
    if "na" in row or not valid(row.get("mg")) or not valid(row.get("py")):
        return "", None
    paired = paired_difference(row["mg"], row["py"])
    if paired is None:
        return "", None
    mean, error, count = paired
    kind = "ahead" if mean >= -EPSILON else ("noise" if mean + 2 * error >= -EPSILON else "behind")
    words = {"ahead": "MG ahead", "noise": "within sampling noise", "behind": "MG behind"}[kind]
    return f"{count} samples: {words} (mean paired difference {mean:+.2e} ± {error:.1e})", kind


def number(value, form):
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, form)


def size(side):
    value = (side or {}).get("bytes")
    if value is None:
        return "—"
    return f"{value / 1e6:.2f} MB" if value >= 1e5 else f"{value / 1e3:.1f} kB"


def print_table(out, corpus, only, paths):
    """Prints the rows of the corpus's selected models and paths; returns the exit status."""
    names = [name for name, *_ in list_models(corpus, only)]
    missing = [name for name in names if not os.path.isfile(os.path.join(out, name, "rows.json"))]
    files = [os.path.join(out, name, "rows.json") for name in names if name not in missing]
    print("| model | path | checker MG / Py | cosine MG | cosine Py | max abs err MG / Py | top-1 MG / Py | size MG / Py | verdict |")
    print("|---|---|---|---|---|---|---|---|---|")
    kinds, below, checker_valid, per_path, wide_kinds, behind, per_path_wide = [], [], 0, {}, [], 0, {}
    for file in files:
        with open(file) as f:
            model = json.load(f)
        for row in (r for r in model["rows"] if r["path"] == "fp32" or r["path"] in paths):
            mg, py = row.get("mg") or {}, row.get("py") or {}
            if row["path"] == "fp32":
                text = "fp32 reference" if "error" not in mg else mg["error"]
                if "error" not in mg and mg.get("notes"):
                    text += f" ({'; '.join(mg['notes'])})"
                if mg.get("accuracy") is not None:
                    text += f"; accuracy {mg['accuracy']:.4f}"
                print(f"| {model['name']} | fp32 | {side_status(mg)} | {number(mg.get('cosine'), '.6f')} | | "
                      f"{number(mg.get('maxAbsError'), '.3g')} | {number(mg.get('top1Agreement'), '.2f')} | {size(mg)} | {text} |")
                continue
            text, kind = verdict(row)
            wide_text, wide_kind = wide_verdict(row)
            if wide_kind is not None:
                text += f"; {wide_text}"
                wide_kinds.append(wide_kind)
                per_path_wide.setdefault(row["path"], []).append(wide_kind)
                behind += wide_kind == "behind"
            elif kind == "lt":
                behind += 1
            kinds.append(kind)
            per_path.setdefault(row["path"], []).append(kind)
            checker_valid += mg.get("checker") == "ok"
            if kind == "lt":
                below.append(row)
            if mg.get("accuracy") is not None:
                text += f"; accuracy MG {mg['accuracy']:.4f}" + (f", Py {py['accuracy']:.4f}" if py.get("accuracy") is not None else "")
            print(f"| {model['name']} | {row['path']} | {side_status(mg)} / {side_status(py)} | {number(mg.get('cosine'), '.6f')} | "
                  f"{number(py.get('cosine'), '.6f')} | {number(mg.get('maxAbsError'), '.3g')} / {number(py.get('maxAbsError'), '.3g')} | "
                  f"{number(mg.get('top1Agreement'), '.2f')} / {number(py.get('top1Agreement'), '.2f')} | {size(mg)} / {size(py)} | {text} |")
    exact_ge = sum(1 for row in below if row["mg"].get("exactCosine") is not None and row["py"].get("exactCosine") is not None
                   and row["mg"]["exactCosine"] >= row["py"]["exactCosine"] - EPSILON)
    applicable = [k for k in kinds if k != "na"]
    mg_valid = sum(k not in ("na", "mg-fail") for k in kinds)
    compared = [k for k in applicable if k in ("ge", "lt")]
    print()
    if missing:
        print(f"not measured (no rows.json: not run yet, or the measurement itself failed): {', '.join(missing)}")
    print(f"{len(files)} models, {len(kinds)} rows (model × path), {kinds.count('na')} not applicable. "
          f"ModelGate's file checker-valid: {checker_valid} / {len(applicable)}, and run by ONNX Runtime too: {mg_valid}. "
          f"Cosine MG ≥ Py − {EPSILON:g}: {compared.count('ge')} / {len(compared)} rows where both ran "
          f"(of the {len(below)} below, MG ≥ Py on the onnx reference evaluator: {exact_ge}); "
          f"Python toolchain fails where ModelGate does not: {kinds.count('py-fail')}; "
          f"ModelGate only: {kinds.count('mg-only')}; not comparable to golden: {kinds.count('not-comparable')}.")
    print(f"Golden and calibration samples paired ({len(wide_kinds)} rows): MG ahead {wide_kinds.count('ahead')}, "
          f"within sampling noise {wide_kinds.count('noise')}, MG behind {wide_kinds.count('behind')}; "
          f"rows behind (paired, or on golden where not paired): {behind}. Per path (ahead / noise / behind): " + "; ".join(
              f"{path} {k.count('ahead')} / {k.count('noise')} / {k.count('behind')}" for path, k in per_path_wide.items()) + ".")
    print("Per path (MG ≥ Py / both ran; ModelGate fails; Python fails): " + "; ".join(
        f"{path} {k.count('ge')} / {k.count('ge') + k.count('lt')}, {k.count('mg-fail')}, {k.count('py-fail')}" for path, k in per_path.items()) + ".")
    return 0 if kinds.count("mg-fail") == behind == len(missing) == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    models = commands.add_parser("models")
    models.add_argument("corpus")
    models.add_argument("--only", default="")
    model = commands.add_parser("model")
    for option in ("modelgate", "name", "source", "golden", "calibration", "paths", "out"):
        model.add_argument(f"--{option}", required=True)
    model.add_argument("--timeout", type=float, default=3600)
    model.add_argument("--keep", action="store_true", help="keep the ONNX files (default: only rows.json and logs)")
    model.add_argument("--reuse", action="store_true", help="keep an earlier rows.json made for the same paths")
    exact = commands.add_parser("exact")
    exact.add_argument("model")
    exact.add_argument("--golden", required=True)
    table = commands.add_parser("table")
    table.add_argument("out")
    table.add_argument("--corpus", required=True)
    table.add_argument("--only", default="")
    table.add_argument("--paths", required=True)
    args = parser.parse_args()
    if args.command == "models":
        for fields in sorted(list_models(args.corpus, args.only), key=lambda m: (os.path.getsize(m[1]), m[0])):
            print("\t".join(fields))  # smallest source first: a long run measures the most models early
        return 0
    if args.command == "table":
        return print_table(args.out, args.corpus, args.only, args.paths.split())
    if args.command == "exact":
        inputs, outputs, _ = read_golden(args.golden)
        print(evaluate_exactly(args.model, {"inputs": inputs, "outputs": outputs}))
        return 0
    result = os.path.join(args.out, args.name, "rows.json")
    if args.reuse and os.path.isfile(result):
        with open(result) as f:
            if json.load(f).get("paths") == args.paths.split():
                return 0
    shutil.rmtree(os.path.join(args.out, args.name), ignore_errors=True)
    started = time.perf_counter()
    rows = model_rows(args)
    with open(result, "w") as f:
        json.dump({"name": args.name, "source": args.source, "paths": args.paths.split(), "rows": rows, "seconds": time.perf_counter() - started,
                   "versions": {"onnx": onnx.__version__, "onnxruntime": ort.__version__}}, f, indent=1)
    print(f"{args.name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
