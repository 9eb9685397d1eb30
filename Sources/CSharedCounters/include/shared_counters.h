// Relaxed atomic counters in memory shared between processes (a MAP_SHARED file mapping).
// Swift's Synchronization atomics cannot be placed on foreign memory; these C builtins can, and
// ThreadSanitizer understands them.
#ifndef SHARED_COUNTERS_H
#define SHARED_COUNTERS_H
#include <stdint.h>

static inline void shared_counter_add(uint64_t *word, uint64_t amount) {
    __atomic_fetch_add(word, amount, __ATOMIC_RELAXED);
}

static inline uint64_t shared_counter_load(const uint64_t *word) {
    return __atomic_load_n(word, __ATOMIC_RELAXED);
}

static inline void shared_counter_store(uint64_t *word, uint64_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELAXED);
}

/// Raises `*word` to `value` if it is lower (a high-water mark).
static inline void shared_counter_max(uint64_t *word, uint64_t value) {
    uint64_t seen = __atomic_load_n(word, __ATOMIC_RELAXED);
    while (seen < value && !__atomic_compare_exchange_n(word, &seen, value, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}

/// Subtracts one (a gauge going down); wraps never, callers pair it with an add.
static inline void shared_counter_decrement(uint64_t *word) {
    __atomic_fetch_sub(word, 1, __ATOMIC_RELAXED);
}
#endif
