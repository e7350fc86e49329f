/// \file
/// `mcusim eembc`: the command line over session::run_eembc (docs/eembc.md).
#pragma once

#include "cli/image_options.h"

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace mcusim::cli {

struct EembcArgs {
  std::string elf;
  ImageArgs image; ///< --load-address, --symbols
  std::string device;
  std::string mode = "performance";
  std::string input;
  std::optional<unsigned> iterations, warmups, windows;
  std::string uart = "USART2";
  std::string report; ///< "" text, json
  unsigned long long max_cycles = 0;
  double timeout = 0;
  double mhz = 0;
  bool quiet = false, transcript = false;
};

/// Registers `mcusim eembc` on `app`.
CLI::App *add_eembc_command(CLI::App &app, EembcArgs &args);
int cmd_eembc(const EembcArgs &args);

} // namespace mcusim::cli
