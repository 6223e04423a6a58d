"""Builds Keras models of the kinds users write themselves into the zoo, as `.h5` and `.keras`.

Each is a Keras 3 functional model with seeded random weights (`keras.utils.set_random_seed(SEED)`,
the layers' default initializers; BatchNormalization statistics from one momentum-0 training pass as
in keras_applications.py):
- `keras_text_transformer`: token ids (int32, 16 positions, vocabulary 500) → Embedding + learned
  positions (`keras.ops` on the functional graph) → two pre-norm encoder blocks of
  MultiHeadAttention (4 heads, a padding mask from `keras.ops.not_equal(ids, 0)` passed as
  `attention_mask`) and a GELU feed-forward → mean pooling → Dense(5).
- `keras_gpt_block`: a causal decoder block (MultiHeadAttention with `use_causal_mask=True`) on
  token ids, with a weight-tied style output Dense over the vocabulary.
- `keras_lstm_classifier`, `keras_gru_classifier`, `keras_bidirectional_lstm`, `keras_stacked_rnn`:
  Embedding → recurrent layers (return_sequences, GlobalMaxPooling1D) → Dense.
- `keras_ops_cnn`: a small CNN written with Keras-3 operation nodes in the functional graph:
  `x + 3.0`, `x * y`, `keras.ops.relu6`, `keras.ops.sigmoid`, `keras.ops.mean(..., axis=..., keepdims=True)`,
  `keras.ops.transpose`, `keras.ops.reshape`, `x / 6.0`, hard-swish written out.
- `keras_timeseries_conv1d`: Conv1D/SeparableConv1D/MaxPooling1D/LSTM on float sequences.
Golden inputs: seeded token ids (zoo_common.token_ids) or the photographs (64×64, scaled to [0, 1]),
or seeded normal sequences; golden outputs are `model.predict` of the loaded `.keras` model, and the
loaded `.h5` must agree to 1e-6. Keras cannot load back a legacy `.h5` holding Keras-3 operation nodes
(`Unknown layer: 'NotEqual'`); such a model is in the zoo as `.keras` only.
"""
import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

import zoo_common as zc  # noqa: E402
from keras_applications import legacy_agrees, randomize_normalization, tensor_names  # noqa: E402

VOCABULARY = 500
LENGTH = 16


def text_transformer(keras, layers, ops):
    ids = keras.Input(shape=(LENGTH,), dtype="int32", name="token_ids")
    x = layers.Embedding(VOCABULARY, 32, name="tokens")(ids)
    positions = layers.Embedding(LENGTH, 32, name="positions")(ops.arange(LENGTH))
    x = x + positions
    mask = ops.not_equal(ids, 0)
    attention_mask = ops.logical_and(ops.expand_dims(mask, 1), ops.expand_dims(mask, 2))
    for block in range(2):
        h = layers.LayerNormalization(epsilon=1e-6, name=f"ln_attn_{block}")(x)
        h = layers.MultiHeadAttention(4, 8, name=f"attention_{block}")(h, h, attention_mask=attention_mask)
        x = layers.Add(name=f"residual_attn_{block}")([x, h])
        h = layers.LayerNormalization(epsilon=1e-6, name=f"ln_ffn_{block}")(x)
        h = layers.Dense(64, activation="gelu", name=f"ffn_in_{block}")(h)
        h = layers.Dense(32, name=f"ffn_out_{block}")(h)
        x = x + h
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    out = layers.Dense(5, name="logits")(x)
    return keras.Model(ids, out, name="text_transformer"), "ids"


