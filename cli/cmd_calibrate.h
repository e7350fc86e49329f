/// \file
/// `mcusim calibrate`: fit a device's run and sleep currents to current
/// captures of the real board (session/calibrate.h; docs/power.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/image_options.h"

namespace CLI {
class App;
}

namespace mcusim::cli {

struct CalibrateArgs {
  std::string elf, device, output, format = "auto", date, mode;
  std::vector<std::string> captures; ///< FILE@MHZ
  ImageArgs image; ///< --load-address, --symbols
  uint64_t max_cycles = 0;
  double timeout = 0;
};

/// Registers `mcusim calibrate` on `app`.
CLI::App *add_calibrate_command(CLI::App &app, CalibrateArgs &args);
int cmd_calibrate(const CalibrateArgs &args);

} // namespace mcusim::cli
