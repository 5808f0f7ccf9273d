/* coco.c — loading COCO ground truth and loadRes-shaped result lists.
 *
 * Both loaders stream the JSON once with the pull reader (json.h) and
 * append each element to column arrays (coco.h).  Keys are recognised by
 * length + memcmp; values that are not needed (polygons, file names, ...)
 * go through vn_json_skip, which validates without converting.  Columns of
 * one table grow together by doubling (see grow_cols for how a failed
 * growth keeps cleanup exact).
 *
 * Where we are stricter than pycocotools (documented choices):
 *   - a known key repeated in one object is refused (Python keeps the last);
 *   - numbers that overflow to +-inf are refused where they are read;
 *   - ids must be integers, or integral numbers within int64 (1.0 == 1);
 *   - a bbox has exactly 4 finite numbers; keypoints a positive multiple
 *     of 3; RLE counts are validated (sum == h*w) instead of trusted;
 *   - result lists: caption lists and polygon/uncompressed-RLE
 *     segmentation lists are VERNIER_E_UNSUPPORTED (loadRes crashes on
 *     the latter).  In a segm list, "bbox": [] counts as absent.
 * Errors name the JSON path, locate the byte and give the element index. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/vn_error.h"
#include "mask/rle.h"
#include "parse/coco.h"
#include "parse/json.h"
#include "parse/numparse.h"

/* ---- key names --------------------------------------------------------- */

enum key {
    K_OTHER = 0,
    K_ID,
    K_IMAGE_ID,
    K_CATEGORY_ID,
    K_BBOX,
    K_AREA,
    K_ISCROWD,
    K_IGNORE,
    K_NUM_KEYPOINTS,
    K_SEGMENTATION,
    K_KEYPOINTS,
    K_WIDTH,
    K_HEIGHT,
    K_SCORE,
    K_CAPTION,
    K_SIZE,
    K_COUNTS,
    K_IMAGES,
    K_ANNOTATIONS,
    K_CATEGORIES,
    K_NAME
};

static const char *const key_names[] = {
    "", "id", "image_id", "category_id", "bbox", "area", "iscrowd", "ignore",
    "num_keypoints", "segmentation", "keypoints", "width", "height", "score",
    "caption", "size", "counts", "images", "annotations", "categories", "name",
};

#define EQ(lit) (memcmp(k, lit, sizeof(lit) - 1) == 0)

/* Every key any object of interest knows, by length then bytes. */
static enum key classify_bytes(const char *k, size_t n)
{
    switch (n) {
    case 2: if (EQ("id")) return K_ID; break;
    case 4:
        if (EQ("bbox")) return K_BBOX;
        if (EQ("area")) return K_AREA;
        if (EQ("size")) return K_SIZE;
        if (EQ("name")) return K_NAME;
        break;
    case 5:
        if (EQ("width")) return K_WIDTH;
        if (EQ("score")) return K_SCORE;
        break;
    case 6:
        if (EQ("ignore")) return K_IGNORE;
        if (EQ("height")) return K_HEIGHT;
        if (EQ("counts")) return K_COUNTS;
        if (EQ("images")) return K_IMAGES;
        break;
    case 7:
        if (EQ("iscrowd")) return K_ISCROWD;
        if (EQ("caption")) return K_CAPTION;
        break;
    case 8: if (EQ("image_id")) return K_IMAGE_ID; break;
    case 9: if (EQ("keypoints")) return K_KEYPOINTS; break;
    case 10: if (EQ("categories")) return K_CATEGORIES; break;
    case 11:
        if (EQ("category_id")) return K_CATEGORY_ID;
        if (EQ("annotations")) return K_ANNOTATIONS;
        break;
    case 12: if (EQ("segmentation")) return K_SEGMENTATION; break;
    case 13: if (EQ("num_keypoints")) return K_NUM_KEYPOINTS; break;
    default: break;
    }
    return K_OTHER;
}
#undef EQ

/* Keys with escapes ("i\u0064") are decoded first, as Python compares
 * decoded strings.  Escaped text is at most 6x its decoded length, so a
 * raw key longer than 96 bytes cannot decode to a 13-byte name. */
static enum key classify(const vn_json_str *key)
{
    char buf[96];
    if (!key->escaped)
        return classify_bytes(key->ptr, key->len);
    if (key->len > sizeof(buf))
        return K_OTHER;
    return classify_bytes(buf, vn_json_unescape(key, buf));
}

/* ---- parse context and error helpers ----------------------------------- */

typedef struct ctx {
    vn_json js;
    vn_mem *mem;
    vernier_error *err;
    int64_t index;     /* element being read (for err->index), or -1 */
    char *scratch;     /* decoded RLE counts strings */
    size_t scratch_cap;
} ctx;

static size_t key_offset(const ctx *c, const vn_json_str *key)
{
    return (size_t)(key->ptr - 1 - c->js.begin);
}

static int fail_mem(ctx *c, int code)
{
    if (vn_error_usable(c->err)) {
        vn_error_clear(c->err);
        vn_fail(c->err, code, "%s while loading JSON", vernier_status_string(code));
    }
    return code;
}

static int duplicate(ctx *c, const vn_json_str *key, enum key k)
{
    return vn_json_fail(&c->js, VERNIER_E_SCHEMA, key_offset(c, key),
                        "duplicate key \"%s\" (refused: Python would silently keep the last)",
                        key_names[k]);
}

static int missing(ctx *c, size_t at, enum key k)
{
    return vn_json_fail(&c->js, VERNIER_E_SCHEMA, at, "missing required key \"%s\"", key_names[k]);
}

/* Marks key k as seen in an object (bit set `seen`); refuses a repeat. */
static int see(ctx *c, uint32_t *seen, const vn_json_str *key, enum key k)
{
    uint32_t bit = 1u << k;
    if (*seen & bit)
        return duplicate(c, key, k);
    *seen |= bit;
    return VERNIER_OK;
}

/* ---- scalar readers ---------------------------------------------------- */

/* Offset where the scalar just read started. */
static size_t number_start(const ctx *c)
{
    return vn_json_last_offset(&c->js);
}

/* A finite number. */
static int read_finite(ctx *c, double *out)
{
    vn_number num;
    VN_TRY(vn_json_read_number(&c->js, &num, NULL));
    if (!isfinite(num.d))
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, number_start(c), "number is not finite");
    *out = num.d;
    return VERNIER_OK;
}

/* Integral value of an already-read number, as Python's int == float
 * equality sees it: an integer literal in int64, or a literal with fraction
 * or exponent whose value is integral and within [-2^63, 2^63). */
static int integral_value(ctx *c, const vn_number *num, size_t at, const char *what, int64_t *out)
{
    if (num->is_int) {
        *out = num->i;
        return VERNIER_OK;
    }
    if (num->is_integral_literal)
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, at,
                            "expected %s, got an integer outside the 64-bit range", what);
    if (!isfinite(num->d))
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, at, "number is not finite");
    if (!(num->d >= -9223372036854775808.0 && num->d < 9223372036854775808.0))
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, at,
                            "expected %s, got %.17g (outside the 64-bit range)", what, num->d);
    *out = (int64_t)num->d;
    if ((double)*out != num->d)
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, at,
                            "expected %s, got non-integral number %.17g", what, num->d);
    return VERNIER_OK;
}

static int read_integer(ctx *c, const char *what, int64_t *out)
{
    vn_number num;
    VN_TRY(vn_json_read_number(&c->js, &num, what));
    return integral_value(c, &num, number_start(c), what, out);
}

static int read_id(ctx *c, int64_t *out)
{
    return read_integer(c, "an integer id", out);
}

