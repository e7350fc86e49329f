/// \file
/// Implementation of the mcusim subcommands over the core library.
#include "cli/cmd_db.h"
#include "cli/cmd_gate.h"
#include "cli/commands.h"
#include "session/exit_codes.h"
#include "cli/run_signals.h"
#include "session/session.h"

#include "base/device.h"
#include "image/auto_device.h"
#include "image/elf_image.h"
#include "core/simulator.h"
#include "core/system_control.h"
#include "image/vector_listing.h"
#include "profiler/run_report.h"
#include "profiler/timeline.h"

#include <fstream>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include "base/format.h"

namespace mcusim::cli {

namespace {

int report(const Error &e) {
  std::fprintf(stderr, "mcusim: error: %s\n", e.message.c_str());
  return session::exit_code_for(e.kind);
}

/// Load an image and print what the loader warns about (damaged debug
/// information, a symbols file that does not match).
Expected<ElfImage> load_elf_warn(const std::string &path, const ImageArgs &args, const std::string &device) {
  auto input = image_input(args);
  if (!input) return tl::unexpected(input.error());
  auto image = session::load_firmware(path, *input, device);
  if (image)
    for (const auto &w : image->warnings) std::fprintf(stderr, "mcusim: warning: %s\n", w.c_str());
  return image;
}

using text::thousands;

/// Console on the process's stdio: the firmware's stdout on `out` (stdout, or
/// stderr when a JSON report takes stdout). A write to a closed output (EPIPE;
/// SIGPIPE is ignored during a run) stops the run, and later output is dropped.
class StdioConsole final : public Console {
public:
  StdioConsole(FILE *in, FILE *out, RunSignals &signals) : in_(in), out_(out), tty_(isatty(fileno(out))), signals_(signals) {}
  void out(std::string_view t) override {
    if (out_closed_) return;
    errno = 0;
    std::fwrite(t.data(), 1, t.size(), out_);
    if (tty_ && t.find('\n') != std::string_view::npos) std::fflush(out_);
    check_out();
    wrote_ = true;
    last_ = t.empty() ? last_ : t.back();
  }
  void err(std::string_view t) override {
    flush_out();
    std::fwrite(t.data(), 1, t.size(), stderr);
  }
  size_t in(char *buf, size_t n) override {
    if (!in_) return 0;
    flush_out();
    errno = 0;
    size_t got = std::fread(buf, 1, n, in_);
    if (got < n && std::ferror(in_) && errno == EINTR) {
      // A stop signal interrupted the read (no SA_RESTART): the run stops at
      // the next block boundary; the firmware is not told more than what came.
      std::clearerr(in_);
      signals_.deliver_pending();
    }
    return got;
  }
  bool out_is_tty() const override { return tty_; }
  bool ended_without_newline() const { return wrote_ && last_ != '\n' && !out_closed_; }
  /// Flush the firmware's output before mcusim's own lines.
  void flush_out() {
    if (out_closed_) return;
    errno = 0;
    std::fflush(out_);
    check_out();
  }

private:
  void check_out() {
    if (!std::ferror(out_) || errno != EPIPE) return;
    out_closed_ = true;
    signals_.report_output_closed();
  }
  FILE *in_;
  FILE *out_;
  bool tty_;
  RunSignals &signals_;
  bool out_closed_ = false;
  bool wrote_ = false;
  char last_ = '\n';
};

/// `mcusim run` hearing about its session: messages on stderr, progress on a
/// terminal's stderr, the report on stdout, stop signals to the simulator.
class CliHooks final : public session::SessionHooks {
public:
  CliHooks(StdioConsole &console, RunSignals &signals, bool quiet)
      : console_(console), signals_(signals), quiet_(quiet), show_progress_(!quiet && isatty(fileno(stderr))) {}
  Console &console() override { return console_; }
  void message(const session::Message &m) override {
    console_.flush_out();
    std::fflush(stdout);
    using Kind = session::Message::Kind;
    switch (m.kind) {
    case Kind::Error: std::fprintf(stderr, "mcusim: error: %s\n", m.text.c_str()); break;
    case Kind::Warning: std::fprintf(stderr, "mcusim: warning: %s\n", m.text.c_str()); break;
    case Kind::Note: std::fprintf(stderr, "mcusim: %s\n", m.text.c_str()); break;
    case Kind::Text: std::fwrite(m.text.data(), 1, m.text.size(), stderr); break;
    }
  }
  void attach(Simulator *sim) override {
    signals_.attach(sim);
    if (sim) return;
    console_.flush_out();
    std::fflush(stdout);
    if (progress_shown_) std::fprintf(stderr, "\r\033[K");
    if (console_.ended_without_newline() && !quiet_) std::fputc('\n', stderr);
  }
  bool wants_progress() const override { return show_progress_; } // a terminal's stderr, not --quiet
  void progress(const RunOptions::Progress &p) override {
    if (p.wall_seconds < 1.0) return;
    console_.flush_out();
    std::fprintf(stderr, "\r\033[Kmcusim: %.3f s simulated, %s instructions, %.0f MIPS", p.simulated_seconds,
                 thousands(p.instructions).c_str(), p.mips);
    progress_shown_ = true;
  }
  void report_text(std::string_view text) override {
    std::fflush(stdout);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }

private:
  StdioConsole &console_;
  RunSignals &signals_;
  bool quiet_, show_progress_, progress_shown_ = false;
};

} // namespace

int cmd_run(const RunArgs &a) {
  session::RunRequest req;
  req.elf = a.elf;
  auto image = image_input(a.image);
  if (!image) return report(image.error());
  req.image = *image;
  req.device = a.device;
  req.core = a.core;
  req.quiet = a.quiet;
  RunOptions &opts = req.options;
  opts.mhz = a.mhz;
  opts.max_instructions = a.max_instructions;
  opts.max_cycles = a.max_cycles;
  opts.timeout_seconds = a.timeout;
  opts.semihost_dir = a.semihost_dir;
  opts.timing = a.timing == "none" ? RunOptions::Timing::None : RunOptions::Timing::Core;
  if (a.flash_ws >= 0) opts.flash_ws = unsigned(a.flash_ws);
  opts.strict_peripherals = a.strict_peripherals;
  if (!a.cache.empty()) opts.caches = a.cache == "on";
  opts.layer_pattern = a.layer_pattern;
  opts.arena_symbol = a.arena_symbol;
  opts.cmdline = std::filesystem::path(a.elf).filename().string();
  for (const auto &arg : a.firmware_args) opts.cmdline += " " + arg;
  req.report_format = a.report;
  req.report_out = a.report_out;
  req.flamegraph = a.flamegraph;
  req.trace = a.trace;
  req.console_file = a.console_file;
  req.gpio_trace = a.gpio_trace;
  req.gpio_phases = a.gpio_phases;
  req.uart = a.uart;
  req.uart_in = a.uart_in;
  req.uart_script = a.uart_script;
  const GateOptions &gate = run_gate_options();
  req.budget = gate.budget;
  req.baseline = gate.baseline;
  req.junit = gate.junit;
  req.scenario = a.scenario;
  const RunDbOptions &db = run_db_options();
  req.db = db.db;
  req.no_db = db.no_db;
  req.power_mode = a.power_mode;
  req.deep_sleep = a.deep_sleep;
  req.voltage_v = a.voltage;
  req.temperature_c = a.temperature;

  FILE *in = stdin;
  if (!a.stdin_file.empty()) {
    in = std::fopen(a.stdin_file.c_str(), "rb");
    if (!in) {
      std::fprintf(stderr, "mcusim: error: %s: cannot open for --stdin (%s)\n", a.stdin_file.c_str(), std::strerror(errno));
      return kExitNoInput;
    }
  }
  // From here to the end (the run stored): the stop signals end the run, not the process.
  RunSignals signals;
  // A JSON report on stdout keeps stdout for itself: the firmware's output goes to stderr.
  FILE *console_out = session::console_target(req) == session::ConsoleTarget::Stderr ? stderr : stdout;
  StdioConsole console(in, console_out, signals);
  CliHooks hooks(console, signals, a.quiet);
  session::RunOutcome outcome = session::run(req, hooks);
  if (in && in != stdin) std::fclose(in);
  return outcome.exit_code;
}

int cmd_devices(bool names_only) {
  std::vector<Error> errors;
  auto devices = list_devices(&errors);
  for (const auto &e : errors) std::fprintf(stderr, "mcusim: warning: %s\n", e.message.c_str());
  if (devices.empty()) {
    std::fprintf(stderr, "mcusim: error: no device descriptions found (searched $MCUSIM_DEVICES_DIR and the install and source trees)\n");
    return kExitBadDevice;
  }
  if (names_only) {
    for (const auto &d : devices) std::printf("%s\n", d.name.c_str());
    return kExitOk;
  }
  std::printf("%-16s %-12s %-12s %9s %10s %10s  %s\n", "NAME", "CORE", "FPU", "MHZ", "FLASH", "RAM", "DESCRIPTION");
  for (const auto &d : devices) {
    char mhz[32];
    std::snprintf(mhz, sizeof mhz, "%g/%g", d.default_mhz, d.max_mhz);
    std::printf("%-16s %-12s %-12s %9s %10s %10s  %s\n", d.name.c_str(), core_display_name(d.core), d.fpu.c_str(), mhz,
                text::size(d.capacity({RegionKind::Flash})).c_str(), text::size(d.capacity({RegionKind::Sram, RegionKind::Tcm})).c_str(),
                d.title.c_str());
  }
  return kExitOk;
}

namespace {

/// Every entry of the vector table; runs of one handler (IRQs sharing
/// Default_Handler) on one line; entries that are not Thumb code in
/// executable memory flagged.
void print_vector_table(const ElfImage &elf, const Device &device) {
  VectorListing vl = list_vector_table(elf, device);
  std::printf("  %u entries (length from %s)\n", vl.length, vl.length_from.c_str());
  std::printf("  %-7s %-12s %s\n", "#", "EXCEPTION", "HANDLER");
  unsigned invalid = 0;
  for (size_t i = 0; i < vl.entries.size();) {
    const VectorEntry &e = vl.entries[i];
    size_t j = i + 1;
    if (e.index >= 16)
      while (j < vl.entries.size() && vl.entries[j].value == e.value) ++j;
    std::string index = std::to_string(e.index);
    std::string name = exception_name(int(e.index));
    if (j - i > 1) {
      // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "-" + to_string(...).
      index.append("-").append(std::to_string(vl.entries[j - 1].index));
      name = "IRQ";
      name.append(std::to_string(e.index - 16)).append("-").append(std::to_string(vl.entries[j - 1].index - 16));
    }
    std::string what;
    if (e.index == 0) {
      name = "initial SP";
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%08x", e.value);
      what = buf;
    } else if (e.empty) {
      bool reserved = (e.index >= 8 && e.index <= 10) || e.index == 13 || (e.index == 7 && device.core != CoreKind::M33);
      what = reserved ? "(reserved)" : "(none)";
    } else {
      what = elf.describe(e.value);
      if (!e.valid) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "0x%08x  <- not Thumb code in executable memory", e.value);
        what = buf;
        invalid += unsigned(j - i);
      }
    }
    std::printf("  %-7s %-12s %s\n", index.c_str(), name.c_str(), what.c_str());
    i = j;
  }
  if (invalid) std::printf("  %u entr%s not Thumb code in executable memory\n", invalid, invalid == 1 ? "y is" : "ies are");
}

} // namespace

