/* threads.c — one task on n threads for one call: the caller and n - 1
 * started threads, joined before returning. */
#include <pthread.h>

#include "common/threads.h"
#include "vernier.h"

void vn_threads_run(size_t n, void *(*worker)(void *), void *arg, void (*self)(void *),
                    void *self_arg)
{
    pthread_t tid[VERNIER_MAX_THREADS];
    size_t i, started = 0;
    if (n > VERNIER_MAX_THREADS)
        n = VERNIER_MAX_THREADS;
    for (i = 1; i < n; i++) {
        if (pthread_create(&tid[i], NULL, worker, arg) != 0)
            break;
        started++;
    }
    self(self_arg);
    for (i = 1; i <= started; i++)
        pthread_join(tid[i], NULL);
}
