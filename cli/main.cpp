/// \file
/// mcusim command line: run, devices, info.
#include "cli/cmd_calibrate.h"
#include "cli/cmd_battery.h"
#include "cli/cmd_db.h"
#include "cli/cmd_gate.h"
#include "cli/cmd_sweep.h"
#include "cli/cmd_eembc.h"
#include "cli/commands.h"
#include "session/exit_codes.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <spdlog/spdlog.h>

int main(int argc, char **argv) {
  using namespace mcusim::cli;
  spdlog::set_level(spdlog::level::warn);
  CLI::App app{"mcusim: cycle-approximate Cortex-M simulator and profiler for TinyML firmware", "mcusim"};
  app.set_version_flag("--version", std::string("mcusim ") + MCUSIM_VERSION_STRING);
  app.require_subcommand(1);

  RunArgs run;
  auto *run_cmd = app.add_subcommand("run", "Run a firmware ELF and print its output and a summary");
  run_cmd->add_option("elf", run.elf, "Firmware image: ELF (Cortex-M, 32-bit little-endian), Intel HEX (.hex) or raw binary (.bin)")->required();
  add_image_options(*run_cmd, run.image);
  run_cmd->add_option("--device,-d", run.device, "Device name (see 'mcusim devices') or a device .toml file");
  run_cmd->add_option("--mhz", run.mhz, "Core clock in MHz (default: the device's)")->check(CLI::PositiveNumber);
  run_cmd->add_option("--max-instructions", run.max_instructions, "Stop after this many instructions");
  run_cmd->add_option("--max-cycles", run.max_cycles, "Stop after this many cycles");
  run_cmd->add_option("--timeout", run.timeout, "Stop after this many seconds of wall-clock time")->check(CLI::PositiveNumber);
  run_cmd->add_option("--stdin", run.stdin_file, "File the firmware reads as its stdin (default: mcusim's stdin)");
  run_cmd->add_option("--semihost-dir", run.semihost_dir,
                      "Directory the firmware may open host files in (default: none)");
  run_cmd->add_flag("--quiet,-q", run.quiet, "Print only the firmware's output");
  run_cmd->add_option("--timing", run.timing, "core: per-core cycle model (default); none: one cycle per instruction")
      ->check(CLI::IsMember({"core", "none"}));
  run_cmd->add_option("--core", run.core, "Override the device's core (cortex-m0plus, cortex-m3, cortex-m4, cortex-m4f, cortex-m7, cortex-m33)");
  run_cmd->add_option("--flash-ws", run.flash_ws, "Override the flash wait states")->check(CLI::Range(0, 31));
  run_cmd->add_flag("--strict-peripherals", run.strict_peripherals,
                    "An access to an unmodelled peripheral register, or to peripheral space with no block, is a BusFault");
  run_cmd->add_option("--cache", run.cache, "Flash accelerator / L1 caches on or off (default: the device's)")
      ->check(CLI::IsMember({"on", "off"}));
  run_cmd->add_option("--report", run.report, "Print a report after the run: text (default), json, markdown or html")
      ->expected(0, 1)
      ->default_str("text")
      ->check(CLI::IsMember({"text", "json", "markdown", "html"}));
  run_cmd->add_option("--report-out", run.report_out, "Write the report to this file instead of stdout");
  run_cmd->add_option("--console", run.console_file,
                      "Write the firmware's stdout to this file (default: stdout; stderr when --report=json takes stdout)");
  run_cmd->add_option("--uart", run.uart,
                      "NAME=FILE|stdio|pty: where UART NAME's output goes (default: every UART's to the firmware's console)")
      ->allow_extra_args(false);
  run_cmd->add_option("--uart-in", run.uart_in, "NAME=FILE: bytes UART NAME receives, at its baud rate")->allow_extra_args(false);
  run_cmd->add_option("--uart-script", run.uart_script,
                      "NAME=FILE: a conversation on UART NAME, lines 'send TEXT' and 'expect TEXT' (docs/cli.md)")
      ->allow_extra_args(false);
  add_gate_options(*run_cmd, run_gate_options(), false);
  add_run_db_options(*run_cmd, run_db_options());
  run_cmd->add_option("--flamegraph", run.flamegraph, "Write folded stacks (self cycles per call path) for flamegraph.pl/speedscope");
  run_cmd->add_option("--trace", run.trace, "Write a Chrome/Perfetto trace of layers and functions on the simulated timeline");
  run_cmd->add_option("--gpio-trace", run.gpio_trace,
                      "Write every GPIO output change (time, cycle, port, pin, level); a FILE ending in .vcd is a VCD for GTKWave");
  run_cmd->add_option("--gpio-phase", run.gpio_phases,
                      "NAME=PIN (PA5): report the pin's high intervals as the phase NAME (repeatable)")
      ->allow_extra_args(false);
  run_cmd->add_option("--arena-symbol", run.arena_symbol, "The tensor arena's symbol (default: tensor_arena, g_tensor_arena, kTensorArena, mcusim_arena)");
  run_cmd->add_option("--layer-pattern", run.layer_pattern,
                      "Functions whose demangled name matches this regex are layers (default: the TFLM preset)");
  run_cmd->add_option("--scenario", run.scenario, "Project the battery life of this scenario (TOML) with the run's energy (docs/power.md)");
  run_cmd->add_option("--power-mode", run.power_mode, "Run mode the energy is priced in (a mode of the device's [power] figures)");
  run_cmd->add_option("--deep-sleep", run.deep_sleep, "Low-power state SLEEPDEEP enters (default: the device's)");
  run_cmd->add_option("--voltage", run.voltage, "Rail voltage in V for the energy (default: the figures')");
  run_cmd->add_option("--temperature", run.temperature, "Ambient temperature in °C for leakage (default: the figures' reference)")
      ->check(CLI::Range(-273.15, 1000.0));
  run_cmd->add_option("args", run.firmware_args, "Arguments passed to the firmware (after --)");

  bool devices_quiet = false;
  auto *dev_cmd = app.add_subcommand("devices", "List the device descriptions");
  dev_cmd->add_flag("--names", devices_quiet, "Print names only");

  std::string info_elf, info_device;
  ImageArgs info_image;
  auto *info_cmd = app.add_subcommand("info", "Show an ELF's sections, memory use, entry point and vector table");
  info_cmd->add_option("elf", info_elf, "Firmware image: ELF, Intel HEX (.hex) or raw binary (.bin)")->required();
  add_image_options(*info_cmd, info_image);
  info_cmd->add_option("--device,-d", info_device, "Device name or .toml file (default: chosen from the ELF)");

  GateArgs gate;
  auto *gate_cmd = add_gate_command(app, gate);
  CalibrateArgs calibrate;
  auto *calibrate_cmd = add_calibrate_command(app, calibrate);
  DbCommands db_cmds; // runs, report, compare
  add_db_commands(app, db_cmds);
  SweepArgs sweep;
  auto *sweep_cmd = add_sweep_command(app, sweep);
  BatteryArgs battery;
  auto *battery_cmd = add_battery_command(app, battery);
  EembcArgs eembc;
  auto *eembc_cmd = add_eembc_command(app, eembc);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    std::fprintf(stderr, "mcusim: %s (see 'mcusim --help')\n", e.what());
    return kExitUsage;
  }
  if (*run_cmd) return cmd_run(run);
  if (*dev_cmd) return cmd_devices(devices_quiet);
  if (*info_cmd) return cmd_info(info_elf, info_device, info_image);
  if (*gate_cmd) return cmd_gate(gate);
  if (*calibrate_cmd) return cmd_calibrate(calibrate);
  if (*sweep_cmd) return cmd_sweep(sweep);
  if (*battery_cmd) return cmd_battery(battery);
  if (*eembc_cmd) return cmd_eembc(eembc);
  if (auto code = run_db_command(db_cmds)) return *code;
  return kExitUsage;
}
