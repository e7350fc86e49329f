/// \file
/// `mcusim sweep` on the command line: the lists parsed and checked, the
/// sweep run on a thread pool (session/sweep.h), the table printed
/// (session/sweep_table.h).
#include "cli/cmd_sweep.h"
#include "cli/run_signals.h"

#include "session/exit_codes.h"
#include "session/session.h"
#include "session/sweep.h"
#include "session/sweep_table.h"

#include "image/elf_image.h"
#include "power/battery_toml.h"
#include "power/scenario.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <ctime>
#include <thread>

#include <pthread.h>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace mcusim::cli {

namespace {

int fail(int code, const std::string &message) {
  std::fprintf(stderr, "mcusim: error: %s\n", message.c_str());
  return code;
}
int fail(const session::SweepError &e) { return fail(e.exit_code, e.message); }

int power_fail(const power::PowerError &e) {
  return fail(e.kind == power::PowerError::Kind::Unreadable ? kExitNoInput : kExitBadScenario, e.message);
}

/// The scenario each point's run goes into, from --scenario or --every and --battery.
int battery_scenario(const SweepArgs &a, session::SweepRequest &req) {
  if (!a.scenario.empty()) {
    auto s = power::load_scenario(a.scenario, power::battery_preset_dirs());
    if (!s) return power_fail(s.error());
    req.battery = std::move(*s);
    req.sleep_from_device = false;
    return kExitOk;
  }
  if (a.every.empty()) return kExitOk;
  auto period = session::parse_every(a.every);
  if (!period) return fail(period.error());
  auto cell = power::load_battery_preset(a.battery, power::battery_preset_dirs());
  if (!cell) return power_fail(cell.error());
  power::Scenario s;
  s.title = "one run every " + a.every + " on " + cell->name;
  s.battery = std::move(*cell);
  s.period_s = *period;
  s.sleep.mode = "deep sleep";
  req.battery = std::move(s);
  req.sleep_from_device = true; // between runs: the device's deep-sleep state
  return kExitOk;
}

/// SIGINT, SIGTERM and SIGHUP while the points run: blocked in every thread
/// (the workers and the simulators' timer threads inherit the mask) and taken
/// by one watcher thread, which stops the sweep: the running points stop,
/// are reported and stored, and no other point starts (docs/cli.md).
class SweepSignals {
public:
  explicit SweepSignals(session::SweepStop &stop) {
    sigemptyset(&set_);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, sig);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    watcher_ = std::thread([this, &stop] {
      const timespec tick{0, 100'000'000};
      while (!quit_.load()) {
        int sig = sigtimedwait(&set_, nullptr, &tick);
        if (sig > 0) stop.stop(RunSignals::stop_cause(sig));
      }
    });
  }
  ~SweepSignals() {
    quit_ = true;
    watcher_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr); // a signal still pending now acts as usual
  }
  SweepSignals(const SweepSignals &) = delete;
  SweepSignals &operator=(const SweepSignals &) = delete;

private:
  sigset_t set_{}, old_{};
  std::atomic<bool> quit_{false};
  std::thread watcher_;
};

} // namespace

CLI::App *add_sweep_command(CLI::App &app, SweepArgs &a) {
  auto *cmd = app.add_subcommand("sweep", "Run a firmware across clocks, devices, wait states and cache settings, in parallel, "
                                          "and mark the energy- and latency-optimal points");
  cmd->add_option("elf", a.elf, "Firmware image: ELF, Intel HEX (.hex) or raw binary (.bin)")->required();
  add_image_options(*cmd, a.image);
  cmd->add_option("--mhz", a.mhz, "Clocks in MHz, comma-separated (16,48,80,120)")->required();
  cmd->add_option("--device,-d", a.devices, "Devices, comma-separated (default: the one chosen from the ELF)");
  cmd->add_option("--flash-ws", a.flash_ws, "Flash wait states to force, comma-separated (default: each device's table at each clock)");
  cmd->add_option("--cache", a.cache, "Cache settings, comma-separated: on,off (default: each device's own)");
  cmd->add_option("--jobs,-j", a.jobs, "Simulations at once (default: the hardware's threads)")->check(CLI::Range(1u, 1024u));
  auto *every = cmd->add_option("--every", a.every, "Battery life: one inference (or run) every this long (1s, 250ms, 10min)");
  auto *battery = cmd->add_option("--battery", a.battery, "Battery life: a battery preset (cr2032, cr2450, ...)");
  auto *scenario = cmd->add_option("--scenario", a.scenario, "Battery life: a scenario file whose [run] each point replaces");
  every->needs(battery);
  battery->needs(every);
  scenario->excludes(every)->excludes(battery);
  cmd->add_option("--format,-f", a.format, "Table format: text (default), md, html or json")
      ->check(CLI::IsMember({"text", "md", "markdown", "html", "json"}));
  auto *db = cmd->add_option("--db", a.db, "Run database to store every point's run in (default: ./mcusim-runs.db)");
  cmd->add_flag("--no-db", a.no_db, "Do not store the runs")->excludes(db);
  cmd->add_option("--max-instructions", a.max_instructions, "Stop each run after this many instructions");
  cmd->add_option("--max-cycles", a.max_cycles, "Stop each run after this many cycles");
  cmd->add_option("--timeout", a.timeout, "Stop each run after this many seconds of wall-clock time")->check(CLI::PositiveNumber);
  cmd->add_option("--timing", a.timing, "core: per-core cycle model (default); none: one cycle per instruction")
      ->check(CLI::IsMember({"core", "none"}));
  cmd->add_option("--layer-pattern", a.layer_pattern, "Functions whose demangled name matches this regex are layers");
  return cmd;
}

