"""Builds every `keras.applications` model as tf.keras 2 writes it (the tf-keras package, which
TensorFlow loads as `tf.keras` with `TF_USE_LEGACY_KERAS=1`) into the zoo, as `.h5` and `.keras`.

The recipe is keras_applications.py's (same constructors, sizes, seeds, BatchNormalization
statistics and preprocessing), built by tf.keras 2 instead of Keras 3: its legacy `.h5` records
`x + 3.0` as a `TFOpLambda` layer, a nested model's calls from node 1 and InceptionResNetV2's
layer as `Custom>CustomScaleLayer`, which Keras 3 files never do. Golden outputs are tf.keras's
`model.predict` of the built model on the two photographs after `preprocess_input` (tf.keras 2
cannot load its own ConvNeXt `.h5` back without its custom objects, so the built model is the one
that predicts).

Corpus entries: `tfkeras_<name>.h5` and `tfkeras_<name>.keras` (same folder, same golden.h5).
Run through Tools/zoo/make_zoo.py, or directly with the corpus venv:
  .cache/venv-corpus/bin/python Tools/zoo/tf_keras_applications.py [--only resnet50,mobilenet]
"""
import argparse
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras_applications as ka  # noqa: E402
import zoo_common as zc  # noqa: E402


def build(keras, name, constructor, module, size, stamp):
    directory = zc.model_dir(f"tfkeras_{name}")
    entries = {f"tfkeras_{name}.h5": {"source": f"tfkeras_{name}/model.h5"},
               f"tfkeras_{name}.keras": {"source": f"tfkeras_{name}/model.keras"}}
    if zc.done(directory, stamp):
        return entries
    model, images, crops = ka.constructed(keras, constructor, module, size)
    model.save(os.path.join(directory, "model.h5"))
    model.save(os.path.join(directory, "model.keras"))
    golden = model.predict(images, verbose=0)
    input_name = model.inputs[0].name.split(":")[0]
    provenance = f"tf.keras {keras.__version__} / tensorflow {__import__('tensorflow').__version__}, model.predict, float32"
    zc.write_golden(directory, {input_name: images}, {model.output_names[0]: golden}, provenance,
                    f"{zc.PHOTO_NOTE} to {size}x{size}, tf.keras.applications.{module}.preprocess_input")
    zc.write_calibration(directory, {input_name: crops},
                         f"{zc.CALIBRATION_COUNT} seeded random crops of the two photographs, {size}x{size}, preprocess_input")
    zc.mark_done(directory, stamp)
    print(f"tfkeras_{name}: {model.count_params():,} parameters, {size}x{size}", flush=True)
    return entries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=os.environ.get("ZOO_ONLY", ""))
    args = parser.parse_args()
    import tensorflow as tf
    import tf_keras as keras
    tf.config.experimental.enable_op_determinism()
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "keras_applications.py"), os.path.join(zc.HERE, "zoo_common.py"))
    ka.build_every(keras, build, "tfkeras_", "tf_keras_applications", stamp, args.only)


if __name__ == "__main__":
    main()
