/// \file
/// The run loop: a Unicorn engine executing a firmware image on a device,
/// with the M-profile system (exceptions, NVIC, SysTick, DWT, ITM), WFI
/// sleep, semihosting and fault handling done here. Time advances by the
/// cost of each translated block (one lookup and one add per block); events
/// from the scheduler are delivered at block boundaries.
#pragma once

#include "base/device.h"
#include "base/error.h"
#include "core/console.h"
#include "core/peripheral_space.h"
#include "core/power_counters.h"
#include "core/profile.h"
#include "image/auto_device.h"
#include "image/elf_image.h"
#include "isa/timing.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mcusim {

class ProfileListener; // core/profile_listener.h

struct RunOptions {
  double mhz = 0;                 ///< core clock; 0 = the device's default
  uint64_t max_instructions = 0;  ///< 0 = no limit
  uint64_t max_cycles = 0;        ///< 0 = no limit
  double timeout_seconds = 0;     ///< wall-clock limit; 0 = none
  std::filesystem::path semihost_dir; ///< sandbox for SYS_OPEN of host files
  std::string cmdline;            ///< SYS_GET_CMDLINE (program name and arguments)
  struct Progress {
    uint64_t cycles, instructions;
    double simulated_seconds, wall_seconds, mips;
  };
  /// Called from the run loop every `progress_seconds` of wall time (a timer
  /// thread ends the current slice at the next block boundary, so a long
  /// slice does not delay it; cycles are unchanged by such stops).
  std::function<void(const Progress &)> on_progress;
  double progress_seconds = 0.2;
  enum class Timing { Core, None };
  Timing timing = Timing::Core;   ///< per-core cycle model, or one cycle per instruction
  std::optional<unsigned> flash_ws; ///< override the flash wait states
  std::optional<bool> caches;       ///< force the flash accelerator / L1 caches on or off
  bool profile = false;             ///< collect per-function cycles, calls, stack and heap (ProfileData)
  /// Makes the listener the block hook feeds when `profile` is set (the
  /// profiler's CallTracker: `[] { return std::make_unique<CallTracker>(); }`);
  /// Simulator::create fails with a Usage error when profiling without one.
  std::function<std::unique_ptr<ProfileListener>()> profile_listener;
  /// Layers from calls: functions whose demangled name matches this regex are
  /// layers. Empty: the TFLM preset when the ELF has TFLM's symbols (see docs/markers.md).
  std::string layer_pattern;
  /// The tensor arena's symbol; empty: the first of tensor_arena, g_tensor_arena,
  /// kTensorArena, mcusim_arena (also as C++ statics) found in the ELF.
  std::string arena_symbol;
  /// The low-power state SLEEPDEEP enters (a state of the device's [power]
  /// section); "" = the device's deep_sleep. Sets the deep wake-up time.
  std::string deep_sleep_state;
  /// Count executed instructions by the classes PowerWeights prices
  /// (RunResult::power.classes): a separate block hook that adds a block's
  /// class counts per execution, so leave it off when the weights are neutral.
  bool count_instruction_classes = false;
  /// Builds the device's peripheral models (peripherals/: peripherals::make_bus_factory);
  /// empty: the device's peripheral regions are plain memory, as without models.
  PeripheralFactory peripherals;
  /// --strict-peripherals: every page of the device's peripheral regions is
  /// MMIO, and an access to an unmodelled register or to peripheral space no
  /// block claims is a precise BusFault (docs/peripherals.md).
  bool strict_peripherals = false;
  /// The host ends of the peripherals' serial lines and pins (--uart, --uart-in, --gpio-trace).
  PeripheralIo peripheral_io;
};

enum class StopReason {
  Exited,           ///< the firmware exited (semihosting)
  Fault,            ///< a fault with no handler, or a handler that spins
  Lockup,           ///< a fault while HardFault or NMI was active
  InstructionLimit, ///< --max-instructions reached
  CycleLimit,       ///< --max-cycles reached
  WallTimeout,      ///< --timeout reached
  Hang,             ///< an endless loop or sleep nothing can end
  Stopped,          ///< request_stop(): another thread, a signal, a closed output
  Internal,         ///< an engine error that is not the firmware's fault
};
const char *stop_reason_name(StopReason r);

struct Registers {
  uint32_t r[16] = {};
  uint32_t xpsr = 0, msp = 0, psp = 0, control = 0, primask = 0, basepri = 0, faultmask = 0;
};

struct FaultInfo {
  std::string kind;   ///< "BusFault", "UsageFault", "HardFault", "Lockup", ...
  std::string cause;  ///< "precise data bus error: read of unmapped address 0x70000000"
  uint32_t pc = 0;    ///< the faulting instruction
  std::optional<uint32_t> address; ///< faulting data address, where there is one
  bool pc_exact = true;
  Registers regs;
  std::vector<uint32_t> backtrace; ///< return addresses, innermost first
  uint32_t cfsr = 0, hfsr = 0;
  std::string note;   ///< what the firmware did with it ("no handler", "handler spins at ...")
};

