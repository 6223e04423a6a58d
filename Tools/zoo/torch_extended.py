"""Builds more torchvision and Hugging Face transformers models into the zoo, as torch_models.py does.

The same constructors-with-random-weights recipe, exporter (`torch.onnx.export`, opset 17,
`dynamo=False`), golden outputs (the module's eval-mode forward in float32) and calibration data as
torch_models.py, whose functions this script uses; a family of its own so that adding models here
does not rebuild that family's.

torchvision: the remaining classification families (AlexNet and VGG at their 224×224 input, which
their adaptive pooling needs for export; Inception v3; MobileNetV3-Large; ResNet-50; Wide ResNet;
RegNetX; MNASNet 1.0; SqueezeNet 1.0; Swin V2; MaxViT at 224×224; EfficientNet-B3), DeepLabV3 with a
ResNet-50 backbone, and the detectors RetinaNet, FCOS (score threshold 0.02, else a random-weight
FCOS detects nothing), SSD300-VGG16, Mask R-CNN and Keypoint R-CNN (boxes, scores and labels of the
first image, as torch_models.py's wrapper returns them).

transformers, small configs of real architectures (eager attention):
- text classifiers (input_ids, attention_mask → logits): ALBERT, ELECTRA, DeBERTa, DeBERTa-v2,
  MPNet, MobileBERT, SqueezeBERT, ConvBERT, XLM-RoBERTa, Funnel;
- causal language models (→ logits): GPT-Neo, OPT, Llama, Mistral, Qwen2, Phi, Gemma, BLOOM
  (ALiBi), Falcon, GPT-NeoX, GPT-J, CodeGen;
- sequence-to-sequence (input_ids, attention_mask and 8 decoder_input_ids → logits): BART, T5,
  Marian;
- vision (pixel_values → logits or last_hidden_state): DeiT, BEiT, Swin, MobileViT, SegFormer,
  DINOv2, LeViT, ResNet, RegNet, PoolFormer, YOLOS (pred_boxes), CLIP vision; CLIP text;
- audio: Wav2Vec2 and HuBERT classifiers on two synthetic tones (1,600 samples), Whisper's audio
  classifier (input_features, 16 mel bins × 64 frames) and the Audio Spectrogram Transformer
  (32 frames × 16 bins) on seeded normal features.
Calibration: 16 seeded inputs of the same kind. Each export is cross-checked with ONNX Runtime
(printed, not stored).
"""
import argparse
import functools
import os
import sys

import numpy as np

import torch_models as tm
import zoo_common as zc

TORCHVISION = {
    "alexnet": ("alexnet", 224, "classify"),
    "vgg11_bn": ("vgg11_bn", 224, "classify"),
    "inception_v3": ("inception_v3", 96, "classify"),
    "mobilenet_v3_large": ("mobilenet_v3_large", 96, "classify"),
    "resnet50": ("resnet50", 64, "classify"),
    "wide_resnet50_2": ("wide_resnet50_2", 64, "classify"),
    "regnet_x_400mf": ("regnet_x_400mf", 96, "classify"),
    "mnasnet1_0": ("mnasnet1_0", 96, "classify"),
    "squeezenet1_0": ("squeezenet1_0", 96, "classify"),
    "swin_v2_t": ("swin_v2_t", 64, "classify"),
    "maxvit_t": ("maxvit_t", 224, "classify"),
    "efficientnet_b3": ("efficientnet_b3", 96, "classify"),
    "deeplabv3_resnet50": ("segmentation.deeplabv3_resnet50", 64, "segment"),
    "retinanet_resnet50_fpn": ("detection.retinanet_resnet50_fpn", 320, "detect"),
    "fcos_resnet50_fpn": ("detection.fcos_resnet50_fpn", 320, "detect"),
    "ssd300_vgg16": ("detection.ssd300_vgg16", 300, "detect"),
    "maskrcnn_resnet50_fpn": ("detection.maskrcnn_resnet50_fpn", 320, "detect"),
    "keypointrcnn_resnet50_fpn": ("detection.keypointrcnn_resnet50_fpn", 320, "detect"),
}

