/// \file
/// Value types passed between the GUI thread and the simulation worker, and
/// the text formatting the window uses for them. No widgets here.
#pragma once

#include "core/simulator.h"

#include <QMetaType>
#include <QString>

#include <cstdint>
#include <optional>

namespace mcusim::gui {

/// What to run: the window's form fields.
struct RunRequest {
  QString elf_path;
  QString device;                ///< device name or .toml path; empty = choose from the ELF
  double mhz = 0;                ///< 0 = the device's default clock
  uint64_t max_instructions = 0; ///< 0 = no limit
  double timeout_seconds = 0;    ///< wall-clock limit; 0 = none
  QString db_path;               ///< run database; empty = mcusim-runs.db in the working directory
  bool no_db = false;            ///< do not store the run
};

/// What the run is doing, known once the simulator has been built.
struct RunSetup {
  QString elf_path;
  QString device;       ///< "stm32f407"
  QString device_title; ///< "STMicroelectronics STM32F407..."
  QString core;         ///< "Cortex-M4F"
  double hz = 0;
  QString explanation;  ///< why this device was chosen from the ELF; empty if named
};

/// A snapshot during a run (RunOptions::Progress).
struct RunProgress {
  uint64_t cycles = 0, instructions = 0;
  double simulated_seconds = 0, wall_seconds = 0;
  double mips = 0; ///< over the last progress interval
};

/// The end of a run.
struct RunSummary {
  RunSetup setup;
  StopReason reason = StopReason::Internal;
  int exit_code = 0;  ///< the firmware's exit code (reason == Exited)
  QString message;    ///< the simulator's one-line message ("instruction limit of ... reached")
  QString fault_text; ///< format_fault() when the run ended in a fault; empty otherwise
  uint64_t instructions = 0, cycles = 0, sleep_cycles = 0;
  double hz = 0, simulated_seconds = 0, wall_seconds = 0;
  double mips = 0;       ///< NaN for runs under 0.1 s of wall time (no meaningful figure)
  qint64 run_id = -1;    ///< the run's id in the run database; -1 when it was not stored
  QString db_path;       ///< where it was stored
  int session_exit_code = 0; ///< what `mcusim run` would exit with (budget and storage included)

  /// `fault_text`: format_fault() of the result's fault (RunReport::fault).
  static RunSummary from(const RunSetup &setup, const RunResult &result, const std::string &fault_text);
};

// --- Formatting ----------------------------------------------------------------------------

/// 1234567 -> "1,234,567" (text::thousands of base/format.h, as a QString).
QString thousands(uint64_t value);
/// Seconds with a unit that keeps three significant decimals: "35.387 µs", "1.250 s".
QString format_seconds(double seconds);
/// 168e6 -> "168 MHz".
QString format_hz(double hz);
/// "exited with code 0", "stopped on request", or the stop reason's name
/// ("fault", "instruction limit", "hang"...).
QString describe_stop(const RunSummary &summary);
/// Parse an instruction count typed by a user: digits with optional ',' '_' or
/// ' ' separators and an optional k/M/G suffix ("250k", "1.5M"). Empty or "0"
/// is 0 (no limit). nullopt if the text is not a count.
std::optional<uint64_t> parse_count(const QString &text);

} // namespace mcusim::gui

Q_DECLARE_METATYPE(mcusim::gui::RunSetup)
Q_DECLARE_METATYPE(mcusim::gui::RunProgress)
Q_DECLARE_METATYPE(mcusim::gui::RunSummary)
