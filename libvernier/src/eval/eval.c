/* eval.c — evaluation entry point: options, the plan, grouping ground truth
 * and detections into cells the way pycocotools' _prepare does, and the
 * accessors of a finished evaluation. */
#include <stdio.h>
#include <string.h>

#include "eval/eval_internal.h"
#include "common/hashmap.h"
#include "eval/masks.h"
#include "common/sort.h"
#include "common/vn_error.h"

int vernier_eval_options_init(vernier_eval_options *opts, unsigned version)
{
    if (opts == NULL || version != VERNIER_EVAL_OPTIONS_VERSION)
        return VERNIER_E_INVALID_ARG;
    memset(opts, 0, sizeof(*opts));
    opts->version = version;
    opts->iou_type = VERNIER_IOU_BBOX;
    opts->parity_mode = VERNIER_PARITY_STRICT;
    opts->use_cats = 1;
    opts->n_max_dets = 0; /* the kernel's own ladder */
    opts->dilation_ratio = 0.02;
    opts->num_threads = 1;
    return VERNIER_OK;
}

/* numpy.linspace(0.5, 0.95, 10) and numpy.linspace(0, 1, 101): start +
 * i * step with step = (stop - start) / (num - 1), the last value forced to
 * stop.  Computed, not typed in, so the doubles are numpy's exactly. */
static void linspace(double *out, double start, double stop, size_t num)
{
    size_t i;
    double step = (stop - start) / (double)(num - 1);
    for (i = 0; i < num; i++)
        out[i] = start + (double)i * step;
    out[num - 1] = stop;
}

static int check_ladder(const double *v, size_t n, size_t max, const char *what,
                        vernier_error *err)
{
    size_t i;
    if (n < 1 || n > max)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "%s must have 1 to %zu values, got %zu", what,
                       max, n);
    for (i = 0; i < n; i++) {
        if (!(v[i] >= 0.0 && v[i] <= 1.0))
            return vn_fail(err, VERNIER_E_INVALID_ARG, "%s[%zu] = %g is not in [0, 1]", what, i,
                           v[i]);
        if (i > 0 && !(v[i] > v[i - 1]))
            return vn_fail(err, VERNIER_E_INVALID_ARG,
                           "%s must be ascending and distinct (index %zu)", what, i);
    }
    return VERNIER_OK;
}

static void set_area(vn_plan *plan, size_t a, const char *label, double lo, double hi)
{
    snprintf(plan->area_lbl[a], VN_LABEL_MAX, "%s", label);
    plan->area_rng[a][0] = lo;
    plan->area_rng[a][1] = hi;
}

static int plan_from_options(vn_plan *plan, const vernier_eval_options *opts, vernier_error *err)
{
    size_t i, j;
    int kp;
    memset(plan, 0, sizeof(*plan));
    if (opts->version != VERNIER_EVAL_OPTIONS_VERSION)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "unknown vernier_eval_options version %u",
                       opts->version);
    if (opts->iou_type < VERNIER_IOU_BBOX || opts->iou_type > VERNIER_IOU_KEYPOINTS)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "unsupported iou_type %d", opts->iou_type);
    kp = opts->iou_type == VERNIER_IOU_KEYPOINTS;
    if (opts->iou_type == VERNIER_IOU_BOUNDARY &&
        !(opts->dilation_ratio > 0 && opts->dilation_ratio <= 1))
        return vn_fail(err, VERNIER_E_INVALID_ARG,
                       "dilation_ratio must be in (0, 1], got %g", opts->dilation_ratio);
    plan->iou_type = opts->iou_type;
    plan->dilation_ratio = opts->dilation_ratio;
    if (opts->parity_mode != VERNIER_PARITY_STRICT && opts->parity_mode != VERNIER_PARITY_CORRECTED)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "unknown parity_mode %d", opts->parity_mode);
    if (opts->use_cats != 0 && opts->use_cats != 1)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "use_cats must be 0 or 1, got %d",
                       opts->use_cats);
    if (opts->n_max_dets > VERNIER_MAX_MAX_DETS)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "max_dets must have 1 to %d entries, got %zu",
                       VERNIER_MAX_MAX_DETS, opts->n_max_dets);
    plan->parity_mode = opts->parity_mode;
    plan->use_cats = opts->use_cats;
    if (opts->num_threads > VERNIER_MAX_THREADS)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "num_threads must be 0 (auto) to %d, got %u",
                       VERNIER_MAX_THREADS, opts->num_threads);
    plan->n_threads = opts->num_threads;

    /* thresholds: numpy.linspace(.5, .95, 10) and linspace(0, 1, 101) */
    if (opts->iou_thresholds != NULL || opts->n_iou_thresholds != 0) {
        VN_TRY(check_ladder(opts->iou_thresholds, opts->n_iou_thresholds,
                            VERNIER_MAX_IOU_THRESHOLDS, "iou_thresholds", err));
        plan->T = opts->n_iou_thresholds;
        memcpy(plan->iou_thrs, opts->iou_thresholds, plan->T * sizeof(double));
        plan->custom_grid = 1;
    } else {
        plan->T = VN_T_DEFAULT;
        linspace(plan->iou_thrs, 0.5, 0.95, VN_T_DEFAULT);
    }
    if (opts->recall_thresholds != NULL || opts->n_recall_thresholds != 0) {
        VN_TRY(check_ladder(opts->recall_thresholds, opts->n_recall_thresholds,
                            VERNIER_MAX_RECALL_THRESHOLDS, "recall_thresholds", err));
        plan->R = opts->n_recall_thresholds;
        memcpy(plan->rec_thrs, opts->recall_thresholds, plan->R * sizeof(double));
        plan->custom_grid = 1;
    } else {
        plan->R = VN_R_DEFAULT;
        linspace(plan->rec_thrs, 0.0, 1.0, VN_R_DEFAULT);
    }
    if (opts->area_ranges != NULL || opts->n_area_ranges != 0) {
        if (opts->n_area_ranges < 1 || opts->n_area_ranges > VERNIER_MAX_AREA_RANGES ||
            opts->area_ranges == NULL || opts->area_labels == NULL)
            return vn_fail(err, VERNIER_E_INVALID_ARG,
                           "area_ranges must have 1 to %d labelled ranges",
                           VERNIER_MAX_AREA_RANGES);
        plan->A = opts->n_area_ranges;
        for (i = 0; i < plan->A; i++) {
            double lo = opts->area_ranges[2 * i], hi = opts->area_ranges[2 * i + 1];
            const char *lbl = opts->area_labels[i];
            if (lbl == NULL || strlen(lbl) == 0 || strlen(lbl) > VERNIER_MAX_AREA_LABEL)
                return vn_fail(err, VERNIER_E_INVALID_ARG,
                               "area_labels[%zu] must have 1 to %d bytes", i,
                               VERNIER_MAX_AREA_LABEL);
            if (!(lo >= 0 && lo <= hi) || hi != hi || lo > 1e300 || hi > 1e300)
                return vn_fail(err, VERNIER_E_INVALID_ARG,
                               "area range %zu (%s) must have 0 <= lo <= hi, finite", i, lbl);
            for (j = 0; j < i; j++)
                if (strcmp(plan->area_lbl[j], lbl) == 0)
                    return vn_fail(err, VERNIER_E_INVALID_ARG,
                                   "area label \"%s\" is used twice", lbl);
            set_area(plan, i, lbl, lo, hi);
        }
        plan->custom_grid = 1;
    } else if (kp) {
        /* setKpParams: all, medium, large */
        plan->A = 3;
        set_area(plan, 0, "all", 0.0, 1e10);
        set_area(plan, 1, "medium", 1024.0, 9216.0);
        set_area(plan, 2, "large", 9216.0, 1e10);
    } else {
        /* all, small, medium, large: [0, 1e5**2], [0, 32**2], [32**2,
         * 96**2], [96**2, 1e5**2] */
        plan->A = 4;
        set_area(plan, 0, "all", 0.0, 1e10);
        set_area(plan, 1, "small", 0.0, 1024.0);
        set_area(plan, 2, "medium", 1024.0, 9216.0);
        set_area(plan, 3, "large", 9216.0, 1e10);
    }

    /* pycocotools sorts maxDets ascending before evaluating (quirk A2) */
    if (opts->n_max_dets == 0) {
        plan->M = kp ? 1 : 3;
        plan->max_dets[0] = kp ? 20 : 1;
        plan->max_dets[1] = 10;
        plan->max_dets[2] = 100;
    } else {
        plan->M = opts->n_max_dets;
        for (i = 0; i < plan->M; i++) {
            int64_t v = opts->max_dets[i];
            if (v < 0 || v > (int64_t)UINT32_MAX)
                return vn_fail(err, VERNIER_E_INVALID_ARG, "max_dets[%zu] = %lld is out of range",
                               i, (long long)v);
            for (j = i; j > 0 && plan->max_dets[j - 1] > v; j--)
                plan->max_dets[j] = plan->max_dets[j - 1];
            plan->max_dets[j] = v;
        }
    }
    for (i = 1; i < plan->M; i++)
        if (plan->max_dets[i] == plan->max_dets[i - 1])
            return vn_fail(err, VERNIER_E_INVALID_ARG, "max_dets has the value %lld twice",
                           (long long)plan->max_dets[i]);
    plan->max_det = plan->max_dets[plan->M - 1];
    return VERNIER_OK;
}

