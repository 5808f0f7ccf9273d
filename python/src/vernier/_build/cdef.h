/* Declarations cffi sees: a trimmed copy of libvernier/include/vernier.h.
 * Constant values are left to the compiler (`...`).  A test checks that
 * every VERNIER_API function of vernier.h is declared here and nothing
 * else. */

#define VERNIER_VERSION_NUMBER ...
#define VERNIER_EVAL_OPTIONS_VERSION ...
#define VERNIER_MAX_MAX_DETS ...

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

#define VERNIER_RESULTS_EMPTY ...
#define VERNIER_RESULTS_BBOX ...
#define VERNIER_RESULTS_SEGM ...
#define VERNIER_RESULTS_KEYPOINTS ...

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
    int code;
    int64_t offset;
    int64_t line;
    int64_t column;
    int64_t index;
    char path[...];
    char message[...];
    ...;
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
    ...;
} vernier_eval_options;

unsigned vernier_version_number(void);
const char *vernier_version_string(void);
const char *vernier_strerror(int);

int vernier_dataset_load_json(vernier_dataset **, const char *, size_t, const vernier_allocator *, vernier_error *);
void vernier_dataset_free(vernier_dataset *);
size_t vernier_dataset_num_images(const vernier_dataset *);
size_t vernier_dataset_num_annotations(const vernier_dataset *);
size_t vernier_dataset_num_categories(const vernier_dataset *);
size_t vernier_dataset_sizeof(const vernier_dataset *);
size_t vernier_dataset_cache_len(const vernier_dataset *, int);
int vernier_dataset_clear_cache(vernier_dataset *);

int vernier_results_load_json(vernier_results **, const char *, size_t, const vernier_allocator *, vernier_error *);
void vernier_results_free(vernier_results *);
size_t vernier_results_count(const vernier_results *);
int vernier_results_kind_of(const vernier_results *);

int vernier_eval_options_init(vernier_eval_options *, unsigned);
int vernier_evaluate(vernier_eval **, const vernier_dataset *, const vernier_results *, const vernier_eval_options *, const vernier_allocator *, vernier_error *);
void vernier_eval_free(vernier_eval *);
void vernier_eval_dims(const vernier_eval *, size_t *, size_t *, size_t *, size_t *, size_t *);
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
size_t vernier_eval_stats(const vernier_eval *, double *, size_t);
int vernier_eval_summary_line(const vernier_eval *, size_t, char *, size_t);
