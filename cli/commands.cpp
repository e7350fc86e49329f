/// \file
/// Implementation of the mcusim subcommands over the core library.
#include "cli/cmd_db.h"
#include "cli/cmd_gate.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/run_signals.h"

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

int exit_code_for(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::Usage: return kExitUsage;
  case ErrorKind::FileUnreadable: return kExitNoInput;
  case ErrorKind::BadElf: return kExitBadElf;
  case ErrorKind::BadDevice: return kExitBadDevice;
  case ErrorKind::Internal: return kExitInternal;
  }
  return kExitInternal;
}

int report(const Error &e) {
  std::fprintf(stderr, "mcusim: error: %s\n", e.message.c_str());
  return exit_code_for(e.kind);
}

/// Load an ELF and print what the loader warns about (damaged debug information).
Expected<ElfImage> load_elf_warn(const std::string &path) {
  auto image = load_elf(path);
  if (image)
    for (const auto &w : image->warnings) std::fprintf(stderr, "mcusim: warning: %s\n", w.c_str());
  return image;
}

using text::thousands;

/// Console on the process's stdio. A write to a closed stdout (EPIPE; SIGPIPE
/// is ignored during a run) stops the run, and later output is dropped.
class StdioConsole final : public Console {
public:
  StdioConsole(FILE *in, RunSignals &signals) : in_(in), tty_(isatty(fileno(stdout))), signals_(signals) {}
  void out(std::string_view t) override {
    if (out_closed_) return;
    errno = 0;
    std::fwrite(t.data(), 1, t.size(), stdout);
    if (tty_ && t.find('\n') != std::string_view::npos) std::fflush(stdout);
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

private:
  void flush_out() {
    if (out_closed_) return;
    errno = 0;
    std::fflush(stdout);
    check_out();
  }
  void check_out() {
    if (!std::ferror(stdout) || errno != EPIPE) return;
    out_closed_ = true;
    signals_.report_output_closed();
  }
  FILE *in_;
  bool tty_;
  RunSignals &signals_;
  bool out_closed_ = false;
  bool wrote_ = false;
  char last_ = '\n';
};

Expected<Device> resolve_device(const std::string &name, const ElfImage &elf, std::string *explanation) {
  if (!name.empty()) {
    // A device file that is not there is an input that cannot be read (66), as for every other file.
    bool is_path = name.find('/') != std::string::npos || (name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0);
    std::error_code ec;
    if (is_path && !std::filesystem::exists(name, ec)) return make_error(ErrorKind::FileUnreadable, name + ": no such device file");
    return find_device(name);
  }
  auto choice = choose_device_for(elf);
  if (!choice) return tl::unexpected(choice.error());
  if (explanation) *explanation = choice->explanation;
  return choice->device;
}

} // namespace

