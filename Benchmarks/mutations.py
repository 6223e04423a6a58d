"""The mutation benchmark: how many classic conversion bugs ModelGate's default noise-floor gate
catches, and how many Polygraphy's default comparison catches on the same outputs.

Two steps (`Benchmarks/mutations.sh` runs both with `modelgate run` between them):

`prepare`: builds the mutation corpus (default .cache/mutations, never committed) from zoo models
(default .cache/zoo, `make zoo`). Per model: its correct ONNX conversion as `model.onnx` (`modelgate
convert` for Keras and TFLite sources, a link to the ONNX file for tv_/hf_ models), and links to the
zoo's `golden.h5` (the source framework's outputs) and `calibration.h5`. Every kind of
`Benchmarks/mutate_onnx.py` that changes at least one place of the graph is written to
`mutants/<kind>.onnx` and run with `modelgate exec` on the golden inputs (`outputs/<kind>.h5`, the
unchanged model as `outputs/fp32.h5`); a mutant whose outputs equal the unchanged model's bit for bit
(a bias that is zero anyway, nearest-neighbour sampling the mode change does not move) changes
nothing the model computes and is not listed. `corpus.yml` declares one external path per kind,
whose command runs `mutate_onnx.py KIND {input} {output}`, and lists per model `fp32`, `mut-none`
(the control: the model written back unchanged) and its applicable kinds; `plan.json` records the
sites and the mutants left out.

`report`: reads the run's `report.json`. A mutant cell is caught when its verdict is `fail`; a
correct cell (`fp32`, `mut-none`) must pass. The same outputs (`outputs/<kind>.h5`, ModelGate's
executor on the same file) are judged by Polygraphy's default comparison against golden.h5: rtol =
atol = 1e-5 with `check_error_stat` "elemwise", where an element fails when its absolute difference
exceeds atol AND its relative difference |out − golden| / |golden| (golden zeros replaced by 2.2e-16)
exceeds rtol, and an output fails when any element does (polygraphy/comparator/compare.py,
`CompareFunc.simple`). Prints Markdown tables: per kind, per model, and every missed mutant or
failed correct cell with its outputs' floor ratios; `--json` writes the figures.

Usage:
    $PY Benchmarks/mutations.py prepare [--zoo DIR] [--corpus DIR] [--all | --models a,b] [--modelgate PATH]
    $PY Benchmarks/mutations.py report --run DIR [--corpus DIR] [--json FILE]
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
MUTATE = os.path.join(ROOT, "Benchmarks", "mutate_onnx.py")
sys.path.insert(0, os.path.dirname(MUTATE))
import mutate_onnx  # noqa: E402

CONTROLS = ["fp32", "mut-none"]
KINDS = [kind for kind in mutate_onnx.KINDS if kind != "mut-none"]
POLYGRAPHY_RTOL = POLYGRAPHY_ATOL = 1e-5
POLYGRAPHY_EPSILON = 2.220446049250313e-16

# The default subset: Keras convnets with BatchNormalization and stride-2 SAME convolutions, Keras,
# Hugging Face and torchvision models with LayerNormalization and GELU, torchvision models whose
# BatchNormalization is folded into biases, and the segmentation models with Resize; small ones.
DEFAULT_MODELS = [
    "keras_mobilenet.h5", "keras_mobilenet_v2.h5", "keras_mobilenet_v3_small.keras",
    "keras_efficientnet_b0.h5", "keras_densenet121.h5", "keras_ops_cnn.keras",
    "keras_convnext_tiny.keras", "keras_text_transformer.keras", "keras_gpt_block.keras",
    "keras_timeseries_conv1d.h5", "tflite_ops_cnn_fp32",
    "hf_bert", "hf_gpt2", "hf_vit",
    "tv_resnet18", "tv_mobilenet_v3_small", "tv_squeezenet1_1", "tv_densenet121",
    "tv_lraspp_mobilenet_v3_large", "tv_deeplabv3_mobilenet_v3_large", "tv_fcn_resnet50",
]


def load_manifest(path):
    """The zoo's corpus.yml (PyYAML when present, else its one-entry-per-line flow mappings)."""
    try:
        import yaml
        with open(path) as handle:
            return yaml.safe_load(handle)["models"]
    except ImportError:
        models = {}
        with open(path) as handle:
            for line in handle:
                match = re.match(r"^  ([A-Za-z0-9_.\-]+): (\{.*\})\s*$", line)
                if match:
                    models[match.group(1)] = json.loads(match.group(2))
        return models


