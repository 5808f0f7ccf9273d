/* test_columns.c — datasets and result lists from columns (columns.c):
 * the column path builds the state the JSON path builds for the same
 * content (equal dataset digests, equal result columns, equal
 * evaluations), in every mask form; errors name the column and the row;
 * bad arguments are refused; allocation failure at every allocation
 * leaks nothing. */
#include <stdint.h>
#include <stdlib.h>

#include "parse/coco.h"
#include "harness.h"
#include "support.h"
#include "vernier.h"

/* ---- ground truth ---------------------------------------------------------- */

/* The same ground truth as JSON and as columns: sizes absent on one
 * image, keypoint names on one category, polygons (two parts), an
 * uncompressed RLE, a compressed one, a polygon that no mask can be made
 * of (test_dataset_invalid_polygon), keypoints on one annotation only,
 * iscrowd 2, ignore. */
static const char gt_json[] =
    "{'images': [{'id': 1, 'width': 6, 'height': 5}, {'id': 7, 'width': 6, 'height': 5},"
    " {'id': 9}],"
    " 'categories': [{'id': 1, 'keypoints': ['a', 'b']}, {'id': 3}],"
    " 'annotations': ["
    "{'id': 10, 'image_id': 1, 'category_id': 1, 'bbox': [0.5, 1, 2, 3], 'area': 6,"
    " 'iscrowd': 0, 'ignore': 0, 'num_keypoints': 1,"
    " 'segmentation': [[1, 1, 3, 1, 3, 3], [0, 0, 1, 0, 1, 1.5]], 'keypoints': [1, 2, 2, 3, 4, 0]},"
    " {'id': 11, 'image_id': 1, 'category_id': 3, 'bbox': [0, 0, 6, 5], 'area': 30,"
    " 'iscrowd': 2, 'ignore': 1, 'num_keypoints': 0,"
    " 'segmentation': {'size': [5, 6], 'counts': [3, 4, 23]}},"
    " {'id': 12, 'image_id': 7, 'category_id': 1, 'bbox': [1, 1, 1, 1], 'area': 1,"
    " 'iscrowd': 1, 'ignore': 0, 'num_keypoints': 0,"
    " 'segmentation': {'size': [5, 6], 'counts': '72e0'}},"
    " {'id': 13, 'image_id': 7, 'category_id': 3, 'bbox': [2, 2, 1, 1], 'area': 2,"
    " 'iscrowd': 0, 'ignore': 0, 'num_keypoints': 0, 'segmentation': [[2, 2, 3, 2, 3, 3]]}"
    "]}";

static const int64_t img_ids[] = {1, 7, 9}, img_w[] = {6, 6, -1}, img_h[] = {5, 5, -1};
static const int64_t cat_ids[] = {1, 3}, cat_kp[] = {2, -1};
static const int64_t ann_ids[] = {10, 11, 12, 13}, ann_img[] = {1, 1, 7, 7},
                     ann_cat[] = {1, 3, 1, 3}, ann_nkp[] = {1, 0, 0, 0};
static const double ann_box[] = {0.5, 1, 2, 3, 0, 0, 6, 5, 1, 1, 1, 1, 2, 2, 1, 1};
static const double ann_area[] = {6, 30, 1, 2};
static const uint8_t ann_crowd[] = {0, 2, 1, 0}, ann_ignore[] = {0, 7, 0, 0};
static const uint8_t seg_kinds[] = {VERNIER_SEGMENTATION_POLYGONS, VERNIER_SEGMENTATION_COUNTS,
                                    VERNIER_SEGMENTATION_STRING, VERNIER_SEGMENTATION_POLYGONS};
static const uint64_t seg_spans[] = {0, 2, 0, 3, 0, 4, 2, 1};
static const uint32_t seg_sizes[] = {0, 0, 5, 6, 5, 6, 0, 0};
static const uint64_t poly_spans[] = {0, 6, 6, 6, 12, 6};
static const double poly_coords[] = {1, 1, 3, 1, 3, 3, 0, 0, 1, 0, 1, 1.5, 2, 2, 3, 2, 3, 3};
static const uint32_t rle_counts[] = {3, 4, 23};
static const char rle_chars[] = "72e0";
static const uint64_t kp_offsets[] = {0, 6, 6, 6, 6};
static const double kp_vals[] = {1, 2, 2, 3, 4, 0};

