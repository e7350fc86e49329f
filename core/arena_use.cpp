/// \file
/// The arena scan: the longest run of zero bytes is the unused gap.
#include "core/arena_use.h"

namespace mcusim {

ArenaUse measure_arena_use(const uint8_t *bytes, uint32_t size) {
  ArenaUse u;
  uint32_t gap_start = 0, gap_len = 0, run_start = 0;
  for (uint32_t i = 0; i < size; ++i) {
    if (bytes[i]) {
      ++u.nonzero;
      run_start = i + 1;
    } else if (i + 1 - run_start > gap_len) {
      gap_start = run_start;
      gap_len = i + 1 - run_start;
    }
  }
  u.head = gap_start;
  u.tail = size - gap_start - gap_len;
  return u;
}

} // namespace mcusim
