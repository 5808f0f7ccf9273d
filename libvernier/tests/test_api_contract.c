/* test_api_contract.c — the public header's uniform rules:
 *   - NULL handles: count/scalar getters return 0, pointer getters NULL,
 *     copy/fill functions VERNIER_E_INVALID_ARG (and write nothing);
 *   - sized output structs: the library writes no byte past the caller's
 *     `size`, keeps `size`, and treats a too-small error struct as NULL;
 *   - vernier_eval_stat_info: the facts of each summary statistic, as
 *     pycocotools 2.0.11's _summarizeDets defines them (written out here),
 *     and their names;
 *   - the tables (per class, per image, per detection, per ground truth)
 *     on a case worked out by hand, and their size and state rules. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support.h"
#include "vernier.h"

static void test_null_getters(void)
{
    vernier_memory_usage mu = VERNIER_MEMORY_USAGE_INIT;
    vernier_partial_info pi = VERNIER_PARTIAL_INFO_INIT;
    vernier_stat_info si = VERNIER_STAT_INFO_INIT;
    size_t t = 7;
    double d[1] = {0};
    char line[96];
    /* counts and scalars: 0 */
    CHECK_INT(vernier_dataset_num_images(NULL), 0);
    CHECK_INT(vernier_dataset_num_annotations(NULL), 0);
    CHECK_INT(vernier_dataset_num_categories(NULL), 0);
    CHECK_INT(vernier_dataset_sizeof(NULL), 0);
    CHECK_INT(vernier_dataset_cache_len(NULL, VERNIER_CACHE_MASKS), 0);
    CHECK_INT(vernier_results_num_detections(NULL), 0);
    CHECK_INT(vernier_results_get_kind(NULL), VERNIER_RESULTS_EMPTY);
    CHECK_INT(vernier_eval_num_stats(NULL), 0);
    CHECK_INT(vernier_session_images_seen(NULL), 0);
    CHECK_INT(vernier_session_detections_seen(NULL), 0);
    CHECK_INT(vernier_session_num_images(NULL), 0);
    CHECK_INT(vernier_worker_images_seen(NULL), 0);
    CHECK_INT(vernier_worker_detections_seen(NULL), 0);
    CHECK_INT(vernier_worker_queue_depth(NULL), 0);
    CHECK_INT(vernier_worker_memory_used(NULL), 0);
    CHECK_INT(vernier_worker_queue_capacity(NULL), 0);
    /* pointers: NULL */
    CHECK(vernier_eval_iou_thresholds(NULL) == NULL);
    CHECK(vernier_eval_recall_thresholds(NULL) == NULL);
    CHECK(vernier_eval_category_ids(NULL) == NULL);
    CHECK(vernier_eval_max_dets(NULL) == NULL);
    CHECK(vernier_eval_area_ranges(NULL) == NULL);
    CHECK(vernier_eval_area_label(NULL, 0) == NULL);
    CHECK(vernier_worker_session(NULL) == NULL);
    CHECK(vernier_dataset_category_name(NULL, 0) == NULL);
    CHECK_INT(vernier_dataset_category_id(NULL, 0), 0);
    /* copy / fill: INVALID_ARG, nothing written */
    CHECK_INT(vernier_eval_dims(NULL, &t, NULL, NULL, NULL, NULL), VERNIER_E_INVALID_ARG);
    CHECK_INT(t, 7);
    CHECK_INT(vernier_eval_copy_precision(NULL, d, 1), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_copy_recall(NULL, d, 1), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_copy_scores(NULL, d, 1), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_copy_stats(NULL, d, 1), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_summary_line(NULL, 0, line, sizeof(line)), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_stat_info(NULL, 0, &si), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_records_dims(NULL, NULL, NULL, NULL, NULL), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_copy_records(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
              VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_session_memory(NULL, &mu), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_session_image_table(NULL, NULL, NULL, NULL, NULL, NULL, 0),
              VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_worker_memory(NULL, &mu), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_worker_error_memory(NULL, &mu), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_partial_get_info(NULL, &pi), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_dataset_digest(NULL, NULL), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_dataset_clear_cache(NULL), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_copy_class_stats(NULL, d, 0), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_copy_class_counts(NULL, NULL, NULL, 0), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_image_table(NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0),
              VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_table_sizes(NULL, &t, NULL, NULL), VERNIER_E_INVALID_ARG);
    CHECK_INT(t, 7);
    CHECK_INT(vernier_eval_detection_table(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                           0),
              VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_gt_table(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0),
              VERNIER_E_INVALID_ARG);
    CHECK_INT(mu.used, 0);
    CHECK_INT(pi.format_version, 0);
}