static int read_nonneg(ctx *c, const char *what, int64_t *out)
{
    VN_TRY(read_integer(c, what, out));
    if (*out < 0)
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, number_start(c), "expected %s, got %lld", what,
                            (long long)*out);
    return VERNIER_OK;
}

/* "iscrowd": an integer 0..255 (integral floats too) or a boolean. */
static int read_iscrowd(ctx *c, uint8_t *out)
{
    static const char what[] = "an integer 0..255 or a boolean";
    int64_t v;
    int b;
    int t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    if (t == VN_JSON_TRUE || t == VN_JSON_FALSE) {
        VN_TRY(vn_json_read_bool(&c->js, &b));
        *out = (uint8_t)b;
        return VERNIER_OK;
    }
    VN_TRY(read_integer(c, what, &v));
    if (v < 0 || v > 255)
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, number_start(c), "expected %s, got %lld", what,
                            (long long)v);
    *out = (uint8_t)v;
    return VERNIER_OK;
}

/* "ignore": its truthiness; numbers and booleans only. */
static int read_truth(ctx *c, uint8_t *out)
{
    double d;
    int b;
    int t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    if (t == VN_JSON_TRUE || t == VN_JSON_FALSE) {
        VN_TRY(vn_json_read_bool(&c->js, &b));
        *out = (uint8_t)b;
        return VERNIER_OK;
    }
    if (t != VN_JSON_NUMBER)
        return vn_json_type_error(&c->js, t, "a number or a boolean");
    VN_TRY(read_finite(c, &d));
    *out = d != 0.0;
    return VERNIER_OK;
}

/* A box: exactly 4 finite numbers.  With allow_empty, "[]" is accepted
 * and reported through *n = 0. */
static int read_bbox(ctx *c, double out[4], int allow_empty, int *n_read)
{
    size_t at;
    int n = 0, r;
    int t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    if (t != VN_JSON_ARRAY)
        return vn_json_type_error(&c->js, t, "an array of 4 numbers");
    at = vn_json_offset(&c->js);
    VN_TRY(vn_json_array_begin(&c->js));
    while ((r = vn_json_array_next(&c->js)) == 1) {
        if (n == 4) {
            if ((t = vn_json_peek(&c->js)) < 0)
                return t;
            return vn_json_fail(&c->js, VERNIER_E_SCHEMA, vn_json_offset(&c->js),
                                "expected 4 numbers, got more");
        }
        VN_TRY(read_finite(c, &out[n]));
        n++;
    }
    if (r < 0)
        return r;
    if (n != 4 && !(allow_empty && n == 0))
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, at, "expected 4 numbers, got %d", n);
    if (n_read != NULL)
        *n_read = n;
    return VERNIER_OK;
}

/* ---- columns ----------------------------------------------------------- */

/* The column tables: one entry per column of a table (its field, element
 * type and elements per row), so that growing and freeing a table are
 * loops over its columns.  Every column of a table has the table's row
 * capacity. */
#define IMAGE_COLUMNS(X, o)                                                  \
    X(o, image_id, int64_t, 1) X(o, image_width, int64_t, 1)                \
    X(o, image_height, int64_t, 1)
#define CATEGORY_COLUMNS(X, o)                                               \
    X(o, category_id, int64_t, 1) X(o, category_n_kp, int64_t, 1)           \
    X(o, category_name, uint64_t, 1)
#define ANN_COLUMNS(X, o)                                                    \
    X(o, ann_id, int64_t, 1) X(o, ann_image_id, int64_t, 1)                 \
    X(o, ann_category_id, int64_t, 1) X(o, ann_bbox, double, 4)             \
    X(o, ann_area, double, 1) X(o, ann_iscrowd, uint8_t, 1)                 \
    X(o, ann_ignore, uint8_t, 1) X(o, ann_num_keypoints, int64_t, 1)        \
    X(o, ann_flags, uint32_t, 1) X(o, ann_offset, uint64_t, 1)
#define RESULT_COLUMNS(X, o)                                                 \
    X(o, image_id, int64_t, 1) X(o, category_id, int64_t, 1)                \
    X(o, bbox, double, 4) X(o, score, double, 1) X(o, area, double, 1)      \
    X(o, offset, uint64_t, 1)
#define MAX_COLUMNS 10

/* One column while its table is grown or freed. */
typedef struct column {
    void *p;
    size_t elem; /* bytes per row */
} column;

#define COLUMN_GET(o, name, type, per_row)                                  \
    c[n].p = (o)->name;                                                     \
    c[n].elem = (per_row) * sizeof(type);                                   \
    n++;
#define COLUMN_PUT(o, name, type, per_row) (o)->name = c[n++].p;

/* name_get(o, c) lists o's columns of a table into c and returns their
 * count; name_put(o, c) stores them back. */
#define COLUMN_TABLE(name, type, LIST)                                      \
    static size_t name##_get(const type *o, column *c)                      \
    {                                                                       \
        size_t n = 0;                                                       \
        LIST(COLUMN_GET, o)                                                 \
        return n;                                                           \
    }                                                                       \
    static void name##_put(type *o, const column *c)                        \
    {                                                                       \
        size_t n = 0;                                                       \
        LIST(COLUMN_PUT, o)                                                 \
    }

#define COLUMN_COUNT(o, name, type, per_row) +1
_Static_assert(0 IMAGE_COLUMNS(COLUMN_COUNT, _) <= MAX_COLUMNS, "image columns");
_Static_assert(0 CATEGORY_COLUMNS(COLUMN_COUNT, _) <= MAX_COLUMNS, "category columns");
_Static_assert(0 ANN_COLUMNS(COLUMN_COUNT, _) <= MAX_COLUMNS, "annotation columns");
_Static_assert(0 RESULT_COLUMNS(COLUMN_COUNT, _) <= MAX_COLUMNS, "result columns");

COLUMN_TABLE(image_cols, vernier_dataset, IMAGE_COLUMNS)
COLUMN_TABLE(category_cols, vernier_dataset, CATEGORY_COLUMNS)
COLUMN_TABLE(ann_cols, vernier_dataset, ANN_COLUMNS)
COLUMN_TABLE(result_cols, vernier_results, RESULT_COLUMNS)

/* Grows the n columns c[k] (*cap rows) to hold `need` rows, by doubling,
 * with vn_realloc (an allocator may extend or remap a large block instead
 * of copying it).  On failure the table is abandoned (the load fails): the
 * columns already grown are released and set to NULL, so that freeing the
 * others at *cap rows stays exact.  The caller stores c[] back in every
 * case. */
static int grow_cols(vn_mem *m, column *c, size_t n, size_t *cap, size_t need)
{
    size_t new_cap, k;
    if (need <= *cap)
        return VERNIER_OK;
    new_cap = *cap < 64 ? 64 : *cap;
    while (new_cap < need) {
        if (new_cap > SIZE_MAX / 2)
            return VERNIER_E_NOMEM;
        new_cap *= 2;
    }
    for (k = 0; k < n; k++) {
        void *p = vn_realloc(m, c[k].p, *cap * c[k].elem, vn_mul_size(new_cap, c[k].elem));
        if (p == NULL) {
            int rc = vn_mem_failure(m);
            while (k-- > 0) {
                vn_free(m, c[k].p, new_cap * c[k].elem);
                c[k].p = NULL;
            }
            return rc;
        }
        c[k].p = p;
    }
    *cap = new_cap;
    return VERNIER_OK;
}

/* Frees the n columns c[k] of a table of cap rows. */
static void free_cols(vn_mem *m, const column *c, size_t n, size_t cap)
{
    size_t k;
    for (k = 0; k < n; k++)
        vn_free(m, c[k].p, cap * c[k].elem);
}

