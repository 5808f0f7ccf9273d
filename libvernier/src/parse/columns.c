/* columns.c — ground truth and result lists built from caller arrays.
 *
 * vernier_results_from_columns and vn_dataset_from_columns (completed as
 * vernier_dataset_from_columns in eval/dataset.c) fill the tables of
 * coco.h through the helpers coco.c shares with its JSON loaders: the
 * same stores, the same RLE measure, the same loadRes completion of a
 * result row.  What a typed array already guarantees (an id is an int64,
 * iscrowd a byte, a mask size a uint32) needs no check here; what is left
 * is checked row by row, and an error names the column and the row.
 * Rows have no byte offset: their `at` / offset is UINT64_MAX, which the
 * error fields report as -1. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/vn_error.h"
#include "mask/rle.h"
#include "parse/coco.h"
#include "parse/columns.h"

#define NO_OFFSET UINT64_MAX

/* The first versions' sizes: every field through the last one. */
#define RESULTS_COLUMNS_V1                                                                       \
    (offsetof(vernier_results_columns, keypoints) + sizeof(const double *))
#define DATASET_COLUMNS_V1                                                                       \
    (offsetof(vernier_dataset_columns, keypoints) + sizeof(const double *))

/* ---- errors -------------------------------------------------------------- */

/* Fails with err->path = `path` and the message "<path> <reason>";
 * err->index = row.  The entity field (a vernier_error_field bit, or 0)
 * is set to `entity`. */
static int col_fail(vernier_error *err, int code, const char *path, int64_t row, unsigned field,
                    int64_t entity, const char *fmt, ...) VN_PRINTF(7, 8);

static int col_fail(vernier_error *err, int code, const char *path, int64_t row, unsigned field,
                    int64_t entity, const char *fmt, ...)
{
    char reason[sizeof(((vernier_error *)0)->message)];
    va_list ap;
    if (!vn_error_usable(err))
        return code;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    vn_error_clear(err);
    vn_fail(err, code, "%s %s", path, reason);
    vn_error_set_reason(err, strlen(path) + 1, strlen(reason));
    vn_error_set_path(err, path);
    vn_error_set_element(err, row, -1);
    if (field != 0)
        vn_error_set_field(err, field, entity);
    return code;
}

static int bad_arg(vernier_error *err, const char *fn, const char *what)
{
    vn_error_clear(err);
    return vn_fail(err, VERNIER_E_INVALID_ARG, "%s: %s", fn, what);
}

static int no_mem(vernier_error *err, int rc, const char *fn)
{
    vn_error_clear(err);
    return vn_fail(err, rc, "%s while building from columns (%s)", vernier_status_string(rc), fn);
}

/* Which row an error is about: the row, and its entity field. */
typedef struct row_ref {
    size_t row;
    unsigned field;
    int64_t entity;
} row_ref;

/* v[0..n) must be finite; `name` is the column, `width` > 1 adds the
 * position within the row to the path ("boxes[3][2]"). */
static int check_finite(vernier_error *err, const double *v, size_t n, const char *name,
                        size_t width, const row_ref *ref)
{
    char path[96];
    size_t j;
    for (j = 0; j < n; j++) {
        if (isfinite(v[j]))
            continue;
        if (width > 1)
            snprintf(path, sizeof(path), "%s[%zu][%zu]", name, ref->row, j);
        else
            snprintf(path, sizeof(path), "%s[%zu]", name, ref->row);
        return col_fail(err, VERNIER_E_SCHEMA, path, (int64_t)ref->row, ref->field, ref->entity,
                        "is %s", isnan(v[j]) ? "NaN" : v[j] > 0 ? "+inf" : "-inf");
    }
    return VERNIER_OK;
}

/* offsets[0..n] must not decrease. */
static int check_offsets(vernier_error *err, const char *fn, const char *name,
                         const uint64_t *offsets, size_t n)
{
    char what[128];
    size_t i;
    for (i = 0; i < n; i++) {
        if (offsets[i + 1] < offsets[i]) {
            snprintf(what, sizeof(what), "%s[%zu] > %s[%zu] (offsets must not decrease)", name, i,
                     name, i + 1);
            return bad_arg(err, fn, what);
        }
    }
    return VERNIER_OK;
}

