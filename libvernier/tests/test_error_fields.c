/* test_error_fields.c — vernier_error's entity fields (image, category,
 * annotation, result, partial, rank, the other partial of an overlap):
 * each set on a real error of its kind, with its presence bit, and every
 * other bit clear.  Ids are negative where the input allows it, since
 * presence is a bit and not a sentinel. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support.h"
#include "vernier.h"

#define IMG VERNIER_ERROR_HAS_IMAGE_ID
#define CAT VERNIER_ERROR_HAS_CATEGORY_ID
#define ANN VERNIER_ERROR_HAS_ANNOTATION_ID
#define RES VERNIER_ERROR_HAS_RESULT_INDEX
#define PART VERNIER_ERROR_HAS_PARTIAL_INDEX
#define RANK VERNIER_ERROR_HAS_RANK_ID
#define OPART VERNIER_ERROR_HAS_OTHER_PARTIAL_INDEX
#define ORANK VERNIER_ERROR_HAS_OTHER_RANK_ID

/* Two images (-1, -2), categories -10 and 5, annotations -100 and 7 (the
 * second without "iscrowd" when `broken`; with `keypoints`, category -10
 * names two keypoints and annotation -100 has only one). */
static vernier_dataset *gt_of(int broken, int keypoints)
{
    char q[1024];
    snprintf(q, sizeof(q),
             "{'images': [{'id': -1, 'width': 100, 'height': 100},"
             " {'id': -2, 'width': 100, 'height': 100}],"
             " 'categories': [{'id': -10, 'name': 'a'%s}, {'id': 5, 'name': 'b'}],"
             " 'annotations': [{'id': -100, 'image_id': -1, 'category_id': -10,"
             " 'bbox': [10, 10, 20, 20], 'area': 400, 'iscrowd': 0%s},"
             " {'id': 7, 'image_id': -2, 'category_id': 5, 'bbox': [0, 0, 50, 40],"
             " 'area': 2000%s%s}]}",
             keypoints ? ", 'keypoints': ['p', 'q']" : "",
             keypoints ? ", 'num_keypoints': 2, 'keypoints': [20, 20, 2]" : "",
             broken ? "" : ", 'iscrowd': 0",
             keypoints ? ", 'num_keypoints': 2, 'keypoints': [1, 1, 2, 3, 3, 2]" : "");
    return must_load_gt_q(q);
}

