/* coco.h — the parsed ground-truth dataset and result list (private).
 *
 * Both are column stores: one array per field, indexed by the element's
 * position in its JSON array (file order).  Nothing is allocated per
 * object; columns grow by doubling through the dataset's vn_mem.
 *
 * Layering: coco depends on json, numparse, rle, alloc and error; nothing
 * below it depends on it.  The dataset handle's public lifecycle
 * (vernier_dataset_load_json / _free / _sizeof) is completed one layer up,
 * in eval/dataset.c, which attaches the mask cache. */
#ifndef VN_COCO_H
#define VN_COCO_H

#include <stddef.h>
#include <stdint.h>

#include "common/vn_alloc.h"
#include "vernier.h"

/* Presence flags of a ground-truth annotation's optional fields. */
enum {
    VN_ANN_HAS_BBOX = 1u << 0,
    VN_ANN_HAS_AREA = 1u << 1,
    VN_ANN_HAS_ISCROWD = 1u << 2,
    VN_ANN_HAS_IGNORE = 1u << 3,
    VN_ANN_HAS_NUM_KEYPOINTS = 1u << 4,
    VN_ANN_HAS_SEGMENTATION = 1u << 5,
    VN_ANN_HAS_KEYPOINTS = 1u << 6
};

/* Segmentations as read, before any rasterisation: one vn_seg per element
 * (annotation or result) and shared pools.  Polygons keep their parts'
 * coordinates; uncompressed RLEs their counts; compressed RLEs their
 * (unescaped) counts string.  Masks are derived from these on demand. */
enum {
    VN_SEG_NONE = 0,   /* no "segmentation" key */
    VN_SEG_POLY = 1,   /* list of polygons: parts [off, off + len) of parts */
    VN_SEG_COUNTS = 2, /* uncompressed RLE: counts [off, off + len) */
    VN_SEG_STRING = 3, /* compressed RLE: chars [off, off + len) */
    VN_SEG_INVALID = 4 /* a value no mask can be made of (kept so that only
                          a mask-based evaluation refuses it, naming it) */
};

typedef struct vn_seg {
    uint8_t kind;   /* VN_SEG_* */
    uint32_t h, w;  /* the RLE's own "size" (RLE kinds) */
    uint32_t len;   /* parts, counts or chars */
    uint64_t off;   /* first part, count or char in its pool */
    uint64_t at;    /* byte offset of the segmentation value in the input */
} vn_seg;

typedef struct vn_part {
    uint64_t off; /* first coordinate of the polygon in coords */
    uint32_t len; /* its coordinates (x, y interleaved; an odd count keeps
                     the dangling value, as pycocotools reads len/2 points) */
} vn_part;

typedef struct vn_segs {
    vn_seg *seg;                 /* one per element; NULL if none read */
    size_t n, cap;
    vn_part *parts;
    size_t n_parts, cap_parts;
    double *coords;
    size_t n_coords, cap_coords;
    uint32_t *counts;
    size_t n_counts, cap_counts;
    char *chars;
    size_t n_chars, cap_chars;
} vn_segs;

/* Releases the store's arrays (the struct itself is embedded). */
void vn_segs_free(vn_segs *s, vn_mem *m);

/* Keypoint lists as read (x, y, v triplets, as doubles: JSON integers up
 * to 2^53 are exact), one vn_part per element (len 0: none given). */
typedef struct vn_kps {
    vn_part *item;
    size_t n, cap;
    double *vals;
    size_t n_vals, cap_vals;
} vn_kps;

void vn_kps_free(vn_kps *k, vn_mem *m);

#define VN_NO_NAME UINT64_MAX

struct vernier_dataset {
    vn_mem mem;

    /* images, file order */
    size_t n_images, cap_images;
    int64_t *image_id;
    int64_t *image_width;  /* -1 when absent */
    int64_t *image_height; /* -1 when absent */

    /* categories, file order */
    size_t n_categories, cap_categories;
    int64_t *category_id;
    int64_t *category_n_kp;    /* length of "keypoints" (names), -1 if absent */
    uint64_t *category_name;   /* offset of its "name" in `names`, VN_NO_NAME
                                  if it has no string "name" */
    char *names;               /* the names, each NUL-terminated */
    size_t n_names, cap_names; /* bytes used and allocated */

    /* annotations, file order */
    size_t n_anns, cap_anns;
    int64_t *ann_id;
    int64_t *ann_image_id;
    int64_t *ann_category_id;
    double *ann_bbox;          /* 4 per annotation: x, y, w, h; 0 if absent */
    double *ann_area;          /* 0 if absent */
    uint8_t *ann_iscrowd;      /* 0..255; value of "iscrowd" (false=0,true=1) */
    uint8_t *ann_ignore;       /* truthiness of "ignore" (0/1); 0 if absent */
    int64_t *ann_num_keypoints;/* 0 if absent */
    uint32_t *ann_flags;       /* VN_ANN_HAS_* */
    uint64_t *ann_offset;      /* byte offset of the annotation's '{' */

