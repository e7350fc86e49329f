/// \file
/// mcusim-bench: simulator speed against bare Unicorn on the same firmware.
///
///   mcusim-bench [--reps N] [--runs K] [--raw-block-hook empty|counting]
///                ELF DEVICE [ELF DEVICE ...]
///
/// For each firmware, K times (median reported), alternating:
///   (a) mcusim: Simulator::create + run() with the default (unit) timing,
///       command line "<elf file name> <reps>", console captured in memory;
///   (b) bare Unicorn (bench/raw_runner.h): the same memory map, ELF and
///       reset, only UC_HOOK_INTR for semihosting.
/// Both must exit with status 0 and print the same checksum line. Speed is
/// mcusim's instruction count divided by each one's wall time (run only,
/// engine construction excluded), so both rates describe the same work.
/// --reps applies to the firmware that follow it on the command line.
/// --raw-block-hook gives the bare Unicorn run a block hook, to split the
/// difference between the two into Unicorn's hook dispatch and the work done
/// in mcusim's callback (see docs/performance.md).
#include "bench/raw_runner.h"

#include "core/console.h"
#include "base/device.h"
#include "image/elf_image.h"
#include "core/simulator.h"
#include "profiler/call_tracker.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

using namespace mcusim;

namespace {

/// Keeps what the firmware prints (a few lines) so the checksum can be
/// compared; nothing reaches the terminal.
class CaptureConsole final : public Console {
public:
  void out(std::string_view t) override { keep(t); }
  void err(std::string_view t) override { keep(t); }
  size_t in(char *, size_t) override { return 0; }
  std::string text;

private:
  void keep(std::string_view t) {
    if (text.size() < (1u << 16)) text.append(t.substr(0, (1u << 16) - text.size()));
  }
};

struct Job {
  std::string elf_path, device_name;
  unsigned long reps;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// The line that carries the checksum, or the whole output if none does.
std::string checksum_line(const std::string &out) {
  size_t at = out.find("checksum");
  if (at == std::string::npos) return out;
  size_t b = out.rfind('\n', at);
  b = b == std::string::npos ? 0 : b + 1;
  size_t e = out.find('\n', at);
  return out.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

std::string firmware_label(const std::string &path, const std::string &device) {
  std::string stem = std::filesystem::path(path).stem().string();
  std::string suffix = "-" + device;
  if (stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0)
    stem.resize(stem.size() - suffix.size());
  return stem;
}

int usage(FILE *f, int code) {
  std::fprintf(f,
               "usage: mcusim-bench [--timing core|none] [--reps N] [--runs K] [--raw-block-hook empty|counting] ELF DEVICE [ELF DEVICE ...]\n"
               "  --timing   mcusim's timing: the per-core cycle model (default) or one cycle per instruction\n"
               "  --flash-ws N, --cache on|off   memory-system overrides for mcusim's run\n"
               "  --profile  collect the per-function profile (as mcusim run --report)\n"
               "  --reps N   repetition count passed on the firmware's command line (default 2000);\n"
               "             applies to the firmware listed after it\n"
               "  --runs K   runs per firmware and engine; the median is reported (default 3)\n"
               "  --raw-block-hook empty|counting\n"
               "             give the bare Unicorn run a UC_HOOK_BLOCK: one that does nothing (Unicorn's own\n"
               "             cost of a block hook), or one doing mcusim's per-block work (limit check, table\n"
               "             lookup, two adds) with the table-miss path out of line\n");
  return code;
}

bool parse_number(const char *s, unsigned long &out) {
  char *end = nullptr;
  unsigned long v = std::strtoul(s, &end, 10);
  if (!*s || *end || v == 0) return false;
  out = v;
  return true;
}

} // namespace

int main(int argc, char **argv) {
  unsigned long reps = 2000, runs = 3;
  auto raw_hook = bench::RawRunOptions::BlockHook::None;
  auto timing = RunOptions::Timing::Core;
  std::optional<unsigned> flash_ws;
  std::optional<bool> caches;
  bool profile = false;
  std::vector<Job> jobs;
  std::vector<std::string> pending;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") return usage(stdout, 0);
    if (a == "--raw-block-hook") {
      std::string v = i + 1 < argc ? argv[i + 1] : "";
      if (v != "empty" && v != "counting") {
        std::fprintf(stderr, "mcusim-bench: --raw-block-hook needs 'empty' or 'counting'\n");
        return usage(stderr, 2);
      }
      raw_hook = v == "empty" ? bench::RawRunOptions::BlockHook::Empty : bench::RawRunOptions::BlockHook::Counting;
      ++i;
      continue;
    }
    if (a == "--timing") {
      std::string v = i + 1 < argc ? argv[i + 1] : "";
      if (v != "core" && v != "none") {
        std::fprintf(stderr, "mcusim-bench: --timing needs 'core' or 'none'\n");
        return usage(stderr, 2);
      }
      timing = v == "none" ? RunOptions::Timing::None : RunOptions::Timing::Core;
      ++i;
      continue;
    }
    if (a == "--profile") {
      profile = true;
      continue;
    }
    if (a == "--flash-ws" || a == "--cache") {
      std::string v = i + 1 < argc ? argv[i + 1] : "";
      if (a == "--cache") {
        if (v != "on" && v != "off") return usage(stderr, 2);
        caches = v == "on";
      } else {
        unsigned long ws = 0;
        if (!parse_number(v.c_str(), ws) && v != "0") return usage(stderr, 2);
        flash_ws = unsigned(ws);
      }
      ++i;
      continue;
    }
    if (a == "--reps" || a == "--runs") {
      if (i + 1 >= argc || !parse_number(argv[i + 1], a == "--reps" ? reps : runs)) {
        std::fprintf(stderr, "mcusim-bench: %s needs a positive number\n", a.c_str());
        return usage(stderr, 2);
      }
      ++i;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "mcusim-bench: unknown option %s\n", a.c_str());
      return usage(stderr, 2);
    }
    pending.push_back(a);
    if (pending.size() == 2) {
      jobs.push_back({pending[0], pending[1], reps});
      pending.clear();
    }
  }
  if (jobs.empty() || !pending.empty()) return usage(stderr, 2);

