/*
 * vernier.h — the public C interface of libvernier.
 *
 * libvernier evaluates object-detection results the way COCO's reference
 * evaluator (pycocotools 2.0.11) does: it reads COCO ground truth and
 * loadRes-shaped result arrays, matches detections to ground truth and
 * reports average precision and recall.  In strict parity mode the numbers
 * are bit-for-bit those of pycocotools.
 *
 * Anything not declared in this header is not API.  Every other header in
 * the source tree is private and may change without notice.
 *
 * Sections, in order:
 *   1. Export macros
 *   2. Version
 *   3. Status codes and the error struct
 *   4. Allocator
 *   5. Dataset (COCO ground-truth JSON)
 *   6. Results (loadRes-shaped detection JSON)
 *   7. Evaluation options
 *   8. Evaluation
 *  10. Incremental evaluation session
 *  11. Background worker
 *  12. Partial evaluation state and merging (distributed evaluation)
 *  13. Masks (pycocotools.mask's codec)
 *  14. Columns (datasets and results from arrays, without JSON)
 *
 * Conventions (the same for every function):
 *   - Fallible functions return an int status: VERNIER_OK (0) on success or a
 *     negative vernier_status.  Outputs come first; a single output is named
 *     `out`.  On failure `*out` is left NULL and nothing is leaked.
 *   - A pointer returned through `**out` is owned by the caller and must be
 *     released with the matching vernier_*_free.  A pointer returned by value
 *     is borrowed and valid while its parent handle lives.  Never release
 *     library memory with free().
 *   - Every vernier_*_free accepts NULL.
 *   - NULL handles, one rule for every getter: a count or scalar getter
 *     (vernier_*_num_*, *_seen, *_sizeof, ...) returns 0 for a NULL handle;
 *     a pointer getter returns NULL; a function that copies into or fills
 *     caller memory (vernier_*_copy_*, *_dims, *_memory, *_get_info,
 *     *_stat_info, ...) returns VERNIER_E_INVALID_ARG and writes nothing.
 *   - Output structs that may grow (vernier_error, vernier_memory_usage,
 *     vernier_partial_info, vernier_stat_info) start with `size_t size`,
 *     which the caller sets to sizeof(the struct) -- use the *_INIT
 *     initialisers -- before passing it.  The library never writes past
 *     `size` bytes: a struct from an older vernier.h (smaller) receives the
 *     fields it has, and leaves `size` as the caller set it.
 *   - `err` may be NULL ("don't care"); otherwise it is filled on failure and
 *     left untouched on success.  An `err` whose size is below
 *     VERNIER_ERROR_MIN_SIZE is treated as NULL.
 *   - Every set of choices is an enum (vernier_status, vernier_iou_type,
 *     ...); `int` parameters and fields that carry one name it.
 *   - Thread safety: a handle is used by one thread at a time.  A loaded
 *     dataset or results handle is immutable and may be shared read-only
 *     between threads (for example by two evaluations running at once).
 */
#ifndef VERNIER_H
#define VERNIER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * 1. Export macros
 * ------------------------------------------------------------------------ */

/* VERNIER_API marks every exported function.  The library is built with
 * -fvisibility=hidden so that only these symbols leave the shared object. */
#ifndef VERNIER_API
#  if defined(__GNUC__) && __GNUC__ >= 4
#    define VERNIER_API __attribute__((visibility("default")))
#  else
#    define VERNIER_API
#  endif
#endif

/* ---------------------------------------------------------------------------
 * 2. Version
 *
 * The compile-time identity (macros) and the run-time identity (functions)
 * should agree; bindings check that they do when they load the library.
 * ------------------------------------------------------------------------ */

#define VERNIER_VERSION_MAJOR 0
#define VERNIER_VERSION_MINOR 1
#define VERNIER_VERSION_PATCH 0
#define VERNIER_VERSION_NUMBER \
    (VERNIER_VERSION_MAJOR * 10000 + VERNIER_VERSION_MINOR * 100 + VERNIER_VERSION_PATCH)
#define VERNIER_VERSION_STRING "0.1.0"

/* Returns VERNIER_VERSION_NUMBER of the library actually linked. */
VERNIER_API unsigned vernier_version_number(void);

/* Returns VERNIER_VERSION_STRING of the library actually linked (static
 * storage, never freed). */
VERNIER_API const char *vernier_version_string(void);

/* ---------------------------------------------------------------------------
 * 3. Status codes and the error struct
 *
 * Values are pinned: they never change and are never reused.
 * ------------------------------------------------------------------------ */

typedef enum vernier_status {
    VERNIER_OK = 0,
    /* An argument is invalid: NULL where a value is required, an option out
     * of range, an unknown option-struct version. */
    VERNIER_E_INVALID_ARG = -1,
    /* The allocator returned NULL. */
    VERNIER_E_NOMEM = -2,
    /* An allocation would exceed the memory budget (distinct from NOMEM). */
    VERNIER_E_BUDGET = -3,
    /* The input is not well-formed JSON (RFC 8259): truncated, a syntax
     * error, invalid UTF-8, a byte-order mark, a non-finite number literal
     * such as NaN.  offset/line/column locate the first bad byte. */
    VERNIER_E_JSON = -4,
    /* The input is valid JSON but not valid COCO: a missing required key, a
     * value of the wrong type, a number out of range or not finite, an id
     * that is not an integer.  offset/line/column and path locate it. */
    VERNIER_E_SCHEMA = -5,
    /* A result refers to an image id that the ground truth does not have
     * (pycocotools: "Results do not correspond to current coco set"). */
    VERNIER_E_UNKNOWN_IMAGE = -6,
    /* A run-length-encoded mask is malformed (bad characters, counts that
     * do not sum to height x width, overflow). */
    VERNIER_E_RLE = -7,
    /* A function was called in the wrong state. */
    VERNIER_E_STATE = -8,
    /* A documented size limit was exceeded (see the limits section of the
     * reference documentation). */
    VERNIER_E_LIMIT = -9,
    /* The input is well-formed but cannot be evaluated as given (for
     * example a result list whose shape the selected iou type cannot use). */
    VERNIER_E_UNSUPPORTED = -10,
    /* An incremental session (vernier_session_add, vernier_worker_submit)
     * was given a result on an image that an earlier batch already
     * covered: each image's detections must arrive in one batch.  The
     * message names the image id. */
    VERNIER_E_DUPLICATE_IMAGE = -11,
    /* A worker's queue was at capacity and stayed so for the whole
     * timeout: the batch was not enqueued (the caller still owns it). */
    VERNIER_E_QUEUE_FULL = -12,
    /* A partial (section 12) is not a well-formed partial of this library:
     * too short, truncated, a wrong magic number, a checksum that does not
     * match its bytes, or malformed content.  `index` names the blob (its
     * position in the merge's list) and `path` the check that failed
     * ("length", "magic", "checksum", "structure", ...). */
    VERNIER_E_PARTIAL_CORRUPT = -13,
    /* A partial has a format version this library does not read. */
    VERNIER_E_PARTIAL_VERSION = -14,
    /* A partial was produced with another configuration than the merge's:
     * another kernel, parity mode or resolved parameter.  `path` names the
     * first field that differs ("iou_type", "parity_mode", "max_dets",
     * "iou_thresholds", ...), `index` the blob. */
    VERNIER_E_PARTIAL_MISMATCH = -15,
    /* A partial was produced against other ground truth (its dataset
     * digest differs from the merge's). */
    VERNIER_E_PARTIAL_DATASET = -16,
    /* Do not use: one past the most negative code of this version. */
    VERNIER_E__LAST = -17
} vernier_status;

/* Which of vernier_error's entity fields are set (bits of `fields`).  Ids
 * may be any int64, negative ones included, so presence is told by these
 * bits, never by a sentinel value.  A field is set wherever the message
 * names that entity. */
typedef enum vernier_error_field {
    VERNIER_ERROR_HAS_IMAGE_ID = 0x01,      /* image_id */
    VERNIER_ERROR_HAS_CATEGORY_ID = 0x02,   /* category_id */
    VERNIER_ERROR_HAS_ANNOTATION_ID = 0x04, /* annotation_id (ground truth) */
    VERNIER_ERROR_HAS_RESULT_INDEX = 0x08,  /* result_index (detections) */
    VERNIER_ERROR_HAS_PARTIAL_INDEX = 0x10, /* partial_index */
    VERNIER_ERROR_HAS_RANK_ID = 0x20,       /* rank_id */
    VERNIER_ERROR_HAS_OTHER_PARTIAL_INDEX = 0x40, /* other_partial_index */
    VERNIER_ERROR_HAS_OTHER_RANK_ID = 0x80, /* other_rank_id */
    VERNIER_ERROR_HAS_BATCH_INDEX = 0x100   /* batch_index */
} vernier_error_field;

/* Caller-owned error detail.  Fill nothing in; the library writes it on
 * failure.  Location fields that do not apply are -1 (numbers) or ""
 * (strings); the entity fields after `message` are meaningful only when
 * their bit is set in `fields` (and 0 otherwise). */
