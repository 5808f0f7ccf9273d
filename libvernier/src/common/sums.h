/* sums.h — the summation orders parity needs (private). */
#ifndef VN_SUMS_H
#define VN_SUMS_H

#include <stddef.h>

/* numpy's pairwise summation of n float64 values (np.sum, np.mean). */
double vn_pairwise_sum(const double *a, size_t n);

#endif
