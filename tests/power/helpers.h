/// \file
/// Shared helpers for the battery-life tests.
#pragma once

#include "power/battery_toml.h"
#include "power/projection.h"
#include "power/scenario.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace mcusim::power::test {

inline std::filesystem::path source_dir() { return MCUSIM_TEST_SOURCE_DIR; }
inline std::vector<std::filesystem::path> presets() { return {source_dir() / "devices" / "batteries"}; }
inline std::filesystem::path data(const std::string &name) { return source_dir() / "tests" / "data" / "power" / name; }

inline Battery preset(const std::string &name) {
  auto b = load_battery_preset(name, presets());
  INFO((b ? std::string() : b.error().message));
  REQUIRE(b);
  return *b;
}

inline Scenario scenario(const std::string &text, const std::string &file = "s.toml") {
  auto s = parse_scenario(text, file, presets());
  INFO((s ? std::string() : s.error().message));
  REQUIRE(s);
  return *s;
}

/// The one-line error a scenario gives (empty when it parses).
inline std::string error_of(const std::string &text, const std::string &file = "bad.toml") {
  auto s = parse_scenario(text, file, presets());
  if (s) return {};
  return s.error().message;
}

/// A scenario built in code: the battery, no regulator, a run drawing
/// `run_ua` for `run_s`, sleep at `sleep_ua`, one run every `period_s`.
inline Scenario simple(const Battery &b, double run_ua, double run_s, double sleep_ua, double period_s) {
  Scenario s;
  s.file = "(test)";
  s.battery = b;
  s.supply.regulator = RegulatorKind::None;
  s.run.current_ua = run_ua;
  s.run.duration_s = run_s;
  s.sleep.current_ua = sleep_ua;
  s.period_s = period_s;
  return s;
}

inline bool has_warning(const Projection &p, Severity sev, const std::string &part) {
  for (const auto &w : p.warnings)
    if (w.severity == sev && w.message.find(part) != std::string::npos) return true;
  return false;
}

} // namespace mcusim::power::test
