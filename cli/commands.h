/// \file
/// The mcusim subcommands. Each returns the process exit code.
#pragma once

#include "cli/image_options.h"

#include <optional>
#include <string>
#include <vector>

namespace mcusim::cli {

struct RunArgs {
  std::string elf;
  ImageArgs image; ///< --load-address, --symbols
  std::string device;
  double mhz = 0;
  unsigned long long max_instructions = 0, max_cycles = 0;
  double timeout = 0;
  std::string stdin_file;
  std::string semihost_dir;
  bool quiet = false;
  std::string timing = "core";
  std::string core;
  int flash_ws = -1;
  bool strict_peripherals = false;
  std::string cache;
  std::string report;      ///< "" none, else text|json|markdown
  std::string report_out;  ///< file for the report (default: stdout after the run)
  std::string layer_pattern;
  std::string flamegraph, trace; ///< output files
  std::string console_file; ///< the firmware's stdout goes here (--console)
  std::string gpio_trace;   ///< --gpio-trace FILE
  std::vector<std::string> gpio_phases; ///< --gpio-phase NAME=PA5 (repeatable)
  std::vector<std::string> uart, uart_in; ///< --uart NAME=FILE|stdio|pty, --uart-in NAME=FILE (as given)
  std::vector<std::string> uart_script;   ///< --uart-script NAME=FILE (as given)
  std::string arena_symbol;
  std::vector<std::string> firmware_args;
  std::string scenario; ///< battery scenario projected with the run's energy (--scenario)
  // Energy (docs/power.md)
  std::string power_mode, deep_sleep;
  std::optional<double> voltage, temperature;
};
int cmd_run(const RunArgs &args);
int cmd_devices(bool quiet);
int cmd_info(const std::string &elf, const std::string &device, const ImageArgs &image = {});

} // namespace mcusim::cli
