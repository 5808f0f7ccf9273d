/* test_coco.c — loading COCO ground truth and result lists (coco.c):
 * columns as read, loadRes' derived bbox/area bit for bit (expected values
 * from pycocotools 2.0.11, see tests/data/gen_results_expected.py), every
 * error class with its location, truncated input, and allocation failure
 * at every allocation without leaks. */
#include <stdint.h>
#include <stdlib.h>

#include "parse/coco.h"
#include "harness.h"
#include "support.h"
#include "vernier.h"

/* Checks a failure: code, offset (first occurrence of `at` in the
 * document, NULL: -1), path, index and message (+ location suffix). */
static void check_error(const char *q, int rc, const vernier_error *err, int code, const char *at,
                        const char *path, int64_t index, const char *msg)
{
    int before = harness_failures;
    int64_t off = -1;
    char want[512];
    if (at != NULL) {
        const char *hit = strstr(q, at);
        CHECK(hit != NULL);
        if (hit != NULL)
            off = hit - q;
    }
    CHECK_INT(rc, code);
    CHECK_INT(err->code, code);
    CHECK_INT(err->offset, off);
    CHECK_STR(err->path, path);
    CHECK_INT(err->index, index);
    if (off >= 0)
        snprintf(want, sizeof(want), "%s (line 1, column %lld)", msg, (long long)off + 1);
    else
        snprintf(want, sizeof(want), "%s", msg);
    CHECK_STR(err->message, want);
    if (harness_failures != before)
        fprintf(stderr, "  ... in document: %s\n", q);
}

static void gt_error(const char *q, int code, const char *at, const char *path, int64_t index,
                     const char *msg)
{
    vernier_dataset *ds = (vernier_dataset *)&ds; /* must come back NULL */
    vernier_error err = VERNIER_ERROR_INIT;
    int rc = load_gt_q(q, &ds, &err);
    CHECK(ds == NULL);
    check_error(q, rc, &err, code, at, path, index, msg);
}

static void res_error(const char *q, int code, const char *at, const char *path, int64_t index,
                      const char *msg)
{
    vernier_results *res = (vernier_results *)&res;
    vernier_error err = VERNIER_ERROR_INIT;
    int rc = load_res_q(q, &res, &err);
    CHECK(res == NULL);
    check_error(q, rc, &err, code, at, path, index, msg);
}

/* ---- ground truth: good input ------------------------------------------ */

static const char gt_doc[] =
    "{'info': {'year': 2014, 'nested': [[[{'a': null}]]]}, 'licenses': [],"
    " 'images': [{'id': 1, 'width': 640, 'height': 480, 'file_name': 'a\\u00e9.jpg'},"
    " {'id': 2.0, 'file_name': 'b'}, {'id': 3e0, 'width': 0, 'height': 0}],"
    " 'categories': [{'id': 1, 'name': 'person', 'keypoints': ['nose'], 'skeleton': [[1, 2]]},"
    " {'id': -7, 'supercategory': 'x'}],"
    " 'annotations': ["
    "{'id': 10, 'image_id': 1, 'category_id': 1, 'bbox': [1.5, 2, 3.25, 4], 'area': 13.0,"
    " 'iscrowd': 0, 'segmentation': [[1, 2, 3, 4, 5, 6]], 'keypoints': [1, 2, 2], 'num_keypoints': 1},"
    " {'id': 11, 'image_id': 2, 'category_id': -7, 'iscrowd': true, 'ignore': 1,"
    " 'segmentation': {'size': [2, 3], 'counts': [6]}, 'area': 0},"
    " {'i\\u0064': 12, 'image_id': 1.0, 'category_id': 1, 'iscrowd': 2, 'ignore': false,"
    " 'bbox': [0, 0, 0, 0]},"
    " {'id': -9223372036854775808, 'image_id': 9223372036854775807, 'category_id': 1e2,"
    " 'iscrowd': 1.0, 'ignore': 0.5, 'unknown': {'x': [1, {'y': 'z'}]}, 'num_keypoints': 2E0}"
    "], 'type': 'instances'}";

