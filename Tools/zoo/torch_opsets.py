"""Builds torchvision and Hugging Face transformers models exported at the older opsets that
deployed pipelines and older exporters still write (opset 9, 11, 13, 14 and 15) into the zoo.

torch_models.py exports at opset 17 and torch_dynamo.py at 18; a model exported at opset 11 or 13
spells the same computation with other operator versions: Squeeze/Unsqueeze/ReduceSum/Split with
axes as attributes (opset 11) or inputs (13), Resize-11 with its `roi` input, LayerNormalization
and HardSwish decomposed into elementary operators (before 17 and 14), attention without
scaled_dot_product_attention (before 14), Clip with min/max attributes and Slice with attributes
(opset 9). Not at opset 9: a bilinear interpolation (LR-ASPP), which Upsample-9 cannot express
(the export is 2.99 from PyTorch under ONNX Runtime too). The models, random weights,
inputs, golden outputs and calibration data are those of torch_models.py (its functions build
them); only `opset_version` of the TorchScript exporter (`dynamo=False`) differs. Names are
`opset<N>_<model>`. Each export is cross-checked with ONNX Runtime (printed, not stored).
"""
import argparse
import os
import sys

import numpy as np

import torch_models as tm
import zoo_common as zc

# torchvision model: (constructor, input size, kind, opsets)
TORCHVISION = {
    "resnet18": ("resnet18", 96, "classify", (9, 11, 13)),
    "mobilenet_v3_small": ("mobilenet_v3_small", 96, "classify", (9, 11, 13)),
    "efficientnet_b0": ("efficientnet_b0", 96, "classify", (11, 13)),
    "squeezenet1_1": ("squeezenet1_1", 96, "classify", (9,)),
    "googlenet": ("googlenet", 96, "classify", (11,)),
    "convnext_tiny": ("convnext_tiny", 64, "classify", (13, 15)),
    "vit_b_16": ("vit_b_16", 64, "classify", (14, 15)),
    "swin_t": ("swin_t", 64, "classify", (15,)),
    "lraspp_mobilenet_v3_large": ("segmentation.lraspp_mobilenet_v3_large", 96, "segment", (11, 13)),
    "deeplabv3_mobilenet_v3_large": ("segmentation.deeplabv3_mobilenet_v3_large", 96, "segment", (11,)),
}
# transformers model of torch_models.hf_models: opsets
TRANSFORMERS = {"hf_bert": (11, 13), "hf_distilbert": (11, 13), "hf_gpt2": (13, 15), "hf_t5_encoder": (13,), "hf_vit": (11, 15)}


def torchvision_model(torch, torchvision, dotted, size, kind):
    """The module (segmenters return their `out` map), golden feeds and calibration feeds."""
    torch.manual_seed(zc.SEED)
    options = {"weights": None}
    if kind == "segment":
        options["weights_backbone"] = None
    if dotted == "googlenet":
        options.update(aux_logits=False, init_weights=True)
    if dotted == "vit_b_16":
        options["image_size"] = size
    model = tm.constructor(torchvision, dotted)(**options).eval()
    tm.randomize_batchnorm(torch, model, torch.from_numpy(tm.images(size, zc.CALIBRATION_COUNT)))
    if kind != "segment":
        return model, {"image": tm.images(size)}, {"image": tm.images(size, zc.CALIBRATION_COUNT)}

    class Segmenter(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, image):
            return self.inner(image)["out"]
    return Segmenter(model).eval(), {"image": tm.images(size)}, {"image": tm.images(size, zc.CALIBRATION_COUNT)}