VOCABULARY, LENGTH = 1000, 16
AUDIO_SAMPLES = 1600


def hf_models(T):
    """name: (config, model class, kind)."""
    small = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128)
    v = VOCABULARY
    return {
        "hf_albert": (T.AlbertConfig(vocab_size=v, embedding_size=32, max_position_embeddings=64, num_labels=3, **small),
                      T.AlbertForSequenceClassification, "text"),
        "hf_electra": (T.ElectraConfig(vocab_size=v, embedding_size=32, max_position_embeddings=64, num_labels=3, **small),
                       T.ElectraForSequenceClassification, "text"),
        "hf_deberta_v2": (T.DebertaV2Config(vocab_size=v, max_position_embeddings=64, num_labels=3, relative_attention=True, position_buckets=8,
                                            pos_att_type=["p2c", "c2p"], **small), T.DebertaV2ForSequenceClassification, "text"),
        "hf_deberta": (T.DebertaConfig(vocab_size=v, max_position_embeddings=64, num_labels=3, relative_attention=True, pos_att_type=["p2c", "c2p"],
                                       **small), T.DebertaForSequenceClassification, "text"),
        "hf_mpnet": (T.MPNetConfig(vocab_size=v, max_position_embeddings=64, num_labels=3, **small), T.MPNetForSequenceClassification, "text"),
        "hf_mobilebert": (T.MobileBertConfig(vocab_size=v, hidden_size=64, embedding_size=32, intra_bottleneck_size=32, true_hidden_size=32,
                                             num_hidden_layers=2, num_attention_heads=4, intermediate_size=64, num_feedforward_networks=2,
                                             max_position_embeddings=64, num_labels=3), T.MobileBertForSequenceClassification, "text"),
        "hf_squeezebert": (T.SqueezeBertConfig(vocab_size=v, embedding_size=64, max_position_embeddings=64, num_labels=3, q_groups=2, k_groups=2,
                                               v_groups=2, post_attention_groups=2, intermediate_groups=2, output_groups=2, **small),
                           T.SqueezeBertForSequenceClassification, "text"),
        "hf_convbert": (T.ConvBertConfig(vocab_size=v, embedding_size=64, max_position_embeddings=64, num_labels=3, **small),
                        T.ConvBertForSequenceClassification, "text"),
        "hf_xlm_roberta": (T.XLMRobertaConfig(vocab_size=v, max_position_embeddings=64, num_labels=3, **small),
                           T.XLMRobertaForSequenceClassification, "text"),
        "hf_funnel": (T.FunnelConfig(vocab_size=v, d_model=64, n_head=4, d_head=16, d_inner=128, block_sizes=[1, 1], num_decoder_layers=1,
                                     num_labels=3), T.FunnelForSequenceClassification, "text"),
        "hf_bart": (T.BartConfig(vocab_size=v, d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
                                 encoder_ffn_dim=128, decoder_ffn_dim=128, max_position_embeddings=64, use_cache=False),
                    T.BartForConditionalGeneration, "seq2seq"),
        "hf_t5": (T.T5Config(vocab_size=v, d_model=64, d_kv=16, d_ff=128, num_layers=2, num_heads=4, use_cache=False),
                  T.T5ForConditionalGeneration, "seq2seq"),
        "hf_marian": (T.MarianConfig(vocab_size=v, d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                                     decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128, max_position_embeddings=64,
                                     use_cache=False, decoder_start_token_id=0, pad_token_id=0), T.MarianMTModel, "seq2seq"),
        "hf_gpt_neo": (T.GPTNeoConfig(vocab_size=v, hidden_size=64, num_layers=2, num_heads=4, attention_types=[[["global", "local"], 1]],
                                      window_size=8, max_position_embeddings=64, use_cache=False), T.GPTNeoForCausalLM, "text"),
        "hf_opt": (T.OPTConfig(vocab_size=v, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, ffn_dim=128, word_embed_proj_dim=64,
                               max_position_embeddings=64, use_cache=False), T.OPTForCausalLM, "text"),
        "hf_llama": (T.LlamaConfig(vocab_size=v, max_position_embeddings=64, num_key_value_heads=2, use_cache=False, **small),
                     T.LlamaForCausalLM, "text"),
        "hf_mistral": (T.MistralConfig(vocab_size=v, max_position_embeddings=64, num_key_value_heads=2, sliding_window=8, use_cache=False,
                                       **small), T.MistralForCausalLM, "text"),
        "hf_qwen2": (T.Qwen2Config(vocab_size=v, max_position_embeddings=64, num_key_value_heads=2, use_cache=False, **small),
                     T.Qwen2ForCausalLM, "text"),
        "hf_phi": (T.PhiConfig(vocab_size=v, max_position_embeddings=64, partial_rotary_factor=0.5, use_cache=False, **small),
                   T.PhiForCausalLM, "text"),
        "hf_gemma": (T.GemmaConfig(vocab_size=v, max_position_embeddings=64, num_key_value_heads=1, head_dim=16, use_cache=False, **small),
                     T.GemmaForCausalLM, "text"),
        "hf_bloom": (T.BloomConfig(vocab_size=v, hidden_size=64, n_layer=2, n_head=4, use_cache=False), T.BloomForCausalLM, "text"),
        "hf_falcon": (T.FalconConfig(vocab_size=v, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, use_cache=False, alibi=False,
                                     new_decoder_architecture=False, multi_query=True), T.FalconForCausalLM, "text"),
        "hf_gpt_neox": (T.GPTNeoXConfig(vocab_size=v, max_position_embeddings=64, use_cache=False, rotary_pct=0.25, **small),
                        T.GPTNeoXForCausalLM, "text"),
        "hf_gptj": (T.GPTJConfig(vocab_size=v, n_embd=64, n_layer=2, n_head=4, rotary_dim=8, n_positions=64, use_cache=False),
                    T.GPTJForCausalLM, "text"),
        "hf_codegen": (T.CodeGenConfig(vocab_size=v, n_embd=64, n_layer=2, n_head=4, rotary_dim=8, n_positions=64, n_ctx=64, use_cache=False),
                       T.CodeGenForCausalLM, "text"),
        "hf_deit": (T.DeiTConfig(image_size=32, patch_size=8, num_labels=10, **small), T.DeiTForImageClassification, "image"),
        "hf_beit": (T.BeitConfig(image_size=32, patch_size=8, num_labels=10, use_relative_position_bias=True, **small),
                    T.BeitForImageClassification, "image"),
        "hf_swin": (T.SwinConfig(image_size=32, patch_size=2, embed_dim=16, depths=[1, 1], num_heads=[2, 4], window_size=4, num_labels=10),
                    T.SwinForImageClassification, "image"),
        "hf_mobilevit": (T.MobileViTConfig(image_size=64, hidden_sizes=[32, 48, 64], neck_hidden_sizes=[8, 16, 24, 32, 48, 64, 80],
                                           num_labels=10), T.MobileViTForImageClassification, "image"),
        "hf_segformer": (T.SegformerConfig(image_size=64, hidden_sizes=[16, 32, 40, 64], num_attention_heads=[1, 2, 2, 4],
                                           decoder_hidden_size=32, num_labels=5, depths=[1, 1, 1, 1]),
                         T.SegformerForSemanticSegmentation, "image"),
        "hf_dinov2": (T.Dinov2Config(image_size=32, patch_size=8, **small), T.Dinov2Model, "image_hidden"),
        "hf_levit": (T.LevitConfig(image_size=64, hidden_sizes=[32, 48, 64], num_attention_heads=[1, 2, 2], depths=[1, 1, 1], key_dim=[8, 8, 8],
                                   num_labels=10), T.LevitForImageClassification, "image"),
        "hf_resnet": (T.ResNetConfig(embedding_size=16, hidden_sizes=[16, 32, 64, 64], depths=[1, 1, 1, 1], num_labels=10),
                      T.ResNetForImageClassification, "image64"),
        "hf_regnet": (T.RegNetConfig(embedding_size=16, hidden_sizes=[16, 32, 64, 64], depths=[1, 1, 1, 1], groups_width=8, num_labels=10),
                      T.RegNetForImageClassification, "image64"),
        "hf_poolformer": (T.PoolFormerConfig(hidden_sizes=[16, 32, 48, 64], depths=[1, 1, 1, 1], num_labels=10),
                          T.PoolFormerForImageClassification, "image64"),
        "hf_yolos": (T.YolosConfig(image_size=[64, 64], patch_size=8, num_detection_tokens=10, num_labels=5, **small),
                     T.YolosForObjectDetection, "image_boxes"),
        "hf_clip_vision": (T.CLIPVisionConfig(image_size=32, patch_size=8, **small), T.CLIPVisionModel, "image_hidden"),
        "hf_clip_text": (T.CLIPTextConfig(vocab_size=v, max_position_embeddings=64, **small), T.CLIPTextModel, "text_hidden"),
        "hf_wav2vec2": (T.Wav2Vec2Config(vocab_size=v, conv_dim=[32, 32], conv_kernel=[10, 3], conv_stride=[5, 2], num_conv_pos_embeddings=16,
                                         num_conv_pos_embedding_groups=4, num_labels=4, **small), T.Wav2Vec2ForSequenceClassification, "audio"),
        "hf_hubert": (T.HubertConfig(vocab_size=v, conv_dim=[32, 32], conv_kernel=[10, 3], conv_stride=[5, 2], num_conv_pos_embeddings=16,
                                     num_conv_pos_embedding_groups=4, num_labels=4, **small), T.HubertForSequenceClassification, "audio"),
        "hf_whisper": (T.WhisperConfig(vocab_size=v, d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                                       decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128, num_mel_bins=16,
                                       max_source_positions=32, max_target_positions=32, num_labels=4, use_cache=False),
                       T.WhisperForAudioClassification, "features"),
        "hf_ast": (T.ASTConfig(num_mel_bins=16, max_length=32, patch_size=8, frequency_stride=8, time_stride=8, num_labels=4, **small),
                   T.ASTForAudioClassification, "spectrogram"),
    }


