"""How far float32 executions of a zoo transformer land from exact, to tell an exporter's difference
from float32 rounding: PyTorch's module in float32, and in float64 with random relative noise on
every leaf module's output (±2⁻²⁴ and ±2⁻²³, three seeds each: Monte Carlo arithmetic), each
against the module's float64 run; then ModelGate's run of the exported file (`modelgate exec` on the
zoo's golden inputs) against the same float64 run.

Usage: .cache/venv-corpus/bin/python Benchmarks/torch_float32_spread.py hf_longformer
Environment: ZOO (default .cache/zoo), MODELGATE (default: a release build of this checkout).
The model must be one of Tools/zoo/torch_wide.py's Hugging Face models (built by `make zoo`).
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "Tools", "zoo"))

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

import torch_models as tm  # noqa: E402
import torch_wide as tw  # noqa: E402
import zoo_common as zc  # noqa: E402


def run(model, feeds, output, dtype, noise=0.0, seed=0):
    generator = torch.Generator().manual_seed(seed)
    hooks = []
    if noise:
        def perturb(module, inputs, result):
            if isinstance(result, torch.Tensor) and result.is_floating_point():
                return result * (1 + noise * (2 * torch.rand(result.shape, generator=generator, dtype=result.dtype) - 1))
        hooks = [m.register_forward_hook(perturb) for m in model.modules() if not list(m.children())]
    tensors = {k: torch.from_numpy(v).to(dtype) if v.dtype.kind == "f" else torch.from_numpy(v) for k, v in feeds.items()}
    with torch.no_grad():
        result = getattr(model(**tensors), output).double().numpy()
    for hook in hooks:
        hook.remove()
    return result


def main():
    name = sys.argv[1]
    zoo = os.environ.get("ZOO", os.path.join(ROOT, ".cache", "zoo"))
    modelgate = os.environ.get("MODELGATE") or subprocess.check_output(["bash", os.path.join(ROOT, "Benchmarks", "modelgate-bin.sh")], text=True).strip()
    config, model_class, kind = tw.hf_models(transformers)[name]
    torch.manual_seed(zc.SEED)
    config._attn_implementation = "eager"
    model = model_class(config).eval()
    tm.randomize_zero_layers(torch, model)
    feeds, _, output, _, _ = tw.feeds_of(kind, config)
    single = run(model, feeds, output, torch.float32)
    model = model.double()
    exact = run(model, feeds, output, torch.float64)
    print(f"{name} {output}: largest |value| {np.abs(exact).max():.3e}")
    print(f"  PyTorch float32 vs float64: {np.abs(single - exact).max():.3e}")
    for noise in (2.0 ** -24, 2.0 ** -23):
        spread = [np.abs(run(model, feeds, output, torch.float64, noise, seed) - exact).max() for seed in range(3)]
        print(f"  float64 with ±{noise:.2e} relative noise on every module output: " + ", ".join(f"{s:.3e}" for s in spread))
    with tempfile.TemporaryDirectory() as folder:
        outputs = os.path.join(folder, "outputs.h5")
        subprocess.run([modelgate, "exec", os.path.join(zoo, name, "model.onnx"), "--inputs", os.path.join(zoo, name, "golden.h5"),
                        "--outputs", outputs], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(outputs) as handle:
            ours = handle["outputs"][output][:].astype(np.float64)
    print(f"  ModelGate float32 run of the exported file vs PyTorch float64: {np.abs(ours - exact).max():.3e}")


if __name__ == "__main__":
    main()