/* Keypoints, when given: offsets (n + 1, not decreasing) and values. */
static int check_keypoints(vernier_error *err, const char *fn, const uint64_t *offsets,
                           const double *values, size_t n)
{
    if (offsets == NULL)
        return VERNIER_OK;
    if (values == NULL)
        return bad_arg(err, fn, "keypoint_offsets without keypoints");
    return check_offsets(err, fn, "keypoint_offsets", offsets, n);
}

/* ---- result masks --------------------------------------------------------- */

/* Scratch buffers reused across rows (freed by the caller). */
typedef struct scratch {
    uint32_t *counts;
    size_t cap_counts;
    char *chars;
    size_t cap_chars;
} scratch;

static void scratch_free(scratch *sc, vn_mem *m)
{
    vn_free(m, sc->counts, sc->cap_counts * sizeof(uint32_t));
    vn_free(m, sc->chars, sc->cap_chars);
}

/* rleEncode of a row-major h x w mask of 0/1 bytes (runs go down the
 * columns, as for pycocotools' Fortran-ordered masks) into sc->counts;
 * *n the number of counts, *bad the first byte that is neither 0 nor 1
 * (or SIZE_MAX). */
static int dense_counts(vn_mem *m, scratch *sc, const uint8_t *mask, uint32_t h, uint32_t w,
                        size_t *n, size_t *bad)
{
    size_t k = 0, x, y, need = (size_t)h * w + 1;
    uint32_t run = 0;
    uint8_t prev = 0;
    int rc = vn_grow(m, (void **)&sc->counts, &sc->cap_counts, sizeof(uint32_t), need);
    if (rc != VERNIER_OK)
        return rc;
    *bad = SIZE_MAX;
    for (x = 0; x < w; x++) {
        for (y = 0; y < h; y++) {
            uint8_t v = mask[y * w + x];
            if (v > 1) {
                *bad = y * w + x;
                return VERNIER_OK;
            }
            if (v != prev) {
                sc->counts[k++] = run;
                run = 0;
                prev = v;
            }
            run++;
        }
    }
    sc->counts[k++] = run;
    *n = k;
    return VERNIER_OK;
}

/* rleToString of counts into sc->chars; *len its length. */
static int counts_string(vn_mem *m, scratch *sc, const uint32_t *counts, size_t n, uint32_t h,
                         uint32_t w, size_t *len)
{
    vn_rle r;
    int rc;
    r.h = h;
    r.w = w;
    r.m = n;
    r.cnts = (uint32_t *)(uintptr_t)counts; /* read only */
    *len = vn_rle_to_string(&r, NULL, 0);
    rc = vn_grow(m, (void **)&sc->chars, &sc->cap_chars, 1, *len + 1);
    if (rc != VERNIER_OK)
        return rc;
    vn_rle_to_string(&r, sc->chars, *len);
    return VERNIER_OK;
}

/* Result row i's mask as a compressed string (any of the three forms):
 * *s, *len, and its size in hw. */
static int row_mask_string(vn_mem *m, scratch *sc, const vernier_results_columns *cols, size_t i,
                           const char **s, size_t *len, uint32_t hw[2], vernier_error *err)
{
    const row_ref ref = {i, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i};
    char path[48];
    int rc;
    if (cols->masks != NULL) {
        const uint8_t *mask;
        size_t n = 0, bad;
        if (cols->mask_offsets != NULL) { /* sizes per row */
            hw[0] = cols->mask_sizes[2 * i];
            hw[1] = cols->mask_sizes[2 * i + 1];
            mask = cols->masks + cols->mask_offsets[i];
        } else {
            hw[0] = cols->mask_height;
            hw[1] = cols->mask_width;
            mask = cols->masks + i * ((size_t)hw[0] * hw[1]);
        }
        rc = dense_counts(m, sc, mask, hw[0], hw[1], &n, &bad);
        if (rc != VERNIER_OK)
            return no_mem(err, rc, "vernier_results_from_columns");
        if (bad != SIZE_MAX) {
            snprintf(path, sizeof(path), "masks[%zu]", i);
            return col_fail(err, VERNIER_E_SCHEMA, path, (int64_t)i, ref.field, ref.entity,
                            "holds %u at row %zu, column %zu (a mask's values are 0 and 1)",
                            (unsigned)mask[bad], bad / hw[1], bad % hw[1]);
        }
        rc = counts_string(m, sc, sc->counts, n, hw[0], hw[1], len);
        *s = sc->chars;
    } else {
        uint64_t a = cols->mask_offsets[i], b = cols->mask_offsets[i + 1];
        hw[0] = cols->mask_sizes[2 * i];
        hw[1] = cols->mask_sizes[2 * i + 1];
        if (cols->mask_strings != NULL) {
            *s = cols->mask_strings + a;
            *len = (size_t)(b - a);
            return VERNIER_OK;
        }
        rc = counts_string(m, sc, cols->mask_counts + a, (size_t)(b - a), hw[0], hw[1], len);
        *s = sc->chars;
    }
    return rc != VERNIER_OK ? no_mem(err, rc, "vernier_results_from_columns") : VERNIER_OK;
}

