"""Shared pieces of the zoo builders: the photographs, the seeds, the golden and calibration writers.

Images: the two photographs scikit-learn ships (`sklearn.datasets.load_sample_images`: china.jpg and
flower.jpg, 427×640 RGB, inside the scikit-learn package, so nothing is downloaded). `photographs(size)`
centre-crops each to a square and resizes it bilinearly (half-pixel centres, edges clamped, float64)
to size×size: two golden samples, pixel values 0–255 as float32, NHWC. `calibration_crops(size, n)`
takes n seeded random square crops (side 200–427 px, random horizontal flip) of the two photographs,
resized the same way: the calibration set of the int8 paths.

Token ids: `token_ids(count, length, vocabulary)` draws seeded ids in [1, vocabulary) with a seeded
padding tail of zeros on the second sample (so attention masks matter).

Files: `golden.h5` holds inputs/<name> and outputs/<name> (inputs keep their dtype: float32 images,
int64 or int32 token ids; outputs float32), root attributes `provenance` (framework and version) and
`data` (what the inputs are). `calibration.h5` holds inputs/<name>. Both are written without object
times (Tools/corpus/h5write.py), so a rerun gives the same bytes.
"""
import functools
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tools", "corpus"))
import h5write  # noqa: E402

SEED = 20261206
ZOO = os.environ.get("MODELGATE_ZOO", os.path.join(ROOT, ".cache", "zoo"))
CALIBRATION_COUNT = 16
PHOTO_NOTE = "sklearn.datasets.load_sample_images (china.jpg, flower.jpg), centre-cropped, bilinear resize"


def resize_matrix(size, source):
    """(size × source) bilinear interpolation weights with half-pixel centres, edges clamped."""
    matrix = np.zeros((size, source))
    scale = source / size
    for i in range(size):
        x = min(max((i + 0.5) * scale - 0.5, 0.0), source - 1.0)
        lo = int(np.floor(x))
        hi = min(lo + 1, source - 1)
        matrix[i, lo] += 1.0 - (x - lo)
        matrix[i, hi] += x - lo
    return matrix


def _resize(image, size):
    rows = resize_matrix(size, image.shape[0])
    cols = resize_matrix(size, image.shape[1])
    vertical = np.tensordot(rows, image.astype(np.float64), axes=(1, 0))
    return np.einsum("lk,ikc->ilc", cols, vertical)


@functools.lru_cache(maxsize=1)
def _photos():
    from sklearn.datasets import load_sample_images
    return [np.asarray(image, np.float64) for image in load_sample_images().images]


def photographs(size):
    """The two photographs as float32 [2, size, size, 3], values 0–255."""
    result = []
    for image in _photos():
        h, w, _ = image.shape
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        result.append(_resize(image[top:top + side, left:left + side], size))
    return np.stack(result).astype(np.float32)


def calibration_crops(size, count=CALIBRATION_COUNT, seed=SEED):
    """`count` seeded random crops of the photographs, float32 [count, size, size, 3], values 0–255."""
    rng = np.random.default_rng(seed)
    photos = _photos()
    result = []
    for index in range(count):
        image = photos[index % len(photos)]
        h, w, _ = image.shape
        side = int(rng.integers(200, min(h, w) + 1))
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        crop = image[top:top + side, left:left + side]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        result.append(_resize(crop, size))
    return np.stack(result).astype(np.float32)


def token_ids(count, length, vocabulary, dtype=np.int64, seed=SEED):
    """Seeded token ids [count, length] in [1, vocabulary); sample 1 ends in a run of padding zeros."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocabulary, size=(count, length))
    if count > 1:
        ids[1, length - max(1, length // 4):] = 0
    return ids.astype(dtype)


def model_dir(name):
    path = os.path.join(ZOO, name)
    os.makedirs(path, exist_ok=True)
    return path


def write_golden(directory, inputs, outputs, provenance, data):
    path = os.path.join(directory, "golden.h5")
    with h5write.create_file(path) as f:
        h5write.write_arrays(f, "inputs", {k: np.asarray(v) for k, v in inputs.items()}, compress=True)
        h5write.write_arrays(f, "outputs", {k: np.asarray(v, np.float32) for k, v in outputs.items()}, compress=True)
        f.attrs["provenance"] = provenance
        f.attrs["data"] = data
    return path


def write_calibration(directory, inputs, data):
    path = os.path.join(directory, "calibration.h5")
    with h5write.create_file(path) as f:
        h5write.write_arrays(f, "inputs", {k: np.asarray(v) for k, v in inputs.items()}, compress=True)
        f.attrs["data"] = data
    return path


def done(directory, stamp):
    """True when `directory` holds a finished model built with the same `stamp`."""
    try:
        with open(os.path.join(directory, ".zoo-stamp")) as handle:
            return handle.read() == stamp and os.path.exists(os.path.join(directory, "golden.h5"))
    except OSError:
        return False


def mark_done(directory, stamp):
    with open(os.path.join(directory, ".zoo-stamp"), "w") as handle:
        handle.write(stamp)


def write_entries(family, entries, only=""):
    """Records this family's corpus entries (name → manifest entry) for make_zoo.py, in a file of its
    own for each `--only` selection (named by a digest of it, so that any selection fits a file name)."""
    import hashlib
    folder = os.path.join(ZOO, ".entries")
    os.makedirs(folder, exist_ok=True)
    name = family + ("-" + hashlib.sha256(only.encode()).hexdigest()[:12] if only else "")
    with open(os.path.join(folder, f"{name}.json"), "w") as handle:
        json.dump(entries, handle, indent=1, sort_keys=True)


def selected(name, only):
    """True when `name` is among the comma-separated patterns of `only` (substring match), or no filter."""
    return not only or any(pattern and pattern in name for pattern in only.split(","))


def script_stamp(*paths):
    import hashlib
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:16]
