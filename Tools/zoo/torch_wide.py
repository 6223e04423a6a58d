"""Builds a wider set of torchvision and Hugging Face transformers architectures into the zoo, with
torch_extended.py's recipe (its functions build them): random weights from the constructors,
`torch.onnx.export` opset 17 with `dynamo=False`, golden outputs from the module's eval-mode
forward in float32, 16 seeded calibration inputs, each export cross-checked with ONNX Runtime
(printed, not stored).

torchvision:
- classification: ViT-B/32 at 224×224, RegNetY-1.6GF, ShuffleNetV2 ×2.0, ConvNeXt-Small, Swin-S,
  EfficientNetV2-M, DenseNet-161, ResNeXt-101 64×4d; FCN-ResNet50 segmentation;
- detectors with their NMS post-processing (boxes, scores, labels of one image): Faster R-CNN
  ResNet-50 FPN (v1 and v2), RetinaNet ResNet-50 FPN v2, Faster R-CNN MobileNetV3-Large FPN;
- video classifiers on two clips (one photograph repeated, then mirrored in time): R3D-18, MC3-18,
  R(2+1)D-18 on 8 × 112×112, Swin3D-T on 8 × 64×64; S3D, MViT V1-B and MViT V2-S at the clip size
  they are built for, 16 × 224×224 (S3D's last pooling and MViT's position embeddings fix it),
  with 4 calibration clips instead of 16;
- optical flow: RAFT small and large on two 128×128 frame pairs (the photographs, then swapped),
  4 flow updates, the last flow field as the output.
transformers, small configs (eager attention):
- text classifiers: CamemBERT, Longformer (attention window 4), BigBird (full attention), RemBERT,
  ERNIE, ESM (rotary), XLNet, RoFormer, ModernBERT (local and global layers), Data2VecText,
  CANINE, Megatron-BERT, XLM;
- causal language models: GPT-BigCode, MPT, StableLM, Phi-3, Gemma 2, Gemma 3, Qwen3, OLMo, OLMo 2,
  Starcoder2, Granite, XGLM, BioGPT, CTRL, Mamba;
- sequence-to-sequence: mBART, Pegasus, Blenderbot, M2M100, LED, mT5, LongT5, ProphetNet;
  Speech2Text's encoder-decoder on seeded features (last_hidden_state);
- vision: ConvNeXt, ConvNeXt V2, EfficientNet, MobileNet V1 and V2, BiT, PVT, FocalNet,
  SwiftFormer, Data2VecVision, Hiera, SigLIP vision; DPT and GLPN depth estimators
  (predicted_depth); DETR, Conditional DETR and RT-DETR detectors (pred_boxes); Mask2Former
  (masks_queries_logits);
- audio classifiers on two synthetic tones: WavLM, UniSpeech, SEW, SEW-D, Data2VecAudio,
  Wav2Vec2-Conformer.
Left out: ViTMAE (its random
masking draws new noise on every run), FNet (torch.onnx cannot export its FFT), Mixtral and
Qwen2-MoE (nor `histc`), Cohere and RWKV (ONNX Runtime cannot run the export / no attention mask).
"""
import argparse
import os
import sys

import numpy as np

import torch_extended as te
import torch_models as tm
import zoo_common as zc

TORCHVISION = {
    "vit_b_32": ("vit_b_32", 224, "classify"),
    "regnet_y_1_6gf": ("regnet_y_1_6gf", 96, "classify"),
    "shufflenet_v2_x2_0": ("shufflenet_v2_x2_0", 96, "classify"),
    "convnext_small": ("convnext_small", 64, "classify"),
    "swin_s": ("swin_s", 64, "classify"),
    "efficientnet_v2_m": ("efficientnet_v2_m", 96, "classify"),
    "densenet161": ("densenet161", 64, "classify"),
    "resnext101_64x4d": ("resnext101_64x4d", 64, "classify"),
    "fcn_resnet50": ("segmentation.fcn_resnet50", 64, "segment"),
    "fasterrcnn_resnet50_fpn": ("detection.fasterrcnn_resnet50_fpn", 320, "detect"),
    "fasterrcnn_resnet50_fpn_v2": ("detection.fasterrcnn_resnet50_fpn_v2", 320, "detect"),
    "retinanet_resnet50_fpn_v2": ("detection.retinanet_resnet50_fpn_v2", 320, "detect"),
    "fasterrcnn_mobilenet_v3_large_fpn": ("detection.fasterrcnn_mobilenet_v3_large_fpn", 320, "detect"),
}
VIDEO = {"r3d_18": (112, 8), "mc3_18": (112, 8), "r2plus1d_18": (112, 8), "swin3d_t": (64, 8),
         "s3d": (224, 16), "mvit_v1_b": (224, 16), "mvit_v2_s": (224, 16)}
