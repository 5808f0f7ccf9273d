/* checks.c — corrected mode's checks of results: one segmentation shape
 * per list (J6), a mask for every evaluated box-kind result (J2, K1). */
#include <stdio.h>

#include "common/vn_error.h"
#include "eval/checks.h"
#include "eval/masks.h"
#include "eval/plan.h"

int vn_checks_masks(const vn_plan *plan)
{
    return plan->parity_mode == VERNIER_PARITY_CORRECTED &&
           (plan->iou_type == VERNIER_IOU_SEGM || plan->iou_type == VERNIER_IOU_BOUNDARY);
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
            vn_error_set_path(err, path);
            vn_error_set_element(err, (int64_t)i, (int64_t)res->offset[i]);
            vn_error_set_field(err, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i);
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
            vn_error_set_path(err, path);
            vn_error_set_element(err, (int64_t)r, (int64_t)res->offset[r]);
            vn_error_set_field(err, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)r);
            return VERNIER_E_SCHEMA;
        }
        VN_TRY(vn_seg_check_polygons(&res->segs, r, "", err));
    }
    return VERNIER_OK;
}