static vernier_dataset_columns gt_columns(void)
{
    vernier_dataset_columns c = VERNIER_DATASET_COLUMNS_INIT;
    c.n_images = 3;
    c.image_ids = img_ids;
    c.image_widths = img_w;
    c.image_heights = img_h;
    c.n_categories = 2;
    c.category_ids = cat_ids;
    c.category_num_keypoints = cat_kp;
    c.n_annotations = 4;
    c.annotation_ids = ann_ids;
    c.annotation_image_ids = ann_img;
    c.annotation_category_ids = ann_cat;
    c.boxes = ann_box;
    c.areas = ann_area;
    c.iscrowd = ann_crowd;
    c.ignore = ann_ignore;
    c.num_keypoints = ann_nkp;
    c.segmentation_kinds = seg_kinds;
    c.segmentation_spans = seg_spans;
    c.segmentation_sizes = seg_sizes;
    c.n_polygons = 3;
    c.polygon_spans = poly_spans;
    c.n_polygon_coords = 18;
    c.polygon_coords = poly_coords;
    c.n_rle_counts = 3;
    c.rle_counts = rle_counts;
    c.n_rle_chars = 4;
    c.rle_chars = rle_chars;
    c.keypoint_offsets = kp_offsets;
    c.keypoints = kp_vals;
    return c;
}

static void check_same_dataset(const vernier_dataset *a, const vernier_dataset *b)
{
    uint8_t da[VERNIER_DIGEST_SIZE], db[VERNIER_DIGEST_SIZE];
    size_t i;
    CHECK_INT(vernier_dataset_digest(a, da), VERNIER_OK);
    CHECK_INT(vernier_dataset_digest(b, db), VERNIER_OK);
    CHECK(memcmp(da, db, sizeof(da)) == 0);
    CHECK_INT(a->n_anns, b->n_anns);
    for (i = 0; i < a->n_anns && i < b->n_anns; i++) {
        CHECK_INT(a->ann_flags[i], b->ann_flags[i]);
        CHECK_INT(a->segs.seg[i].kind, b->segs.seg[i].kind);
        CHECK_INT(a->kps.item[i].len, b->kps.item[i].len);
    }
}

static void test_dataset_same_state(void)
{
    vernier_dataset *json = must_load_gt_q(gt_json), *cols = NULL;
    vernier_dataset_columns c = gt_columns();
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(vernier_dataset_from_columns(&cols, &c, NULL, &err), VERNIER_OK);
    CHECK(cols != NULL);
    if (cols != NULL) {
        check_same_dataset(json, cols);
        CHECK_INT(cols->segs.seg[3].kind, VN_SEG_POLY);
        CHECK_INT(cols->segs.seg[1].kind, VN_SEG_COUNTS);
        CHECK_INT(cols->segs.seg[2].kind, VN_SEG_STRING);
        CHECK_INT(cols->ann_ignore[1], 1);
        CHECK_INT(cols->ann_offset[0], UINT64_MAX);
    }
    vernier_dataset_free(cols);
    vernier_dataset_free(json);
}

/* A non-finite polygon coordinate: the JSON loader's overflowing number
 * (1e999) and a column's inf both make a segmentation no mask is made of. */
static void test_dataset_invalid_polygon(void)
{
    static const double coords[] = {1, 1, 3, 1, 3, 1.0 / 0.0};
    static const uint64_t spans1[] = {0, 1}, pspan[] = {0, 6};
    static const uint8_t kinds1[] = {VERNIER_SEGMENTATION_POLYGONS};
    vernier_dataset *json = NULL, *cols = NULL;
    vernier_dataset_columns c = VERNIER_DATASET_COLUMNS_INIT;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(load_gt_q("{'images': [{'id': 1}], 'categories': [{'id': 1}], 'annotations':"
                        " [{'id': 1, 'image_id': 1, 'category_id': 1,"
                        " 'segmentation': [[1, 1, 3, 1, 3, 1e999]]}]}",
                        &json, &err),
              VERNIER_OK);
    c.n_images = 1;
    c.image_ids = img_ids;
    c.n_categories = 1;
    c.category_ids = cat_ids;
    c.n_annotations = 1;
    c.annotation_ids = img_ids;
    c.annotation_image_ids = img_ids;
    c.annotation_category_ids = cat_ids;
    c.segmentation_kinds = kinds1;
    c.segmentation_spans = spans1;
    c.n_polygons = 1;
    c.polygon_spans = pspan;
    c.n_polygon_coords = 6;
    c.polygon_coords = coords;
    CHECK_INT(vernier_dataset_from_columns(&cols, &c, NULL, &err), VERNIER_OK);
    if (json != NULL && cols != NULL) {
        check_same_dataset(json, cols);
        CHECK_INT(cols->segs.seg[0].kind, VN_SEG_INVALID);
    }
    vernier_dataset_free(cols);
    vernier_dataset_free(json);
}