#define GROW_TABLE(name, obj, mem, cap, need)                               \
    do {                                                                    \
        column c_[MAX_COLUMNS];                                             \
        int rc_;                                                            \
        if ((need) <= (cap))                                                \
            return VERNIER_OK;                                              \
        rc_ = grow_cols((mem), c_, name##_get((obj), c_), &(cap), (need));  \
        name##_put((obj), c_);                                              \
        return rc_;                                                         \
    } while (0)

int vn_dataset_grow_images(vernier_dataset *ds, size_t need)
{
    GROW_TABLE(image_cols, ds, &ds->mem, ds->cap_images, need);
}

int vn_dataset_grow_categories(vernier_dataset *ds, size_t need)
{
    GROW_TABLE(category_cols, ds, &ds->mem, ds->cap_categories, need);
}

int vn_dataset_grow_anns(vernier_dataset *ds, size_t need)
{
    GROW_TABLE(ann_cols, ds, &ds->mem, ds->cap_anns, need);
}

int vn_results_grow(vernier_results *res, size_t need)
{
    GROW_TABLE(result_cols, res, &res->mem, res->cap, need);
}

/* ---- keypoints ---------------------------------------------------------- */

void vn_kps_free(vn_kps *k, vn_mem *m)
{
    vn_free(m, k->item, k->cap * sizeof(vn_part));
    vn_free(m, k->vals, k->cap_vals * sizeof(double));
    memset(k, 0, sizeof(*k));
}

int vn_kps_set(vn_mem *m, vn_kps *k, size_t i, uint64_t off, size_t len)
{
    int rc = vn_grow(m, (void **)&k->item, &k->cap, sizeof(vn_part), i + 1);
    if (rc != VERNIER_OK)
        return rc;
    k->item[i].off = off;
    k->item[i].len = (uint32_t)len;
    k->n = i + 1;
    return VERNIER_OK;
}

int vn_kps_append(vn_mem *m, vn_kps *k, const double *v, size_t n)
{
    int rc = vn_grow(m, (void **)&k->vals, &k->cap_vals, sizeof(double), k->n_vals + n);
    if (rc != VERNIER_OK)
        return rc;
    if (n > 0)
        memcpy(k->vals + k->n_vals, v, n * sizeof(double));
    k->n_vals += n;
    return VERNIER_OK;
}

static int kps_set(ctx *c, vn_kps *k, size_t i, uint64_t off, size_t len)
{
    int rc = vn_kps_set(c->mem, k, i, off, len);
    return rc != VERNIER_OK ? fail_mem(c, rc) : VERNIER_OK;
}

static int kps_push(ctx *c, vn_kps *k, double v)
{
    int rc = vn_kps_append(c->mem, k, &v, 1);
    return rc != VERNIER_OK ? fail_mem(c, rc) : VERNIER_OK;
}

/* A keypoint list of finite numbers, stored from *off (*len values).  With
 * `triplets`, it must hold a positive multiple of 3 of them (the loadRes
 * keypoint branch needs that); otherwise the length is checked only when a
 * keypoint evaluation uses it. */
static int read_kp_values(ctx *c, vn_kps *k, uint64_t *off, size_t *len, int triplets)
{
    size_t at, n = 0;
    int r;
    int t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    if (t != VN_JSON_ARRAY)
        return vn_json_type_error(&c->js, t, "an array of numbers");
    at = vn_json_offset(&c->js);
    *off = k->n_vals;
    VN_TRY(vn_json_array_begin(&c->js));
    while ((r = vn_json_array_next(&c->js)) == 1) {
        double v;
        VN_TRY(read_finite(c, &v));
        VN_TRY(kps_push(c, k, v));
        n++;
    }
    if (r < 0)
        return r;
    if (n > UINT32_MAX || (triplets && (n == 0 || n % 3 != 0)))
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, at,
                            "expected a non-empty list of x, y, v triplets, got %zu numbers", n);
    *len = n;
    return VERNIER_OK;
}

/* ---- segmentations ----------------------------------------------------- */

static int read_size(ctx *c, uint64_t hw[2]);

void vn_segs_free(vn_segs *s, vn_mem *m)
{
    vn_free(m, s->seg, s->cap * sizeof(vn_seg));
    vn_free(m, s->parts, s->cap_parts * sizeof(vn_part));
    vn_free(m, s->coords, s->cap_coords * sizeof(double));
    vn_free(m, s->counts, s->cap_counts * sizeof(uint32_t));
    vn_free(m, s->chars, s->cap_chars);
    memset(s, 0, sizeof(*s));
}

int vn_segs_set(vn_mem *m, vn_segs *s, size_t i, const vn_seg *seg)
{
    int rc = vn_grow(m, (void **)&s->seg, &s->cap, sizeof(vn_seg), i + 1);
    if (rc != VERNIER_OK)
        return rc;
    s->seg[i] = *seg;
    s->n = i + 1;
    return VERNIER_OK;
}

int vn_segs_push_coords(vn_mem *m, vn_segs *s, const double *v, size_t n)
{
    int rc = vn_grow(m, (void **)&s->coords, &s->cap_coords, sizeof(double), s->n_coords + n);
    if (rc != VERNIER_OK)
        return rc;
    if (n > 0)
        memcpy(s->coords + s->n_coords, v, n * sizeof(double));
    s->n_coords += n;
    return VERNIER_OK;
}

int vn_segs_push_part(vn_mem *m, vn_segs *s, uint64_t off, uint32_t len)
{
    int rc = vn_grow(m, (void **)&s->parts, &s->cap_parts, sizeof(vn_part), s->n_parts + 1);
    if (rc != VERNIER_OK)
        return rc;
    s->parts[s->n_parts].off = off;
    s->parts[s->n_parts].len = len;
    s->n_parts++;
    return VERNIER_OK;
}

int vn_segs_push_counts(vn_mem *m, vn_segs *s, const uint32_t *v, size_t n)
{
    int rc = vn_grow(m, (void **)&s->counts, &s->cap_counts, sizeof(uint32_t), s->n_counts + n);
    if (rc != VERNIER_OK)
        return rc;
    if (n > 0)
        memcpy(s->counts + s->n_counts, v, n * sizeof(uint32_t));
    s->n_counts += n;
    return VERNIER_OK;
}

int vn_segs_push_chars(vn_mem *m, vn_segs *s, const char *p, size_t n, uint64_t *off)
{
    int rc = vn_grow(m, (void **)&s->chars, &s->cap_chars, 1, s->n_chars + n + 1);
    if (rc != VERNIER_OK)
        return rc;
    *off = s->n_chars;
    if (n > 0)
        memcpy(s->chars + s->n_chars, p, n);
    s->n_chars += n;
    return VERNIER_OK;
}

/* Records element i's segmentation (elements arrive in order). */
static int segs_set(ctx *c, vn_segs *s, size_t i, const vn_seg *seg)
{
    int rc = vn_segs_set(c->mem, s, i, seg);
    return rc != VERNIER_OK ? fail_mem(c, rc) : VERNIER_OK;
}

static int push_coord(ctx *c, vn_segs *s, double v)
{
    int rc = vn_segs_push_coords(c->mem, s, &v, 1);
    return rc != VERNIER_OK ? fail_mem(c, rc) : VERNIER_OK;
}

static int push_part(ctx *c, vn_segs *s, uint64_t off, uint32_t len)
{
    int rc = vn_segs_push_part(c->mem, s, off, len);
    return rc != VERNIER_OK ? fail_mem(c, rc) : VERNIER_OK;
}

static int push_chars(ctx *c, vn_segs *s, const char *p, size_t n, uint64_t *off)
{
    int rc = vn_segs_push_chars(c->mem, s, p, n, off);
    return rc != VERNIER_OK ? fail_mem(c, rc) : VERNIER_OK;
}