/* ---- results ------------------------------------------------------------- */

/* Dense masks: one size for all (mask_height x mask_width), or per row
 * (mask_sizes, with mask_offsets in bytes spanning h * w each). */
static int dense_args(const vernier_results_columns *c, vernier_error *err)
{
    static const char fn[] = "vernier_results_from_columns";
    char what[160];
    size_t i;
    if (c->mask_offsets == NULL) {
        if ((uint64_t)c->mask_height * c->mask_width > UINT32_MAX) {
            vn_error_clear(err);
            return vn_fail(err, VERNIER_E_LIMIT, "%s: mask_height x mask_width is above 2^32-1",
                           fn);
        }
        return VERNIER_OK;
    }
    if (c->mask_sizes == NULL)
        return bad_arg(err, fn, "masks with mask_offsets need mask_sizes");
    VN_TRY(check_offsets(err, fn, "mask_offsets", c->mask_offsets, c->n));
    for (i = 0; i < c->n; i++) {
        uint64_t hw = (uint64_t)c->mask_sizes[2 * i] * c->mask_sizes[2 * i + 1];
        if (hw > UINT32_MAX) {
            vn_error_clear(err);
            return vn_fail(err, VERNIER_E_LIMIT, "%s: mask %zu: height x width is above 2^32-1",
                           fn, i);
        }
        if (c->mask_offsets[i + 1] - c->mask_offsets[i] != hw) {
            snprintf(what, sizeof(what), "mask %zu spans %llu bytes, not height x width = %llu",
                     i, (unsigned long long)(c->mask_offsets[i + 1] - c->mask_offsets[i]),
                     (unsigned long long)hw);
            return bad_arg(err, fn, what);
        }
    }
    return VERNIER_OK;
}

static int results_args(const vernier_results_columns *c, vernier_error *err)
{
    static const char fn[] = "vernier_results_from_columns";
    int forms;
    if (c == NULL)
        return bad_arg(err, fn, "cols is NULL");
    if (c->size < RESULTS_COLUMNS_V1)
        return bad_arg(err, fn, "cols->size is below sizeof(vernier_results_columns) of its "
                                "first version (initialise with VERNIER_RESULTS_COLUMNS_INIT)");
    if (c->kind < VERNIER_RESULTS_EMPTY || c->kind > VERNIER_RESULTS_KEYPOINTS)
        return bad_arg(err, fn, "cols->kind is not a vernier_results_kind");
    if (c->n == 0)
        return VERNIER_OK;
    if (c->kind == VERNIER_RESULTS_EMPTY)
        return bad_arg(err, fn, "cols->kind is EMPTY but cols->n > 0");
    if (c->image_ids == NULL || c->category_ids == NULL || c->scores == NULL)
        return bad_arg(err, fn, "image_ids, category_ids and scores are required");
    if (c->kind == VERNIER_RESULTS_BBOX && c->boxes == NULL)
        return bad_arg(err, fn, "boxes are required for BBOX results");
    forms = (c->mask_counts != NULL) + (c->mask_strings != NULL) + (c->masks != NULL);
    if (forms > 1)
        return bad_arg(err, fn, "give masks in one form: mask_counts, mask_strings or masks");
    if (c->kind == VERNIER_RESULTS_SEGM && forms == 0)
        return bad_arg(err, fn, "masks are required for SEGM results");
    if (c->kind != VERNIER_RESULTS_KEYPOINTS && (c->mask_counts != NULL || c->mask_strings != NULL)) {
        if (c->mask_sizes == NULL || c->mask_offsets == NULL)
            return bad_arg(err, fn, "mask_counts and mask_strings need mask_sizes and mask_offsets");
        VN_TRY(check_offsets(err, fn, "mask_offsets", c->mask_offsets, c->n));
    }
    if (c->kind != VERNIER_RESULTS_KEYPOINTS && c->masks != NULL)
        VN_TRY(dense_args(c, err));
    if (c->kind == VERNIER_RESULTS_KEYPOINTS && (c->keypoint_offsets == NULL || c->keypoints == NULL))
        return bad_arg(err, fn, "keypoint_offsets and keypoints are required for KEYPOINTS results");
    return check_keypoints(err, fn, c->keypoint_offsets, c->keypoints, c->n);
}