def gpt_block(keras, layers, ops):
    ids = keras.Input(shape=(LENGTH,), dtype="int32", name="token_ids")
    x = layers.Embedding(VOCABULARY, 32, name="wte")(ids)
    h = layers.LayerNormalization(epsilon=1e-5, name="ln_1")(x)
    h = layers.MultiHeadAttention(4, 8, dropout=0.1, name="attn")(h, h, use_causal_mask=True)
    x = x + h
    h = layers.LayerNormalization(epsilon=1e-5, name="ln_2")(x)
    h = layers.Dense(128, name="mlp_fc")(h)
    h = keras.activations.gelu(h, approximate=True)
    h = layers.Dense(32, name="mlp_proj")(h)
    x = layers.Add(name="residual")([x, h])
    x = layers.LayerNormalization(epsilon=1e-5, name="ln_f")(x)
    out = layers.Dense(VOCABULARY, use_bias=False, name="lm_head")(x)
    return keras.Model(ids, out, name="gpt_block"), "ids"


def recurrent(kind):
    def make(keras, layers, ops):
        ids = keras.Input(shape=(LENGTH,), dtype="int32", name="token_ids")
        x = layers.Embedding(VOCABULARY, 24, name="embedding")(ids)
        if kind == "lstm":
            x = layers.LSTM(32, return_sequences=True, name="lstm")(x)
            x = layers.GlobalMaxPooling1D(name="max_pool")(x)
        elif kind == "gru":
            x = layers.GRU(32, name="gru")(x)
        elif kind == "bidirectional":
            x = layers.Bidirectional(layers.LSTM(16, return_sequences=True), name="bilstm")(x)
            x = layers.GlobalAveragePooling1D(name="pool")(x)
        else:
            x = layers.LSTM(32, return_sequences=True, name="lstm_1")(x)
            x = layers.GRU(24, return_sequences=True, name="gru_2")(x)
            x = layers.SimpleRNN(16, name="rnn_3")(x)
        out = layers.Dense(4, activation="softmax", name="probs")(x)
        return keras.Model(ids, out, name=f"{kind}_classifier"), "ids"
    return make


def ops_cnn(keras, layers, ops):
    image = keras.Input(shape=(64, 64, 3), name="image")
    x = layers.Conv2D(16, 3, strides=2, padding="same", name="stem")(image)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = x * ops.relu6(x + 3.0) / 6.0
    y = layers.DepthwiseConv2D(3, padding="same", name="dw")(x)
    y = layers.BatchNormalization(name="dw_bn")(y)
    y = ops.relu(y)
    squeeze = ops.mean(y, axis=(1, 2), keepdims=True)
    squeeze = layers.Conv2D(4, 1, activation="relu", name="se_reduce")(squeeze)
    squeeze = layers.Conv2D(16, 1, name="se_expand")(squeeze)
    y = y * ops.sigmoid(squeeze)
    x = layers.Conv2D(16, 1, name="project")(y) + x
    x = ops.transpose(x, (0, 3, 1, 2))
    x = ops.reshape(x, (-1, 16, 32 * 32))
    x = ops.max(x, axis=-1)
    x = ops.concatenate([x, ops.square(x) * 0.01], axis=-1)
    out = layers.Dense(10, name="logits")(x)
    return keras.Model(image, out, name="ops_cnn"), "image"


def timeseries_conv1d(keras, layers, ops):
    series = keras.Input(shape=(48, 6), name="series")
    x = layers.Conv1D(16, 5, padding="causal", activation="relu", name="conv")(series)
    x = layers.SeparableConv1D(24, 3, padding="same", activation="swish", name="sep")(x)
    x = layers.MaxPooling1D(2, name="pool")(x)
    x = layers.LSTM(16, name="lstm")(x)
    out = layers.Dense(3, name="forecast")(x)
    return keras.Model(series, out, name="timeseries"), "series"


MODELS = {
    "keras_text_transformer": text_transformer,
    "keras_gpt_block": gpt_block,
    "keras_lstm_classifier": recurrent("lstm"),
    "keras_gru_classifier": recurrent("gru"),
    "keras_bidirectional_lstm": recurrent("bidirectional"),
    "keras_stacked_rnn": recurrent("stacked"),
    "keras_ops_cnn": ops_cnn,
    "keras_timeseries_conv1d": timeseries_conv1d,
}