static void check_col_error(int rc, const vernier_error *err, int code, const char *path,
                            int64_t index, const char *msg)
{
    CHECK_INT(rc, code);
    CHECK_INT(err->code, code);
    CHECK_STR(err->path, path);
    CHECK_INT(err->index, index);
    CHECK_INT(err->offset, -1);
    CHECK_INT(err->line, -1);
    CHECK_STR(err->message, msg);
}

static void test_dataset_errors(void)
{
    vernier_dataset *ds = (vernier_dataset *)&ds;
    vernier_error err = VERNIER_ERROR_INIT;
    vernier_dataset_columns c = gt_columns();
    double box[16];
    int64_t w[3] = {6, -3, 6};
    uint64_t bad_span[8];
    int rc;

    memcpy(box, ann_box, sizeof(box));
    box[9] = 0.0 / 0.0;
    c.boxes = box;
    rc = vernier_dataset_from_columns(&ds, &c, NULL, &err);
    CHECK(ds == NULL);
    check_col_error(rc, &err, VERNIER_E_SCHEMA, "boxes[2][1]", 2, "boxes[2][1] is NaN");
    CHECK(err.fields & VERNIER_ERROR_HAS_ANNOTATION_ID);
    CHECK_INT(err.annotation_id, 12);
    CHECK_STR(err.message + err.reason_offset, "is NaN");

    c = gt_columns();
    c.image_widths = w;
    rc = vernier_dataset_from_columns(&ds, &c, NULL, &err);
    check_col_error(rc, &err, VERNIER_E_SCHEMA, "image_widths[1]", 1,
                    "image_widths[1] is -3, expected a non-negative integer (or -1: absent)");
    CHECK(err.fields & VERNIER_ERROR_HAS_IMAGE_ID);
    CHECK_INT(err.image_id, 7);

    c = gt_columns();
    memcpy(bad_span, seg_spans, sizeof(bad_span));
    bad_span[5] = 5; /* 5 chars from 0: the pool has 4 */
    c.segmentation_spans = bad_span;
    rc = vernier_dataset_from_columns(&ds, &c, NULL, &err);
    CHECK_INT(rc, VERNIER_E_INVALID_ARG);
    CHECK_STR(err.message, "vernier_dataset_from_columns: segmentation_spans[2] (0, 5) lies "
                           "outside rle_chars (4 elements)");

    c = gt_columns();
    c.annotation_ids = NULL;
    CHECK_INT(vernier_dataset_from_columns(&ds, &c, NULL, &err), VERNIER_E_INVALID_ARG);
    c = gt_columns();
    c.size = 8;
    CHECK_INT(vernier_dataset_from_columns(&ds, &c, NULL, &err), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_dataset_from_columns(&ds, NULL, NULL, &err), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_dataset_from_columns(NULL, &c, NULL, &err), VERNIER_E_INVALID_ARG);
    CHECK(ds == NULL);
}

/* ---- results --------------------------------------------------------------- */

static const int64_t r_img[] = {1, 1, 7}, r_cat[] = {1, 3, 1};
static const double r_score[] = {0.9, 0.25, 0.5};
static const double r_box[] = {0.5, 1, 2, 3, 0, 0.25, 4, 2, 1, 1, 2, 2};

