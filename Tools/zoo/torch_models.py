"""Builds torchvision and Hugging Face transformers models into the zoo as ONNX files.

Every model comes from its library's own constructor with random weights (`weights=None`,
`weights_backbone=None`; transformers: a small config and `from_config`), seeded with
`torch.manual_seed(SEED)`, in eval mode, and is exported by `torch.onnx.export(..., opset_version=17,
dynamo=False)` (the TorchScript exporter, which writes opset 17 directly). BatchNorm layers of the
torchvision models get non-trivial statistics as in keras_applications.py: gamma ~ U(0.5, 1.5),
beta ~ N(0, 0.2), then one training-mode forward pass over the calibration crops with momentum None
(a cumulative average over one batch: the statistics of what each layer sees). Linear and Conv2d
layers a constructor initializes to all zeros (ViT's classifier head) get normal(0, 0.02) weights, or
their outputs would be constant.

Inputs: torchvision models take the two photographs (zoo_common.photographs) scaled to [0, 1] and
normalized with the ImageNet mean and standard deviation, NCHW, with a dynamic batch axis; detection
models take one image (their output count varies per image) through a wrapper that returns the
first image's boxes, scores and labels. transformers models take seeded token ids (int64, with an
attention mask that is 0 on the second sample's padding tail) or images.
Golden outputs: the module's eval-mode forward in float32 (`torch.no_grad()`), one thread,
deterministic algorithms. Each export is cross-checked with ONNX Runtime (printed, not stored).
"""
import argparse
import os
import sys

import numpy as np

import zoo_common as zc

MEAN = np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1)
STD = np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1)

# name: (constructor, input size, kind)
TORCHVISION = {
    "resnet18": ("resnet18", 96, "classify"),
    "resnext50_32x4d": ("resnext50_32x4d", 64, "classify"),
    "mobilenet_v2": ("mobilenet_v2", 96, "classify"),
    "mobilenet_v3_small": ("mobilenet_v3_small", 96, "classify"),
    "efficientnet_b0": ("efficientnet_b0", 96, "classify"),
    "efficientnet_v2_s": ("efficientnet_v2_s", 64, "classify"),
    "regnet_y_400mf": ("regnet_y_400mf", 96, "classify"),
    "densenet121": ("densenet121", 64, "classify"),
    "shufflenet_v2_x0_5": ("shufflenet_v2_x0_5", 96, "classify"),
    "squeezenet1_1": ("squeezenet1_1", 96, "classify"),
    "mnasnet0_5": ("mnasnet0_5", 96, "classify"),
    "googlenet": ("googlenet", 96, "classify"),
    "convnext_tiny": ("convnext_tiny", 64, "classify"),
    "vit_b_16": ("vit_b_16", 64, "classify"),
    "swin_t": ("swin_t", 64, "classify"),
    "lraspp_mobilenet_v3_large": ("segmentation.lraspp_mobilenet_v3_large", 96, "segment"),
    "deeplabv3_mobilenet_v3_large": ("segmentation.deeplabv3_mobilenet_v3_large", 96, "segment"),
    "fcn_resnet50": ("segmentation.fcn_resnet50", 64, "segment"),
    "ssdlite320_mobilenet_v3_large": ("detection.ssdlite320_mobilenet_v3_large", 320, "detect"),
    "fasterrcnn_mobilenet_v3_large_320_fpn": ("detection.fasterrcnn_mobilenet_v3_large_320_fpn", 320, "detect"),
}

HF_VOCABULARY = 1000
HF_LENGTH = 16


def hf_models(transformers):
    """name: (config, model class, kind); small configs of real architectures, eager attention."""
    common = dict(attn_implementation="eager")
    return {
        "hf_bert": (transformers.BertConfig(vocab_size=HF_VOCABULARY, hidden_size=64, num_hidden_layers=2,
                                            num_attention_heads=4, intermediate_size=128, max_position_embeddings=64,
                                            num_labels=3), transformers.BertForSequenceClassification, "text"),
        "hf_distilbert": (transformers.DistilBertConfig(vocab_size=HF_VOCABULARY, dim=64, n_layers=2, n_heads=4,
                                                        hidden_dim=128, max_position_embeddings=64, num_labels=3),
                          transformers.DistilBertForSequenceClassification, "text"),
        "hf_roberta": (transformers.RobertaConfig(vocab_size=HF_VOCABULARY, hidden_size=64, num_hidden_layers=2,
                                                  num_attention_heads=4, intermediate_size=128,
                                                  max_position_embeddings=64, num_labels=3),
                       transformers.RobertaForSequenceClassification, "text"),
        "hf_gpt2": (transformers.GPT2Config(vocab_size=HF_VOCABULARY, n_embd=64, n_layer=2, n_head=4, n_positions=64,
                                            use_cache=False), transformers.GPT2LMHeadModel, "causal"),
        "hf_t5_encoder": (transformers.T5Config(vocab_size=HF_VOCABULARY, d_model=64, d_kv=16, d_ff=128, num_layers=2,
                                                num_heads=4, use_cache=False), transformers.T5EncoderModel, "encoder"),
        "hf_vit": (transformers.ViTConfig(image_size=32, patch_size=8, hidden_size=64, num_hidden_layers=2,
                                          num_attention_heads=4, intermediate_size=128, num_labels=10),
                   transformers.ViTForImageClassification, "image"),
    }, common


