/// \file
/// `mcusim sweep`: the same firmware across clocks, devices, flash wait states
/// and cache settings, in parallel, stored and tabulated with the energy- and
/// latency-optimal points marked (docs/cli.md, docs/power.md "Clock sweeps").
#pragma once

#include "cli/image_options.h"

#include <string>

namespace CLI {
class App;
}

namespace mcusim::cli {

struct SweepArgs {
  std::string elf;
  ImageArgs image; ///< --load-address, --symbols
  std::string mhz, devices, flash_ws, cache; ///< comma-separated lists, parsed by session/sweep.h
  unsigned jobs = 0;                         ///< 0 = the hardware's threads
  std::string every, battery, scenario;      ///< battery life
  std::string format = "text";               ///< text, md (markdown), html, json
  std::string db;
  bool no_db = false;
  unsigned long long max_instructions = 0, max_cycles = 0;
  double timeout = 0;
  std::string timing = "core";
  std::string layer_pattern;
};

/// Registers `mcusim sweep` on `app`.
CLI::App *add_sweep_command(CLI::App &app, SweepArgs &args);
int cmd_sweep(const SweepArgs &args);

} // namespace mcusim::cli