static void check_same_results(const vernier_results *a, const vernier_results *b)
{
    size_t i, j;
    CHECK_INT(a->kind, b->kind);
    CHECK_INT(a->n, b->n);
    for (i = 0; i < a->n && i < b->n; i++) {
        const vn_seg *sa = &a->segs.seg[i], *sb = &b->segs.seg[i];
        CHECK_INT(a->image_id[i], b->image_id[i]);
        CHECK_INT(a->category_id[i], b->category_id[i]);
        CHECK_DBL(a->score[i], b->score[i]);
        CHECK_DBL(a->area[i], b->area[i]);
        for (j = 0; j < 4; j++)
            CHECK_DBL(a->bbox[4 * i + j], b->bbox[4 * i + j]);
        CHECK_INT(sa->kind, sb->kind);
        CHECK_INT(sa->h, sb->h);
        CHECK_INT(sa->w, sb->w);
        CHECK_INT(sa->len, sb->len);
        if (sa->kind == VN_SEG_STRING && sb->kind == VN_SEG_STRING && sa->len == sb->len)
            CHECK(memcmp(a->segs.chars + sa->off, b->segs.chars + sb->off, sa->len) == 0);
        CHECK_INT(a->kps.item[i].len, b->kps.item[i].len);
        for (j = 0; j < a->kps.item[i].len && j < b->kps.item[i].len; j++)
            CHECK_DBL(a->kps.vals[a->kps.item[i].off + j], b->kps.vals[b->kps.item[i].off + j]);
    }
}

/* Evaluates both against the same ground truth: equal statistics. */
static void check_same_eval(const vernier_results *a, const vernier_results *b, int iou)
{
    vernier_dataset *gt = must_load_gt_q(gt_json);
    vernier_eval_options o;
    vernier_eval *ea = NULL, *eb = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    double sa[32], sb[32];
    size_t n, i;
    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.iou_type = iou;
    CHECK_INT(vernier_eval_run(&ea, gt, a, &o, NULL, &err), VERNIER_OK);
    if (err.code != 0)
        fprintf(stderr, "  eval: %s\n", err.message);
    CHECK_INT(vernier_eval_run(&eb, gt, b, &o, NULL, &err), VERNIER_OK);
    n = vernier_eval_num_stats(ea);
    CHECK(n > 0 && n <= 32);
    CHECK_INT(vernier_eval_num_stats(eb), n);
    if (ea != NULL && eb != NULL && n <= 32) {
        vernier_eval_copy_stats(ea, sa, n);
        vernier_eval_copy_stats(eb, sb, n);
        for (i = 0; i < n; i++)
            CHECK_DBL(sa[i], sb[i]);
    }
    vernier_eval_free(ea);
    vernier_eval_free(eb);
    vernier_dataset_free(gt);
}

static vernier_results_columns res_columns(int kind)
{
    vernier_results_columns c = VERNIER_RESULTS_COLUMNS_INIT;
    c.kind = kind;
    c.n = 3;
    c.image_ids = r_img;
    c.category_ids = r_cat;
    c.scores = r_score;
    return c;
}

static void test_results_bbox(void)
{
    vernier_results *json = must_load_res_q(
        "[{'image_id': 1, 'category_id': 1, 'bbox': [0.5, 1, 2, 3], 'score': 0.9},"
        " {'image_id': 1, 'category_id': 3, 'bbox': [0, 0.25, 4, 2], 'score': 0.25,"
        "  'keypoints': [1, 2]},"
        " {'image_id': 7, 'category_id': 1, 'bbox': [1, 1, 2, 2], 'score': 0.5}]");
    static const uint64_t kpo[] = {0, 0, 2, 2};
    static const double kpv[] = {1, 2};
    vernier_results *cols = NULL;
    vernier_results_columns c = res_columns(VERNIER_RESULTS_BBOX);
    vernier_error err = VERNIER_ERROR_INIT;
    c.boxes = r_box;
    c.keypoint_offsets = kpo;
    c.keypoints = kpv;
    CHECK_INT(vernier_results_from_columns(&cols, &c, NULL, &err), VERNIER_OK);
    if (cols != NULL) {
        check_same_results(json, cols);
        check_same_eval(json, cols, VERNIER_IOU_BBOX);
        CHECK_INT(cols->offset[0], UINT64_MAX);
    }
    vernier_results_free(cols);
    vernier_results_free(json);
}

/* Three masks 5 x 6 (row-major here); the JSON gets their compressed
 * strings from vernier_mask_encode_string (column-major input). */
static const uint8_t dense[3][5][6] = {
    {{0, 1, 1, 0, 0, 0}, {0, 1, 1, 1, 0, 0}, {0, 0, 1, 1, 0, 0}, {0, 0, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 1}},
    {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}},
    {{0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}}};

