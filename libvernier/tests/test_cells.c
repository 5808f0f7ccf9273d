/* test_cells.c — grouping into cells (eval/cells.c), pycocotools'
 * _prepare and the per-cell ranking of evaluateImg:
 *
 *   gts = loadAnns(getAnnIds(imgIds=p.imgIds, catIds=p.catIds))  (useCats)
 *   dts = loadRes(...).loadAnns(getAnnIds(imgIds=p.imgIds, catIds=...))
 *   _gts[img, cat] / _dts[img, cat]: appended in that iteration order,
 *     which is p.imgIds (sorted ids) then the file order within an image;
 *   evaluateImg: pooled (useCats=0) concatenates the cell's categories in
 *     p.catIds order (sorted ids); detections sorted by -score with a stable
 *     sort (kind='mergesort'), cut to maxDets[-1].
 *   loadRes refuses a result on an image the ground truth lacks.
 *
 * The expected cells below are worked out by hand from those rules; each
 * test also checks that the arena gives every byte back. */
#include <stdint.h>

#include "harness.h"
#include "support.h"
#include "common/vn_alloc.h"
#include "eval/cells.h"
#include "eval/plan.h"
#include "vernier.h"

/* Images in the file: 30, 10, 20 -> sorted 10, 20, 30 (indices 0, 1, 2).
 * Categories 5, 2 (+ 7 on an annotation only) -> sorted 2, 5.
 *   ann a0: id 1, image 30, cat 2
 *   ann a1: id 2, image 10, cat 5, crowd
 *   ann a2: id 3, image 10, cat 2
 *   ann a3: id 4, image 20, cat 2
 *   ann a4: id 0, image 10, cat 2   (id 0: pycocotools' "no match" value)
 *   ann a5: id 6, image 10, cat 7   (category not in the GT's list) */
static const char GT[] =
    "{'images': [{'id': 30, 'width': 10, 'height': 20}, {'id': 10, 'width': 11, 'height': 21},"
    " {'id': 20, 'width': 12, 'height': 22}],"
    " 'categories': [{'id': 5}, {'id': 2}],"
    " 'annotations': ["
    "{'id': 1, 'image_id': 30, 'category_id': 2, 'bbox': [0, 0, 1, 1], 'area': 1, 'iscrowd': 0},"
    "{'id': 2, 'image_id': 10, 'category_id': 5, 'bbox': [0, 0, 2, 2], 'area': 2, 'iscrowd': 1},"
    "{'id': 3, 'image_id': 10, 'category_id': 2, 'bbox': [0, 0, 3, 3], 'area': 3, 'iscrowd': 0},"
    "{'id': 4, 'image_id': 20, 'category_id': 2, 'bbox': [0, 0, 4, 4], 'area': 4, 'iscrowd': 0},"
    "{'id': 0, 'image_id': 10, 'category_id': 2, 'bbox': [0, 0, 5, 5], 'area': 5, 'iscrowd': 0},"
    "{'id': 6, 'image_id': 10, 'category_id': 7, 'bbox': [0, 0, 6, 6], 'area': 6, 'iscrowd': 0}"
    "]}";

/* Results in file order:
 *   r0 image 30 cat 2 score .5     r4 image 10 cat 2 score .3 (ties r1)
 *   r1 image 10 cat 2 score .3     r5 image 10 cat 8 score .8 (unknown cat)
 *   r2 image 10 cat 2 score .9     r6 image 20 cat 5 score .7
 *   r3 image 10 cat 5 score .3     r7 image 10 cat 2 score .1 */
static const char DT[] =
    "[{'image_id': 30, 'category_id': 2, 'bbox': [0, 0, 1, 1], 'score': 0.5},"
    " {'image_id': 10, 'category_id': 2, 'bbox': [0, 0, 1, 2], 'score': 0.3},"
    " {'image_id': 10, 'category_id': 2, 'bbox': [0, 0, 1, 3], 'score': 0.9},"
    " {'image_id': 10, 'category_id': 5, 'bbox': [0, 0, 1, 4], 'score': 0.3},"
    " {'image_id': 10, 'category_id': 2, 'bbox': [0, 0, 1, 5], 'score': 0.3},"
    " {'image_id': 10, 'category_id': 8, 'bbox': [0, 0, 1, 6], 'score': 0.8},"
    " {'image_id': 20, 'category_id': 5, 'bbox': [0, 0, 1, 7], 'score': 0.7},"
    " {'image_id': 10, 'category_id': 2, 'bbox': [0, 0, 1, 8], 'score': 0.1}]";

