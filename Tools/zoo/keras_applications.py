"""Builds every `keras.applications` model into the zoo, as `.h5` and as `.keras`.

For each application: the constructor with `weights=None` (no download), its default classifier
head (1000 classes, softmax) and a small square input (SIZES below; the smallest the architecture
accepts where 96 px is too small), seeded with `keras.utils.set_random_seed(SEED)`. BatchNormalization
layers get non-trivial parameters and statistics, as a trained network has: gamma ~ U(0.5, 1.5) and
beta ~ N(0, 0.2) (seeded numpy), then every layer's momentum is set to 0 for one training-mode
forward pass over the calibration crops, so each moving mean and variance is the statistics of what
that layer really sees (momentum restored before saving). The model is saved as
`model.h5` (legacy HDF5) and `model.keras` (Keras 3 zip), both loaded back; golden outputs are
`model.predict` of the loaded `.keras` model on the two photographs after the application's own
`preprocess_input`, and the loaded `.h5` must reproduce them to 1e-6 or the model is not written
(where Keras cannot load its own `.h5` back, the model is in the zoo as `.keras` only).

Corpus entries: `keras_<name>.h5` and `keras_<name>.keras` (same folder, same golden.h5).
Run through Tools/zoo/make_zoo.py (which makes the venv), or directly with the corpus venv:
  .cache/venv-corpus/bin/python Tools/zoo/keras_applications.py [--only resnet50,mobilenet]
"""
import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

import zoo_common as zc  # noqa: E402

# name: (constructor, preprocess module, input size)
APPLICATIONS = {
    "convnext_tiny": ("ConvNeXtTiny", "convnext", 64),
    "convnext_small": ("ConvNeXtSmall", "convnext", 64),
    "convnext_base": ("ConvNeXtBase", "convnext", 64),
    "convnext_large": ("ConvNeXtLarge", "convnext", 64),
    "convnext_xlarge": ("ConvNeXtXLarge", "convnext", 64),
    "densenet121": ("DenseNet121", "densenet", 64),
    "densenet169": ("DenseNet169", "densenet", 64),
    "densenet201": ("DenseNet201", "densenet", 64),
    "efficientnet_b0": ("EfficientNetB0", "efficientnet", 64),
    "efficientnet_b1": ("EfficientNetB1", "efficientnet", 64),
    "efficientnet_b2": ("EfficientNetB2", "efficientnet", 64),
    "efficientnet_b3": ("EfficientNetB3", "efficientnet", 64),
    "efficientnet_b4": ("EfficientNetB4", "efficientnet", 64),
    "efficientnet_b5": ("EfficientNetB5", "efficientnet", 64),
    "efficientnet_b6": ("EfficientNetB6", "efficientnet", 64),
    "efficientnet_b7": ("EfficientNetB7", "efficientnet", 64),
    "efficientnet_v2_b0": ("EfficientNetV2B0", "efficientnet_v2", 64),
    "efficientnet_v2_b1": ("EfficientNetV2B1", "efficientnet_v2", 64),
    "efficientnet_v2_b2": ("EfficientNetV2B2", "efficientnet_v2", 64),
    "efficientnet_v2_b3": ("EfficientNetV2B3", "efficientnet_v2", 64),
    "efficientnet_v2_s": ("EfficientNetV2S", "efficientnet_v2", 64),
    "efficientnet_v2_m": ("EfficientNetV2M", "efficientnet_v2", 64),
    "efficientnet_v2_l": ("EfficientNetV2L", "efficientnet_v2", 64),
    "inception_resnet_v2": ("InceptionResNetV2", "inception_resnet_v2", 75),
    "inception_v3": ("InceptionV3", "inception_v3", 75),
    "mobilenet": ("MobileNet", "mobilenet", 64),
    "mobilenet_v2": ("MobileNetV2", "mobilenet_v2", 64),
    "mobilenet_v3_small": ("MobileNetV3Small", "mobilenet_v3", 64),
    "mobilenet_v3_large": ("MobileNetV3Large", "mobilenet_v3", 64),
    "nasnet_mobile": ("NASNetMobile", "nasnet", 64),
    "nasnet_large": ("NASNetLarge", "nasnet", 64),
    "resnet50": ("ResNet50", "resnet", 64),
    "resnet101": ("ResNet101", "resnet", 64),
    "resnet152": ("ResNet152", "resnet", 64),
    "resnet50_v2": ("ResNet50V2", "resnet_v2", 64),
    "resnet101_v2": ("ResNet101V2", "resnet_v2", 64),
    "resnet152_v2": ("ResNet152V2", "resnet_v2", 64),
    "vgg16": ("VGG16", "vgg16", 64),
    "vgg19": ("VGG19", "vgg19", 64),
    "xception": ("Xception", "xception", 71),
}