/* Sorted unique copy of ids[0..n) into *out (from the arena), *n_out entries. */
static int sorted_unique(vn_arena *ar, const int64_t *ids, size_t n, int64_t **out, size_t *n_out)
{
    int64_t *v, *tmp;
    size_t i, k;
    *out = NULL;
    *n_out = 0;
    v = vn_arena_array(ar, n, sizeof(int64_t));
    tmp = vn_arena_array(ar, n, sizeof(int64_t));
    if (v == NULL || tmp == NULL)
        return vn_mem_failure(ar->mem);
    if (n > 0) {
        memcpy(v, ids, n * sizeof(int64_t));
        vn_sort_i64_asc(v, tmp, n);
        for (i = 1, k = 1; i < n; i++)
            if (v[i] != v[k - 1])
                v[k++] = v[i];
        n = k;
    }
    *out = v;
    *n_out = n;
    return VERNIER_OK;
}

static int index_ids(vn_hashmap *h, vn_arena *ar, const int64_t *ids, size_t n)
{
    size_t i;
    VN_TRY(vn_hashmap_init(h, ar, n));
    for (i = 0; i < n; i++)
        vn_hashmap_put(h, ids[i], (uint32_t)i);
    return VERNIER_OK;
}

/* Stable counting sort: out receives items[0..n) ordered by key[i] in
 * [0, nkeys), equal keys in input order; start (nkeys + 1 entries, may be
 * NULL) receives each key's first position. */
static int counting_sort(vn_arena *ar, const uint32_t *items, const uint32_t *key, size_t n,
                         size_t nkeys, uint32_t *out, uint32_t *start)
{
    size_t i;
    uint32_t *pos = vn_arena_zarray(ar, nkeys + 1, sizeof(uint32_t));
    if (pos == NULL)
        return vn_mem_failure(ar->mem);
    for (i = 0; i < n; i++)
        pos[key[i] + 1]++;
    for (i = 0; i < nkeys; i++)
        pos[i + 1] += pos[i];
    if (start != NULL)
        memcpy(start, pos, (nkeys + 1) * sizeof(uint32_t));
    for (i = 0; i < n; i++)
        out[pos[key[i]]++] = items[i];
    return VERNIER_OK;
}

/* Orders entries (items with their cell and category) the way pycocotools
 * lays out a cell: they arrive in its iteration order (image ascending,
 * then file order); with pooled categories a cell concatenates its
 * categories in ascending id order first.  Writes the CSR arrays. */
static int group_into_cells(vn_arena *ar, const vn_plan *plan, size_t n_cells, uint32_t *items,
                            uint32_t *cell, uint32_t *cat, size_t n, size_t n_cats,
                            uint32_t **start_out, uint32_t **sorted_out)
{
    uint32_t *tmp_items, *tmp_cell, *start, *sorted;
    start = vn_arena_array(ar, n_cells + 1, sizeof(uint32_t));
    sorted = vn_arena_array(ar, n, sizeof(uint32_t));
    if (start == NULL || sorted == NULL)
        return vn_mem_failure(ar->mem);
    if (!plan->use_cats) {
        /* sort (item, cell) pairs by category first, stably */
        size_t i;
        uint32_t *idx = vn_arena_array(ar, n, sizeof(uint32_t));
        uint32_t *perm = vn_arena_array(ar, n, sizeof(uint32_t));
        tmp_items = vn_arena_array(ar, n, sizeof(uint32_t));
        tmp_cell = vn_arena_array(ar, n, sizeof(uint32_t));
        if (idx == NULL || perm == NULL || tmp_items == NULL || tmp_cell == NULL)
            return vn_mem_failure(ar->mem);
        for (i = 0; i < n; i++)
            idx[i] = (uint32_t)i;
        VN_TRY(counting_sort(ar, idx, cat, n, n_cats, perm, NULL));
        for (i = 0; i < n; i++) {
            tmp_items[i] = items[perm[i]];
            tmp_cell[i] = cell[perm[i]];
        }
        items = tmp_items;
        cell = tmp_cell;
    }
    VN_TRY(counting_sort(ar, items, cell, n, n_cells, sorted, start));
    *start_out = start;
    *sorted_out = sorted;
    return VERNIER_OK;
}

static int fail_missing(vernier_error *err, const vernier_dataset *gt, uint32_t a, const char *field)
{
    char path[64];
    snprintf(path, sizeof(path), "annotations[%u].%s", a, field);
    vn_fail(err, VERNIER_E_SCHEMA,
            "%s: annotation id %lld has no \"%s\", which the evaluation needs (pycocotools "
            "raises KeyError)",
            path, (long long)gt->ann_id[a], field);
    if (err != NULL) {
        vn_error_set_path(err, path);
        err->index = (int64_t)a;
        err->offset = (int64_t)gt->ann_offset[a];
    }
    return VERNIER_E_SCHEMA;
}

