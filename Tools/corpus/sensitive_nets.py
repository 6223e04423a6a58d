"""Builds .cache/int8-auto/: three trained networks whose plain int8-static misses a stated budget,
the corpus `int8-auto` is measured on (README, "Accuracy-driven int8"; Benchmarks/auto-int8-vs-nncf.sh).

Data: the digits split of common.py (1,437 training, 360 held-out samples); images resized to
32×32 (common.upsample), channel axis last for Keras.

Models (Keras 3 functional, TensorFlow backend, seeded, trained here; never downloaded):
- `hswish_mobilenet` (model.h5): a MobileNetV3-style network: stem Conv2D(16, 3×3, s2) → BN →
  hard-swish; three inverted-residual blocks (1×1 expand → BN → hard-swish → depthwise 3×3 → BN →
  hard-swish → squeeze-excite with hard-sigmoid → 1×1 project → BN, residual when shapes allow);
  GlobalAveragePooling → Dense(10, softmax).
- `swish_efficientnet` (model.keras): an EfficientNet-style network: stem Conv2D(24, 3×3, s2) →
  BN → swish; three MBConv blocks with swish and squeeze-excite (sigmoid); head Conv2D(64, 1×1) →
  BN → swish → GlobalAveragePooling → Dense(10, softmax).
- `tiny_vit` (model.keras): a ViT-style transformer: 4×4 patches embedded by Conv2D(32, 4×4, s4)
  into 64 tokens plus a fixed position term (a Keras-3 op node with a constant), two pre-norm
  blocks (LayerNormalization → MultiHeadAttention(2 heads, key_dim 16) → residual;
  LayerNormalization → Dense(64, gelu) → Dense(32) → residual), LayerNormalization,
  GlobalAveragePooling1D → Dense(10, softmax).

Training: Adam (3e-3), sparse categorical cross-entropy, 30 epochs, batch 64, seed common.SEED.
Golden outputs: `model.predict` on the 360 held-out samples (outputs/probs) with labels;
calibration: the first 128 training samples. corpus.yml sets each model's budget:
`max_accuracy_loss` 0.005 (one held-out sample is 0.0028) and `min_cosine` 0.999.

Run: `.cache/venv-corpus/bin/python Tools/corpus/sensitive_nets.py [OUT]` (default .cache/int8-auto).
"""
import os
import sys

import numpy as np

import common

OUT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(common.ROOT, ".cache", "int8-auto"))
EPOCHS = 30
ONLY = [n for n in os.environ.get("ONLY", "").split(",") if n]


def inverted_residual(x, name, expand, out, stride, activation, se_activation, gate):
    """1×1 expand → BN → activation → depthwise 3×3 → BN → activation → squeeze-excite
    (pool → 1×1 reduce with `se_activation` → 1×1 expand with `gate` → scale) → 1×1 project → BN,
    with a residual Add when the shapes allow."""
    from keras import layers

    inp = x
    c = x.shape[-1] * expand
    x = layers.Activation(activation)(layers.BatchNormalization(name=f"{name}_expand_bn")(
        layers.Conv2D(c, 1, use_bias=False, name=f"{name}_expand")(x)))
    x = layers.Activation(activation)(layers.BatchNormalization(name=f"{name}_dw_bn")(
        layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False, name=f"{name}_dw")(x)))
    s = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_se_pool")(x)
    s = layers.Conv2D(max(4, c // 4), 1, activation=se_activation, name=f"{name}_se_reduce")(s)
    s = layers.Conv2D(c, 1, activation=gate, name=f"{name}_se_expand")(s)
    x = layers.Multiply(name=f"{name}_se_scale")([x, s])
    x = layers.BatchNormalization(name=f"{name}_project_bn")(layers.Conv2D(out, 1, use_bias=False, name=f"{name}_project")(x))
    if stride == 1 and inp.shape[-1] == out:
        x = layers.Add(name=f"{name}_add")([inp, x])
    return x


def stem(inputs, filters, activation):
    from keras import layers

    x = layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False, name="stem")(inputs)
    return layers.Activation(activation)(layers.BatchNormalization(name="stem_bn")(x))


def hswish_mobilenet(keras):
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 1), name="input")
    x = stem(inputs, 16, "hard_swish")
    for name, expand, out, stride in [("b1", 3, 16, 1), ("b2", 4, 24, 2), ("b3", 3, 24, 1)]:
        x = inverted_residual(x, name, expand, out, stride, "hard_swish", "relu", "hard_sigmoid")
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(10, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="hswish_mobilenet")