def randomize_normalization(keras, model, calibration):
    """Gives every BatchNormalization non-trivial gamma/beta and the moving statistics of its input."""
    rng = np.random.default_rng(zc.SEED)
    norms = [layer for layer in iter_layers(model) if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = []
    for layer in norms:
        weights = layer.get_weights()
        names = [getattr(w, "path", w.name).split("/")[-1].split(":")[0] for w in layer.weights]
        for index, name in enumerate(names):
            if name == "gamma":
                weights[index] = rng.uniform(0.5, 1.5, weights[index].shape).astype(np.float32)
            elif name == "beta":
                weights[index] = rng.normal(0.0, 0.2, weights[index].shape).astype(np.float32)
        layer.set_weights(weights)
        momenta.append(layer.momentum)
        layer.momentum = 0.0
    if norms:
        model(calibration, training=True)
    for layer, momentum in zip(norms, momenta):
        layer.momentum = momentum


def iter_layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            yield from iter_layers(layer)
        else:
            yield layer


def tensor_names(config, key):
    refs = config[key]
    if refs and isinstance(refs[0], str):
        refs = [refs]
    return [ref[0] for ref in refs]


def legacy_agrees(keras, h5_path, inputs, golden, name):
    """True when the legacy `.h5` loads back in Keras and reproduces `golden` to 1e-6.

    Keras itself cannot load some legacy files back (Keras-3 operation nodes in a functional graph):
    those models stay in the zoo as `.keras` only, and the `.h5` is removed.
    """
    try:
        legacy = keras.models.load_model(h5_path, compile=False).predict(inputs, verbose=0)
    except Exception as error:
        print(f"{name}: Keras cannot load its own model.h5 back ({str(error).splitlines()[0][:120]}); .keras only",
              file=sys.stderr, flush=True)
        os.remove(h5_path)
        return False
    legacy = legacy if isinstance(legacy, list) else [legacy]
    for a, b in zip(golden, legacy):
        if np.max(np.abs(a - b)) > 1e-6:
            raise SystemExit(f"{name}: model.h5 and model.keras disagree by {np.max(np.abs(a - b))}")
    return True


def constructed(keras, constructor, module, size):
    """The application with seeded random weights and measured BatchNormalization statistics, and
    its preprocessed photographs and calibration crops."""
    keras.utils.set_random_seed(zc.SEED)
    model = getattr(keras.applications, constructor)(weights=None, input_shape=(size, size, 3))
    preprocess = getattr(keras.applications, module).preprocess_input
    images = preprocess(zc.photographs(size).copy())
    crops = preprocess(zc.calibration_crops(size).copy())
    randomize_normalization(keras, model, crops)
    return model, images, crops


def build(keras, name, constructor, module, size, stamp):
    directory = zc.model_dir(f"keras_{name}")
    entries = {f"keras_{name}.h5": {"source": f"keras_{name}/model.h5"},
               f"keras_{name}.keras": {"source": f"keras_{name}/model.keras"}}
    if zc.done(directory, stamp):
        return entries
    model, images, crops = constructed(keras, constructor, module, size)
    config = model.get_config()
    input_names = tensor_names(config, "input_layers")
    output_names = tensor_names(config, "output_layers")
    h5_path = os.path.join(directory, "model.h5")
    keras_path = os.path.join(directory, "model.keras")
    model.save(h5_path)
    model.save(keras_path)
    loaded = keras.models.load_model(keras_path, compile=False)
    golden = loaded.predict(images, verbose=0)
    golden = golden if isinstance(golden, list) else [golden]
    if not legacy_agrees(keras, h5_path, images, golden, name):
        del entries[f"keras_{name}.h5"]
    provenance = f"keras {keras.__version__} / tensorflow {__import__('tensorflow').__version__}, model.predict, float32"
    zc.write_golden(directory, {input_names[0]: images}, dict(zip(output_names, golden)), provenance,
                    f"{zc.PHOTO_NOTE} to {size}x{size}, keras.applications.{module}.preprocess_input")
    zc.write_calibration(directory, {input_names[0]: crops},
                         f"{zc.CALIBRATION_COUNT} seeded random crops of the two photographs, {size}x{size}, preprocess_input")
    zc.mark_done(directory, stamp)
    print(f"keras_{name}: {model.count_params():,} parameters, {size}x{size}, outputs {output_names}", flush=True)
    return entries


def build_every(keras, build, prefix, family, stamp, only):
    """Builds each application `only` selects (by `<prefix><name>`) with `build(keras, name,
    constructor, module, size, stamp)`, records the family's entries and exits with the failures."""
    entries, failures = {}, []
    for name, (constructor, module, size) in APPLICATIONS.items():
        if not zc.selected(f"{prefix}{name}", only):
            continue
        try:
            entries.update(build(keras, name, constructor, module, size, stamp))
        except Exception as error:  # one architecture failing must not stop the others
            failures.append(f"{prefix}{name}: {type(error).__name__}: {error}")
            print(failures[-1], file=sys.stderr, flush=True)
        keras.backend.clear_session()
    zc.write_entries(family, entries, only)
    if failures:
        raise SystemExit("\n".join(failures))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=os.environ.get("ZOO_ONLY", ""))
    args = parser.parse_args()
    import keras
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "zoo_common.py"))
    build_every(keras, build, "keras_", "keras_applications", stamp, args.only)


if __name__ == "__main__":
    main()
