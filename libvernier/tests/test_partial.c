/* test_partial.c — the partial format and the N-way merge (incremental/codec.c, merge.c).
 *
 * SHA-256 against FIPS 180-4's test vectors; the dataset digest ignores
 * formatting; for 1 to 4 ranks and several ways of splitting the images
 * (contiguous uneven, interleaved, with empty shards, random), in strict
 * and corrected mode, pooled and per category, with cutting caps, the
 * merge of the ranks' partials (in any order) equals vernier_eval_run on
 * all the detections bit for bit; read -> write gives the same bytes;
 * every truncation and every single-byte change of a blob is refused with
 * a typed status, as are another version, another dataset, another
 * configuration, overlapping images, forged content with a valid checksum
 * and a budget too small; a worker ends into a partial. */
#include <stdint.h>
#include <stdlib.h>

#include "batch_fixture.h"
#include "harness.h"
#include "support.h"
#include "common/sha256.h"
#include "vernier.h"

#define SUBMITTED (FX_IMAGES - 1)

static void test_sha256(void)
{
    static const struct {
        const char *msg;
        const char *hex;
    } V[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
         "lmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"}};
    size_t i, j;
    for (i = 0; i < sizeof(V) / sizeof(V[0]); i++) {
        uint8_t d[32], d2[32];
        char hex[65];
        vn_sha256_ctx c;
        vn_sha256(V[i].msg, strlen(V[i].msg), d);
        for (j = 0; j < 32; j++)
            snprintf(hex + 2 * j, 3, "%02x", d[j]);
        CHECK_STR(hex, V[i].hex);
        /* streamed one byte at a time */
        vn_sha256_init(&c);
        for (j = 0; j < strlen(V[i].msg); j++)
            vn_sha256_update(&c, V[i].msg + j, 1);
        vn_sha256_final(&c, d2);
        CHECK(memcmp(d, d2, 32) == 0);
    }
    {
        /* one million 'a', in uneven chunks */
        static char a[1000];
        uint8_t d[32];
        char hex[65];
        vn_sha256_ctx c;
        memset(a, 'a', sizeof(a));
        vn_sha256_init(&c);
        for (i = 0; i < 1000; i++) {
            vn_sha256_update(&c, a, 333);
            vn_sha256_update(&c, a, 667);
        }
        vn_sha256_final(&c, d);
        for (j = 0; j < 32; j++)
            snprintf(hex + 2 * j, 3, "%02x", d[j]);
        CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
}

static void test_dataset_digest(void)
{
    static const char A[] = "{\"images\": [{\"id\": 1, \"width\": 10, \"height\": 20}], "
                            "\"categories\": [{\"id\": 3}], \"annotations\": [{\"id\": 5, "
                            "\"image_id\": 1, \"category_id\": 3, \"bbox\": [1, 2, 3, 4], "
                            "\"area\": 12, \"iscrowd\": 0}]}";
    static const char B[] = "{\"annotations\":[{\"iscrowd\":0,\"area\":1.2e1,\"bbox\":[1.0,2,3E0,"
                            "4.00],\"category_id\":3,\"image_id\":1,\"id\":5,\"extra\":\"x\"}],"
                            "\"categories\":[{\"id\":3,\"name\":\"c\"}],\"images\":[{\"height\":"
                            "20,\"width\":10,\"id\":1}]}";
    static const char C[] = "{\"images\": [{\"id\": 1, \"width\": 10, \"height\": 20}], "
                            "\"categories\": [{\"id\": 3}], \"annotations\": [{\"id\": 5, "
                            "\"image_id\": 1, \"category_id\": 3, \"bbox\": [1, 2, 3, 4.5], "
                            "\"area\": 12, \"iscrowd\": 0}]}";
    vernier_dataset *a = NULL, *b = NULL, *c = NULL;
    uint8_t da[32], db[32], dc[32];
    CHECK_INT(vernier_dataset_load_json(&a, A, sizeof(A) - 1, NULL, NULL), VERNIER_OK);
    CHECK_INT(vernier_dataset_load_json(&b, B, sizeof(B) - 1, NULL, NULL), VERNIER_OK);
    CHECK_INT(vernier_dataset_load_json(&c, C, sizeof(C) - 1, NULL, NULL), VERNIER_OK);
    CHECK_INT(vernier_dataset_digest(a, da), VERNIER_OK);
    CHECK_INT(vernier_dataset_digest(b, db), VERNIER_OK);
    CHECK_INT(vernier_dataset_digest(c, dc), VERNIER_OK);
    CHECK(memcmp(da, db, 32) == 0);
    CHECK(memcmp(da, dc, 32) != 0);
    CHECK_INT(vernier_dataset_digest(NULL, da), VERNIER_E_INVALID_ARG);
    vernier_dataset_free(a);
    vernier_dataset_free(b);
    vernier_dataset_free(c);
}