static int build_gt_cells(vn_cells *c, vn_arena *ar, const vernier_dataset *gt,
                          const vn_plan *plan, const vn_hashmap *img_map,
                          const vn_hashmap *cat_map, vernier_error *err)
{
    size_t n = gt->n_anns, i, kept = 0;
    int has_dups = 0;
    vn_hashmap last;
    uint32_t *orig_img = vn_arena_array(ar, n, sizeof(uint32_t));
    uint32_t *items = vn_arena_array(ar, n, sizeof(uint32_t));
    uint32_t *order = vn_arena_array(ar, n, sizeof(uint32_t));
    uint32_t *cell = vn_arena_array(ar, n, sizeof(uint32_t));
    uint32_t *cat = vn_arena_array(ar, n, sizeof(uint32_t));
    if (orig_img == NULL || items == NULL || order == NULL || cell == NULL || cat == NULL)
        return vn_mem_failure(ar->mem);

    /* loadAnns(getAnnIds()) maps every occurrence of a repeated annotation
     * id to the LAST annotation with that id. */
    VN_TRY(vn_hashmap_init(&last, ar, n));
    for (i = 0; i < n; i++)
        has_dups |= vn_hashmap_put(&last, gt->ann_id[i], (uint32_t)i);

    /* iteration order of getAnnIds(imgIds=sorted ids): image, then file */
    for (i = 0; i < n; i++) {
        uint32_t im = vn_hashmap_get(img_map, gt->ann_image_id[i]);
        if (im != VN_HASHMAP_EMPTY)
            items[kept++] = (uint32_t)i;
        orig_img[i] = im;
    }
    for (i = 0; i < kept; i++)
        cell[i] = orig_img[items[i]];
    VN_TRY(counting_sort(ar, items, cell, kept, c->n_images, order, NULL));

    n = kept;
    kept = 0;
    for (i = 0; i < n; i++) {
        uint32_t j = order[i], s, li, lk;
        if (plan->use_cats && vn_hashmap_get(cat_map, gt->ann_category_id[j]) == VN_HASHMAP_EMPTY)
            continue; /* getAnnIds(catIds=...) filters on the original */
        s = has_dups ? vn_hashmap_get(&last, gt->ann_id[j]) : j;
        li = vn_hashmap_get(img_map, gt->ann_image_id[s]);
        lk = vn_hashmap_get(cat_map, gt->ann_category_id[s]);
        if (li == VN_HASHMAP_EMPTY || lk == VN_HASHMAP_EMPTY)
            continue; /* lands in a cell no loop of evaluate() visits */
        items[kept] = s;
        cat[kept] = lk;
        cell[kept] = plan->use_cats ? lk * (uint32_t)c->n_images + li : li;
        kept++;
    }
    VN_TRY(group_into_cells(ar, plan, c->n_cells, items, cell, cat, kept, c->n_cats, &c->gt_start,
                            &c->gt_ann));
    c->n_gt = kept;

    /* Every GT of an evaluated cell must carry what computeIoU and
     * evaluateImg read. */
    c->gt_bbox = vn_arena_array(ar, kept, 4 * sizeof(double));
    c->gt_area = vn_arena_array(ar, kept, sizeof(double));
    c->gt_crowd = vn_arena_array(ar, kept, 1);
    c->gt_real = vn_arena_array(ar, kept, 1);
    c->gt_ignore = vn_arena_array(ar, kept, 1);
    if (c->gt_bbox == NULL || c->gt_area == NULL || c->gt_crowd == NULL || c->gt_real == NULL ||
        c->gt_ignore == NULL)
        return vn_mem_failure(ar->mem);
    for (i = 0; i < kept; i++) {
        uint32_t a = c->gt_ann[i], f = gt->ann_flags[a];
        if (!(f & VN_ANN_HAS_BBOX))
            return fail_missing(err, gt, a, "bbox");
        if (!(f & VN_ANN_HAS_ISCROWD))
            return fail_missing(err, gt, a, "iscrowd");
        if (!(f & VN_ANN_HAS_AREA))
            return fail_missing(err, gt, a, "area");
        memcpy(c->gt_bbox + 4 * i, gt->ann_bbox + 4 * (size_t)a, 4 * sizeof(double));
        c->gt_area[i] = gt->ann_area[a];
        c->gt_crowd[i] = gt->ann_iscrowd[a] != 0;
        /* strict: id 0 is pycocotools' "unmatched" sentinel */
        c->gt_real[i] = plan->parity_mode == VERNIER_PARITY_CORRECTED || gt->ann_id[a] != 0;
        /* _prepare: ignore = iscrowd (strict, quirk D1: the user's flag is
         * dropped; corrected honours it); keypoints add num_keypoints == 0 */
        c->gt_ignore[i] = c->gt_crowd[i];
        if (plan->parity_mode == VERNIER_PARITY_CORRECTED && (f & VN_ANN_HAS_IGNORE) &&
            gt->ann_ignore[a])
            c->gt_ignore[i] = 1;
        if (plan->iou_type == VERNIER_IOU_KEYPOINTS) {
            if (!(f & VN_ANN_HAS_NUM_KEYPOINTS))
                return fail_missing(err, gt, a, "num_keypoints");
            if (gt->ann_num_keypoints[a] == 0)
                c->gt_ignore[i] = 1;
        }
    }
    return VERNIER_OK;
}

static int build_dt_cells(vn_cells *c, vn_arena *ar, const vernier_results *res,
                          const vn_plan *plan, const vn_hashmap *img_map,
                          const vn_hashmap *cat_map, vernier_error *err)
{
    size_t n = res->n, i, kept = 0, out;
    uint32_t *items = vn_arena_array(ar, n, sizeof(uint32_t));
    uint32_t *order = vn_arena_array(ar, n, sizeof(uint32_t));
    uint32_t *img = vn_arena_array(ar, n, sizeof(uint32_t));
    uint32_t *cell = vn_arena_array(ar, n, sizeof(uint32_t));
    uint32_t *cat = vn_arena_array(ar, n, sizeof(uint32_t));
    uint32_t *full_start, *full, *tmp;
    if (items == NULL || order == NULL || img == NULL || cell == NULL || cat == NULL)
        return vn_mem_failure(ar->mem);

    /* loadRes refuses the whole list if any result names an unknown image */
    for (i = 0; i < n; i++) {
        img[i] = vn_hashmap_get(img_map, res->image_id[i]);
        if (img[i] == VN_HASHMAP_EMPTY) {
            char path[48];
            snprintf(path, sizeof(path), "[%zu].image_id", i);
            vn_fail(err, VERNIER_E_UNKNOWN_IMAGE,
                    "%s: image id %lld is not in the ground truth (pycocotools: Results do not "
                    "correspond to current coco set)",
                    path, (long long)res->image_id[i]);
            if (err != NULL) {
                vn_error_set_path(err, path);
                err->index = (int64_t)i;
                err->offset = (int64_t)res->offset[i];
            }
            return VERNIER_E_UNKNOWN_IMAGE;
        }
    }
    for (i = 0; i < n; i++) {
        uint32_t k = vn_hashmap_get(cat_map, res->category_id[i]);
        if (k == VN_HASHMAP_EMPTY)
            continue; /* categories outside the GT's are never evaluated */
        items[kept] = (uint32_t)i;
        cat[kept] = k;
        kept++;
    }
    /* iteration order: image ascending, then list order */
    for (i = 0; i < kept; i++)
        cell[i] = img[items[i]];
    VN_TRY(counting_sort(ar, items, cell, kept, c->n_images, order, NULL));
    for (i = 0; i < kept; i++) {
        uint32_t r = order[i], k = vn_hashmap_get(cat_map, res->category_id[r]);
        items[i] = r;
        cat[i] = k;
        cell[i] = plan->use_cats ? k * (uint32_t)c->n_images + img[r] : img[r];
    }
    VN_TRY(group_into_cells(ar, plan, c->n_cells, items, cell, cat, kept, c->n_cats, &full_start,
                            &full));

    /* Rank each cell's detections by score (stable) and keep the best
     * max_det, as computeIoU/evaluateImg do. */
    c->dt_start = vn_arena_array(ar, c->n_cells + 1, sizeof(uint32_t));
    c->dt_res = vn_arena_array(ar, kept, sizeof(uint32_t));
    c->nonempty = vn_arena_array(ar, c->n_cells, 1);
    tmp = vn_arena_array(ar, kept, sizeof(uint32_t));
    if (c->dt_start == NULL || c->dt_res == NULL || c->nonempty == NULL || tmp == NULL)
        return vn_mem_failure(ar->mem);
    out = 0;
    for (i = 0; i < c->n_cells; i++) {
        uint32_t b = full_start[i], e = full_start[i + 1], nd = e - b, keep;
        c->dt_start[i] = (uint32_t)out;
        c->nonempty[i] = (uint8_t)(nd > 0 || c->gt_start[i + 1] > c->gt_start[i]);
        if (nd == 0)
            continue;
        if (plan->parity_mode == VERNIER_PARITY_CORRECTED)
            vn_sort_desc_by_key_box(full + b, tmp, nd, res->score, res->bbox);
        else
            vn_sort_desc_by_key(full + b, tmp, nd, res->score);
        keep = (uint64_t)nd > (uint64_t)plan->max_det ? (uint32_t)plan->max_det : nd;
        memmove(c->dt_res + out, full + b, keep * sizeof(uint32_t));
        out += keep;
    }
    c->dt_start[c->n_cells] = (uint32_t)out;
    c->n_dt = out;
    c->dt_bbox = vn_arena_array(ar, out, 4 * sizeof(double));
    c->dt_area = vn_arena_array(ar, out, sizeof(double));
    c->dt_score = vn_arena_array(ar, out, sizeof(double));
    if (c->dt_bbox == NULL || c->dt_area == NULL || c->dt_score == NULL)
        return vn_mem_failure(ar->mem);
    c->dt_img = vn_arena_array(ar, out, sizeof(uint32_t));
    if (c->dt_img == NULL)
        return vn_mem_failure(ar->mem);
    for (i = 0; i < out; i++) {
        uint32_t r = c->dt_res[i];
        c->dt_img[i] = img[r];
        memcpy(c->dt_bbox + 4 * i, res->bbox + 4 * (size_t)r, 4 * sizeof(double));
        c->dt_area[i] = res->area[r];
        c->dt_score[i] = res->score[r];
    }
    return VERNIER_OK;
}

