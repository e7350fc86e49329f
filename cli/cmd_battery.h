/// \file
/// `mcusim battery RUN`: the battery life of a duty cycle whose active phase
/// is a stored run (or a report JSON file). See docs/power.md.
#pragma once

#include "cli/cmd_db.h"

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mcusim::cli {

struct BatteryArgs {
  std::string run;                      ///< run id, "last", or a report JSON file
  std::string db = kDefaultRunDatabase;
  std::string every;                    ///< --every: the period, "1s", "250ms", "5min", "2h"
  std::string per;                      ///< --per: "run", "inference" ("" = inference when the report has invocations)
  std::string sleep;                    ///< --sleep: a low-power state of the device
  std::optional<double> sleep_ua;       ///< --sleep-ua
  std::vector<std::string> loads;       ///< --load NAME=UA
  std::vector<std::string> bursts;      ///< --burst NAME=MJ/EVERY[/DURATION]
  std::string supply;                   ///< --supply none|ldo|smps
  std::optional<double> supply_v, efficiency, quiescent_ua, temperature;
  std::string battery, battery_file, scenario;
  std::string format = "text";          ///< text, json, md
};

/// Registers `mcusim battery` on `app`.
CLI::App *add_battery_command(CLI::App &app, BatteryArgs &args);
int cmd_battery(const BatteryArgs &args);

} // namespace mcusim::cli
