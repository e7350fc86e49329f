/// \file
/// `mcusim battery`: options to session::BatteryOptions, the run, the projection.
#include "cli/cmd_battery.h"
#include "session/battery.h"
#include "session/exit_codes.h"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace mcusim::cli {

namespace {

int usage(const std::string &message) {
  std::fprintf(stderr, "mcusim: error: %s\n", message.c_str());
  return kExitUsage;
}

} // namespace

CLI::App *add_battery_command(CLI::App &app, BatteryArgs &a) {
  auto *cmd = app.add_subcommand("battery", "Project the battery life of a duty cycle built on a stored run's energy (docs/power.md)");
  cmd->add_option("run", a.run, "Run id (see 'mcusim runs'), 'last' for the newest run, or a report JSON file")->required();
  cmd->add_option("--db", a.db, std::string("Run database (default: ") + kDefaultRunDatabase + ")");
  cmd->add_option("--every", a.every, "One run or inference every PERIOD: 1s, 250ms, 5min, 2h (a bare number is seconds)");
  cmd->add_option("--per", a.per, "What happens once per period: inference (default when the report has model invocations) or run")
      ->check(CLI::IsMember({"run", "inference"}));
  auto *sleep = cmd->add_option("--sleep", a.sleep, "The device's low-power state between runs (default: its deep-sleep state)");
  cmd->add_option("--sleep-ua", a.sleep_ua, "The current between runs in µA, instead of a state of the device")->excludes(sleep);
  cmd->add_option("--load", a.loads, "A continuous load NAME=UA (µA at the MCU's rail); repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--burst", a.bursts, "A burst NAME=MJ/EVERY[/DURATION]: MJ millijoules every EVERY runs, lasting DURATION (3ms); repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--supply", a.supply, "The supply path: none (default), ldo or smps");
  cmd->add_option("--supply-v", a.supply_v, "The MCU's rail voltage after the regulator");
  cmd->add_option("--efficiency", a.efficiency, "The SMPS's power efficiency, in (0, 1]");
  cmd->add_option("--quiescent-ua", a.quiescent_ua, "The regulator's own current in µA");
  cmd->add_option("--temperature", a.temperature, "Ambient temperature in °C (default: the scenario's, else the run's)");
  auto *preset = cmd->add_option("--battery", a.battery, "A battery preset: cr2032, cr2450, 2xaa-alkaline, er14505, 18650-li-ion, lipo-1000mah");
  cmd->add_option("--battery-file", a.battery_file, "A battery description (TOML)")->excludes(preset);
  cmd->add_option("--scenario", a.scenario, "A scenario file (TOML) with any of the above; the options override it");
  cmd->add_option("--format,-f", a.format, "text (default), json or md")->check(CLI::IsMember({"text", "json", "md", "markdown"}));
  return cmd;
}

int cmd_battery(const BatteryArgs &a) {
  session::BatteryOptions o;
  o.scenario_file = a.scenario;
  if (!a.every.empty()) {
    auto p = session::parse_period(a.every);
    if (!p) return usage("--every: " + p.error());
    o.period_s = *p;
  }
  if (a.per == "run") o.per = session::BatteryPer::Run;
  else if (a.per == "inference") o.per = session::BatteryPer::Inference;
  o.sleep_state = a.sleep;
  o.sleep_ua = a.sleep_ua;
  for (const auto &l : a.loads) {
    auto load = session::parse_load_option(l);
    if (!load) return usage("--load: " + load.error());
    o.loads.push_back(*load);
  }
  for (const auto &b : a.bursts) {
    auto burst = session::parse_burst_option(b);
    if (!burst) return usage("--burst: " + burst.error());
    o.loads.push_back(*burst);
  }
  if (!a.supply.empty()) {
    auto r = session::parse_regulator(a.supply);
    if (!r) return usage("--supply: " + r.error());
    o.regulator = *r;
  }
  o.supply_v = a.supply_v;
  o.efficiency = a.efficiency;
  o.quiescent_ua = a.quiescent_ua;
  o.temperature_c = a.temperature;
  o.battery_preset = a.battery;
  o.battery_file = a.battery_file;

  auto scenario = session::prepare_battery_scenario(o);
  if (!scenario) {
    std::fprintf(stderr, "mcusim: error: %s\n", scenario.error().message.c_str());
    return scenario.error().exit_code;
  }
  RunReport report;
  std::string label;
  if (int code = load_run_arg(a.run, a.db, report, label); code != kExitOk) return code;
  auto projection = session::project_run(report, std::move(*scenario), o);
  if (!projection) {
    std::fprintf(stderr, "mcusim: error: %s: %s\n", label.c_str(), projection.error().message.c_str());
    return projection.error().exit_code;
  }
  std::string text = a.format == "json"                         ? session::render_battery_json(*projection)
                     : (a.format == "md" || a.format == "markdown") ? session::render_battery_markdown(*projection)
                                                                    : session::render_battery_text(*projection);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

} // namespace mcusim::cli
