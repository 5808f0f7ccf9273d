/* Declarations cffi sees: a trimmed copy of libvernier/include/vernier.h.
 * Constant values (`#define NAME ...`) and array lengths (`[...]`: the
 * header sizes them with macros cffi's parser cannot evaluate) are left to
 * the compiler; Python reads the constants from the compiled module.  The
 * structs are complete (no `...;`).  python/tests/test_cdef.py checks that
 * every VERNIER_API function of vernier.h is declared here with the same
 * types, that each struct has the header's fields in order, and that the
 * constants have the header's values. */

#define VERNIER_VERSION_NUMBER ...
#define VERNIER_EVAL_OPTIONS_VERSION ...
#define VERNIER_MAX_MAX_DETS ...
#define VERNIER_MAX_THREADS ...

#define VERNIER_OK ...
#define VERNIER_E_INVALID_ARG ...
#define VERNIER_E_NOMEM ...
#define VERNIER_E_BUDGET ...
#define VERNIER_E_JSON ...
#define VERNIER_E_SCHEMA ...
#define VERNIER_E_UNKNOWN_IMAGE ...
#define VERNIER_E_RLE ...
#define VERNIER_E_STATE ...
#define VERNIER_E_LIMIT ...
#define VERNIER_E_UNSUPPORTED ...

#define VERNIER_ERROR_HAS_IMAGE_ID ...
#define VERNIER_ERROR_HAS_CATEGORY_ID ...
#define VERNIER_ERROR_HAS_ANNOTATION_ID ...
#define VERNIER_ERROR_HAS_RESULT_INDEX ...
#define VERNIER_ERROR_HAS_PARTIAL_INDEX ...
#define VERNIER_ERROR_HAS_RANK_ID ...
#define VERNIER_ERROR_HAS_OTHER_PARTIAL_INDEX ...
#define VERNIER_ERROR_HAS_OTHER_RANK_ID ...
#define VERNIER_ERROR_HAS_BATCH_INDEX ...

#define VERNIER_STAT_AP ...
#define VERNIER_STAT_AR ...

#define VERNIER_RESULTS_EMPTY ...
#define VERNIER_RESULTS_BBOX ...
#define VERNIER_RESULTS_SEGM ...
#define VERNIER_RESULTS_KEYPOINTS ...

#define VERNIER_SEGMENTATION_NONE ...
#define VERNIER_SEGMENTATION_POLYGONS ...
#define VERNIER_SEGMENTATION_COUNTS ...
#define VERNIER_SEGMENTATION_STRING ...

#define VERNIER_IOU_BBOX ...
#define VERNIER_IOU_SEGM ...
#define VERNIER_IOU_BOUNDARY ...
#define VERNIER_IOU_KEYPOINTS ...
#define VERNIER_MAX_IOU_THRESHOLDS ...
#define VERNIER_MAX_RECALL_THRESHOLDS ...
#define VERNIER_MAX_AREA_RANGES ...
#define VERNIER_MAX_AREA_LABEL ...
#define VERNIER_CACHE_MASKS ...
#define VERNIER_CACHE_BANDS ...
#define VERNIER_PARITY_STRICT ...
#define VERNIER_PARITY_CORRECTED ...

typedef struct vernier_error {
    size_t size;
    int code;
    int64_t offset;
    int64_t line;
    int64_t column;
    int64_t index;
    char path[...];
    char message[...];
    unsigned fields;
    int64_t image_id;
    int64_t category_id;
    int64_t annotation_id;
    int64_t result_index;
    int64_t partial_index;
    uint32_t rank_id;
    int64_t other_partial_index;
    uint32_t other_rank_id;
    int64_t batch_index;
    uint32_t reason_offset;
    uint32_t reason_length;
} vernier_error;

typedef struct vernier_allocator {
    void *(*malloc)(void *, size_t);
    void *(*realloc)(void *, void *, size_t, size_t);
    void (*free)(void *, void *, size_t);
    void *ctx;
} vernier_allocator;

typedef struct vernier_dataset vernier_dataset;
typedef struct vernier_results vernier_results;
typedef struct vernier_eval vernier_eval;

