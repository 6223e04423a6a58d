"""HDF5 files whose bytes depend only on their content: no object times, groups in creation order.

h5py records modification times in every group's object header unless the creation property lists
say otherwise, so rewriting the same golden file would change its bytes on each run. Used by the
corpus scripts and by Tools/fixtures/make_keras_fixtures.py.
"""
import h5py
import numpy as np

_ORDER = h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED


def create_file(path):
    """Opens a new (truncated) HDF5 file for writing; use it as a context manager."""
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    fcpl.set_link_creation_order(_ORDER)
    return h5py.File(h5py.h5f.create(str(path).encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl))


def create_group(parent, name):
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    gcpl.set_link_creation_order(_ORDER)
    h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl)
    return parent[name]


def write_arrays(parent, name, arrays, compress):
    """Writes `arrays` (name → array) as datasets of a new group `name` under `parent`."""
    group = create_group(parent, name)
    for key, array in arrays.items():
        options = dict(compression="gzip", compression_opts=6, shuffle=True) if compress else {}
        group.create_dataset(key, data=np.ascontiguousarray(array), track_times=False, **options)
    return group
