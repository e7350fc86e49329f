/* Sorting: insertion sort and a non-recursive merge sort of 512 keys. */
#include "workload.h"

#define N 512
static uint32_t keys[N], tmp[N];

static void merge_sort(uint32_t *v, unsigned n) {
  for (unsigned width = 1; width < n; width *= 2) {
    for (unsigned lo = 0; lo < n; lo += 2 * width) {
      unsigned mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      unsigned i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
      while (i < mid) tmp[k++] = v[i++];
      while (j < hi) tmp[k++] = v[j++];
    }
    memcpy(v, tmp, n * sizeof *v);
  }
}

static void insertion_sort(uint32_t *v, unsigned n) {
  for (unsigned i = 1; i < n; i++) {
    uint32_t x = v[i];
    unsigned j = i;
    while (j > 0 && v[j - 1] > x) { v[j] = v[j - 1]; j--; }
    v[j] = x;
  }
}

int main(void) {
  unsigned reps = workload_reps(4);
  uint32_t seed = 12345, sum = 0;
  for (unsigned r = 0; r < reps; r++) {
    for (unsigned i = 0; i < N; i++) keys[i] = seed = seed * 1664525u + 1013904223u;
    if (r & 1) insertion_sort(keys, N / 4);
    else merge_sort(keys, N);
    sum += keys[r % N] ^ keys[N / 2];
  }
  return workload_done("sort", reps, sum);
}