static void test_results_segm_forms(void)
{
    char strings[3][64], doc[1024], pool[192];
    uint32_t counts[3][31], all_counts[93], sizes[6];
    size_t lens[3], ncounts[3], k, off = 0, coff = 0;
    uint64_t soffs[4], coffs[4];
    vernier_results *json = NULL, *from[4] = {NULL, NULL, NULL, NULL};
    static const uint64_t doffs[4] = {0, 30, 60, 90};
    vernier_error err = VERNIER_ERROR_INIT;
    int pos = 0, f;
    for (k = 0; k < 3; k++) {
        uint8_t colmajor[30];
        size_t y, x;
        for (x = 0; x < 6; x++)
            for (y = 0; y < 5; y++)
                colmajor[x * 5 + y] = dense[k][y][x];
        CHECK_INT(vernier_mask_encode_string(strings[k], 63, &lens[k], colmajor, 5, 6, NULL, &err),
                  VERNIER_OK);
        CHECK_INT(vernier_mask_encode(counts[k], 31, &ncounts[k], colmajor, 5, 6),
                  VERNIER_OK);
        memcpy(pool + off, strings[k], lens[k]);
        memcpy(all_counts + coff, counts[k], ncounts[k] * sizeof(uint32_t));
        soffs[k] = off;
        coffs[k] = coff;
        off += lens[k];
        coff += ncounts[k];
        sizes[2 * k] = 5;
        sizes[2 * k + 1] = 6;
    }
    soffs[3] = off;
    coffs[3] = coff;
    pos += snprintf(doc + pos, sizeof(doc) - (size_t)pos, "[");
    for (k = 0; k < 3; k++) {
        char esc[128];
        size_t e = 0, q;
        for (q = 0; q < lens[k]; q++) {
            if (strings[k][q] == '\\' || strings[k][q] == '"')
                esc[e++] = '\\';
            esc[e++] = strings[k][q];
        }
        esc[e] = '\0';
        pos += snprintf(doc + pos, sizeof(doc) - (size_t)pos,
                        "%s{\"image_id\": %lld, \"category_id\": %lld, \"score\": %.17g,"
                        " \"segmentation\": {\"size\": [5, 6], \"counts\": \"%s\"}%s}",
                        k ? ", " : "", (long long)r_img[k], (long long)r_cat[k], r_score[k], esc,
                        k == 1 ? ", \"bbox\": [0, 0.25, 4, 2]" : "");
    }
    snprintf(doc + pos, sizeof(doc) - (size_t)pos, "]");
    CHECK_INT(vernier_results_load_json(&json, doc, strlen(doc), NULL, &err), VERNIER_OK);
    for (f = 0; f < 4; f++) {
        vernier_results_columns c = res_columns(VERNIER_RESULTS_SEGM);
        double boxes[12];
        /* a given box on row 1 only: NaN elsewhere would be refused, so
         * give every row and compare against a JSON where row 1 has one */
        (void)boxes;
        if (f == 0) {
            c.mask_sizes = sizes;
            c.mask_offsets = soffs;
            c.mask_strings = pool;
        } else if (f == 1) {
            c.mask_sizes = sizes;
            c.mask_offsets = coffs;
            c.mask_counts = all_counts;
        } else if (f == 2) {
            c.masks = &dense[0][0][0];
            c.mask_height = 5;
            c.mask_width = 6;
        } else { /* sizes per row */
            c.masks = &dense[0][0][0];
            c.mask_sizes = sizes;
            c.mask_offsets = doffs;
        }
        CHECK_INT(vernier_results_from_columns(&from[f], &c, NULL, &err), VERNIER_OK);
        if (from[f] != NULL && json != NULL) {
            size_t j;
            /* JSON row 1 has a given box; the columns take every mask's */
            CHECK_DBL(json->bbox[4 + 2], 4.0);
            for (j = 0; j < 3; j++)
                CHECK_DBL(from[f]->area[j], json->area[j]);
            CHECK_INT(from[f]->segs.seg[1].len, json->segs.seg[1].len);
        }
    }
    /* the three forms agree with each other entirely */
    if (from[0] != NULL && from[1] != NULL && from[2] != NULL && from[3] != NULL) {
        check_same_results(from[0], from[1]);
        check_same_results(from[0], from[2]);
        check_same_results(from[0], from[3]);
    }
    /* and with JSON when its row 1 box is the mask's */
    {
        vernier_results *json2 = NULL;
        char *p = strstr(doc, ", \"bbox\": [0, 0.25, 4, 2]");
        if (p != NULL)
            memmove(p, p + strlen(", \"bbox\": [0, 0.25, 4, 2]"),
                    strlen(p + strlen(", \"bbox\": [0, 0.25, 4, 2]")) + 1);
        CHECK_INT(vernier_results_load_json(&json2, doc, strlen(doc), NULL, &err), VERNIER_OK);
        if (json2 != NULL && from[2] != NULL) {
            check_same_results(json2, from[2]);
            check_same_eval(json2, from[2], VERNIER_IOU_SEGM);
        }
        vernier_results_free(json2);
    }
    /* boxes given on the columns are kept, as a JSON "bbox" is */
    {
        vernier_results_columns c = res_columns(VERNIER_RESULTS_SEGM);
        vernier_results *withbox = NULL;
        c.masks = &dense[0][0][0];
        c.mask_height = 5;
        c.mask_width = 6;
        c.boxes = r_box;
        CHECK_INT(vernier_results_from_columns(&withbox, &c, NULL, &err), VERNIER_OK);
        if (withbox != NULL) {
            CHECK_DBL(withbox->bbox[4 + 2], 4.0);
            CHECK_DBL(withbox->area[1], json->area[1]);
        }
        vernier_results_free(withbox);
    }
    for (f = 0; f < 4; f++)
        vernier_results_free(from[f]);
    vernier_results_free(json);
}

