/* params.h — the canonical parameters section of the partial format and
 * the ground-truth dataset digest (private). */
#ifndef VN_PARAMS_H
#define VN_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "common/sha256.h"
#include "common/vn_alloc.h"
#include "eval/plan.h"
#include "parse/coco.h"
#include "vernier.h"

/* The canonical encoding of the parameters `plan` and `opts` resolve to
 * (docs/reference/partial-format.md, "Parameters section"), allocated from
 * `ar`.  Fails like vernier_eval_run on invalid sigmas. */
int vn_params_encode(vn_arena *ar, const vn_plan *plan, const vernier_eval_options *opts,
                     uint8_t **out, size_t *out_len, vernier_error *err);

/* A parameters section, parsed (bounds and ranges checked).  Each field's
 * byte range is kept so two sections can be compared field by field. */
enum { PF_IOU, PF_PARITY, PF_USE_CATS, PF_DILATION, PF_IOU_THRS, PF_REC_THRS, PF_AREAS,
       PF_MAX_DETS, PF_SIGMAS, PF_COUNT };
/* The fields' names, as mismatch errors give them. */
extern const char *const PF_NAME[PF_COUNT];

typedef struct pview {
    int iou_type, parity_mode, use_cats;
    size_t T, A, M;
    int64_t max_det;
    size_t off[PF_COUNT], len[PF_COUNT];
} pview;

/* Parses an encoded parameters section into *v; 0 when it is malformed. */
int vn_params_parse(const uint8_t *p, size_t n, pview *v);

/* The dataset digest (vernier_dataset_digest). */
void vn_digest_dataset(const vernier_dataset *ds, uint8_t out[VN_SHA256_LEN]);

#endif