static void test_gt_good(void)
{
    vernier_dataset *ds = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    size_t i;
    const char *p;
    memset(&err, 0x5A, sizeof(err));
    {
        vernier_error before = err;
        CHECK_INT(load_gt_q(gt_doc, &ds, &err), VERNIER_OK);
        CHECK(memcmp(&before, &err, sizeof(err)) == 0); /* untouched on success */
    }
    if (ds == NULL)
        return;
    CHECK_INT(vernier_dataset_num_images(ds), 3);
    CHECK_INT(vernier_dataset_num_categories(ds), 2);
    CHECK_INT(vernier_dataset_num_annotations(ds), 4);
    CHECK(vernier_dataset_sizeof(ds) >= sizeof(*ds));
    CHECK_INT(vernier_dataset_sizeof(ds), ds->mem.used);

    CHECK_INT(ds->image_id[0], 1);
    CHECK_INT(ds->image_width[0], 640);
    CHECK_INT(ds->image_height[0], 480);
    CHECK_INT(ds->image_id[1], 2);
    CHECK_INT(ds->image_width[1], -1);
    CHECK_INT(ds->image_height[1], -1);
    CHECK_INT(ds->image_id[2], 3);
    CHECK_INT(ds->image_width[2], 0);
    CHECK_INT(ds->category_id[0], 1);
    CHECK_INT(ds->category_id[1], -7);

    CHECK_INT(ds->ann_id[0], 10);
    CHECK_INT(ds->ann_image_id[0], 1);
    CHECK_INT(ds->ann_category_id[0], 1);
    CHECK_DBL(ds->ann_bbox[0], 1.5);
    CHECK_DBL(ds->ann_bbox[1], 2.0);
    CHECK_DBL(ds->ann_bbox[2], 3.25);
    CHECK_DBL(ds->ann_bbox[3], 4.0);
    CHECK_DBL(ds->ann_area[0], 13.0);
    CHECK_INT(ds->ann_iscrowd[0], 0);
    CHECK_INT(ds->ann_ignore[0], 0);
    CHECK_INT(ds->ann_num_keypoints[0], 1);
    CHECK_INT(ds->ann_flags[0], VN_ANN_HAS_BBOX | VN_ANN_HAS_AREA | VN_ANN_HAS_ISCROWD |
                                    VN_ANN_HAS_SEGMENTATION | VN_ANN_HAS_KEYPOINTS |
                                    VN_ANN_HAS_NUM_KEYPOINTS);

    CHECK_INT(ds->ann_id[1], 11);
    CHECK_INT(ds->ann_category_id[1], -7);
    CHECK_DBL(ds->ann_bbox[4], 0.0);
    CHECK_DBL(ds->ann_area[1], 0.0);
    CHECK_INT(ds->ann_iscrowd[1], 1);
    CHECK_INT(ds->ann_ignore[1], 1);
    CHECK_INT(ds->ann_num_keypoints[1], 0);
    CHECK_INT(ds->ann_flags[1],
              VN_ANN_HAS_ISCROWD | VN_ANN_HAS_IGNORE | VN_ANN_HAS_SEGMENTATION | VN_ANN_HAS_AREA);

    CHECK_INT(ds->ann_id[2], 12); /* escaped key "i\u0064" is "id" */
    CHECK_INT(ds->ann_image_id[2], 1);
    CHECK_INT(ds->ann_iscrowd[2], 2);
    CHECK_INT(ds->ann_ignore[2], 0);
    CHECK_INT(ds->ann_flags[2], VN_ANN_HAS_ISCROWD | VN_ANN_HAS_IGNORE | VN_ANN_HAS_BBOX);

    CHECK_INT(ds->ann_id[3], INT64_MIN);
    CHECK_INT(ds->ann_image_id[3], INT64_MAX);
    CHECK_INT(ds->ann_category_id[3], 100);
    CHECK_INT(ds->ann_iscrowd[3], 1);
    CHECK_INT(ds->ann_ignore[3], 1); /* 0.5 is truthy */
    CHECK_INT(ds->ann_num_keypoints[3], 2);

    /* Offsets point at each annotation's '{'. */
    p = strstr(gt_doc, "'annotations': [") + strlen("'annotations': [");
    CHECK_INT(ds->ann_offset[0], p - gt_doc);
    p = strstr(gt_doc, "{'id': 11");
    CHECK_INT(ds->ann_offset[1], p - gt_doc);
    p = strstr(gt_doc, "{'i\\u0064'");
    CHECK_INT(ds->ann_offset[2], p - gt_doc);
    for (i = 1; i < 4; i++)
        CHECK(ds->ann_offset[i] > ds->ann_offset[i - 1]);
    vernier_dataset_free(ds);

    /* Empty arrays, whitespace around, keys in any order. */
    CHECK_INT(load_gt_q(" \n{'annotations': [], 'categories': [], 'images': []}\n ", &ds, NULL),
              VERNIER_OK);
    CHECK_INT(vernier_dataset_num_annotations(ds), 0);
    vernier_dataset_free(ds);
    vernier_dataset_free(NULL);
    CHECK_INT(vernier_dataset_num_images(NULL), 0);
    CHECK_INT(vernier_dataset_sizeof(NULL), 0);
}

/* ---- ground truth: errors ---------------------------------------------- */

#define EMPTY3 "'images': [], 'categories': [], "
#define ANN_PREFIX "{" EMPTY3 "'annotations': [{'id': 1, 'image_id': 1, 'category_id': 1, "

