/* coco.h — the parsed ground-truth dataset and result list (private).
 *
 * Both are column stores: one array per field, indexed by the element's
 * position in its JSON array (file order).  Nothing is allocated per
 * object; columns grow by doubling through the dataset's vn_mem.
 *
 * Layering: coco depends on json, numparse, rle, alloc and error; nothing
 * below it depends on it. */
#ifndef VN_COCO_H
#define VN_COCO_H

#include <stddef.h>
#include <stdint.h>

#include "vernier.h"
#include "vn_alloc.h"

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
};

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
};

#endif