typedef struct vernier_error {
    size_t size;         /* set by the caller: sizeof(vernier_error) */
    int code;            /* the vernier_status returned */
    int64_t offset;      /* byte offset of the problem in the input, or -1 */
    int64_t line;        /* 1-based line of `offset`, or -1 */
    int64_t column;      /* 1-based column (in bytes) of `offset`, or -1 */
    int64_t index;       /* index of the offending element (annotation or
                            result) within its array, or -1 */
    char path[160];      /* JSON path, e.g. "annotations[12].bbox[2]" */
    char message[352];   /* human-readable, NUL-terminated, never empty on
                            failure */
    unsigned fields;     /* vernier_error_field bits: which below are set */
    int64_t image_id;    /* the image the error is about */
    int64_t category_id; /* the category the error is about */
    int64_t annotation_id; /* the ground-truth annotation's id */
    int64_t result_index;  /* the result's position in its result list (its
                              loadRes id minus one) */
    int64_t partial_index; /* the partial's position in the merge's list */
    uint32_t rank_id;      /* the rank that partial says produced it */
    int64_t other_partial_index; /* an overlap: the earlier partial */
    uint32_t other_rank_id;      /* and its rank */
    int64_t batch_index;   /* a worker's error about an earlier batch: that
                              batch's number, 1-based in submit order (the
                              message starts "batch N: ") */
    uint32_t reason_offset; /* message[reason_offset, reason_offset +    */
    uint32_t reason_length; /* reason_length) is the reason alone: without
                              the "batch N: " prefix, the JSON path and the
                              " (line L, column C)" suffix that the message
                              puts around it (set on every failure) */
} vernier_error;

/* Initialise a caller's error: vernier_error err = VERNIER_ERROR_INIT; */
#define VERNIER_ERROR_INIT                                                                       \
    {sizeof(vernier_error), 0, -1, -1, -1, -1, "", "", 0u, 0, 0, 0, 0, 0, 0u, 0, 0u, 0, 0u, 0u}

/* The smallest `size` the library writes to: the fields through
 * `message` (the first version of the struct). */
#define VERNIER_ERROR_MIN_SIZE offsetof(vernier_error, fields)

/* Returns a static description of a status code (never NULL, never freed). */
VERNIER_API const char *vernier_status_string(int code);

/* ---------------------------------------------------------------------------
 * 4. Allocator
 *
 * Every allocation the library makes goes through one of these.  Sizes are
 * passed back on realloc and free so that an accounting allocator needs no
 * per-block header.  Passing NULL where an allocator is accepted means the
 * C library's malloc/realloc/free.  A custom allocator may return NULL at
 * any time; the library then fails with VERNIER_E_NOMEM and leaks nothing.
 * ------------------------------------------------------------------------ */

typedef struct vernier_allocator {
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} vernier_allocator;

/* ---------------------------------------------------------------------------
 * 5. Dataset (COCO ground-truth JSON)
 * ------------------------------------------------------------------------ */

typedef struct vernier_dataset vernier_dataset;

/* Parses COCO ground truth from `size` bytes at `data` (UTF-8 JSON, no BOM).
 *
 * Reads `images` (id, width, height), `categories` (id, the length of
 * `keypoints`) and `annotations` (id, image_id, category_id, bbox, area,
 * iscrowd, ignore, num_keypoints, segmentation as polygons or RLE,
 * keypoints).  Unknown keys anywhere are ignored.  The three arrays are
 * required.
 *
 * The input is not retained: the caller may release `data` on return.
 * Allocation uses `alc` (NULL: libc) for the life of the dataset.
 *
 * Errors: VERNIER_E_JSON, VERNIER_E_SCHEMA (with path), VERNIER_E_LIMIT,
 * VERNIER_E_NOMEM, VERNIER_E_INVALID_ARG.
 */
VERNIER_API int vernier_dataset_load_json(vernier_dataset **out, const char *data, size_t size,
                                          const vernier_allocator *alc, vernier_error *err);

/* Releases a dataset.  NULL is a no-op. */
VERNIER_API void vernier_dataset_free(vernier_dataset *ds);

/* Counts of the arrays as read (duplicates included). */
VERNIER_API size_t vernier_dataset_num_images(const vernier_dataset *ds);
VERNIER_API size_t vernier_dataset_num_annotations(const vernier_dataset *ds);
VERNIER_API size_t vernier_dataset_num_categories(const vernier_dataset *ds);

/* Category i (0 <= i < vernier_dataset_num_categories, file order): its
 * id (0 for a NULL dataset or i out of range), and its "name" (borrowed,
 * NUL-terminated, valid while the dataset lives; "" when the category has
 * no string "name"; NULL for a NULL dataset or i out of range).  Names are
 * informational: the evaluation and the dataset digest do not read them. */
VERNIER_API int64_t vernier_dataset_category_id(const vernier_dataset *ds, size_t i);
VERNIER_API const char *vernier_dataset_category_name(const vernier_dataset *ds, size_t i);

/* Bytes currently held by the dataset (its columns and its cache). */
VERNIER_API size_t vernier_dataset_sizeof(const vernier_dataset *ds);

/* The derivation cache.  Mask-based evaluations (segm, boundary) turn the
 * ground truth's polygons and RLEs into masks, and boundary evaluations
 * into boundary bands (per dilation ratio).  The dataset keeps them, so a
 * later evaluation against the same handle skips that work.  Filling the
 * cache is internally synchronised: concurrent evaluations may share a
 * dataset (a custom allocator must then be thread-safe). */
typedef enum vernier_cache_kind {
    VERNIER_CACHE_MASKS = 0, /* ground-truth masks */
    VERNIER_CACHE_BANDS = 1  /* boundary bands, over all dilation ratios */
} vernier_cache_kind;

/* Number of cached entries of `kind` (a vernier_cache_kind); 0 for a NULL
 * dataset or an unknown kind. */
VERNIER_API size_t vernier_dataset_cache_len(const vernier_dataset *ds, int kind);

/* Drops every cached mask and band.  Returns VERNIER_E_STATE (and drops
 * nothing) while an evaluation is using the dataset. */
VERNIER_API int vernier_dataset_clear_cache(vernier_dataset *ds);

/* ---------------------------------------------------------------------------
 * 6. Results (loadRes-shaped detection JSON)
 * ------------------------------------------------------------------------ */

typedef struct vernier_results vernier_results;

/* How the result list was interpreted.  As in pycocotools' loadRes, the FIRST
 * result decides for the whole list:
 *   BBOX      it has a non-empty "bbox": area = w*h of that box;
 *   SEGM      else it has "segmentation" (compressed RLE): area = mask
 *             area, bbox = the mask's box unless "bbox" is given;
 *   KEYPOINTS else it has "keypoints": bbox and area from the extent of
 *             all keypoints;
 *   EMPTY     the list is empty. */
typedef enum vernier_results_kind {
    VERNIER_RESULTS_EMPTY = 0,
    VERNIER_RESULTS_BBOX = 1,
    VERNIER_RESULTS_SEGM = 2,
    VERNIER_RESULTS_KEYPOINTS = 3
} vernier_results_kind;

/* Parses a loadRes-shaped JSON array of result objects (image_id,
 * category_id, score, and bbox / segmentation / keypoints).  Unknown keys
 * are ignored; any "id" or "iscrowd" given is ignored, as loadRes
 * overwrites them (ids become 1..N in list order).
 *
 * Errors: VERNIER_E_JSON, VERNIER_E_SCHEMA (with path and index),
 * VERNIER_E_RLE, VERNIER_E_LIMIT, VERNIER_E_NOMEM, VERNIER_E_INVALID_ARG.
 */
VERNIER_API int vernier_results_load_json(vernier_results **out, const char *data, size_t size,
                                          const vernier_allocator *alc, vernier_error *err);

/* Releases a results handle.  NULL is a no-op. */
VERNIER_API void vernier_results_free(vernier_results *res);

/* Number of results read. */
VERNIER_API size_t vernier_results_num_detections(const vernier_results *res);

/* The vernier_results_kind chosen for the list. */
VERNIER_API int vernier_results_get_kind(const vernier_results *res);

/* ---------------------------------------------------------------------------
 * 7. Evaluation options
 *
 * A transparent struct with a version field.  Initialise it with
 * vernier_eval_options_init, then change the fields you need.  New fields
 * are only ever added at the end, with a new version number.
 * ------------------------------------------------------------------------ */

#define VERNIER_EVAL_OPTIONS_VERSION 1

/* Upper bounds of the evaluation grid. */
#define VERNIER_MAX_MAX_DETS 16
#define VERNIER_MAX_THREADS 256
#define VERNIER_MAX_IOU_THRESHOLDS 32
#define VERNIER_MAX_RECALL_THRESHOLDS 1001
#define VERNIER_MAX_AREA_RANGES 16
#define VERNIER_MAX_AREA_LABEL 31

typedef enum vernier_iou_type {
    /* Box IoU (pycocotools iouType "bbox"). */
    VERNIER_IOU_BBOX = 0,
    /* Mask IoU (pycocotools iouType "segm"): ground-truth polygons and RLEs
     * and result RLEs/polygons (or a bbox result's rectangle), with
     * pycocotools' box prefilter and crowd rule. */
    VERNIER_IOU_SEGM = 1,
    /* Boundary IoU (Cheng et al.; boundary-iou-api): min(mask IoU, IoU of
     * the boundary bands of width d = dilation_ratio x image diagonal)
     * against non-crowd ground truth, mask IoU against crowd ground truth. */
    VERNIER_IOU_BOUNDARY = 2,
    /* Object keypoint similarity (pycocotools iouType "keypoints"), with
     * per-keypoint sigmas (COCO's 17 person sigmas by default). */
    VERNIER_IOU_KEYPOINTS = 3
} vernier_iou_type;

