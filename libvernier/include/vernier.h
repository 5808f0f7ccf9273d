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
 *   - `err` may be NULL ("don't care"); otherwise it is filled on failure and
 *     left untouched on success.
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
    /* Do not use: one past the most negative code of this version. */
    VERNIER_E__LAST = -11
} vernier_status;

/* Caller-owned error detail.  Fill nothing in; the library writes it on
 * failure.  Fields that do not apply are -1 (numbers) or "" (strings). */
typedef struct vernier_error {
    int code;            /* the vernier_status returned */
    int64_t offset;      /* byte offset of the problem in the input, or -1 */
    int64_t line;        /* 1-based line of `offset`, or -1 */
    int64_t column;      /* 1-based column (in bytes) of `offset`, or -1 */
    int64_t index;       /* index of the offending element (annotation or
                            result) within its array, or -1 */
    char path[160];      /* JSON path, e.g. "annotations[12].bbox[2]" */
    char message[352];   /* human-readable, NUL-terminated, never empty on
                            failure */
} vernier_error;

/* Returns a static description of a status code (never NULL, never freed). */
VERNIER_API const char *vernier_strerror(int code);

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
 * Reads `images` (id, width, height), `categories` (id) and `annotations`
 * (id, image_id, category_id, bbox, area, iscrowd, ignore, num_keypoints;
 * segmentation and keypoints are validated as JSON and recorded as present).
 * Unknown keys anywhere are ignored.  The three arrays are required.
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

/* Bytes currently held by the dataset (its columns and its cache). */
VERNIER_API size_t vernier_dataset_sizeof(const vernier_dataset *ds);

/* The derivation cache.  Mask-based evaluations (segm, boundary) turn the
 * ground truth's polygons and RLEs into masks, and boundary evaluations
 * into boundary bands (per dilation ratio).  The dataset keeps them, so a
 * later evaluation against the same handle skips that work.  Filling the
 * cache is internally synchronised: concurrent evaluations may share a
 * dataset (a custom allocator must then be thread-safe). */
#define VERNIER_CACHE_MASKS 0
#define VERNIER_CACHE_BANDS 1

/* Number of cached entries of `kind` (VERNIER_CACHE_MASKS: ground-truth
 * masks; VERNIER_CACHE_BANDS: boundary bands over all ratios). */
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
VERNIER_API size_t vernier_results_count(const vernier_results *res);

/* The vernier_results_kind chosen for the list. */
VERNIER_API int vernier_results_kind_of(const vernier_results *res);

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
VERNIER_API int vernier_evaluate(vernier_eval **out, const vernier_dataset *gt,
                                 const vernier_results *res, const vernier_eval_options *opts,
                                 const vernier_allocator *alc, vernier_error *err);

/* Releases an evaluation.  NULL is a no-op. */
VERNIER_API void vernier_eval_free(vernier_eval *ev);

/* Array dimensions of the accumulated results, in pycocotools' order:
 * T IoU thresholds, R recall thresholds, K categories (1 when categories
 * are pooled), A area ranges, M max-detection caps.  Any pointer may be
 * NULL. */
VERNIER_API void vernier_eval_dims(const vernier_eval *ev, size_t *t, size_t *r, size_t *k,
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

/* Copies up to `cap` summary statistics into `out`; returns how many there
 * are.  The values equal pycocotools' COCOeval.stats in strict mode. */
VERNIER_API size_t vernier_eval_stats(const vernier_eval *ev, double *out, size_t cap);

/* Writes summary line `i` (0-based, < vernier_eval_num_stats) as
 * pycocotools' summarize() prints it, without the newline, NUL-terminated
 * into `buf` of `cap` bytes (96 bytes always suffice).  Returns the line's
 * length, or a negative status when `i` is out of range or `cap` too small. */
VERNIER_API int vernier_eval_summary_line(const vernier_eval *ev, size_t i, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* VERNIER_H */
