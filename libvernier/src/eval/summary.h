/* summary.h — pycocotools' summarize() (private). */
#ifndef VN_SUMMARY_H
#define VN_SUMMARY_H

#include "common/vn_alloc.h"
#include "eval/result.h"

/* Computes ev->stats from the accumulated arrays. */
int vn_summarize(vernier_eval *ev, vn_arena *scratch);

#endif