static void test_gt_schema_errors(void)
{
    gt_error("[]", VERNIER_E_SCHEMA, "[", "", -1,
             "expected a COCO object at the top level, got array");
    gt_error("{'categories': [], 'annotations': []}", VERNIER_E_SCHEMA, "{", "", -1,
             "missing required key \"images\"");
    gt_error("{'images': [], 'annotations': []}", VERNIER_E_SCHEMA, "{", "", -1,
             "missing required key \"categories\"");
    gt_error("{'images': [], 'categories': []}", VERNIER_E_SCHEMA, "{", "", -1,
             "missing required key \"annotations\"");
    gt_error("{'images': {}, 'categories': [], 'annotations': []}", VERNIER_E_SCHEMA, "{}",
             "images", -1, "images: expected an array, got object");
    gt_error("{'images': [], 'images': [], 'categories': [], 'annotations': []}",
             VERNIER_E_SCHEMA, "'images': [], 'c", "images", -1,
             "images: duplicate key \"images\" (refused: Python would silently keep the last)");

    /* Wrong types and shapes of bbox. */
    gt_error(ANN_PREFIX "'bbox': 'x'}]}", VERNIER_E_SCHEMA, "'x'", "annotations[0].bbox", 0,
             "annotations[0].bbox: expected an array of 4 numbers, got string");
    gt_error(ANN_PREFIX "'bbox': [1, 2, 3]}]}", VERNIER_E_SCHEMA, "[1, 2, 3]",
             "annotations[0].bbox", 0, "annotations[0].bbox: expected 4 numbers, got 3");
    gt_error(ANN_PREFIX "'bbox': [1, 2, 3, 4,  5]}]}", VERNIER_E_SCHEMA, "5]",
             "annotations[0].bbox[4]", 0, "annotations[0].bbox[4]: expected 4 numbers, got more");
    gt_error(ANN_PREFIX "'bbox': [1, 2, '3', 4]}]}", VERNIER_E_SCHEMA, "'3'",
             "annotations[0].bbox[2]", 0,
             "annotations[0].bbox[2]: expected a number, got string");
    gt_error(ANN_PREFIX "'bbox': [1, 1e400, 3, 4]}]}", VERNIER_E_SCHEMA, "1e400",
             "annotations[0].bbox[1]", 0, "annotations[0].bbox[1]: number is not finite");
    gt_error(ANN_PREFIX "'area': -1e999}]}", VERNIER_E_SCHEMA, "-1e999", "annotations[0].area",
             0, "annotations[0].area: number is not finite");
    gt_error(ANN_PREFIX "'area': null}]}", VERNIER_E_SCHEMA, "null", "annotations[0].area", 0,
             "annotations[0].area: expected a number, got null");

    /* Ids. */
    gt_error("{" EMPTY3 "'annotations': [{'id': 1, 'image_id': 1, 'category_id': 1},"
             " {'id': 2, 'image_id': '1', 'category_id': 1}]}",
             VERNIER_E_SCHEMA, "'1'", "annotations[1].image_id", 1,
             "annotations[1].image_id: expected an integer id, got string");
    gt_error("{'images': [{'id': true}], 'categories': [], 'annotations': []}", VERNIER_E_SCHEMA,
             "true", "images[0].id", 0, "images[0].id: expected an integer id, got boolean");
    gt_error("{'images': [], 'categories': [{'id': 1}, {'id': null}], 'annotations': []}",
             VERNIER_E_SCHEMA, "null", "categories[1].id", 1,
             "categories[1].id: expected an integer id, got null");
    gt_error("{'images': [{'id': [1]}], 'categories': [], 'annotations': []}", VERNIER_E_SCHEMA,
             "[1]", "images[0].id", 0, "images[0].id: expected an integer id, got array");
    gt_error("{'images': [{'id': 1.5}], 'categories': [], 'annotations': []}", VERNIER_E_SCHEMA,
             "1.5", "images[0].id", 0,
             "images[0].id: expected an integer id, got non-integral number 1.5");
    gt_error("{'images': [{'id': 1e400}], 'categories': [], 'annotations': []}",
             VERNIER_E_SCHEMA, "1e400", "images[0].id", 0, "images[0].id: number is not finite");
    gt_error("{'images': [{'id': 9223372036854775808}], 'categories': [], 'annotations': []}",
             VERNIER_E_SCHEMA, "9223372036854775808", "images[0].id", 0,
             "images[0].id: expected an integer id, got an integer outside the 64-bit range");
    gt_error("{'images': [{'id': -9223372036854775809}], 'categories': [], 'annotations': []}",
             VERNIER_E_SCHEMA, "-9223372036854775809", "images[0].id", 0,
             "images[0].id: expected an integer id, got an integer outside the 64-bit range");
    gt_error("{'images': [{'id': 9.2233720368547758e18}], 'categories': [], 'annotations': []}",
             VERNIER_E_SCHEMA, "9.2233720368547758e18", "images[0].id", 0,
             "images[0].id: expected an integer id, got 9.2233720368547758e+18 (outside the "
             "64-bit range)");

    /* Missing required keys: located at the object's '{'. */
    gt_error("{'images': [{'id': 1}, {'width': 3}], 'categories': [], 'annotations': []}",
             VERNIER_E_SCHEMA, "{'width'", "images[1]", 1,
             "images[1]: missing required key \"id\"");
    gt_error("{'images': [], 'categories': [{}], 'annotations': []}", VERNIER_E_SCHEMA, "{}",
             "categories[0]", 0, "categories[0]: missing required key \"id\"");
    gt_error("{" EMPTY3 "'annotations': [{'id': 1, 'category_id': 1}]}", VERNIER_E_SCHEMA,
             "{'id': 1, 'c", "annotations[0]", 0,
             "annotations[0]: missing required key \"image_id\"");
    gt_error("{" EMPTY3 "'annotations': [{'image_id': 1, 'category_id': 1}]}", VERNIER_E_SCHEMA,
             "{'image_id", "annotations[0]", 0, "annotations[0]: missing required key \"id\"");
    gt_error("{" EMPTY3 "'annotations': [{'id': 1, 'image_id': 1}]}", VERNIER_E_SCHEMA,
             "{'id': 1, 'im", "annotations[0]", 0,
             "annotations[0]: missing required key \"category_id\"");
    gt_error("{" EMPTY3 "'annotations': [1]}", VERNIER_E_SCHEMA, "1]", "annotations[0]", 0,
             "annotations[0]: expected an object, got number");

    /* A known key twice: refused at the second one. */
    gt_error(ANN_PREFIX "'bbox': [1, 2, 3, 4], 'bbox': [1, 2, 3, 4]}]}", VERNIER_E_SCHEMA,
             "'bbox': [1, 2, 3, 4]}", "annotations[0].bbox", 0,
             "annotations[0].bbox: duplicate key \"bbox\" (refused: Python would silently keep "
             "the last)");
    gt_error(ANN_PREFIX "'i\\u0064': 2}]}", VERNIER_E_SCHEMA, "'i\\u0064'",
             "annotations[0].i\\u0064", 0,
             "annotations[0].i\\u0064: duplicate key \"id\" (refused: Python would silently keep "
             "the last)");

    /* iscrowd, ignore, num_keypoints, width/height. */
    gt_error(ANN_PREFIX "'iscrowd': 256}]}", VERNIER_E_SCHEMA, "256", "annotations[0].iscrowd",
             0, "annotations[0].iscrowd: expected an integer 0..255 or a boolean, got 256");
    gt_error(ANN_PREFIX "'iscrowd': -1}]}", VERNIER_E_SCHEMA, "-1", "annotations[0].iscrowd", 0,
             "annotations[0].iscrowd: expected an integer 0..255 or a boolean, got -1");
    gt_error(ANN_PREFIX "'iscrowd': 0.5}]}", VERNIER_E_SCHEMA, "0.5", "annotations[0].iscrowd",
             0,
             "annotations[0].iscrowd: expected an integer 0..255 or a boolean, got non-integral "
             "number 0.5");
    gt_error(ANN_PREFIX "'iscrowd': '1'}]}", VERNIER_E_SCHEMA, "'1'", "annotations[0].iscrowd",
             0, "annotations[0].iscrowd: expected an integer 0..255 or a boolean, got string");
    gt_error(ANN_PREFIX "'ignore': 'x'}]}", VERNIER_E_SCHEMA, "'x'", "annotations[0].ignore", 0,
             "annotations[0].ignore: expected a number or a boolean, got string");
    gt_error(ANN_PREFIX "'num_keypoints': 1.5}]}", VERNIER_E_SCHEMA, "1.5",
             "annotations[0].num_keypoints", 0,
             "annotations[0].num_keypoints: expected an integer, got non-integral number 1.5");
    gt_error("{'images': [{'id': 1, 'width': -1}], 'categories': [], 'annotations': []}",
             VERNIER_E_SCHEMA, "-1", "images[0].width", 0,
             "images[0].width: expected a non-negative integer, got -1");
    gt_error("{'images': [{'id': 1, 'height': '480'}], 'categories': [], 'annotations': []}",
             VERNIER_E_SCHEMA, "'480'", "images[0].height", 0,
             "images[0].height: expected a non-negative integer, got string");
}