/* The segmentation of result row i: SEGM masks measured and stored as
 * strings; BBOX rows keep what they are given, as the JSON loader keeps a
 * bbox result's "segmentation". */
static int result_mask(vernier_results *res, scratch *sc, const vernier_results_columns *c,
                       size_t i, vn_seg *seg, double *area, double derived[4], vernier_error *err)
{
    static const char fn[] = "vernier_results_from_columns";
    vn_mem *m = &res->mem;
    const char *s = NULL;
    size_t len = 0;
    uint32_t hw[2] = {0, 0};
    int rc;
    if (res->kind == VERNIER_RESULTS_BBOX && c->mask_counts != NULL) {
        uint64_t a = c->mask_offsets[i], b = c->mask_offsets[i + 1];
        if (b - a > UINT32_MAX)
            return col_fail(err, VERNIER_E_LIMIT, "mask_counts", (int64_t)i,
                            VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i,
                            "of row %zu: more than 2^32-1 counts", i);
        seg->off = res->segs.n_counts;
        if ((rc = vn_segs_push_counts(m, &res->segs, c->mask_counts + a, (size_t)(b - a))) != 0)
            return no_mem(err, rc, fn);
        seg->kind = VN_SEG_COUNTS;
        seg->len = (uint32_t)(b - a);
        seg->h = c->mask_sizes[2 * i];
        seg->w = c->mask_sizes[2 * i + 1];
        return VERNIER_OK;
    }
    VN_TRY(row_mask_string(m, sc, c, i, &s, &len, hw, err));
    if (len > UINT32_MAX)
        return col_fail(err, VERNIER_E_LIMIT, "mask_strings", (int64_t)i,
                        VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i,
                        "of row %zu: an RLE counts string is too long", i);
    if (res->kind == VERNIER_RESULTS_SEGM) {
        vernier_error rle_err;
        char path[48];
        vn_error_init(&rle_err);
        rc = vn_rle_measure(m, s, len, hw[0], hw[1], area, derived, &rle_err);
        if (rc == VERNIER_E_RLE) {
            snprintf(path, sizeof(path), "masks[%zu]", i);
            return col_fail(err, rc, path, (int64_t)i, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i,
                            "is not a valid RLE: %s", rle_err.message);
        }
        if (rc != VERNIER_OK)
            return no_mem(err, rc, fn);
    }
    if ((rc = vn_segs_push_chars(m, &res->segs, s, len, &seg->off)) != VERNIER_OK)
        return no_mem(err, rc, fn);
    seg->kind = VN_SEG_STRING;
    seg->len = (uint32_t)len;
    seg->h = hw[0];
    seg->w = hw[1];
    return VERNIER_OK;
}

