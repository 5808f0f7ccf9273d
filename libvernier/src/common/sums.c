/* sums.c — numpy's summation orders, reproduced bit for bit. */
#include "common/sums.h"

/* numpy's pairwise summation of float64 (what np.sum and np.mean use on a
 * contiguous array): a plain loop below 8 elements, eight accumulators up
 * to 128, otherwise split at n/2 rounded down to a multiple of 8. */
double vn_pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.0;
        size_t i;
        for (i = 0; i < n; i++)
            res += a[i];
        return res;
    } else if (n <= 128) {
        double r[8], res;
        size_t i, j;
        for (j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (j = 0; j < 8; j++)
                r[j] += a[i + j];
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    } else {
        size_t n2 = n / 2;
        n2 -= n2 % 8;
        return vn_pairwise_sum(a, n2) + vn_pairwise_sum(a + n2, n - n2);
    }
}
