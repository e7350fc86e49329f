/// \file
/// `mcusim calibrate`: read the captures, run the firmware in the simulator at
/// each capture's clock, pair each capture with its run, fit the device's run
/// and sleep currents (power/calibrate.h) and write the fitted device file.
/// No command-line parsing here. See docs/power.md, "Calibration".
#pragma once

#include "power/capture.h"
#include "session/firmware.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mcusim::session {

struct CalibrateCapture {
  std::string file;
  double mhz = 0; ///< the core clock the board ran at
};

struct CalibrateRequest {
  std::string elf;
  ImageInput image;                          ///< --load-address, --symbols
  std::string device;                        ///< name or .toml file ("" = chosen from the ELF)
  std::vector<CalibrateCapture> captures;
  power::CaptureFormat format = power::CaptureFormat::Auto;
  std::string output;                        ///< the fitted device file
  std::string date;                          ///< for the source lines ("" = the newest capture file's modification date)
  std::string mode;                          ///< the run mode the board ran in ("" = the device's default)
  uint64_t max_cycles = 0;                   ///< per run (0 = as long as the capture lasts)
  double timeout_seconds = 0;                ///< wall clock per run (0 = none)
};

struct CalibrateOutcome {
  int exit_code = 0;       ///< cli/exit_codes.h: 64, 65..67, 70..75 (the run), 66/81 (captures), 83, 79 (output)
  std::string error;       ///< one line when exit_code != 0
  std::string text;        ///< what was fitted, the residual, the notes (stdout)
  std::vector<std::string> warnings;
};

/// Parses "FILE@MHZ" (the last '@' splits; the clock is a positive number of MHz).
bool parse_capture_spec(const std::string &spec, CalibrateCapture *out, std::string *error);

/// Runs the whole calibration (see the file comment). The firmware's own
/// output is discarded.
CalibrateOutcome calibrate(const CalibrateRequest &request);

} // namespace mcusim::session
