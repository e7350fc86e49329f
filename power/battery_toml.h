/// \file
/// Battery descriptions in TOML (one file per preset in devices/batteries/,
/// or the same keys inline in a scenario's [battery] table) and the preset
/// library. Schema: docs/power.md.
#pragma once

#include "power/battery.h"
#include "power/power_error.h"
#include "power/toml_reader.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mcusim::power {

/// Reads a cell description from `t`; keys are named with `prefix` in
/// messages ("" in a preset file, "battery." inline). Returns false on the
/// first problem (kept in `r`).
bool read_battery(TomlReader &r, const toml::table &t, const std::string &prefix, Battery &out);

/// Parses a battery description file's text; `file` names it in messages.
PowerExpected<Battery> parse_battery(std::string_view toml_text, const std::string &file);
PowerExpected<Battery> load_battery_file(const std::filesystem::path &file);

/// Where presets are looked for, in order: $MCUSIM_BATTERIES_DIR, the
/// installed devices/batteries, the source tree's devices/batteries (those that exist).
std::vector<std::filesystem::path> battery_preset_dirs();
/// The preset names (file stems) found in `dirs`, sorted, without duplicates.
std::vector<std::string> battery_preset_names(const std::vector<std::filesystem::path> &dirs);
/// The named preset (case-insensitive); an unknown name gives one line listing the presets.
PowerExpected<Battery> load_battery_preset(const std::string &name, const std::vector<std::filesystem::path> &dirs);

} // namespace mcusim::power
