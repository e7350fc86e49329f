/// \file
/// How much of the tensor arena a run used, read from its bytes at the end.
#pragma once

#include <cstdint>

namespace mcusim {

/// The part of a zero-initialised arena in use at the end of a run: its head
/// (up to the start of the longest run of zero bytes) and its tail (after
/// that run); an arena holding no zero byte is all in use.
struct ArenaUse {
  uint32_t head = 0, tail = 0, nonzero = 0;
};
ArenaUse measure_arena_use(const uint8_t *bytes, uint32_t size);

} // namespace mcusim