typedef enum vernier_parity_mode {
    /* Reproduce pycocotools 2.0.11 bit for bit, quirks included. */
    VERNIER_PARITY_STRICT = 0,
    /* Fix documented quirks (docs/explanation/quirks.md, ADR 0011): honour
     * GT "ignore" flags, treat id 0 as an id, read stats at the largest
     * cap, refuse mask-size mismatches, masks stood in by boxes and
     * degenerate polygons, and break score ties by box, not input order. */
    VERNIER_PARITY_CORRECTED = 1
} vernier_parity_mode;

typedef struct vernier_eval_options {
    unsigned version;    /* VERNIER_EVAL_OPTIONS_VERSION */
    int iou_type;        /* vernier_iou_type; default BBOX */
    int parity_mode;     /* vernier_parity_mode; default STRICT */
    int use_cats;        /* 1: per category (default); 0: categories pooled */
    size_t n_max_dets;   /* 0 (default): the kernel's ladder, (1, 10, 100),
                            or (20) for keypoints; else 1..VERNIER_MAX_MAX_DETS */
    int64_t max_dets[VERNIER_MAX_MAX_DETS]; /* distinct, each >= 0; evaluated
                            in ascending order, like pycocotools */
    double dilation_ratio; /* BOUNDARY only: band width as a fraction of the
                            image diagonal; default 0.02 (COCO), in (0, 1] */

    /* KEYPOINTS only.  sigmas (n_sigmas values) apply to every category;
     * NULL means COCO's 17 person sigmas (the literals .26 .25 ... divided
     * by 10.0 at run time, as pycocotools does).  The per-category
     * overrides give category category_sigma_ids[i] the next
     * category_sigma_counts[i] values of category_sigma_values; a count
     * must equal the category's number of keypoint names when the
     * ground truth lists them.  Each sigma must be finite and > 0. */
    const double *sigmas;
    size_t n_sigmas;
    size_t n_category_sigmas;
    const int64_t *category_sigma_ids;
    const size_t *category_sigma_counts;
    const double *category_sigma_values;

    /* Custom grid (all kernels).  NULL / 0 keeps pycocotools' defaults.
     * iou_thresholds: 1..VERNIER_MAX_IOU_THRESHOLDS values in [0, 1],
     * ascending, distinct.  recall_thresholds: the same, up to
     * VERNIER_MAX_RECALL_THRESHOLDS.  area_ranges: 2 doubles (lo, hi) per
     * range, 0 <= lo <= hi, with labels area_labels[i] (at most
     * VERNIER_MAX_AREA_LABEL bytes, distinct).  The summary statistics look
     * their thresholds, labels and caps up by value, as pycocotools does;
     * a statistic whose slot is missing from the grid is -1. */
    size_t n_iou_thresholds;
    const double *iou_thresholds;
    size_t n_recall_thresholds;
    const double *recall_thresholds;
    size_t n_area_ranges;
    const double *area_ranges;
    const char *const *area_labels;

    /* 1: keep the per-image records (pycocotools' evalImgs) for
     * vernier_eval_copy_records; 0 (default): do not store them. */
    int keep_records;

    /* Threads that match cells and accumulate categories: 1 (default) on
     * the calling thread only;
     * 2..VERNIER_MAX_THREADS that many (the caller's thread is one of
     * them); 0 as many as the machine has online CPUs.  Results do not
     * depend on it.  With more than one thread the allocator is called
     * from several threads at once. */
    unsigned num_threads;

    /* Subsets (pycocotools' params.imgIds and params.catIds).  NULL / 0
     * (default): every ground-truth image, every category of the ground
     * truth's list.  image_ids (n_image_ids values, any order, repeats
     * allowed): the images evaluated; the image axis is their sorted unique
     * ids (an id the ground truth lacks is an image with nothing to
     * evaluate); results on other ground-truth images take no part, while a
     * result on an image the ground truth lacks is still
     * VERNIER_E_UNKNOWN_IMAGE, as loadRes refuses it.  category_ids: the
     * categories evaluated, sorted unique: the category axis with use_cats,
     * the categories pooled without.  A non-NULL array with a count of 0 is
     * the empty subset: nothing is evaluated and every precision and recall
     * cell is -1, as pycocotools gives for an empty params.imgIds or
     * params.catIds.  Sessions, workers and partials take no subsets
     * (VERNIER_E_UNSUPPORTED). */
    size_t n_image_ids;
    const int64_t *image_ids;
    size_t n_category_ids;
    const int64_t *category_ids;
} vernier_eval_options;

/* Fills `opts` with the defaults.  Returns VERNIER_E_INVALID_ARG when `opts`
 * is NULL or `version` is not one this library knows. */
VERNIER_API int vernier_eval_options_init(vernier_eval_options *opts, unsigned version);

/* ---------------------------------------------------------------------------
 * 8. Evaluation
 * ------------------------------------------------------------------------ */

typedef struct vernier_eval vernier_eval;

/* Evaluates `res` against `gt`: per-image matching at every IoU threshold
 * and area range, then accumulation (pycocotools' evaluate + accumulate)
 * and the summary statistics (summarize).
 *
 * `opts` NULL means the defaults.  `gt` and `res` are only read and may be
 * shared with other evaluations running at the same time.
 *
 * Errors: VERNIER_E_UNKNOWN_IMAGE (a result on an image the ground truth
 * lacks; `index` names the result), VERNIER_E_SCHEMA (a ground-truth
 * annotation that takes part lacks a field the evaluation needs),
 * VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM.
 */
VERNIER_API int vernier_eval_run(vernier_eval **out, const vernier_dataset *gt,
                                 const vernier_results *res, const vernier_eval_options *opts,
                                 const vernier_allocator *alc, vernier_error *err);

/* Releases an evaluation.  NULL is a no-op. */
VERNIER_API void vernier_eval_free(vernier_eval *ev);

/* Array dimensions of the accumulated results, in pycocotools' order:
 * T IoU thresholds, R recall thresholds, K categories (1 when categories
 * are pooled), A area ranges, M max-detection caps.  Any pointer may be
 * NULL.  VERNIER_E_INVALID_ARG (nothing written) when `ev` is NULL. */
VERNIER_API int vernier_eval_dims(const vernier_eval *ev, size_t *t, size_t *r, size_t *k,
                                  size_t *a, size_t *m);

/* Copy the accumulated arrays, C-ordered exactly like pycocotools'
 * COCOeval.eval dict, into the caller's buffer `out` of `n` doubles:
 *   precision  T x R x K x A x M   (-1 where undefined)
 *   recall     T x K x A x M       (-1 where undefined)
 *   scores     T x R x K x A x M   (-1 where undefined)
 * `n` must equal the product of the dimensions (vernier_eval_dims), else
 * VERNIER_E_INVALID_ARG and nothing is written.  The library keeps the
 * arrays in another order internally; copying transposes them. */
VERNIER_API int vernier_eval_copy_precision(const vernier_eval *ev, double *out, size_t n);
VERNIER_API int vernier_eval_copy_recall(const vernier_eval *ev, double *out, size_t n);
VERNIER_API int vernier_eval_copy_scores(const vernier_eval *ev, double *out, size_t n);

/* Borrowed arrays, valid while `ev` lives: the IoU thresholds (T), recall
 * thresholds (R), category ids (K; {-1} when pooled) and max-detection caps
 * (M, ascending) the evaluation used. */
VERNIER_API const double *vernier_eval_iou_thresholds(const vernier_eval *ev);
VERNIER_API const double *vernier_eval_recall_thresholds(const vernier_eval *ev);
VERNIER_API const int64_t *vernier_eval_category_ids(const vernier_eval *ev);
VERNIER_API const int64_t *vernier_eval_max_dets(const vernier_eval *ev);

/* The A area ranges: 2 doubles (lo, hi) each, borrowed; and the label of
 * range i (borrowed; NULL when i >= A). */
VERNIER_API const double *vernier_eval_area_ranges(const vernier_eval *ev);
VERNIER_API const char *vernier_eval_area_label(const vernier_eval *ev, size_t i);

/* Number of summary statistics: 12 for bbox, segm and boundary, 10 for
 * keypoints, 0 when pycocotools could not summarize (a detection ladder with
 * fewer than three caps). */
VERNIER_API size_t vernier_eval_num_stats(const vernier_eval *ev);

/* Copies the summary statistics into the caller's `out` of `n` doubles; `n`
 * must equal vernier_eval_num_stats (else VERNIER_E_INVALID_ARG and
 * nothing is written), as for the other vernier_eval_copy_* functions.
 * The values equal pycocotools' COCOeval.stats in strict mode. */
VERNIER_API int vernier_eval_copy_stats(const vernier_eval *ev, double *out, size_t n);

/* Writes summary line `i` (0-based, < vernier_eval_num_stats) as
 * pycocotools' summarize() prints it, without the newline, NUL-terminated
 * into `buf` of `cap` bytes (96 bytes always suffice).  Returns the line's
 * length, or a negative status when `i` is out of range or `cap` too small. */
VERNIER_API int vernier_eval_summary_line(const vernier_eval *ev, size_t i, char *buf, size_t cap);

/* Bytes of vernier_stat_info's `name` (the longest name, "AR" and a
 * 20-digit cap, fits). */
#define VERNIER_STAT_NAME_SIZE 24

/* What summary statistic i measures (vernier_eval_stat_info). */
typedef enum vernier_stat_metric {
    VERNIER_STAT_AP = 0, /* average precision */
    VERNIER_STAT_AR = 1  /* average recall */
} vernier_stat_metric;

/* The facts summary line i shows, as fields.  Set `size` to
 * sizeof(vernier_stat_info) before the call (VERNIER_STAT_INFO_INIT). */