static void check_u32(const uint32_t *got, const uint32_t *want, size_t n, const char *what)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (got[i] != want[i])
            fprintf(stderr, "  %s[%zu]: got %u, want %u\n", what, i, got[i], want[i]);
        CHECK_INT(got[i], want[i]);
    }
}

/* Options: the default grid with the maxDets ladder (1, 3): cells keep 3. */
static void options(vernier_eval_options *o, int use_cats, int parity)
{
    vernier_eval_options_init(o, VERNIER_EVAL_OPTIONS_VERSION);
    o->use_cats = use_cats;
    o->parity_mode = parity;
    o->n_max_dets = 2;
    o->max_dets[0] = 3;
    o->max_dets[1] = 1;
}

static void test_per_category(void)
{
    vernier_dataset *gt = must_load_gt_q(GT);
    vernier_results *res = must_load_res_q(DT);
    vernier_eval_options o;
    vn_plan plan;
    vn_cells c;
    vn_mem m;
    vn_arena ar;
    fail_alloc fa;
    vernier_allocator alc = fail_alloc_allocator(&fa);
    vernier_error err = VERNIER_ERROR_INIT;
    fail_alloc_init(&fa, 0, FAIL_ONLY);
    options(&o, 1, VERNIER_PARITY_STRICT);
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_OK);
    CHECK_INT(plan.max_det, 3);
    CHECK_INT(vn_mem_init(&m, &alc), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_cells_build(&c, &ar, gt, res, &plan, &o, &err), VERNIER_OK);
    {
        /* c = k * n_images + i: (cat 2: img 10, 20, 30), (cat 5: 10, 20, 30).
         * GT of cell (10, 2): a2, a4 in file order (a5 is category 7,
         * which p.catIds lacks); (20, 2): a3; (30, 2): a0; (10, 5): a1. */
        static const uint32_t gt_start[7] = {0, 2, 3, 4, 5, 5, 5};
        static const uint32_t gt_ann[5] = {2, 4, 3, 0, 1};
        /* detections of (10, 2): r1 .3, r2 .9, r4 .3, r7 .1 -> by score,
         * ties in input order: r2, r1, r4, r7 -> cut to 3: r2, r1, r4.
         * (30, 2): r0; (10, 5): r3; (20, 5): r6; r5 (cat 8) dropped. */
        static const uint32_t dt_start[7] = {0, 3, 3, 4, 5, 6, 6};
        static const uint32_t dt_res[6] = {2, 1, 4, 0, 3, 6};
        static const uint32_t dt_img[6] = {0, 0, 0, 2, 0, 1};
        static const uint8_t nonempty[6] = {1, 1, 1, 1, 1, 0};
        static const int64_t image_ids[3] = {10, 20, 30}, cat_ids[2] = {2, 5};
        static const double dt_score[6] = {0.9, 0.3, 0.3, 0.5, 0.3, 0.7};
        size_t i;
        CHECK_INT(c.n_images, 3);
        CHECK_INT(c.n_cats, 2);
        CHECK_INT(c.n_cells, 6);
        for (i = 0; i < 3; i++)
            CHECK_INT(c.image_ids[i], image_ids[i]);
        for (i = 0; i < 2; i++)
            CHECK_INT(c.cat_ids[i], cat_ids[i]);
        CHECK_INT(c.n_gt, 5);
        CHECK_INT(c.n_dt, 6);
        check_u32(c.gt_start, gt_start, 7, "gt_start");
        check_u32(c.gt_ann, gt_ann, 5, "gt_ann");
        check_u32(c.dt_start, dt_start, 7, "dt_start");
        check_u32(c.dt_res, dt_res, 6, "dt_res");
        check_u32(c.dt_img, dt_img, 6, "dt_img");
        for (i = 0; i < 6; i++) {
            CHECK_INT(c.nonempty[i], nonempty[i]);
            CHECK_DBL(c.dt_score[i], dt_score[i]);
            /* the slot's box is its result's: heights 1 + result index */
            CHECK_DBL(c.dt_bbox[4 * i + 3], (double)(dt_res[i] + 1));
            /* loadRes' bbox area: w * h */
            CHECK_DBL(c.dt_area[i], (double)(dt_res[i] + 1));
        }
        /* GT slots: box and area (annotation a has size a + 1), crowd,
         * ignore = iscrowd (strict), real = id != 0 */
        for (i = 0; i < 5; i++) {
            CHECK_DBL(c.gt_bbox[4 * i + 2], (double)(gt_ann[i] + 1));
            CHECK_DBL(c.gt_area[i], (double)(gt_ann[i] + 1));
            CHECK_INT(c.gt_crowd[i], gt_ann[i] == 1);
            CHECK_INT(c.gt_ignore[i], gt_ann[i] == 1);
            CHECK_INT(c.gt_real[i], gt_ann[i] != 4);
        }
        /* height, width per sorted image */
        CHECK_INT(c.img_hw[0], 21);
        CHECK_INT(c.img_hw[1], 11);
        CHECK_INT(c.img_hw[4], 20);
        CHECK_INT(c.img_hw[5], 10);
    }
    vn_arena_release(&ar);
    CHECK(fail_alloc_clean(&fa));

    /* corrected mode reads id 0 as a real annotation */
    options(&o, 1, VERNIER_PARITY_CORRECTED);
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_cells_build(&c, &ar, gt, res, &plan, &o, &err), VERNIER_OK);
    CHECK_INT(c.gt_ann[1], 4);
    CHECK_INT(c.gt_real[1], 1);
    vn_arena_release(&ar);
    CHECK(fail_alloc_clean(&fa));
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

