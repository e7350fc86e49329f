// Fuzzes the battery scenario parser (power/scenario.cpp): the TOML text check,
// toml++, and the checked reading of every scenario and battery key, with the
// bundled presets of devices/batteries. Seeds: the scenarios of tests/data/power
// and the battery presets (corpus/scenario_toml/).
//
// The scenario is named as if it were in an empty scratch directory, so a
// relative `battery.file` finds nothing; an absolute one is read like any file
// (only regular files are read, and at most 1 MiB of them).
#include "power/battery_toml.h"
#include "power/scenario.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>

using namespace mcusim;

namespace {
struct Scratch {
  std::filesystem::path dir;
  std::vector<std::filesystem::path> presets = power::battery_preset_dirs();
  Scratch() : dir(std::filesystem::temp_directory_path() / ("mcusim-fuzz-scenario-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const Scratch scratch;
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  const std::string file = (scratch.dir / "scenario.toml").string();
  (void)power::parse_scenario(text, file, scratch.presets);
  (void)power::parse_battery(text, file); // the same bytes as a battery description
  return 0;
}
