// libhdf5 (serial; Debian: libhdf5-dev, pkg-config `hdf5-serial` adds its include path).
//
// HDF5 exposes its native types and property defaults as macros over library globals, which Swift
// cannot import; these inline accessors return them as values.
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>

static inline hid_t chdf5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t chdf5_native_int16(void) { return H5T_NATIVE_INT16; }
static inline hid_t chdf5_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t chdf5_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t chdf5_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t chdf5_c_s1(void) { return H5T_C_S1; }
static inline hid_t chdf5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t chdf5_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t chdf5_std_i16le(void) { return H5T_STD_I16LE; }
static inline hid_t chdf5_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t chdf5_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t chdf5_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t chdf5_std_u16le(void) { return H5T_STD_U16LE; }
static inline hid_t chdf5_std_u32le(void) { return H5T_STD_U32LE; }
static inline hid_t chdf5_std_u64le(void) { return H5T_STD_U64LE; }

static inline hid_t chdf5_p_default(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_s_all(void) { return H5S_ALL; }
static inline hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t chdf5_p_attribute_create(void) { return H5P_ATTRIBUTE_CREATE; }
static inline unsigned chdf5_f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned chdf5_f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline size_t chdf5_variable(void) { return H5T_VARIABLE; }

/// Turns off HDF5's automatic printing of error stacks; callers report errors themselves.
static inline void chdf5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static inline herr_t chdf5_copy_innermost_error(unsigned n, const H5E_error2_t *error, void *text) {
    if (n == 0 && error->desc != NULL) {
        snprintf((char *)text, 256, "%s", error->desc);
    }
    return 0;
}

/// Copies the description of the innermost error on this thread's HDF5 error stack (the most
/// specific one, such as "truncated file: eof = …") into `text`, which must hold 256 bytes.
static inline void chdf5_innermost_error(char text[256]) {
    text[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, chdf5_copy_innermost_error, text);
}

/// Bytes that variable-length data read through `chdf5_budgeted_transfer` may still allocate.
typedef struct {
    size_t remaining;
    int exceeded;
} chdf5_vlen_budget;

static inline void *chdf5_budgeted_malloc(size_t size, void *budget) {
    chdf5_vlen_budget *vlen = (chdf5_vlen_budget *)budget;
    if (size > vlen->remaining) {
        vlen->exceeded = 1;
        return NULL;
    }
    vlen->remaining -= size;
    return malloc(size);
}

static inline void chdf5_budgeted_free(void *memory, void *budget) {
    (void)budget;
    free(memory);
}

/// A dataset transfer property list whose variable-length allocations fail (and set `exceeded`)
/// once they would pass `budget->remaining`; reclaim what it allocated with the same list.
static inline hid_t chdf5_budgeted_transfer(chdf5_vlen_budget *budget) {
    hid_t list = H5Pcreate(H5P_DATASET_XFER);
    if (list < 0) return list;
    if (H5Pset_vlen_mem_manager(list, chdf5_budgeted_malloc, budget, chdf5_budgeted_free, NULL) < 0) {
        H5Pclose(list);
        return -1;
    }
    return list;
}