static const char *GT = "{'images': [{'id': 1, 'width': 100, 'height': 100}],"
                        " 'categories': [{'id': 1, 'name': 'a'}],"
                        " 'annotations': [{'id': 1, 'image_id': 1, 'category_id': 1,"
                        " 'bbox': [10, 10, 20, 20], 'area': 400, 'iscrowd': 0}]}";
static const char *DT = "[{'image_id': 1, 'category_id': 1, 'bbox': [10, 10, 20, 20],"
                        " 'score': 0.9}]";

/* An error struct of the first version's size gets the location fields
 * and the message, and not one byte of the entity fields after it; one
 * smaller than that is treated as NULL. */
static void test_error_size(void)
{
    vernier_dataset *gt = must_load_gt_q(GT);
    vernier_results *res = must_load_res_q(
        "[{'image_id': 9, 'category_id': 1, 'bbox': [1, 1, 2, 2], 'score': 0.5}]");
    vernier_eval *ev = NULL;
    unsigned char raw[sizeof(vernier_error)];
    vernier_error *e = (vernier_error *)(void *)raw;
    size_t i, cut = VERNIER_ERROR_MIN_SIZE;
    memset(raw, 0xAB, sizeof(raw));
    e->size = cut;
    CHECK_INT(vernier_eval_run(&ev, gt, res, NULL, NULL, e), VERNIER_E_UNKNOWN_IMAGE);
    CHECK_INT(e->size, cut);
    CHECK_INT(e->code, VERNIER_E_UNKNOWN_IMAGE);
    CHECK_INT(e->index, 0);
    CHECK(strstr(e->message, "image id 9") != NULL);
    for (i = cut; i < sizeof(raw); i++)
        if (raw[i] != 0xAB)
            break;
    CHECK_INT(i, sizeof(raw));
    /* too small: nothing written at all */
    memset(raw, 0xAB, sizeof(raw));
    e->size = cut - 1;
    CHECK_INT(vernier_eval_run(&ev, gt, res, NULL, NULL, e), VERNIER_E_UNKNOWN_IMAGE);
    CHECK_INT(e->size, cut - 1);
    for (i = sizeof(e->size); i < sizeof(raw); i++)
        if (raw[i] != 0xAB)
            break;
    CHECK_INT(i, sizeof(raw));
    /* the JSON reader's errors follow the same rule */
    {
        vernier_dataset *bad = NULL;
        memset(raw, 0xAB, sizeof(raw));
        e->size = 0;
        CHECK_INT(vernier_dataset_load_json(&bad, "{\"images\": [", 12, NULL, e),
                  VERNIER_E_JSON);
        CHECK_INT(e->size, 0);
        for (i = sizeof(e->size); i < sizeof(raw); i++)
            if (raw[i] != 0xAB)
                break;
        CHECK_INT(i, sizeof(raw));
        memset(raw, 0xAB, sizeof(raw));
        e->size = cut;
        CHECK_INT(vernier_dataset_load_json(&bad, "{\"images\": [", 12, NULL, e),
                  VERNIER_E_JSON);
        CHECK_INT(e->line, 1);
        CHECK(e->message[0] != '\0');
        for (i = cut; i < sizeof(raw); i++)
            if (raw[i] != 0xAB)
                break;
        CHECK_INT(i, sizeof(raw));
    }
    /* full size: the entity fields too */
    {
        vernier_error full = VERNIER_ERROR_INIT;
        CHECK_INT(vernier_eval_run(&ev, gt, res, NULL, NULL, &full), VERNIER_E_UNKNOWN_IMAGE);
        CHECK_INT(full.size, sizeof(vernier_error));
        CHECK_INT(full.fields, VERNIER_ERROR_HAS_IMAGE_ID | VERNIER_ERROR_HAS_RESULT_INDEX);
        CHECK_INT(full.image_id, 9);
    }
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

/* A smaller memory-usage / partial-info / stat-info struct gets its prefix. */
static void test_sized_outputs(void)
{
    vernier_dataset *gt = must_load_gt_q(GT);
    vernier_results *res = must_load_res_q(DT);
    vernier_session *s = NULL;
    vernier_partial *p = NULL;
    vernier_eval *ev = NULL;
    void *blob = NULL;
    size_t n = 0, i, cut;
    unsigned char raw[256];
    vernier_memory_usage full = VERNIER_MEMORY_USAGE_INIT, *mu;
    vernier_partial_info info = VERNIER_PARTIAL_INFO_INIT, *pi;
    vernier_stat_info si = VERNIER_STAT_INFO_INIT, *sp;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK(sizeof(raw) >= sizeof(vernier_partial_info));
    CHECK_INT(vernier_session_new(&s, gt, NULL, NULL, 0, &err), VERNIER_OK);
    CHECK_INT(vernier_session_add(s, res, &err), VERNIER_OK);
    CHECK_INT(vernier_session_memory(s, &full), VERNIER_OK);
    CHECK_INT(full.size, sizeof(full));
    CHECK(full.used > 0 && full.used == full.index + full.records + full.scores + full.outcomes);
    /* two fields: size and used */
    mu = (vernier_memory_usage *)(void *)raw;
    memset(raw, 0xAB, sizeof(raw));
    cut = offsetof(vernier_memory_usage, budget);
    mu->size = cut;
    CHECK_INT(vernier_session_memory(s, mu), VERNIER_OK);
    CHECK_INT(mu->size, cut);
    CHECK_INT(mu->used, full.used);
    for (i = cut; i < sizeof(raw); i++)
        if (raw[i] != 0xAB)
            break;
    CHECK_INT(i, sizeof(raw));
    mu->size = 1; /* smaller than the size field */
    CHECK_INT(vernier_session_memory(s, mu), VERNIER_E_INVALID_ARG);

    CHECK_INT(vernier_session_to_partial(&blob, &n, s, 6, NULL, &err), VERNIER_OK);
    CHECK_INT(vernier_partial_read(&p, blob, n, NULL, &err), VERNIER_OK);
    CHECK_INT(vernier_partial_get_info(p, &info), VERNIER_OK);
    CHECK_INT(info.size, sizeof(info));
    CHECK_INT(info.blob_size, n);
    CHECK_INT(info.rank_id, 6);
    pi = (vernier_partial_info *)(void *)raw;
    memset(raw, 0xAB, sizeof(raw));
    cut = offsetof(vernier_partial_info, iou_type);
    pi->size = cut;
    CHECK_INT(vernier_partial_get_info(p, pi), VERNIER_OK);
    CHECK_INT(pi->rank_id, 6);
    for (i = cut; i < sizeof(raw); i++)
        if (raw[i] != 0xAB)
            break;
    CHECK_INT(i, sizeof(raw));

    CHECK_INT(vernier_session_finalize(&ev, s, &err), VERNIER_OK);
    sp = (vernier_stat_info *)(void *)raw;
    memset(raw, 0xAB, sizeof(raw));
    cut = offsetof(vernier_stat_info, iou_lo);
    sp->size = cut;
    CHECK_INT(vernier_eval_stat_info(ev, 7, sp), VERNIER_OK);
    CHECK_INT(sp->metric, VERNIER_STAT_AR);
    CHECK_INT(sp->all_ious, 1);
    for (i = cut; i < sizeof(raw); i++)
        if (raw[i] != 0xAB)
            break;
    CHECK_INT(i, sizeof(raw));
    CHECK_INT(vernier_eval_stat_info(ev, 12, &si), VERNIER_E_INVALID_ARG);

    vernier_eval_free(ev);
    vernier_partial_free(p);
    vernier_partial_blob_free(blob, n, NULL);
    vernier_session_free(s);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

/* pycocotools' _summarizeDets: (ap, iouThr or all, areaRng, maxDets). */
static void test_stat_info_detection(void)
{
    static const struct {
        int metric;
        double iou; /* 0: all thresholds */
        const char *area;
        int64_t cap;
        const char *name;
    } want[12] = {
        {VERNIER_STAT_AP, 0, "all", 100, "AP"},      {VERNIER_STAT_AP, 0.5, "all", 100, "AP50"},
        {VERNIER_STAT_AP, 0.75, "all", 100, "AP75"}, {VERNIER_STAT_AP, 0, "small", 100, "APs"},
        {VERNIER_STAT_AP, 0, "medium", 100, "APm"},  {VERNIER_STAT_AP, 0, "large", 100, "APl"},
        {VERNIER_STAT_AR, 0, "all", 1, "AR1"},       {VERNIER_STAT_AR, 0, "all", 10, "AR10"},
        {VERNIER_STAT_AR, 0, "all", 100, "AR100"},   {VERNIER_STAT_AR, 0, "small", 100, "ARs"},
        {VERNIER_STAT_AR, 0, "medium", 100, "ARm"},  {VERNIER_STAT_AR, 0, "large", 100, "ARl"},
    };
    vernier_dataset *gt = must_load_gt_q(GT);
    vernier_results *res = must_load_res_q(DT);
    vernier_eval *ev = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    double stats[12];
    size_t i;
    CHECK_INT(vernier_eval_run(&ev, gt, res, NULL, NULL, &err), VERNIER_OK);
    CHECK_INT(vernier_eval_num_stats(ev), 12);
    CHECK_INT(vernier_eval_copy_stats(ev, stats, 11), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_copy_stats(ev, stats, 12), VERNIER_OK);
    for (i = 0; i < 12; i++) {
        vernier_stat_info si = VERNIER_STAT_INFO_INIT;
        CHECK_INT(vernier_eval_stat_info(ev, i, &si), VERNIER_OK);
        CHECK_INT(si.size, sizeof(si));
        CHECK_INT(si.metric, want[i].metric);
        CHECK_INT(si.all_ious, want[i].iou == 0);
        CHECK_DBL(si.iou_lo, want[i].iou == 0 ? 0.5 : want[i].iou);
        CHECK_DBL(si.iou_hi, want[i].iou == 0 ? 0.95 : want[i].iou);
        CHECK(strcmp(si.area_label, want[i].area) == 0);
        CHECK_INT(si.max_dets, want[i].cap);
        CHECK_DBL(si.value, stats[i]);
        CHECK(strcmp(si.name, want[i].name) == 0);
    }
    vernier_eval_free(ev);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

/* One image, category 1 ("a") with one ground truth, category 2 ("b")
 * with none; detections: an exact match (score .9), a far-away false
 * positive of category 1 (.5) and one of category 2 (.4). */
static void test_tables(void)
{
    static const char *gt_q = "{'images': [{'id': 1, 'width': 100, 'height': 100}],"
                              " 'categories': [{'id': 1, 'name': 'a'}, {'id': 2, 'name': 7},"
                              " {'id': 2, 'name': 'b\\u00e9'}],"
                              " 'annotations': [{'id': 5, 'image_id': 1, 'category_id': 1,"
                              " 'bbox': [10, 10, 20, 20], 'area': 400, 'iscrowd': 0}]}";
    static const char *dt_q = "[{'image_id': 1, 'category_id': 1, 'bbox': [10, 10, 20, 20],"
                              " 'score': 0.9}, {'image_id': 1, 'category_id': 1,"
                              " 'bbox': [70, 70, 5, 5], 'score': 0.5}, {'image_id': 1,"
                              " 'category_id': 2, 'bbox': [0, 0, 5, 5], 'score': 0.4}]";
    vernier_dataset *gt = must_load_gt_q(gt_q);
    vernier_results *res = must_load_res_q(dt_q);
    vernier_eval *ev = NULL;
    vernier_eval_options o;
    double stats[12], cs[2 * 12];
    uint64_t n_gt[2 * 4], n_dt[2];
    int64_t ids[1], dt_id[3], img[3], cat[3], gt_id[3 * 10], g_dt[10];
    uint32_t ng[1], nd[1], tp[10], fp[10], fn[10];
    uint8_t matched[3 * 10], ignored[3 * 10], g_ig[1], g_crowd[1], g_m[10];
    double score[3], iou[3 * 10], g_iou[10];
    size_t n_images = 0, n_dt_rows = 0, n_gt_rows = 0, t;
    /* the names as parsed: not a string reads as "", escapes decoded */
    CHECK_INT(vernier_dataset_category_id(gt, 1), 2);
    CHECK(strcmp(vernier_dataset_category_name(gt, 0), "a") == 0);
    CHECK(strcmp(vernier_dataset_category_name(gt, 1), "") == 0);
    CHECK(strcmp(vernier_dataset_category_name(gt, 2), "b\xc3\xa9") == 0);
    CHECK(vernier_dataset_category_name(gt, 3) == NULL);

    /* without records: the per-class and per-image tables, not the others */
    CHECK_INT(vernier_eval_run(&ev, gt, res, NULL, NULL, NULL), VERNIER_OK);
    CHECK_INT(vernier_eval_copy_class_stats(ev, cs, 23), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_copy_class_stats(ev, cs, 24), VERNIER_OK);
    CHECK_INT(vernier_eval_copy_class_counts(ev, n_gt, n_dt, 1), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_copy_class_counts(ev, n_gt, n_dt, 2), VERNIER_OK);
    CHECK_INT(vernier_eval_table_sizes(ev, &n_images, &n_dt_rows, NULL), VERNIER_E_STATE);
    CHECK_INT(vernier_eval_table_sizes(ev, NULL, NULL, &n_gt_rows), VERNIER_E_STATE);
    CHECK_INT(vernier_eval_table_sizes(ev, &n_images, NULL, NULL), VERNIER_OK);
    CHECK_INT(n_images, 1);
    CHECK_INT(vernier_eval_image_table(ev, ids, ng, nd, tp, fp, fn, 2), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_image_table(ev, ids, ng, nd, tp, fp, fn, 1), VERNIER_OK);
    /* one GT (matched by the .9 box at every threshold), three
     * detections, the two others false positives */
    CHECK_INT(ids[0], 1);
    CHECK_INT(ng[0], 1);
    CHECK_INT(nd[0], 3);
    for (t = 0; t < 10; t++) {
        CHECK_INT(tp[t], 1);
        CHECK_INT(fp[t], 2);
        CHECK_INT(fn[t], 0);
    }
    CHECK_INT(vernier_eval_detection_table(ev, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                           2),
              VERNIER_E_STATE);
    CHECK_INT(vernier_eval_gt_table(ev, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1),
              VERNIER_E_STATE);
    /* category 2 has no ground truth: -1 throughout, and no cell of the
     * summary's slices; so category 1's row is the summary, bit for bit
     * (the same cells in the same order; its precision cells are
     * pycocotools' tp / (tp + fp + eps), just below 1).  Recall is 1 at
     * every cap; the box (400) is small, so medium and large are -1. */
    CHECK_INT(vernier_eval_copy_stats(ev, stats, 12), VERNIER_OK);
    for (t = 0; t < 12; t++) {
        CHECK_DBL(cs[t], stats[t]);
        CHECK_DBL(cs[12 + t], -1.0);
    }
    CHECK(cs[0] > 0.99 && cs[0] <= 1.0);
    CHECK_DBL(cs[4], -1.0);
    CHECK_DBL(cs[5], -1.0);
    CHECK_DBL(cs[6], 1.0);
    CHECK_DBL(cs[8], 1.0);
    CHECK_INT(n_gt[0], 1); /* area all */
    CHECK_INT(n_gt[1], 1); /* small */
    CHECK_INT(n_gt[2], 0); /* medium */
    CHECK_INT(n_dt[0], 2);
    CHECK_INT(n_gt[4], 0);
    CHECK_INT(n_dt[1], 1);
    vernier_eval_free(ev);

    /* with records */
    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.keep_records = 1;
    CHECK_INT(vernier_eval_run(&ev, gt, res, &o, NULL, NULL), VERNIER_OK);
    CHECK_INT(vernier_eval_copy_stats(ev, stats, 12), VERNIER_OK);
    CHECK_INT(vernier_eval_table_sizes(ev, &n_images, &n_dt_rows, &n_gt_rows), VERNIER_OK);
    CHECK_INT(n_images, 1);
    CHECK_INT(n_dt_rows, 3);
    CHECK_INT(n_gt_rows, 1);
    CHECK_INT(vernier_eval_image_table(ev, ids, ng, nd, tp, fp, fn, 2), VERNIER_E_INVALID_ARG);
    memset(ids, 0, sizeof(ids));
    memset(ng, 0, sizeof(ng));
    memset(nd, 0, sizeof(nd));
    memset(tp, 0, sizeof(tp));
    memset(fp, 0, sizeof(fp));
    memset(fn, 0xff, sizeof(fn));
    CHECK_INT(vernier_eval_image_table(ev, ids, ng, nd, tp, fp, fn, 1), VERNIER_OK);
    CHECK_INT(ids[0], 1);
    CHECK_INT(ng[0], 1);
    CHECK_INT(nd[0], 3);
    for (t = 0; t < 10; t++) {
        CHECK_INT(tp[t], 1);
        CHECK_INT(fp[t], 2);
        CHECK_INT(fn[t], 0);
    }
    CHECK_INT(vernier_eval_detection_table(ev, dt_id, img, cat, score, gt_id, matched, ignored,
                                           iou, 2), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_detection_table(ev, dt_id, img, cat, score, gt_id, matched, ignored,
                                           iou, 3), VERNIER_OK);
    /* category 1's two (ranked), then category 2's */
    CHECK_INT(dt_id[0], 1);
    CHECK_INT(dt_id[1], 2);
    CHECK_INT(dt_id[2], 3);
    CHECK_INT(cat[0], 1);
    CHECK_INT(cat[2], 2);
    CHECK_INT(img[1], 1);
    CHECK_DBL(score[0], 0.9);
    CHECK_DBL(score[2], 0.4);
    for (t = 0; t < 10; t++) {
        CHECK_INT(gt_id[t], 5);
        CHECK_INT(matched[t], 1);
        CHECK_INT(gt_id[10 + t], 0);
        CHECK_INT(matched[10 + t], 0);
        CHECK_INT(matched[20 + t], 0);
        CHECK_INT(ignored[t] | ignored[10 + t] | ignored[20 + t], 0);
        /* the exact match's IoU is 1; none is -1 */
        CHECK_DBL(iou[t], 1.0);
        CHECK_DBL(iou[10 + t], -1.0);
        CHECK_DBL(iou[20 + t], -1.0);
    }
    CHECK_INT(vernier_eval_gt_table(ev, ids, img, cat, g_ig, g_crowd, g_dt, g_m, g_iou, 1),
              VERNIER_OK);
    CHECK_INT(ids[0], 5);
    CHECK_INT(cat[0], 1);
    CHECK_INT(g_ig[0], 0);
    CHECK_INT(g_crowd[0], 0);
    for (t = 0; t < 10; t++) {
        CHECK_INT(g_dt[t], 1);
        CHECK_INT(g_m[t], 1);
        CHECK_DBL(g_iou[t], 1.0);
    }
    vernier_eval_free(ev);

    /* pooled: one row, the summary itself */
    o.use_cats = 0;
    CHECK_INT(vernier_eval_run(&ev, gt, res, &o, NULL, NULL), VERNIER_OK);
    CHECK_INT(vernier_eval_copy_stats(ev, stats, 12), VERNIER_OK);
    CHECK_INT(vernier_eval_copy_class_stats(ev, cs, 12), VERNIER_OK);
    CHECK(memcmp(cs, stats, sizeof(stats)) == 0);
    vernier_eval_free(ev);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

int main(void)
{
    RUN(test_null_getters);
    RUN(test_error_size);
    RUN(test_sized_outputs);
    RUN(test_stat_info_detection);
    RUN(test_tables);
    return harness_report("test_api_contract");
}