/* A list of polygons, each a list of numbers.  Anything else inside makes
 * the whole segmentation VN_SEG_INVALID (the value is still validated as
 * JSON); only mask-based evaluation refuses it. */
static int read_polygons(ctx *c, vn_segs *s, vn_seg *seg)
{
    size_t parts0 = s->n_parts, coords0 = s->n_coords;
    int r, valid = 1;
    VN_TRY(vn_json_array_begin(&c->js));
    while ((r = vn_json_array_next(&c->js)) == 1) {
        int t = vn_json_peek(&c->js), r2;
        uint64_t off = s->n_coords;
        if (t < 0)
            return t;
        if (t != VN_JSON_ARRAY || !valid) {
            valid = 0;
            VN_TRY(vn_json_skip(&c->js));
            continue;
        }
        VN_TRY(vn_json_array_begin(&c->js));
        while ((r2 = vn_json_array_next(&c->js)) == 1) {
            vn_number num;
            t = vn_json_peek(&c->js);
            if (t < 0)
                return t;
            if (t != VN_JSON_NUMBER || !valid) {
                valid = 0;
                VN_TRY(vn_json_skip(&c->js));
                continue;
            }
            VN_TRY(vn_json_read_number(&c->js, &num, "a number"));
            if (!isfinite(num.d)) {
                valid = 0;
                continue;
            }
            VN_TRY(push_coord(c, s, num.d));
        }
        if (r2 < 0)
            return r2;
        if (valid) {
            if (s->n_coords - off > UINT32_MAX)
                return vn_json_fail(&c->js, VERNIER_E_LIMIT, (size_t)seg->at,
                                    "a polygon has more than 2^32-1 coordinates");
            VN_TRY(push_part(c, s, off, (uint32_t)(s->n_coords - off)));
        }
    }
    if (r < 0)
        return r;
    if (!valid || s->n_parts - parts0 > UINT32_MAX) {
        s->n_parts = parts0; /* drop what was pushed */
        s->n_coords = coords0;
        seg->kind = VN_SEG_INVALID;
        return VERNIER_OK;
    }
    seg->kind = VN_SEG_POLY;
    seg->off = parts0;
    seg->len = (uint32_t)(s->n_parts - parts0);
    return VERNIER_OK;
}

/* Unescapes a string value into the context's scratch buffer if needed. */
static int plain_string(ctx *c, const vn_json_str *str, const char **p, size_t *n)
{
    *p = str->ptr;
    *n = str->len;
    if (str->escaped) {
        if (str->len > c->scratch_cap) {
            size_t cap = c->scratch_cap;
            void *q = c->scratch;
            int rc = vn_grow(c->mem, &q, &cap, 1, str->len);
            if (rc != VERNIER_OK)
                return fail_mem(c, rc);
            c->scratch = q;
            c->scratch_cap = cap;
        }
        *n = vn_json_unescape(str, c->scratch);
        *p = c->scratch;
    }
    return VERNIER_OK;
}

/* {"size": [h, w], "counts": [...] | "..."}: an RLE, stored unvalidated
 * (counts are validated when a mask is made).  Malformed parts make it
 * VN_SEG_INVALID. */
static int read_rle_value(ctx *c, vn_segs *s, vn_seg *seg)
{
    vn_json_str key;
    uint32_t seen = 0;
    size_t counts0 = s->n_counts;
    int r, valid = 1, kind = VN_SEG_INVALID;
    VN_TRY(vn_json_object_begin(&c->js));
    while ((r = vn_json_object_next(&c->js, &key)) == 1) {
        enum key k = classify(&key);
        int t = vn_json_peek(&c->js);
        if (t < 0)
            return t;
        if (k == K_SIZE) {
            uint64_t hw[2];
            VN_TRY(see(c, &seen, &key, k));
            if (t != VN_JSON_ARRAY) {
                valid = 0;
                VN_TRY(vn_json_skip(&c->js));
                continue;
            }
            VN_TRY(read_size(c, hw));
            seg->h = (uint32_t)hw[0];
            seg->w = (uint32_t)hw[1];
        } else if (k == K_COUNTS) {
            VN_TRY(see(c, &seen, &key, k));
            if (t == VN_JSON_STRING) {
                vn_json_str str;
                const char *p;
                size_t n;
                VN_TRY(vn_json_read_string(&c->js, &str));
                VN_TRY(plain_string(c, &str, &p, &n));
                if (n > UINT32_MAX)
                    return vn_json_fail(&c->js, VERNIER_E_LIMIT, (size_t)seg->at,
                                        "an RLE counts string is longer than 2^32-1 bytes");
                VN_TRY(push_chars(c, s, p, n, &seg->off));
                seg->len = (uint32_t)n;
                kind = VN_SEG_STRING;
            } else if (t == VN_JSON_ARRAY) {
                int r2;
                VN_TRY(vn_json_array_begin(&c->js));
                while ((r2 = vn_json_array_next(&c->js)) == 1) {
                    vn_number num;
                    int rc;
                    t = vn_json_peek(&c->js);
                    if (t < 0)
                        return t;
                    if (t != VN_JSON_NUMBER || !valid) {
                        valid = 0;
                        VN_TRY(vn_json_skip(&c->js));
                        continue;
                    }
                    VN_TRY(vn_json_read_number(&c->js, &num, "a count"));
                    if (!num.is_int || num.i < 0 || num.i > (int64_t)UINT32_MAX) {
                        valid = 0;
                        continue;
                    }
                    {
                        uint32_t v = (uint32_t)num.i;
                        if ((rc = vn_segs_push_counts(c->mem, s, &v, 1)) != VERNIER_OK)
                            return fail_mem(c, rc);
                    }
                }
                if (r2 < 0)
                    return r2;
                if (s->n_counts - counts0 > UINT32_MAX)
                    valid = 0;
                seg->off = counts0;
                seg->len = (uint32_t)(s->n_counts - counts0);
                kind = VN_SEG_COUNTS;
            } else {
                valid = 0;
                VN_TRY(vn_json_skip(&c->js));
            }
        } else {
            VN_TRY(vn_json_skip(&c->js));
        }
    }
    if (r < 0)
        return r;
    if (!valid || !(seen & (1u << K_SIZE)) || !(seen & (1u << K_COUNTS))) {
        s->n_counts = counts0;
        seg->kind = VN_SEG_INVALID;
        return VERNIER_OK;
    }
    seg->kind = (uint8_t)kind;
    return VERNIER_OK;
}

/* Any "segmentation" value: polygons, an RLE object, or something no mask
 * can be made of (recorded as VN_SEG_INVALID with its location). */
static int read_segmentation(ctx *c, vn_segs *s, vn_seg *seg)
{
    int t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    memset(seg, 0, sizeof(*seg));
    seg->at = vn_json_offset(&c->js);
    if (t == VN_JSON_ARRAY)
        return read_polygons(c, s, seg);
    if (t == VN_JSON_OBJECT)
        return read_rle_value(c, s, seg);
    seg->kind = VN_SEG_INVALID;
    return vn_json_skip(&c->js);
}

/* ---- ground truth ------------------------------------------------------ */

/* Begins an element object of a top-level array; *at = offset of its '{'. */
static int element_begin(ctx *c, size_t *at)
{
    int t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    *at = vn_json_offset(&c->js);
    return vn_json_object_begin(&c->js);
}