static void test_pooled(void)
{
    vernier_dataset *gt = must_load_gt_q(GT);
    vernier_results *res = must_load_res_q(DT);
    vernier_eval_options o;
    vn_plan plan;
    vn_cells c;
    vn_mem m;
    vn_arena ar;
    vernier_error err = VERNIER_ERROR_INIT;
    options(&o, 0, VERNIER_PARITY_STRICT);
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_OK);
    CHECK_INT(vn_mem_init(&m, NULL), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_cells_build(&c, &ar, gt, res, &plan, &o, &err), VERNIER_OK);
    {
        /* one cell per image; a cell is its categories' lists in sorted
         * category order: image 10 = cat 2 (a2, a4) + cat 5 (a1); the
         * category-7 annotation a5 is in no visited list. */
        static const uint32_t gt_start[4] = {0, 3, 4, 5};
        static const uint32_t gt_ann[5] = {2, 4, 1, 3, 0};
        /* image 10: cat 2 (r1 .3, r2 .9, r4 .3, r7 .1) + cat 5 (r3 .3),
         * stable by score: r2, r1, r4, r3, r7 -> cut to 3: r2, r1, r4 */
        static const uint32_t dt_start[4] = {0, 3, 4, 5};
        static const uint32_t dt_res[5] = {2, 1, 4, 6, 0};
        CHECK_INT(c.n_cells, 3);
        CHECK_INT(c.n_gt, 5);
        CHECK_INT(c.n_dt, 5);
        check_u32(c.gt_start, gt_start, 4, "gt_start");
        check_u32(c.gt_ann, gt_ann, 5, "gt_ann");
        check_u32(c.dt_start, dt_start, 4, "dt_start");
        check_u32(c.dt_res, dt_res, 5, "dt_res");
    }
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);

    /* with a larger cap the tie order within the pooled cell shows: r3
     * (category 5) comes after r4 (category 2) although r3 is earlier in
     * the file */
    o.max_dets[0] = 10;
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_cells_build(&c, &ar, gt, res, &plan, &o, &err), VERNIER_OK);
    {
        static const uint32_t dt_start[4] = {0, 5, 6, 7};
        static const uint32_t dt_res[7] = {2, 1, 4, 3, 7, 6, 0};
        check_u32(c.dt_start, dt_start, 4, "dt_start");
        check_u32(c.dt_res, dt_res, 7, "dt_res");
    }
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