static void test_results_keypoints(void)
{
    vernier_results *json = must_load_res_q(
        "[{'image_id': 1, 'category_id': 1, 'keypoints': [1, 2, 2, 3, 4.5, 0], 'score': 0.9},"
        " {'image_id': 1, 'category_id': 3, 'keypoints': [0, 0, 1], 'score': 0.25},"
        " {'image_id': 7, 'category_id': 1, 'keypoints': [2, 1, 1, 1, 2, 1], 'score': 0.5}]");
    static const uint64_t kpo[] = {0, 6, 9, 15};
    static const double kpv[] = {1, 2, 2, 3, 4.5, 0, 0, 0, 1, 2, 1, 1, 1, 2, 1};
    vernier_results *cols = NULL;
    vernier_results_columns c = res_columns(VERNIER_RESULTS_KEYPOINTS);
    vernier_error err = VERNIER_ERROR_INIT;
    c.keypoint_offsets = kpo;
    c.keypoints = kpv;
    c.boxes = r_box; /* ignored, as loadRes overwrites a keypoint result's */
    CHECK_INT(vernier_results_from_columns(&cols, &c, NULL, &err), VERNIER_OK);
    if (cols != NULL)
        check_same_results(json, cols);
    vernier_results_free(cols);
    vernier_results_free(json);
}