static int parse_image(ctx *c, vernier_dataset *ds, size_t i)
{
    vn_json_str key;
    int64_t id = 0, width = -1, height = -1;
    uint32_t seen = 0;
    size_t at;
    int r;
    VN_TRY(element_begin(c, &at));
    while ((r = vn_json_object_next(&c->js, &key)) == 1) {
        enum key k = classify(&key);
        switch (k) {
        case K_ID:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_id(c, &id));
            break;
        case K_WIDTH:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_nonneg(c, "a non-negative integer", &width));
            break;
        case K_HEIGHT:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_nonneg(c, "a non-negative integer", &height));
            break;
        default:
            VN_TRY(vn_json_skip(&c->js));
            break;
        }
    }
    if (r < 0)
        return r;
    if (!(seen & (1u << K_ID)))
        return missing(c, at, K_ID);
    ds->image_id[i] = id;
    ds->image_width[i] = width;
    ds->image_height[i] = height;
    return VERNIER_OK;
}

int vn_dataset_pool_name(vernier_dataset *ds, const char *p, size_t n, uint64_t *off)
{
    void *q = ds->names;
    size_t cap = ds->cap_names;
    int rc = vn_grow(&ds->mem, &q, &cap, 1, ds->n_names + n + 1);
    if (rc != VERNIER_OK)
        return rc;
    ds->names = q;
    ds->cap_names = cap;
    if (n != 0)
        memcpy(ds->names + ds->n_names, p, n);
    ds->names[ds->n_names + n] = '\0';
    *off = ds->n_names;
    ds->n_names += n + 1;
    return VERNIER_OK;
}

static int pool_name(ctx *c, vernier_dataset *ds, const char *p, size_t n, uint64_t *off)
{
    int rc = vn_dataset_pool_name(ds, p, n, off);
    return rc == VERNIER_OK ? rc : fail_mem(c, rc);
}

static int parse_category(ctx *c, vernier_dataset *ds, size_t i)
{
    vn_json_str key;
    int64_t id = 0, n_kp = -1;
    uint64_t name = VN_NO_NAME;
    uint32_t seen = 0;
    size_t at;
    int r;
    VN_TRY(element_begin(c, &at));
    while ((r = vn_json_object_next(&c->js, &key)) == 1) {
        enum key k = classify(&key);
        if (k == K_NAME) {
            /* informational (never evaluated nor digested): a string is
             * kept, anything else reads as no name; a repeated key, the
             * last one, as JSON readers do */
            int t = vn_json_peek(&c->js);
            vn_json_str str;
            const char *p;
            size_t n;
            if (t < 0)
                return t;
            if (t != VN_JSON_STRING) {
                VN_TRY(vn_json_skip(&c->js));
                name = VN_NO_NAME;
                continue;
            }
            VN_TRY(vn_json_read_string(&c->js, &str));
            VN_TRY(plain_string(c, &str, &p, &n));
            VN_TRY(pool_name(c, ds, p, n, &name));
        } else if (k == K_ID) {
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_id(c, &id));
        } else if (k == K_KEYPOINTS) {
            /* the keypoint names: only their number matters here */
            int t = vn_json_peek(&c->js), r2;
            VN_TRY(see(c, &seen, &key, k));
            if (t < 0)
                return t;
            if (t != VN_JSON_ARRAY) {
                VN_TRY(vn_json_skip(&c->js));
                continue;
            }
            VN_TRY(vn_json_array_begin(&c->js));
            n_kp = 0;
            while ((r2 = vn_json_array_next(&c->js)) == 1) {
                VN_TRY(vn_json_skip(&c->js));
                n_kp++;
            }
            if (r2 < 0)
                return r2;
        } else {
            VN_TRY(vn_json_skip(&c->js));
        }
    }
    if (r < 0)
        return r;
    if (!(seen & (1u << K_ID)))
        return missing(c, at, K_ID);
    ds->category_id[i] = id;
    ds->category_n_kp[i] = n_kp;
    ds->category_name[i] = name;
    return VERNIER_OK;
}

static int parse_annotation(ctx *c, vernier_dataset *ds, size_t i)
{
    vn_json_str key;
    vn_seg seg;
    uint64_t kp_off = 0;
    size_t kp_len = 0;
    int64_t id = 0, image_id = 0, category_id = 0, num_keypoints = 0;
    double bbox[4] = {0, 0, 0, 0}, area = 0;
    uint8_t iscrowd = 0, ignore = 0;
    uint32_t seen = 0, flags = 0;
    size_t at;
    int r;
    VN_TRY(element_begin(c, &at));
    while ((r = vn_json_object_next(&c->js, &key)) == 1) {
        enum key k = classify(&key);
        switch (k) {
        case K_ID:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_id(c, &id));
            break;
        case K_IMAGE_ID:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_id(c, &image_id));
            break;
        case K_CATEGORY_ID:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_id(c, &category_id));
            break;
        case K_BBOX:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_bbox(c, bbox, 0, NULL));
            flags |= VN_ANN_HAS_BBOX;
            break;
        case K_AREA:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_finite(c, &area));
            flags |= VN_ANN_HAS_AREA;
            break;
        case K_ISCROWD:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_iscrowd(c, &iscrowd));
            flags |= VN_ANN_HAS_ISCROWD;
            break;
        case K_IGNORE:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_truth(c, &ignore));
            flags |= VN_ANN_HAS_IGNORE;
            break;
        case K_NUM_KEYPOINTS:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_integer(c, "an integer", &num_keypoints));
            flags |= VN_ANN_HAS_NUM_KEYPOINTS;
            break;
        case K_SEGMENTATION:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_segmentation(c, &ds->segs, &seg));
            flags |= VN_ANN_HAS_SEGMENTATION;
            break;
        case K_KEYPOINTS:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_kp_values(c, &ds->kps, &kp_off, &kp_len, 0));
            flags |= VN_ANN_HAS_KEYPOINTS;
            break;
        default:
            VN_TRY(vn_json_skip(&c->js));
            break;
        }
    }
    if (r < 0)
        return r;
    if (!(seen & (1u << K_ID)))
        return missing(c, at, K_ID);
    if (!(seen & (1u << K_IMAGE_ID)))
        return missing(c, at, K_IMAGE_ID);
    if (!(seen & (1u << K_CATEGORY_ID)))
        return missing(c, at, K_CATEGORY_ID);
    ds->ann_id[i] = id;
    ds->ann_image_id[i] = image_id;
    ds->ann_category_id[i] = category_id;
    memcpy(&ds->ann_bbox[4 * i], bbox, sizeof(bbox));
    ds->ann_area[i] = area;
    ds->ann_iscrowd[i] = iscrowd;
    ds->ann_ignore[i] = ignore;
    ds->ann_num_keypoints[i] = num_keypoints;
    ds->ann_flags[i] = flags;
    ds->ann_offset[i] = (uint64_t)at;
    if (!(flags & VN_ANN_HAS_SEGMENTATION)) {
        memset(&seg, 0, sizeof(seg));
        seg.at = at;
    }
    VN_TRY(kps_set(c, &ds->kps, i, kp_off, kp_len));
    return segs_set(c, &ds->segs, i, &seg);
}

/* One of the three top-level arrays: grows the table row by row. */
static int parse_gt_array(ctx *c, vernier_dataset *ds, enum key which)
{
    size_t i = 0;
    int r, rc;
    int t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    if (t != VN_JSON_ARRAY)
        return vn_json_type_error(&c->js, t, "an array");
    VN_TRY(vn_json_array_begin(&c->js));
    while ((r = vn_json_array_next(&c->js)) == 1) {
        c->index = (int64_t)i;
        switch (which) {
        case K_IMAGES:
            if ((rc = vn_dataset_grow_images(ds, i + 1)) != VERNIER_OK)
                return fail_mem(c, rc);
            VN_TRY(parse_image(c, ds, i));
            ds->n_images = i + 1;
            break;
        case K_CATEGORIES:
            if ((rc = vn_dataset_grow_categories(ds, i + 1)) != VERNIER_OK)
                return fail_mem(c, rc);
            VN_TRY(parse_category(c, ds, i));
            ds->n_categories = i + 1;
            break;
        default:
            if ((rc = vn_dataset_grow_anns(ds, i + 1)) != VERNIER_OK)
                return fail_mem(c, rc);
            VN_TRY(parse_annotation(c, ds, i));
            ds->n_anns = i + 1;
            break;
        }
        i++;
    }
    c->index = -1;
    return r < 0 ? r : VERNIER_OK;
}

