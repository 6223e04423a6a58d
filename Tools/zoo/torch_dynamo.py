"""Builds torchvision and Hugging Face transformers models exported by PyTorch's default exporter,
`torch.onnx.export(..., dynamo=True)` (torch.export and onnxscript; opset 18), into the zoo.

torch_models.py exports with the TorchScript exporter; what users export today mostly comes from
the dynamo one, whose graphs differ (ConstantOfShape without a value for `new_zeros`, opset-18
reductions and Split, other Attention and LayerNormalization patterns). The models, weights,
inputs, golden outputs and calibration data are those of torch_models.py (its functions build them):
torchvision ResNet-18, MobileNetV3-Small, EfficientNet-B0, ConvNeXt-Tiny, Swin-T, ViT-B/16,
DenseNet-121 and ShuffleNetV2 ×0.5, and transformers BERT, DistilBERT, GPT-2 and Llama from small
configs. The batch axis is dynamic (`dynamic_axes`, which the dynamo exporter turns into dynamic
shapes). Each export is cross-checked with ONNX Runtime (printed, not stored).
"""
import argparse
import os
import sys

import numpy as np

import torch_models as tm
import zoo_common as zc

TORCHVISION = {"resnet18": 96, "mobilenet_v3_small": 96, "efficientnet_b0": 96, "convnext_tiny": 64, "swin_t": 64, "vit_b_16": 64,
               "densenet121": 64, "shufflenet_v2_x0_5": 96}
LENGTH, VOCABULARY = 16, 1000


def hf_models(T):
    return {
        "bert": (T.BertConfig(vocab_size=VOCABULARY, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
                              max_position_embeddings=64, num_labels=3), T.BertForSequenceClassification),
        "distilbert": (T.DistilBertConfig(vocab_size=VOCABULARY, dim=64, n_layers=2, n_heads=4, hidden_dim=128, max_position_embeddings=64,
                                          num_labels=3), T.DistilBertForSequenceClassification),
        "gpt2": (T.GPT2Config(vocab_size=VOCABULARY, n_embd=64, n_layer=2, n_head=4, n_positions=64, use_cache=False), T.GPT2LMHeadModel),
        "llama": (T.LlamaConfig(vocab_size=VOCABULARY, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
                                max_position_embeddings=64, num_key_value_heads=2, use_cache=False), T.LlamaForCausalLM),
    }


def build(torch, name, module, feeds, calibration, output, data, provenance, stamp):
    directory = zc.model_dir(name)
    entry = {name: {"source": f"{name}/model.onnx"}}
    if zc.done(directory, stamp):
        return entry
    tensors = tuple(torch.from_numpy(v) for v in feeds.values())
    with torch.no_grad():
        result = module(*tensors).numpy()
    path = os.path.join(directory, "model.onnx")
    axes = {n: {0: "batch"} for n in feeds}
    with torch.no_grad():
        torch.onnx.export(module, tensors, path, input_names=list(feeds), output_names=[output], dynamic_axes=axes, dynamo=True)
    zc.write_golden(directory, feeds, {output: result}, provenance, data)
    zc.write_calibration(directory, calibration, f"{zc.CALIBRATION_COUNT} seeded inputs of the same kind")
    tm.cross_check(path, feeds, {output: result})
    zc.mark_done(directory, stamp)
    print(f"{name}: exported", flush=True)
    return entry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=os.environ.get("ZOO_ONLY", ""))
    args = parser.parse_args()
    import torch
    import torchvision
    import transformers
    torch.set_num_threads(1)
    torch.backends.mha.set_fastpath_enabled(False)
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "torch_models.py"), os.path.join(zc.HERE, "zoo_common.py"))
    entries, failures = {}, []
    for name, size in TORCHVISION.items():
        if not zc.selected(f"dynamo_tv_{name}", args.only):
            continue
        try:
            torch.manual_seed(zc.SEED)
            options = {"weights": None}
            if name == "vit_b_16":
                options["image_size"] = size
            model = getattr(torchvision.models, name)(**options).eval()
            tm.randomize_batchnorm(torch, model, torch.from_numpy(tm.images(size, zc.CALIBRATION_COUNT)))
            provenance = f"pytorch {torch.__version__} / torchvision {torchvision.__version__}, module.eval() forward, float32; dynamo export"
            entries.update(build(torch, f"dynamo_tv_{name}", model, {"image": tm.images(size)}, {"image": tm.images(size, zc.CALIBRATION_COUNT)},
                                 "logits", f"{zc.PHOTO_NOTE} to {size}x{size}, /255, ImageNet mean/std, NCHW", provenance, stamp))
        except Exception as error:
            failures.append(f"dynamo_tv_{name}: {type(error).__name__}: {str(error)[:500]}")
            print(failures[-1], file=sys.stderr, flush=True)
    ids = zc.token_ids(2, LENGTH, VOCABULARY)
    calibration_ids = zc.token_ids(zc.CALIBRATION_COUNT, LENGTH, VOCABULARY, seed=zc.SEED + 1)
    for name, (config, model_class) in hf_models(transformers).items():
        if not zc.selected(f"dynamo_hf_{name}", args.only):
            continue
        try:
            torch.manual_seed(zc.SEED)
            config._attn_implementation = "eager"
            model = model_class(config).eval()
            tm.randomize_zero_layers(torch, model)

            class Logits(torch.nn.Module):
                def __init__(self, inner):
                    super().__init__()
                    self.inner = inner

                def forward(self, input_ids, attention_mask):
                    return self.inner(input_ids=input_ids, attention_mask=attention_mask).logits
            provenance = f"pytorch {torch.__version__} / transformers {transformers.__version__}, module.eval() forward, float32; dynamo export"
            entries.update(build(torch, f"dynamo_hf_{name}", Logits(model).eval(), {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)},
                                 {"input_ids": calibration_ids, "attention_mask": (calibration_ids != 0).astype(np.int64)}, "logits",
                                 "seeded token ids (zoo_common.token_ids), attention mask 0 on padding", provenance, stamp))
        except Exception as error:
            failures.append(f"dynamo_hf_{name}: {type(error).__name__}: {str(error)[:500]}")
            print(failures[-1], file=sys.stderr, flush=True)
    zc.write_entries("torch_dynamo", entries, args.only)
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
