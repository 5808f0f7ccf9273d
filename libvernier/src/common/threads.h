/* threads.h — running one task on n threads for one call (private). */
#ifndef VN_THREADS_H
#define VN_THREADS_H

#include <stddef.h>

/* Starts n - 1 threads running worker(arg), runs self(self_arg) on the
 * calling thread (so the caller is the n-th), and joins them.  A thread
 * that cannot be started is not retried: the work must be shared through
 * `arg` (an atomic counter, say) so that whoever runs finishes it. */
void vn_threads_run(size_t n, void *(*worker)(void *), void *arg, void (*self)(void *),
                    void *self_arg);

#endif
