"""Builds TensorFlow Lite conversions of zoo Keras models with TensorFlow's own converter.

Sources: the `.keras` files keras_applications.py, keras_custom.py and keras_layers.py wrote (run
those first; SOURCES: 11 applications, the recurrent, attention and op-node models, the layer models), each
converted by Tools/paths/keras_to_tflite.py's `convert` in three variants: float32, float16 weights,
and full-integer int8 (representative dataset: the model's calibration.h5; float inputs and outputs;
recurrent layers unrolled, as that script does). Plus recurrent models in the WHILE form: Keras
`RNN(LSTMCell)` / `RNN(GRUCell)` / `Bidirectional(RNN(LSTMCell))` layers, which the converter does not
fuse, so they become a WHILE loop of builtin operators (batch fixed at 1), against the fused
UNIDIRECTIONAL_SEQUENCE_LSTM / bidirectional forms the default converter makes of `LSTM` layers.

Golden outputs: `tf.lite.Interpreter`'s signature runner on each golden input sample (batch 1),
stacked; inputs are the Keras model's golden inputs. An int8 model's outputs are judged by the noise
floor, which allows one quantization step of an output dequantized from an integer grid, unless
TFLite's own builtin kernels land more than MAX_KERNEL_STEPS output quantization steps from the golden (XNNPACK's)
outputs: then its entry allows 1.5 × that spread (`write_model`). Measured at TF 2.21 on the
Keras text-transformer, GPT block, attention, transfer and preprocessing models and Inception-V3:
0.016–1.07 (3–68 steps), ResNet-50 0.086 (22); on the other int8 CNNs one or two steps.
"""
import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import zoo_common as zc  # noqa: E402

sys.path.insert(0, os.path.join(zc.ROOT, "Tools", "paths"))
import keras_to_tflite  # noqa: E402

SOURCES = ["keras_mobilenet_v2", "keras_mobilenet_v3_small", "keras_efficientnet_b0", "keras_resnet50",
           "keras_densenet121", "keras_convnext_tiny", "keras_nasnet_mobile", "keras_lstm_classifier",
           "keras_gru_classifier", "keras_bidirectional_lstm", "keras_ops_cnn",
           "keras_mobilenet", "keras_efficientnet_v2_b0", "keras_inception_v3", "keras_xception",
           "keras_text_transformer", "keras_gpt_block", "keras_timeseries_conv1d", "keras_stacked_rnn",
           "keras_layers_attention", "keras_layers_masked_lstm", "keras_layers_multi_io", "keras_layers_preprocessing_cnn",
           "keras_layers_separable_dilated", "keras_layers_sequential_rnn", "keras_layers_activations", "keras_layers_transfer"]
# Not converted: keras_layers_conv3d and keras_layers_convlstm (3-D pooling) and keras_layers_ops
# (Erf), which TensorFlow's converter cannot express in builtin operators.
VARIANTS = ["fp32", "fp16", "int8"]
# Sources whose int8 conversion tf.lite.Interpreter itself cannot run (masked LSTM: XNNPACK fails to
# prepare; multi_io: a 2-D input reaches CONV_2D), so there is no golden output for it.
FLOAT_ONLY = {"keras_layers_masked_lstm", "keras_layers_multi_io"}
# Output quantization steps of disagreement between TFLite's builtin and XNNPACK kernels beyond which an int8
# entry is judged against that spread instead of the noise floor (which allows one step).
MAX_KERNEL_STEPS = 2


def read_group(path, group):
    with h5py.File(path, "r") as f:
        return {name: np.asarray(f[group][name]) for name in f[group]}


def interpreter_outputs(tf, data, inputs, builtin_kernels=False):
    """The signature runner's outputs, one sample at a time; with `builtin_kernels` TFLite's own
    operator kernels run instead of the default XNNPACK delegate."""
    options = {"experimental_op_resolver_type": tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES} if builtin_kernels else {}
    interpreter = tf.lite.Interpreter(model_content=data, num_threads=1, **options)
    runner = interpreter.get_signature_runner()
    input_names = list(runner.get_input_details())
    values = list(inputs.values())
    count = values[0].shape[0]
    results = {}
    for index in range(count):
        feeds = {}
        for name, value in zip(input_names, values):
            dtype = runner.get_input_details()[name]["dtype"]
            feeds[name] = value[index:index + 1].astype(dtype)
        for key, value in runner(**feeds).items():
            results.setdefault(key, []).append(value)
    feeds_all = dict(zip(input_names, values))
    return feeds_all, {key: np.concatenate(value) for key, value in results.items()}


def while_models(keras):
    layers = keras.layers
    models = {}
    for kind in ["lstm", "gru", "bilstm"]:
        keras.utils.set_random_seed(zc.SEED)
        ids = keras.Input(shape=(16,), batch_size=1, dtype="int32", name="token_ids")
        x = layers.Embedding(500, 24, name="embedding")(ids)
        if kind == "lstm":
            x = layers.RNN(layers.LSTMCell(32), return_sequences=True, name="lstm")(x)
            x = layers.GlobalMaxPooling1D(name="max_pool")(x)
        elif kind == "gru":
            x = layers.RNN(layers.GRUCell(32), name="gru")(x)
        else:
            x = layers.Bidirectional(layers.RNN(layers.LSTMCell(16)), name="bilstm")(x)
        out = layers.Dense(4, activation="softmax", name="probs")(x)
        models[f"tflite_while_{kind}"] = keras.Model(ids, out)
    return models