int cmd_info(const std::string &path, const std::string &device_name, const ImageArgs &image) {
  auto elf = load_elf_warn(path, image, device_name);
  if (!elf) return report(elf.error());
  std::string explanation;
  auto device = session::resolve_device(device_name, *elf, &explanation);
  if (!device) return report(device.error());

  std::printf("file:        %s\n", path.c_str());
  std::string why;
  auto core = core_from_attributes(elf->attributes, &why);
  std::printf("built for:   %s\n", core ? (std::string(core_display_name(*core)) + " (" + why + ")").c_str()
                                        : "unknown (no ARM build attributes)");
  std::printf("device:      %s (%s)%s\n", device->name.c_str(), device->title.c_str(),
              explanation.empty() ? "" : ", chosen from the ELF");
  std::printf("entry point: %s\n", elf->describe(elf->entry).c_str());
  if (elf->named_by_address) std::printf("symbols:     none (--symbols FW.ELF names the functions of a .hex or .bin)\n");

  std::printf("\nsections:\n  %-24s %-10s %-10s %10s  %-5s %s\n", "NAME", "ADDRESS", "LOAD", "SIZE", "FLAGS", "MEMORY");
  for (const auto &s : elf->sections) {
    const MemoryRegionDesc *r = device->region_at(s.addr, std::max<uint32_t>(s.size, 1));
    std::string flags = std::string("a") + (s.write ? "w" : "") + (s.exec ? "x" : "") + (s.nobits ? "b" : "");
    std::printf("  %-24s 0x%08x 0x%08x %10u  %-5s %s\n", s.name.c_str(), s.addr, s.load_addr, s.size, flags.c_str(),
                r ? r->name.c_str() : "(outside the device's memory)");
  }

  std::printf("\nmemory use on %s:\n", device->name.c_str());
  for (const auto &u : image_usage(*elf, *device).regions)
    std::printf("  %-10s %10s of %10s  (%.1f%%)\n", u.region.c_str(), text::size(u.used).c_str(), text::size(u.capacity).c_str(),
                u.capacity ? 100.0 * double(u.used) / double(u.capacity) : 0.0);
  int rc = kExitOk;
  if (auto fit = check_image_fits(*elf, *device); !fit) {
    std::printf("  does not fit: %s\n", fit.error().message.c_str());
    rc = kExitBadElf;
  }

  auto vt = check_vector_table(*elf, *device);
  std::printf("\nvector table at 0x%08x:\n", device->vector_table);
  if (!vt) {
    std::printf("  %s\n", vt.error().message.c_str());
    return kExitBadElf;
  }
  print_vector_table(*elf, *device);
  return rc;
}

} // namespace mcusim::cli