  const char *raw_name = raw_hook == bench::RawRunOptions::BlockHook::None    ? "raw"
                         : raw_hook == bench::RawRunOptions::BlockHook::Empty ? "raw+empty_hook"
                                                                              : "raw+counting_hook";
  std::printf("firmware,device,reps,instructions,mcusim_s,%s_s,mcusim_mips,%s_mips,ratio\n", raw_name, raw_name);
  std::fflush(stdout);
  int status = 0;
  for (const Job &job : jobs) {
    auto elf = load_elf(job.elf_path);
    if (!elf) {
      std::fprintf(stderr, "mcusim-bench: %s\n", elf.error().message.c_str());
      status = 1;
      continue;
    }
    auto device = find_device(job.device_name);
    if (!device) {
      std::fprintf(stderr, "mcusim-bench: %s\n", device.error().message.c_str());
      status = 1;
      continue;
    }
    const std::string label = firmware_label(job.elf_path, device->name);
    const std::string cmdline = elf->path.filename().string() + " " + std::to_string(job.reps);

    std::vector<double> sim_s, raw_s;
    uint64_t insns = 0;
    std::string sim_line, raw_line, failure;
    for (unsigned long run = 0; run < runs && failure.empty(); ++run) {
      // (a) mcusim
      CaptureConsole console;
      RunOptions opts;
      opts.cmdline = cmdline;
      opts.timing = timing;
      opts.flash_ws = flash_ws;
      opts.caches = caches;
      opts.profile = profile;
      if (profile) opts.profile_listener = [] { return std::make_unique<CallTracker>(); };
      auto sim = Simulator::create(*device, *elf, opts, console);
      if (!sim) {
        failure = "mcusim: " + sim.error().message;
        break;
      }
      RunResult r = (*sim)->run();
      if (r.reason != StopReason::Exited || r.exit_code != 0) {
        failure = std::string("mcusim: ") + stop_reason_name(r.reason) + " (exit code " + std::to_string(r.exit_code) + ") " +
                  r.message;
        break;
      }
      if (run > 0 && r.instructions != insns) {
        failure = "mcusim: instruction count differs between runs (" + std::to_string(insns) + " vs " +
                  std::to_string(r.instructions) + ")";
        break;
      }
      insns = r.instructions;
      sim_s.push_back(r.wall_seconds);
      sim_line = checksum_line(console.text);

      // (b) bare Unicorn
      bench::RawRunOptions ro;
      ro.cmdline = cmdline;
      ro.block_hook = raw_hook;
      bench::RawRunResult rr = bench::run_raw(*device, *elf, ro);
      if (!rr.ok || !rr.exited || rr.exit_code != 0) {
        failure = "raw Unicorn: " + (rr.error.empty() ? "exit code " + std::to_string(rr.exit_code) : rr.error);
        break;
      }
      if (raw_hook == bench::RawRunOptions::BlockHook::Counting && rr.hook_instructions != insns) {
        failure = "the counting block hook counted " + std::to_string(rr.hook_instructions) + " instructions, mcusim " +
                  std::to_string(insns);
        break;
      }
      raw_s.push_back(rr.wall_seconds);
      raw_line = checksum_line(rr.output);
      if (raw_line != sim_line) {
        failure = "output differs: mcusim printed \"" + sim_line + "\", raw Unicorn printed \"" + raw_line + "\"";
        break;
      }
      std::string shown = sim_line;
      std::replace(shown.begin(), shown.end(), '\n', ' ');
      std::fprintf(stderr, "mcusim-bench: %s/%s run %lu: mcusim %.3f s, raw %.3f s  [%s]\n", label.c_str(), device->name.c_str(),
                   run + 1, r.wall_seconds, rr.wall_seconds, shown.c_str());
    }
    if (!failure.empty()) {
      std::fprintf(stderr, "mcusim-bench: %s on %s: %s\n", job.elf_path.c_str(), device->name.c_str(), failure.c_str());
      status = 1;
      continue;
    }
    double ts = median(sim_s), tr = median(raw_s);
    double mips_sim = double(insns) / ts / 1e6, mips_raw = double(insns) / tr / 1e6;
    std::printf("%s,%s,%lu,%llu,%.3f,%.3f,%.0f,%.0f,%.2f\n", label.c_str(), device->name.c_str(), job.reps,
                static_cast<unsigned long long>(insns), ts, tr, mips_sim, mips_raw, mips_sim / mips_raw);
    std::fflush(stdout);
  }
  return status;
}