static int result_row(vernier_results *res, scratch *sc, const vernier_results_columns *c,
                      size_t i, vernier_error *err)
{
    static const char fn[] = "vernier_results_from_columns";
    const row_ref ref = {i, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i};
    const int kind = res->kind;
    const double *bbox = NULL;
    double derived[4] = {0, 0, 0, 0}, area = 0;
    uint64_t kp_off = 0;
    size_t kp_len = 0;
    vn_seg seg;
    int rc;
    memset(&seg, 0, sizeof(seg));
    seg.at = NO_OFFSET;
    VN_TRY(check_finite(err, &c->scores[i], 1, "scores", 1, &ref));
    if (c->boxes != NULL && kind != VERNIER_RESULTS_KEYPOINTS) {
        bbox = &c->boxes[4 * i];
        VN_TRY(check_finite(err, bbox, 4, "boxes", 4, &ref));
    }
    if (kind != VERNIER_RESULTS_KEYPOINTS &&
        (c->mask_counts != NULL || c->mask_strings != NULL || c->masks != NULL))
        VN_TRY(result_mask(res, sc, c, i, &seg, &area, derived, err));
    if (c->keypoint_offsets != NULL) {
        uint64_t a = c->keypoint_offsets[i], b = c->keypoint_offsets[i + 1];
        const double *v = c->keypoints + a;
        kp_len = (size_t)(b - a);
        VN_TRY(check_finite(err, v, kp_len, "keypoints", 2, &ref));
        if (kp_len > UINT32_MAX ||
            (kind == VERNIER_RESULTS_KEYPOINTS && (kp_len == 0 || kp_len % 3 != 0))) {
            char path[48];
            snprintf(path, sizeof(path), "keypoints[%zu]", i);
            return col_fail(err, VERNIER_E_SCHEMA, path, (int64_t)i, ref.field, ref.entity,
                            "expected a non-empty list of x, y, v triplets, got %zu numbers",
                            kp_len);
        }
        kp_off = res->kps.n_vals;
        if ((rc = vn_kps_append(&res->mem, &res->kps, v, kp_len)) != VERNIER_OK)
            return no_mem(err, rc, fn);
        if (kind == VERNIER_RESULTS_KEYPOINTS)
            vn_kp_extent(v, kp_len, derived, &area);
    }
    vn_result_store(res, i, c->image_ids[i], c->category_ids[i], c->scores[i], bbox, derived, area,
                    NO_OFFSET);
    if (c->areas != NULL) {
        VN_TRY(check_finite(err, &c->areas[i], 1, "areas", 1, &ref));
        res->area[i] = c->areas[i];
    }
    if ((rc = vn_kps_set(&res->mem, &res->kps, i, kp_off, kp_len)) != VERNIER_OK ||
        (rc = vn_segs_set(&res->mem, &res->segs, i, &seg)) != VERNIER_OK)
        return no_mem(err, rc, fn);
    return VERNIER_OK;
}

int vernier_results_from_columns(vernier_results **out, const vernier_results_columns *cols,
                                 const vernier_allocator *alc, vernier_error *err)
{
    static const char fn[] = "vernier_results_from_columns";
    vernier_results *res;
    scratch sc = {NULL, 0, NULL, 0};
    size_t i;
    int rc = VERNIER_OK;
    if (out == NULL)
        return bad_arg(err, fn, "out is NULL");
    *out = NULL;
    VN_TRY(results_args(cols, err));
    VN_TRY(vn_results_alloc(&res, alc, fn, err));
    res->kind = cols->n == 0 ? VERNIER_RESULTS_EMPTY : cols->kind;
    if (cols->n > 0 && (rc = vn_results_grow(res, cols->n)) != VERNIER_OK)
        rc = no_mem(err, rc, fn);
    for (i = 0; rc == VERNIER_OK && i < cols->n; i++) {
        rc = result_row(res, &sc, cols, i, err);
        if (rc == VERNIER_OK)
            res->n = i + 1;
    }
    scratch_free(&sc, &res->mem);
    if (rc != VERNIER_OK) {
        vernier_results_free(res);
        return rc;
    }
    *out = res;
    return VERNIER_OK;
}

/* ---- ground truth ----------------------------------------------------------- */

static int dataset_args(const vernier_dataset_columns *c, vernier_error *err)
{
    static const char fn[] = "vernier_dataset_from_columns";
    if (c == NULL)
        return bad_arg(err, fn, "cols is NULL");
    if (c->size < DATASET_COLUMNS_V1)
        return bad_arg(err, fn, "cols->size is below sizeof(vernier_dataset_columns) of its "
                                "first version (initialise with VERNIER_DATASET_COLUMNS_INIT)");
    if (c->n_images > 0 && c->image_ids == NULL)
        return bad_arg(err, fn, "image_ids is required");
    if (c->n_categories > 0 && c->category_ids == NULL)
        return bad_arg(err, fn, "category_ids is required");
    if (c->n_annotations > 0 && (c->annotation_ids == NULL || c->annotation_image_ids == NULL ||
                                 c->annotation_category_ids == NULL))
        return bad_arg(err, fn,
                       "annotation_ids, annotation_image_ids and annotation_category_ids are "
                       "required");
    if (c->segmentation_kinds != NULL && c->segmentation_spans == NULL)
        return bad_arg(err, fn, "segmentation_kinds without segmentation_spans");
    return check_keypoints(err, fn, c->keypoint_offsets, c->keypoints, c->n_annotations);
}