def constructor(torchvision, dotted):
    target = torchvision.models
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


def randomize_zero_layers(torch, model):
    """Draws normal(0, 0.02) weights for layers a constructor initializes to zeros (ViT's classifier
    head): an all-zero layer makes its outputs constant, and a constant output checks nothing."""
    generator = torch.Generator().manual_seed(zc.SEED)
    for module in model.modules():
        weight = getattr(module, "weight", None)
        if isinstance(module, (torch.nn.Linear, torch.nn.Conv2d)) and weight is not None and not torch.any(weight):
            with torch.no_grad():
                weight.copy_(torch.randn(weight.shape, generator=generator) * 0.02)
                if module.bias is not None:
                    module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.02)


def randomize_batchnorm(torch, model, calibration):
    randomize_zero_layers(torch, model)
    rng = np.random.default_rng(zc.SEED)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        with torch.no_grad():
            norm.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, norm.weight.shape).astype(np.float32)))
            norm.bias.copy_(torch.from_numpy(rng.normal(0.0, 0.2, norm.bias.shape).astype(np.float32)))
        norm.reset_running_stats()
        norm.momentum = None
    if norms:
        model.train()
        with torch.no_grad():
            model(calibration)
    model.eval()


def images(size, count=None):
    x = (zc.photographs(size) if count is None else zc.calibration_crops(size, count)) / 255.0
    return ((x.transpose(0, 3, 1, 2) - MEAN) / STD).astype(np.float32)


def export(torch, module, args, path, input_names, output_names, dynamic_axes):
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                          opset_version=17, dynamic_axes=dynamic_axes, do_constant_folding=True, dynamo=False)


def cross_check(path, feeds, golden):
    import onnxruntime as ort
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    results = session.run(None, feeds)
    for name, result, expected in zip(golden, results, golden.values()):
        if result.shape != expected.shape:
            print(f"  {name}: ONNX Runtime shape {result.shape} vs {expected.shape}")
            continue
        scale = float(np.max(np.abs(expected))) or 1.0
        print(f"  {name}: ONNX Runtime vs golden max abs {float(np.max(np.abs(result - expected))):.3e} (scale {scale:.3e})")