typedef struct vernier_stat_info {
    size_t size;            /* set by the caller: the bytes the library may
                               write (an older, smaller struct gets the
                               fields that fit in it) */
    int metric;             /* vernier_stat_metric */
    int all_ious;           /* 1: averaged over every IoU threshold of the
                               evaluation, iou_lo = the first, iou_hi = the
                               last (printed "0.50:0.95" by default);
                               0: at the one threshold iou_lo == iou_hi */
    double iou_lo;
    double iou_hi;
    const char *area_label; /* the area range's label ("all", "small", ...),
                               static storage */
    int64_t max_dets;       /* the max-detection cap */
    double value;           /* the statistic (vernier_eval_copy_stats) */
    char name[VERNIER_STAT_NAME_SIZE]; /* its short name, NUL-terminated: the
                               metric, then the IoU threshold x 100 unless
                               averaged over all ("AP50"), then the area's
                               initial unless "all" ("APs"), then the cap
                               when statistics differing only by their cap
                               sit side by side ("AR1", "AR10", "AR100"):
                               AP AP50 AP75 APs APm APl AR1 AR10 AR100 ARs
                               ARm ARl, keypoints AP AP50 AP75 APm APl AR
                               AR50 AR75 ARm ARl */
} vernier_stat_info;

/* Initialise a caller's struct: vernier_stat_info si = VERNIER_STAT_INFO_INIT; */
#define VERNIER_STAT_INFO_INIT {sizeof(vernier_stat_info), 0, 0, 0.0, 0.0, NULL, 0, 0.0, ""}

/* Fills *out with what summary statistic `i` (< vernier_eval_num_stats)
 * measures, the numbers vernier_eval_summary_line prints for it.  Only the
 * first out->size bytes are written.  Errors: VERNIER_E_INVALID_ARG when
 * `ev` or `out` is NULL, `i` is out of range or out->size is smaller than
 * the size field itself. */
VERNIER_API int vernier_eval_stat_info(const vernier_eval *ev, size_t i, vernier_stat_info *out);

/* The per-class table.  Every evaluation has it (one-shot, incremental,
 * merged partials: the same figures whichever produced it).
 *
 * vernier_eval_copy_class_stats: out[k * S + i] (S =
 * vernier_eval_num_stats) is summary statistic i restricted to category k
 * (vernier_eval_category_ids order): the mean of the cells > -1 of the
 * statistic's slice of precision (or recall) at category k -- in strict
 * mode, pycocotools' np.mean(s[s > -1]) with s = eval["precision"][t, :,
 * k, a, m] (t: all or one threshold), bit for bit -- and -1 where no cell
 * is defined (a category without ground truth in that area range, as
 * pycocotools).  `n` must equal K * S (else VERNIER_E_INVALID_ARG and
 * nothing is written).  With pooled categories K is 1 and the row equals
 * the summary. */
VERNIER_API int vernier_eval_copy_class_stats(const vernier_eval *ev, double *out, size_t n);

/* Per category k (`k` must equal K; either array may be NULL):
 * n_gt[k * A + a] the ground truths not ignored in area range a (the
 * count recall divides by) and n_dt[k] the detections that took part (each
 * image's cut to the largest max-detection cap).  Errors:
 * VERNIER_E_INVALID_ARG. */
VERNIER_API int vernier_eval_copy_class_counts(const vernier_eval *ev, uint64_t *n_gt,
                                               uint64_t *n_dt, size_t k);

/* ---------------------------------------------------------------------------
 * 9. Per-image records (pycocotools' evalImgs)
 *
 * Kept when the evaluation ran with opts.keep_records = 1.  pycocotools'
 * evalImgs is a list of K * A * I entries, entry (k * A + a) * I + i for
 * category k, area range a and image i (images in ascending id order),
 * None where the image has neither ground truth nor detections of the
 * category.  vernier stores the present entries as rows of a table, in that
 * order, each row being 7 int64 values:
 *
 *   [0] the entry's evalImgs index   [1] image id   [2] category id (-1
 *   when categories are pooled)      [3] area-range index   [4] maxDet
 *   [5] n_dt, detections in the record   [6] n_gt, ground truths
 *
 * The records' detections are concatenated (n_dt rows per record, in
 * ranked order, cut to maxDet) into: dt_id (the result's loadRes id: its
 * position in the result list plus one), dt_score, dt_match (T per row:
 * the position within the record's ground truths of the match at each IoU
 * threshold, or -1), dt_ignore (T per row, pycocotools' dtIgnore).  The
 * ground truths likewise (n_gt rows per record, non-ignored first, in
 * pycocotools' order): gt_id, gt_ignore (pycocotools' gtIgnore for the
 * record's area range), gt_match (T per row: the position within the
 * record's detections of the last detection matched to it, or -1).
 * ------------------------------------------------------------------------ */

/* The table sizes; any pointer may be NULL.  n_eval_imgs is K * A * I.
 * Errors: VERNIER_E_STATE when the records were not kept,
 * VERNIER_E_INVALID_ARG when `ev` is NULL. */
VERNIER_API int vernier_eval_records_dims(const vernier_eval *ev, size_t *n_records,
                                          size_t *n_dt_rows, size_t *n_gt_rows,
                                          size_t *n_eval_imgs);

/* Copies the tables into caller buffers sized from vernier_eval_records_dims
 * (records: 7 * n_records; dt_match, dt_ignore: T * n_dt_rows; gt_match:
 * T * n_gt_rows).  A NULL buffer is skipped.  Errors as above. */
VERNIER_API int vernier_eval_copy_records(const vernier_eval *ev, int64_t *records,
                                          int64_t *dt_id, double *dt_score, int32_t *dt_match,
                                          uint8_t *dt_ignore, int64_t *gt_id,
                                          uint8_t *gt_ignore, int32_t *gt_match);

/* The per-image table of any evaluation (one-shot with or without
 * records, session, merged partials: the same counts whichever path), one
 * row per image of the evalImgs axis (I, ascending ids), of the first area range
 * ("all" by default) over every category, into caller arrays of `n` = I
 * rows (any may be NULL): image_ids; n_gt, the ground truths not ignored;
 * n_dt, the detections (each cell cut to the largest cap); and T per row
 * (IoU threshold t at [i * T + t]) tp, the detections matched and not
 * ignored, fp, those unmatched and not ignored, fn = n_gt - tp -- the
 * counts pycocotools' accumulate() reads (in strict mode a match to a
 * ground truth of id 0 counts as unmatched, as there).  Errors:
 * VERNIER_E_INVALID_ARG (NULL `ev`, `n` not I). */
VERNIER_API int vernier_eval_image_table(const vernier_eval *ev, int64_t *image_ids,
                                         uint32_t *n_gt, uint32_t *n_dt, uint32_t *tp,
                                         uint32_t *fp, uint32_t *fn, size_t n);

/* The sizes of the tables below: n_images (I, the rows of
 * vernier_eval_image_table), and the detections and ground truths of the
 * records of the first area range (the rows of the detection and
 * ground-truth tables).  Any pointer may be NULL.  Errors: VERNIER_E_STATE
 * when n_dt_rows or n_gt_rows is asked for and the records were not kept
 * (n_images alone needs none), VERNIER_E_INVALID_ARG. */
VERNIER_API int vernier_eval_table_sizes(const vernier_eval *ev, size_t *n_images,
                                         size_t *n_dt_rows, size_t *n_gt_rows);

/* The per-detection table: one row per detection of a record of the first
 * area range, in record order (pycocotools' evalImgs order: category,
 * image, then rank), into caller arrays of `n` = n_dt_rows rows (any may
 * be NULL): dt_id (loadRes id), image_id, category_id (-1 when pooled),
 * score, and T per row (threshold t at [i * T + t]) gt_id (the matched
 * ground truth's annotation id, 0 for none), matched (1 when matched: tells
 * a match to id 0 from none), ignored (pycocotools' dtIgnore) and iou (the
 * IoU -- OKS for keypoints -- of the detection with its matched ground
 * truth, pycocotools' ious[d, g]; -1 when unmatched).  Errors:
 * VERNIER_E_STATE, VERNIER_E_INVALID_ARG (NULL `ev`, `n` not n_dt_rows). */
VERNIER_API int vernier_eval_detection_table(const vernier_eval *ev, int64_t *dt_id,
                                             int64_t *image_id, int64_t *category_id,
                                             double *score, int64_t *gt_id, uint8_t *matched,
                                             uint8_t *ignored, double *iou, size_t n);

/* The per-ground-truth table: one row per ground truth of a record of the
 * first area range, in record order (non-ignored first within a record),
 * into caller arrays of `n` = n_gt_rows rows (any may be NULL): gt_id,
 * image_id, category_id, ignored (pycocotools' gtIgnore: crowd, "ignore"
 * or outside the area range), crowd (the annotation's iscrowd), and T per
 * row dt_id (the loadRes id of the last detection matched to it, 0 for
 * none), matched and iou (that detection's IoU with it, -1 for none).
 * Errors as the detection table's. */
VERNIER_API int vernier_eval_gt_table(const vernier_eval *ev, int64_t *gt_id, int64_t *image_id,
                                      int64_t *category_id, uint8_t *ignored, uint8_t *crowd,
                                      int64_t *dt_id, uint8_t *matched, double *iou, size_t n);