/* A span (first, count) must lie in a pool of `len` elements. */
static int check_span(const uint64_t *span, size_t len, const char *pool, const char *what,
                      size_t row, vernier_error *err)
{
    char msg[160];
    if (span[0] <= len && span[1] <= len - span[0])
        return VERNIER_OK;
    snprintf(msg, sizeof(msg), "%s[%zu] (%llu, %llu) lies outside %s (%zu elements)", what, row,
             (unsigned long long)span[0], (unsigned long long)span[1], pool, len);
    return bad_arg(err, "vernier_dataset_from_columns", msg);
}

/* Annotation a's segmentation, stored as the JSON loader stores one. */
static int ann_segmentation(vernier_dataset *ds, const vernier_dataset_columns *c, size_t a,
                            vn_seg *seg, vernier_error *err)
{
    static const char fn[] = "vernier_dataset_from_columns";
    const uint64_t *span = &c->segmentation_spans[2 * a];
    vn_mem *m = &ds->mem;
    vn_segs *s = &ds->segs;
    int kind = c->segmentation_kinds[a], rc = VERNIER_OK;
    char what[96];
    if (kind == VERNIER_SEGMENTATION_NONE)
        return VERNIER_OK;
    if ((kind == VERNIER_SEGMENTATION_COUNTS || kind == VERNIER_SEGMENTATION_STRING) &&
        c->segmentation_sizes == NULL)
        return bad_arg(err, fn, "RLE segmentations need segmentation_sizes");
    seg->h = kind == VERNIER_SEGMENTATION_POLYGONS ? 0 : c->segmentation_sizes[2 * a];
    seg->w = kind == VERNIER_SEGMENTATION_POLYGONS ? 0 : c->segmentation_sizes[2 * a + 1];
    switch (kind) {
    case VERNIER_SEGMENTATION_POLYGONS: {
        size_t parts0 = s->n_parts, coords0 = s->n_coords, p;
        int valid = span[1] <= UINT32_MAX;
        VN_TRY(check_span(span, c->n_polygons, "polygon_spans", "segmentation_spans", a, err));
        for (p = span[0]; valid && p < span[0] + span[1]; p++) {
            const uint64_t *ps = &c->polygon_spans[2 * p];
            uint64_t off = s->n_coords;
            size_t q;
            VN_TRY(check_span(ps, c->n_polygon_coords, "polygon_coords", "polygon_spans", p, err));
            for (q = 0; q < ps[1]; q++)
                valid &= isfinite(c->polygon_coords[ps[0] + q]) != 0;
            if (!valid)
                break;
            if (ps[1] > UINT32_MAX) {
                snprintf(what, sizeof(what), "polygon_spans[%zu]", (size_t)p);
                return col_fail(err, VERNIER_E_LIMIT, what, (int64_t)a,
                                VERNIER_ERROR_HAS_ANNOTATION_ID, c->annotation_ids[a],
                                "has more than 2^32-1 coordinates");
            }
            if ((rc = vn_segs_push_coords(m, s, c->polygon_coords + ps[0], (size_t)ps[1])) != 0 ||
                (rc = vn_segs_push_part(m, s, off, (uint32_t)ps[1])) != 0)
                return no_mem(err, rc, fn);
        }
        if (!valid) { /* as the JSON loader: no mask can be made of it */
            s->n_parts = parts0;
            s->n_coords = coords0;
            seg->kind = VN_SEG_INVALID;
            return VERNIER_OK;
        }
        seg->kind = VN_SEG_POLY;
        seg->off = parts0;
        seg->len = (uint32_t)span[1];
        return VERNIER_OK;
    }
    case VERNIER_SEGMENTATION_COUNTS:
        VN_TRY(check_span(span, c->n_rle_counts, "rle_counts", "segmentation_spans", a, err));
        if (span[1] > UINT32_MAX) {
            seg->kind = VN_SEG_INVALID;
            return VERNIER_OK;
        }
        seg->off = s->n_counts;
        if ((rc = vn_segs_push_counts(m, s, c->rle_counts + span[0], (size_t)span[1])) != 0)
            return no_mem(err, rc, fn);
        seg->kind = VN_SEG_COUNTS;
        seg->len = (uint32_t)span[1];
        return VERNIER_OK;
    case VERNIER_SEGMENTATION_STRING:
        VN_TRY(check_span(span, c->n_rle_chars, "rle_chars", "segmentation_spans", a, err));
        if (span[1] > UINT32_MAX)
            return col_fail(err, VERNIER_E_LIMIT, "segmentation_spans", (int64_t)a,
                            VERNIER_ERROR_HAS_ANNOTATION_ID, c->annotation_ids[a],
                            "of annotation %zu: an RLE counts string is longer than 2^32-1 bytes",
                            a);
        if ((rc = vn_segs_push_chars(m, s, c->rle_chars + span[0], (size_t)span[1], &seg->off)) != 0)
            return no_mem(err, rc, fn);
        seg->kind = VN_SEG_STRING;
        seg->len = (uint32_t)span[1];
        return VERNIER_OK;
    default:
        snprintf(what, sizeof(what), "segmentation_kinds[%zu] is %d, not a "
                 "vernier_segmentation_kind", a, kind);
        return bad_arg(err, fn, what);
    }
}