def output_step(tf, data):
    """The quantization step of the model's outputs: the smallest scale of the integer tensors
    its final DEQUANTIZE operators read (0 when no output is dequantized)."""
    interpreter = tf.lite.Interpreter(model_content=data, experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    outputs = {o["index"] for o in interpreter.get_output_details()}
    scales = [float(tensors[op["inputs"][0]]["quantization_parameters"]["scales"][0]) for op in interpreter._get_ops_details()
              if op["op_name"] == "DEQUANTIZE" and set(op["outputs"]) & outputs
              and len(tensors[op["inputs"][0]]["quantization_parameters"]["scales"])]
    return min(scales, default=0.0)


def kernel_spread(tf, data, golden_inputs, outputs):
    """How far TFLite's own builtin kernels land from the default (XNNPACK) outputs, in absolute
    value and in quantization steps of the outputs (`output_step`)."""
    _, builtin = interpreter_outputs(tf, data, golden_inputs, builtin_kernels=True)
    spread = max(float(np.max(np.abs(outputs[k].astype(np.float64) - builtin[k]))) for k in outputs)
    step = output_step(tf, data)
    return spread, (spread / step if step else 0.0)


def write_model(tf, name, data, golden_inputs, calibration, stamp, integer=False):
    """Writes the model, its golden outputs (the default interpreter, XNNPACK) and calibration
    inputs. For an integer model whose builtin kernels land more than MAX_KERNEL_STEPS output steps
    from XNNPACK's (their rounding differs and the steps compound through attention and
    normalization layers), the entry's fp32 bar is 1.5 × that spread: no importer can be closer to
    one TFLite than TFLite's two kernel sets are to each other."""
    directory = zc.model_dir(name)
    with open(os.path.join(directory, "model.tflite"), "wb") as handle:
        handle.write(data)
    feeds, outputs = interpreter_outputs(tf, data, golden_inputs)
    provenance = f"tensorflow {tf.__version__} tf.lite.Interpreter (signature runner, batch 1 per sample)"
    entry = {"source": f"{name}/model.tflite"}
    if integer:
        spread, steps = kernel_spread(tf, data, golden_inputs, outputs)
        provenance += f"; builtin kernels without XNNPACK differ by {spread:.3g} ({steps:.1f} output quantization steps)"
        if steps > MAX_KERNEL_STEPS:
            entry["tolerances"] = {"fp32": {"max_abs_error": float(f"{1.5 * spread:.3g}")}}
    zc.write_golden(directory, feeds, outputs, provenance, "the source Keras model's golden inputs")
    input_names = list(feeds)
    zc.write_calibration(directory, dict(zip(input_names, calibration.values())), "the source Keras model's calibration inputs")
    zc.mark_done(directory, stamp)
    print(f"{name}: {len(data):,} bytes", flush=True)
    return entry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=os.environ.get("ZOO_ONLY", ""))
    args = parser.parse_args()
    import keras
    import tensorflow as tf
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "zoo_common.py"), keras_to_tflite.__file__)
    entries, failures = {}, []
    for source in SOURCES:
        source_path = os.path.join(zc.ZOO, source, "model.keras")
        if not os.path.exists(source_path):
            continue
        golden_inputs = read_group(os.path.join(zc.ZOO, source, "golden.h5"), "inputs")
        calibration = read_group(os.path.join(zc.ZOO, source, "calibration.h5"), "inputs")
        for variant in VARIANTS:
            if variant == "int8" and source in FLOAT_ONLY:
                continue
            name = f"tflite_{source.removeprefix('keras_')}_{variant}"
            if not zc.selected(name, args.only):
                continue
            directory = zc.model_dir(name)
            if zc.done(directory, stamp):
                import json
                with open(os.path.join(directory, ".zoo-entry.json")) as handle:
                    entries[name] = json.load(handle)
                continue
            try:
                data = keras_to_tflite.convert(source_path, variant)
                entries[name] = write_model(tf, name, data, golden_inputs, calibration, stamp, integer=variant == "int8")
                import json
                with open(os.path.join(directory, ".zoo-entry.json"), "w") as handle:
                    json.dump(entries[name], handle)
            except Exception as error:
                failures.append(f"{name}: {type(error).__name__}: {str(error)[:300]}")
                print(failures[-1], file=sys.stderr, flush=True)
            keras.backend.clear_session()
    for name, model in while_models(keras).items():
        if not zc.selected(name, args.only):
            continue
        try:
            ids = zc.token_ids(2, 16, 500, np.int32)
            calibration = {"token_ids": zc.token_ids(zc.CALIBRATION_COUNT, 16, 500, np.int32, seed=zc.SEED + 1)}
            data = tf.lite.TFLiteConverter.from_keras_model(model).convert()
            entries[name] = write_model(tf, name, data, {"token_ids": ids}, calibration, stamp)
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__}: {str(error)[:300]}")
            print(failures[-1], file=sys.stderr, flush=True)
    zc.write_entries("tflite", entries, args.only)
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