static void test_gt_json_errors(void)
{
    /* A type error on a malformed value reports the JSON error. */
    gt_error(ANN_PREFIX "'bbox': 'x\\q'}]}", VERNIER_E_JSON, "\\q", "annotations[0].bbox", 0,
             "annotations[0].bbox: invalid escape");
    gt_error(ANN_PREFIX "'area': NaN}]}", VERNIER_E_JSON, "NaN", "annotations[0].area", 0,
             "annotations[0].area: non-finite number literal NaN is not allowed");
    gt_error(ANN_PREFIX "'segmentation': [[1, 2,, 3]]}]}", VERNIER_E_JSON, ", 3]",
             "annotations[0].segmentation[0][2]", 0,
             "annotations[0].segmentation[0][2]: expected a value, found ','");
    gt_error("{'images': [{'id': 1, 'file_name': 'a\xC3\x28'}], 'categories': [], "
             "'annotations': []}",
             VERNIER_E_JSON, "\xC3", "images[0].file_name", 0,
             "images[0].file_name: invalid UTF-8 in string");
    gt_error("{" EMPTY3 "'annotations': []} x", VERNIER_E_JSON, "x", "", -1,
             "trailing data after the top-level value");
    gt_error("\xEF\xBB\xBF{" EMPTY3 "'annotations': []}", VERNIER_E_JSON, "\xEF", "", -1,
             "a UTF-8 byte-order mark is not allowed");
    {
        /* Deep nesting inside an ignored key. */
        size_t depth = 600, i, n = 0;
        char *q = malloc(64 + 2 * depth);
        n += (size_t)sprintf(q, "{'info': ");
        for (i = 0; i < depth; i++)
            q[n++] = '[';
        for (i = 0; i < depth; i++)
            q[n++] = ']';
        strcpy(q + n, ", " EMPTY3 "'annotations': []}");
        {
            vernier_dataset *ds = NULL;
            vernier_error err = VERNIER_ERROR_INIT;
            CHECK_INT(load_gt_q(q, &ds, &err), VERNIER_E_LIMIT);
            CHECK(ds == NULL);
            CHECK_INT(err.offset, 9 + 511); /* the 512th '[' is depth 513 */
            CHECK(strstr(err.message, "nesting deeper than 512 levels") != NULL);
        }
        free(q);
    }
}

/* ---- results ------------------------------------------------------------ */

/* Expected bbox/area: pycocotools 2.0.11 loadRes on the same lists
 * (tests/data/gen_results_expected.py), as hex floats. */
