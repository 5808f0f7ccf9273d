/* cells.c — grouping ground truth and detections into cells (pycocotools'
 * _prepare), ranking detections, the GT masks and keypoint sigmas cells
 * carry, and the cells of one session batch. */
#include <stdio.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/sort.h"
#include "common/vn_error.h"
#include "eval/cells.h"
#include "eval/masks.h"
#include "eval/plan.h"

int vn_fail_unknown_image(vernier_error *err, const vernier_results *res, size_t i)
{
    char path[48];
    snprintf(path, sizeof(path), "[%zu].image_id", i);
    vn_fail(err, VERNIER_E_UNKNOWN_IMAGE,
            "%s: image id %lld is not in the ground truth (pycocotools: Results do not "
            "correspond to current coco set)",
            path, (long long)res->image_id[i]);
    vn_error_set_path(err, path);
    vn_error_set_element(err, (int64_t)i, (int64_t)res->offset[i]);
    vn_error_set_field(err, VERNIER_ERROR_HAS_IMAGE_ID, res->image_id[i]);
    vn_error_set_field(err, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i);
    return VERNIER_E_UNKNOWN_IMAGE;
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
    vn_error_set_path(err, path);
    vn_error_set_element(err, (int64_t)a, (int64_t)gt->ann_offset[a]);
    vn_error_set_field(err, VERNIER_ERROR_HAS_ANNOTATION_ID, gt->ann_id[a]);
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
        /* pycocotools reads a GT's bbox for box IoU and OKS only; mask and
         * boundary IoU read its segmentation */
        if (!(f & VN_ANN_HAS_BBOX) && (plan->iou_type == VERNIER_IOU_BBOX ||
                                       plan->iou_type == VERNIER_IOU_KEYPOINTS))
            return fail_missing(err, gt, a, "bbox");
        if (!(f & VN_ANN_HAS_ISCROWD))
            return fail_missing(err, gt, a, "iscrowd");
        if (!(f & VN_ANN_HAS_AREA))
            return fail_missing(err, gt, a, "area");
        if (f & VN_ANN_HAS_BBOX)
            memcpy(c->gt_bbox + 4 * i, gt->ann_bbox + 4 * (size_t)a, 4 * sizeof(double));
        else
            memset(c->gt_bbox + 4 * i, 0, 4 * sizeof(double)); /* never read (masks) */
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

/* `known` (NULL: img_map) holds every ground-truth image: a result on an
 * image outside it is refused, one on a known image outside img_map (an
 * image subset) takes no part. */
static int build_dt_cells(vn_cells *c, vn_arena *ar, const vernier_results *res,
                          const vn_plan *plan, const vn_hashmap *img_map,
                          const vn_hashmap *cat_map, const vn_hashmap *known,
                          vernier_error *err)
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
        if (img[i] == VN_HASHMAP_EMPTY &&
            (known == NULL || vn_hashmap_get(known, res->image_id[i]) == VN_HASHMAP_EMPTY))
            return vn_fail_unknown_image(err, res, i);
    }
    for (i = 0; i < n; i++) {
        uint32_t k = vn_hashmap_get(cat_map, res->category_id[i]);
        if (k == VN_HASHMAP_EMPTY || img[i] == VN_HASHMAP_EMPTY)
            continue; /* categories outside the GT's (or the subset) are never evaluated */
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
    for (j = 0; j < 2 * c->n_images; j++)
        c->img_hw[j] = -1; /* an image of a subset that the ground truth lacks */
    for (j = 0; j < gt->n_images; j++) {
        uint32_t i = vn_hashmap_get(img_map, gt->image_id[j]);
        if (i == VN_HASHMAP_EMPTY)
            continue; /* outside the image subset */
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
        for (i = 0; i < n; i++) {
            int rc = vn_seg_check_polygons(&gt->segs, c->gt_ann[i], "annotations", err);
            if (rc != VERNIER_OK) {
                vn_error_set_field(err, VERNIER_ERROR_HAS_ANNOTATION_ID,
                                   gt->ann_id[c->gt_ann[i]]);
                return rc;
            }
        }
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

/* vars = (sigmas * 2) ** 2 for n sigmas, into the arena. */
static int make_vars(vn_arena *ar, const double *sigmas, size_t n, const double **out)
{
    size_t j;
    double *v = vn_arena_array(ar, n, sizeof(double));
    if (v == NULL)
        return vn_mem_failure(ar->mem);
    for (j = 0; j < n; j++) {
        double s = sigmas[j];
        double t = s * 2;
        v[j] = t * t;
    }
    *out = v;
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
        VN_TRY(vn_check_sigmas(opts->sigmas, opts->n_sigmas, err));
        VN_TRY(make_vars(ar, opts->sigmas, opts->n_sigmas, &dflt));
        n_dflt = opts->n_sigmas;
    } else {
        double coco[VN_COCO_KEYPOINTS];
        vn_coco_sigmas(coco);
        VN_TRY(make_vars(ar, coco, VN_COCO_KEYPOINTS, &dflt));
        n_dflt = VN_COCO_KEYPOINTS;
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
        VN_TRY(vn_check_sigmas(vals, n, err));
        for (k = 0; k < c->n_cats; k++)
            if (c->cat_ids[k] == id)
                break;
        if (k == c->n_cats) {
            vn_fail(err, VERNIER_E_INVALID_ARG,
                    "sigmas are given for category %lld, which the ground truth lacks",
                    (long long)id);
            vn_error_set_field(err, VERNIER_ERROR_HAS_CATEGORY_ID, id);
            return VERNIER_E_INVALID_ARG;
        }
        for (j = 0; j < gt->n_categories; j++)
            if (gt->category_id[j] == id && gt->category_n_kp[j] >= 0 &&
                (size_t)gt->category_n_kp[j] != n) {
                vn_fail(err, VERNIER_E_INVALID_ARG,
                        "category %lld has %lld keypoints but %zu sigmas were given",
                        (long long)id, (long long)gt->category_n_kp[j], n);
                vn_error_set_field(err, VERNIER_ERROR_HAS_CATEGORY_ID, id);
                return VERNIER_E_INVALID_ARG;
            }
        VN_TRY(make_vars(ar, vals, n, &c->kp_vars[k]));
        c->kp_count[k] = n;
    }
    return VERNIER_OK;
}

int vn_cells_build(vn_cells *c, vn_arena *ar, const vernier_dataset *gt,
                   const vernier_results *res, const vn_plan *plan,
                   const vernier_eval_options *opts, vernier_error *err)
{
    vn_hashmap img_map, cat_map, known;
    const vn_hashmap *all_images = NULL;
    memset(c, 0, sizeof(*c));
    if (gt->n_anns >= UINT32_MAX || res->n >= UINT32_MAX || gt->n_images >= UINT32_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "more than 2^32-1 annotations, results or images");
    if (opts->image_ids != NULL) {
        /* p.imgIds = np.unique(p.imgIds) (possibly empty); loadRes still checks every result
         * against all the ground truth's images */
        int64_t *ids;
        size_t n_ids;
        VN_TRY(sorted_unique(ar, gt->image_id, gt->n_images, &ids, &n_ids));
        VN_TRY(index_ids(&known, ar, ids, n_ids));
        all_images = &known;
        VN_TRY(sorted_unique(ar, opts->image_ids, opts->n_image_ids, &c->image_ids,
                             &c->n_images));
    } else {
        VN_TRY(sorted_unique(ar, gt->image_id, gt->n_images, &c->image_ids, &c->n_images));
    }
    if (opts->category_ids != NULL)
        VN_TRY(sorted_unique(ar, opts->category_ids, opts->n_category_ids, &c->cat_ids,
                             &c->n_cats));
    else
        VN_TRY(sorted_unique(ar, gt->category_id, gt->n_categories, &c->cat_ids, &c->n_cats));
    c->n_cells = plan->use_cats ? c->n_images * c->n_cats : c->n_images;
    if (plan->use_cats && c->n_cats != 0 && c->n_images > (size_t)UINT32_MAX / c->n_cats)
        return vn_fail(err, VERNIER_E_LIMIT, "images x categories exceeds 2^32-1 cells");
    VN_TRY(index_ids(&img_map, ar, c->image_ids, c->n_images));
    VN_TRY(index_ids(&cat_map, ar, c->cat_ids, c->n_cats));
    VN_TRY(image_sizes(c, ar, gt, &img_map));
    VN_TRY(build_gt_cells(c, ar, gt, plan, &img_map, &cat_map, err));
    VN_TRY(build_dt_cells(c, ar, res, plan, &img_map, &cat_map, all_images, err));
    if (plan->iou_type == VERNIER_IOU_SEGM || plan->iou_type == VERNIER_IOU_BOUNDARY)
        VN_TRY(gt_masks(c, ar, gt, plan, err));
    if (plan->iou_type == VERNIER_IOU_KEYPOINTS)
        VN_TRY(keypoint_sigmas(c, ar, gt, opts, err));
    return VERNIER_OK;
}

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
        if (vn_hashmap_get(img_map, res->image_id[i]) == VN_HASHMAP_EMPTY)
            return vn_fail_unknown_image(err, res, i);
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
    VN_TRY(build_dt_cells(c, ar, res, plan, &local, cat_map, NULL, err));
    *img_global = glob;
    return VERNIER_OK;
}