def build_torchvision(torch, torchvision, name, dotted, size, kind, stamp):
    directory = zc.model_dir(f"tv_{name}")
    entry = {f"tv_{name}": {"source": f"tv_{name}/model.onnx"}}
    if zc.done(directory, stamp):
        return entry
    torch.manual_seed(zc.SEED)
    factory = constructor(torchvision, dotted)
    options = {"weights": None}
    if kind in ("segment", "detect"):
        options["weights_backbone"] = None
    if name == "googlenet":
        options.update(aux_logits=False, init_weights=True)
    if name == "vit_b_16":
        options["image_size"] = size
    model = factory(**options).eval()
    path = os.path.join(directory, "model.onnx")
    data = f"{zc.PHOTO_NOTE} to {size}x{size}, /255, ImageNet mean/std, NCHW"
    if kind == "detect":
        x = images(size)[:1]
        randomize_batchnorm(torch, model.backbone, torch.from_numpy(images(size, 4)))

        class Detector(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, image):
                result = self.inner([image[0]])[0]
                return result["boxes"], result["scores"], result["labels"]

        wrapper = Detector(model).eval()
        with torch.no_grad():
            outputs = [o.numpy() for o in wrapper(torch.from_numpy(x))]
        names = ["boxes", "scores", "labels"]
        export(torch, wrapper, (torch.from_numpy(x),), path, ["image"], names, None)
        golden = dict(zip(names, [o.astype(np.float32) for o in outputs]))
        feeds = {"image": x}
        data += "; the first photograph only (one image per detection call)"
    else:
        x = images(size)
        randomize_batchnorm(torch, model, torch.from_numpy(images(size, zc.CALIBRATION_COUNT)))
        module = model
        if kind == "segment":
            class Segmenter(torch.nn.Module):
                def __init__(self, inner):
                    super().__init__()
                    self.inner = inner

                def forward(self, image):
                    return self.inner(image)["out"]
            module = Segmenter(model).eval()
        output = "logits" if kind == "classify" else "mask"
        with torch.no_grad():
            result = module(torch.from_numpy(x)).numpy()
        export(torch, module, (torch.from_numpy(x),), path, ["image"], [output],
               {"image": {0: "batch"}, output: {0: "batch"}})
        golden = {output: result}
        feeds = {"image": x}
    provenance = f"pytorch {torch.__version__} / torchvision {torchvision.__version__}, module.eval() forward, float32"
    zc.write_golden(directory, feeds, golden, provenance, data)
    zc.write_calibration(directory, {"image": images(size, zc.CALIBRATION_COUNT)},
                         f"{zc.CALIBRATION_COUNT} seeded random crops of the two photographs, {size}x{size}, normalized")
    cross_check(path, feeds, golden)
    zc.mark_done(directory, stamp)
    print(f"tv_{name}: {sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
    return entry


def build_hf(torch, transformers, name, config, model_class, kind, stamp):
    directory = zc.model_dir(name)
    entry = {name: {"source": f"{name}/model.onnx"}}
    if zc.done(directory, stamp):
        return entry
    torch.manual_seed(zc.SEED)
    config._attn_implementation = "eager"
    model = model_class(config).eval()
    randomize_zero_layers(torch, model)
    path = os.path.join(directory, "model.onnx")
    if kind == "image":
        size = config.image_size
        x = images(size)
        feeds = {"pixel_values": x}
        calibration = {"pixel_values": images(size, zc.CALIBRATION_COUNT)}
        data = f"{zc.PHOTO_NOTE} to {size}x{size}, /255, ImageNet mean/std, NCHW"
    else:
        ids = zc.token_ids(2, HF_LENGTH, HF_VOCABULARY)
        mask = (ids != 0).astype(np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        cal_ids = zc.token_ids(zc.CALIBRATION_COUNT, HF_LENGTH, HF_VOCABULARY, seed=zc.SEED + 1)
        calibration = {"input_ids": cal_ids, "attention_mask": (cal_ids != 0).astype(np.int64)}
        data = "seeded token ids (zoo_common.token_ids), attention mask 0 on padding"
    output = "last_hidden_state" if kind == "encoder" else "logits"

    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *args):
            names = list(feeds)
            return getattr(self.inner(**dict(zip(names, args))), output)

    wrapper = Wrapper(model).eval()
    tensors = tuple(torch.from_numpy(v) for v in feeds.values())
    with torch.no_grad():
        result = wrapper(*tensors).numpy()
    axes = {n: ({0: "batch"} if kind == "image" else {0: "batch", 1: "sequence"}) for n in feeds}
    axes[output] = {0: "batch"} if kind == "image" else {0: "batch", 1: "sequence"}
    export(torch, wrapper, tensors, path, list(feeds), [output], axes)
    provenance = f"pytorch {torch.__version__} / transformers {transformers.__version__}, module.eval() forward, float32"
    zc.write_golden(directory, feeds, {output: result}, provenance, data)
    zc.write_calibration(directory, calibration, f"{zc.CALIBRATION_COUNT} seeded inputs of the same kind")
    cross_check(path, feeds, {output: result})
    zc.mark_done(directory, stamp)
    print(f"{name}: {sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
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
    torch.backends.mha.set_fastpath_enabled(False)  # the fused attention kernel has no ONNX export
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "zoo_common.py"))
    entries, failures = {}, []
    for name, (dotted, size, kind) in TORCHVISION.items():
        if zc.selected(f"tv_{name}", args.only):
            try:
                entries.update(build_torchvision(torch, torchvision, name, dotted, size, kind, stamp))
            except Exception as error:
                failures.append(f"tv_{name}: {type(error).__name__}: {str(error)[:500]}")
                print(failures[-1], file=sys.stderr, flush=True)
    models, _ = hf_models(transformers)
    for name, (config, model_class, kind) in models.items():
        if zc.selected(name, args.only):
            try:
                entries.update(build_hf(torch, transformers, name, config, model_class, kind, stamp))
            except Exception as error:
                failures.append(f"{name}: {type(error).__name__}: {str(error)[:500]}")
                print(failures[-1], file=sys.stderr, flush=True)
    zc.write_entries("torch", entries, args.only)
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