/* ---------------------------------------------------------------------------
 * 10. Incremental evaluation session
 *
 * A session evaluates detections that arrive in batches, one batch at a
 * time, and at the end gives the vernier_eval that vernier_eval_run would
 * give for all the batches' results concatenated -- bit for bit, in strict
 * and corrected mode, whatever the split and the order of the batches --
 * provided every image's detections arrive in one batch (pycocotools
 * matches each image on its own, so per-image work can be done as batches
 * arrive and only the compact outcome of each image needs keeping).
 *
 * The session keeps, per (image, category) cell that received detections,
 * the detections' scores and their match outcomes: 8 + 8 x A bytes per
 * detection kept (A area ranges; 40 bytes with the default grid), plus a
 * fixed index of the ground truth built at creation.  Images never
 * submitted count with their ground truth as misses, as in one-shot
 * evaluation.
 *
 * Thread safety: a session is used by one thread at a time (the worker of
 * section 11 is the synchronised wrapper).  The dataset must outlive the
 * session and is only read; its mask cache (section 5) is held by the
 * session from creation to free, so vernier_dataset_clear_cache returns
 * VERNIER_E_STATE meanwhile.
 * ------------------------------------------------------------------------ */

typedef struct vernier_session vernier_session;

/* Memory a session (or a worker) holds, in bytes, by bucket.  `used` is the
 * sum of the four retained buckets and is what the budget limits; `queued`
 * and `scratch_peak` are reported but not part of `used` (see
 * adr/0012-memory-budget-accounting.md for why). */
typedef struct vernier_memory_usage {
    size_t size;         /* set by the caller: sizeof(vernier_memory_usage) */
    size_t used;         /* index + records + scores + outcomes */
    size_t budget;       /* the budget (0: unlimited) */
    size_t index;        /* fixed: the ground-truth cells, per-cell counts of
                            non-ignored GT, the seen-image flags, the handle */
    size_t records;      /* one 8-byte record per cell that got detections */
    size_t scores;       /* 8 bytes per kept detection */
    size_t outcomes;     /* 8 x A bytes per kept detection */
    size_t queued;       /* worker only: bytes held by parsed batches waiting
                            in the queue (bounded by the queue capacity) */
    size_t scratch_peak; /* largest transient working memory of one batch
                            (freed when the batch is committed) */
    size_t requested;    /* in a refusal's snapshot: the bytes `used` would
                            have grown by had the batch been committed */
} vernier_memory_usage;

/* Initialise a caller's struct: vernier_memory_usage m = VERNIER_MEMORY_USAGE_INIT; */
#define VERNIER_MEMORY_USAGE_INIT {sizeof(vernier_memory_usage), 0, 0, 0, 0, 0, 0, 0, 0, 0}

/* Creates a session evaluating against `gt` with `opts` (NULL: defaults).
 *
 * Builds the ground-truth index (for mask kernels this derives every GT
 * mask, through the dataset's cache, as a one-shot evaluation does), so
 * ground-truth errors are reported here.  `memory_budget_bytes` (0:
 * unlimited) bounds `used` (vernier_memory_usage); a budget smaller than
 * the index alone fails with VERNIER_E_BUDGET.  Allocation uses `alc`
 * (NULL: libc).
 *
 * Errors: VERNIER_E_INVALID_ARG (NULL gt or out, bad options),
 * VERNIER_E_SCHEMA (a GT annotation lacks a field the evaluation needs),
 * VERNIER_E_RLE, VERNIER_E_BUDGET, VERNIER_E_NOMEM, VERNIER_E_LIMIT. */
VERNIER_API int vernier_session_new(vernier_session **out, const vernier_dataset *gt,
                                    const vernier_eval_options *opts,
                                    const vernier_allocator *alc, size_t memory_budget_bytes,
                                    vernier_error *err);

/* Matches one batch and commits its outcome.  `res` is only read (the
 * caller keeps it).  All or nothing: on any failure the session is as it
 * was before the call.
 *
 * Errors: VERNIER_E_UNKNOWN_IMAGE (as vernier_eval_run),
 * VERNIER_E_DUPLICATE_IMAGE (an image an earlier batch covered; the
 * message names its id, `index` the first such result),
 * VERNIER_E_BUDGET (committing would make `used` exceed the budget:
 * nothing is committed; vernier_session_memory's `requested` tells by how
 * much it would have grown), VERNIER_E_RLE / VERNIER_E_SCHEMA /
 * VERNIER_E_UNSUPPORTED (results the kernel cannot use, as
 * vernier_eval_run), VERNIER_E_STATE (after vernier_session_finalize),
 * VERNIER_E_NOMEM. */
VERNIER_API int vernier_session_add(vernier_session *s, const vernier_results *res,
                                    vernier_error *err);

/* Accumulates and summarizes everything committed into a new evaluation
 * (*out, owned by the caller, released with vernier_eval_free; its memory
 * is not charged to the budget).  The session stays readable (counters,
 * memory, image table); a second call, or vernier_session_add afterwards,
 * fails with VERNIER_E_STATE.
 *
 * Errors: VERNIER_E_STATE, VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM. */
VERNIER_API int vernier_session_finalize(vernier_eval **out, vernier_session *s,
                                         vernier_error *err);

/* Releases a session.  NULL is a no-op. */
VERNIER_API void vernier_session_free(vernier_session *s);

/* Counters: images covered by committed batches, and results in committed
 * batches (as submitted, before any cut to max_dets). */
VERNIER_API size_t vernier_session_images_seen(const vernier_session *s);
VERNIER_API size_t vernier_session_detections_seen(const vernier_session *s);

/* Fills *out (its first out->size bytes) with the current memory figures
 * (`requested`: of the most recent refusal, else 0).  Errors:
 * VERNIER_E_INVALID_ARG when `s` or `out` is NULL or out->size is smaller
 * than the size field. */
VERNIER_API int vernier_session_memory(const vernier_session *s, vernier_memory_usage *out);

/* Number of distinct ground-truth images (rows of the image table). */
VERNIER_API size_t vernier_session_num_images(const vernier_session *s);

/* The per-image table, one row per ground-truth image in ascending id
 * order, into caller arrays of `n` entries (n = vernier_session_num_images,
 * else VERNIER_E_INVALID_ARG); any array may be NULL.
 *   image_ids  the image id;
 *   n_gt       ground truths evaluated on the image (all categories,
 *              crowd and ignored ones included);
 *   n_dt       detections kept on the image (each cell cut to the largest
 *              max-detection cap; categories absent from the GT dropped);
 *   n_tp       of those, true positives at the first IoU threshold (0.5 by
 *              default) in the first area range ("all" by default);
 *   seen       1 if a committed batch covered the image, else 0. */
VERNIER_API int vernier_session_image_table(const vernier_session *s, int64_t *image_ids,
                                            uint32_t *n_gt, uint32_t *n_dt, uint32_t *n_tp,
                                            uint8_t *seen, size_t n);

/* ---------------------------------------------------------------------------
 * 11. Background worker
 *
 * A worker owns a session (section 10) and ONE thread that feeds it from a
 * bounded FIFO of parsed result batches, so that the thread producing
 * detections (a training loop) never waits for matching.  Parse a batch
 * with vernier_results_load_json on your thread, hand it over with
 * vernier_worker_submit, and call vernier_worker_finalize at the end.
 *
 * Errors the worker meets (a batch it could not commit: a repeated
 * image, the budget, masks or keypoints the kernel refuses) are never printed and never lost:
 * they are queued and the next vernier_worker_submit returns the oldest
 * one instead of enqueuing (the caller keeps its batch and may submit it
 * again), and vernier_worker_finalize returns any still unreported before
 * it finalizes.  Each error's message starts with "batch N:" (N counts
 * accepted submissions from 1).
 *
 * Thread safety: submit, the counters and vernier_worker_memory may be
 * called from any thread at any time; finalize and free are called once,
 * by the owner, when no other thread uses the worker.  Design:
 * adr/0014-worker-thread-discipline.md.
 * ------------------------------------------------------------------------ */

typedef struct vernier_worker vernier_worker;

#define VERNIER_WORKER_OPTIONS_VERSION 1

typedef struct vernier_worker_options {
    unsigned version;            /* VERNIER_WORKER_OPTIONS_VERSION */
    size_t queue_capacity;       /* batches the queue holds; default 4, >= 1 */
    size_t memory_budget_bytes;  /* the session's budget; 0 (default): none */
    double shutdown_grace_seconds; /* vernier_worker_free without finalize:
                                    how long the batch being matched may
                                    run on before it is cancelled; default
                                    0 (cancel at once), >= 0 */
} vernier_worker_options;

/* Fills `wopts` with the defaults (VERNIER_E_INVALID_ARG for NULL or an
 * unknown version). */
VERNIER_API int vernier_worker_options_init(vernier_worker_options *wopts, unsigned version);

/* Creates the session (vernier_session_new: same errors) and starts the
 * worker thread.  `wopts` NULL: defaults.  `gt` must outlive the worker.
 * Errors: those of vernier_session_new, VERNIER_E_INVALID_ARG (capacity 0,
 * negative grace), VERNIER_E_NOMEM (also when the thread cannot start). */
VERNIER_API int vernier_worker_new(vernier_worker **out, const vernier_dataset *gt,
                                   const vernier_eval_options *opts,
                                   const vernier_worker_options *wopts,
                                   const vernier_allocator *alc, vernier_error *err);