    vn_segs segs;              /* segmentations, one per annotation */
    vn_kps kps;                /* keypoints, one per annotation */
    /* an opaque slot for the layer above: eval/masks.c keeps the derived
     * GT masks there (eval/dataset.c attaches and frees it); the parser
     * never looks inside */
    struct vn_mask_cache *cache;
};

/* Parses a ground-truth JSON into a new dataset (*out, NULL on failure;
 * errors as vernier_dataset_load_json documents, whose argument checks
 * this performs).  The cache slot is left NULL. */
int vn_dataset_parse(vernier_dataset **out, const char *data, size_t size,
                     const vernier_allocator *alc, vernier_error *err);

/* Frees what vn_dataset_parse allocated; the cache slot must be empty. */
void vn_dataset_release(vernier_dataset *ds);

struct vernier_results {
    vn_mem mem;
    int kind;                  /* vernier_results_kind */
    size_t n, cap;
    int64_t *image_id;
    int64_t *category_id;
    double *bbox;              /* 4 per result: x, y, w, h (as loadRes leaves it) */
    double *score;
    double *area;              /* as loadRes derives it (see vernier.h) */
    uint64_t *offset;          /* byte offset of the result's '{' */
    vn_kps kps;                /* keypoints, one per result */
    vn_segs segs;              /* segmentations as given (results with bbox
                                  and none keep VN_SEG_NONE: the box's
                                  rectangle is used, as loadRes does) */
};

/* ---- shared by the JSON loaders and the column constructors ----------
 *
 * parse/columns.c fills the same tables as the JSON loaders above, through
 * these (defined in coco.c), so that the two paths build one state.
 * Growth functions return VERNIER_OK or the allocator's failure code and
 * write no error; the caller words it. */

/* A new empty handle on `alc` (NULL: libc); `fn` names the public entry
 * point in VERNIER_E_INVALID_ARG / out-of-memory messages. */
int vn_dataset_alloc(vernier_dataset **out, const vernier_allocator *alc, const char *fn,
                     vernier_error *err);
int vn_results_alloc(vernier_results **out, const vernier_allocator *alc, const char *fn,
                     vernier_error *err);

/* Grow a table's columns to hold `need` rows. */
int vn_dataset_grow_images(vernier_dataset *ds, size_t need);
int vn_dataset_grow_categories(vernier_dataset *ds, size_t need);
int vn_dataset_grow_anns(vernier_dataset *ds, size_t need);
int vn_results_grow(vernier_results *res, size_t need);

/* Element i's keypoints are vals[off, off + len) (elements in order);
 * vn_kps_append adds n values to the pool. */
int vn_kps_set(vn_mem *m, vn_kps *k, size_t i, uint64_t off, size_t len);
int vn_kps_append(vn_mem *m, vn_kps *k, const double *v, size_t n);

/* Element i's segmentation (elements in order), and the pools' appends
 * (push_chars sets *off to the first char and keeps room for a NUL). */
int vn_segs_set(vn_mem *m, vn_segs *s, size_t i, const vn_seg *seg);
int vn_segs_push_coords(vn_mem *m, vn_segs *s, const double *v, size_t n);
int vn_segs_push_part(vn_mem *m, vn_segs *s, uint64_t off, uint32_t len);
int vn_segs_push_counts(vn_mem *m, vn_segs *s, const uint32_t *v, size_t n);
int vn_segs_push_chars(vn_mem *m, vn_segs *s, const char *p, size_t n, uint64_t *off);

/* A compressed RLE string's area (the uint32 pycocotools' rleArea
 * returns) and box (rleToBbox), validating it: VERNIER_E_RLE with the
 * reason in rle_err (a library-owned error), or an allocation failure. */
int vn_rle_measure(vn_mem *m, const char *s, size_t len, uint64_t h, uint64_t w, double *area,
                   double bbox[4], vernier_error *rle_err);

/* loadRes' keypoint branch: bbox and area from the extent of the n values
 * (x, y, v triplets; n >= 3) with visibility ignored. */
void vn_kp_extent(const double *v, size_t n, double bbox[4], double *area);

/* Stores result i (row capacity already grown) as loadRes completes it
 * for the list's kind: BBOX, area = w * h of `bbox`; SEGM, `bbox` as given
 * or (NULL) `derived`, the mask's, with `area` the mask's; KEYPOINTS,
 * `derived` and `area` from the keypoints' extent.  `at` is the byte
 * offset of the result in its input (UINT64_MAX: none). */
void vn_result_store(vernier_results *res, size_t i, int64_t image_id, int64_t category_id,
                     double score, const double *bbox, const double derived[4], double area,
                     uint64_t at);

/* Appends n bytes and a NUL to the category names' pool; *off gets where
 * (a category's category_name).  VERNIER_OK or the allocation failure. */
int vn_dataset_pool_name(vernier_dataset *ds, const char *p, size_t n, uint64_t *off);

#endif