static void test_results_bbox(void)
{
    static const char q[] =
        "[{'image_id': 1, 'category_id': 2, 'bbox': [10.5, 20.25, 30.1, 40.7], 'score': 0.9,"
        " 'id': 77, 'iscrowd': 1, 'area': 5},"
        " {'image_id': 2.0, 'category_id': 3, 'bbox': [0, 0, 3, 7], 'score': 1,"
        " 'segmentation': [[1, 2, 3, 4, 5, 6]]}]";
    vernier_results *res = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(load_res_q(q, &res, &err), VERNIER_OK);
    if (res == NULL)
        return;
    CHECK_INT(vernier_results_get_kind(res), VERNIER_RESULTS_BBOX);
    CHECK_INT(vernier_results_num_detections(res), 2);
    CHECK_INT(res->image_id[0], 1);
    CHECK_INT(res->category_id[0], 2);
    CHECK_DBL(res->bbox[0], 0x1.5p+3);
    CHECK_DBL(res->bbox[1], 0x1.44p+4);
    CHECK_DBL(res->bbox[2], 0x1.e19999999999ap+4);
    CHECK_DBL(res->bbox[3], 0x1.459999999999ap+5);
    CHECK_DBL(res->area[0], 0x1.32447ae147ae2p+10); /* 30.1 * 40.7, not the given 5 */
    CHECK_DBL(res->score[0], 0.9);
    CHECK_INT(res->offset[0], 1);
    CHECK_INT(res->image_id[1], 2);
    CHECK_DBL(res->area[1], 21.0);
    CHECK_DBL(res->score[1], 1.0);
    CHECK_INT(res->offset[1], strstr(q, "{'image_id': 2.0") - q);
    vernier_results_free(res);
}

/* A counts string with a backslash (JSON "\\") and a '?'. */
#define SEG_COUNTS "31h00^O0R10b0:iN0AF005::000l5FPJ0E0V20I0^O0\\\\O0ZO0T80^H090RO0\?050I0V10nN"

static void test_results_segm(void)
{
    static const char q[] =
        "[{'image_id': 1, 'category_id': 1, 'segmentation': {'size': [30, 40], 'counts': '"
        SEG_COUNTS "'}, 'score': 0.5},"
        " {'image_id': 3, 'category_id': 1, 'segmentation': {'counts': '" SEG_COUNTS
        "', 'size': [30, 40]}, 'bbox': [1.5, 2, 3, 4], 'score': 0.25},"
        " {'bbox': [], 'image_id': 3, 'category_id': 1, 'segmentation': {'counts': '" SEG_COUNTS
        "', 'size': [30, 40], 'extra': 1}, 'score': 0.25}]";
    vernier_results *res = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(load_res_q(q, &res, &err), VERNIER_OK);
    if (res == NULL)
        return;
    CHECK_INT(vernier_results_get_kind(res), VERNIER_RESULTS_SEGM);
    CHECK_INT(vernier_results_num_detections(res), 3);
    /* maskUtils.area = 77, toBbox = [0, 0, 40, 30] */
    CHECK_DBL(res->area[0], 77.0);
    CHECK_DBL(res->bbox[0], 0.0);
    CHECK_DBL(res->bbox[1], 0.0);
    CHECK_DBL(res->bbox[2], 40.0);
    CHECK_DBL(res->bbox[3], 30.0);
    /* Own bbox kept; area stays the mask area. */
    CHECK_DBL(res->area[1], 77.0);
    CHECK_DBL(res->bbox[4], 1.5);
    CHECK_DBL(res->bbox[5], 2.0);
    CHECK_DBL(res->bbox[6], 3.0);
    CHECK_DBL(res->bbox[7], 4.0);
    CHECK_INT(res->image_id[1], 3);
    /* "bbox": [] is treated as absent (our choice; loadRes would keep []). */
    CHECK_DBL(res->bbox[10], 40.0);
    vernier_results_free(res);

    /* A first result with "bbox": [] and a segmentation is a segm list. */
    CHECK_INT(load_res_q("[{'bbox': [], 'image_id': 3, 'category_id': 1, 'segmentation': "
                       "{'counts': '" SEG_COUNTS "', 'size': [30, 40]}, 'score': 0.25}]",
                       &res, &err),
              VERNIER_OK);
    CHECK_INT(vernier_results_get_kind(res), VERNIER_RESULTS_SEGM);
    vernier_results_free(res);
}

static void test_results_keypoints(void)
{
    static const char q[] =
        "[{'image_id': 1, 'category_id': 1, 'keypoints': [10, 20, 2, 5.5, 30, 0, 40, 1.25, 1],"
        " 'score': 0.7, 'center': [1, 2]},"
        " {'image_id': 2, 'category_id': 1, 'keypoints': [0.1, 0.2, 0, 0.3, 0.7, 0],"
        " 'score': 0.1, 'bbox': 'ignored', 'segmentation': 'ignored'}]";
    vernier_results *res = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(load_res_q(q, &res, &err), VERNIER_OK);
    if (res == NULL)
        return;
    CHECK_INT(vernier_results_get_kind(res), VERNIER_RESULTS_KEYPOINTS);
    CHECK_INT(vernier_results_num_detections(res), 2);
    CHECK_DBL(res->bbox[0], 0x1.6p+2);
    CHECK_DBL(res->bbox[1], 0x1.4p+0);
    CHECK_DBL(res->bbox[2], 0x1.14p+5);
    CHECK_DBL(res->bbox[3], 0x1.ccp+4);
    CHECK_DBL(res->area[0], 0x1.effp+9);
    CHECK_DBL(res->bbox[4], 0x1.999999999999ap-4);
    CHECK_DBL(res->bbox[5], 0x1.999999999999ap-3);
    CHECK_DBL(res->bbox[6], 0x1.9999999999999p-3);
    CHECK_DBL(res->bbox[7], 0x1.fffffffffffffp-2);
    CHECK_DBL(res->area[1], 0x1.9999999999998p-4);
    vernier_results_free(res);
}

static void test_results_empty(void)
{
    vernier_results *res = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(load_res_q(" [ ] ", &res, &err), VERNIER_OK);
    CHECK_INT(vernier_results_get_kind(res), VERNIER_RESULTS_EMPTY);
    CHECK_INT(vernier_results_num_detections(res), 0);
    vernier_results_free(res);
    vernier_results_free(NULL);
    CHECK_INT(vernier_results_num_detections(NULL), 0);
    CHECK_INT(vernier_results_get_kind(NULL), VERNIER_RESULTS_EMPTY);
}