typedef struct vernier_eval_options {
    unsigned version;
    int iou_type;
    int parity_mode;
    int use_cats;
    size_t n_max_dets;
    int64_t max_dets[...];
    double dilation_ratio;
    const double *sigmas;
    size_t n_sigmas;
    size_t n_category_sigmas;
    const int64_t *category_sigma_ids;
    const size_t *category_sigma_counts;
    const double *category_sigma_values;
    size_t n_iou_thresholds;
    const double *iou_thresholds;
    size_t n_recall_thresholds;
    const double *recall_thresholds;
    size_t n_area_ranges;
    const double *area_ranges;
    const char *const *area_labels;
    int keep_records;
    unsigned num_threads;
    size_t n_image_ids;
    const int64_t *image_ids;
    size_t n_category_ids;
    const int64_t *category_ids;
} vernier_eval_options;

unsigned vernier_version_number(void);
const char *vernier_version_string(void);
const char *vernier_status_string(int);

int vernier_dataset_load_json(vernier_dataset **, const char *, size_t, const vernier_allocator *, vernier_error *);
void vernier_dataset_free(vernier_dataset *);
size_t vernier_dataset_num_images(const vernier_dataset *);
size_t vernier_dataset_num_annotations(const vernier_dataset *);
size_t vernier_dataset_num_categories(const vernier_dataset *);
int64_t vernier_dataset_category_id(const vernier_dataset *, size_t);
const char *vernier_dataset_category_name(const vernier_dataset *, size_t);
size_t vernier_dataset_sizeof(const vernier_dataset *);
size_t vernier_dataset_cache_len(const vernier_dataset *, int);
int vernier_dataset_clear_cache(vernier_dataset *);

int vernier_results_load_json(vernier_results **, const char *, size_t, const vernier_allocator *, vernier_error *);
void vernier_results_free(vernier_results *);
size_t vernier_results_num_detections(const vernier_results *);
int vernier_results_get_kind(const vernier_results *);

int vernier_eval_options_init(vernier_eval_options *, unsigned);
int vernier_eval_run(vernier_eval **, const vernier_dataset *, const vernier_results *, const vernier_eval_options *, const vernier_allocator *, vernier_error *);
void vernier_eval_free(vernier_eval *);
int vernier_eval_dims(const vernier_eval *, size_t *, size_t *, size_t *, size_t *, size_t *);
int vernier_eval_copy_precision(const vernier_eval *, double *, size_t);
int vernier_eval_copy_recall(const vernier_eval *, double *, size_t);
int vernier_eval_copy_scores(const vernier_eval *, double *, size_t);
const double *vernier_eval_iou_thresholds(const vernier_eval *);
const double *vernier_eval_recall_thresholds(const vernier_eval *);
const int64_t *vernier_eval_category_ids(const vernier_eval *);
const int64_t *vernier_eval_max_dets(const vernier_eval *);
const double *vernier_eval_area_ranges(const vernier_eval *);
const char *vernier_eval_area_label(const vernier_eval *, size_t);
size_t vernier_eval_num_stats(const vernier_eval *);
int vernier_eval_copy_stats(const vernier_eval *, double *, size_t);
int vernier_eval_summary_line(const vernier_eval *, size_t, char *, size_t);

typedef struct vernier_stat_info {
    size_t size;
    int metric;
    int all_ious;
    double iou_lo;
    double iou_hi;
    const char *area_label;
    int64_t max_dets;
    double value;
    char name[...];
} vernier_stat_info;

int vernier_eval_stat_info(const vernier_eval *ev, size_t i, vernier_stat_info *out);
int vernier_eval_records_dims(const vernier_eval *, size_t *, size_t *, size_t *, size_t *);
int vernier_eval_copy_records(const vernier_eval *, int64_t *, int64_t *, double *, int32_t *,
                              uint8_t *, int64_t *, uint8_t *, int32_t *);
int vernier_eval_copy_class_stats(const vernier_eval *, double *, size_t);
int vernier_eval_copy_class_counts(const vernier_eval *, uint64_t *, uint64_t *, size_t);
int vernier_eval_image_table(const vernier_eval *, int64_t *, uint32_t *, uint32_t *,
                             uint32_t *, uint32_t *, uint32_t *, size_t);
int vernier_eval_table_sizes(const vernier_eval *, size_t *, size_t *, size_t *);
int vernier_eval_detection_table(const vernier_eval *, int64_t *, int64_t *, int64_t *,
                                 double *, int64_t *, uint8_t *, uint8_t *, double *, size_t);
int vernier_eval_gt_table(const vernier_eval *, int64_t *, int64_t *, int64_t *, uint8_t *,
                          uint8_t *, int64_t *, uint8_t *, double *, size_t);