/* A result on an image the ground truth lacks fails the whole list, at
 * the first such result (loadRes' assertion). */
static void test_unknown_image(void)
{
    vernier_dataset *gt = must_load_gt_q(GT);
    vernier_results *res =
        must_load_res_q("[{'image_id': 10, 'category_id': 2, 'bbox': [0, 0, 1, 1], 'score': 1},"
                        " {'image_id': 11, 'category_id': 2, 'bbox': [0, 0, 1, 1], 'score': 1},"
                        " {'image_id': 12, 'category_id': 2, 'bbox': [0, 0, 1, 1], 'score': 1}]");
    vernier_eval_options o;
    vn_plan plan;
    vn_cells c;
    vn_mem m;
    vn_arena ar;
    vernier_error err = VERNIER_ERROR_INIT;
    options(&o, 1, VERNIER_PARITY_STRICT);
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_OK);
    CHECK_INT(vn_mem_init(&m, NULL), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_cells_build(&c, &ar, gt, res, &plan, &o, &err), VERNIER_E_UNKNOWN_IMAGE);
    CHECK_INT(err.code, VERNIER_E_UNKNOWN_IMAGE);
    CHECK_STR(err.path, "[1].image_id");
    CHECK_INT(err.index, 1);
    CHECK(strstr(err.message, "11") != NULL);
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

/* No results at all: every detection range is empty, GT cells as before. */
static void test_no_results(void)
{
    vernier_dataset *gt = must_load_gt_q(GT);
    vernier_results *res = must_load_res_q("[]");
    vernier_eval_options o;
    vn_plan plan;
    vn_cells c;
    vn_mem m;
    vn_arena ar;
    vernier_error err = VERNIER_ERROR_INIT;
    size_t i;
    options(&o, 1, VERNIER_PARITY_STRICT);
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_OK);
    CHECK_INT(vn_mem_init(&m, NULL), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_cells_build(&c, &ar, gt, res, &plan, &o, &err), VERNIER_OK);
    CHECK_INT(c.n_dt, 0);
    CHECK_INT(c.n_gt, 5);
    for (i = 0; i <= 6; i++)
        CHECK_INT(c.dt_start[i], 0);
    /* only cells with ground truth are non-empty: (10,2) (20,2) (30,2) (10,5) */
    CHECK_INT(c.nonempty[0] + c.nonempty[1] + c.nonempty[2] + c.nonempty[3], 4);
    CHECK_INT(c.nonempty[4] + c.nonempty[5], 0);
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

/* Subsets (p.imgIds / p.catIds): images 30, 10, 30 and 99 (99 is not in
 * the ground truth) -> sorted unique 10, 30, 99; category 2 only.  r6 is
 * on image 20, a ground-truth image outside the subset: it takes no part
 * (no error).  Cells (cat 2: img 10, 30, 99): GT (10, 2) a2, a4; (30, 2)
 * a0; (99, 2) none.  Detections (10, 2) r2, r1, r4 (cut to 3); (30, 2)
 * r0. */
