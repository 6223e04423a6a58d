"""Runs onnx.checker.check_model(full_check=True) on ONNX files and prints one JSON object per line.

Usage: python Tools/onnx_check.py [--list FILE] [MODEL ...]
Each line is {"path": ..., "valid": true|false, "error": "first line of the checker's message"}.
The verdicts are the reference the Swift tests compare ModelGate's own checks and round trips with.
"""

import onnx

import model_list


def verdict(path):
    try:
        onnx.checker.check_model(path, full_check=True)
        return {"path": path, "valid": True, "error": ""}
    except Exception as error:  # the checker raises several exception types
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return {"path": path, "valid": False, "error": first_line}


if __name__ == "__main__":
    model_list.run(verdict)