/* ---- incremental session and background worker (vernier.h sections 10, 11) */
#define VERNIER_E_DUPLICATE_IMAGE ...
#define VERNIER_E_QUEUE_FULL ...
#define VERNIER_WORKER_OPTIONS_VERSION ...

typedef struct vernier_session vernier_session;
typedef struct vernier_worker vernier_worker;

typedef struct vernier_memory_usage {
    size_t size;
    size_t used;
    size_t budget;
    size_t index;
    size_t records;
    size_t scores;
    size_t outcomes;
    size_t queued;
    size_t scratch_peak;
    size_t requested;
} vernier_memory_usage;

typedef struct vernier_worker_options {
    unsigned version;
    size_t queue_capacity;
    size_t memory_budget_bytes;
    double shutdown_grace_seconds;
} vernier_worker_options;

int vernier_session_new(vernier_session **, const vernier_dataset *, const vernier_eval_options *, const vernier_allocator *, size_t, vernier_error *);
int vernier_session_add(vernier_session *, const vernier_results *, vernier_error *);
int vernier_session_finalize(vernier_eval **, vernier_session *, vernier_error *);
void vernier_session_free(vernier_session *);
size_t vernier_session_images_seen(const vernier_session *);
size_t vernier_session_detections_seen(const vernier_session *);
int vernier_session_memory(const vernier_session *, vernier_memory_usage *);
size_t vernier_session_num_images(const vernier_session *);
int vernier_session_image_table(const vernier_session *, int64_t *, uint32_t *, uint32_t *, uint32_t *, uint8_t *, size_t);

int vernier_worker_options_init(vernier_worker_options *, unsigned);
int vernier_worker_new(vernier_worker **, const vernier_dataset *, const vernier_eval_options *, const vernier_worker_options *, const vernier_allocator *, vernier_error *);
int vernier_worker_submit(vernier_worker *, vernier_results *, double, vernier_error *);
int vernier_worker_try_submit(vernier_worker *, vernier_results *, vernier_error *);
int vernier_worker_finalize(vernier_eval **, vernier_worker *, vernier_error *);
void vernier_worker_free(vernier_worker *);
size_t vernier_worker_images_seen(vernier_worker *);
size_t vernier_worker_detections_seen(vernier_worker *);
size_t vernier_worker_queue_depth(vernier_worker *);
size_t vernier_worker_memory_used(vernier_worker *);
size_t vernier_worker_queue_capacity(const vernier_worker *);
int vernier_worker_memory(vernier_worker *, vernier_memory_usage *);
int vernier_worker_error_memory(vernier_worker *, vernier_memory_usage *);
const vernier_session *vernier_worker_session(const vernier_worker *);

/* ---- partial evaluation state and merging (vernier.h section 12) -------- */
#define VERNIER_E_PARTIAL_CORRUPT ...
#define VERNIER_E_PARTIAL_VERSION ...
#define VERNIER_E_PARTIAL_MISMATCH ...
#define VERNIER_E_PARTIAL_DATASET ...
#define VERNIER_PARTIAL_FORMAT_VERSION ...
#define VERNIER_DIGEST_SIZE ...

typedef struct vernier_partial vernier_partial;

typedef struct vernier_partial_info {
    size_t size;
    unsigned format_version;
    uint32_t rank_id;
    int iou_type;
    int parity_mode;
    int use_cats;
    size_t n_images;
    size_t n_records;
    size_t n_detections;
    size_t blob_size;
    uint8_t dataset_digest[...];
    uint8_t params_digest[...];
} vernier_partial_info;

int vernier_dataset_digest(const vernier_dataset *, uint8_t *);
int vernier_session_to_partial(void **, size_t *, const vernier_session *, uint32_t, const vernier_allocator *, vernier_error *);
int vernier_partial_evaluate(void **, size_t *, const vernier_dataset *, const vernier_results *, const vernier_eval_options *, uint32_t, const vernier_allocator *, vernier_error *);
int vernier_worker_finalize_to_partial(void **, size_t *, vernier_worker *, uint32_t, const vernier_allocator *, vernier_error *);
void vernier_partial_blob_free(void *, size_t, const vernier_allocator *);
int vernier_partial_merge(vernier_eval **, const vernier_dataset *, const vernier_eval_options *, const void *const *, const size_t *, size_t, size_t, const vernier_allocator *, vernier_error *);
int vernier_partial_read(vernier_partial **, const void *, size_t, const vernier_allocator *, vernier_error *);
int vernier_partial_write(void **, size_t *, const vernier_partial *, const vernier_allocator *, vernier_error *);
int vernier_partial_get_info(const vernier_partial *, vernier_partial_info *);
void vernier_partial_free(vernier_partial *);

