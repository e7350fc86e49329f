/* int16 x int16 -> int32 matrix multiply, 24x24, as in a small dense layer. */
#include "workload.h"

#define N 24
static int16_t a[N][N], b[N][N];
static int32_t c[N][N];

int main(void) {
  unsigned reps = workload_reps(10);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      a[i][j] = (int16_t)((i * 7 + j * 3) % 61 - 30);
      b[i][j] = (int16_t)((i * 5 - j * 11) % 53 - 26);
    }
  uint32_t sum = 0;
  for (unsigned r = 0; r < reps; r++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        int32_t acc = 0;
        for (int k = 0; k < N; k++) acc += (int32_t)a[i][k] * b[k][j];
        c[i][j] = acc;
      }
    for (int i = 0; i < N; i++) sum += (uint32_t)c[i][(i + r) % N];
    a[r % N][(r * 3) % N] += 1;
  }
  return workload_done("matmul", reps, sum);
}
