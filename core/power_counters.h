/// \file
/// What the run loop counts for the energy model (power/ prices it): cycles
/// by power state and by code location, sleep entries and wake-ups, and a
/// bounded timeline of power-state segments. Kept from counters the block
/// hook already updates plus one add per block (the block's location is
/// known when it is priced); no per-instruction hook.
#pragma once

#include "base/power_desc.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim {

/// The state the core is in for a stretch of cycles.
enum class CoreState : unsigned char {
  Run,       ///< executing (or spinning in an idle loop) - cycles by code location
  Sleep,     ///< WFI/WFE or SLEEPONEXIT with SCR.SLEEPDEEP = 0
  DeepSleep, ///< the same with SCR.SLEEPDEEP = 1 (the device's deep_sleep state)
  Wakeup,    ///< from the wake-up event to running again (the state's wakeup_us)
};
/// "run", "sleep", "deep-sleep", "wake-up"
inline const char *core_state_name(CoreState s) {
  switch (s) {
  case CoreState::Run: return "run";
  case CoreState::Sleep: return "sleep";
  case CoreState::DeepSleep: return "deep-sleep";
  case CoreState::Wakeup: return "wake-up";
  }
  return "run";
}

/// At most this many distinct deep-sleep states are counted apart in a run
/// (PowerCounters::deep_states); a device names fewer low-power states.
constexpr size_t kMaxDeepStates = 8;

/// Deep sleep in one low-power state (a `[[power.state]]` of the device):
/// the state SLEEPDEEP entered, as the firmware's registers chose it
/// (PeripheralSpace::low_power_state), RunOptions::deep_sleep_state, or the
/// device's deep_sleep.
struct DeepSleepCounts {
  std::string name;            ///< the device's state name ("stop2")
  double wakeup_us = 0;        ///< its wake-up time (the figures')
  uint64_t cycles = 0;         ///< asleep in it
  uint64_t wakeup_cycles = 0;  ///< waking up from it
  uint64_t entries = 0;        ///< transitions into it
};

/// One stretch of the timeline. Before any merge a segment is in one state
/// and only that state's cycles below are non-zero; a merged segment (see
/// PowerCounters::merged) keeps the cycles of every state it covers, and its
/// `state` is the one with the most cycles (Run on a tie). In every segment
/// run_cycles + sleep + deep sleep + both wake-ups = end - start.
struct PowerSegment {
  uint64_t start = 0, end = 0; ///< cycle counts
  CoreState state = CoreState::Run;
  std::array<uint64_t, kCodeLocations> run_cycles{}; ///< Run cycles by CodeLocation
  uint64_t sleep_cycles = 0, deep_sleep_cycles = 0;          ///< as in PowerCounters
  uint64_t sleep_wakeup_cycles = 0, deep_wakeup_cycles = 0;  ///< as in PowerCounters
  /// deep_sleep_cycles by state, indexed as PowerCounters::deep_states (they sum to deep_sleep_cycles when the run counts states).
  std::array<uint64_t, kMaxDeepStates> deep_state_cycles{};
  /// The clock the segment ran at: an index in PowerCounters::clocks (a
  /// segment never spans a clock change, except after the last-resort merge
  /// that PowerCounters::clocks_merged reports, where it is the clock of the
  /// segment with more cycles).
  uint32_t clock = 0;
  uint64_t total() const {
    return run_cycles[0] + run_cycles[1] + sleep_cycles + deep_sleep_cycles + sleep_wakeup_cycles + deep_wakeup_cycles;
  }
};

/// Executed instructions of the classes PowerWeights prices (counted only
/// when the device's weights are not neutral: it costs a counting hook).
struct InstructionClassCounts {
  uint64_t mac = 0, fpu = 0, flash_loads = 0, sram_accesses = 0;
};

/// The cycles a run spent at one (core clock, power mode) pair, over the
/// whole run (PowerCounters::clocks): kept by key, not by time, so a run that
/// switches back and forth between two clocks has two of them.
struct ClockCounts {
  double hz = 0;          ///< HCLK
  /// The `[power]` run mode the PWR registers select ("range2", "ldo"); ""
  /// when they select none the device names (the device default or --power-mode prices it).
  std::string power_mode;
  /// Its cycles by state (start, end, state and clock unused): the sum of the
  /// timeline segments at this clock before any merge.
  PowerSegment cycles;
};

struct PowerCounters {
  /// Run cycles by CodeLocation (blocks by the region they run from; cycles
  /// outside blocks - exception entry and return, idle fast-forward - by the
  /// location of the code that was running).
  std::array<uint64_t, kCodeLocations> run_cycles{};
  uint64_t sleep_cycles = 0;      ///< asleep with SLEEPDEEP = 0
  uint64_t deep_sleep_cycles = 0; ///< asleep with SLEEPDEEP = 1
  uint64_t sleep_wakeup_cycles = 0, deep_wakeup_cycles = 0; ///< wake-up time after each kind
  uint64_t sleep_entries = 0, deep_sleep_entries = 0;       ///< transitions into each kind
  /// Deep sleep by the state entered, in first-entry order (empty when the
  /// device has no power figures). Their cycles, wake-up cycles and entries
  /// sum to deep_sleep_cycles, deep_wakeup_cycles and deep_sleep_entries.
  std::vector<DeepSleepCounts> deep_states;
  /// The timeline, merged pairwise (oldest first) whenever it would exceed
  /// kMaxSegments, so every cycle stays covered; `merged` says it was.
  std::vector<PowerSegment> timeline;
  bool merged = false;
  static constexpr size_t kMaxSegments = 4096;
  /// The clocks the run was at, in first-use order (empty for counters not
  /// kept by a run, such as hand-built ones: then one clock prices them all).
  /// Their cycles sum to the counters above once the run has ended.
  std::vector<ClockCounts> clocks;
  /// A timeline merge had to join segments at two clocks (more than
  /// kMaxSegments / 2 clock changes): those segments are priced at one of them.
  bool clocks_merged = false;
  std::optional<InstructionClassCounts> classes; ///< only when counted
  /// Run + sleep + deep sleep + wake-up = the run's cycles.
  uint64_t total() const {
    return run_cycles[0] + run_cycles[1] + sleep_cycles + deep_sleep_cycles + sleep_wakeup_cycles + deep_wakeup_cycles;
  }
};

} // namespace mcusim