#define R1 "'image_id': 1, 'category_id': 1, 'score': 0.5"

static void test_results_errors(void)
{
    res_error("{}", VERNIER_E_SCHEMA, "{", "", -1,
              "expected an array of result objects at the top level, got object");
    res_error("[1]", VERNIER_E_SCHEMA, "1", "[0]", 0, "[0]: expected an object, got number");
    res_error("[{" R1 "}]", VERNIER_E_UNSUPPORTED, "{", "[0]", 0,
              "[0]: cannot tell the kind of results: the first result has no non-empty "
              "\"bbox\", no \"segmentation\" and no \"keypoints\"");
    res_error("[{" R1 ", 'bbox': [ ]}]", VERNIER_E_UNSUPPORTED, "{", "[0]", 0,
              "[0]: cannot tell the kind of results: the first result has no non-empty "
              "\"bbox\", no \"segmentation\" and no \"keypoints\"");
    res_error("[{" R1 ", 'caption': 'a cat', 'bbox': [1, 2, 3, 4]}]", VERNIER_E_UNSUPPORTED, "{",
              "[0]", 0,
              "[0]: caption results are not supported (the first result has \"caption\", so "
              "loadRes would treat the list as captions)");
    /* Kind fixed by the first result; a later one lacking its key. */
    res_error("[{" R1 ", 'bbox': [1, 2, 3, 4]}, {" R1 ", 'segmentation': []}]", VERNIER_E_SCHEMA,
              "{'image_id': 1, 'category_id': 1, 'score': 0.5, 's", "[1]", 1,
              "[1]: missing required key \"bbox\"");
    res_error("[{'image_id': 1, 'category_id': 1, 'bbox': [1, 2, 3, 4]}]", VERNIER_E_SCHEMA, "{",
              "[0]", 0, "[0]: missing required key \"score\"");
    res_error("[{'image_id': 1, 'score': 1, 'bbox': [1, 2, 3, 4]}]", VERNIER_E_SCHEMA, "{", "[0]",
              0, "[0]: missing required key \"category_id\"");
    res_error("[{" R1 ", 'bbox': [1, 2, 3, 4], 'score': 1}]", VERNIER_E_SCHEMA, "'score': 1}",
              "[0].score", 0,
              "[0].score: duplicate key \"score\" (refused: Python would silently keep the last)");
    res_error("[{'image_id': 1.5, 'category_id': 1, 'score': 1, 'bbox': [1, 2, 3, 4]}]",
              VERNIER_E_SCHEMA, "1.5", "[0].image_id", 0,
              "[0].image_id: expected an integer id, got non-integral number 1.5");
    res_error("[{'image_id': 1, 'category_id': 1, 'score': '0.5', 'bbox': [1, 2, 3, 4]}]",
              VERNIER_E_SCHEMA, "'0.5'", "[0].score", 0,
              "[0].score: expected a number, got string");
    res_error("[{" R1 ", 'bbox': [1, 2, 3, 4]}, {" R1 ", 'bbox': [1, 2, 3]}]", VERNIER_E_SCHEMA,
              "[1, 2, 3]", "[1].bbox", 1, "[1].bbox: expected 4 numbers, got 3");
    res_error("[{" R1 ", 'bbox': null}]", VERNIER_E_SCHEMA, "null", "[0].bbox", 0,
              "[0].bbox: expected an array of 4 numbers, got null");

    /* Segmentation lists: compressed RLE only. */
    res_error("[{" R1 ", 'segmentation': [[1, 2, 3, 4, 5, 6]]}]", VERNIER_E_UNSUPPORTED,
              "[[1", "[0].segmentation", 0,
              "[0].segmentation: polygon/uncompressed RLE results are not supported in a "
              "segmentation result list (pycocotools' loadRes only accepts compressed RLE here)");
    res_error("[{" R1 ", 'segmentation': {'size': [2, 3], 'counts': [6]}}]",
              VERNIER_E_UNSUPPORTED, "[6]", "[0].segmentation.counts", 0,
              "[0].segmentation.counts: polygon/uncompressed RLE results are not supported in a "
              "segmentation result list (pycocotools' loadRes only accepts compressed RLE here)");
    res_error("[{" R1 ", 'segmentation': {'size': [2, 3], 'counts': '0/'}}]", VERNIER_E_RLE,
              "'0/'", "[0].segmentation", 0,
              "[0].segmentation: invalid RLE counts: invalid character 0x2F at position 1 of "
              "the RLE counts string");
    res_error("[{" R1 ", 'segmentation': {'size': [2, 3], 'counts': '5'}}]", VERNIER_E_RLE,
              "'5'", "[0].segmentation", 0,
              "[0].segmentation: invalid RLE counts: counts sum to 5, expected h*w = 6");
    res_error("[{" R1 ", 'segmentation': {'size': [2, 3]}}]", VERNIER_E_SCHEMA, "{'size'",
              "[0].segmentation", 0, "[0].segmentation: missing required key \"counts\"");
    res_error("[{" R1 ", 'segmentation': {'counts': '6'}}]", VERNIER_E_SCHEMA, "{'counts'",
              "[0].segmentation", 0, "[0].segmentation: missing required key \"size\"");
    res_error("[{" R1 ", 'segmentation': {'size': [2], 'counts': '2'}}]", VERNIER_E_SCHEMA,
              "[2]", "[0].segmentation.size", 0,
              "[0].segmentation.size: expected [height, width], got 1 values");
    res_error("[{" R1 ", 'segmentation': {'size': [2, 3, 4], 'counts': '2'}}]", VERNIER_E_SCHEMA,
              "4]", "[0].segmentation.size[2]", 0,
              "[0].segmentation.size[2]: expected [height, width], got more than 2 values");
    res_error("[{" R1 ", 'segmentation': {'size': [2.0, 3], 'counts': '6'}}]", VERNIER_E_SCHEMA,
              "2.0", "[0].segmentation.size[0]", 0,
              "[0].segmentation.size[0]: expected an integer 0..4294967295");
    res_error("[{" R1 ", 'segmentation': {'size': [2, -3], 'counts': '6'}}]", VERNIER_E_SCHEMA,
              "-3", "[0].segmentation.size[1]", 0,
              "[0].segmentation.size[1]: expected an integer 0..4294967295");
    res_error("[{" R1 ", 'segmentation': 'abc'}]", VERNIER_E_SCHEMA, "'abc'", "[0].segmentation",
              0, "[0].segmentation: expected a compressed RLE object, got string");
    res_error("[{" R1 ", 'segmentation': {'size': [1, 1], 'counts': 1}}]", VERNIER_E_SCHEMA,
              "1}", "[0].segmentation.counts", 0,
              "[0].segmentation.counts: expected a string, got number");

    /* Keypoints. */
    res_error("[{" R1 ", 'keypoints': [1, 2, 3, 4]}]", VERNIER_E_SCHEMA, "[1, 2, 3, 4]",
              "[0].keypoints", 0,
              "[0].keypoints: expected a non-empty list of x, y, v triplets, got 4 numbers");
    res_error("[{" R1 ", 'keypoints': []}]", VERNIER_E_SCHEMA, "[]", "[0].keypoints", 0,
              "[0].keypoints: expected a non-empty list of x, y, v triplets, got 0 numbers");
    res_error("[{" R1 ", 'keypoints': [1, 'a', 2]}]", VERNIER_E_SCHEMA, "'a'", "[0].keypoints[1]",
              0, "[0].keypoints[1]: expected a number, got string");
    res_error("[{" R1 ", 'keypoints': {}}]", VERNIER_E_SCHEMA, "{}", "[0].keypoints", 0,
              "[0].keypoints: expected an array of numbers, got object");

    /* JSON errors. */
    res_error("[{" R1 ", 'bbox': [1, 2, 3, 4]}] Z", VERNIER_E_JSON, "Z", "", -1,
              "trailing data after the top-level value");
    res_error("[{" R1 ", 'bbox': [1, 2, 3, Infinity]}]", VERNIER_E_JSON, "Inf", "[0].bbox[3]", 0,
              "[0].bbox[3]: non-finite number literal Infinity is not allowed");
    res_error("[{" R1 ", 'bbox': [1, 2, 3, 4]}, {" R1 ", 'bbox': [1, 2, 3, 4],}]", VERNIER_E_JSON,
              "}]", "[1]", 1, "[1]: expected a string key, found '}'");
}