def feeds_of(kind, config):
    """(golden feeds, calibration feeds, output name, dynamic axes of each input, data note) of one model kind."""
    rng = np.random.default_rng(zc.SEED)
    if kind.startswith("text") or kind == "seq2seq":
        ids = zc.token_ids(2, LENGTH, VOCABULARY)
        calibration_ids = zc.token_ids(zc.CALIBRATION_COUNT, LENGTH, VOCABULARY, seed=zc.SEED + 1)
        output = "last_hidden_state" if kind == "text_hidden" else "logits"
        feeds = {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)}
        calibration = {"input_ids": calibration_ids, "attention_mask": (calibration_ids != 0).astype(np.int64)}
        axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}}
        if kind == "seq2seq":
            decoder = zc.token_ids(2, LENGTH // 2, VOCABULARY, seed=zc.SEED + 2)
            decoder[1] = decoder[0]
            feeds["decoder_input_ids"] = decoder
            calibration["decoder_input_ids"] = zc.token_ids(zc.CALIBRATION_COUNT, LENGTH // 2, VOCABULARY, seed=zc.SEED + 3)
            axes["decoder_input_ids"] = {0: "batch", 1: "decoder_sequence"}
        return feeds, calibration, output, axes, "seeded token ids (zoo_common.token_ids), attention mask 0 on padding"
    if kind.startswith("image"):
        size = 64 if kind == "image64" else config.image_size
        size = size[0] if isinstance(size, list) else size
        output = {"image_hidden": "last_hidden_state", "image_boxes": "pred_boxes"}.get(kind, "logits")
        return ({"pixel_values": tm.images(size)}, {"pixel_values": tm.images(size, zc.CALIBRATION_COUNT)}, output,
                {"pixel_values": {0: "batch"}},
                f"{zc.PHOTO_NOTE} to {size}x{size}, /255, ImageNet mean/std, NCHW")
    if kind == "audio":
        t = np.linspace(0, 1, AUDIO_SAMPLES, dtype=np.float32)
        tones = np.stack([np.sin(440 * 2 * np.pi * t), np.sin(523 * 2 * np.pi * t) * np.exp(-3 * t)]).astype(np.float32)
        return ({"input_values": tones}, {"input_values": rng.normal(0, 0.3, (zc.CALIBRATION_COUNT, AUDIO_SAMPLES)).astype(np.float32)},
                "logits", {"input_values": {0: "batch"}}, "two synthetic tones (440 Hz; 523 Hz decaying), 1,600 samples")
    name, shape = ("input_features", (16, 64)) if kind == "features" else ("input_values", (32, 16))
    return ({name: rng.normal(0, 1, (2,) + shape).astype(np.float32)},
            {name: rng.normal(0, 1, (zc.CALIBRATION_COUNT,) + shape).astype(np.float32)},
            "logits", {name: {0: "batch"}}, "seeded normal(0, 1) features")


def build_hf(torch, transformers, name, config, model_class, kind, stamp):
    """One transformers model exported to ONNX with its golden outputs. A detector's batch norms get
    torchvision's treatment (`randomize_batchnorm`): at the constructor's std-0.02 scales, RT-DETR's
    activations fade to 1e-9 before its query selection and every query's score ties."""
    directory = zc.model_dir(name)
    entry = {name: {"source": f"{name}/model.onnx"}}
    if zc.done(directory, stamp):
        return entry
    torch.manual_seed(zc.SEED)
    config._attn_implementation = "eager"
    model = model_class(config).eval()
    tm.randomize_zero_layers(torch, model)
    feeds, calibration, output, axes, data = feeds_of(kind, config)
    if kind.endswith("_boxes"):
        tm.randomize_batchnorm(torch, model, torch.from_numpy(calibration["pixel_values"]))
    names = list(feeds)

    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *args):
            return getattr(self.inner(**dict(zip(names, args))), output)

    wrapper = Wrapper(model).eval()
    tensors = tuple(torch.from_numpy(v) for v in feeds.values())
    with torch.no_grad():
        result = wrapper(*tensors).numpy()
    path = os.path.join(directory, "model.onnx")
    tm.export(torch, wrapper, tensors, path, names, [output], {**axes, output: {0: "batch"}})
    provenance = f"pytorch {torch.__version__} / transformers {transformers.__version__}, module.eval() forward, float32"
    zc.write_golden(directory, feeds, {output: result}, provenance, data)
    zc.write_calibration(directory, calibration, f"{zc.CALIBRATION_COUNT} seeded inputs of the same kind")
    tm.cross_check(path, feeds, {output: result})
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
    torch.backends.mha.set_fastpath_enabled(False)
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "torch_models.py"), os.path.join(zc.HERE, "zoo_common.py"))
    constructor = tm.constructor

    def with_options(torchvision_module, dotted):
        factory = constructor(torchvision_module, dotted)
        if dotted == "inception_v3":
            return functools.partial(factory, aux_logits=False, init_weights=True)
        if dotted.endswith("fcos_resnet50_fpn"):
            return functools.partial(factory, score_thresh=0.02)
        return factory
    tm.constructor = with_options
    entries, failures = {}, []
    for name, (dotted, size, kind) in TORCHVISION.items():
        if zc.selected(f"tv_{name}", args.only):
            try:
                entries.update(tm.build_torchvision(torch, torchvision, name, dotted, size, kind, stamp))
            except Exception as error:
                failures.append(f"tv_{name}: {type(error).__name__}: {str(error)[:500]}")
                print(failures[-1], file=sys.stderr, flush=True)
    for name, (config, model_class, kind) in hf_models(transformers).items():
        if zc.selected(name, args.only):
            try:
                entries.update(build_hf(torch, transformers, name, config, model_class, kind, stamp))
            except Exception as error:
                failures.append(f"{name}: {type(error).__name__}: {str(error)[:500]}")
                print(failures[-1], file=sys.stderr, flush=True)
    zc.write_entries("torch_extended", entries, args.only)
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
