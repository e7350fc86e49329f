/* CRC-32 (IEEE 802.3, reflected, table-driven) over a 4 KiB buffer. */
#include "workload.h"

static uint32_t table[256];
static uint8_t buffer[4096];

int main(void) {
  unsigned reps = workload_reps(20);
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  for (unsigned i = 0; i < sizeof buffer; i++) buffer[i] = (uint8_t)(i * 131u + 7u);
  uint32_t sum = 0;
  for (unsigned r = 0; r < reps; r++) {
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned i = 0; i < sizeof buffer; i++) crc = table[(crc ^ buffer[i]) & 0xFF] ^ (crc >> 8);
    sum += crc ^ 0xFFFFFFFFu;
    buffer[r % sizeof buffer] ^= (uint8_t)sum;
  }
  return workload_done("crc32", reps, sum);
}