/* Enqueues `res`; on VERNIER_OK the worker owns it (and frees it).  On any
 * failure the caller still owns `res` and nothing was enqueued.
 *
 * First, a result on an image the ground truth lacks fails at once with
 * VERNIER_E_UNKNOWN_IMAGE (checked on the calling thread).  Then a worker
 * error not yet reported is returned (see above).  Then,
 * if the queue is full: `timeout_seconds` < 0 waits for room as long as it
 * takes; 0 does not wait; > 0 waits up to that long (CLOCK_MONOTONIC).
 *
 * Errors: VERNIER_E_UNKNOWN_IMAGE, VERNIER_E_QUEUE_FULL, VERNIER_E_STATE
 * (after finalize), any worker error (VERNIER_E_BUDGET: vernier_worker_error_memory gives the
 * figures at the refusal), VERNIER_E_INVALID_ARG. */
VERNIER_API int vernier_worker_submit(vernier_worker *w, vernier_results *res,
                                      double timeout_seconds, vernier_error *err);

/* vernier_worker_submit with timeout 0: never waits. */
VERNIER_API int vernier_worker_try_submit(vernier_worker *w, vernier_results *res,
                                          vernier_error *err);

/* Drains the queue, joins the thread and finalizes the session into *out.
 * If a worker error is still unreported it is returned instead (*out
 * NULL) and the worker stays drained: call again for the evaluation of
 * everything committed.  After a successful call, further calls return
 * VERNIER_E_STATE. */
VERNIER_API int vernier_worker_finalize(vernier_eval **out, vernier_worker *w,
                                        vernier_error *err);

/* Stops the worker if it runs (queued batches are dropped, the batch being
 * matched is cancelled after the grace period at its next checkpoint),
 * joins it and releases everything.  Never blocks longer than the grace
 * period plus one checkpoint interval (one category of one batch).  NULL
 * is a no-op. */
VERNIER_API void vernier_worker_free(vernier_worker *w);

/* Counters (any thread, any time): images and results committed, batches
 * waiting in the queue, and the budgeted bytes (vernier_memory_usage.used). */
VERNIER_API size_t vernier_worker_images_seen(vernier_worker *w);
VERNIER_API size_t vernier_worker_detections_seen(vernier_worker *w);
VERNIER_API size_t vernier_worker_queue_depth(vernier_worker *w);
VERNIER_API size_t vernier_worker_memory_used(vernier_worker *w);
VERNIER_API size_t vernier_worker_queue_capacity(const vernier_worker *w);

/* Current memory figures, including `queued` (any thread).  Errors as
 * vernier_session_memory. */
VERNIER_API int vernier_worker_memory(vernier_worker *w, vernier_memory_usage *out);

/* The figures recorded when the worker error most recently returned by
 * submit or finalize happened (all zero if none).  Errors as
 * vernier_session_memory. */
VERNIER_API int vernier_worker_error_memory(vernier_worker *w, vernier_memory_usage *out);

/* The worker's session, borrowed, once vernier_worker_finalize has
 * succeeded (for vernier_session_image_table); NULL before. */
VERNIER_API const vernier_session *vernier_worker_session(const vernier_worker *w);

/* ---------------------------------------------------------------------------
 * 12. Partial evaluation state and merging (distributed evaluation)
 *
 * A partial is a byte blob holding what a session (section 10) keeps of
 * the images one process evaluated: per (image, category) cell, the kept
 * detections' scores and match outcomes -- never the raw detections --
 * with the set of image ids it covers, the resolved evaluation parameters,
 * a SHA-256 digest of the ground truth and of the parameters, and a
 * SHA-256 checksum of every byte.  The byte layout is normative and
 * specified in docs/reference/partial-format.md (little-endian, versioned,
 * VERNIER_PARTIAL_FORMAT_VERSION); adr/0015-partial-format-and-merge.md
 * records the design.
 *
 * Each rank evaluates its share of the images into a partial
 * (vernier_partial_evaluate, vernier_session_to_partial or
 * vernier_worker_finalize_to_partial); one process merges them with
 * vernier_partial_merge.  The merged evaluation equals vernier_eval_run on
 * the union of the ranks' detections bit for bit, in strict and corrected
 * mode, whatever the number of ranks, the order of the blobs and the split
 * of images -- provided each image's detections were evaluated by one
 * rank.
 *
 * A blob is untrusted input: reading it never reads out of bounds,
 * allocates only in proportion to its checked size, and every failure is
 * a typed status with `index` naming the blob.  Writing is deterministic:
 * vernier_partial_write of a blob read with vernier_partial_read gives the
 * same bytes the writer produced.
 * ------------------------------------------------------------------------ */

#define VERNIER_PARTIAL_FORMAT_VERSION 1
#define VERNIER_DIGEST_SIZE 32

typedef struct vernier_partial vernier_partial;

/* What a partial's header says (vernier_partial_get_info). */
typedef struct vernier_partial_info {
    size_t size;              /* set by the caller: sizeof(vernier_partial_info) */
    unsigned format_version;  /* VERNIER_PARTIAL_FORMAT_VERSION */
    uint32_t rank_id;         /* as given to the writer (informational) */
    int iou_type;             /* vernier_iou_type */
    int parity_mode;          /* vernier_parity_mode */
    int use_cats;
    size_t n_images;          /* image ids covered */
    size_t n_records;         /* cells with detections */
    size_t n_detections;      /* kept detections (cut to the largest cap) */
    size_t blob_size;         /* bytes of the blob */
    uint8_t dataset_digest[VERNIER_DIGEST_SIZE];
    uint8_t params_digest[VERNIER_DIGEST_SIZE];
} vernier_partial_info;

/* Initialise a caller's struct: vernier_partial_info pi = VERNIER_PARTIAL_INFO_INIT; */
#define VERNIER_PARTIAL_INFO_INIT                                                                \
    {sizeof(vernier_partial_info), 0, 0, 0, 0, 0, 0, 0, 0, 0, {0}, {0}}

/* The SHA-256 of the ground truth's canonical encoding (every field the
 * evaluation reads, as parsed, arrays in file order; see
 * docs/reference/partial-format.md, "Dataset digest"): two files that
 * differ only in formatting -- whitespace, key order, number spelling,
 * string escapes, unknown keys -- have the same digest.  Writes
 * VERNIER_DIGEST_SIZE bytes to `out`.  Errors: VERNIER_E_INVALID_ARG. */
VERNIER_API int vernier_dataset_digest(const vernier_dataset *ds,
                                       uint8_t out[VERNIER_DIGEST_SIZE]);

/* Serializes what `s` has committed into a new partial: *out (allocated
 * with `alc`, NULL: libc; release it with vernier_partial_blob_free) of
 * *out_size bytes.  `rank_id` is recorded and quoted in merge errors.  The
 * session is only read: it may go on adding or be finalized afterwards.
 * Errors: VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM, VERNIER_E_LIMIT. */
VERNIER_API int vernier_session_to_partial(void **out, size_t *out_size,
                                           const vernier_session *s, uint32_t rank_id,
                                           const vernier_allocator *alc, vernier_error *err);

/* vernier_session_new + vernier_session_add(res) + vernier_session_to_partial
 * in one call: the partial of `res` against `gt` with `opts` (NULL:
 * defaults).  Errors: those of the three. */
VERNIER_API int vernier_partial_evaluate(void **out, size_t *out_size,
                                         const vernier_dataset *gt,
                                         const vernier_results *res,
                                         const vernier_eval_options *opts, uint32_t rank_id,
                                         const vernier_allocator *alc, vernier_error *err);

/* vernier_worker_finalize, but serializing the session into a partial
 * (as vernier_session_to_partial) instead of accumulating: drains the
 * queue, joins the thread, returns any unreported worker error first.
 * After success the worker is finalized (further calls: VERNIER_E_STATE). */
VERNIER_API int vernier_worker_finalize_to_partial(void **out, size_t *out_size,
                                                   vernier_worker *w, uint32_t rank_id,
                                                   const vernier_allocator *alc,
                                                   vernier_error *err);

/* Releases a buffer returned by a *_to_partial or vernier_partial_write
 * call: `size` is the size it was returned with, `alc` the allocator it
 * was allocated with.  NULL is a no-op. */
VERNIER_API void vernier_partial_blob_free(void *buf, size_t size, const vernier_allocator *alc);

/* Merges `n` partials (blobs[i] of sizes[i] bytes; any order; n may be 0)
 * into the evaluation vernier_eval_run would give on all their detections
 * against `gt` with `opts` (NULL: defaults).  *out is owned by the caller.
 *
 * Validation, cheapest first, each failure naming the blob in `index` and
 * the failed check in `path`:
 *   1. every blob's framing: length, magic, format version, declared size,
 *      checksum, structure (VERNIER_E_PARTIAL_CORRUPT,
 *      VERNIER_E_PARTIAL_VERSION);
 *   2. kernel, parity mode, then the parameters digest against `opts`
 *      (VERNIER_E_PARTIAL_MISMATCH, `path` = the first differing field);
 *   3. the dataset digest against `gt` (VERNIER_E_PARTIAL_DATASET);
 *   4. image sets pairwise disjoint (VERNIER_E_DUPLICATE_IMAGE; the
 *      message names the image id and both blobs with their ranks);
 *   5. the memory budget: `memory_budget_bytes` (0: none) bounds the
 *      merging session's retained state (as vernier_session_new's budget),
 *      checked before the records are allocated (VERNIER_E_BUDGET).
 * Errors also: those of vernier_session_new, VERNIER_E_INVALID_ARG,
 * VERNIER_E_NOMEM, VERNIER_E_LIMIT.  Peak memory: the ground-truth index,
 * the merged records and the largest blob decoded. */
VERNIER_API int vernier_partial_merge(vernier_eval **out, const vernier_dataset *gt,
                                      const vernier_eval_options *opts,
                                      const void *const *blobs, const size_t *sizes, size_t n,
                                      size_t memory_budget_bytes,
                                      const vernier_allocator *alc, vernier_error *err);