/* Height and width of each sorted image; a repeated image id takes its
 * last entry's, as pycocotools' imgs dict does. */
static int image_sizes(vn_cells *c, vn_arena *ar, const vernier_dataset *gt,
                       const vn_hashmap *img_map)
{
    size_t j;
    c->img_hw = vn_arena_array(ar, c->n_images, 2 * sizeof(int64_t));
    if (c->img_hw == NULL)
        return vn_mem_failure(ar->mem);
    for (j = 0; j < gt->n_images; j++) {
        uint32_t i = vn_hashmap_get(img_map, gt->image_id[j]);
        c->img_hw[2 * i] = gt->image_height[j];
        c->img_hw[2 * i + 1] = gt->image_width[j];
    }
    return VERNIER_OK;
}

/* The masks (and bands) of every GT slot, from the dataset's cache, and
 * the masks' boxes for the IoU prefilter.  pycocotools converts every GT
 * of an evaluated cell in _prepare, so any that cannot be converted fails
 * the evaluation, naming the annotation. */
static int gt_masks(vn_cells *c, vn_arena *ar, const vernier_dataset *gt, const vn_plan *plan,
                    vernier_error *err)
{
    size_t n = c->n_gt, i, cell;
    int64_t *hw = vn_arena_array(ar, n, 2 * sizeof(int64_t));
    c->gt_mask = vn_arena_array(ar, n, sizeof(vn_rle *));
    c->gt_mbox = vn_arena_array(ar, n, 4 * sizeof(double));
    if (hw == NULL || c->gt_mask == NULL || c->gt_mbox == NULL)
        return vn_mem_failure(ar->mem);
    for (cell = 0; cell < c->n_cells; cell++) {
        size_t im = plan->use_cats ? cell % c->n_images : cell;
        for (i = c->gt_start[cell]; i < c->gt_start[cell + 1]; i++) {
            hw[2 * i] = c->img_hw[2 * im];
            hw[2 * i + 1] = c->img_hw[2 * im + 1];
        }
    }
    if (plan->parity_mode == VERNIER_PARITY_CORRECTED)
        for (i = 0; i < n; i++)
            VN_TRY(vn_seg_check_polygons(&gt->segs, c->gt_ann[i], "annotations", err));
    VN_TRY(vn_gt_masks(gt, c->gt_ann, hw, n, c->gt_mask, err));
    for (i = 0; i < n; i++)
        vn_rle_to_bbox(c->gt_mask[i]->cnts, c->gt_mask[i]->m, c->gt_mask[i]->h,
                       c->gt_mask[i]->w, c->gt_mbox + 4 * i);
    if (plan->iou_type == VERNIER_IOU_BOUNDARY) {
        c->gt_band = vn_arena_array(ar, n, sizeof(vn_rle *));
        if (c->gt_band == NULL)
            return vn_mem_failure(ar->mem);
        VN_TRY(vn_gt_bands(gt, plan->dilation_ratio, c->gt_ann, hw, n, c->gt_band, err));
    }
    return VERNIER_OK;
}

/* COCO's person sigmas as pycocotools writes them: decimal literals divided
 * by 10.0 at run time (a second rounding that matters, quirk F9). */
static const double COCO_SIGMAS_X10[17] = {.26, .25, .25, .35, .35, .79, .79, .72, .72,
                                           .62, .62, 1.07, 1.07, .87, .87, .89, .89};

/* vars = (sigmas * 2) ** 2 for n sigmas, into the arena. */
static int make_vars(vn_arena *ar, const double *sigmas, size_t n, int coco, const double **out)
{
    size_t j;
    double *v = vn_arena_array(ar, n, sizeof(double));
    if (v == NULL)
        return vn_mem_failure(ar->mem);
    for (j = 0; j < n; j++) {
        double s = coco ? COCO_SIGMAS_X10[j] / 10.0 : sigmas[j];
        double t = s * 2;
        v[j] = t * t;
    }
    *out = v;
    return VERNIER_OK;
}

static int check_sigmas(const double *s, size_t n, vernier_error *err)
{
    size_t j;
    if (n < 1 || n > VN_MAX_KEYPOINTS)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "a sigma list must have 1 to %d values, got %zu",
                       VN_MAX_KEYPOINTS, n);
    for (j = 0; j < n; j++)
        if (!(s[j] > 0) || s[j] > 1e300)
            return vn_fail(err, VERNIER_E_INVALID_ARG, "sigma %zu = %g must be finite and > 0", j,
                           s[j]);
    return VERNIER_OK;
}

