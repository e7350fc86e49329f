/// \file
/// Battery life from a run: a run's energy (RunReport::energy,
/// RunReport::uj_per_inference) as the active phase of a duty cycle, the
/// device's low-power state between runs, and the battery, supply, loads and
/// temperature from a scenario file and options (`mcusim battery`,
/// `mcusim run --scenario`). The projection itself is power/projection.h.
/// See docs/power.md, "Battery life of a run".
#pragma once

#include "base/power_desc.h"
#include "power/projection.h"
#include "power/scenario.h"
#include "profiler/run_report.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace mcusim::session {

/// What happens once per period.
enum class BatteryPer {
  Auto,      ///< one model invocation when the report has invocations, else the whole run
  Run,       ///< the whole firmware run
  Inference, ///< one model invocation (RunReport::uj_per_inference)
};

/// The options of a projection; every one is optional and a given one
/// overrides the scenario file's.
struct BatteryOptions {
  std::string scenario_file;         ///< --scenario: battery, supply, duty, sleep, loads, ambient
  std::optional<double> period_s;    ///< --every
  BatteryPer per = BatteryPer::Auto; ///< --per
  std::string sleep_state;           ///< --sleep: a low-power state of the device ("" = its deep_sleep state)
  std::optional<double> sleep_ua;    ///< --sleep-ua: the current between runs, at the rail
  std::vector<power::Load> loads;    ///< --load, --burst: added to the file's loads
  std::optional<power::RegulatorKind> regulator; ///< --supply
  std::optional<double> supply_v, efficiency, quiescent_ua; ///< --supply-v, --efficiency, --quiescent-ua
  std::optional<double> temperature_c; ///< --temperature (default: the file's, else the run's)
  std::string battery_preset;        ///< --battery
  std::string battery_file;          ///< --battery-file
  std::vector<std::filesystem::path> preset_dirs; ///< where presets are looked for (empty: power::battery_preset_dirs())
};

/// A problem with a projection's inputs: one line and the exit code it gives
/// (session/exit_codes.h): 64 a bad option, 66 an unreadable file, 67 an
/// unknown device, 80 a malformed scenario or battery file, an unknown preset
/// or an impossible duty cycle, 83 a run without energy or an unknown
/// low-power state.
struct BatteryError {
  int exit_code = 0;
  std::string message;
};
template <typename T> using BatteryExpected = tl::expected<T, BatteryError>;

// --- Option values ---------------------------------------------------------

/// A period: a number with a unit `s`, `ms`, `min` or `h` (a bare number is
/// seconds), greater than 0 and finite.
tl::expected<double, std::string> parse_period(std::string_view text);
/// A duration for a burst: the same units, a bare number is milliseconds.
tl::expected<double, std::string> parse_burst_duration(std::string_view text);
/// `--load NAME=UA`: a continuous load of UA µA at the rail.
tl::expected<power::Load, std::string> parse_load_option(std::string_view text);
/// `--burst NAME=MJ/EVERY[/DURATION]`: MJ millijoules every EVERY runs, lasting DURATION.
tl::expected<power::Load, std::string> parse_burst_option(std::string_view text);
/// `--supply none|ldo|smps` ("dcdc" is smps).
tl::expected<power::RegulatorKind, std::string> parse_regulator(std::string_view text);

// --- The scenario ------------------------------------------------------------

/// The scenario without the run: the file (whose [run] is optional and whose
/// [sleep] and [duty] may come from the options) with the options applied.
/// Checked before a run starts, so a bad file stops `mcusim run --scenario`
/// before the firmware runs. Sections neither the file nor the options give
/// are left unset (Scenario::given says which): the sleep comes from the
/// device later, the temperature from the run.
BatteryExpected<power::Scenario> prepare_battery_scenario(const BatteryOptions &options);

/// A projection and what it was made of.
struct BatteryProjection {
  power::Scenario scenario;
  power::Projection projection;
  BatteryPer per = BatteryPer::Run; ///< Run or Inference: what the run phase is
  std::string run_phase;   ///< "one inference: 812 µJ over 40.2 ms (uj_per_inference of 3 invocations)"
  std::string sleep_phase; ///< "stop2 of stm32u575 at 25 °C: 1.9 µA" or "--sleep-ua: 2 µA"
  std::string source;      ///< "crc32.elf on stm32f407 at 100 MHz"
  std::vector<std::string> notes; ///< e.g. that the scenario's own [run] was replaced by the run's
};

/// Completes `scenario` (from prepare_battery_scenario) with the run phase
/// from `report` and, unless the scenario or the options give it, the sleep
/// phase from `device_power` (the report's device's figures; null when the
/// device has none), checks it (check_scenario) and projects it.
BatteryExpected<BatteryProjection> project_run(const RunReport &report, power::Scenario scenario,
                                               const BatteryOptions &options, const PowerDesc *device_power);

/// The same, looking the report's device up with find_device when the sleep
/// current must come from it.
BatteryExpected<BatteryProjection> project_run(const RunReport &report, power::Scenario scenario,
                                               const BatteryOptions &options);

// --- Output ----------------------------------------------------------------

/// Text for people: what the run phase and the sleep phase are, then
/// power::render_projection.
std::string render_battery_text(const BatteryProjection &p);
/// One JSON object (schema "mcusim-battery", docs/power.md).
std::string render_battery_json(const BatteryProjection &p);
/// A Markdown section.
std::string render_battery_markdown(const BatteryProjection &p);

} // namespace mcusim::session