def inputs_for(kind, count):
    if kind == "ids":
        return zc.token_ids(count, LENGTH, VOCABULARY, np.int32), "seeded token ids (zoo_common.token_ids)"
    if kind == "image":
        return zc.photographs(64)[:count] / 255.0, f"{zc.PHOTO_NOTE} to 64x64, /255"
    rng = np.random.default_rng(zc.SEED + count)
    return rng.normal(0, 1, (count, 48, 6)).astype(np.float32), "seeded normal(0, 1) sequences"


def names_of(model, key):
    """The model's input or output tensor names (`key`: input_layers, output_layers) as golden.h5
    names them; a Sequential model's config has neither, so its first input and last layer."""
    config = model.get_config()
    if key in config:
        return tensor_names(config, key)
    return [model.inputs[0].name] if key == "input_layers" else [model.layers[-1].name]


def save(keras, name, model, golden_inputs, calibration, note, stamp):
    """Gives `model` its BatchNormalization statistics, saves it as .h5 and .keras in the zoo with
    golden.h5 (`model.predict` of the loaded .keras file) and calibration.h5, and returns its corpus
    entries (the .h5 only when Keras reproduces the outputs from it). `golden_inputs` and
    `calibration` list the inputs in the model's input order."""
    directory = zc.model_dir(name)
    entries = {f"{name}.h5": {"source": f"{name}/model.h5"}, f"{name}.keras": {"source": f"{name}/model.keras"}}
    randomize_normalization(keras, model, calibration[0] if len(calibration) == 1 else calibration)
    h5_path, keras_path = os.path.join(directory, "model.h5"), os.path.join(directory, "model.keras")
    model.save(h5_path)
    model.save(keras_path)
    feed = golden_inputs[0] if len(golden_inputs) == 1 else golden_inputs
    outputs = keras.models.load_model(keras_path, compile=False).predict(feed, verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    if not legacy_agrees(keras, h5_path, feed, outputs, name):
        del entries[f"{name}.h5"]
    provenance = f"keras {keras.__version__} / tensorflow {__import__('tensorflow').__version__}, model.predict, float32"
    input_names, output_names = names_of(model, "input_layers"), names_of(model, "output_layers")
    zc.write_golden(directory, dict(zip(input_names, golden_inputs)), dict(zip(output_names, outputs)), provenance, note)
    zc.write_calibration(directory, dict(zip(input_names, calibration)), "seeded calibration inputs of the same kind")
    zc.mark_done(directory, stamp)
    print(f"{name}: {model.count_params():,} parameters", flush=True)
    return entries


def built(name, stamp):
    """The corpus entries of a model already built with `stamp`, or None."""
    if not zc.done(zc.model_dir(name), stamp):
        return None
    entries = {f"{name}.h5": {"source": f"{name}/model.h5"}, f"{name}.keras": {"source": f"{name}/model.keras"}}
    return {key: value for key, value in entries.items() if os.path.exists(os.path.join(zc.ZOO, value["source"]))}


def build(keras, name, factory, stamp):
    existing = built(name, stamp)
    if existing is not None:
        return existing
    keras.utils.set_random_seed(zc.SEED)
    model, kind = factory(keras, keras.layers, keras.ops)
    golden_inputs, note = inputs_for(kind, 2)
    calibration, _ = inputs_for(kind, zc.CALIBRATION_COUNT)
    if kind == "ids":
        calibration = zc.token_ids(zc.CALIBRATION_COUNT, LENGTH, VOCABULARY, np.int32, seed=zc.SEED + 1)
    elif kind == "image":
        calibration = zc.calibration_crops(64) / 255.0
    return save(keras, name, model, [golden_inputs], [calibration], note, stamp)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=os.environ.get("ZOO_ONLY", ""))
    args = parser.parse_args()
    import keras
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "zoo_common.py"))
    entries, failures = {}, []
    for name, factory in MODELS.items():
        if not zc.selected(name, args.only):
            continue
        try:
            entries.update(build(keras, name, factory, stamp))
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__}: {error}")
            print(failures[-1], file=sys.stderr, flush=True)
        keras.backend.clear_session()
    zc.write_entries("keras_custom", entries, args.only)
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
