/* session.h — the incremental session's state and what the worker needs
 * of it beyond the public API (private). */
#ifndef VN_SESSION_H
#define VN_SESSION_H

#include <stdatomic.h>

#include "common/hashmap.h"
#include "eval/cells.h"
#include "eval/match.h"
#include "eval/plan.h"
#include "vernier.h"

/* The session's state (session.c; merge.c reads and fills it). */
/* One cell's committed detections: `n` kept (0 when the cap is 0 but the
 * cell had detections, which still makes it non-empty). */
typedef struct cell_rec {
    uint32_t cell; /* canonical cell index, k * n_images + i (or i) */
    uint32_t n;
} cell_rec;

struct vernier_session {
    vn_mem mem;          /* retained state; the budget is enforced by hand,
                            before each commit, so a refusal changes nothing */
    vn_mem scratch_mem;  /* per-batch and finalize working memory */
    vn_arena index;      /* the GT cells, maps, npig, seen flags */
    const vernier_dataset *gt;
    vn_plan plan;
    vn_cells base;       /* every GT image, no detections */
    vn_hashmap img_map, cat_map;
    uint32_t *npig;      /* n_cells x A non-ignored GT counts */
    uint8_t *seen;       /* per base image: covered by a committed batch */
    int holds_cache;
    cell_rec *recs;      /* in commit order */
    size_t n_recs, cap_recs;
    double *scores;      /* kept detections, record after record */
    vn_outcome *outc;    /* A per kept detection */
    size_t n_slots, cap_scores, cap_outc;
    size_t images_seen, detections_seen;
    size_t budget, scratch_peak, requested;
    int finalized;
    /* the resolved parameters in the partial format's canonical encoding
     * and their SHA-256 (params.c), from the index arena */
    uint8_t *params;
    size_t params_len;
    uint8_t params_digest[32];
};


/* vernier_session_add with a cancellation flag: when *cancel becomes
 * non-zero (another thread sets it) the batch stops at its next checkpoint
 * (between categories) and VERNIER_E_STATE is returned with nothing
 * committed.  cancel may be NULL. */
int vn_session_add(vernier_session *s, const vernier_results *res, const atomic_int *cancel,
                   vernier_error *err);

/* Fails with VERNIER_E_UNKNOWN_IMAGE (located as vernier_session_add
 * locates it) if a result names an image the ground truth lacks.  Reads
 * only what creation built, so any thread may call it while another adds. */
int vn_session_check_images(const vernier_session *s, const vernier_results *res,
                            vernier_error *err);

/* Bytes a parsed result batch holds (for the worker's `queued` figure). */
size_t vn_results_bytes(const vernier_results *res);

#endif
