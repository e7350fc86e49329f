/* A protocol state machine: frames a byte stream (sync, length, payload,
 * checksum) with a switch-based parser, as in a sensor-link driver. */
#include "workload.h"

enum state { WAIT_SYNC, LEN, PAYLOAD, CHECK };

int main(void) {
  unsigned reps = workload_reps(20);
  static uint8_t stream[2048];
  uint32_t x = 1;
  for (unsigned i = 0; i < sizeof stream; i++) {
    x = x * 1103515245u + 12345u;
    stream[i] = (i % 37 == 0) ? 0xA5 : (uint8_t)(x >> 16);
  }
  uint32_t frames = 0, bad = 0, sum = 0;
  for (unsigned r = 0; r < reps; r++) {
    enum state st = WAIT_SYNC;
    unsigned len = 0, got = 0;
    uint8_t ck = 0;
    for (unsigned i = 0; i < sizeof stream; i++) {
      uint8_t b = stream[i];
      switch (st) {
      case WAIT_SYNC: if (b == 0xA5) st = LEN; break;
      case LEN: len = b & 15; got = 0; ck = 0; st = len ? PAYLOAD : CHECK; break;
      case PAYLOAD: ck ^= b; sum += b; if (++got == len) st = CHECK; break;
      case CHECK: if (ck == b) frames++; else bad++; st = WAIT_SYNC; break;
      }
    }
    stream[r % sizeof stream] ^= (uint8_t)r;
  }
  return workload_done("fsm", reps, sum ^ (frames << 16) ^ bad);
}