static int ann_row(vernier_dataset *ds, const vernier_dataset_columns *c, size_t a,
                   vernier_error *err)
{
    static const char fn[] = "vernier_dataset_from_columns";
    const row_ref ref = {a, VERNIER_ERROR_HAS_ANNOTATION_ID, c->annotation_ids[a]};
    uint32_t flags = 0;
    uint64_t kp_off = 0;
    size_t kp_len = 0;
    vn_seg seg;
    int rc;
    memset(&seg, 0, sizeof(seg));
    seg.at = NO_OFFSET;
    ds->ann_id[a] = c->annotation_ids[a];
    ds->ann_image_id[a] = c->annotation_image_ids[a];
    ds->ann_category_id[a] = c->annotation_category_ids[a];
    memset(&ds->ann_bbox[4 * a], 0, 4 * sizeof(double));
    ds->ann_area[a] = 0;
    if (c->boxes != NULL) {
        VN_TRY(check_finite(err, &c->boxes[4 * a], 4, "boxes", 4, &ref));
        memcpy(&ds->ann_bbox[4 * a], &c->boxes[4 * a], 4 * sizeof(double));
        flags |= VN_ANN_HAS_BBOX;
    }
    if (c->areas != NULL) {
        VN_TRY(check_finite(err, &c->areas[a], 1, "areas", 1, &ref));
        ds->ann_area[a] = c->areas[a];
        flags |= VN_ANN_HAS_AREA;
    }
    ds->ann_iscrowd[a] = c->iscrowd != NULL ? c->iscrowd[a] : 0;
    flags |= c->iscrowd != NULL ? VN_ANN_HAS_ISCROWD : 0;
    ds->ann_ignore[a] = c->ignore != NULL && c->ignore[a] != 0;
    flags |= c->ignore != NULL ? VN_ANN_HAS_IGNORE : 0;
    ds->ann_num_keypoints[a] = c->num_keypoints != NULL ? c->num_keypoints[a] : 0;
    flags |= c->num_keypoints != NULL ? VN_ANN_HAS_NUM_KEYPOINTS : 0;
    if (c->segmentation_kinds != NULL) {
        VN_TRY(ann_segmentation(ds, c, a, &seg, err));
        flags |= c->segmentation_kinds[a] != VERNIER_SEGMENTATION_NONE ? VN_ANN_HAS_SEGMENTATION : 0;
    }
    if (c->keypoint_offsets != NULL && c->keypoint_offsets[a + 1] > c->keypoint_offsets[a]) {
        const double *v = c->keypoints + c->keypoint_offsets[a];
        kp_len = (size_t)(c->keypoint_offsets[a + 1] - c->keypoint_offsets[a]);
        VN_TRY(check_finite(err, v, kp_len, "keypoints", 2, &ref));
        if (kp_len > UINT32_MAX)
            return col_fail(err, VERNIER_E_SCHEMA, "keypoint_offsets", (int64_t)a, ref.field,
                            ref.entity, "of annotation %zu: more than 2^32-1 values", a);
        kp_off = ds->kps.n_vals;
        if ((rc = vn_kps_append(&ds->mem, &ds->kps, v, kp_len)) != VERNIER_OK)
            return no_mem(err, rc, fn);
        flags |= VN_ANN_HAS_KEYPOINTS;
    }
    ds->ann_flags[a] = flags;
    ds->ann_offset[a] = NO_OFFSET;
    if ((rc = vn_kps_set(&ds->mem, &ds->kps, a, kp_off, kp_len)) != VERNIER_OK ||
        (rc = vn_segs_set(&ds->mem, &ds->segs, a, &seg)) != VERNIER_OK)
        return no_mem(err, rc, fn);
    return VERNIER_OK;
}

