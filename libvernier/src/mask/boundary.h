/* boundary.h — Boundary IoU's boundary bands (private).
 *
 * Boundary IoU (Cheng et al., bowenc0221/boundary-iou-api) compares the
 * pixels of each mask that lie within d pixels of its contour.  Its
 * reference, mask_to_boundary(), pads the mask with one row/column of zeros,
 * erodes it d times with a 3x3 square (cv2.erode) and subtracts the eroded
 * mask from the mask.  Eroding d times by a 3x3 square is eroding once by a
 * (2d+1) x (2d+1) square; the zero padding makes pixels outside the image
 * count as background. */
#ifndef VN_BOUNDARY_H
#define VN_BOUNDARY_H

#include <stdint.h>

#include "common/vn_alloc.h"
#include "mask/rle.h"

/* d = max(1, int(round(ratio * sqrt(h*h + w*w)))) with Python's round
 * (half to even), as mask_to_boundary computes it. */
uint32_t vn_boundary_dilation(double ratio, uint32_t h, uint32_t w);

/* *out = mask minus its erosion by a (2d+1) x (2d+1) square, outside the
 * image counting as background; same size as mask; counts from `ar`. */
int vn_boundary_band(vn_arena *ar, const vn_rle *mask, uint32_t d, vn_rle *out);

#endif