static int parse_gt(ctx *c, vernier_dataset *ds)
{
    vn_json_str key;
    uint32_t seen = 0;
    size_t at;
    int r, t;
    VN_TRY(vn_json_init(&c->js, c->js.begin, (size_t)(c->js.end - c->js.begin), c->err));
    t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    at = vn_json_offset(&c->js);
    if (t != VN_JSON_OBJECT)
        return vn_json_type_error(&c->js, t, "a COCO object at the top level");
    VN_TRY(vn_json_object_begin(&c->js));
    while ((r = vn_json_object_next(&c->js, &key)) == 1) {
        enum key k = classify(&key);
        if (k == K_IMAGES || k == K_CATEGORIES || k == K_ANNOTATIONS) {
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(parse_gt_array(c, ds, k));
        } else {
            VN_TRY(vn_json_skip(&c->js));
        }
    }
    if (r < 0)
        return r;
    VN_TRY(vn_json_finish(&c->js));
    if (!(seen & (1u << K_IMAGES)))
        return missing(c, at, K_IMAGES);
    if (!(seen & (1u << K_CATEGORIES)))
        return missing(c, at, K_CATEGORIES);
    if (!(seen & (1u << K_ANNOTATIONS)))
        return missing(c, at, K_ANNOTATIONS);
    return VERNIER_OK;
}

/* ---- results ----------------------------------------------------------- */

/* loadRes decides from the first result only, in this order: "caption",
 * a "bbox" that is not [], "segmentation", "keypoints".  The element is
 * scanned once for its keys, then read again for real (keys come in any
 * order, and how to read each depends on the kind). */
static int detect_kind(ctx *c, int *kind)
{
    vn_json_mark mark;
    vn_json_str key;
    int caption = 0, bbox = 0, segm = 0, kps = 0, r;
    size_t at;
    vn_json_mark_here(&c->js, &mark);
    VN_TRY(element_begin(c, &at));
    while ((r = vn_json_object_next(&c->js, &key)) == 1) {
        switch (classify(&key)) {
        case K_CAPTION: caption = 1; break;
        case K_BBOX: bbox |= !vn_json_next_is_empty_array(&c->js); break;
        case K_SEGMENTATION: segm = 1; break;
        case K_KEYPOINTS: kps = 1; break;
        default: break;
        }
        VN_TRY(vn_json_skip(&c->js));
    }
    if (r < 0)
        return r;
    if (caption)
        return vn_json_fail(&c->js, VERNIER_E_UNSUPPORTED, at,
                            "caption results are not supported (the first result has "
                            "\"caption\", so loadRes would treat the list as captions)");
    if (bbox)
        *kind = VERNIER_RESULTS_BBOX;
    else if (segm)
        *kind = VERNIER_RESULTS_SEGM;
    else if (kps)
        *kind = VERNIER_RESULTS_KEYPOINTS;
    else
        return vn_json_fail(&c->js, VERNIER_E_UNSUPPORTED, at,
                            "cannot tell the kind of results: the first result has no non-empty "
                            "\"bbox\", no \"segmentation\" and no \"keypoints\"");
    vn_json_rewind(&c->js, &mark);
    return VERNIER_OK;
}

static int unsupported_segm(ctx *c)
{
    size_t at = vn_json_offset(&c->js);
    VN_TRY(vn_json_skip(&c->js));
    return vn_json_fail(&c->js, VERNIER_E_UNSUPPORTED, at,
                        "polygon/uncompressed RLE results are not supported in a segmentation "
                        "result list (pycocotools' loadRes only accepts compressed RLE here)");
}

/* "size": [h, w], each 0..2^32-1 (pycocotools keeps them as C unsigned). */
static int read_size(ctx *c, uint64_t hw[2])
{
    static const char what[] = "an integer 0..4294967295";
    size_t at;
    int n = 0, r;
    int t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    if (t != VN_JSON_ARRAY)
        return vn_json_type_error(&c->js, t, "an array [height, width]");
    at = vn_json_offset(&c->js);
    VN_TRY(vn_json_array_begin(&c->js));
    while ((r = vn_json_array_next(&c->js)) == 1) {
        vn_number num;
        if (n == 2) {
            if ((t = vn_json_peek(&c->js)) < 0)
                return t;
            return vn_json_fail(&c->js, VERNIER_E_SCHEMA, vn_json_offset(&c->js),
                                "expected [height, width], got more than 2 values");
        }
        /* Cython converts these with __index__: integer literals only. */
        VN_TRY(vn_json_read_number(&c->js, &num, what));
        if (!num.is_int || num.i < 0 || num.i > (int64_t)UINT32_MAX)
            return vn_json_fail(&c->js, VERNIER_E_SCHEMA, number_start(c), "expected %s", what);
        hw[n++] = (uint64_t)num.i;
    }
    if (r < 0)
        return r;
    if (n != 2)
        return vn_json_fail(&c->js, VERNIER_E_SCHEMA, at, "expected [height, width], got %d values",
                            n);
    return VERNIER_OK;
}

int vn_rle_measure(vn_mem *m, const char *s, size_t len, uint64_t h, uint64_t w, double *area,
                   double bbox[4], vernier_error *rle_err)
{
    uint32_t *cnts = NULL;
    size_t n_cnts = 0;
    int rc = vn_rle_decode_string(m, s, len, h, w, &cnts, &n_cnts, rle_err);
    if (rc != VERNIER_OK)
        return rc;
    *area = (double)(uint32_t)vn_rle_area(cnts, n_cnts);
    vn_rle_to_bbox(cnts, n_cnts, (uint32_t)h, (uint32_t)w, bbox);
    vn_free(m, cnts, n_cnts * sizeof(uint32_t));
    return VERNIER_OK;
}

/* A compressed RLE {"size": [h, w], "counts": "..."}: its area and box
 * (vn_rle_measure). */