int cmd_run(const RunArgs &a) {
  BudgetGate gate; // --budget: read before the run, checked after it
  if (int rc = gate.load(run_gate_options()); rc != kExitOk) return rc;
  auto elf = load_elf_warn(a.elf);
  if (!elf) return report(elf.error());
  std::string explanation;
  auto device = resolve_device(a.device, *elf, &explanation);
  if (!device) return report(device.error());

  if (!a.core.empty()) {
    auto core = parse_core(a.core);
    if (!core) {
      std::fprintf(stderr, "mcusim: error: unknown core '%s' (cortex-m0plus, cortex-m3, cortex-m4, cortex-m4f, cortex-m7, cortex-m33)\n",
                   a.core.c_str());
      return kExitUsage;
    }
    device->core = *core;
    // The FPU goes with the core: M0+/M3/M4 have none; M4F/M7/M33 get their usual one.
    if (*core == CoreKind::M0plus || *core == CoreKind::M3 || *core == CoreKind::M4) device->fpu = "none";
    else if (!device->has_fpu()) device->fpu = *core == CoreKind::M7 ? "fpv5-d16" : *core == CoreKind::M33 ? "fpv5-sp-d16" : "fpv4-sp-d16";
    if (*core != CoreKind::M7) device->l1.reset();
  }
  // From here to the end (the run stored): the stop signals end the run, not the process.
  RunSignals signals;
  RunRecorder recorder; // the run database: opened before the run, written after it
  if (int rc = recorder.open(run_db_options(), !a.report.empty() || !a.report_out.empty(), a.quiet); rc != kExitOk) return rc;
  FILE *in = stdin;
  if (!a.stdin_file.empty()) {
    in = std::fopen(a.stdin_file.c_str(), "rb");
    if (!in) {
      std::fprintf(stderr, "mcusim: error: %s: cannot open for --stdin (%s)\n", a.stdin_file.c_str(), std::strerror(errno));
      return kExitNoInput;
    }
  }
  if (!a.semihost_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(a.semihost_dir, ec)) {
      std::fprintf(stderr, "mcusim: error: --semihost-dir %s is not a directory\n", a.semihost_dir.c_str());
      return kExitNoInput;
    }
  }
  StdioConsole console(in, signals);

  RunOptions opts;
  opts.mhz = a.mhz;
  opts.max_instructions = a.max_instructions;
  opts.max_cycles = a.max_cycles;
  opts.timeout_seconds = a.timeout;
  opts.semihost_dir = a.semihost_dir;
  opts.timing = a.timing == "none" ? RunOptions::Timing::None : RunOptions::Timing::Core;
  if (a.flash_ws >= 0) opts.flash_ws = unsigned(a.flash_ws);
  if (!a.cache.empty()) opts.caches = a.cache == "on";
  std::string report_format = a.report;
  if (report_format.empty() && !a.report_out.empty()) report_format = "text";
  // Profiling (functions, layers, stack) only when asked for (a report, a budget, --db FILE, a flame
  // graph or trace); a plain run is stored with its totals and memory.
  opts.profile = !report_format.empty() || gate.active() || recorder.explicit_db() || !a.flamegraph.empty() || !a.trace.empty();
  opts.layer_pattern = a.layer_pattern;
  opts.arena_symbol = a.arena_symbol;
  opts.cmdline = std::filesystem::path(a.elf).filename().string();
  for (const auto &arg : a.firmware_args) opts.cmdline += " " + arg;
  bool progress = !a.quiet && isatty(fileno(stderr));
  bool progress_shown = false;
  if (progress) {
    opts.on_progress = [&](const RunOptions::Progress &p) {
      if (p.wall_seconds < 1.0) return;
      std::fflush(stdout);
      std::fprintf(stderr, "\r\033[Kmcusim: %.3f s simulated, %s instructions, %.0f MIPS", p.simulated_seconds,
                   thousands(p.instructions).c_str(), p.mips);
      progress_shown = true;
    };
  }

  if (!a.quiet) {
    if (!explanation.empty()) std::fprintf(stderr, "mcusim: %s\n", explanation.c_str());
  }
  auto sim = Simulator::create(*device, *elf, opts, console);
  if (!sim) return report(sim.error());
  if (!a.quiet)
    std::fprintf(stderr, "mcusim: %s (%s) at %g MHz, timing: %s\n", device->name.c_str(), core_display_name(device->core),
                 (*sim)->hz() / 1e6, (*sim)->timing_description().c_str());

  signals.attach(sim->get());
  RunResult r = (*sim)->run();
  signals.attach(nullptr);
  std::fflush(stdout);
  if (progress_shown) std::fprintf(stderr, "\r\033[K");
  if (in && in != stdin) std::fclose(in);

  int code = kExitOk;
  switch (r.reason) {
  case StopReason::Exited: code = r.exit_code & 0xFF; break;
  case StopReason::Fault:
  case StopReason::Lockup: code = kExitFault; break;
  case StopReason::InstructionLimit:
  case StopReason::CycleLimit: code = kExitLimit; break;
  case StopReason::WallTimeout: code = kExitTimeout; break;
  case StopReason::Hang: code = kExitHang; break;
  case StopReason::Stopped: code = kExitInterrupted; break;
  case StopReason::Internal: code = kExitInternal; break;
  }
  if (console.ended_without_newline() && !a.quiet) std::fputc('\n', stderr);
  if (r.fault) {
    std::fprintf(stderr, "mcusim: firmware %s\n", format_fault(*r.fault, *elf).c_str());
  } else if (r.reason == StopReason::Stopped) {
    if (a.quiet) std::fprintf(stderr, "mcusim: %s\n", stop_reason_text(r).c_str()); // else in the summary below
  } else if (r.reason != StopReason::Exited) {
    std::fprintf(stderr, "mcusim: stopped: %s\n", r.message.c_str());
  } else if (!r.message.empty() && !a.quiet) {
    std::fprintf(stderr, "mcusim: %s\n", r.message.c_str());
  }
  auto write_file = [&](const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) std::fprintf(stderr, "mcusim: error: cannot write %s\n", path.c_str());
    return bool(out);
  };
  if (r.profile && !a.flamegraph.empty() && !write_file(a.flamegraph, render_folded(*r.profile))) return kExitNoInput;
  if (r.profile && !a.trace.empty() &&
      !write_file(a.trace, render_trace(*r.profile, r.hz, elf->path.filename().string() + " on " + device->name)))
    return kExitNoInput;
  if (!report_format.empty()) {
    RunReport rep = build_report(r, *elf, *device, (*sim)->timing_description());
    std::string text = report_format == "json"       ? render_json(rep)
                       : report_format == "markdown" ? render_markdown(rep)
                       : report_format == "html"     ? render_html(rep)
                                                     : render_text(rep);
    if (!a.report_out.empty()) {
      std::ofstream out(a.report_out, std::ios::binary);
      out << text;
      if (!out) {
        std::fprintf(stderr, "mcusim: error: cannot write the report to %s\n", a.report_out.c_str());
        return kExitNoInput;
      }
    } else {
      std::fflush(stdout);
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
    }
  }
  if (!a.quiet) {
    std::string how = r.reason == StopReason::Exited    ? "exited with code " + std::to_string(r.exit_code)
                      : r.reason == StopReason::Stopped ? stop_reason_text(r)
                                                        : std::string("stopped (") + stop_reason_name(r.reason) + ")";
    std::fprintf(stderr, "mcusim: %s after %s instructions, %s cycles (%.6f s at %g MHz%s) in %.3f s wall, %.0f MIPS\n",
                 how.c_str(), thousands(r.instructions).c_str(), thousands(r.cycles).c_str(), r.simulated_seconds(),
                 r.hz / 1e6,
                 r.sleep_cycles ? (", " + thousands(r.sleep_cycles) + " cycles asleep").c_str() : "", r.wall_seconds, r.mips());
  }
  if (gate.active()) {
    // The firmware's own failure (fault, limit, non-zero exit) keeps its code; else a broken limit gives 77.
    int gate_code = gate.check(build_report(r, *elf, *device, (*sim)->timing_description()), a.quiet);
    if (code == kExitOk) code = gate_code;
  }
  if (recorder.active()) {
    // As with the gate, the firmware's own failure keeps its code; else a run that cannot be stored gives 76.
    int db_code = recorder.store(build_report(r, *elf, *device, (*sim)->timing_description()), a.elf);
    if (code == kExitOk) code = db_code;
  }
  return code;
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
      index += "-" + std::to_string(vl.entries[j - 1].index);
      name = "IRQ" + std::to_string(e.index - 16) + "-" + std::to_string(vl.entries[j - 1].index - 16);
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

int cmd_info(const std::string &path, const std::string &device_name) {
  auto elf = load_elf_warn(path);
  if (!elf) return report(elf.error());
  std::string explanation;
  auto device = resolve_device(device_name, *elf, &explanation);
  if (!device) return report(device.error());

  std::printf("file:        %s\n", path.c_str());
  std::string why;
  auto core = core_from_attributes(elf->attributes, &why);
  std::printf("built for:   %s\n", core ? (std::string(core_display_name(*core)) + " (" + why + ")").c_str()
                                        : "unknown (no ARM build attributes)");
  std::printf("device:      %s (%s)%s\n", device->name.c_str(), device->title.c_str(),
              explanation.empty() ? "" : ", chosen from the ELF");
  std::printf("entry point: %s\n", elf->describe(elf->entry).c_str());

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
