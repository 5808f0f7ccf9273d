/* codec.c — the partial format (docs/reference/partial-format.md): blobs
 * written from their decoded content and read back, every read checked.
 *
 * Blobs are untrusted: every read is bounds-checked against the blob,
 * every count is checked against the bytes that must hold it before
 * anything is allocated for it, and the outcome codes are checked to be
 * ones matching can produce (accumulate relies on at most npig true
 * positives per cell).  Writing is a pure function of the decoded content,
 * so read -> write -> read -> write is byte-identical. */
#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"
#include "common/vn_error.h"
#include "incremental/codec.h"
#include "incremental/params.h"
#include "incremental/wire.h"

static const uint8_t MAGIC[8] = {0x89, 'V', 'N', 'P', 0x0D, 0x0A, 0x1A, 0x0A};

/* ---- writing ------------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

/* Dictionary coding of n items of `width` u64 words (items[i * width ..]):
 * idx[i] gets each item's entry, entries are numbered in order of first
 * occurrence; first[e] is the first item of entry e.  Returns the number of
 * entries, or SIZE_MAX when out of memory. */
static size_t dict_code(vn_arena *ar, const uint64_t *items, size_t width, size_t n,
                        uint32_t *idx, uint32_t **first_out)
{
    size_t cap = 16, i, n_dict = 0;
    uint32_t *slot, *first;
    while (cap < 2 * n)
        cap *= 2;
    slot = vn_arena_array(ar, cap, sizeof(uint32_t));
    first = vn_arena_array(ar, n + 1, sizeof(uint32_t));
    if (slot == NULL || first == NULL)
        return SIZE_MAX;
    memset(slot, 0xFF, cap * sizeof(uint32_t));
    for (i = 0; i < n; i++) {
        const uint64_t *it = items + i * width;
        uint64_t hsh = 0;
        size_t k, pos;
        for (k = 0; k < width; k++)
            hsh = mix64(hsh ^ it[k]) + k;
        for (pos = (size_t)hsh & (cap - 1);; pos = (pos + 1) & (cap - 1)) {
            uint32_t e = slot[pos];
            if (e == NONE32) {
                slot[pos] = (uint32_t)n_dict;
                first[n_dict] = (uint32_t)i;
                idx[i] = (uint32_t)n_dict++;
                break;
            }
            if (memcmp(items + (size_t)first[e] * width, it, width * 8) == 0) {
                idx[i] = e;
                break;
            }
        }
    }
    *first_out = first;
    return n_dict;
}

static int float_exact(double v)
{
    float f;
    if (!(v >= -FLT_MAX && v <= FLT_MAX))
        return 0; /* NaN, infinities, out of range: converting would be UB */
    f = (float)v;
    return f64_bits((double)f) == f64_bits(v);
}