/* Per category index: the OKS vars and their count. */
static int keypoint_sigmas(vn_cells *c, vn_arena *ar, const vernier_dataset *gt,
                           const vernier_eval_options *opts, vernier_error *err)
{
    size_t k, i, j, off;
    const double *dflt;
    size_t n_dflt;
    c->kp_vars = vn_arena_array(ar, c->n_cats + 1, sizeof(double *));
    c->kp_count = vn_arena_array(ar, c->n_cats + 1, sizeof(size_t));
    if (c->kp_vars == NULL || c->kp_count == NULL)
        return vn_mem_failure(ar->mem);
    if (opts->sigmas != NULL) {
        VN_TRY(check_sigmas(opts->sigmas, opts->n_sigmas, err));
        VN_TRY(make_vars(ar, opts->sigmas, opts->n_sigmas, 0, &dflt));
        n_dflt = opts->n_sigmas;
    } else {
        VN_TRY(make_vars(ar, NULL, 17, 1, &dflt));
        n_dflt = 17;
    }
    for (k = 0; k < c->n_cats; k++) {
        c->kp_vars[k] = dflt;
        c->kp_count[k] = n_dflt;
    }
    for (i = 0, off = 0; i < opts->n_category_sigmas; i++) {
        int64_t id = opts->category_sigma_ids[i];
        size_t n = opts->category_sigma_counts[i];
        const double *vals = opts->category_sigma_values + off;
        off += n;
        VN_TRY(check_sigmas(vals, n, err));
        for (k = 0; k < c->n_cats; k++)
            if (c->cat_ids[k] == id)
                break;
        if (k == c->n_cats)
            return vn_fail(err, VERNIER_E_INVALID_ARG,
                           "sigmas are given for category %lld, which the ground truth lacks",
                           (long long)id);
        for (j = 0; j < gt->n_categories; j++)
            if (gt->category_id[j] == id && gt->category_n_kp[j] >= 0 &&
                (size_t)gt->category_n_kp[j] != n)
                return vn_fail(err, VERNIER_E_INVALID_ARG,
                               "category %lld has %lld keypoints but %zu sigmas were given",
                               (long long)id, (long long)gt->category_n_kp[j], n);
        VN_TRY(make_vars(ar, vals, n, 0, &c->kp_vars[k]));
        c->kp_count[k] = n;
    }
    return VERNIER_OK;
}

int vn_cells_build(vn_cells *c, vn_arena *ar, const vernier_dataset *gt,
                   const vernier_results *res, const vn_plan *plan,
                   const vernier_eval_options *opts, vernier_error *err)
{
    vn_hashmap img_map, cat_map;
    memset(c, 0, sizeof(*c));
    if (gt->n_anns >= UINT32_MAX || res->n >= UINT32_MAX || gt->n_images >= UINT32_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "more than 2^32-1 annotations, results or images");
    VN_TRY(sorted_unique(ar, gt->image_id, gt->n_images, &c->image_ids, &c->n_images));
    VN_TRY(sorted_unique(ar, gt->category_id, gt->n_categories, &c->cat_ids, &c->n_cats));
    c->n_cells = plan->use_cats ? c->n_images * c->n_cats : c->n_images;
    if (plan->use_cats && c->n_cats != 0 && c->n_images > (size_t)UINT32_MAX / c->n_cats)
        return vn_fail(err, VERNIER_E_LIMIT, "images x categories exceeds 2^32-1 cells");
    VN_TRY(index_ids(&img_map, ar, c->image_ids, c->n_images));
    VN_TRY(index_ids(&cat_map, ar, c->cat_ids, c->n_cats));
    VN_TRY(image_sizes(c, ar, gt, &img_map));
    VN_TRY(build_gt_cells(c, ar, gt, plan, &img_map, &cat_map, err));
    VN_TRY(build_dt_cells(c, ar, res, plan, &img_map, &cat_map, err));
    if (plan->iou_type == VERNIER_IOU_SEGM || plan->iou_type == VERNIER_IOU_BOUNDARY)
        VN_TRY(gt_masks(c, ar, gt, plan, err));
    if (plan->iou_type == VERNIER_IOU_KEYPOINTS)
        VN_TRY(keypoint_sigmas(c, ar, gt, opts, err));
    return VERNIER_OK;
}

/* The per-image records: for every category k, area range a and image i
 * whose cell is not empty (pycocotools' evalImgs entry is not None), the
 * detections in ranked order with their matches and ignore flags per
 * threshold, and the ground truths in pycocotools' order (non-ignored
 * first, stably) with theirs.  Two passes: count, then fill. */
static int build_records(vernier_eval *ev, const vn_cells *cells, const vernier_dataset *gt,
                         const vn_outcome *out, const int32_t *match, vn_arena *scratch)
{
    const vn_plan *p = &ev->plan;
    size_t I = cells->n_images, K = ev->K, A = p->A, T = p->T, n_dt = cells->n_dt;
    size_t k, a, i, t, n_rec = 0, n_d = 0, n_g = 0, maxG = 0, c;
    size_t r = 0, dr = 0, gr = 0;
    uint32_t *pos, *inv;
    for (c = 0; c < cells->n_cells; c++) {
        size_t G = cells->gt_start[c + 1] - cells->gt_start[c];
        if (!cells->nonempty[c])
            continue;
        n_rec += A;
        n_d += A * (cells->dt_start[c + 1] - cells->dt_start[c]);
        n_g += A * G;
        if (G > maxG)
            maxG = G;
    }
    ev->rec = vn_arena_array(&ev->arena, n_rec, VN_REC_COLS * sizeof(int64_t));
    ev->rec_dt_id = vn_arena_array(&ev->arena, n_d, sizeof(int64_t));
    ev->rec_dt_score = vn_arena_array(&ev->arena, n_d, sizeof(double));
    ev->rec_dt_match = vn_arena_array(&ev->arena, n_d, T * sizeof(int32_t));
    ev->rec_dt_ignore = vn_arena_array(&ev->arena, n_d, T);
    ev->rec_gt_id = vn_arena_array(&ev->arena, n_g, sizeof(int64_t));
    ev->rec_gt_ignore = vn_arena_array(&ev->arena, n_g, 1);
    ev->rec_gt_match = vn_arena_array(&ev->arena, n_g, T * sizeof(int32_t));
    pos = vn_arena_array(scratch, maxG + 1, sizeof(uint32_t));
    inv = vn_arena_array(scratch, maxG + 1, sizeof(uint32_t));
    if (ev->rec == NULL || ev->rec_dt_id == NULL || ev->rec_dt_score == NULL ||
        ev->rec_dt_match == NULL || ev->rec_dt_ignore == NULL || ev->rec_gt_id == NULL ||
        ev->rec_gt_ignore == NULL || ev->rec_gt_match == NULL || pos == NULL || inv == NULL)
        return vn_mem_failure(&ev->mem);
    for (k = 0; k < K; k++) {
        for (a = 0; a < A; a++) {
            double lo = p->area_rng[a][0], hi = p->area_rng[a][1];
            for (i = 0; i < I; i++) {
                size_t g0, G, d0, D, g, d, n_real = 0, next_real = 0, next_ig;
                int64_t *row;
                c = p->use_cats ? k * I + i : i;
                if (!cells->nonempty[c])
                    continue;
                g0 = cells->gt_start[c];
                G = cells->gt_start[c + 1] - g0;
                d0 = cells->dt_start[c];
                D = cells->dt_start[c + 1] - d0;
                row = ev->rec + r * VN_REC_COLS;
                row[0] = (int64_t)((k * A + a) * I + i);
                row[1] = cells->image_ids[i];
                row[2] = p->use_cats ? cells->cat_ids[k] : -1;
                row[3] = (int64_t)a;
                row[4] = p->max_det;
                row[5] = (int64_t)D;
                row[6] = (int64_t)G;
                /* the ignore sort, as match_cell does it */
                for (g = 0; g < G; g++) {
                    double ar = cells->gt_area[g0 + g];
                    uint8_t ig = (uint8_t)(cells->gt_ignore[g0 + g] || ar < lo || ar > hi);
                    ev->rec_gt_ignore[gr + g] = ig; /* provisional, rewritten below */
                    n_real += !ig;
                }
                next_ig = n_real;
                for (g = 0; g < G; g++) {
                    pos[g] = (uint32_t)(ev->rec_gt_ignore[gr + g] ? next_ig++ : next_real++);
                    inv[pos[g]] = (uint32_t)g;
                }
                for (g = 0; g < G; g++) {
                    size_t at = gr + g, src = g0 + inv[g];
                    double ar = cells->gt_area[src];
                    ev->rec_gt_ignore[at] = (uint8_t)(cells->gt_ignore[src] || ar < lo || ar > hi);
                    ev->rec_gt_id[at] = gt->ann_id[cells->gt_ann[src]];
                    for (t = 0; t < T; t++)
                        ev->rec_gt_match[at * T + t] = -1;
                }
                for (d = 0; d < D; d++) {
                    size_t at = dr + d, s = d0 + d;
                    vn_outcome o = out[a * n_dt + s];
                    ev->rec_dt_id[at] = (int64_t)cells->dt_res[s] + 1;
                    ev->rec_dt_score[at] = cells->dt_score[s];
                    for (t = 0; t < T; t++) {
                        int32_t m = match != NULL ? match[(a * T + t) * n_dt + s] : -1;
                        int32_t mp = m < 0 ? -1 : (int32_t)pos[m];
                        ev->rec_dt_match[at * T + t] = mp;
                        ev->rec_dt_ignore[at * T + t] = (uint8_t)((o & VN_IGN_BIT(t)) != 0);
                        /* a crowd matched again keeps the last detection,
                         * as pycocotools' gtm[t, m] = d['id'] does */
                        if (mp >= 0)
                            ev->rec_gt_match[(gr + (size_t)mp) * T + t] = (int32_t)d;
                    }
                }
                r++;
                dr += D;
                gr += G;
            }
        }
    }
    ev->n_rec = r;
    ev->n_rec_dt = dr;
    ev->n_rec_gt = gr;
    ev->n_images = I;
    ev->has_records = 1;
    return VERNIER_OK;
}

