/// \file
/// splitmix64: a fixed pseudo-random generator, the same on every platform
/// and library, for test inputs made at test time.
#pragma once

#include <cstdint>

namespace mcusim::test {

struct Random {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }
};

} // namespace mcusim::test