static int read_rle(ctx *c, double *area, double bbox[4], vn_segs *store, vn_seg *seg)
{
    vn_json_str key, counts = {NULL, 0, 0};
    vernier_error rle_err;
    uint64_t hw[2] = {0, 0};
    uint32_t seen = 0;
    size_t at, counts_at = 0, len;
    const char *s;
    int r, rc;
    int t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    if (t == VN_JSON_ARRAY)
        return unsupported_segm(c);
    if (t != VN_JSON_OBJECT)
        return vn_json_type_error(&c->js, t, "a compressed RLE object");
    at = vn_json_offset(&c->js);
    memset(seg, 0, sizeof(*seg));
    seg->at = at;
    VN_TRY(vn_json_object_begin(&c->js));
    while ((r = vn_json_object_next(&c->js, &key)) == 1) {
        enum key k = classify(&key);
        if (k == K_SIZE) {
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_size(c, hw));
        } else if (k == K_COUNTS) {
            VN_TRY(see(c, &seen, &key, k));
            t = vn_json_peek(&c->js);
            if (t < 0)
                return t;
            if (t == VN_JSON_ARRAY)
                return unsupported_segm(c);
            counts_at = vn_json_offset(&c->js);
            VN_TRY(vn_json_read_string(&c->js, &counts));
        } else {
            VN_TRY(vn_json_skip(&c->js));
        }
    }
    if (r < 0)
        return r;
    if (!(seen & (1u << K_SIZE)))
        return missing(c, at, K_SIZE);
    if (!(seen & (1u << K_COUNTS)))
        return missing(c, at, K_COUNTS);

    /* Counts strings often hold backslashes ('\\' is a valid RLE byte), so
     * escaped ones are decoded into a reusable scratch buffer. */
    s = counts.ptr;
    len = counts.len;
    if (counts.escaped) {
        if (counts.len > c->scratch_cap) {
            size_t cap = c->scratch_cap;
            void *p = c->scratch;
            rc = vn_grow(c->mem, &p, &cap, 1, counts.len);
            if (rc != VERNIER_OK)
                return fail_mem(c, rc);
            c->scratch = p;
            c->scratch_cap = cap;
        }
        len = vn_json_unescape(&counts, c->scratch);
        s = c->scratch;
    }
    vn_error_init(&rle_err);
    rc = vn_rle_measure(c->mem, s, len, hw[0], hw[1], area, bbox, &rle_err);
    if (rc == VERNIER_E_RLE)
        return vn_json_fail(&c->js, rc, counts_at, "invalid RLE counts: %s", rle_err.message);
    if (rc != VERNIER_OK)
        return fail_mem(c, rc);
    if (len > UINT32_MAX)
        return vn_json_fail(&c->js, VERNIER_E_LIMIT, at, "an RLE counts string is too long");
    VN_TRY(push_chars(c, store, s, len, &seg->off));
    seg->kind = VN_SEG_STRING;
    seg->len = (uint32_t)len;
    seg->h = (uint32_t)hw[0];
    seg->w = (uint32_t)hw[1];
    return VERNIER_OK;
}

/* loadRes' keypoint branch: x = values[0::3], y = values[1::3] over all
 * keypoints (visibility ignored); bbox and area from their extent. */
void vn_kp_extent(const double *v, size_t n, double bbox[4], double *area)
{
    double x0 = v[0], x1 = v[0], y0 = v[1], y1 = v[1];
    size_t j;
    for (j = 3; j < n; j += 3) {
        if (v[j] < x0)
            x0 = v[j];
        if (v[j] > x1)
            x1 = v[j];
        if (v[j + 1] < y0)
            y0 = v[j + 1];
        if (v[j + 1] > y1)
            y1 = v[j + 1];
    }
    bbox[0] = x0;
    bbox[1] = y0;
    bbox[2] = x1 - x0;
    bbox[3] = y1 - y0;
    *area = (x1 - x0) * (y1 - y0);
}

void vn_result_store(vernier_results *res, size_t i, int64_t image_id, int64_t category_id,
                     double score, const double *bbox, const double derived[4], double area,
                     uint64_t at)
{
    double box[4] = {0, 0, 0, 0};
    if (bbox != NULL)
        memcpy(box, bbox, sizeof(box));
    switch (res->kind) {
    case VERNIER_RESULTS_BBOX:
        area = box[2] * box[3];
        break;
    case VERNIER_RESULTS_SEGM:
        if (bbox == NULL)
            memcpy(box, derived, sizeof(box));
        break;
    default:
        memcpy(box, derived, sizeof(box));
        break;
    }
    res->image_id[i] = image_id;
    res->category_id[i] = category_id;
    memcpy(&res->bbox[4 * i], box, sizeof(box));
    res->score[i] = score;
    res->area[i] = area;
    res->offset[i] = at;
}

static int parse_result(ctx *c, vernier_results *res, size_t i)
{
    vn_json_str key;
    vn_seg seg;
    uint64_t kp_off = 0;
    size_t kp_len = 0;
    int64_t image_id = 0, category_id = 0;
    double bbox[4] = {0, 0, 0, 0}, derived[4] = {0, 0, 0, 0}, score = 0, area = 0;
    uint32_t seen = 0;
    int n_box = 0, r;
    size_t at;
    const int kind = res->kind;
    VN_TRY(element_begin(c, &at));
    while ((r = vn_json_object_next(&c->js, &key)) == 1) {
        enum key k = classify(&key);
        switch (k) {
        case K_IMAGE_ID:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_id(c, &image_id));
            break;
        case K_CATEGORY_ID:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_id(c, &category_id));
            break;
        case K_SCORE:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_finite(c, &score));
            break;
        case K_BBOX:
            VN_TRY(see(c, &seen, &key, k));
            if (kind == VERNIER_RESULTS_BBOX)
                VN_TRY(read_bbox(c, bbox, 0, &n_box));
            else if (kind == VERNIER_RESULTS_SEGM) /* kept as given; [] = absent */
                VN_TRY(read_bbox(c, bbox, 1, &n_box));
            else /* keypoints: loadRes overwrites it */
                VN_TRY(vn_json_skip(&c->js));
            break;
        case K_SEGMENTATION:
            VN_TRY(see(c, &seen, &key, k));
            if (kind == VERNIER_RESULTS_SEGM)
                VN_TRY(read_rle(c, &area, derived, &res->segs, &seg));
            else if (kind == VERNIER_RESULTS_BBOX)
                VN_TRY(read_segmentation(c, &res->segs, &seg));
            else
                VN_TRY(vn_json_skip(&c->js));
            break;
        case K_KEYPOINTS:
            VN_TRY(see(c, &seen, &key, k));
            VN_TRY(read_kp_values(c, &res->kps, &kp_off, &kp_len,
                                  kind == VERNIER_RESULTS_KEYPOINTS));
            if (kind == VERNIER_RESULTS_KEYPOINTS)
                vn_kp_extent(res->kps.vals + kp_off, kp_len, derived, &area);
            break;
        default: /* id, iscrowd, area (overwritten by loadRes), unknown keys */
            VN_TRY(vn_json_skip(&c->js));
            break;
        }
    }
    if (r < 0)
        return r;
    if (!(seen & (1u << K_IMAGE_ID)))
        return missing(c, at, K_IMAGE_ID);
    if (!(seen & (1u << K_CATEGORY_ID)))
        return missing(c, at, K_CATEGORY_ID);
    if (!(seen & (1u << K_SCORE)))
        return missing(c, at, K_SCORE);
    if (kind == VERNIER_RESULTS_BBOX && !(seen & (1u << K_BBOX)))
        return missing(c, at, K_BBOX);
    if (kind == VERNIER_RESULTS_SEGM && !(seen & (1u << K_SEGMENTATION)))
        return missing(c, at, K_SEGMENTATION);
    if (kind == VERNIER_RESULTS_KEYPOINTS && !(seen & (1u << K_KEYPOINTS)))
        return missing(c, at, K_KEYPOINTS);
    vn_result_store(res, i, image_id, category_id, score, n_box != 0 ? bbox : NULL, derived, area,
                    (uint64_t)at);
    if (!(seen & (1u << K_SEGMENTATION))) {
        memset(&seg, 0, sizeof(seg));
        seg.at = at;
    }
    VN_TRY(kps_set(c, &res->kps, i, kp_off, kp_len));
    return segs_set(c, &res->segs, i, &seg);
}

static int parse_results(ctx *c, vernier_results *res)
{
    size_t i = 0;
    int r, rc, t;
    VN_TRY(vn_json_init(&c->js, c->js.begin, (size_t)(c->js.end - c->js.begin), c->err));
    t = vn_json_peek(&c->js);
    if (t < 0)
        return t;
    if (t != VN_JSON_ARRAY)
        return vn_json_type_error(&c->js, t, "an array of result objects at the top level");
    VN_TRY(vn_json_array_begin(&c->js));
    while ((r = vn_json_array_next(&c->js)) == 1) {
        c->index = (int64_t)i;
        if (i == 0)
            VN_TRY(detect_kind(c, &res->kind));
        if ((rc = vn_results_grow(res, i + 1)) != VERNIER_OK)
            return fail_mem(c, rc);
        VN_TRY(parse_result(c, res, i));
        res->n = ++i;
    }
    c->index = -1;
    if (r < 0)
        return r;
    return vn_json_finish(&c->js);
}