/* Quirk J6, corrected mode: loadRes lets the first result decide how the
 * whole list is read, and in a box-kind list pycocotools rasterises each
 * result's polygon or decodes its RLE as it comes.  Corrected mode wants
 * one shape per list: the first result whose segmentation is a polygon
 * where an earlier one was an RLE (or the reverse) is refused. */
int vn_check_one_shape(const vernier_results *res, vernier_error *err)
{
    size_t i;
    int first = 0;
    if (res->kind != VERNIER_RESULTS_BBOX)
        return VERNIER_OK; /* a segm-kind list holds compressed RLEs only */
    for (i = 0; i < res->n && i < res->segs.n; i++) {
        int k = res->segs.seg[i].kind, shape;
        if (k == VN_SEG_POLY)
            shape = 1;
        else if (k == VN_SEG_COUNTS || k == VN_SEG_STRING)
            shape = 2;
        else
            continue;
        if (first == 0) {
            first = shape;
        } else if (shape != first) {
            char path[48];
            snprintf(path, sizeof(path), "[%zu].segmentation", i);
            vn_fail(err, VERNIER_E_SCHEMA,
                    "%s: %s where earlier results have %s: corrected mode reads one shape "
                    "of segmentation per result list",
                    path, shape == 1 ? "a polygon" : "an RLE", first == 1 ? "polygons" : "RLEs");
            if (err != NULL) {
                vn_error_set_path(err, path);
                err->index = (int64_t)i;
                err->offset = (int64_t)res->offset[i];
            }
            return VERNIER_E_SCHEMA;
        }
    }
    return VERNIER_OK;
}

int vn_check_dt_masks(const vn_cells *cells, const vernier_results *res, vn_arena *scratch,
                      vernier_error *err)
{
    uint8_t *in;
    size_t r, k;
    if (res->kind != VERNIER_RESULTS_BBOX)
        return VERNIER_OK; /* a segm-kind list has an RLE in every result */
    in = vn_arena_zalloc(scratch, res->n + 1);
    if (in == NULL)
        return vn_mem_failure(scratch->mem);
    for (k = 0; k < cells->n_dt; k++)
        in[cells->dt_res[k]] = 1;
    for (r = 0; r < res->n; r++) {
        if (!in[r])
            continue;
        if (r >= res->segs.n || res->segs.seg[r].kind == VN_SEG_NONE) {
            char path[48];
            snprintf(path, sizeof(path), "[%zu].segmentation", r);
            vn_fail(err, VERNIER_E_SCHEMA,
                    "%s: no segmentation: corrected mode does not evaluate a box's rectangle "
                    "as a mask",
                    path);
            if (err != NULL) {
                vn_error_set_path(err, path);
                err->index = (int64_t)r;
                err->offset = (int64_t)res->offset[r];
            }
            return VERNIER_E_SCHEMA;
        }
        VN_TRY(vn_seg_check_polygons(&res->segs, r, "", err));
    }
    return VERNIER_OK;
}

static int evaluate(vernier_eval *ev, const vernier_dataset *gt, const vernier_results *res,
                    const vernier_eval_options *opts, vernier_error *err)
{
    const vn_plan *plan = &ev->plan;
    vn_arena scratch;
    vn_cells cells;
    vn_outcome *outcomes;
    uint32_t *npig;
    int32_t *match_out = NULL;
    size_t k;
    int rc;

    if (plan->parity_mode == VERNIER_PARITY_CORRECTED &&
        (plan->iou_type == VERNIER_IOU_SEGM || plan->iou_type == VERNIER_IOU_BOUNDARY))
        VN_TRY(vn_check_one_shape(res, err));
    vn_arena_init(&scratch, &ev->mem);
    vn_mask_cache_acquire(gt);
    rc = vn_cells_build(&cells, &scratch, gt, res, plan, opts, err);
    if (rc != VERNIER_OK)
        goto done;
    if (plan->parity_mode == VERNIER_PARITY_CORRECTED &&
        (plan->iou_type == VERNIER_IOU_SEGM || plan->iou_type == VERNIER_IOU_BOUNDARY)) {
        /* J2 and K1 refusals name the first such result in list order */
        rc = vn_check_dt_masks(&cells, res, &scratch, err);
        if (rc != VERNIER_OK)
            goto done;
    }

    ev->K = plan->use_cats ? cells.n_cats : 1;
    ev->cat_ids = vn_arena_array(&ev->arena, ev->K, sizeof(int64_t));
    ev->precision = vn_arena_array(&ev->arena, plan->T * plan->R * ev->K * plan->A, plan->M * sizeof(double));
    ev->recall = vn_arena_array(&ev->arena, plan->T * ev->K * plan->A, plan->M * sizeof(double));
    ev->scores = vn_arena_array(&ev->arena, plan->T * plan->R * ev->K * plan->A, plan->M * sizeof(double));
    outcomes = vn_arena_zarray(&scratch, cells.n_dt, plan->A * sizeof(vn_outcome));
    npig = vn_arena_array(&scratch, cells.n_cells, plan->A * sizeof(uint32_t));
    if (ev->cat_ids == NULL || ev->precision == NULL || ev->recall == NULL || ev->scores == NULL ||
        outcomes == NULL || npig == NULL) {
        rc = vn_mem_failure(&ev->mem);
        goto done;
    }
    if (plan->use_cats) {
        for (k = 0; k < ev->K; k++)
            ev->cat_ids[k] = cells.cat_ids[k];
    } else {
        ev->cat_ids[0] = -1;
    }

    if (opts->keep_records) {
        size_t n_match = vn_mul_size(vn_mul_size(cells.n_dt, plan->A), plan->T);
        match_out = n_match == SIZE_MAX ? NULL
                                         : vn_arena_array(&scratch, n_match, sizeof(int32_t));
        if (match_out == NULL && n_match != 0) {
            rc = vn_mem_failure(&ev->mem);
            goto done;
        }
        for (k = 0; k < n_match; k++)
            match_out[k] = -1;
    }
    rc = vn_match_all(&cells, plan, gt, res, &scratch, outcomes, npig, match_out, err);
    if (rc != VERNIER_OK)
        goto done;
    if (opts->keep_records) {
        rc = build_records(ev, &cells, gt, outcomes, match_out, &scratch);
        if (rc != VERNIER_OK)
            goto done;
    }
    rc = vn_accumulate(ev, &cells, outcomes, npig, &scratch);
    if (rc != VERNIER_OK)
        goto done;
    rc = vn_summarize(ev, &scratch);
done:
    if ((rc == VERNIER_E_NOMEM || rc == VERNIER_E_BUDGET) && err != NULL && err->message[0] == 0)
        vn_fail(err, rc, "%s while evaluating", vernier_strerror(rc));
    vn_arena_release(&scratch);
    vn_mask_cache_release(gt);
    return rc;
}