/* One rank's partial of images idx[0..n) (rank r). */
static void rank_partial(const vernier_dataset *gt, const fixture *f,
                         const vernier_eval_options *o, const int *idx, int n, uint32_t r,
                         void **blob, size_t *size)
{
    vernier_results *res = fixture_results(f, idx, n);
    vernier_error err = VERNIER_ERROR_INIT;
    *blob = NULL;
    CHECK_INT(vernier_partial_evaluate(blob, size, gt, res, o, r, NULL, &err), VERNIER_OK);
    vernier_results_free(res);
}

static vernier_eval *one_shot(const vernier_dataset *gt, const fixture *f,
                              const vernier_eval_options *o)
{
    int idx[FX_IMAGES], i;
    vernier_results *all;
    vernier_eval *ev = NULL;
    for (i = 0; i < SUBMITTED; i++)
        idx[i] = i;
    all = fixture_results(f, idx, SUBMITTED);
    CHECK_INT(vernier_eval_run(&ev, gt, all, o, NULL, NULL), VERNIER_OK);
    vernier_results_free(all);
    return ev;
}

/* Splits images 0..SUBMITTED-1 among `ranks` ranks by `how`:
 * 0 contiguous uneven, 1 interleaved, 2 the last rank empty, 3 random. */
static void split(int how, int ranks, uint32_t *seed, int *rank_of)
{
    int i;
    for (i = 0; i < SUBMITTED; i++) {
        switch (how) {
        case 0: rank_of[i] = (i * i * ranks) / (SUBMITTED * SUBMITTED); break;
        case 1: rank_of[i] = i % ranks; break;
        case 2: rank_of[i] = ranks == 1 ? 0 : i % (ranks - 1); break;
        default: rank_of[i] = (int)(fx_rand(seed) % (uint32_t)ranks); break;
        }
    }
}

static void check_merge_config(const vernier_dataset *gt, const fixture *f,
                               const vernier_eval_options *o)
{
    vernier_eval *ref = one_shot(gt, f, o);
    uint32_t seed = 99;
    int ranks, how;
    for (ranks = 1; ranks <= 4; ranks++) {
        for (how = 0; how < 4; how++) {
            int rank_of[FX_IMAGES], idx[FX_IMAGES], r, i, n;
            void *blob[4];
            size_t size[4];
            const void *order[4];
            size_t osize[4];
            vernier_eval *ev = NULL;
            vernier_error err = VERNIER_ERROR_INIT;
            split(how, ranks, &seed, rank_of);
            for (r = 0; r < ranks; r++) {
                for (i = 0, n = 0; i < SUBMITTED; i++)
                    if (rank_of[i] == r)
                        idx[n++] = i;
                rank_partial(gt, f, o, idx, n, (uint32_t)r, &blob[r], &size[r]);
                /* read -> write gives the writer's bytes */
                {
                    vernier_partial *p = NULL;
                    void *again = NULL;
                    size_t again_size = 0;
                    CHECK_INT(vernier_partial_read(&p, blob[r], size[r], NULL, &err), VERNIER_OK);
                    CHECK_INT(vernier_partial_write(&again, &again_size, p, NULL, &err),
                              VERNIER_OK);
                    CHECK(again_size == size[r] && memcmp(again, blob[r], size[r]) == 0);
                    vernier_partial_blob_free(again, again_size, NULL);
                    vernier_partial_free(p);
                }
            }
            /* the blobs in reverse (rotated) order */
            for (r = 0; r < ranks; r++) {
                order[r] = blob[(r + how + 1) % ranks];
                osize[r] = size[(r + how + 1) % ranks];
            }
            CHECK_INT(vernier_partial_merge(&ev, gt, o, order, osize, (size_t)ranks, 0, NULL,
                                            &err),
                      VERNIER_OK);
            check_same_eval(ref, ev);
            vernier_eval_free(ev);
            for (r = 0; r < ranks; r++)
                vernier_partial_blob_free(blob[r], size[r], NULL);
        }
    }
    vernier_eval_free(ref);
}