NATIVE_CLIP_CALIBRATION = 4
FLOW = {"raft_small": 128, "raft_large": 128}
FLOW_UPDATES = 4


def hf_models(T):
    """name: (config, model class, kind), kinds as torch_extended.feeds_of reads them plus this
    family's image_depth, image64_depth, image64_boxes, image64_masks and speech."""
    small = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128)
    v = te.VOCABULARY
    text = dict(vocab_size=v, max_position_embeddings=64)
    labels = dict(num_labels=3)
    lm = dict(vocab_size=v, max_position_embeddings=64, num_key_value_heads=2, use_cache=False)
    bart = dict(vocab_size=v, d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
                encoder_ffn_dim=128, decoder_ffn_dim=128, max_position_embeddings=64, use_cache=False)
    t5 = dict(vocab_size=v, d_model=64, d_kv=16, d_ff=128, num_layers=2, num_heads=4, use_cache=False)
    audio = dict(vocab_size=v, conv_dim=[32, 32], conv_kernel=[10, 3], conv_stride=[5, 2], num_conv_pos_embeddings=16,
                 num_conv_pos_embedding_groups=4, num_labels=4, **small)
    stages = dict(hidden_sizes=[16, 32, 48, 64], depths=[1, 1, 1, 1], num_labels=10)
    resnet = T.ResNetConfig(embedding_size=16, hidden_sizes=[16, 32, 64, 64], depths=[1, 1, 1, 1], out_features=["stage4"])
    detr = dict(use_timm_backbone=False, use_pretrained_backbone=False, backbone_config=resnet, d_model=64, encoder_layers=1, decoder_layers=1,
                encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128, num_queries=10, num_labels=5)
    return {
        "hf_camembert": (T.CamembertConfig(**text, **labels, **small), T.CamembertForSequenceClassification, "text"),
        "hf_longformer": (T.LongformerConfig(**text, **labels, attention_window=4, **small), T.LongformerForSequenceClassification, "text"),
        "hf_bigbird": (T.BigBirdConfig(**text, **labels, attention_type="original_full", **small), T.BigBirdForSequenceClassification, "text"),
        "hf_rembert": (T.RemBertConfig(**text, **labels, input_embedding_size=32, output_embedding_size=32, **small),
                       T.RemBertForSequenceClassification, "text"),
        "hf_ernie": (T.ErnieConfig(**text, **labels, **small), T.ErnieForSequenceClassification, "text"),
        "hf_esm": (T.EsmConfig(**text, **labels, pad_token_id=1, position_embedding_type="rotary", **small), T.EsmForSequenceClassification, "text"),
        "hf_xlnet": (T.XLNetConfig(vocab_size=v, d_model=64, n_layer=2, n_head=4, d_inner=128, **labels), T.XLNetForSequenceClassification, "text"),
        "hf_roformer": (T.RoFormerConfig(**text, **labels, embedding_size=64, **small), T.RoFormerForSequenceClassification, "text"),
        "hf_modernbert": (T.ModernBertConfig(**text, **labels, hidden_size=64, num_hidden_layers=3, num_attention_heads=4, intermediate_size=128,
                                             global_attn_every_n_layers=2, local_attention=8, pad_token_id=0),
                          T.ModernBertForSequenceClassification, "text"),
        "hf_data2vec_text": (T.Data2VecTextConfig(**text, **labels, **small), T.Data2VecTextForSequenceClassification, "text"),
        "hf_canine": (T.CanineConfig(max_position_embeddings=64, **labels, downsampling_rate=4, num_hash_buckets=1000, **small),
                      T.CanineForSequenceClassification, "text"),
        "hf_megatron_bert": (T.MegatronBertConfig(**text, **labels, **small), T.MegatronBertForSequenceClassification, "text"),
        "hf_xlm": (T.XLMConfig(vocab_size=v, emb_dim=64, n_layers=2, n_heads=4, max_position_embeddings=64, **labels),
                   T.XLMForSequenceClassification, "text"),
        "hf_gpt_bigcode": (T.GPTBigCodeConfig(vocab_size=v, n_embd=64, n_layer=2, n_head=4, n_positions=64, multi_query=True, use_cache=False),
                           T.GPTBigCodeForCausalLM, "text"),
        "hf_mpt": (T.MptConfig(vocab_size=v, d_model=64, n_layers=2, n_heads=4, max_seq_len=64, use_cache=False), T.MptForCausalLM, "text"),
        "hf_stablelm": (T.StableLmConfig(**lm, **small), T.StableLmForCausalLM, "text"),
        "hf_phi3": (T.Phi3Config(**lm, pad_token_id=0, **small), T.Phi3ForCausalLM, "text"),
        "hf_gemma2": (T.Gemma2Config(**lm, head_dim=16, sliding_window=8, **small), T.Gemma2ForCausalLM, "text"),
        "hf_gemma3": (T.Gemma3TextConfig(**lm, head_dim=16, sliding_window=8, **small), T.Gemma3ForCausalLM, "text"),
        "hf_qwen3": (T.Qwen3Config(**lm, head_dim=16, **small), T.Qwen3ForCausalLM, "text"),
        "hf_olmo": (T.OlmoConfig(**lm, pad_token_id=0, **small), T.OlmoForCausalLM, "text"),
        "hf_olmo2": (T.Olmo2Config(**lm, pad_token_id=0, **small), T.Olmo2ForCausalLM, "text"),
        "hf_starcoder2": (T.Starcoder2Config(**lm, **small), T.Starcoder2ForCausalLM, "text"),
        "hf_granite": (T.GraniteConfig(**lm, **small), T.GraniteForCausalLM, "text"),
        "hf_xglm": (T.XGLMConfig(vocab_size=v, d_model=64, num_layers=2, attention_heads=4, ffn_dim=128, max_position_embeddings=64,
                                 use_cache=False), T.XGLMForCausalLM, "text"),
        "hf_biogpt": (T.BioGptConfig(**text, use_cache=False, **small), T.BioGptForCausalLM, "text"),
        "hf_ctrl": (T.CTRLConfig(vocab_size=v, n_embd=64, n_layer=2, n_head=4, dff=128, n_positions=64, use_cache=False), T.CTRLLMHeadModel, "text"),
        "hf_mamba": (T.MambaConfig(vocab_size=v, hidden_size=64, state_size=8, num_hidden_layers=2, use_cache=False), T.MambaForCausalLM, "text"),
        "hf_mbart": (T.MBartConfig(**bart), T.MBartForConditionalGeneration, "seq2seq"),
        "hf_pegasus": (T.PegasusConfig(**bart), T.PegasusForConditionalGeneration, "seq2seq"),
        "hf_blenderbot": (T.BlenderbotConfig(**bart), T.BlenderbotForConditionalGeneration, "seq2seq"),
        "hf_m2m100": (T.M2M100Config(**bart), T.M2M100ForConditionalGeneration, "seq2seq"),
        "hf_led": (T.LEDConfig(vocab_size=v, d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
                               encoder_ffn_dim=128, decoder_ffn_dim=128, max_encoder_position_embeddings=64, max_decoder_position_embeddings=64,
                               attention_window=4, use_cache=False), T.LEDForConditionalGeneration, "seq2seq"),
        "hf_mt5": (T.MT5Config(**t5), T.MT5ForConditionalGeneration, "seq2seq"),
        "hf_longt5": (T.LongT5Config(**t5, local_radius=4), T.LongT5ForConditionalGeneration, "seq2seq"),
        "hf_prophetnet": (T.ProphetNetConfig(vocab_size=v, hidden_size=64, encoder_ffn_dim=128, decoder_ffn_dim=128, num_encoder_layers=2,
                                             num_decoder_layers=2, num_encoder_attention_heads=4, num_decoder_attention_heads=4,
                                             max_position_embeddings=64, ngram=2, use_cache=False), T.ProphetNetForConditionalGeneration, "seq2seq"),
        "hf_speech2text": (T.Speech2TextConfig(vocab_size=v, d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                                               decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128, input_feat_per_channel=16,
                                               input_channels=1, max_source_positions=64, max_target_positions=32, use_cache=False),
                           T.Speech2TextModel, "speech"),
        "hf_convnext": (T.ConvNextConfig(**stages), T.ConvNextForImageClassification, "image64"),
        "hf_convnextv2": (T.ConvNextV2Config(**stages), T.ConvNextV2ForImageClassification, "image64"),
        "hf_efficientnet": (T.EfficientNetConfig(image_size=64, width_coefficient=0.25, depth_coefficient=0.3, hidden_dim=320, num_labels=10),
                            T.EfficientNetForImageClassification, "image"),
        "hf_mobilenet_v1": (T.MobileNetV1Config(image_size=64, depth_multiplier=0.25, num_labels=10), T.MobileNetV1ForImageClassification, "image"),
        "hf_mobilenet_v2": (T.MobileNetV2Config(image_size=64, depth_multiplier=0.35, num_labels=10), T.MobileNetV2ForImageClassification, "image"),
        "hf_bit": (T.BitConfig(embedding_size=32, hidden_sizes=[32, 64, 64, 64], depths=[1, 1, 1, 1], num_groups=8, num_labels=10),
                   T.BitForImageClassification, "image64"),
        "hf_pvt": (T.PvtConfig(image_size=64, hidden_sizes=[16, 32, 64, 64], num_attention_heads=[1, 2, 4, 4], depths=[1, 1, 1, 1], num_labels=10),
                   T.PvtForImageClassification, "image"),
        "hf_focalnet": (T.FocalNetConfig(image_size=64, embed_dim=16, depths=[1, 1, 1, 1], num_labels=10), T.FocalNetForImageClassification, "image"),
        "hf_swiftformer": (T.SwiftFormerConfig(image_size=64, embed_dims=[16, 32, 48, 64], depths=[1, 1, 1, 1], num_labels=10),
                           T.SwiftFormerForImageClassification, "image"),
        "hf_data2vec_vision": (T.Data2VecVisionConfig(image_size=32, patch_size=8, num_labels=10, use_relative_position_bias=True, **small),
                               T.Data2VecVisionForImageClassification, "image"),
        "hf_hiera": (T.HieraConfig(image_size=[64, 64], embed_dim=16, num_heads=[1, 2, 4, 8], depths=[1, 1, 1, 1], num_labels=10),
                     T.HieraForImageClassification, "image64"),
        "hf_siglip_vision": (T.SiglipVisionConfig(image_size=32, patch_size=8, **small), T.SiglipVisionModel, "image_hidden"),
        "hf_dpt": (T.DPTConfig(image_size=32, patch_size=8, neck_hidden_sizes=[16, 32], fusion_hidden_size=32, backbone_out_indices=[0, 1],
                               reassemble_factors=[2, 1], **small), T.DPTForDepthEstimation, "image_depth"),
        "hf_glpn": (T.GLPNConfig(hidden_sizes=[16, 32, 48, 64], num_attention_heads=[1, 2, 2, 4], depths=[1, 1, 1, 1], decoder_hidden_size=32),
                    T.GLPNForDepthEstimation, "image64_depth"),
        "hf_detr": (T.DetrConfig(**detr), T.DetrForObjectDetection, "image64_boxes"),
        "hf_conditional_detr": (T.ConditionalDetrConfig(**detr), T.ConditionalDetrForObjectDetection, "image64_boxes"),
        "hf_rt_detr": (T.RTDetrConfig(backbone_config=T.RTDetrResNetConfig(embedding_size=16, hidden_sizes=[16, 32, 64, 64], depths=[1, 1, 1, 1],
                                                                           out_features=["stage2", "stage3", "stage4"]),
                                      encoder_in_channels=[32, 64, 64], d_model=64, encoder_hidden_dim=64, encoder_ffn_dim=128, decoder_ffn_dim=128,
                                      decoder_layers=1, num_queries=20, num_labels=5, decoder_in_channels=[64, 64, 64], hidden_size=64),
                       T.RTDetrForObjectDetection, "image64_boxes"),
        "hf_mask2former": (T.Mask2FormerConfig(backbone_config=T.SwinConfig(image_size=64, embed_dim=16, depths=[1, 1, 1, 1], num_heads=[1, 2, 2, 4],
                                                                            out_features=["stage1", "stage2", "stage3", "stage4"]),
                                               hidden_dim=32, feature_size=32, mask_feature_size=32, encoder_layers=1, decoder_layers=2,
                                               num_queries=8, num_labels=5, dim_feedforward=64),
                           T.Mask2FormerForUniversalSegmentation, "image64_masks"),
        "hf_wavlm": (T.WavLMConfig(**audio, num_buckets=32, max_bucket_distance=64), T.WavLMForSequenceClassification, "audio"),
        "hf_unispeech": (T.UniSpeechConfig(**audio), T.UniSpeechForSequenceClassification, "audio"),
        "hf_sew": (T.SEWConfig(**audio, squeeze_factor=2), T.SEWForSequenceClassification, "audio"),
        "hf_sew_d": (T.SEWDConfig(**audio, squeeze_factor=2, position_buckets=16, max_position_embeddings=64), T.SEWDForSequenceClassification, "audio"),
        "hf_data2vec_audio": (T.Data2VecAudioConfig(**{**audio, "num_conv_pos_embeddings": 5}, conv_pos_kernel_size=5),
                              T.Data2VecAudioForSequenceClassification, "audio"),
        "hf_wav2vec2_conformer": (T.Wav2Vec2ConformerConfig(**audio, position_embeddings_type="rotary", conv_depthwise_kernel_size=7),
                                  T.Wav2Vec2ConformerForSequenceClassification, "audio"),
    }