def transformers_model(torch, transformers, name):
    """The module returning the model's one output, its name, the golden and calibration feeds, and
    each input's dynamic axes."""
    models, _ = tm.hf_models(transformers)
    config, model_class, kind = models[name]
    torch.manual_seed(zc.SEED)
    config._attn_implementation = "eager"
    model = model_class(config).eval()
    tm.randomize_zero_layers(torch, model)
    if kind == "image":
        size = config.image_size
        feeds, calibration = {"pixel_values": tm.images(size)}, {"pixel_values": tm.images(size, zc.CALIBRATION_COUNT)}
        axes = {"pixel_values": {0: "batch"}}
    else:
        ids = zc.token_ids(2, tm.HF_LENGTH, tm.HF_VOCABULARY)
        calibration_ids = zc.token_ids(zc.CALIBRATION_COUNT, tm.HF_LENGTH, tm.HF_VOCABULARY, seed=zc.SEED + 1)
        feeds = {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)}
        calibration = {"input_ids": calibration_ids, "attention_mask": (calibration_ids != 0).astype(np.int64)}
        axes = {n: {0: "batch", 1: "sequence"} for n in feeds}
    output = "last_hidden_state" if kind == "encoder" else "logits"
    names = list(feeds)

    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *args):
            return getattr(self.inner(**dict(zip(names, args))), output)
    return Wrapper(model).eval(), output, feeds, calibration, axes


def build(torch, name, opset, module, feeds, calibration, output, axes, data, provenance, stamp):
    directory = zc.model_dir(name)
    entry = {name: {"source": f"{name}/model.onnx"}}
    if zc.done(directory, stamp):
        return entry
    tensors = tuple(torch.from_numpy(v) for v in feeds.values())
    with torch.no_grad():
        result = module(*tensors).numpy()
        torch.onnx.export(module, tensors, os.path.join(directory, "model.onnx"), input_names=list(feeds), output_names=[output],
                          opset_version=opset, dynamic_axes={**axes, output: {0: "batch"}}, do_constant_folding=True, dynamo=False)
    zc.write_golden(directory, feeds, {output: result}, f"{provenance}; TorchScript export at opset {opset}", data)
    zc.write_calibration(directory, calibration, f"{zc.CALIBRATION_COUNT} seeded inputs of the same kind")
    tm.cross_check(os.path.join(directory, "model.onnx"), feeds, {output: result})
    zc.mark_done(directory, stamp)
    print(f"{name}: exported at opset {opset}", flush=True)
    return entry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=os.environ.get("ZOO_ONLY", ""))
    args = parser.parse_args()
    import torch
    import torchvision
    import transformers
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    torch.backends.mha.set_fastpath_enabled(False)
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "torch_models.py"), os.path.join(zc.HERE, "zoo_common.py"))
    entries, failures = {}, []

    def attempt(name, build_one):
        try:
            entries.update(build_one())
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__}: {str(error)[:500]}")
            print(failures[-1], file=sys.stderr, flush=True)

    versions = f"pytorch {torch.__version__} / torchvision {torchvision.__version__}, module.eval() forward, float32"
    for model, (dotted, size, kind, opsets) in TORCHVISION.items():
        for opset in opsets:
            name = f"opset{opset}_tv_{model}"
            if not zc.selected(name, args.only):
                continue
            data = f"{zc.PHOTO_NOTE} to {size}x{size}, /255, ImageNet mean/std, NCHW"
            output = "mask" if kind == "segment" else "logits"

            def build_torchvision(dotted=dotted, size=size, kind=kind, name=name, opset=opset, output=output, data=data):
                module, feeds, calibration = torchvision_model(torch, torchvision, dotted, size, kind)
                return build(torch, name, opset, module, feeds, calibration, output, {"image": {0: "batch"}}, data, versions, stamp)
            attempt(name, build_torchvision)
    versions = f"pytorch {torch.__version__} / transformers {transformers.__version__}, module.eval() forward, float32"
    for model, opsets in TRANSFORMERS.items():
        for opset in opsets:
            name = f"opset{opset}_{model}"
            if not zc.selected(name, args.only):
                continue

            def build_transformers(model=model, name=name, opset=opset):
                module, output, feeds, calibration, axes = transformers_model(torch, transformers, model)
                data = ("seeded token ids (zoo_common.token_ids), attention mask 0 on padding" if "input_ids" in feeds
                        else f"{zc.PHOTO_NOTE}, /255, ImageNet mean/std, NCHW")
                return build(torch, name, opset, module, feeds, calibration, output, axes, data, versions, stamp)
            attempt(name, build_transformers)
    zc.write_entries("torch_opsets", entries, args.only)
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