/* 13. Masks (pycocotools.mask's codec) */
int vernier_mask_encode(uint32_t *, size_t, size_t *, const uint8_t *, uint32_t, uint32_t);
int vernier_mask_decode(uint8_t *, const uint32_t *, size_t, uint32_t, uint32_t, vernier_error *);
int vernier_mask_to_string(char *, size_t, size_t *, const uint32_t *, size_t);
int vernier_mask_from_string(uint32_t *, size_t, size_t *, const char *, size_t, uint32_t, uint32_t, const vernier_allocator *, vernier_error *);
uint64_t vernier_mask_area(const uint32_t *, size_t);
int vernier_mask_to_bbox(double *, const uint32_t *, size_t, uint32_t, uint32_t);
int vernier_mask_merge(uint32_t *, size_t, size_t *, const uint32_t *const *, const size_t *, size_t, uint32_t, uint32_t, int, const vernier_allocator *, vernier_error *);
int vernier_mask_box_iou(double *, const double *, size_t, const double *, size_t, const uint8_t *);
int vernier_mask_iou(double *, const uint32_t *const *, const size_t *, const uint32_t *, size_t, const uint32_t *const *, const size_t *, const uint32_t *, size_t, const uint8_t *, const vernier_allocator *, vernier_error *);
int vernier_mask_from_polygon(uint32_t *, size_t, size_t *, const double *, size_t, uint32_t, uint32_t, const vernier_allocator *, vernier_error *);
int vernier_mask_from_bbox(uint32_t *, size_t, size_t *, const double *, uint32_t, uint32_t, const vernier_allocator *, vernier_error *);
int vernier_mask_encode_string(char *, size_t, size_t *, const uint8_t *, uint32_t, uint32_t, const vernier_allocator *, vernier_error *);
int vernier_mask_string_decode(uint8_t *, const char *, size_t, uint32_t, uint32_t, const vernier_allocator *, vernier_error *);
int vernier_mask_string_area(uint64_t *, const char *, size_t, uint32_t, uint32_t, const vernier_allocator *, vernier_error *);
int vernier_mask_string_to_bbox(double *, const char *, size_t, uint32_t, uint32_t, const vernier_allocator *, vernier_error *);
int vernier_mask_string_iou(double *, const char *const *, const size_t *, const uint32_t *, size_t, const char *const *, const size_t *, const uint32_t *, size_t, const uint8_t *, const vernier_allocator *, vernier_error *);

/* 14. Columns (datasets and results from arrays, without JSON) */
typedef struct vernier_results_columns {
    size_t size;
    int kind;
    size_t n;
    const int64_t *image_ids;
    const int64_t *category_ids;
    const double *scores;
    const double *boxes;
    const double *areas;
    const uint32_t *mask_sizes;
    const uint64_t *mask_offsets;
    const uint32_t *mask_counts;
    const char *mask_strings;
    const uint8_t *masks;
    uint32_t mask_height, mask_width;
    const uint64_t *keypoint_offsets;
    const double *keypoints;
} vernier_results_columns;

int vernier_results_from_columns(vernier_results **, const vernier_results_columns *, const vernier_allocator *, vernier_error *);

typedef struct vernier_dataset_columns {
    size_t size;
    size_t n_images;
    const int64_t *image_ids;
    const int64_t *image_widths;
    const int64_t *image_heights;
    size_t n_categories;
    const int64_t *category_ids;
    const int64_t *category_num_keypoints;
    size_t n_annotations;
    const int64_t *annotation_ids;
    const int64_t *annotation_image_ids;
    const int64_t *annotation_category_ids;
    const double *boxes;
    const double *areas;
    const uint8_t *iscrowd;
    const uint8_t *ignore;
    const int64_t *num_keypoints;
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
    const uint64_t *keypoint_offsets;
    const double *keypoints;
    const char *const *category_names;
} vernier_dataset_columns;

int vernier_dataset_from_columns(vernier_dataset **, const vernier_dataset_columns *, const vernier_allocator *, vernier_error *);