static void test_results_errors(void)
{
    vernier_results *res = (vernier_results *)&res;
    vernier_error err = VERNIER_ERROR_INIT;
    vernier_results_columns c = res_columns(VERNIER_RESULTS_BBOX);
    double scores[3] = {0.5, 0.25, 0.0 / 0.0}, boxes[12];
    static const uint64_t kpo[] = {0, 3, 7, 10};
    static const double kpv[10] = {0};
    uint8_t m[3][5][6];
    int rc;
    c.boxes = r_box;
    c.scores = scores;
    rc = vernier_results_from_columns(&res, &c, NULL, &err);
    CHECK(res == NULL);
    check_col_error(rc, &err, VERNIER_E_SCHEMA, "scores[2]", 2, "scores[2] is NaN");
    CHECK(err.fields & VERNIER_ERROR_HAS_RESULT_INDEX);
    CHECK_INT(err.result_index, 2);

    c = res_columns(VERNIER_RESULTS_BBOX);
    memcpy(boxes, r_box, sizeof(boxes));
    boxes[7] = -1.0 / 0.0;
    c.boxes = boxes;
    rc = vernier_results_from_columns(&res, &c, NULL, &err);
    check_col_error(rc, &err, VERNIER_E_SCHEMA, "boxes[1][3]", 1, "boxes[1][3] is -inf");

    c = res_columns(VERNIER_RESULTS_KEYPOINTS);
    c.keypoint_offsets = kpo;
    c.keypoints = kpv;
    rc = vernier_results_from_columns(&res, &c, NULL, &err);
    check_col_error(rc, &err, VERNIER_E_SCHEMA, "keypoints[1]", 1,
                    "keypoints[1] expected a non-empty list of x, y, v triplets, got 4 numbers");

    c = res_columns(VERNIER_RESULTS_SEGM);
    memcpy(m, dense, sizeof(m));
    m[1][3][4] = 2;
    c.masks = &m[0][0][0];
    c.mask_height = 5;
    c.mask_width = 6;
    rc = vernier_results_from_columns(&res, &c, NULL, &err);
    check_col_error(rc, &err, VERNIER_E_SCHEMA, "masks[1]", 1,
                    "masks[1] holds 2 at row 3, column 4 (a mask's values are 0 and 1)");

    {
        static const uint32_t sz[] = {5, 6, 5, 6, 5, 6}, cnt[] = {30, 3, 27, 29};
        static const uint64_t co[] = {0, 1, 3, 4};
        c = res_columns(VERNIER_RESULTS_SEGM);
        c.mask_sizes = sz;
        c.mask_offsets = co;
        c.mask_counts = cnt;
        rc = vernier_results_from_columns(&res, &c, NULL, &err);
        CHECK_INT(rc, VERNIER_E_RLE);
        CHECK_STR(err.path, "masks[2]");
        CHECK_INT(err.result_index, 2);
        CHECK(strncmp(err.message, "masks[2] is not a valid RLE: ", 29) == 0);
    }

    c = res_columns(VERNIER_RESULTS_BBOX);
    CHECK_INT(vernier_results_from_columns(&res, &c, NULL, &err), VERNIER_E_INVALID_ARG);
    CHECK_STR(err.message, "vernier_results_from_columns: boxes are required for BBOX results");
    c = res_columns(VERNIER_RESULTS_SEGM);
    CHECK_INT(vernier_results_from_columns(&res, &c, NULL, &err), VERNIER_E_INVALID_ARG);
    c.kind = 9;
    CHECK_INT(vernier_results_from_columns(&res, &c, NULL, &err), VERNIER_E_INVALID_ARG);
    {
        static const uint64_t back[] = {0, 3, 2, 4};
        c = res_columns(VERNIER_RESULTS_KEYPOINTS);
        c.keypoint_offsets = back;
        c.keypoints = kpv;
        CHECK_INT(vernier_results_from_columns(&res, &c, NULL, &err), VERNIER_E_INVALID_ARG);
        CHECK_STR(err.message, "vernier_results_from_columns: keypoint_offsets[1] > "
                               "keypoint_offsets[2] (offsets must not decrease)");
    }
    c = res_columns(VERNIER_RESULTS_EMPTY);
    c.n = 0;
    CHECK_INT(vernier_results_from_columns(&res, &c, NULL, &err), VERNIER_OK);
    CHECK_INT(vernier_results_get_kind(res), VERNIER_RESULTS_EMPTY);
    CHECK_INT(vernier_results_num_detections(res), 0);
    vernier_results_free(res);
}

/* ---- allocation failure ------------------------------------------------------ */

static void test_out_of_memory(void)
{
    long n;
    int which;
    for (which = 0; which < 2; which++) {
        for (n = 1;; n++) {
            fail_alloc fa;
            vernier_allocator a;
            vernier_error err = VERNIER_ERROR_INIT;
            void *out = &out;
            int rc;
            fail_alloc_init(&fa, n, FAIL_ONLY);
            a = fail_alloc_allocator(&fa);
            if (which == 0) {
                vernier_dataset_columns c = gt_columns();
                rc = vernier_dataset_from_columns((vernier_dataset **)&out, &c, &a, &err);
            } else {
                vernier_results_columns c = res_columns(VERNIER_RESULTS_SEGM);
                c.masks = &dense[0][0][0];
                c.mask_height = 5;
                c.mask_width = 6;
                rc = vernier_results_from_columns((vernier_results **)&out, &c, &a, &err);
            }
            if (rc == VERNIER_OK) {
                CHECK(n > 3);
                if (which == 0) {
                    CHECK_INT(fa.bytes, vernier_dataset_sizeof(out));
                    vernier_dataset_free(out);
                } else {
                    vernier_results_free(out);
                }
                CHECK(fail_alloc_clean(&fa));
                break;
            }
            CHECK_INT(rc, VERNIER_E_NOMEM);
            CHECK(out == NULL);
            CHECK(fail_alloc_clean(&fa));
            if (n > 1000)
                break;
        }
    }
}

int main(void)
{
    RUN(test_dataset_same_state);
    RUN(test_dataset_invalid_polygon);
    RUN(test_dataset_errors);
    RUN(test_results_bbox);
    RUN(test_results_segm_forms);
    RUN(test_results_keypoints);
    RUN(test_results_errors);
    RUN(test_out_of_memory);
    return harness_report("test_columns");
}