static void test_unknown_image(void)
{
    vernier_dataset *gt = gt_of(0, 0);
    vernier_results *res = must_load_res_q(
        "[{'image_id': -1, 'category_id': 5, 'bbox': [1, 1, 2, 2], 'score': 0.5},"
        " {'image_id': -77, 'category_id': 5, 'bbox': [1, 1, 2, 2], 'score': 0.5}]");
    vernier_eval *ev = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(vernier_eval_run(&ev, gt, res, NULL, NULL, &err), VERNIER_E_UNKNOWN_IMAGE);
    CHECK_INT(err.fields, IMG | RES);
    CHECK_INT(err.image_id, -77);
    CHECK_INT(err.result_index, 1);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

static void test_annotation_missing_field(void)
{
    vernier_dataset *gt = gt_of(1, 0);
    vernier_results *res = must_load_res_q("[]");
    vernier_eval *ev = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(vernier_eval_run(&ev, gt, res, NULL, NULL, &err), VERNIER_E_SCHEMA);
    CHECK_INT(err.fields, ANN);
    CHECK_INT(err.annotation_id, 7);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

static void test_result_parse_error(void)
{
    vernier_results *res = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(load_res_q("[{'image_id': 1, 'category_id': 1, 'bbox': [1, 1, 2, 2], 'score': 1},"
                         " {'image_id': 1, 'category_id': 1, 'bbox': 'x', 'score': 1}]",
                         &res, &err),
              VERNIER_E_SCHEMA);
    CHECK_INT(err.fields, RES);
    CHECK_INT(err.result_index, 1);
    CHECK_INT(err.index, 1);
}

static void test_json_error_has_no_entity(void)
{
    vernier_dataset *ds = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(vernier_dataset_load_json(&ds, "{\"images\": [", 12, NULL, &err), VERNIER_E_JSON);
    CHECK_INT(err.fields, 0);
}

static void test_sigma_category_and_keypoint_annotation(void)
{
    vernier_dataset *gt = gt_of(0, 1);
    vernier_results *res = must_load_res_q("[]");
    vernier_eval *ev = NULL;
    vernier_eval_options o;
    vernier_error err = VERNIER_ERROR_INIT;
    int64_t ids[1] = {-10};
    size_t counts[1] = {3};
    double vals[3] = {0.5, 0.5, 0.5};
    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.iou_type = VERNIER_IOU_KEYPOINTS;
    o.n_category_sigmas = 1;
    o.category_sigma_ids = ids;
    o.category_sigma_counts = counts;
    o.category_sigma_values = vals;
    CHECK_INT(vernier_eval_run(&ev, gt, res, &o, NULL, &err), VERNIER_E_INVALID_ARG);
    CHECK_INT(err.fields, CAT);
    CHECK_INT(err.category_id, -10);
    /* two sigmas fit the category; the annotation has one keypoint */
    counts[0] = 2;
    vernier_results_free(res);
    res = must_load_res_q(
        "[{'image_id': -1, 'category_id': -10, 'keypoints': [20, 20, 1, 5, 5, 1], 'score': 1}]");
    CHECK_INT(vernier_eval_run(&ev, gt, res, &o, NULL, &err), VERNIER_E_SCHEMA);
    CHECK_INT(err.fields, ANN);
    CHECK_INT(err.annotation_id, -100);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

static void test_partials(void)
{
    vernier_dataset *gt = gt_of(0, 0);
    vernier_results *r1 = must_load_res_q(
        "[{'image_id': -1, 'category_id': -10, 'bbox': [1, 1, 2, 2], 'score': 0.5}]");
    vernier_results *r2 = must_load_res_q(
        "[{'image_id': -2, 'category_id': 5, 'bbox': [1, 1, 2, 2], 'score': 0.5}]");
    void *b[3];
    size_t n[3];
    const void *blobs[3];
    vernier_eval *ev = NULL;
    vernier_eval_options o;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(vernier_partial_evaluate(&b[0], &n[0], gt, r1, NULL, 3, NULL, &err), VERNIER_OK);
    CHECK_INT(vernier_partial_evaluate(&b[1], &n[1], gt, r2, NULL, 8, NULL, &err), VERNIER_OK);
    CHECK_INT(vernier_partial_evaluate(&b[2], &n[2], gt, r1, NULL, 5, NULL, &err), VERNIER_OK);
    blobs[0] = b[0];
    blobs[1] = b[1];
    blobs[2] = b[2];
    /* overlap: image -1 in partials 0 (rank 3) and 2 (rank 5) */
    CHECK_INT(vernier_partial_merge(&ev, gt, NULL, blobs, n, 3, 0, NULL, &err),
              VERNIER_E_DUPLICATE_IMAGE);
    CHECK_INT(err.fields, IMG | PART | RANK | OPART | ORANK);
    CHECK_INT(err.image_id, -1);
    CHECK_INT(err.partial_index, 2);
    CHECK_INT(err.rank_id, 5);
    CHECK_INT(err.other_partial_index, 0);
    CHECK_INT(err.other_rank_id, 3);
    /* mismatch: partial 1 names rank 8 */
    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.parity_mode = VERNIER_PARITY_CORRECTED;
    CHECK_INT(vernier_partial_merge(&ev, gt, &o, blobs + 1, n + 1, 1, 0, NULL, &err),
              VERNIER_E_PARTIAL_MISMATCH);
    CHECK_INT(err.fields, PART | RANK);
    CHECK_INT(err.partial_index, 0);
    CHECK_INT(err.rank_id, 8);
    /* corrupt: the rank is not trusted */
    n[1] -= 1;
    CHECK_INT(vernier_partial_merge(&ev, gt, NULL, blobs, n, 2, 0, NULL, &err),
              VERNIER_E_PARTIAL_CORRUPT);
    CHECK_INT(err.fields, PART);
    CHECK_INT(err.partial_index, 1);
    n[1] += 1;
    vernier_partial_blob_free(b[0], n[0], NULL);
    vernier_partial_blob_free(b[1], n[1], NULL);
    vernier_partial_blob_free(b[2], n[2], NULL);
    vernier_results_free(r1);
    vernier_results_free(r2);
    vernier_dataset_free(gt);
}

int main(void)
{
    RUN(test_unknown_image);
    RUN(test_annotation_missing_field);
    RUN(test_result_parse_error);
    RUN(test_json_error_has_no_entity);
    RUN(test_sigma_category_and_keypoint_annotation);
    RUN(test_partials);
    return harness_report("test_error_fields");
}
