/// \file
/// `mcusim calibrate`: the command line over session::calibrate.
#include "cli/cmd_calibrate.h"
#include "session/calibrate.h"
#include "session/exit_codes.h"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace mcusim::cli {

CLI::App *add_calibrate_command(CLI::App &app, CalibrateArgs &a) {
  auto *cmd = app.add_subcommand("calibrate", "Fit a device's run and sleep currents to current captures of the real board "
                                              "and write a device file with them (docs/power.md)");
  cmd->add_option("elf", a.elf, "Firmware image (ELF, .hex or .bin): the firmware the board ran while it was captured")->required();
  add_image_options(*cmd, a.image);
  cmd->add_option("--device,-d", a.device, "Device name or .toml file (default: chosen from the ELF)");
  cmd->add_option("--capture,-c", a.captures,
                  "A current capture and the core clock it was taken at, FILE@MHZ (repeat for more clocks)")
      ->required();
  cmd->add_option("--output,-o", a.output, "The fitted device file to write")->required();
  cmd->add_option("--format", a.format, "Capture format: auto (from the header), ppk2, joulescope, stpm or generic")
      ->check(CLI::IsMember({"auto", "ppk2", "joulescope", "stpm", "generic"}));
  cmd->add_option("--date", a.date, "Date for the source lines (default: the newest capture file's modification date)");
  cmd->add_option("--mode", a.mode, "The run mode the board ran in (default: the device's)");
  cmd->add_option("--max-cycles", a.max_cycles, "Stop each run after this many cycles (default: as long as its capture)");
  cmd->add_option("--timeout", a.timeout, "Stop each run after this many seconds of wall-clock time")->check(CLI::PositiveNumber);
  return cmd;
}

int cmd_calibrate(const CalibrateArgs &a) {
  session::CalibrateRequest req;
  req.elf = a.elf;
  auto image = image_input(a.image);
  if (!image) {
    std::fprintf(stderr, "mcusim: error: %s\n", image.error().message.c_str());
    return kExitUsage;
  }
  req.image = *image;
  req.device = a.device;
  req.output = a.output;
  req.date = a.date;
  req.mode = a.mode;
  req.max_cycles = a.max_cycles;
  req.timeout_seconds = a.timeout;
  req.format = power::parse_capture_format(a.format).value_or(power::CaptureFormat::Auto);
  for (const auto &spec : a.captures) {
    session::CalibrateCapture c;
    std::string error;
    if (!session::parse_capture_spec(spec, &c, &error)) {
      std::fprintf(stderr, "mcusim: error: %s\n", error.c_str());
      return kExitUsage;
    }
    req.captures.push_back(c);
  }
  auto outcome = session::calibrate(req);
  for (const auto &w : outcome.warnings) std::fprintf(stderr, "mcusim: warning: %s\n", w.c_str());
  if (outcome.exit_code != kExitOk) {
    std::fprintf(stderr, "mcusim: error: %s\n", outcome.error.c_str());
    return outcome.exit_code;
  }
  std::fwrite(outcome.text.data(), 1, outcome.text.size(), stdout);
  return kExitOk;
}

} // namespace mcusim::cli