int cmd_sweep(const SweepArgs &a) {
  session::SweepRequest req;
  req.elf = a.elf;
  // The lists first: an impossible list is refused before anything is loaded.
  auto mhz = session::parse_mhz_list(a.mhz);
  if (!mhz) return fail(mhz.error());
  req.mhz = std::move(*mhz);
  if (!a.devices.empty()) {
    auto devices = session::parse_name_list("--device", a.devices);
    if (!devices) return fail(devices.error());
    req.devices = std::move(*devices);
  }
  if (!a.flash_ws.empty()) {
    auto ws = session::parse_flash_ws_list(a.flash_ws);
    if (!ws) return fail(ws.error());
    req.flash_ws = std::move(*ws);
  }
  if (!a.cache.empty()) {
    auto caches = session::parse_cache_list(a.cache);
    if (!caches) return fail(caches.error());
    req.caches = std::move(*caches);
  }
  RunOptions &opts = req.options;
  opts.max_instructions = a.max_instructions;
  opts.max_cycles = a.max_cycles;
  opts.timeout_seconds = a.timeout;
  opts.timing = a.timing == "none" ? RunOptions::Timing::None : RunOptions::Timing::Core;
  opts.layer_pattern = a.layer_pattern;
  req.db = a.db;
  req.no_db = a.no_db;

  auto image = image_input(a.image);
  if (!image) return fail(session::exit_code_for(image.error().kind), image.error().message);
  req.image = *image;
  auto elf = session::load_firmware(a.elf, *image, req.devices.empty() ? std::string() : req.devices.front());
  if (!elf) return fail(session::exit_code_for(elf.error().kind), elf.error().message);
  for (const auto &w : elf->warnings) std::fprintf(stderr, "mcusim: warning: %s\n", w.c_str());
  auto points = session::plan_sweep(req, *elf);
  if (!points) return fail(points.error());
  if (req.devices.empty()) {
    std::string explanation;
    if (session::resolve_device("", *elf, &explanation) && !explanation.empty())
      std::fprintf(stderr, "mcusim: %s\n", explanation.c_str());
  }
  if (int rc = battery_scenario(a, req); rc != kExitOk) return rc;

  const bool tty = isatty(fileno(stderr));
  bool shown = false;
  session::SweepProgress progress;
  if (tty)
    progress = [&](size_t done, size_t running, size_t total) {
      std::fprintf(stderr, "\r\033[Ksweep: %zu/%zu points done, %zu running", done, total, running);
      std::fflush(stderr);
      shown = true;
    };
  session::SweepStop stop;
  session::SweepExpected<session::SweepRun> run;
  {
    SweepSignals signals(stop);
    run = session::run_sweep(req, *points, a.jobs, progress, &stop);
  }
  if (shown) std::fprintf(stderr, "\r\033[K");
  if (!run) return fail(run.error());
  for (const auto &w : run->warnings) std::fprintf(stderr, "mcusim: warning: %s\n", w.c_str());

  session::SweepTable table =
      session::build_sweep_table(std::filesystem::path(a.elf).filename().string(), run->results, req.battery.has_value());
  std::string out = a.format == "json"                        ? session::render_sweep_json(table)
                    : a.format == "md" || a.format == "markdown" ? session::render_sweep_markdown(table)
                    : a.format == "html"                      ? session::render_sweep_html(table)
                                                              : session::render_sweep_text(table);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  size_t stored = size_t(std::count_if(run->results.begin(), run->results.end(), [](const auto &r) { return r.run_id.has_value(); }));
  if (stored) std::fprintf(stderr, "mcusim: %zu run%s stored in %s\n", stored, stored == 1 ? "" : "s", run->db_path.c_str());
  return table.exit_code;
}

} // namespace mcusim::cli