static size_t add_size(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

static int encode(const content *c, vn_arena *scratch, const vernier_allocator *alc,
                  void **out, size_t *out_size, vernier_error *err)
{
    const size_t A = c->A, n = c->n_dets;
    size_t i, j, r, len_images = 0, len_records = 0, n_odict, n_sdict = 0, wo, ws = 0;
    size_t len_scores, total, odict_bytes, sdict_bytes = 0, all_f32 = 1;
    uint32_t *oidx, *sidx = NULL, *ofirst, *sfirst = NULL;
    int enc;
    uint8_t *blob, *p;
    vn_mem om;

    if (n >= UINT32_MAX || c->n_images >= UINT32_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "a partial holds at most 2^32-2 detections");
    /* images: first id (offset key) then gaps - 1 */
    for (i = 0; i < c->n_images; i++)
        len_images += varint_len(i == 0 ? id_key(c->images[0])
                                        : id_key(c->images[i]) - id_key(c->images[i - 1]) - 1);
    /* records, image by image */
    for (i = 0, r = 0; i < c->n_images; i++) {
        size_t r0 = r;
        while (r < c->n_recs && c->recs[r].image == i)
            r++;
        len_records += varint_len(r - r0);
        for (j = r0; j < r; j++) {
            uint32_t gap = j == r0 ? c->recs[j].cat : c->recs[j].cat - c->recs[j - 1].cat - 1;
            len_records += varint_len(gap) + varint_len(c->recs[j].n);
        }
    }
    /* outcome tuples and scores, dictionary-coded */
    oidx = vn_arena_array(scratch, n + 1, sizeof(uint32_t));
    if (oidx == NULL)
        return vn_mem_failure(scratch->mem);
    n_odict = dict_code(scratch, c->outc, A, n, oidx, &ofirst);
    if (n_odict == SIZE_MAX)
        return vn_mem_failure(scratch->mem);
    wo = index_width(n_odict);
    for (i = 0; i < n && all_f32; i++)
        all_f32 = float_exact(c->scores[i]);
    sidx = vn_arena_array(scratch, n + 1, sizeof(uint32_t));
    if (sidx == NULL)
        return vn_mem_failure(scratch->mem);
    {
        /* dict_code reads u64 words: the scores' bit patterns */
        uint64_t *bits = vn_arena_array(scratch, n + 1, sizeof(uint64_t));
        if (bits == NULL)
            return vn_mem_failure(scratch->mem);
        for (i = 0; i < n; i++)
            bits[i] = f64_bits(c->scores[i]);
        n_sdict = dict_code(scratch, bits, 1, n, sidx, &sfirst);
        if (n_sdict == SIZE_MAX)
            return vn_mem_failure(scratch->mem);
    }
    ws = index_width(n_sdict);
    {
        /* the smallest encoding; ties: float32, dictionary, float64 */
        size_t s32 = all_f32 ? 4 * n : SIZE_MAX, sd = 8 * n_sdict + ws * n, s64 = 8 * n;
        if (s32 <= sd && s32 <= s64)
            enc = SCORES_F32, len_scores = s32;
        else if (sd <= s64)
            enc = SCORES_DICT, len_scores = ws * n, sdict_bytes = 8 * n_sdict;
        else
            enc = SCORES_F64, len_scores = s64;
        if (enc != SCORES_DICT)
            n_sdict = 0;
    }
    odict_bytes = n_odict * A * 8;
    total = HEADER_SIZE;
    total = add_size(total, c->params_len);
    total = add_size(total, len_images);
    total = add_size(total, len_records);
    total = add_size(total, odict_bytes);
    total = add_size(total, sdict_bytes);
    total = add_size(total, len_scores);
    total = add_size(total, vn_mul_size(n, wo));
    total = add_size(total, TRAILER_SIZE);
    if (total == SIZE_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "the partial would not fit in memory");

    if (vn_mem_init(&om, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    blob = vn_malloc(&om, total);
    if (blob == NULL)
        return vn_fail(err, vn_mem_failure(&om), "out of memory allocating a %zu-byte partial",
                       total);
    memset(blob, 0, HEADER_SIZE);
    memcpy(blob, MAGIC, 8);
    put_u32(blob + OFF_VERSION, VERNIER_PARTIAL_FORMAT_VERSION);
    put_u32(blob + OFF_HEADER_SIZE, HEADER_SIZE);
    put_u64(blob + OFF_TOTAL, total);
    put_u32(blob + OFF_RANK, c->rank_id);
    blob[OFF_IOU] = (uint8_t)c->iou_type;
    blob[OFF_PARITY] = (uint8_t)c->parity_mode;
    blob[OFF_USE_CATS] = (uint8_t)c->use_cats;
    blob[OFF_SCORE_ENC] = (uint8_t)enc;
    memcpy(blob + OFF_DATASET, c->dataset_digest, VN_SHA256_LEN);
    memcpy(blob + OFF_PARAMS_DIGEST, c->params_digest, VN_SHA256_LEN);
    put_u32(blob + OFF_N_GT_IMAGES, c->n_gt_images);
    put_u32(blob + OFF_N_GT_CATS, c->n_gt_cats);
    put_u64(blob + OFF_N_IMAGES, c->n_images);
    put_u64(blob + OFF_N_RECORDS, c->n_recs);
    put_u64(blob + OFF_N_DETS, n);
    put_u64(blob + OFF_N_ODICT, n_odict);
    put_u64(blob + OFF_N_SDICT, n_sdict);
    put_u64(blob + OFF_LEN_PARAMS, c->params_len);
    put_u64(blob + OFF_LEN_IMAGES, len_images);
    put_u64(blob + OFF_LEN_RECORDS, len_records);
    p = blob + HEADER_SIZE;
    if (c->params_len > 0)
        memcpy(p, c->params, c->params_len);
    p += c->params_len;
    for (i = 0; i < c->n_images; i++)
        p = put_varint(p, i == 0 ? id_key(c->images[0])
                                 : id_key(c->images[i]) - id_key(c->images[i - 1]) - 1);
    for (i = 0, r = 0; i < c->n_images; i++) {
        size_t r0 = r;
        while (r < c->n_recs && c->recs[r].image == i)
            r++;
        p = put_varint(p, r - r0);
        for (j = r0; j < r; j++) {
            uint32_t gap = j == r0 ? c->recs[j].cat : c->recs[j].cat - c->recs[j - 1].cat - 1;
            p = put_varint(p, gap);
            p = put_varint(p, c->recs[j].n);
        }
    }
    for (i = 0; i < n_odict; i++)
        for (j = 0; j < A; j++, p += 8)
            put_u64(p, c->outc[(size_t)ofirst[i] * A + j]);
    if (enc == SCORES_DICT)
        for (i = 0; i < n_sdict; i++, p += 8)
            put_u64(p, f64_bits(c->scores[sfirst[i]]));
    for (i = 0; i < n; i++) {
        if (enc == SCORES_F64) {
            put_u64(p, f64_bits(c->scores[i]));
            p += 8;
        } else if (enc == SCORES_F32) {
            float f = (float)c->scores[i];
            uint32_t u;
            memcpy(&u, &f, 4);
            put_u32(p, u);
            p += 4;
        } else {
            put_index(p, ws, sidx[i]);
            p += ws;
        }
    }
    for (i = 0; i < n; i++, p += wo)
        put_index(p, wo, oidx[i]);
    vn_sha256(blob, total - TRAILER_SIZE, p);
    *out = blob;
    *out_size = total;
    return VERNIER_OK;
}

int vn_partial_encode(const content *c, vn_arena *scratch, const vernier_allocator *alc,
                      void **out, size_t *out_size, vernier_error *err)
{
    vernier_error local;
    int rc;
    vn_error_init(&local);
    rc = encode(c, scratch, alc, out, out_size, &local);
    if (rc != VERNIER_OK) {
        /* the scratch allocations fail without a message of their own */
        if (local.message[0] == '\0')
            vn_fail(&local, rc, "%s while writing a partial", vernier_status_string(rc));
        vn_error_copy(err, &local);
    }
    return rc;
}

void vernier_partial_blob_free(void *buf, size_t size, const vernier_allocator *alc)
{
    vn_mem m;
    if (buf == NULL || vn_mem_init(&m, alc) != VERNIER_OK)
        return;
    m.used = size; /* the block is being given back, not tracked here */
    vn_free(&m, buf, size);
}

/* ---- reading ------------------------------------------------------------- */

int vn_partial_fail(vernier_error *err, int code, size_t index, const char *what, const char *fmt,
               ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    vn_fail(err, code, "partials[%zu]: %s", index, msg);
    vn_error_set_path(err, what);
    if (vn_error_usable(err))
        err->index = (int64_t)index;
    vn_error_set_field(err, VERNIER_ERROR_HAS_PARTIAL_INDEX, (int64_t)index);
    return code;
}

#define CORRUPT(what, ...) vn_partial_fail(err, VERNIER_E_PARTIAL_CORRUPT, index, what, __VA_ARGS__)

/* Length, magic, version, declared size, checksum, then the header's
 * counts against the section sizes and the parameters section. */
int vn_partial_frame_check(frame *f, const void *data, size_t size, size_t index, vernier_error *err)
{
    const uint8_t *d = data;
    uint8_t sum[VN_SHA256_LEN];
    uint64_t total, n_dets, n_odict, n_sdict, rest;
    uint32_t version;
    size_t per_det;
    memset(f, 0, sizeof(*f));
    if (data == NULL && size > 0)
        return vn_partial_fail(err, VERNIER_E_INVALID_ARG, index, "data", "NULL data with size %zu", size);
    if (size < 12)
        return CORRUPT("length", "%zu bytes is too short for a partial (a header is %d)", size,
                       HEADER_SIZE);
    if (memcmp(d, MAGIC, 8) != 0)
        return CORRUPT("magic", "not a vernier partial (wrong magic number)");
    version = get_u32(d + OFF_VERSION);
    if (version != VERNIER_PARTIAL_FORMAT_VERSION)
        return vn_partial_fail(err, VERNIER_E_PARTIAL_VERSION, index, "version",
                   "format version %u; this library reads version %d", (unsigned)version,
                   VERNIER_PARTIAL_FORMAT_VERSION);
    if (size < HEADER_SIZE + TRAILER_SIZE)
        return CORRUPT("length", "truncated: %zu bytes, shorter than a header and checksum",
                       size);
    total = get_u64(d + OFF_TOTAL);
    if (total != size)
        return CORRUPT("length", "the header says %llu bytes but %zu were given%s",
                       (unsigned long long)total, size, total > size ? " (truncated)" : "");
    if (get_u32(d + OFF_HEADER_SIZE) != HEADER_SIZE)
        return CORRUPT("structure", "header size %u, expected %d",
                       (unsigned)get_u32(d + OFF_HEADER_SIZE), HEADER_SIZE);
    vn_sha256(d, size - TRAILER_SIZE, sum);
    if (memcmp(sum, d + size - TRAILER_SIZE, VN_SHA256_LEN) != 0)
        return CORRUPT("checksum", "checksum mismatch: the blob was altered or damaged");

    /* from here on the bytes are the writer's: what fails is a writer bug
     * or a forgery, still refused without reading out of bounds */
    f->data = d;
    f->size = size;
    f->rank_id = get_u32(d + OFF_RANK);
    f->enc = d[OFF_SCORE_ENC];
    f->n_gt_images = get_u32(d + OFF_N_GT_IMAGES);
    f->n_gt_cats = get_u32(d + OFF_N_GT_CATS);
    rest = size - HEADER_SIZE - TRAILER_SIZE;
    {
        uint64_t lp = get_u64(d + OFF_LEN_PARAMS), li = get_u64(d + OFF_LEN_IMAGES),
                 lr = get_u64(d + OFF_LEN_RECORDS);
        uint64_t ni = get_u64(d + OFF_N_IMAGES), nr = get_u64(d + OFF_N_RECORDS);
        if (lp > rest || li > rest - lp || lr > rest - lp - li)
            return CORRUPT("structure", "section lengths exceed the blob");
        /* each image takes at least one byte, each record two */
        if (ni > li || nr > lr / 2 || (ni == 0 && (li != 0 || lr != 0)) ||
            (ni > 0 && lr < ni))
            return CORRUPT("structure", "image or record counts do not fit their sections");
        f->len_params = (size_t)lp, f->len_images = (size_t)li, f->len_records = (size_t)lr;
        f->n_images = (size_t)ni, f->n_recs = (size_t)nr;
        rest -= lp + li + lr;
    }
    f->params = d + HEADER_SIZE;
    f->images = f->params + f->len_params;
    f->records = f->images + f->len_images;
    if (!vn_params_parse(f->params, f->len_params, &f->pv))
        return CORRUPT("structure", "malformed parameters section");
    if (f->pv.iou_type != d[OFF_IOU] || f->pv.parity_mode != d[OFF_PARITY] ||
        f->pv.use_cats != d[OFF_USE_CATS])
        return CORRUPT("structure", "header and parameters section disagree");
    vn_sha256(f->params, f->len_params, sum);
    if (memcmp(sum, d + OFF_PARAMS_DIGEST, VN_SHA256_LEN) != 0)
        return CORRUPT("structure", "the parameters digest does not match the parameters");
    if (f->pv.use_cats && f->n_gt_cats == 0 && f->n_recs > 0)
        return CORRUPT("structure", "records but no categories");
    /* the fixed-size sections: exact sizes from the counts */
    n_dets = get_u64(d + OFF_N_DETS);
    n_odict = get_u64(d + OFF_N_ODICT);
    n_sdict = get_u64(d + OFF_N_SDICT);
    if (n_dets >= UINT32_MAX || n_odict > n_dets || n_sdict > n_dets ||
        (n_dets > 0 && n_odict == 0) || f->enc > SCORES_DICT ||
        (f->enc == SCORES_DICT) != (n_sdict > 0) || (f->enc == SCORES_DICT && n_dets == 0))
        return CORRUPT("structure", "inconsistent detection or dictionary counts");
    f->wo = index_width(n_odict);
    f->ws = f->enc == SCORES_DICT ? index_width(n_sdict) : 0;
    per_det = f->wo + (f->enc == SCORES_F64 ? 8 : f->enc == SCORES_F32 ? 4 : f->ws);
    /* every count is below 2^32 and A <= 16: no u64 product overflows */
    if (n_odict * f->pv.A * 8 + n_sdict * 8 + n_dets * per_det != rest)
        return CORRUPT("structure", "section sizes do not add up to the blob size");
    /* each fits in the blob, hence in size_t */
    f->n_dets = (size_t)n_dets, f->n_odict = (size_t)n_odict, f->n_sdict = (size_t)n_sdict;
    f->odict = f->records + f->len_records;
    f->sdict = f->odict + f->n_odict * f->pv.A * 8;
    f->scores = f->sdict + f->n_sdict * 8;
    f->oindex = f->scores + f->n_dets * (per_det - f->wo);
    return VERNIER_OK;
}

/* Decodes the image ids into ids[n_images] (ascending, checked). */
int vn_partial_decode_images(const frame *f, int64_t *ids, size_t index, vernier_error *err)
{
    cursor c = {f->images, f->images + f->len_images};
    uint64_t key = 0, v;
    size_t i;
    for (i = 0; i < f->n_images; i++) {
        if (!get_varint(&c, &v))
            return CORRUPT("structure", "malformed image list");
        if (i == 0) {
            key = v;
        } else {
            if (v >= UINT64_MAX - key)
                return CORRUPT("structure", "image ids out of range");
            key += v + 1;
        }
        ids[i] = key_id(key);
    }
    if (c.p != c.end)
        return CORRUPT("structure", "trailing bytes in the image list");
    return VERNIER_OK;
}

/* Decodes everything: images, records, scores and outcomes (arrays sized
 * from the frame's counts). */
int vn_partial_decode_all(const frame *f, int64_t *images, prec *recs, double *scores,
                      vn_outcome *outc, size_t index, vernier_error *err)
{
    const size_t A = f->pv.A, T = f->pv.T;
    const uint64_t tp_mask = T >= 32 ? 0xFFFFFFFFu : (((uint64_t)1 << T) - 1);
    const uint64_t valid = tp_mask | tp_mask << 32;
    const size_t K = f->pv.use_cats ? f->n_gt_cats : 1;
    cursor c;
    size_t i, j, r = 0, slots = 0;
    const uint8_t *p;
    VN_TRY(vn_partial_decode_images(f, images, index, err));
    if (f->n_images > f->n_gt_images)
        return CORRUPT("structure", "more images covered than the ground truth has");
    /* the outcome dictionary: codes matching can produce */
    for (i = 0; i < f->n_odict * A; i++) {
        uint64_t e = get_u64(f->odict + 8 * i);
        if ((e & ~valid) != 0 || (e & (e >> 32) & tp_mask) != 0)
            return CORRUPT("structure", "an outcome code no matching produces");
    }
    for (i = 0, p = f->oindex; i < f->n_dets; i++, p += f->wo) {
        uint32_t e = get_index(p, f->wo);
        if (e >= f->n_odict)
            return CORRUPT("structure", "outcome index out of range");
        for (j = 0; j < A; j++)
            outc[i * A + j] = get_u64(f->odict + ((size_t)e * A + j) * 8);
    }
    for (i = 0, p = f->scores; i < f->n_dets; i++) {
        if (f->enc == SCORES_F64) {
            scores[i] = bits_f64(get_u64(p));
            p += 8;
        } else if (f->enc == SCORES_F32) {
            uint32_t u = get_u32(p);
            float x;
            memcpy(&x, &u, 4);
            scores[i] = (double)x;
            p += 4;
        } else {
            uint32_t e = get_index(p, f->ws);
            if (e >= f->n_sdict)
                return CORRUPT("structure", "score index out of range");
            scores[i] = bits_f64(get_u64(f->sdict + (size_t)e * 8));
            p += f->ws;
        }
    }
    c.p = f->records;
    c.end = f->records + f->len_records;
    for (i = 0; i < f->n_images; i++) {
        uint64_t nr, gap, n;
        uint64_t cat = 0;
        if (!get_varint(&c, &nr) || nr > K || nr > f->n_recs - r)
            return CORRUPT("structure", "malformed record list");
        for (j = 0; j < nr; j++, r++) {
            if (!get_varint(&c, &gap) || !get_varint(&c, &n))
                return CORRUPT("structure", "malformed record list");
            if (j == 0)
                cat = gap;
            else if (gap >= K || (cat += gap + 1) >= K)
                return CORRUPT("structure", "record category out of range");
            if (cat >= K || n > (uint64_t)f->pv.max_det || n > f->n_dets - slots)
                return CORRUPT("structure", "record out of range");
            recs[r].image = (uint32_t)i;
            recs[r].cat = (uint32_t)cat;
            recs[r].n = (uint32_t)n;
            slots += (size_t)n;
        }
    }
    if (c.p != c.end || r != f->n_recs || slots != f->n_dets)
        return CORRUPT("structure", "the records do not account for every detection");
    return VERNIER_OK;
}

#undef CORRUPT

int vernier_partial_read(vernier_partial **out, const void *data, size_t size,
                         const vernier_allocator *alc, vernier_error *err)
{
    vernier_error local;
    vernier_partial *pp;
    frame f;
    vn_mem mem;
    content *c;
    int64_t *images;
    prec *recs;
    double *scores;
    vn_outcome *outc;
    uint8_t *params;
    int rc;
    if (out == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out must not be NULL");
    *out = NULL;
    vn_error_init(&local);
    rc = vn_partial_frame_check(&f, data, size, 0, &local);
    if (rc != VERNIER_OK) {
        vn_error_copy(err, &local);
        return rc;
    }
    if (vn_mem_init(&mem, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    pp = vn_calloc(&mem, 1, sizeof(*pp));
    if (pp == NULL)
        return vn_fail(err, vn_mem_failure(&mem), "out of memory reading a partial");
    pp->mem = mem;
    vn_arena_init(&pp->arena, &pp->mem);
    images = vn_arena_array(&pp->arena, f.n_images + 1, sizeof(int64_t));
    recs = vn_arena_array(&pp->arena, f.n_recs + 1, sizeof(prec));
    scores = vn_arena_array(&pp->arena, f.n_dets + 1, sizeof(double));
    outc = vn_arena_array(&pp->arena, f.n_dets + 1, f.pv.A * sizeof(vn_outcome));
    params = vn_arena_alloc(&pp->arena, f.len_params);
    if (images == NULL || recs == NULL || scores == NULL || outc == NULL || params == NULL) {
        rc = vn_fail(&local, vn_mem_failure(&pp->mem), "out of memory reading a partial");
    } else {
        rc = vn_partial_decode_all(&f, images, recs, scores, outc, 0, &local);
    }
    if (rc != VERNIER_OK) {
        vernier_partial_free(pp);
        vn_error_copy(err, &local);
        return rc;
    }
    memcpy(params, f.params, f.len_params);
    c = &pp->c;
    c->rank_id = f.rank_id;
    c->iou_type = f.pv.iou_type;
    c->parity_mode = f.pv.parity_mode;
    c->use_cats = f.pv.use_cats;
    c->n_gt_images = f.n_gt_images;
    c->n_gt_cats = f.n_gt_cats;
    memcpy(c->dataset_digest, f.data + OFF_DATASET, VN_SHA256_LEN);
    memcpy(c->params_digest, f.data + OFF_PARAMS_DIGEST, VN_SHA256_LEN);
    c->params = params;
    c->params_len = f.len_params;
    c->A = f.pv.A;
    c->T = f.pv.T;
    c->n_images = f.n_images;
    c->images = images;
    c->n_recs = f.n_recs;
    c->recs = recs;
    c->n_dets = f.n_dets;
    c->scores = scores;
    c->outc = outc;
    pp->size = size;
    *out = pp;
    return VERNIER_OK;
}

int vernier_partial_write(void **out, size_t *out_size, const vernier_partial *p,
                          const vernier_allocator *alc, vernier_error *err)
{
    vn_mem sm;
    vn_arena scratch;
    int rc;
    if (out == NULL || out_size == NULL || p == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out, out_size and p must not be NULL");
    *out = NULL;
    *out_size = 0;
    if (vn_mem_init(&sm, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    vn_arena_init(&scratch, &sm);
    rc = vn_partial_encode(&p->c, &scratch, alc, out, out_size, err);
    vn_arena_release(&scratch);
    return rc;
}

int vernier_partial_get_info(const vernier_partial *p, vernier_partial_info *out)
{
    vernier_partial_info info;
    if (p == NULL || out == NULL || out->size < sizeof(out->size))
        return VERNIER_E_INVALID_ARG;
    memset(&info, 0, sizeof(info));
    info.size = sizeof(info);
    info.format_version = VERNIER_PARTIAL_FORMAT_VERSION;
    info.rank_id = p->c.rank_id;
    info.iou_type = p->c.iou_type;
    info.parity_mode = p->c.parity_mode;
    info.use_cats = p->c.use_cats;
    info.n_images = p->c.n_images;
    info.n_records = p->c.n_recs;
    info.n_detections = p->c.n_dets;
    info.blob_size = p->size;
    memcpy(info.dataset_digest, p->c.dataset_digest, VN_SHA256_LEN);
    memcpy(info.params_digest, p->c.params_digest, VN_SHA256_LEN);
    vn_fill_sized(out, &info, sizeof(info));
    return VERNIER_OK;
}

void vernier_partial_free(vernier_partial *p)
{
    vn_mem mem;
    if (p == NULL)
        return;
    vn_arena_release(&p->arena);
    mem = p->mem;
    vn_free(&mem, p, sizeof(*p));
}