static void test_merge_equality(void)
{
    uint32_t seed;
    for (seed = 1; seed <= 3; seed++) {
        fixture f;
        vernier_dataset *gt;
        vernier_eval_options o;
        fixture_make(&f, seed);
        gt = load_gt(&f);
        vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
        check_merge_config(gt, &f, &o);
        o.parity_mode = VERNIER_PARITY_CORRECTED;
        check_merge_config(gt, &f, &o);
        o.use_cats = 0;
        check_merge_config(gt, &f, &o);
        o.parity_mode = VERNIER_PARITY_STRICT;
        check_merge_config(gt, &f, &o);
        o.use_cats = 1;
        o.n_max_dets = 2;
        o.max_dets[0] = 2;
        o.max_dets[1] = 1;
        check_merge_config(gt, &f, &o);
        o.n_max_dets = 1;
        o.max_dets[0] = 0;
        check_merge_config(gt, &f, &o);
        vernier_dataset_free(gt);
        fixture_free(&f);
    }
}

/* The session and worker routes, and the empty merge. */
static void test_session_and_worker(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_session *s = NULL;
    vernier_worker *w = NULL;
    vernier_eval *ref, *ev = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    void *b[2];
    size_t n[2];
    const void *bl[2];
    int first[6] = {0, 1, 2, 3, 4, 5}, second[3] = {6, 7, 8}, rest[4] = {9, 10, 11, 12};
    vernier_results *res;
    fixture_make(&f, 5);
    gt = load_gt(&f);
    ref = one_shot(gt, &f, NULL);
    /* rank 0: a session fed two batches */
    CHECK_INT(vernier_session_new(&s, gt, NULL, NULL, 0, &err), VERNIER_OK);
    res = fixture_results(&f, first, 6);
    CHECK_INT(vernier_session_add(s, res, &err), VERNIER_OK);
    vernier_results_free(res);
    res = fixture_results(&f, second, 3);
    CHECK_INT(vernier_session_add(s, res, &err), VERNIER_OK);
    vernier_results_free(res);
    CHECK_INT(vernier_session_to_partial(&b[0], &n[0], s, 0, NULL, &err), VERNIER_OK);
    vernier_session_free(s);
    /* rank 1: a worker */
    CHECK_INT(vernier_worker_new(&w, gt, NULL, NULL, NULL, &err), VERNIER_OK);
    res = fixture_results(&f, rest, 4);
    CHECK_INT(vernier_worker_submit(w, res, -1, &err), VERNIER_OK);
    CHECK_INT(vernier_worker_finalize_to_partial(&b[1], &n[1], w, 1, NULL, &err), VERNIER_OK);
    {
        void *again = &again;
        size_t again_n = 1;
        CHECK_INT(vernier_worker_finalize_to_partial(&again, &again_n, w, 1, NULL, &err),
                  VERNIER_E_STATE);
        CHECK(again == NULL && again_n == 0);
    }
    vernier_worker_free(w);
    CHECK_INT(vernier_worker_new(&w, gt, NULL, NULL, NULL, &err), VERNIER_OK);
    res = fixture_results(&f, rest, 4);
    CHECK_INT(vernier_worker_submit(w, res, -1, &err), VERNIER_OK);
    {
        void *b1;
        size_t n1;
        CHECK_INT(vernier_worker_finalize_to_partial(&b1, &n1, w, 1, NULL, &err), VERNIER_OK);
        CHECK(n1 > 0);
        vernier_partial_blob_free(b1, n1, NULL);
    }
    vernier_worker_free(w);
    bl[0] = b[1];
    bl[1] = b[0];
    {
        size_t nn[2] = {n[1], n[0]};
        ev = NULL;
        CHECK_INT(vernier_partial_merge(&ev, gt, NULL, bl, nn, 2, 0, NULL, &err), VERNIER_OK);
        check_same_eval(ref, ev);
        vernier_eval_free(ev);
    }
    /* info */
    {
        vernier_partial *p = NULL;
        vernier_partial_info info = VERNIER_PARTIAL_INFO_INIT;
        CHECK_INT(vernier_partial_read(&p, b[1], n[1], NULL, &err), VERNIER_OK);
        vernier_partial_get_info(p, &info);
        CHECK_INT(info.rank_id, 1);
        CHECK_INT(info.format_version, VERNIER_PARTIAL_FORMAT_VERSION);
        CHECK_INT(info.iou_type, VERNIER_IOU_BBOX);
        CHECK_INT(info.n_images, fixture_with_results(&f, rest, 4));
        CHECK_INT(info.blob_size, n[1]);
        vernier_partial_free(p);
    }
    /* no partials: every image a miss, as evaluating no detections */
    {
        vernier_eval *none = NULL;
        static const char EMPTY[] = "[]";
        res = NULL;
        CHECK_INT(vernier_results_load_json(&res, EMPTY, 2, NULL, NULL), VERNIER_OK);
        CHECK_INT(vernier_eval_run(&none, gt, res, NULL, NULL, NULL), VERNIER_OK);
        ev = NULL;
        CHECK_INT(vernier_partial_merge(&ev, gt, NULL, NULL, NULL, 0, 0, NULL, &err),
                  VERNIER_OK);
        check_same_eval(none, ev);
        vernier_eval_free(ev);
        vernier_eval_free(none);
        vernier_results_free(res);
    }
    vernier_partial_blob_free(b[0], n[0], NULL);
    vernier_partial_blob_free(b[1], n[1], NULL);
    vernier_eval_free(ref);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

static int merge_one(const vernier_dataset *gt, const vernier_eval_options *o, const void *blob,
                     size_t size, vernier_error *err)
{
    vernier_eval *ev = NULL;
    const void *b[1] = {blob};
    int rc = vernier_partial_merge(&ev, gt, o, b, &size, 1, 0, NULL, err);
    vernier_eval_free(ev);
    return rc;
}

/* Recomputes the trailing checksum (to forge content). */
static void reseal(uint8_t *b, size_t n) { vn_sha256(b, n - 32, b + n - 32); }

static void test_corruption(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_error err = VERNIER_ERROR_INIT;
    void *blob;
    size_t size, k;
    int idx[3] = {0, 1, 2};
    uint8_t *copy;
    int bad_codes = 0;
    fixture_make(&f, 2);
    gt = load_gt(&f);
    rank_partial(gt, &f, NULL, idx, 3, 7, &blob, &size);
    copy = malloc(size);
    CHECK_INT(merge_one(gt, NULL, blob, size, &err), VERNIER_OK);
    /* every truncation */
    for (k = 0; k < size; k++) {
        vernier_partial *p = NULL;
        int rc = merge_one(gt, NULL, blob, k, &err);
        bad_codes += rc != VERNIER_E_PARTIAL_CORRUPT;
        bad_codes += vernier_partial_read(&p, blob, k, NULL, NULL) != VERNIER_E_PARTIAL_CORRUPT;
        bad_codes += p != NULL;
    }
    CHECK_INT(bad_codes, 0);
    CHECK_INT(merge_one(gt, NULL, blob, size - 1, &err), VERNIER_E_PARTIAL_CORRUPT);
    CHECK_STR(err.path, "length");
    CHECK_INT(err.index, 0);
    /* every byte changed (each bit, and all bits) */
    for (k = 0; k < size; k++) {
        int bit;
        for (bit = 0; bit <= 8; bit++) {
            int rc, want;
            memcpy(copy, blob, size);
            copy[k] ^= (uint8_t)(bit == 8 ? 0xFF : 1u << bit);
            rc = merge_one(gt, NULL, copy, size, &err);
            want = k >= 8 && k < 12 ? VERNIER_E_PARTIAL_VERSION : VERNIER_E_PARTIAL_CORRUPT;
            if (rc != want) {
                bad_codes++;
                fprintf(stderr, "byte %zu bit %d: %d %s\n", k, bit, rc, err.message);
            }
        }
    }
    CHECK_INT(bad_codes, 0);
    memcpy(copy, blob, size);
    copy[size / 2] ^= 0x10;
    CHECK_INT(merge_one(gt, NULL, copy, size, &err), VERNIER_E_PARTIAL_CORRUPT);
    CHECK_STR(err.path, "checksum");
    /* another version (checked before the checksum) */
    memcpy(copy, blob, size);
    copy[8] = 2;
    CHECK_INT(merge_one(gt, NULL, copy, size, &err), VERNIER_E_PARTIAL_VERSION);
    CHECK_STR(err.path, "version");
    CHECK(strstr(err.message, "version 2") != NULL);
    /* another magic */
    memcpy(copy, blob, size);
    copy[1] = 'X';
    CHECK_INT(merge_one(gt, NULL, copy, size, &err), VERNIER_E_PARTIAL_CORRUPT);
    CHECK_STR(err.path, "magic");
    /* forged with a valid checksum: an outcome code with a stray bit, and
     * every outcome a true positive everywhere (more TPs than GT) */
    {
        vernier_partial *p = NULL;
        uint64_t n_odict, n_images, lp, li, lr, off, v;
        memcpy(copy, blob, size);
        memcpy(&n_odict, copy + 128, 8);
        memcpy(&n_images, copy + 104, 8);
        memcpy(&lp, copy + 144, 8);
        memcpy(&li, copy + 152, 8);
        memcpy(&lr, copy + 160, 8);
        off = 168 + lp + li + lr; /* the outcome dictionary (little-endian host) */
        CHECK(n_odict > 0);
        v = (uint64_t)1 << 20; /* threshold 20 of 10 */
        memcpy(copy + off, &v, 8);
        reseal(copy, size);
        CHECK_INT(merge_one(gt, NULL, copy, size, &err), VERNIER_E_PARTIAL_CORRUPT);
        CHECK_STR(err.path, "structure");
        CHECK_INT(vernier_partial_read(&p, copy, size, NULL, &err), VERNIER_E_PARTIAL_CORRUPT);
        CHECK(p == NULL);
        memcpy(copy, blob, size);
        for (k = 0; k < n_odict * 4; k++) {
            v = 0x3FF;
            memcpy(copy + off + 8 * k, &v, 8);
        }
        reseal(copy, size);
        CHECK_INT(merge_one(gt, NULL, copy, size, &err), VERNIER_E_PARTIAL_CORRUPT);
        CHECK_STR(err.path, "records");
        /* a count that promises more than the blob holds */
        memcpy(copy, blob, size);
        v = (uint64_t)1 << 40;
        memcpy(copy + 120, &v, 8);
        reseal(copy, size);
        CHECK_INT(merge_one(gt, NULL, copy, size, &err), VERNIER_E_PARTIAL_CORRUPT);
        CHECK_STR(err.path, "structure");
        (void)n_images;
    }
    free(copy);
    vernier_partial_blob_free(blob, size, NULL);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

static void test_mismatches(void)
{
    fixture f, g;
    vernier_dataset *gt, *other;
    vernier_error err = VERNIER_ERROR_INIT;
    vernier_eval_options o, strict;
    void *blob, *b2;
    size_t size, s2;
    int idx[3] = {0, 1, 2}, idx2[3] = {2, 3, 4};
    static const double THR[3] = {0.5, 0.6, 0.7};
    fixture_make(&f, 2);
    fixture_make(&g, 3);
    gt = load_gt(&f);
    other = load_gt(&g);
    vernier_eval_options_init(&strict, VERNIER_EVAL_OPTIONS_VERSION);
    rank_partial(gt, &f, &strict, idx, 3, 4, &blob, &size);
    /* another dataset */
    CHECK_INT(merge_one(other, &strict, blob, size, &err), VERNIER_E_PARTIAL_DATASET);
    CHECK_STR(err.path, "dataset");
    CHECK(strstr(err.message, "rank 4") != NULL);
    /* another configuration, named */
    o = strict;
    o.parity_mode = VERNIER_PARITY_CORRECTED;
    CHECK_INT(merge_one(gt, &o, blob, size, &err), VERNIER_E_PARTIAL_MISMATCH);
    CHECK_STR(err.path, "parity_mode");
    o = strict;
    o.iou_type = VERNIER_IOU_KEYPOINTS;
    CHECK_INT(merge_one(gt, &o, blob, size, &err), VERNIER_E_PARTIAL_MISMATCH);
    CHECK_STR(err.path, "iou_type");
    o = strict;
    o.n_max_dets = 3;
    o.max_dets[0] = 1, o.max_dets[1] = 10, o.max_dets[2] = 50;
    CHECK_INT(merge_one(gt, &o, blob, size, &err), VERNIER_E_PARTIAL_MISMATCH);
    CHECK_STR(err.path, "max_dets");
    o = strict;
    o.use_cats = 0;
    CHECK_INT(merge_one(gt, &o, blob, size, &err), VERNIER_E_PARTIAL_MISMATCH);
    CHECK_STR(err.path, "use_cats");
    o = strict;
    o.n_iou_thresholds = 3;
    o.iou_thresholds = THR;
    CHECK_INT(merge_one(gt, &o, blob, size, &err), VERNIER_E_PARTIAL_MISMATCH);
    CHECK_STR(err.path, "iou_thresholds");
    /* the explicit default ladder is the default */
    o = strict;
    o.n_max_dets = 3;
    o.max_dets[0] = 100, o.max_dets[1] = 1, o.max_dets[2] = 10;
    CHECK_INT(merge_one(gt, &o, blob, size, &err), VERNIER_OK);
    /* overlapping images: named, with both ranks */
    rank_partial(gt, &f, &strict, idx2, 3, 9, &b2, &s2);
    {
        const void *bl[3] = {blob, b2, blob};
        size_t sz[3] = {size, s2, size};
        vernier_eval *ev = NULL;
        char want[96];
        CHECK_INT(vernier_partial_merge(&ev, gt, &strict, bl, sz, 2, 0, NULL, &err),
                  VERNIER_E_DUPLICATE_IMAGE);
        CHECK(ev == NULL);
        snprintf(want, sizeof(want), "image id %lld is covered by both partials[0] (rank 4) and "
                 "partials[1] (rank 9)", (long long)f.image_id[2]);
        CHECK(strstr(err.message, want) != NULL);
        CHECK_INT(err.index, 1);
        /* the same blob twice */
        bl[1] = blob;
        sz[1] = size;
        CHECK_INT(vernier_partial_merge(&ev, gt, &strict, bl, sz, 2, 0, NULL, &err),
                  VERNIER_E_DUPLICATE_IMAGE);
        /* a budget too small for the records (the index alone fits) */
        {
            vernier_session *s = NULL;
            vernier_memory_usage m = VERNIER_MEMORY_USAGE_INIT;
            CHECK_INT(vernier_session_new(&s, gt, &strict, NULL, 0, NULL), VERNIER_OK);
            vernier_session_memory(s, &m);
            vernier_session_free(s);
            CHECK_INT(vernier_partial_merge(&ev, gt, &strict, bl, sz, 1, m.used + 8, NULL,
                                            &err),
                      VERNIER_E_BUDGET);
            CHECK_INT(vernier_partial_merge(&ev, gt, &strict, bl, sz, 1, m.used + 100000, NULL,
                                            &err),
                      VERNIER_OK);
            vernier_eval_free(ev);
        }
    }
    vernier_partial_blob_free(b2, s2, NULL);
    vernier_partial_blob_free(blob, size, NULL);
    vernier_dataset_free(gt);
    vernier_dataset_free(other);
    fixture_free(&f);
    fixture_free(&g);
}

/* ---- allocation failure: every site, no leak -------------------------------- */

/* evaluate_to_partial, read, write and merge with the Nth allocation
 * failing, N = 1, 2, ... until a run succeeds: each failure is NOMEM and
 * leaves nothing allocated; the successful run gives the reference bytes. */
static void test_allocation_failures(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_results *res;
    void *ref;
    size_t ref_size;
    int idx[4] = {0, 1, 2, 3};
    long n, sites = 0;
    fixture_make(&f, 4);
    gt = load_gt(&f);
    res = fixture_results(&f, idx, 4);
    CHECK_INT(vernier_partial_evaluate(&ref, &ref_size, gt, res, NULL, 2, NULL, NULL),
              VERNIER_OK);
    for (n = 1;; n++) {
        fail_alloc c;
        vernier_allocator alc = fail_alloc_allocator(&c);
        void *blob = NULL, *again = NULL;
        size_t size = 0, again_size = 0;
        vernier_partial *p = NULL;
        vernier_eval *ev = NULL;
        vernier_error err = VERNIER_ERROR_INIT;
        const void *bl[1];
        int rc;
        fail_alloc_init(&c, n, FAIL_ONLY);
        rc = vernier_partial_evaluate(&blob, &size, gt, res, NULL, 2, &alc, &err);
        if (rc == VERNIER_OK)
            rc = vernier_partial_read(&p, blob, size, &alc, &err);
        if (rc == VERNIER_OK)
            rc = vernier_partial_write(&again, &again_size, p, &alc, &err);
        bl[0] = blob;
        if (rc == VERNIER_OK)
            rc = vernier_partial_merge(&ev, gt, NULL, bl, &size, 1, 0, &alc, &err);
        if (rc == VERNIER_OK) {
            CHECK(again_size == ref_size && memcmp(again, ref, ref_size) == 0);
            CHECK(c.calls < n); /* past the last allocation */
        } else {
            CHECK_INT(rc, VERNIER_E_NOMEM);
            CHECK(err.message[0] != 0);
            sites++;
        }
        vernier_eval_free(ev);
        vernier_partial_free(p);
        vernier_partial_blob_free(again, again_size, &alc);
        vernier_partial_blob_free(blob, size, &alc);
        CHECK_INT(c.blocks, 0);
        CHECK_INT(c.bytes, 0);
        if (rc == VERNIER_OK || n > 100000)
            break;
    }
    CHECK(sites > 10);
    vernier_partial_blob_free(ref, ref_size, NULL);
    vernier_results_free(res);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

int main(void)
{
    RUN(test_sha256);
    RUN(test_dataset_digest);
    RUN(test_merge_equality);
    RUN(test_session_and_worker);
    RUN(test_corruption);
    RUN(test_mismatches);
    RUN(test_allocation_failures);
    return harness_report("test_partial");
}
