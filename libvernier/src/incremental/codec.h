/* codec.h — the partial format's blobs: their decoded content, writing
 * and checked reading (private). */
#ifndef VN_CODEC_H
#define VN_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/sha256.h"
#include "common/vn_alloc.h"
#include "common/vn_error.h"
#include "eval/match.h"
#include "incremental/params.h"
#include "vernier.h"

typedef char vn_double_is_64_bits[sizeof(double) == 8 ? 1 : -1];
typedef char vn_float_is_32_bits[sizeof(float) == 4 ? 1 : -1];

#define NONE32 UINT32_MAX
#define HEADER_SIZE 168
#define TRAILER_SIZE VN_SHA256_LEN

/* header field offsets (all little-endian) */
enum {
    OFF_VERSION = 8,       /* u32 */
    OFF_HEADER_SIZE = 12,  /* u32 */
    OFF_TOTAL = 16,        /* u64 */
    OFF_RANK = 24,         /* u32 */
    OFF_IOU = 28,          /* u8 */
    OFF_PARITY = 29,       /* u8 */
    OFF_USE_CATS = 30,     /* u8 */
    OFF_SCORE_ENC = 31,    /* u8 */
    OFF_DATASET = 32,      /* 32 bytes */
    OFF_PARAMS_DIGEST = 64,/* 32 bytes */
    OFF_N_GT_IMAGES = 96,  /* u32 */
    OFF_N_GT_CATS = 100,   /* u32 */
    OFF_N_IMAGES = 104,    /* u64 */
    OFF_N_RECORDS = 112,   /* u64 */
    OFF_N_DETS = 120,      /* u64 */
    OFF_N_ODICT = 128,     /* u64 */
    OFF_N_SDICT = 136,     /* u64 */
    OFF_LEN_PARAMS = 144,  /* u64 */
    OFF_LEN_IMAGES = 152,  /* u64 */
    OFF_LEN_RECORDS = 160  /* u64 */
};

enum { SCORES_F64 = 0, SCORES_F32 = 1, SCORES_DICT = 2 };

typedef struct prec {
    uint32_t image; /* position in the content's image list */
    uint32_t cat;   /* category index (0 when categories are pooled) */
    uint32_t n;     /* kept detections */
} prec;

typedef struct content {
    uint32_t rank_id;
    int iou_type, parity_mode, use_cats;
    uint32_t n_gt_images, n_gt_cats;
    uint8_t dataset_digest[VN_SHA256_LEN], params_digest[VN_SHA256_LEN];
    const uint8_t *params;
    size_t params_len;
    size_t A, T;
    size_t n_images;
    const int64_t *images; /* ascending */
    size_t n_recs;
    const prec *recs;      /* ascending (image, cat) */
    size_t n_dets;
    const double *scores;  /* record after record */
    const vn_outcome *outc;/* A per detection */
} content;

struct vernier_partial {
    vn_mem mem;
    vn_arena arena; /* owns everything the content points to */
    content c;
    size_t size;
};

/* A blob whose framing, checksum and structure were checked: the header
 * figures and where each section starts. */
typedef struct frame {
    const uint8_t *data;
    size_t size;
    uint32_t rank_id;
    int enc;
    uint32_t n_gt_images, n_gt_cats;
    size_t n_images, n_recs, n_dets, n_odict, n_sdict;
    size_t wo, ws;
    const uint8_t *params, *images, *records, *odict, *sdict, *scores, *oindex;
    size_t len_params, len_images, len_records;
    pview pv;
} frame;

/* Fails with `code`, naming blob `index` and the check in err->path. */
int vn_partial_fail(vernier_error *err, int code, size_t index, const char *what, const char *fmt,
               ...) VN_PRINTF(5, 6);

/* Writes content c as a blob into *out (from alc), *out_size bytes. */
int vn_partial_encode(const content *c, vn_arena *scratch, const vernier_allocator *alc,
                      void **out, size_t *out_size, vernier_error *err);

/* Length, magic, version, declared size, checksum, then the header's
 * counts against the section sizes and the parameters section; blob
 * `index` of a merge is named in errors. */
int vn_partial_frame_check(frame *f, const void *data, size_t size, size_t index,
                           vernier_error *err);

/* The image ids of a checked frame, ascending. */
int vn_partial_decode_images(const frame *f, int64_t *ids, size_t index, vernier_error *err);

/* Everything else of a checked frame: records, scores, outcome codes. */
int vn_partial_decode_all(const frame *f, int64_t *images, prec *recs, double *scores,
                          vn_outcome *outc, size_t index, vernier_error *err);

#endif