/* Reads and validates one blob (framing, checksum, structure; no ground
 * truth needed) into a handle, for inspection and re-serialization.
 * Errors: VERNIER_E_PARTIAL_CORRUPT, VERNIER_E_PARTIAL_VERSION,
 * VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM. */
VERNIER_API int vernier_partial_read(vernier_partial **out, const void *data, size_t size,
                                     const vernier_allocator *alc, vernier_error *err);

/* Serializes a partial read with vernier_partial_read (same rules as
 * vernier_session_to_partial).  Deterministic: read -> write -> read ->
 * write gives identical bytes. */
VERNIER_API int vernier_partial_write(void **out, size_t *out_size, const vernier_partial *p,
                                      const vernier_allocator *alc, vernier_error *err);

/* Fills *out (its first out->size bytes) with the partial's header
 * figures.  Errors: VERNIER_E_INVALID_ARG when `p` or `out` is NULL or
 * out->size is smaller than the size field. */
VERNIER_API int vernier_partial_get_info(const vernier_partial *p, vernier_partial_info *out);

/* Releases a partial handle.  NULL is a no-op. */
VERNIER_API void vernier_partial_free(vernier_partial *p);

/* ---------------------------------------------------------------------------
 * 13. Masks (pycocotools.mask's codec)
 *
 * A mask of h x w pixels is given by its counts: run lengths in
 * column-major (Fortran) order, alternating background and foreground,
 * starting with background, summing to h x w (pycocotools' RLE).  These
 * functions work on caller buffers.  Those that produce counts write at
 * most `cap` of them into `counts` and set *n_out to the number the mask
 * has: when *n_out > cap, only the first cap were written, and the caller
 * calls again with a buffer of *n_out.  Those that allocate scratch use
 * `alc` (NULL: libc) and release it before returning.
 * ------------------------------------------------------------------------ */

/* rleEncode: the counts of the column-major h x w bytes at `mask`.  A run
 * ends wherever the byte value changes (as pycocotools compares bytes, a
 * mask of 0s and 1s gives the usual runs).  h * w + 1 counts always
 * suffice.  Errors: VERNIER_E_INVALID_ARG (NULL), VERNIER_E_LIMIT (h * w
 * above UINT32_MAX). */
VERNIER_API int vernier_mask_encode(uint32_t *counts, size_t cap, size_t *n_out,
                                    const uint8_t *mask, uint32_t h, uint32_t w);

/* rleDecode: fills the h * w bytes at `mask` (column-major) with 0 and 1.
 * Errors: VERNIER_E_RLE (the counts do not sum to h * w),
 * VERNIER_E_INVALID_ARG. */
VERNIER_API int vernier_mask_decode(uint8_t *mask, const uint32_t *counts, size_t n,
                                    uint32_t h, uint32_t w, vernier_error *err);

/* rleToString: the compressed counts string of n counts.  Writes at most
 * `cap` bytes plus a NUL (buf needs cap + 1 bytes; NULL when cap is 0) and
 * sets *len_out to the string's length without the NUL; 7 * n bytes
 * always suffice.  Errors: VERNIER_E_INVALID_ARG. */
VERNIER_API int vernier_mask_to_string(char *buf, size_t cap, size_t *len_out,
                                       const uint32_t *counts, size_t n);

/* rleFrString: the counts of the compressed string s[0..len), checked
 * (characters 48..111, no dangling continuation, counts summing to
 * h * w).  `len` counts always suffice.  Errors: VERNIER_E_RLE,
 * VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM. */
VERNIER_API int vernier_mask_from_string(uint32_t *counts, size_t cap, size_t *n_out,
                                         const char *s, size_t len, uint32_t h, uint32_t w,
                                         const vernier_allocator *alc, vernier_error *err);

/* rleArea: the foreground pixels (the sum of the odd-indexed counts); 0 for
 * NULL counts. */
VERNIER_API uint64_t vernier_mask_area(const uint32_t *counts, size_t n);

/* rleToBbox: the mask's box (x, y, width, height) into out[0..4), as
 * pycocotools 2.0.11 computes it, empty masks included.  Errors:
 * VERNIER_E_INVALID_ARG. */
VERNIER_API int vernier_mask_to_bbox(double *out, const uint32_t *counts, size_t n, uint32_t h,
                                     uint32_t w);

/* rleMerge: the union (intersect = 0) or intersection (1) of n masks of
 * h x w (masks[i] has n_counts[i] counts), folded in order; n == 0 gives
 * no counts (*n_out = 0).  The sum of the n_counts (at least 1) always
 * suffices.  Errors: VERNIER_E_RLE (a mask's counts do not sum to h * w,
 * or a step pycocotools gets wrong), VERNIER_E_INVALID_ARG,
 * VERNIER_E_NOMEM. */
VERNIER_API int vernier_mask_merge(uint32_t *counts, size_t cap, size_t *n_out,
                                   const uint32_t *const *masks, const size_t *n_counts,
                                   size_t n, uint32_t h, uint32_t w, int intersect,
                                   const vernier_allocator *alc, vernier_error *err);

/* bbIou: out[d * n + g] = IoU of box dt[4d..4d+4) and box gt[4g..4g+4)
 * (x, y, width, height), dividing by the detection's area where
 * iscrowd[g] is nonzero.  Errors: VERNIER_E_INVALID_ARG. */
VERNIER_API int vernier_mask_box_iou(double *out, const double *dt, size_t m, const double *gt,
                                     size_t n, const uint8_t *iscrowd);

/* rleIou: out[d * n + g] = IoU of mask dt[d] (n_dt[d] counts, size
 * dt_hw[2d] x dt_hw[2d + 1]) and mask gt[g], with pycocotools' box
 * prefilter (0 where the masks' boxes do not overlap) and crowd rule;
 * -1 for masks of different sizes whose boxes overlap.  The counts must
 * sum to their sizes (check them with vernier_mask_from_string).  The
 * ground truths' boxes are computed once, in memory from `alc`.  Errors:
 * VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM. */
VERNIER_API int vernier_mask_iou(double *out, const uint32_t *const *dt, const size_t *n_dt,
                                 const uint32_t *dt_hw, size_t m, const uint32_t *const *gt,
                                 const size_t *n_gt, const uint32_t *gt_hw, size_t n,
                                 const uint8_t *iscrowd, const vernier_allocator *alc,
                                 vernier_error *err);

/* rleFrPoly: the h x w mask of the polygon of k vertices xy[0..2k) (x0,
 * y0, x1, y1, ...), as pycocotools 2.0.11 rasterises it.  Errors:
 * VERNIER_E_LIMIT (a coordinate not finite or beyond about 13.4 million,
 * h * w above UINT32_MAX, w == 0 with a vertex at x >= 0),
 * VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM. */
VERNIER_API int vernier_mask_from_polygon(uint32_t *counts, size_t cap, size_t *n_out,
                                          const double *xy, size_t k, uint32_t h, uint32_t w,
                                          const vernier_allocator *alc, vernier_error *err);

/* rleFrBbox: the h x w mask of box bb[0..4) (x, y, width, height), its
 * four corners rasterised as a polygon.  Errors: those of
 * vernier_mask_from_polygon. */
VERNIER_API int vernier_mask_from_bbox(uint32_t *counts, size_t cap, size_t *n_out,
                                       const double *bb, uint32_t h, uint32_t w,
                                       const vernier_allocator *alc, vernier_error *err);

/* ---- Masks given as compressed strings --------------------------------
 * The same operations on pycocotools' compressed counts strings, for
 * callers that hold RLEs as strings (one call instead of decoding the
 * counts into a buffer first).  Each string is checked as
 * vernier_mask_from_string checks it; scratch comes from `alc` (NULL:
 * libc) and is released before returning. */

/* rleEncode then rleToString: the compressed counts string of the
 * column-major h x w bytes at `mask`.  Writes at most `cap` bytes plus a
 * NUL (buf needs cap + 1 bytes; NULL when cap is 0) and sets *len_out to
 * the string's length; when *len_out > cap, call again with a buffer of
 * *len_out + 1 bytes.  Errors: VERNIER_E_INVALID_ARG, VERNIER_E_LIMIT
 * (h * w above UINT32_MAX), VERNIER_E_NOMEM. */
VERNIER_API int vernier_mask_encode_string(char *buf, size_t cap, size_t *len_out,
                                           const uint8_t *mask, uint32_t h, uint32_t w,
                                           const vernier_allocator *alc, vernier_error *err);

/* rleDecode of the string s[0..len) into the h * w bytes at `mask`.
 * Errors: VERNIER_E_RLE, VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM. */
VERNIER_API int vernier_mask_string_decode(uint8_t *mask, const char *s, size_t len,
                                           uint32_t h, uint32_t w,
                                           const vernier_allocator *alc, vernier_error *err);

/* rleArea of the string s[0..len) into *out.  Errors: VERNIER_E_RLE,
 * VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM. */
VERNIER_API int vernier_mask_string_area(uint64_t *out, const char *s, size_t len, uint32_t h,
                                         uint32_t w, const vernier_allocator *alc,
                                         vernier_error *err);

/* rleToBbox of the string s[0..len) into out[0..4).  Errors:
 * VERNIER_E_RLE, VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM. */
VERNIER_API int vernier_mask_string_to_bbox(double *out, const char *s, size_t len, uint32_t h,
                                            uint32_t w, const vernier_allocator *alc,
                                            vernier_error *err);