def is_float_source(name, entry):
    """Float32 models only: fp16 and int8 sources are not judged by the noise floor."""
    source = entry["source"]
    return not (source.endswith(".tflite") and re.search(r"_(fp16|int8)$", name))


def read_group(path, group):
    with h5py.File(path, "r") as f:
        return {name: np.asarray(f[group][name]) for name in f[group]} if group in f else {}


def same_outputs(a, b):
    return a.keys() == b.keys() and all(a[k].shape == b[k].shape and np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def run(command, log):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        log.write(f"$ {' '.join(command)}\n{result.stdout}\n")
    return result.returncode == 0, result.stdout.strip().splitlines()[-1:] if result.stdout.strip() else []


def yaml_string(value):
    return json.dumps(value)


def prepare(args):
    zoo = os.path.abspath(args.zoo)
    corpus = os.path.abspath(args.corpus)
    manifest = load_manifest(os.path.join(zoo, "corpus.yml"))
    if args.all:
        names = sorted(n for n, e in manifest.items() if is_float_source(n, e))
    else:
        names = args.models.split(",") if args.models else DEFAULT_MODELS
    missing = [n for n in names if n not in manifest]
    if missing:
        sys.exit(f"{os.path.join(zoo, 'corpus.yml')}: no model named {', '.join(missing)}; build the zoo with `make zoo`")
    os.makedirs(corpus, exist_ok=True)
    log = open(os.path.join(corpus, "prepare.log"), "w")
    python = sys.executable
    plan = {"zoo": zoo, "models": {}, "skipped": {}}
    entries = []
    for name in names:
        entry = manifest[name]
        source = os.path.join(zoo, entry["source"])
        folder = os.path.join(corpus, name)
        os.makedirs(os.path.join(folder, "mutants"), exist_ok=True)
        os.makedirs(os.path.join(folder, "outputs"), exist_ok=True)
        model = os.path.join(folder, "model.onnx")
        for companion in ("golden.h5", "calibration.h5"):
            link = os.path.join(folder, companion)
            if not os.path.lexists(link) and os.path.exists(os.path.join(os.path.dirname(source), companion)):
                os.symlink(os.path.join(os.path.dirname(source), companion), link)
        if source.endswith(".onnx"):
            if not os.path.lexists(model):
                os.symlink(source, model)
        elif not os.path.exists(model):
            ok, tail = run([args.modelgate, "convert", source, model], log)
            if not ok:
                plan["skipped"][name] = "modelgate convert failed: " + " ".join(tail)
                print(f"{name}: skipped, {plan['skipped'][name]}", file=sys.stderr)
                shutil.rmtree(folder, ignore_errors=True)
                continue
        golden = os.path.join(folder, "golden.h5")
        sites = json.loads(subprocess.run([python, MUTATE, "--sites", model], check=True, stdout=subprocess.PIPE, text=True).stdout)
        outputs = {}
        for path in ["fp32"] + ["mut-none"] + [k for k in KINDS if sites[k] > 0]:
            file = model if path == "fp32" else os.path.join(folder, "mutants", path + ".onnx")
            if path != "fp32" and not os.path.exists(file):
                subprocess.run([python, MUTATE, path, model, file], check=True)
            result = os.path.join(folder, "outputs", path + ".h5")
            if not os.path.exists(result):
                ok, tail = run([args.modelgate, "exec", file, "--inputs", golden, "--outputs", result, "--force"], log)
                if not ok:
                    outputs[path] = None
                    continue
            outputs[path] = read_group(result, "outputs")
        if outputs.get("fp32") is None:
            plan["skipped"][name] = "modelgate exec failed on the unchanged model (see prepare.log)"
            print(f"{name}: skipped, {plan['skipped'][name]}", file=sys.stderr)
            continue
        paths, no_effect = list(CONTROLS), []
        for kind in KINDS:
            if sites[kind] == 0:
                continue
            if outputs.get(kind) is not None and same_outputs(outputs[kind], outputs["fp32"]):
                no_effect.append(kind)
            else:
                paths.append(kind)
        plan["models"][name] = {"source": entry["source"], "sites": {k: sites[k] for k in KINDS if sites[k]},
                                "paths": paths, "no_effect": no_effect}
        line = {"source": f"{name}/model.onnx", "paths": paths}
        if "tolerances" in entry:
            line["tolerances"] = entry["tolerances"]
        entries.append((name, line))
        print(f"{name}: {', '.join(paths[2:]) or 'no mutation applies'}"
              + (f" (no effect: {', '.join(no_effect)})" if no_effect else ""), file=sys.stderr)
    with open(os.path.join(corpus, "corpus.yml"), "w") as handle:
        handle.write("# The mutation benchmark's corpus, made by Benchmarks/mutations.py prepare from "
                     f"{zoo}.\n# Every external path injects one conversion bug (Benchmarks/mutate_onnx.py); "
                     "mut-none writes the model unchanged.\n")
        handle.write("external_paths:\n")
        for kind in ["mut-none"] + KINDS:
            command = f"{python} {MUTATE} {kind} {{input}} {{output}}"
            handle.write(f"  {kind}: {{command: {yaml_string(command)}}}\n")
        handle.write("models:\n")
        for name, line in entries:
            handle.write(f"  {name}: {json.dumps(line)}\n")
    with open(os.path.join(corpus, "plan.json"), "w") as handle:
        json.dump(plan, handle, indent=1, sort_keys=True)
    cells = sum(len(line["paths"]) for _, line in entries)
    print(f"{len(entries)} models, {cells} cells in {os.path.join(corpus, 'corpus.yml')}", file=sys.stderr)


def polygraphy_fails(actual, golden):
    """Polygraphy's default check of every output (rtol = atol = 1e-5, elemwise): names of failing outputs."""
    failing = []
    for name, expected in golden.items():
        value = actual.get(name)
        if value is None and len(actual) == 1 and len(golden) == 1:
            value = next(iter(actual.values()))
        if value is None or value.shape != expected.shape:
            failing.append(name)
            continue
        value = value.astype(np.float64)
        expected = expected.astype(np.float64)
        absdiff = np.abs(value - expected)
        denominator = np.abs(np.where(expected == 0, expected + POLYGRAPHY_EPSILON, expected))
        with np.errstate(divide="ignore", invalid="ignore"):
            reldiff = absdiff / denominator
        mismatches = ((absdiff > POLYGRAPHY_ATOL) | np.isnan(absdiff)) & ((reldiff > POLYGRAPHY_RTOL) | np.isnan(reldiff))
        if np.any(mismatches):
            failing.append(name)
    return failing


def number(value):
    return float(value) if not isinstance(value, str) else float(value.replace("inf", "Infinity").replace("nan", "NaN"))


def describe(cell):
    parts = []
    for output in cell.get("outputs", []):
        ratio = output.get("floorRatio")
        floor = output.get("noiseFloor", {}).get("allowance")
        parts.append(f"{output['name']}: max abs error {number(output['maxAbsError']):.3g}"
                     + (f", floor {number(floor):.3g}, ratio {number(ratio):.3g}" if ratio is not None else ", no floor"))
    if cell.get("error"):
        parts.append(f"error at {cell['error']['stage']}: {cell['error']['message'][:200]}")
    return "; ".join(parts)


def report(args):
    corpus = os.path.abspath(args.corpus)
    path = args.run if args.run.endswith(".json") else os.path.join(args.run, "report.json")
    with open(path) as handle:
        data = json.load(handle)
    rows = {kind: {"cells": 0, "caught": 0, "errors": 0, "polygraphy": 0, "models": []} for kind in CONTROLS + KINDS}
    details, ratios = [], {}
    for cell in data["cells"]:
        model, kind, verdict = cell["model"], cell["path"], cell["verdict"]
        if kind not in rows:
            continue
        row = rows[kind]
        row["cells"] += 1
        row["models"].append(model)
        failed = verdict == "fail"
        row["caught"] += failed
        row["errors"] += verdict == "error"
        golden = read_group(os.path.join(corpus, model, "golden.h5"), "outputs")
        result = os.path.join(corpus, model, "outputs", kind + ".h5")
        polygraphy = polygraphy_fails(read_group(result, "outputs"), golden) if os.path.exists(result) else ["(no outputs)"]
        row["polygraphy"] += bool(polygraphy)
        if polygraphy and kind in CONTROLS:
            row.setdefault("polygraphyFalseFailures", []).append(model)
        finite = [number(o["floorRatio"]) for o in cell.get("outputs", []) if o.get("floorRatio") is not None]
        ratios.setdefault(kind, []).append(max(finite) if finite else float("nan"))
        wrong = (kind in CONTROLS) == (verdict != "pass")
        if wrong or verdict == "error":
            details.append((kind, model, verdict, describe(cell)))
    date = datetime.date.today().isoformat()
    print(f"Run {data['metadata']['runId']} ({data['metadata'].get('toolVersion', '?')}), "
          f"{len({c['model'] for c in data['cells']})} models, {len(data['cells'])} cells, report {path}, {date}\n")
    print("| path | cells | failed by ModelGate (default max_floor_ratio 16) | catch rate | failed by Polygraphy (rtol = atol = 1e-5) | Polygraphy catch rate | smallest / median floor ratio |")
    print("|---|---|---|---|---|---|---|")
    mutant_cells = mutant_caught = mutant_poly = 0
    for kind in KINDS + CONTROLS:
        row = rows[kind]
        if row["cells"] == 0:
            print(f"| `{kind}` | 0 | – | – | – | – | – |")
            continue
        values = sorted(r for r in ratios[kind] if r == r)
        spread = f"{values[0]:.3g} / {values[len(values) // 2]:.3g}" if values else "–"
        if kind in CONTROLS:
            print(f"| `{kind}` (correct) | {row['cells']} | {row['caught']} false failures | – | {row['polygraphy']} false failures | – | largest {values[-1]:.3g} |" if values else
                  f"| `{kind}` (correct) | {row['cells']} | {row['caught']} false failures | – | {row['polygraphy']} false failures | – | – |")
            continue
        mutant_cells += row["cells"]
        mutant_caught += row["caught"]
        mutant_poly += row["polygraphy"]
        print(f"| `{kind}` | {row['cells']} | {row['caught']} | {100.0 * row['caught'] / row['cells']:.1f} % | "
              f"{row['polygraphy']} | {100.0 * row['polygraphy'] / row['cells']:.1f} % | {spread} |")
    if mutant_cells:
        print(f"| all mutants | {mutant_cells} | {mutant_caught} | {100.0 * mutant_caught / mutant_cells:.1f} % | "
              f"{mutant_poly} | {100.0 * mutant_poly / mutant_cells:.1f} % | |")
    if details:
        print("\nMissed mutants, failed correct cells and errors:\n")
        for kind, model, verdict, text in details:
            print(f"- `{model}` × `{kind}`: {verdict}; {text}")
    false_failures = sorted({m for kind in CONTROLS for m in rows[kind].get("polygraphyFalseFailures", [])})
    if false_failures:
        print(f"\nCorrect cells Polygraphy's default fails: {', '.join(f'`{m}`' for m in false_failures)}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"runId": data["metadata"]["runId"], "rows": rows, "floorRatios": ratios,
                       "details": details}, handle, indent=1, sort_keys=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--zoo", default=os.path.join(ROOT, ".cache", "zoo"))
    p.add_argument("--corpus", default=os.path.join(ROOT, ".cache", "mutations"))
    p.add_argument("--all", action="store_true", help="every float32 model of the zoo")
    p.add_argument("--models", default="", help="comma-separated zoo model names instead of the default subset")
    p.add_argument("--modelgate", default=os.environ.get("MODELGATE", os.path.join(ROOT, ".build", "release", "modelgate")))
    r = sub.add_parser("report")
    r.add_argument("--corpus", default=os.path.join(ROOT, ".cache", "mutations"))
    r.add_argument("--run", required=True, help="the run's report folder or report.json")
    r.add_argument("--json", default="")
    args = parser.parse_args()
    prepare(args) if args.command == "prepare" else report(args)


if __name__ == "__main__":
    main()