static void test_subsets(void)
{
    static const int64_t imgs[4] = {30, 10, 30, 99}, cats[1] = {2}, pooled_cats[1] = {5};
    vernier_dataset *gt = must_load_gt_q(GT);
    vernier_results *res = must_load_res_q(DT);
    vernier_results *bad;
    vernier_eval_options o;
    vn_plan plan;
    vn_cells c;
    vn_mem m;
    vn_arena ar;
    vernier_error err = VERNIER_ERROR_INIT;
    options(&o, 1, VERNIER_PARITY_STRICT);
    o.n_image_ids = 4;
    o.image_ids = imgs;
    o.n_category_ids = 1;
    o.category_ids = cats;
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_OK);
    CHECK_INT(vn_options_have_subsets(&o), 1);
    CHECK_INT(vn_mem_init(&m, NULL), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_cells_build(&c, &ar, gt, res, &plan, &o, &err), VERNIER_OK);
    {
        static const uint32_t gt_start[4] = {0, 2, 3, 3}, gt_ann[3] = {2, 4, 0};
        static const uint32_t dt_start[4] = {0, 3, 4, 4}, dt_res[4] = {2, 1, 4, 0};
        static const uint32_t dt_img[4] = {0, 0, 0, 1};
        static const uint8_t nonempty[3] = {1, 1, 0};
        static const int64_t image_ids[3] = {10, 30, 99};
        size_t i;
        CHECK_INT(c.n_images, 3);
        CHECK_INT(c.n_cats, 1);
        CHECK_INT(c.cat_ids[0], 2);
        CHECK_INT(c.n_cells, 3);
        for (i = 0; i < 3; i++) {
            CHECK_INT(c.image_ids[i], image_ids[i]);
            CHECK_INT(c.nonempty[i], nonempty[i]);
        }
        CHECK_INT(c.n_gt, 3);
        CHECK_INT(c.n_dt, 4);
        check_u32(c.gt_start, gt_start, 4, "gt_start");
        check_u32(c.gt_ann, gt_ann, 3, "gt_ann");
        check_u32(c.dt_start, dt_start, 4, "dt_start");
        check_u32(c.dt_res, dt_res, 4, "dt_res");
        check_u32(c.dt_img, dt_img, 4, "dt_img");
        /* image 30 is 20 x 10; image 99 has no size */
        CHECK_INT(c.img_hw[2], 20);
        CHECK_INT(c.img_hw[3], 10);
        CHECK_INT(c.img_hw[4], -1);
        CHECK_INT(c.img_hw[5], -1);
    }
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);

    /* a result on an image the ground truth lacks is refused even outside
     * the subset, as loadRes refuses it */
    bad = must_load_res_q("[{'image_id': 10, 'category_id': 2, 'bbox': [0, 0, 1, 1], 'score': 1},"
                          " {'image_id': 11, 'category_id': 2, 'bbox': [0, 0, 1, 1], 'score': 1}]");
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_cells_build(&c, &ar, gt, bad, &plan, &o, &err), VERNIER_E_UNKNOWN_IMAGE);
    CHECK_STR(err.path, "[1].image_id");
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);
    vernier_results_free(bad);

    /* pooled over category 5 only, every image: GT a1 (image 10);
     * detections r3 (image 10), r6 (image 20) */
    options(&o, 0, VERNIER_PARITY_STRICT);
    o.n_category_ids = 1;
    o.category_ids = pooled_cats;
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_cells_build(&c, &ar, gt, res, &plan, &o, &err), VERNIER_OK);
    {
        static const uint32_t gt_start[4] = {0, 1, 1, 1}, gt_ann[1] = {1};
        static const uint32_t dt_start[4] = {0, 1, 2, 2}, dt_res[2] = {3, 6};
        CHECK_INT(c.n_cells, 3);
        CHECK_INT(c.n_gt, 1);
        CHECK_INT(c.n_dt, 2);
        check_u32(c.gt_start, gt_start, 4, "gt_start");
        check_u32(c.gt_ann, gt_ann, 1, "gt_ann");
        check_u32(c.dt_start, dt_start, 4, "dt_start");
        check_u32(c.dt_res, dt_res, 2, "dt_res");
    }
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);

    /* a count without its array */
    options(&o, 1, VERNIER_PARITY_STRICT);
    o.n_image_ids = 2;
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_E_INVALID_ARG);
    CHECK(strstr(err.message, "image_ids") != NULL);
    options(&o, 1, VERNIER_PARITY_STRICT);
    o.n_category_ids = 1;
    CHECK_INT(vn_plan_from_options(&plan, &o, &err), VERNIER_E_INVALID_ARG);
    CHECK(strstr(err.message, "category_ids") != NULL);
    options(&o, 1, VERNIER_PARITY_STRICT);
    CHECK_INT(vn_options_have_subsets(&o), 0);
    vernier_results_free(res);
    vernier_dataset_free(gt);
}

int main(void)
{
    RUN(test_per_category);
    RUN(test_subsets);
    RUN(test_pooled);
    RUN(test_unknown_image);
    RUN(test_no_results);
    return harness_report("test_cells");
}