/* rleIou of masks given as strings: dt[d] (dt_len[d] bytes, size
 * dt_hw[2d] x dt_hw[2d + 1]) against gt[g], as vernier_mask_iou.  A
 * malformed string fails the call naming it (dt or gt, index).  Errors:
 * VERNIER_E_RLE, VERNIER_E_INVALID_ARG, VERNIER_E_NOMEM. */
VERNIER_API int vernier_mask_string_iou(double *out, const char *const *dt, const size_t *dt_len,
                                        const uint32_t *dt_hw, size_t m, const char *const *gt,
                                        const size_t *gt_len, const uint32_t *gt_hw, size_t n,
                                        const uint8_t *iscrowd, const vernier_allocator *alc,
                                        vernier_error *err);

/* ---------------------------------------------------------------------------
 * 14. Columns (datasets and results from arrays, without JSON)
 *
 * The same handles as sections 5 and 6, built from caller arrays: one array
 * per field, element i of each describing row i.  Nothing is retained: the
 * arrays may be released on return.  The JSON loaders and these build the
 * same state (equal dataset digests, equal evaluations) for the same
 * content, with the same checks; an error's path names the column and row
 * ("scores[17]"), its message says what is wrong ("scores[17] is NaN"),
 * `index` is the row, and the entity fields name it (result_index for a
 * result row; annotation_id, image_id for ground truth).  `offset`, `line`
 * and `column` are -1: there are no bytes to point into, here or in a
 * later evaluation's errors about these rows.
 *
 * Variable-length fields (masks, keypoints) come as one pool per field
 * and, per row, its range in the pool: either `offsets` (n + 1
 * non-decreasing entries; row i is pool[offsets[i], offsets[i + 1])) or
 * `spans` (2 per row: first element, count; with the pool's length given
 * so that the spans can be checked).
 *
 * Both structs start with `size_t size` (sizeof the struct, set by the
 * *_INIT initialisers); fields may be added at the end.
 * ------------------------------------------------------------------------ */

typedef struct vernier_results_columns {
    size_t size;             /* sizeof(vernier_results_columns) */
    int kind;                /* vernier_results_kind: BBOX, SEGM or KEYPOINTS
                                (n == 0 gives EMPTY whatever the kind) */
    size_t n;                /* rows */
    const int64_t *image_ids;    /* n, required */
    const int64_t *category_ids; /* n, required */
    const double *scores;        /* n, required; finite */
    const double *boxes;     /* 4n, x y w h, finite: required for BBOX; SEGM:
                                NULL takes each mask's box; ignored for KEYPOINTS */
    const double *areas;     /* n or NULL.  NULL: as loadRes derives it (box
                                w*h, mask area, keypoint extent).  Given:
                                used instead (no JSON result list can say
                                that; an evaluation only uses it through
                                area ranges) */
    /* Masks (required for SEGM; for BBOX kept as a JSON result's
     * "segmentation" is; ignored for KEYPOINTS), in one of three forms:
     *   counts:  mask_sizes + mask_offsets + mask_counts (uncompressed RLE);
     *   strings: mask_sizes + mask_offsets + mask_strings (compressed RLE
     *            counts strings, pycocotools' "counts" bytes);
     *   dense:   masks, n x mask_height x mask_width bytes, row-major (as a
     *            C-ordered N x H x W array), each 0 or 1, encoded here;
     *            or, masks of different sizes, mask_sizes + mask_offsets
     *            (in bytes; each row's span must be its height x width)
     *            + masks.
     * SEGM masks are checked as the JSON path checks a compressed RLE
     * (counts summing to h * w) and stored as their compressed string,
     * so every form builds the state of the equivalent JSON. */
    const uint32_t *mask_sizes;   /* 2n: height, width */
    const uint64_t *mask_offsets; /* n + 1 */
    const uint32_t *mask_counts;
    const char *mask_strings;
    const uint8_t *masks;
    uint32_t mask_height, mask_width;
    /* Keypoints (required for KEYPOINTS: a non-empty multiple of 3 finite
     * values per row, x y v; otherwise kept as given): keypoint_offsets
     * (n + 1) into keypoints. */
    const uint64_t *keypoint_offsets;
    const double *keypoints;
} vernier_results_columns;

/* Initialise: vernier_results_columns c = VERNIER_RESULTS_COLUMNS_INIT; */
#define VERNIER_RESULTS_COLUMNS_INIT                                                             \
    {sizeof(vernier_results_columns), VERNIER_RESULTS_EMPTY, 0, NULL, NULL, NULL, NULL, NULL,     \
     NULL, NULL, NULL, NULL, NULL, 0u, 0u, NULL, NULL}

/* Builds a results handle from columns (see the struct).  Errors:
 * VERNIER_E_INVALID_ARG (a NULL required array, an unknown kind, a size
 * below the first version's, non-monotone offsets, two mask forms at
 * once), VERNIER_E_SCHEMA (a value: "scores[3] is NaN", "keypoints of
 * row 2: expected a non-empty list of x, y, v triplets, got 4 numbers"),
 * VERNIER_E_RLE (a SEGM mask whose counts do not make an h x w mask),
 * VERNIER_E_LIMIT, VERNIER_E_NOMEM. */
VERNIER_API int vernier_results_from_columns(vernier_results **out,
                                             const vernier_results_columns *cols,
                                             const vernier_allocator *alc, vernier_error *err);

/* Segmentation kinds of ground-truth annotations given as columns. */
typedef enum vernier_segmentation_kind {
    VERNIER_SEGMENTATION_NONE = 0,     /* no "segmentation" */
    VERNIER_SEGMENTATION_POLYGONS = 1, /* a list of polygons */
    VERNIER_SEGMENTATION_COUNTS = 2,   /* an uncompressed RLE */
    VERNIER_SEGMENTATION_STRING = 3    /* a compressed RLE */
} vernier_segmentation_kind;

typedef struct vernier_dataset_columns {
    size_t size;                   /* sizeof(vernier_dataset_columns) */
    size_t n_images;
    const int64_t *image_ids;      /* required */
    const int64_t *image_widths;   /* each >= 0, or -1: absent; NULL: all absent */
    const int64_t *image_heights;  /* each >= 0, or -1: absent; NULL: all absent */
    size_t n_categories;
    const int64_t *category_ids;   /* required */
    const int64_t *category_num_keypoints; /* the length of a category's
                                      keypoint names; NULL or an entry -1:
                                      no "keypoints" list */
    size_t n_annotations;
    const int64_t *annotation_ids;          /* required */
    const int64_t *annotation_image_ids;    /* required */
    const int64_t *annotation_category_ids; /* required */
    /* Optional per-annotation fields; NULL: the key is absent from every
     * annotation (as in JSON, that is not the same as a zero value). */
    const double *boxes;           /* 4 per annotation, x y w h, finite */
    const double *areas;           /* finite */
    const uint8_t *iscrowd;        /* 0..255, as the JSON path reads it */
    const uint8_t *ignore;         /* its truthiness (non-zero: 1) */
    const int64_t *num_keypoints;
    /* Segmentations: a vernier_segmentation_kind per annotation (NULL:
     * none) and a span (first, count) per annotation into the kind's pool:
     * POLYGONS into polygon_spans (polygons), whose own spans index
     * polygon_coords (x y interleaved); COUNTS into rle_counts; STRING into
     * rle_chars.  RLE kinds take their height and width from
     * segmentation_sizes (2 per annotation).  Stored as the JSON loader
     * stores them: RLEs are checked when a mask-based evaluation needs
     * them, and a polygon with a non-finite coordinate makes that
     * segmentation one no mask can be made of. */
    const uint8_t *segmentation_kinds;
    const uint64_t *segmentation_spans;
    const uint32_t *segmentation_sizes;
    size_t n_polygons;
    const uint64_t *polygon_spans;
    size_t n_polygon_coords;
    const double *polygon_coords;
    size_t n_rle_counts;
    const uint32_t *rle_counts;
    size_t n_rle_chars;
    const char *rle_chars;
    /* Keypoints: keypoint_offsets (n_annotations + 1) into keypoints
     * (finite); an annotation with none (an empty range) has no
     * "keypoints" key.  NULL: none at all. */
    const uint64_t *keypoint_offsets;
    const double *keypoints;
    /* Category names: NULL, or one NUL-terminated string per category (a
     * NULL entry: that category has no "name"), read by
     * vernier_dataset_category_name as the JSON loader's "name". */
    const char *const *category_names;
} vernier_dataset_columns;

/* Initialise: vernier_dataset_columns c = VERNIER_DATASET_COLUMNS_INIT; */
#define VERNIER_DATASET_COLUMNS_INIT                                                             \
    {sizeof(vernier_dataset_columns), 0, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL,    \
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, NULL,    \
     NULL, NULL}

/* Builds a ground-truth dataset from columns (see the struct), with the
 * derivation cache of a loaded one.  Errors: VERNIER_E_INVALID_ARG (a NULL
 * required array, a size below the first version's, a span outside its
 * pool, an unknown segmentation kind), VERNIER_E_SCHEMA (a value:
 * "boxes[4] is NaN", "image_widths[2] is -1, expected a non-negative
 * integer"), VERNIER_E_LIMIT, VERNIER_E_NOMEM. */
VERNIER_API int vernier_dataset_from_columns(vernier_dataset **out,
                                             const vernier_dataset_columns *cols,
                                             const vernier_allocator *alc, vernier_error *err);

#ifdef __cplusplus
}
#endif

#endif /* VERNIER_H */