/// One stretch of a run at one clock: from `cycle` on, the core ran at `hz`
/// with `flash_ws` flash wait states (until the next segment).
struct ClockSegment {
  uint64_t cycle = 0;
  double hz = 0;
  unsigned flash_ws = 0;
  /// The `[power]` run mode the PWR registers select ("range2"); "" when
  /// they select none the device names (docs/power.md, "The clock in force").
  std::string power_mode;
};
/// Simulated seconds of `cycles` cycles run over `segments` (sum of cycles / frequency).
double seconds_over(const std::vector<ClockSegment> &segments, uint64_t cycles);

struct RunResult {
  StopReason reason = StopReason::Internal;
  uint64_t icache_hits = 0, icache_misses = 0;
  int exit_code = 0; ///< the firmware's own exit code (Exited)
  uint64_t cycles = 0, instructions = 0, sleep_cycles = 0;
  double hz = 0;
  double wall_seconds = 0;       ///< the whole of run(), from its call to its return
  double emulation_seconds = 0;  ///< from the first uc_emu_start to the end: what MIPS is measured over
  uint32_t pc = 0;
  std::optional<FaultInfo> fault;
  std::string message; ///< one line for the reasons other than Exited
  /// Stopped: what stopped the run, as given to request_stop() ("interrupted
  /// by SIGINT", "stopped by SIGPIPE (output closed)"); empty for a plain request.
  std::string stop_cause;
  std::optional<ProfileData> profile; ///< with RunOptions::profile
  PowerCounters power; ///< cycles by power state and code location, for power/
  /// Registers accessed that no model gives behaviour ("RCC->PLLSAI1CFGR"), in first-access order.
  std::vector<std::string> unmodelled_registers;
  /// The clock over the run: the first segment at cycle 0, then one per change
  /// the firmware made (docs/peripherals.md, "The clock"). `hz` is the last one's.
  std::vector<ClockSegment> clock_changes;
  /// The firmware ran the core faster than its flash latency allows (once per run), else empty.
  std::string clock_warning;
  double simulated_seconds() const {
    return clock_changes.size() > 1 ? seconds_over(clock_changes, cycles) : hz > 0 ? double(cycles) / hz : 0;
  }
  /// Shortest run whose MIPS figure is shown: under it, start-up and timer noise dominate.
  static constexpr double kMinMipsSeconds = 0.1;
  /// A MIPS figure is meaningful (the run lasted at least kMinMipsSeconds of wall time).
  bool mips_known() const { return wall_seconds >= kMinMipsSeconds && emulation_seconds > 0; }
  /// Instructions per emulation second (start-up excluded), in millions; 0 without emulation time.
  double mips() const { return emulation_seconds > 0 ? double(instructions) / emulation_seconds / 1e6 : 0; }
};
/// The stop reason in words: the stop cause for a Stopped run that has one,
/// else stop_reason_name() ("exited", "wall-clock timeout", ...).
std::string stop_reason_text(const RunResult &r);

class Simulator {
public:
  /// Build an engine for `elf` on `device`. The image must fit (see
  /// check_image_fits) and have a vector table (check_vector_table).
  static Expected<std::unique_ptr<Simulator>> create(const Device &device, const ElfImage &elf, const RunOptions &options,
                                                     Console &console,
                                                     std::unique_ptr<isa::TimingModel> timing = nullptr);
  ~Simulator();
  Simulator(const Simulator &) = delete;
  Simulator &operator=(const Simulator &) = delete;

  /// Run from reset until the firmware exits or a stop condition.
  RunResult run();
  /// Ask the simulation to stop at the next block boundary (any thread, not
  /// from a signal handler). The run ends as StopReason::Stopped with what ran
  /// so far; `cause` becomes RunResult::stop_cause and message. The first
  /// request wins. A request before run() stops it before the first block.
  void request_stop(const std::string &cause = {});

  double hz() const { return hz_; }
  /// One line describing the timing in use ("cortex-m4 tables, 5 flash wait states, ...").
  std::string timing_description() const;
  /// How the clock is chosen, for the banner: "" when the device models no
  /// clock tree, else whether the firmware's registers set it or --mhz pins it.
  std::string clock_description() const;
  const Device &device() const { return device_; }
  const ElfImage &image() const { return elf_; }

  struct Impl;

private:
  Simulator() = default;
  std::unique_ptr<Impl> impl_;
  Device device_;
  ElfImage elf_;
  double hz_ = 0;
};

/// One readable report of a fault (kind, PC with symbol, address, registers,
/// backtrace), several lines.
std::string format_fault(const FaultInfo &fault, const ElfImage &elf);

} // namespace mcusim