OUTPUTS = {"image_depth": "predicted_depth", "image64_depth": "predicted_depth", "image64_boxes": "pred_boxes",
           "image64_masks": "masks_queries_logits"}


def feeds_of(kind, config):
    """torch_extended.feeds_of, with this family's kinds: depth maps, DETR boxes and Mask2Former
    masks of the photographs; Speech2Text on seeded normal features with 8 decoder token ids."""
    if kind in OUTPUTS:
        size = 64 if kind.startswith("image64") else config.image_size
        return ({"pixel_values": tm.images(size)}, {"pixel_values": tm.images(size, zc.CALIBRATION_COUNT)}, OUTPUTS[kind],
                {"pixel_values": {0: "batch"}}, f"{zc.PHOTO_NOTE} to {size}x{size}, /255, ImageNet mean/std, NCHW")
    if kind == "speech":
        rng = np.random.default_rng(zc.SEED)
        decoder = zc.token_ids(2, te.LENGTH // 2, te.VOCABULARY, seed=zc.SEED + 2)
        calibration = zc.token_ids(zc.CALIBRATION_COUNT, te.LENGTH // 2, te.VOCABULARY, seed=zc.SEED + 3)
        return ({"input_features": rng.normal(0, 1, (2, 32, 16)).astype(np.float32), "decoder_input_ids": decoder},
                {"input_features": rng.normal(0, 1, (zc.CALIBRATION_COUNT, 32, 16)).astype(np.float32), "decoder_input_ids": calibration},
                "last_hidden_state", {"input_features": {0: "batch"}, "decoder_input_ids": {0: "batch"}},
                "seeded normal(0, 1) features, 32 frames × 16; seeded decoder token ids")
    return extended_feeds(kind, config)


extended_feeds = te.feeds_of


def build_video(torch, torchvision, name, size, frames, stamp):
    directory = zc.model_dir(f"tv_{name}")
    entry = {f"tv_{name}": {"source": f"tv_{name}/model.onnx"}}
    if zc.done(directory, stamp):
        return entry
    torch.manual_seed(zc.SEED)
    model = getattr(torchvision.models.video, name)(weights=None).eval()
    clip = np.stack([tm.images(size)[0]] * frames, axis=1)[None]
    clips = np.concatenate([clip, clip[:, :, ::-1]], 0).astype(np.float32)
    calibration_count = NATIVE_CLIP_CALIBRATION if size >= 224 else zc.CALIBRATION_COUNT
    calibration = np.random.default_rng(zc.SEED).normal(0, 1, (calibration_count,) + clips.shape[1:]).astype(np.float32)
    tm.randomize_batchnorm(torch, model, torch.from_numpy(calibration[:4]))
    with torch.no_grad():
        result = model(torch.from_numpy(clips)).numpy()
    path = os.path.join(directory, "model.onnx")
    tm.export(torch, model, (torch.from_numpy(clips),), path, ["clip"], ["logits"], {"clip": {0: "batch"}, "logits": {0: "batch"}})
    provenance = f"pytorch {torch.__version__} / torchvision {torchvision.__version__}, module.eval() forward, float32"
    zc.write_golden(directory, {"clip": clips}, {"logits": result}, provenance,
                    f"{zc.PHOTO_NOTE} to {size}x{size}, normalized, repeated over {frames} frames (NCTHW); the second clip mirrored in time")
    zc.write_calibration(directory, {"clip": calibration}, f"{calibration_count} seeded normal(0, 1) clips")
    tm.cross_check(path, {"clip": clips}, {"logits": result})
    zc.mark_done(directory, stamp)
    print(f"tv_{name}: {sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
    return entry


def build_flow(torch, torchvision, name, size, stamp):
    directory = zc.model_dir(f"tv_{name}")
    entry = {f"tv_{name}": {"source": f"tv_{name}/model.onnx"}}
    if zc.done(directory, stamp):
        return entry
    torch.manual_seed(zc.SEED)
    model = getattr(torchvision.models.optical_flow, name)(weights=None).eval()

    class LastFlow(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, first, second):
            return self.inner(first, second, num_flow_updates=FLOW_UPDATES)[-1]

    wrapper = LastFlow(model).eval()
    photos = tm.images(size)
    feeds = {"image1": photos, "image2": photos[::-1].copy()}
    crops = tm.images(size, zc.CALIBRATION_COUNT)
    calibration = {"image1": crops, "image2": np.roll(crops, 1, axis=0)}
    tensors = tuple(torch.from_numpy(v) for v in feeds.values())
    with torch.no_grad():
        result = wrapper(*tensors).numpy()
    path = os.path.join(directory, "model.onnx")
    axes = {"image1": {0: "batch"}, "image2": {0: "batch"}, "flow": {0: "batch"}}
    tm.export(torch, wrapper, tensors, path, list(feeds), ["flow"], axes)
    provenance = f"pytorch {torch.__version__} / torchvision {torchvision.__version__}, module.eval() forward, float32"
    zc.write_golden(directory, feeds, {"flow": result}, provenance,
                    f"{zc.PHOTO_NOTE} to {size}x{size}, normalized; image2 is image1's pair swapped; {FLOW_UPDATES} flow updates")
    zc.write_calibration(directory, calibration, f"{zc.CALIBRATION_COUNT} calibration crops, paired with the next crop")
    tm.cross_check(path, feeds, {"flow": result})
    zc.mark_done(directory, stamp)
    print(f"tv_{name}: {sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
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
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "torch_extended.py"), os.path.join(zc.HERE, "torch_models.py"),
                            os.path.join(zc.HERE, "zoo_common.py"))
    te.feeds_of = feeds_of
    entries, failures = {}, []

    def attempt(name, build):
        if not zc.selected(name, args.only):
            return
        try:
            entries.update(build())
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__}: {str(error)[:500]}")
            print(failures[-1], file=sys.stderr, flush=True)
    for name, (dotted, size, kind) in TORCHVISION.items():
        attempt(f"tv_{name}", lambda: tm.build_torchvision(torch, torchvision, name, dotted, size, kind, stamp))
    for name, (size, frames) in VIDEO.items():
        attempt(f"tv_{name}", lambda: build_video(torch, torchvision, name, size, frames, stamp))
    for name, size in FLOW.items():
        attempt(f"tv_{name}", lambda: build_flow(torch, torchvision, name, size, stamp))
    for name, (config, model_class, kind) in hf_models(transformers).items():
        attempt(name, lambda: te.build_hf(torch, transformers, name, config, model_class, kind, stamp))
    zc.write_entries("torch_wide", entries, args.only)
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
