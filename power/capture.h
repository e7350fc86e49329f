/// \file
/// Current captures of a real board: the CSV exports of a Nordic PPK2 (nRF
/// Connect Power Profiler), a Joulescope (Joulescope UI) and an ST power
/// shield (X-NUCLEO-LPM01A), and a generic `time_s,current_a` form with the
/// units in the header. The result is time in seconds and current in amperes.
/// Formats, their columns and sources: docs/power.md, "Calibration".
#pragma once

#include "power/power_error.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcusim::power {

enum class CaptureFormat {
  Auto,       ///< detected from the header
  Ppk2,       ///< nRF Connect Power Profiler: Timestamp(ms),Current(uA)[,D0-D7][,D0,...,D7]
  Joulescope, ///< Joulescope UI: #time,current,voltage,power,charge,energy (s, A, ...), or header-less time,current,voltage
  Stpm,       ///< ST power shield logs: a header with units, after a block of metadata lines
  Generic,    ///< time and current columns with their units in the header (time_s,current_a; Time (ms),Current (uA))
};
/// "auto", "ppk2", "joulescope", "stpm", "generic"
const char *capture_format_name(CaptureFormat f);
/// The format by name (as above); nullopt for an unknown name.
std::optional<CaptureFormat> parse_capture_format(std::string_view name);

/// A capture: samples of the current at increasing times.
struct Capture {
  std::string file;
  CaptureFormat format = CaptureFormat::Generic; ///< the format it was read as (never Auto)
  std::string time_column, current_column;       ///< the header's names ("Timestamp(ms)"; "column 1" without a header)
  std::vector<double> time_s;    ///< strictly increasing
  std::vector<double> current_a;
  size_t size() const { return time_s.size(); }
  /// From the first sample to the end of the last (the last lasts as long as the one before it).
  double duration_s() const;
  /// How long sample `i` stands for: to the next sample (the last: as long as the one before it).
  double sample_s(size_t i) const;
};

/// Parses capture text. Errors are one line, "file:line: bad capture: ..."
/// (PowerError::Kind::Malformed): no current column, no time column, time
/// not increasing, a cell that is not a number (with its line and column),
/// fewer than two samples.
PowerExpected<Capture> parse_capture(std::string_view text, const std::string &file, CaptureFormat format = CaptureFormat::Auto);

/// Reads and parses a capture file; a file that cannot be read is PowerError::Kind::Unreadable.
PowerExpected<Capture> load_capture(const std::string &file, CaptureFormat format = CaptureFormat::Auto);

} // namespace mcusim::power
