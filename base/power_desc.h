/// \file
/// A device's power figures (the `[power]` section of a device file): run
/// current by code location and clock range, the low-power states with their
/// currents and wake-up times, the temperature dependence of leakage and the
/// optional per-instruction-class weights. Plain data; power/ prices a run
/// with it. Schema and sources: docs/devices.md, docs/power.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mcusim {

/// Where the code runs from: the run current differs (flash reads through the
/// accelerator or cache, or SRAM).
enum class CodeLocation : unsigned char { Flash = 0, Ram = 1 };
inline constexpr unsigned kCodeLocations = 2;
const char *code_location_name(CodeLocation l); ///< "flash", "sram"

/// Run current at the rail: fixed_ua + ua_per_mhz * MHz, for code in one
/// location, in one regulator / voltage-scaling mode, up to max_mhz.
struct RunCurrent {
  CodeLocation location = CodeLocation::Flash;
  std::string mode;      ///< e.g. "range1", "range2", "smps", "ldo"; "" = the only mode
  double max_mhz = 0;    ///< the row applies up to this clock (0: any clock)
  double fixed_ua = 0;   ///< current that does not scale with the clock
  double ua_per_mhz = 0; ///< current per MHz of core clock
  std::string source;
  bool covers(double mhz) const { return max_mhz == 0 || mhz <= max_mhz + 1e-9; }
};

enum class PowerStateKind : unsigned char {
  Sleep,   ///< WFI/WFE with SLEEPDEEP = 0: the core clock stops, peripherals and clocks run
  Stop,    ///< WFI/WFE with SLEEPDEEP = 1: clocks stopped, SRAM and registers kept (ST Stop, Nordic System ON idle)
  Standby, ///< deepest state that keeps a wake-up source (ST Standby, Nordic System OFF)
};
const char *power_state_kind_name(PowerStateKind k); ///< "sleep", "stop", "standby"

/// A low-power state: its current at the rail (fixed, plus per MHz for Sleep,
/// whose clock tree keeps running) and the time from the wake-up event to
/// running code again.
struct LowPowerState {
  std::string name; ///< the vendor's name: "sleep", "stop2", "standby", "system-on-idle"
  PowerStateKind kind = PowerStateKind::Sleep;
  double fixed_ua = 0;
  double ua_per_mhz = 0; ///< Sleep only (0 for the others)
  double wakeup_us = 0;
  std::string source;
};

/// Extra energy per executed instruction of a class, on top of the run
/// current (which already averages over the mix). Zero (neutral) until a
/// calibration fits them.
struct PowerWeights {
  double mac_pj = 0;       ///< MUL/MLA/SMLAD and other multiply-accumulates
  double fpu_pj = 0;       ///< floating-point instructions
  double flash_load_pj = 0;///< loads from flash
  double sram_access_pj = 0; ///< loads and stores to SRAM
  bool neutral() const { return mac_pj == 0 && fpu_pj == 0 && flash_load_pj == 0 && sram_access_pj == 0; }
};

struct PowerDesc {
  double voltage_v = 3.0;        ///< the rail voltage the currents are given at
  double reference_c = 25;       ///< the temperature the currents are given at
  /// Low-power currents double every this many degrees above reference_c
  /// (leakage); 0 when the device file gives no temperature dependence.
  double leakage_doubling_c = 0;
  std::string default_mode;      ///< run mode used unless one is asked for ("" = the first row's)
  std::string deep_sleep;        ///< the state SLEEPDEEP enters (a Stop or Standby state's name)
  std::vector<RunCurrent> run;   ///< at least one row for Flash
  std::vector<LowPowerState> states; ///< exactly one of kind Sleep
  PowerWeights weights;
  std::string source, notes;

  /// The run row for code in `loc` at `mhz` in `mode` ("" = default_mode):
  /// the first row of that location and mode whose max_mhz covers the clock
  /// (or the last such row when none does); Ram falls back to Flash rows when
  /// the file has none for Ram. Null when there is no row of that mode.
  const RunCurrent *run_row(CodeLocation loc, double mhz, std::string_view mode = {}) const;
  const LowPowerState *state(std::string_view name) const; ///< by name, case-insensitive
  const LowPowerState *sleep_state() const;     ///< the Sleep state
  const LowPowerState *deep_sleep_state() const;///< the state named by deep_sleep
  /// The run modes the file names, in order of first appearance.
  std::vector<std::string> modes() const;
};

} // namespace mcusim