def swish_efficientnet(keras):
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 1), name="input")
    x = stem(inputs, 24, "swish")
    for name, expand, out, stride in [("b1", 1, 16, 1), ("b2", 4, 24, 2), ("b3", 4, 24, 1)]:
        x = inverted_residual(x, name, expand, out, stride, "swish", "swish", "sigmoid")
    x = layers.Activation("swish")(layers.BatchNormalization(name="head_bn")(layers.Conv2D(64, 1, use_bias=False, name="head")(x)))
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(10, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="swish_efficientnet")


def tiny_vit(keras):
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 1), name="input")
    x = layers.Conv2D(32, 4, strides=4, name="patch_embed")(inputs)
    x = layers.Reshape((64, 32), name="tokens")(x)
    x = x + keras.ops.convert_to_tensor(np.random.default_rng(common.SEED).normal(0, 0.02, (1, 64, 32)).astype(np.float32))
    for i in range(2):
        y = layers.LayerNormalization(epsilon=1e-6, name=f"ln{i}a")(x)
        y = layers.MultiHeadAttention(num_heads=2, key_dim=16, name=f"attn{i}")(y, y)
        x = layers.Add(name=f"res{i}a")([x, y])
        y = layers.LayerNormalization(epsilon=1e-6, name=f"ln{i}b")(x)
        y = layers.Dense(64, activation="gelu", name=f"mlp{i}_fc1")(y)
        y = layers.Dense(32, name=f"mlp{i}_fc2")(y)
        x = layers.Add(name=f"res{i}b")([x, y])
    x = layers.LayerNormalization(epsilon=1e-6, name="ln_final")(x)
    x = layers.GlobalAveragePooling1D(name="gap")(x)
    outputs = layers.Dense(10, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="tiny_vit")


MODELS = [
    ("hswish_mobilenet", hswish_mobilenet, "model.h5"),
    ("swish_efficientnet", swish_efficientnet, "model.keras"),
    ("tiny_vit", tiny_vit, "model.keras"),
]

MANIFEST = """\
# Trained networks whose plain int8-static misses the budget below; built by
# Tools/corpus/sensitive_nets.py (the script's docstring says how). int8-auto keeps the nodes
# float that the budget needs.
paths: [fp32, int8-static, int8-auto]
defaults:
  int8-static: {min_cosine: 0.999, max_accuracy_loss: 0.005}
  int8-auto: {min_cosine: 0.999, max_accuracy_loss: 0.005}
models:
"""


def main():
    common.seed_everything()
    keras = common.keras_setup()
    x_train, y_train, x_test, y_test = common.digits_split()
    train = common.upsample(x_train, 32)[..., None].astype(np.float32)
    test = common.upsample(x_test, 32)[..., None].astype(np.float32)
    os.makedirs(OUT, exist_ok=True)
    manifest = MANIFEST
    for name, build, file_name in MODELS:
        if ONLY and name not in ONLY:
            continue
        keras.utils.set_random_seed(common.SEED)
        tr, te = train, test
        model = build(keras)
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(tr, y_train, epochs=EPOCHS, batch_size=64, shuffle=True, verbose=0)
        directory = os.path.join(OUT, name)
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, file_name)
        reloaded = common.keras_save(model, path)
        probs = reloaded.predict(te, batch_size=64, verbose=0)
        note = "resized to 32x32, NHWC"
        common.write_golden(directory, {"input": te}, {"probs": probs}, y_test, common.keras_provenance(), note=note)
        common.write_calibration(directory, {"input": tr[: common.CALIBRATION_COUNT]}, note=note)
        common.report(name, model.count_params(), common.accuracy(probs, y_test), f"({common.file_size(path)} bytes)")
        manifest += f"  {name}: {{source: {name}/{file_name}}}\n"
    if not ONLY:
        with open(os.path.join(OUT, "corpus.yml"), "w") as f:
            f.write(manifest)


if __name__ == "__main__":
    main()