/* ---- public entry points ----------------------------------------------- */

static int bad_arg(vernier_error *err, const char *what)
{
    vn_error_clear(err);
    return vn_fail(err, VERNIER_E_INVALID_ARG, "%s", what);
}

/* After a failure inside a parse: name the element. */
static void finish_error(ctx *c, int rc)
{
    if (vn_error_usable(c->err) && rc != VERNIER_E_NOMEM && rc != VERNIER_E_BUDGET)
        c->err->index = c->index;
}

/* After a failure inside a result list's parse: the result too. */
static void finish_result_error(ctx *c, int rc)
{
    finish_error(c, rc);
    if (c->index >= 0 && rc != VERNIER_E_NOMEM && rc != VERNIER_E_BUDGET)
        vn_error_set_field(c->err, VERNIER_ERROR_HAS_RESULT_INDEX, c->index);
}

static void ctx_release(ctx *c)
{
    if (c->scratch != NULL)
        vn_free(c->mem, c->scratch, c->scratch_cap);
    c->scratch = NULL;
    c->scratch_cap = 0;
}

/* vn_json is ~16 KiB: the context lives in the caller's frame, set up
 * here without re-initialising the stack array. */
static void ctx_setup(ctx *c, vn_mem *mem, const char *data, size_t size, vernier_error *err)
{
    c->js.begin = data;
    c->js.p = data;
    c->js.end = data + size;
    c->js.err = err;
    c->js.depth = 0;
    c->mem = mem;
    c->err = err;
    c->index = -1;
    c->scratch = NULL;
    c->scratch_cap = 0;
}

/* A zeroed handle of `size` bytes whose first member, its vn_mem, is set
 * up on `alc` (both handles start with one). */
static int handle_alloc(void **out, size_t size, const vernier_allocator *alc, const char *fn,
                        vernier_error *err)
{
    vn_mem mem;
    char what[96];
    void *h;
    if (vn_mem_init(&mem, alc) != VERNIER_OK) {
        snprintf(what, sizeof(what), "%s: allocator with a NULL function", fn);
        return bad_arg(err, what);
    }
    h = vn_malloc(&mem, size);
    if (h == NULL) {
        vn_error_clear(err);
        return vn_fail(err, vn_mem_failure(&mem), "out of memory in %s", fn);
    }
    memset(h, 0, size);
    memcpy(h, &mem, sizeof(mem));
    *out = h;
    return VERNIER_OK;
}

_Static_assert(offsetof(vernier_dataset, mem) == 0, "a dataset starts with its vn_mem");
_Static_assert(offsetof(vernier_results, mem) == 0, "results start with their vn_mem");

int vn_dataset_alloc(vernier_dataset **out, const vernier_allocator *alc, const char *fn,
                     vernier_error *err)
{
    void *h;
    VN_TRY(handle_alloc(&h, sizeof(vernier_dataset), alc, fn, err));
    *out = h;
    return VERNIER_OK;
}

int vn_results_alloc(vernier_results **out, const vernier_allocator *alc, const char *fn,
                     vernier_error *err)
{
    void *h;
    VN_TRY(handle_alloc(&h, sizeof(vernier_results), alc, fn, err));
    *out = h;
    (*out)->kind = VERNIER_RESULTS_EMPTY;
    return VERNIER_OK;
}

int vn_dataset_parse(vernier_dataset **out, const char *data, size_t size,
                     const vernier_allocator *alc, vernier_error *err)
{
    vernier_dataset *ds;
    ctx c;
    int rc;
    if (out == NULL)
        return bad_arg(err, "vernier_dataset_load_json: out is NULL");
    *out = NULL;
    if (data == NULL && size != 0)
        return bad_arg(err, "vernier_dataset_load_json: data is NULL");
    if (data == NULL)
        data = "";
    VN_TRY(vn_dataset_alloc(&ds, alc, "vernier_dataset_load_json", err));
    ctx_setup(&c, &ds->mem, data, size, err);
    rc = parse_gt(&c, ds);
    ctx_release(&c);
    if (rc != VERNIER_OK) {
        finish_error(&c, rc);
        vn_dataset_release(ds);
        return rc;
    }
    *out = ds;
    return VERNIER_OK;
}

void vn_dataset_release(vernier_dataset *ds)
{
    column c[MAX_COLUMNS];
    vn_mem mem;
    if (ds == NULL)
        return;
    mem = ds->mem;
    free_cols(&mem, c, image_cols_get(ds, c), ds->cap_images);
    free_cols(&mem, c, category_cols_get(ds, c), ds->cap_categories);
    vn_free(&mem, ds->names, ds->cap_names);
    vn_kps_free(&ds->kps, &mem);
    free_cols(&mem, c, ann_cols_get(ds, c), ds->cap_anns);
    vn_segs_free(&ds->segs, &mem);
    vn_free(&mem, ds, sizeof(*ds));
}

size_t vernier_dataset_num_images(const vernier_dataset *ds)
{
    return ds == NULL ? 0 : ds->n_images;
}

size_t vernier_dataset_num_annotations(const vernier_dataset *ds)
{
    return ds == NULL ? 0 : ds->n_anns;
}

size_t vernier_dataset_num_categories(const vernier_dataset *ds)
{
    return ds == NULL ? 0 : ds->n_categories;
}

int64_t vernier_dataset_category_id(const vernier_dataset *ds, size_t i)
{
    return ds == NULL || i >= ds->n_categories ? 0 : ds->category_id[i];
}

const char *vernier_dataset_category_name(const vernier_dataset *ds, size_t i)
{
    if (ds == NULL || i >= ds->n_categories)
        return NULL;
    return ds->category_name[i] == VN_NO_NAME ? "" : ds->names + ds->category_name[i];
}

int vernier_results_load_json(vernier_results **out, const char *data, size_t size,
                              const vernier_allocator *alc, vernier_error *err)
{
    vernier_results *res;
    ctx c;
    int rc;
    if (out == NULL)
        return bad_arg(err, "vernier_results_load_json: out is NULL");
    *out = NULL;
    if (data == NULL && size != 0)
        return bad_arg(err, "vernier_results_load_json: data is NULL");
    if (data == NULL)
        data = "";
    VN_TRY(vn_results_alloc(&res, alc, "vernier_results_load_json", err));
    ctx_setup(&c, &res->mem, data, size, err);
    rc = parse_results(&c, res);
    ctx_release(&c);
    if (rc != VERNIER_OK) {
        finish_result_error(&c, rc);
        vernier_results_free(res);
        return rc;
    }
    *out = res;
    return VERNIER_OK;
}

void vernier_results_free(vernier_results *res)
{
    column c[MAX_COLUMNS];
    vn_mem mem;
    if (res == NULL)
        return;
    mem = res->mem;
    free_cols(&mem, c, result_cols_get(res, c), res->cap);
    vn_segs_free(&res->segs, &mem);
    vn_kps_free(&res->kps, &mem);
    vn_free(&mem, res, sizeof(*res));
}

size_t vernier_results_num_detections(const vernier_results *res)
{
    return res == NULL ? 0 : res->n;
}

int vernier_results_get_kind(const vernier_results *res)
{
    return res == NULL ? VERNIER_RESULTS_EMPTY : res->kind;
}
