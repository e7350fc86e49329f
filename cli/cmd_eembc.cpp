/// \file
/// `mcusim eembc`: the command line over session::run_eembc.
#include "cli/cmd_eembc.h"
#include "cli/run_signals.h"
#include "session/eembc.h"
#include "session/exit_codes.h"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace mcusim::cli {

namespace {

/// The firmware's semihosting console (a runner firmware says nothing there):
/// its output on stderr, so stdout holds only the runner's figures.
class StderrConsole final : public Console {
public:
  void out(std::string_view t) override { std::fwrite(t.data(), 1, t.size(), stderr); }
  void err(std::string_view t) override { std::fwrite(t.data(), 1, t.size(), stderr); }
  size_t in(char *, size_t) override { return 0; }
};

class EembcCliHooks final : public session::SessionHooks {
public:
  EembcCliHooks(RunSignals &signals, bool quiet) : signals_(signals), quiet_(quiet) {}
  Console &console() override { return console_; }
  void message(const session::Message &m) override {
    using Kind = session::Message::Kind;
    if (quiet_ && m.kind == Kind::Note) return;
    switch (m.kind) {
    case Kind::Error: std::fprintf(stderr, "mcusim: error: %s\n", m.text.c_str()); break;
    case Kind::Warning: std::fprintf(stderr, "mcusim: warning: %s\n", m.text.c_str()); break;
    case Kind::Note: std::fprintf(stderr, "mcusim: %s\n", m.text.c_str()); break;
    case Kind::Text: std::fwrite(m.text.data(), 1, m.text.size(), stderr); break;
    }
  }
  void attach(Simulator *sim) override { signals_.attach(sim); }
  bool wants_progress() const override { return false; }

private:
  StderrConsole console_;
  RunSignals &signals_;
  bool quiet_;
};

} // namespace

CLI::App *add_eembc_command(CLI::App &app, EembcArgs &a) {
  auto *cmd = app.add_subcommand("eembc", "Drive a firmware that speaks the EEMBC / MLPerf Tiny runner protocol over its UART "
                                          "and report its latency, results and energy (docs/eembc.md)");
  cmd->add_option("elf", a.elf, "Runner firmware image (ELF, .hex or .bin)")->required();
  add_image_options(*cmd, a.image);
  cmd->add_option("--device,-d", a.device, "Device name or .toml file (default: chosen from the ELF)");
  cmd->add_option("--mode", a.mode, "performance (default), accuracy or energy");
  cmd->add_option("--input", a.input, "The sample: raw bytes of the model's input, loaded with db commands")->required();
  cmd->add_option("--iterations", a.iterations, "Inferences per window, N of 'infer N W' (default: 10; accuracy: 1)");
  cmd->add_option("--warmups", a.warmups, "Warm-up inferences per window, W of 'infer N W' (default: 1; accuracy: 0)");
  cmd->add_option("--windows", a.windows, "Download-and-infer rounds (default: 5; accuracy: 1)");
  cmd->add_option("--uart", a.uart, "The UART the firmware speaks the protocol on (default: USART2)");
  cmd->add_option("--report", a.report, "Output format: text (default) or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--max-cycles", a.max_cycles, "Stop after this many cycles (default: 2,000,000,000)");
  cmd->add_option("--timeout", a.timeout, "Stop after this many seconds of wall-clock time")->check(CLI::PositiveNumber);
  cmd->add_option("--mhz", a.mhz, "Pin the core clock in MHz (default: the firmware's own)")->check(CLI::PositiveNumber);
  cmd->add_flag("--quiet,-q", a.quiet, "No banner and summary on stderr");
  cmd->add_flag("--transcript", a.transcript, "Print every line the firmware sent on stderr");
  return cmd;
}

int cmd_eembc(const EembcArgs &a) {
  session::EembcRequest req;
  auto image = image_input(a.image);
  if (!image) {
    std::fprintf(stderr, "mcusim: error: %s\n", image.error().message.c_str());
    return kExitUsage;
  }
  req.run.elf = a.elf;
  req.run.image = *image;
  req.run.device = a.device;
  req.run.quiet = a.quiet;
  req.run.no_db = true;
  req.run.options.max_cycles = a.max_cycles;
  req.run.options.timeout_seconds = a.timeout;
  req.run.options.mhz = a.mhz;
  req.mode = a.mode;
  req.input = a.input;
  req.iterations = a.iterations;
  req.warmups = a.warmups;
  req.windows = a.windows;
  req.uart = a.uart;

  RunSignals signals;
  EembcCliHooks hooks(signals, a.quiet);
  session::EembcOutcome outcome = session::run_eembc(req, hooks);
  if (a.transcript)
    for (const auto &l : outcome.transcript) std::fprintf(stderr, "%s\n", l.c_str());
  if (!outcome.result) return outcome.exit_code ? outcome.exit_code : kExitInternal;
  std::string text = a.report == "json" ? session::render_eembc_json(*outcome.result) : session::render_eembc_text(*outcome.result);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

} // namespace mcusim::cli
