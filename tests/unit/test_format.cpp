// The number formatting every renderer and both front ends use (base/format.h,
// rules in docs/report.md).
#include "base/format.h"

#include <doctest/doctest.h>

using namespace mcusim;

TEST_CASE("thousands puts a comma between groups of three digits") {
  CHECK(text::thousands(0) == "0");
  CHECK(text::thousands(999) == "999");
  CHECK(text::thousands(1000) == "1,000");
  CHECK(text::thousands(49050602) == "49,050,602");
  CHECK(text::thousands(18446744073709551615ull) == "18,446,744,073,709,551,615");
}

TEST_CASE("sizes are KiB below 1 MiB and MiB from 1 MiB with one decimal unless exact") {
  CHECK(text::size(0) == "0 KiB");
  CHECK(text::size(512) == "0.5 KiB");
  CHECK(text::size(1024) == "1 KiB");
  CHECK(text::size(10957) == "10.7 KiB");
  CHECK(text::size(192 * 1024) == "192 KiB");
  CHECK(text::size(1024 * 1024 - 1024) == "1023 KiB");
  CHECK(text::size(1024 * 1024) == "1 MiB");
  CHECK(text::size(1536 * 1024) == "1.5 MiB");
  CHECK(text::size(4096ull * 1024) == "4 MiB");
  CHECK(text::size(4096ull * 1024 + 1) == "4.0 MiB");
}

TEST_CASE("addresses are 8 hex digits and offsets as few as needed") {
  CHECK(text::hex(0x08000000) == "0x08000000");
  CHECK(text::hex(0xe000ed00) == "0xe000ed00");
  CHECK(text::hex(0x1a) == "0x0000001a");
  CHECK(text::hex(0x1a, 0) == "0x1a");
  CHECK(text::hex(0, 0) == "0x0");
  CHECK(text::hex(0x123456789ull) == "0x123456789");
}
