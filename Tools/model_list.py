"""The command line shared by the per-model onnx tools: `[--list FILE] [MODEL ...]`, one JSON line
printed per model by a function of its path."""
import argparse
import json
import sys


def run(per_model):
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", help="a file with one model path per line")
    parser.add_argument("models", nargs="*")
    args = parser.parse_args()
    paths = list(args.models)
    if args.list:
        with open(args.list) as handle:
            paths += [line.strip() for line in handle if line.strip()]
    for path in paths:
        sys.stdout.write(json.dumps(per_model(path)) + "\n")
        sys.stdout.flush()