/* ---- truncation --------------------------------------------------------- */

static const char res_doc[] =
    "[{'image_id': 1, 'category_id': 1, 'segmentation': {'size': [30, 40], 'counts': '"
    SEG_COUNTS "'}, 'score': 0.5},"
    " {'image_id': 3, 'category_id': 1, 'segmentation': {'counts': '" SEG_COUNTS
    "', 'size': [30, 40]}, 'score': 0.25, 'bbox': [1.5, 2, 3, 4]}]";

/* Every proper prefix fails with JSON or SCHEMA (never crashes, never
 * reads past the end: the copies are exact-size for ASan), located inside
 * the input, nothing returned. */
static void test_truncated_prefixes(void)
{
    size_t len, cut;
    char *full = doc_of(gt_doc, &len);
    vernier_error err = VERNIER_ERROR_INIT;
    int pass;
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            free(full);
            full = doc_of(res_doc, &len);
        }
        for (cut = 0; cut <= len; cut++) {
            char *copy = malloc(cut + 1);
            int rc;
            void *out = &out;
            memcpy(copy, full, cut);
            if (pass == 0)
                rc = vernier_dataset_load_json((vernier_dataset **)&out, copy, cut, NULL, &err);
            else
                rc = vernier_results_load_json((vernier_results **)&out, copy, cut, NULL, &err);
            if (cut == len) {
                if (rc != VERNIER_OK)
                    fprintf(stderr, "full document: %s\n", err.message);
                CHECK_INT(rc, VERNIER_OK);
                if (pass == 0)
                    vernier_dataset_free(out);
                else
                    vernier_results_free(out);
            } else {
                CHECK(rc == VERNIER_E_JSON || rc == VERNIER_E_SCHEMA);
                CHECK(out == NULL);
                CHECK(err.offset >= 0 && (size_t)err.offset <= cut);
                CHECK(err.line == 1 && err.column == err.offset + 1);
                CHECK(err.message[0] != '\0');
            }
            free(copy);
        }
    }
    free(full);
}

/* ---- arguments ---------------------------------------------------------- */