static int evaluate_checked(vernier_eval **out, const vernier_dataset *gt,
                            const vernier_results *res, const vernier_eval_options *opts,
                            const vernier_allocator *alc, vernier_error *err)
{
    vernier_eval_options defaults;
    vernier_eval *ev;
    vn_mem mem;
    vn_plan plan;
    int rc;

    if (gt == NULL || res == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "gt and res must not be NULL");
    if (opts == NULL) {
        vernier_eval_options_init(&defaults, VERNIER_EVAL_OPTIONS_VERSION);
        opts = &defaults;
    }
    VN_TRY(plan_from_options(&plan, opts, err));
    if (vn_mem_init(&mem, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    ev = vn_malloc(&mem, sizeof(*ev));
    if (ev == NULL)
        return vn_fail(err, vn_mem_failure(&mem), "%s", vernier_strerror(vn_mem_failure(&mem)));
    memset(ev, 0, sizeof(*ev));
    ev->mem = mem;
    ev->plan = plan;
    vn_arena_init(&ev->arena, &ev->mem);
    rc = evaluate(ev, gt, res, opts, err);
    if (rc != VERNIER_OK) {
        vernier_eval_free(ev);
        return rc;
    }
    *out = ev;
    return VERNIER_OK;
}

int vernier_evaluate(vernier_eval **out, const vernier_dataset *gt, const vernier_results *res,
                     const vernier_eval_options *opts, const vernier_allocator *alc,
                     vernier_error *err)
{
    vernier_error local;
    int rc;
    if (out == NULL) {
        vn_error_clear(err);
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out must not be NULL");
    }
    *out = NULL;
    /* err is written only on failure: work on a cleared copy */
    vn_error_clear(&local);
    rc = evaluate_checked(out, gt, res, opts, alc, &local);
    if (rc != VERNIER_OK && err != NULL)
        *err = local;
    return rc;
}

void vernier_eval_free(vernier_eval *ev)
{
    vn_mem mem;
    if (ev == NULL)
        return;
    vn_arena_release(&ev->arena);
    mem = ev->mem;
    vn_free(&mem, ev, sizeof(*ev));
}

void vernier_eval_dims(const vernier_eval *ev, size_t *t, size_t *r, size_t *k, size_t *a,
                       size_t *m)
{
    if (t != NULL)
        *t = ev->plan.T;
    if (r != NULL)
        *r = ev->plan.R;
    if (k != NULL)
        *k = ev->K;
    if (a != NULL)
        *a = ev->plan.A;
    if (m != NULL)
        *m = ev->plan.M;
}

/* [k][a][m][t][r] -> [t][r][k][a][m] (R = 1 for recall).  Written in
 * destination order; consecutive r read neighbouring doubles of the same
 * K*A*M curves, which stay in cache. */
static int copy_transposed(const vernier_eval *ev, const double *src, size_t R, double *out,
                           size_t n)
{
    const vn_plan *p = &ev->plan;
    size_t t, r, c, T = p->T, KAM = ev->K * p->A * p->M;
    if (out == NULL && n != 0)
        return VERNIER_E_INVALID_ARG;
    if (n != T * R * KAM)
        return VERNIER_E_INVALID_ARG;
    for (t = 0; t < T; t++)
        for (r = 0; r < R; r++)
            for (c = 0; c < KAM; c++)
                *out++ = src[(c * T + t) * R + r];
    return VERNIER_OK;
}

int vernier_eval_copy_precision(const vernier_eval *ev, double *out, size_t n)
{
    return copy_transposed(ev, ev->precision, ev->plan.R, out, n);
}

int vernier_eval_copy_recall(const vernier_eval *ev, double *out, size_t n)
{
    return copy_transposed(ev, ev->recall, 1, out, n);
}

int vernier_eval_copy_scores(const vernier_eval *ev, double *out, size_t n)
{
    return copy_transposed(ev, ev->scores, ev->plan.R, out, n);
}
const double *vernier_eval_iou_thresholds(const vernier_eval *ev) { return ev->plan.iou_thrs; }
const double *vernier_eval_recall_thresholds(const vernier_eval *ev) { return ev->plan.rec_thrs; }
const int64_t *vernier_eval_category_ids(const vernier_eval *ev) { return ev->cat_ids; }
const int64_t *vernier_eval_max_dets(const vernier_eval *ev) { return ev->plan.max_dets; }

size_t vernier_eval_num_stats(const vernier_eval *ev)
{
    return ev->n_stats;
}

size_t vernier_eval_stats(const vernier_eval *ev, double *out, size_t cap)
{
    size_t i;
    for (i = 0; i < ev->n_stats && i < cap; i++)
        out[i] = ev->stats[i];
    return ev->n_stats;
}

int vernier_eval_records_dims(const vernier_eval *ev, size_t *n_records, size_t *n_dt_rows,
                              size_t *n_gt_rows, size_t *n_eval_imgs)
{
    if (ev == NULL || !ev->has_records)
        return ev == NULL ? VERNIER_E_INVALID_ARG : VERNIER_E_STATE;
    if (n_records != NULL)
        *n_records = ev->n_rec;
    if (n_dt_rows != NULL)
        *n_dt_rows = ev->n_rec_dt;
    if (n_gt_rows != NULL)
        *n_gt_rows = ev->n_rec_gt;
    if (n_eval_imgs != NULL)
        *n_eval_imgs = ev->K * ev->plan.A * ev->n_images;
    return VERNIER_OK;
}

int vernier_eval_copy_records(const vernier_eval *ev, int64_t *records, int64_t *dt_id,
                              double *dt_score, int32_t *dt_match, uint8_t *dt_ignore,
                              int64_t *gt_id, uint8_t *gt_ignore, int32_t *gt_match)
{
    size_t T;
    if (ev == NULL)
        return VERNIER_E_INVALID_ARG;
    if (!ev->has_records)
        return VERNIER_E_STATE;
    T = ev->plan.T;
#define VN_COPY_OUT(dst, src, bytes)                \
    do {                                            \
        if ((dst) != NULL && (bytes) != 0)          \
            memcpy((dst), (src), (bytes));          \
    } while (0)
    VN_COPY_OUT(records, ev->rec, ev->n_rec * VN_REC_COLS * sizeof(int64_t));
    VN_COPY_OUT(dt_id, ev->rec_dt_id, ev->n_rec_dt * sizeof(int64_t));
    VN_COPY_OUT(dt_score, ev->rec_dt_score, ev->n_rec_dt * sizeof(double));
    VN_COPY_OUT(dt_match, ev->rec_dt_match, ev->n_rec_dt * T * sizeof(int32_t));
    VN_COPY_OUT(dt_ignore, ev->rec_dt_ignore, ev->n_rec_dt * T);
    VN_COPY_OUT(gt_id, ev->rec_gt_id, ev->n_rec_gt * sizeof(int64_t));
    VN_COPY_OUT(gt_ignore, ev->rec_gt_ignore, ev->n_rec_gt);
    VN_COPY_OUT(gt_match, ev->rec_gt_match, ev->n_rec_gt * T * sizeof(int32_t));
#undef VN_COPY_OUT
    return VERNIER_OK;
}

/* ---- cells of one batch (incremental sessions, session.c) ---------------- */

int vn_cells_build_subset(vn_cells *c, vn_arena *ar, const vn_cells *base,
                          const vn_hashmap *img_map, const vn_hashmap *cat_map,
                          const vernier_results *res, const vn_plan *plan, uint32_t **img_global,
                          vernier_error *err)
{
    size_t i, cl, nb, n_gt = 0, s;
    uint32_t *glob;
    vn_hashmap local;
    memset(c, 0, sizeof(*c));
    if (res->n >= UINT32_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "more than 2^32-1 results");
    /* the same refusal, with the same location, as build_dt_cells */
    for (i = 0; i < res->n; i++) {
        if (vn_hashmap_get(img_map, res->image_id[i]) == VN_HASHMAP_EMPTY) {
            char path[48];
            snprintf(path, sizeof(path), "[%zu].image_id", i);
            vn_fail(err, VERNIER_E_UNKNOWN_IMAGE,
                    "%s: image id %lld is not in the ground truth (pycocotools: Results do not "
                    "correspond to current coco set)",
                    path, (long long)res->image_id[i]);
            if (err != NULL) {
                vn_error_set_path(err, path);
                err->index = (int64_t)i;
                err->offset = (int64_t)res->offset[i];
            }
            return VERNIER_E_UNKNOWN_IMAGE;
        }
    }
    /* the batch's images, ascending: their local order is the global one */
    VN_TRY(sorted_unique(ar, res->image_id, res->n, &c->image_ids, &c->n_images));
    nb = c->n_images;
    c->n_cats = base->n_cats;
    c->cat_ids = base->cat_ids;
    c->n_cells = plan->use_cats ? nb * base->n_cats : nb;
    glob = vn_arena_array(ar, nb, sizeof(uint32_t));
    c->img_hw = vn_arena_array(ar, nb, 2 * sizeof(int64_t));
    c->gt_start = vn_arena_array(ar, c->n_cells + 1, sizeof(uint32_t));
    if (glob == NULL || c->img_hw == NULL || c->gt_start == NULL)
        return vn_mem_failure(ar->mem);
    for (i = 0; i < nb; i++) {
        glob[i] = vn_hashmap_get(img_map, c->image_ids[i]);
        c->img_hw[2 * i] = base->img_hw[2 * (size_t)glob[i]];
        c->img_hw[2 * i + 1] = base->img_hw[2 * (size_t)glob[i] + 1];
    }
    VN_TRY(index_ids(&local, ar, c->image_ids, nb));

    /* ground truth: each local cell is a slice of the base's cell */
    for (cl = 0; cl < c->n_cells; cl++) {
        size_t g = plan->use_cats ? (cl / nb) * base->n_images + glob[cl % nb] : glob[cl];
        c->gt_start[cl] = (uint32_t)n_gt;
        n_gt += base->gt_start[g + 1] - base->gt_start[g];
    }
    c->gt_start[c->n_cells] = (uint32_t)n_gt;
    c->n_gt = n_gt;
    c->gt_ann = vn_arena_array(ar, n_gt, sizeof(uint32_t));
    c->gt_bbox = vn_arena_array(ar, n_gt, 4 * sizeof(double));
    c->gt_area = vn_arena_array(ar, n_gt, sizeof(double));
    c->gt_crowd = vn_arena_array(ar, n_gt, 1);
    c->gt_real = vn_arena_array(ar, n_gt, 1);
    c->gt_ignore = vn_arena_array(ar, n_gt, 1);
    if (c->gt_ann == NULL || c->gt_bbox == NULL || c->gt_area == NULL || c->gt_crowd == NULL ||
        c->gt_real == NULL || c->gt_ignore == NULL)
        return vn_mem_failure(ar->mem);
    if (base->gt_mask != NULL) {
        c->gt_mask = vn_arena_array(ar, n_gt, sizeof(vn_rle *));
        c->gt_mbox = vn_arena_array(ar, n_gt, 4 * sizeof(double));
        if (c->gt_mask == NULL || c->gt_mbox == NULL)
            return vn_mem_failure(ar->mem);
    }
    if (base->gt_band != NULL) {
        c->gt_band = vn_arena_array(ar, n_gt, sizeof(vn_rle *));
        if (c->gt_band == NULL)
            return vn_mem_failure(ar->mem);
    }
    for (cl = 0; cl < c->n_cells; cl++) {
        size_t g = plan->use_cats ? (cl / nb) * base->n_images + glob[cl % nb] : glob[cl];
        size_t b0 = base->gt_start[g], n = base->gt_start[g + 1] - b0, d0 = c->gt_start[cl];
        if (n == 0)
            continue;
        memcpy(c->gt_ann + d0, base->gt_ann + b0, n * sizeof(uint32_t));
        memcpy(c->gt_bbox + 4 * d0, base->gt_bbox + 4 * b0, 4 * n * sizeof(double));
        memcpy(c->gt_area + d0, base->gt_area + b0, n * sizeof(double));
        memcpy(c->gt_crowd + d0, base->gt_crowd + b0, n);
        memcpy(c->gt_real + d0, base->gt_real + b0, n);
        memcpy(c->gt_ignore + d0, base->gt_ignore + b0, n);
        if (c->gt_mask != NULL) {
            for (s = 0; s < n; s++)
                c->gt_mask[d0 + s] = base->gt_mask[b0 + s];
            memcpy(c->gt_mbox + 4 * d0, base->gt_mbox + 4 * b0, 4 * n * sizeof(double));
        }
        if (c->gt_band != NULL)
            for (s = 0; s < n; s++)
                c->gt_band[d0 + s] = base->gt_band[b0 + s];
    }
    c->kp_vars = base->kp_vars;
    c->kp_count = base->kp_count;
    /* detections: exactly the one-shot grouping, ranking and cut, over the
     * batch's images */
    VN_TRY(build_dt_cells(c, ar, res, plan, &local, cat_map, err));
    *img_global = glob;
    return VERNIER_OK;
}

int vn_plan_from_options(vn_plan *plan, const vernier_eval_options *opts, vernier_error *err)
{
    return plan_from_options(plan, opts, err);
}

void vn_coco_sigmas(double out[17])
{
    size_t j;
    for (j = 0; j < 17; j++)
        out[j] = COCO_SIGMAS_X10[j] / 10.0;
}
