/// \file
/// Look-ups on a device's power figures (see power_desc.h).
#include "base/power_desc.h"

#include <algorithm>
#include <cctype>

namespace mcusim {

namespace {
bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
} // namespace

const char *code_location_name(CodeLocation l) {
  switch (l) {
  case CodeLocation::Flash: return "flash";
  case CodeLocation::Ram: return "sram";
  }
  return "?";
}

const char *power_state_kind_name(PowerStateKind k) {
  switch (k) {
  case PowerStateKind::Sleep: return "sleep";
  case PowerStateKind::Stop: return "stop";
  case PowerStateKind::Standby: return "standby";
  }
  return "?";
}

const RunCurrent *PowerDesc::run_row(CodeLocation loc, double mhz, std::string_view mode) const {
  if (run.empty()) return nullptr;
  std::string_view want = !mode.empty() ? mode : !default_mode.empty() ? std::string_view(default_mode) : std::string_view(run.front().mode);
  auto pick = [&](CodeLocation where) -> const RunCurrent * {
    const RunCurrent *last = nullptr;
    for (const auto &r : run) {
      if (r.location != where || !same_name(r.mode, want)) continue;
      if (r.covers(mhz)) return &r;
      last = &r;
    }
    return last;
  };
  if (auto r = pick(loc)) return r;
  return loc == CodeLocation::Ram ? pick(CodeLocation::Flash) : nullptr;
}

const LowPowerState *PowerDesc::state(std::string_view name) const {
  for (const auto &s : states)
    if (same_name(s.name, name)) return &s;
  return nullptr;
}

const LowPowerState *PowerDesc::sleep_state() const {
  for (const auto &s : states)
    if (s.kind == PowerStateKind::Sleep) return &s;
  return nullptr;
}

const LowPowerState *PowerDesc::deep_sleep_state() const { return deep_sleep.empty() ? nullptr : state(deep_sleep); }

std::vector<std::string> PowerDesc::modes() const {
  std::vector<std::string> out;
  for (const auto &r : run)
    if (std::none_of(out.begin(), out.end(), [&](const std::string &m) { return same_name(m, r.mode); })) out.push_back(r.mode);
  return out;
}

} // namespace mcusim
