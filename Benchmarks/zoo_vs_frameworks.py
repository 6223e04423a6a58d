"""Every zoo model through ModelGate's importer and executor, against the source framework's golden
outputs and against ONNX Runtime running the same converted file.

For each model of a corpus (default .cache/zoo, built by `make zoo`): `modelgate convert` (ONNX
sources are used as they are), `modelgate check`, `modelgate exec` on golden.h5's inputs, and ONNX
Runtime on the same ONNX file and inputs (one sample at a time when the model's batch axis is a static
1). Errors are max |a − golden| / max |golden| per output, the largest over the outputs; a float model
passes at ≤ 1e-4, a quantized one (outputs dequantized from an integer grid) within one step of the
grid, read from the converted file's last DequantizeLinear as `modelgate run` reads it. Outputs with
a `match` in corpus.yml, and a detector's outputs as `modelgate run` reads them from a graph that
runs NonMaxSuppression (boxes: last axis 4; scores and classes: one value per box), have their rows
paired with the golden rows first, nearest first and within a class, as `modelgate run` pairs them;
golden rows left over are left out. Prints a Markdown table and a last line `N passed, M failed`.

With --exact, Keras models are also run in float64 (the model rebuilt from its config with every
float32 dtype made float64, the same weights widened): the table then shows how far ModelGate's
float32 run and Keras's own float32 run (the golden outputs) each are from that exact result, so a
model whose golden outputs are themselves further than 1e-4 from exact can still be judged.

Usage: $PY Benchmarks/zoo_vs_frameworks.py [--corpus .cache/zoo] [--only pattern,…] [--modelgate PATH] [--exact]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def read(path, group):
    with h5py.File(path, "r") as f:
        return {name: np.asarray(f[group][name]) for name in f[group]} if group in f else {}


def output_step(onnx_path):
    """The largest quantization step of the outputs a DequantizeLinear with one scale produces
    (directly or through Identity, Reshape, Flatten, Squeeze, Unsqueeze, Transpose), or None."""
    import onnx
    from onnx import numpy_helper
    model = onnx.load(onnx_path, load_external_data=False)
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    constants = {t.name: t for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            for attribute in node.attribute:
                if attribute.name == "value":
                    constants[node.output[0]] = attribute.t
    steps = []
    for output in graph.output:
        name = output.name
        while name in producer and producer[name].op_type in ("Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose"):
            name = producer[name].input[0]
        node = producer.get(name)
        if node is not None and node.op_type == "DequantizeLinear" and node.input[1] in constants:
            scale = numpy_helper.to_array(constants[node.input[1]])
            if scale.size == 1:
                steps.append(float(scale.reshape(-1)[0]))
    return max(steps) if steps else None


def detector_outputs(onnx_path, golden):
    """The `match` of each output of a model that runs NonMaxSuppression (in its graph, a subgraph
    or a local function), as `modelgate run` reads it (docs/corpus-manifest.md): boxes (floating
    point, last axis 4, a detection count the graph leaves open) are detections, the outputs with
    one value per box of the first of them are detection values."""
    import onnx
    model = onnx.load(onnx_path, load_external_data=False)

    def runs_nms(nodes):
        return any(n.op_type == "NonMaxSuppression" or any(runs_nms(a.g.node) for a in n.attribute if a.type == onnx.AttributeProto.GRAPH)
                   or any(runs_nms(g.node) for a in n.attribute for g in a.graphs) for n in nodes)
    if not (runs_nms(model.graph.node) or any(runs_nms(f.node) for f in model.functions)):
        return {}

    def is_open(output, axis):
        dims = output.type.tensor_type.shape.dim
        return axis >= len(dims) or not dims[axis].HasField("dim_value")
    matched, boxes_shape = {}, None
    for output in model.graph.output:
        g = golden.get(output.name)
        if g is not None and g.dtype.kind == "f" and g.ndim >= 2 and g.shape[-1] == 4 and is_open(output, g.ndim - 2):
            matched[output.name] = "detections"
            boxes_shape = boxes_shape or g.shape[:-1]
    for output in model.graph.output:
        g = golden.get(output.name)
        if boxes_shape is not None and output.name not in matched and g is not None and g.shape == boxes_shape and is_open(output, g.ndim - 1):
            matched[output.name] = "detection_values"
    return matched


def pairing(actual, expected, classes=None):
    """For each golden row, the actual row paired with it: every golden row takes the nearest free
    actual row, nearest pairs first, and with `classes` ((actual, golden) labels per row) only a
    row of its own class (ModelGate's `match: detections` pairing): detections reordered between
    two correct executions compare with each other."""
    a = np.asarray(actual, np.float64).reshape(len(actual), -1)
    g = np.asarray(expected, np.float64).reshape(len(expected), -1)
    distance = ((a[:, None, :] - g[None, :, :]) ** 2).sum(-1)
    if classes is not None:
        distance[np.asarray(classes[0]).reshape(-1)[:, None] != np.asarray(classes[1]).reshape(-1)[None, :]] = np.inf
    order = np.argsort(distance, axis=None, kind="stable")
    taken, rows = set(), {}
    for flat in order:
        i, j = divmod(int(flat), len(g))
        if i in taken or j in rows or not np.isfinite(distance[i, j]):
            continue
        taken.add(i)
        rows[j] = i
    return rows


def relative_error(result, golden, matched=None):
    """The largest max |a − golden| / max |golden| over the outputs. `matched` maps an output to its
    `match` (detections, detection_values): the detections output is paired first, within the class
    an integer detection_values output gives, and the other matched outputs follow its pairing;
    golden rows left over (the actual output holds fewer) are left out."""
    matched = matched or {}
    outputs = {}
    for name, expected in golden.items():
        actual = result.get(name)
        if actual is None and len(result) == 1 and len(golden) == 1:
            actual = next(iter(result.values()))
        if actual is None or (name not in matched and np.asarray(actual).shape != expected.shape):
            return float("inf")
        outputs[name] = np.asarray(actual)
    rows = None
    boxes = next((n for n, kind in matched.items() if kind == "detections" and n in golden), None)
    if boxes is not None and len(golden[boxes]) > 0:
        labels = next((n for n, kind in matched.items() if kind == "detection_values" and n in outputs and outputs[n].dtype.kind in "iu"), None)
        rows = pairing(outputs[boxes], golden[boxes], (outputs[labels], golden[labels]) if labels else None)
    worst = 0.0
    for name, expected in golden.items():
        actual = outputs[name]
        if name in matched and rows is not None:
            keep = sorted(rows)
            actual, expected = actual[[rows[j] for j in keep]], expected[keep]
        if expected.size == 0:
            continue
        scale = float(np.max(np.abs(expected))) or 1.0
        worst = max(worst, float(np.max(np.abs(np.asarray(actual, np.float64) - expected))) / scale)
    return worst


def keras_float64(source, inputs):
    """The Keras model at `source` run in float64 on `inputs`, by output name (as golden.h5 names them)."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    def widened(config):
        if isinstance(config, dict):
            return {key: "float64" if value == "float32" else widened(value) for key, value in config.items()}
        if isinstance(config, list):
            return [widened(value) for value in config]
        return config

    model = keras.saving.load_model(source, compile=False) if source.endswith(".keras") else keras.models.load_model(source, compile=False)
    wide = model.__class__.from_config(widened(model.get_config()))
    wide.set_weights([weight.astype(np.float64) for weight in model.get_weights()])
    values = [value.astype(np.float64) if value.dtype.kind == "f" else value for value in inputs.values()]
    result = wide.predict(values if len(values) > 1 else values[0], verbose=0)
    result = result if isinstance(result, (list, tuple)) else [result]
    return result


def float64_errors(source, inputs, golden, ours):
    """(ModelGate vs float64, framework vs float64): max |a − exact| / max |exact| over the outputs,
    outputs paired with golden's in order."""
    exact = keras_float64(source, inputs)
    mg = fw = 0.0
    for expected, reference, actual in zip(golden.values(), exact, ours.values()):
        reference = np.asarray(reference, np.float64).reshape(expected.shape)
        scale = float(np.max(np.abs(reference))) or 1.0
        fw = max(fw, float(np.max(np.abs(expected - reference))) / scale)
        mg = max(mg, float(np.max(np.abs(np.asarray(actual, np.float64).reshape(expected.shape) - reference))) / scale)
    return mg, fw


def run_ort(path, inputs):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    feeds = {}
    for meta in session.get_inputs():
        value = inputs.get(meta.name, next(iter(inputs.values())) if len(inputs) == 1 else None)
        kind = {"tensor(float)": np.float32, "tensor(int64)": np.int64, "tensor(int32)": np.int32}.get(meta.type, None)
        feeds[meta.name] = value.astype(kind) if kind else value
    batch_fixed = any(isinstance(i.shape[0], int) and i.shape[0] == 1 for i in session.get_inputs() if i.shape)
    count = next(iter(feeds.values())).shape[0]
    outputs = [o.name for o in session.get_outputs()]
    if batch_fixed and count > 1:
        parts = [session.run(None, {n: v[i:i + 1] for n, v in feeds.items()}) for i in range(count)]
        return {name: np.concatenate([p[k] for p in parts]) for k, name in enumerate(outputs)}
    return dict(zip(outputs, session.run(None, {n: feeds[n] for n in names})))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=os.path.join(ROOT, ".cache", "zoo"))
    parser.add_argument("--only", default="")
    parser.add_argument("--modelgate", default=os.path.join(ROOT, ".build", "release", "modelgate"))
    parser.add_argument("--exact", action="store_true", help="also measure Keras models against their float64 run")
    args = parser.parse_args()
    with open(os.path.join(args.corpus, "corpus.yml")) as handle:
        manifest = yaml.safe_load(handle)
    extra = " ModelGate vs float64 | framework vs float64 |" if args.exact else ""
    print(f"| model | convert s | check | ModelGate vs framework | ORT vs framework | exec s |{extra} result |")
    print("|---|---|---|---|---|---|" + ("---|---|" if args.exact else "") + "---|")
    work = tempfile.mkdtemp(prefix="zoo-")
    try:
        passed, failed = compare_all(args, manifest, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def compare_all(args, manifest, work):
    """One table row per model of the manifest that --only selects; converted files and outputs go
    to `work`, each model's removed once its row is printed (a converted zoo is tens of GB)."""
    passed = failed = 0
    for name, entry in sorted(manifest["models"].items()):
        if args.only and not any(p in name for p in args.only.split(",")):
            continue
        source = os.path.join(args.corpus, entry["source"])
        golden_path = os.path.join(os.path.dirname(source), "golden.h5")
        golden = read(golden_path, "outputs")
        inputs = read(golden_path, "inputs")
        tolerance = 1e-4
        tolerances = entry.get("tolerances") or {}
        matched = {k: v["match"] for k, v in tolerances.items() if isinstance(v, dict) and "match" in v}
        onnx_path = source if source.endswith(".onnx") else os.path.join(work, f"{name}.onnx")
        started = time.time()
        convert = subprocess.run([args.modelgate, "convert", source, onnx_path], capture_output=True, text=True) \
            if onnx_path != source else None
        convert_seconds = time.time() - started
        if convert is not None and convert.returncode != 0:
            print(f"| {name} | — | — | convert failed: {convert.stderr.strip().splitlines()[-1][:150]} | — | — | fail |")
            failed += 1
            continue
        check = subprocess.run([args.modelgate, "check", onnx_path], capture_output=True, text=True)
        out_path = os.path.join(work, f"{name}.out.h5")
        started = time.time()
        run = subprocess.run([args.modelgate, "exec", onnx_path, "--inputs", golden_path, "--outputs", out_path, "--force"],
                             capture_output=True, text=True)
        exec_seconds = time.time() - started
        matched = {k: v for k, v in {**detector_outputs(onnx_path, golden), **matched}.items() if v != "elements"}
        ours = relative_error(read(out_path, "outputs"), golden, matched) if run.returncode == 0 else float("inf")
        try:
            theirs = relative_error(run_ort(onnx_path, inputs), golden, matched)
        except Exception as error:  # ONNX Runtime refusing the file is a result too
            theirs = f"error: {str(error).splitlines()[0][:80]}"
        step = output_step(onnx_path)
        if step is not None:
            scale = max(float(np.max(np.abs(g))) for g in golden.values()) or 1.0
            limit = step * 1.001 / scale
        else:
            limit = tolerance
        ok = run.returncode == 0 and check.returncode == 0 and ours <= limit
        exact_text, verdict = "", "pass" if ok else "FAIL"
        if args.exact and source.endswith((".h5", ".keras")) and run.returncode == 0:
            mg64, fw64 = float64_errors(source, inputs, golden, read(out_path, "outputs"))
            exact_text = f" {mg64:.2e} | {fw64:.2e} |"
            if not ok and check.returncode == 0 and mg64 <= max(tolerance, fw64):
                ok, verdict = True, "pass: as close to float64 as the framework"
        elif args.exact:
            exact_text = " — | — |"
        passed, failed = passed + ok, failed + (not ok)
        ours_text = f"{ours:.2e}" if run.returncode == 0 else f"exec failed: {run.stderr.strip().splitlines()[-1][:150] if run.stderr.strip() else run.returncode}"
        theirs_text = theirs if isinstance(theirs, str) else f"{theirs:.2e}"
        check_text = "valid" if check.returncode == 0 else "invalid"
        print(f"| {name} | {convert_seconds:.1f} | {check_text} | {ours_text} | {theirs_text} | {exec_seconds:.1f} |{exact_text} {verdict} |",
              flush=True)
        for path in {onnx_path, out_path} - {source}:
            if os.path.exists(path):
                os.remove(path)
    return passed, failed


if __name__ == "__main__":
    sys.exit(main())