static int image_rows(vernier_dataset *ds, const vernier_dataset_columns *c, vernier_error *err)
{
    size_t i;
    for (i = 0; i < c->n_images; i++) {
        const int64_t *dims[2] = {c->image_widths, c->image_heights};
        static const char *const names[2] = {"image_widths", "image_heights"};
        int64_t v[2] = {-1, -1};
        int d;
        for (d = 0; d < 2; d++) {
            char path[48];
            if (dims[d] == NULL)
                continue;
            v[d] = dims[d][i];
            if (v[d] >= -1) /* -1: absent on this image */
                continue;
            snprintf(path, sizeof(path), "%s[%zu]", names[d], i);
            return col_fail(err, VERNIER_E_SCHEMA, path, (int64_t)i, VERNIER_ERROR_HAS_IMAGE_ID,
                            c->image_ids[i], "is %lld, expected a non-negative integer (or -1: "
                            "absent)", (long long)v[d]);
        }
        ds->image_id[i] = c->image_ids[i];
        ds->image_width[i] = v[0];
        ds->image_height[i] = v[1];
        ds->n_images = i + 1;
    }
    return VERNIER_OK;
}

static int category_rows(vernier_dataset *ds, const vernier_dataset_columns *c,
                         vernier_error *err)
{
    size_t i;
    for (i = 0; i < c->n_categories; i++) {
        int64_t n_kp = c->category_num_keypoints != NULL ? c->category_num_keypoints[i] : -1;
        if (n_kp < -1) {
            char path[48];
            snprintf(path, sizeof(path), "category_num_keypoints[%zu]", i);
            return col_fail(err, VERNIER_E_SCHEMA, path, (int64_t)i,
                            VERNIER_ERROR_HAS_CATEGORY_ID, c->category_ids[i],
                            "is %lld, expected a count or -1 (no keypoint names)",
                            (long long)n_kp);
        }
        ds->category_id[i] = c->category_ids[i];
        ds->category_n_kp[i] = n_kp;
        ds->category_name[i] = VN_NO_NAME;
        if (c->category_names != NULL && c->category_names[i] != NULL) {
            const char *nm = c->category_names[i];
            int rc = vn_dataset_pool_name(ds, nm, strlen(nm), &ds->category_name[i]);
            if (rc != VERNIER_OK)
                return vn_fail(err, rc, "out of memory storing category names");
        }
        ds->n_categories = i + 1;
    }
    return VERNIER_OK;
}

int vn_dataset_from_columns(vernier_dataset **out, const vernier_dataset_columns *cols,
                            const vernier_allocator *alc, vernier_error *err)
{
    static const char fn[] = "vernier_dataset_from_columns";
    vernier_dataset *ds;
    size_t a;
    int rc = VERNIER_OK;
    if (out == NULL)
        return bad_arg(err, fn, "out is NULL");
    *out = NULL;
    VN_TRY(dataset_args(cols, err));
    VN_TRY(vn_dataset_alloc(&ds, alc, fn, err));
    if ((rc = vn_dataset_grow_images(ds, cols->n_images)) != VERNIER_OK ||
        (rc = vn_dataset_grow_categories(ds, cols->n_categories)) != VERNIER_OK ||
        (rc = vn_dataset_grow_anns(ds, cols->n_annotations)) != VERNIER_OK)
        rc = no_mem(err, rc, fn);
    if (rc == VERNIER_OK)
        rc = image_rows(ds, cols, err);
    if (rc == VERNIER_OK)
        rc = category_rows(ds, cols, err);
    for (a = 0; rc == VERNIER_OK && a < cols->n_annotations; a++) {
        rc = ann_row(ds, cols, a, err);
        if (rc == VERNIER_OK)
            ds->n_anns = a + 1;
    }
    if (rc != VERNIER_OK) {
        vn_dataset_release(ds);
        return rc;
    }
    *out = ds;
    return VERNIER_OK;
}