static void test_invalid_args(void)
{
    vernier_dataset *ds = (vernier_dataset *)&ds;
    vernier_results *res = (vernier_results *)&res;
    fail_alloc fa;
    vernier_allocator partial;
    vernier_error err = VERNIER_ERROR_INIT;
    /* an allocator with only malloc (always failing) */
    fail_alloc_init(&fa, 1, FAIL_FROM);
    partial = fail_alloc_allocator(&fa);
    partial.realloc = NULL;
    partial.free = NULL;
    CHECK_INT(vernier_dataset_load_json(NULL, "{}", 2, NULL, &err), VERNIER_E_INVALID_ARG);
    CHECK_INT(err.code, VERNIER_E_INVALID_ARG);
    CHECK(err.message[0] != '\0');
    CHECK_INT(vernier_dataset_load_json(&ds, NULL, 2, NULL, &err), VERNIER_E_INVALID_ARG);
    CHECK(ds == NULL);
    CHECK_INT(vernier_dataset_load_json(&ds, "{}", 2, &partial, &err), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_results_load_json(NULL, "[]", 2, NULL, NULL), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_results_load_json(&res, NULL, 1, NULL, &err), VERNIER_E_INVALID_ARG);
    CHECK(res == NULL);
    CHECK_INT(vernier_results_load_json(&res, "[]", 2, &partial, NULL), VERNIER_E_INVALID_ARG);
    /* NULL data of size 0 is empty input: malformed JSON. */
    CHECK_INT(vernier_results_load_json(&res, NULL, 0, NULL, &err), VERNIER_E_JSON);
    CHECK_INT(err.offset, 0);
}

/* ---- allocation failure -------------------------------------------------- */

/* Fails allocation 1, 2, ... until the load succeeds: each failure must be
 * NOMEM, leave *out NULL and hold no memory. */
static void oom_loop(const char *doc, size_t len, int results)
{
    long n;
    for (n = 1;; n++) {
        fail_alloc c;
        vernier_allocator a;
        vernier_error err = VERNIER_ERROR_INIT;
        void *out = &out;
        int rc;
        fail_alloc_init(&c, n, FAIL_ONLY);
        a = fail_alloc_allocator(&c);
        rc = results ? vernier_results_load_json((vernier_results **)&out, doc, len, &a, &err)
                     : vernier_dataset_load_json((vernier_dataset **)&out, doc, len, &a, &err);
        if (rc != VERNIER_OK && rc != VERNIER_E_NOMEM)
            fprintf(stderr, "oom_loop: unexpected %d: %s\n", rc, err.message);
        if (rc == VERNIER_OK) {
            CHECK(n > 5); /* several allocations happened */
            CHECK(c.bytes > 0);
            if (results) {
                CHECK_INT(vernier_results_num_detections(out), 150);
                vernier_results_free(out);
            } else {
                CHECK_INT(vernier_dataset_num_annotations(out), 150);
                CHECK_INT(c.bytes, vernier_dataset_sizeof(out));
                vernier_dataset_free(out);
            }
            CHECK_INT(c.bytes, 0);
            break;
        }
        CHECK_INT(rc, VERNIER_E_NOMEM);
        CHECK_INT(err.code, VERNIER_E_NOMEM);
        CHECK_INT(err.index, -1);
        CHECK(err.message[0] != '\0');
        CHECK(out == NULL);
        CHECK_INT(c.bytes, 0);
        if (n > 10000) {
            CHECK(!"allocation loop does not terminate");
            break;
        }
    }
}

/* Growth of every column, escaped counts (scratch buffer) and RLE decoding. */
static void test_out_of_memory(void)
{
    size_t cap = 64 * 1024, n = 0, i, len;
    char *q = malloc(cap), *doc;
    n += (size_t)snprintf(q + n, cap - n, "{'images': [");
    for (i = 0; i < 150; i++)
        n += (size_t)snprintf(q + n, cap - n, "%s{'id': %zu, 'width': 4}", i ? ", " : "", i);
    n += (size_t)snprintf(q + n, cap - n, "], 'categories': [");
    for (i = 0; i < 150; i++)
        n += (size_t)snprintf(q + n, cap - n, "%s{'id': %zu}", i ? ", " : "", i);
    n += (size_t)snprintf(q + n, cap - n, "], 'annotations': [");
    for (i = 0; i < 150; i++)
        n += (size_t)snprintf(q + n, cap - n,
                              "%s{'id': %zu, 'image_id': 1, 'category_id': 2, 'bbox': [1, 2, 3, "
                              "4], 'area': 1.5, 'segmentation': [[1, 2, 3]]}",
                              i ? ", " : "", i);
    snprintf(q + n, cap - n, "]}");
    doc = doc_of(q, &len);
    oom_loop(doc, len, 0);
    free(doc);

    n = 0;
    n += (size_t)snprintf(q + n, cap - n, "[");
    for (i = 0; i < 150; i++)
        n += (size_t)snprintf(q + n, cap - n,
                              "%s{'image_id': 1, 'category_id': 1, 'score': 0.5, "
                              "'segmentation': %s}",
                              i ? ", " : "",
                              i % 2 ? "{'size': [30, 40], 'counts': '" SEG_COUNTS "'}"
                                    : "{'size': [6, 5], 'counts': 'm01'}");
    snprintf(q + n, cap - n, "]");
    doc = doc_of(q, &len);
    oom_loop(doc, len, 1);
    free(doc);
    free(q);
}

int main(void)
{
    RUN(test_gt_good);
    RUN(test_gt_schema_errors);
    RUN(test_gt_json_errors);
    RUN(test_results_bbox);
    RUN(test_results_segm);
    RUN(test_results_keypoints);
    RUN(test_results_empty);
    RUN(test_results_errors);
    RUN(test_truncated_prefixes);
    RUN(test_invalid_args);
    RUN(test_out_of_memory);
    return harness_report("test_coco");
}
