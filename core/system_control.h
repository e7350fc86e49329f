/// \file
/// The M-profile private peripheral bus that Unicorn does not provide:
/// NVIC, System Control Block (VTOR, ICSR, AIRCR, SCR, CCR, SHPR, SHCSR,
/// fault status, CPACR), SysTick, DWT (CTRL, CYCCNT, M7 lock access) and the
/// ITM stimulus ports. Served through uc_mmio_map at 0xE0000000. Time comes
/// from the simulator's cycle counter; SysTick schedules its wraps on the
/// event queue.
#pragma once

#include "core/console.h"
#include "base/device.h"
#include "core/scheduler.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace mcusim {

enum Exception : int {
  kExcReset = 1,
  kExcNMI = 2,
  kExcHardFault = 3,
  kExcMemManage = 4,
  kExcBusFault = 5,
  kExcUsageFault = 6,
  kExcSecureFault = 7,
  kExcSVCall = 11,
  kExcDebugMon = 12,
  kExcPendSV = 14,
  kExcSysTick = 15,
  kExcIrq0 = 16,
};
std::string exception_name(int exc);

namespace cfsr {
constexpr uint32_t IACCVIOL = 1u << 0, DACCVIOL = 1u << 1, MMARVALID = 1u << 7;
constexpr uint32_t IBUSERR = 1u << 8, PRECISERR = 1u << 9, UNSTKERR = 1u << 11, STKERR = 1u << 12, BFARVALID = 1u << 15;
constexpr uint32_t UNDEFINSTR = 1u << 16, INVSTATE = 1u << 17, INVPC = 1u << 18, NOCP = 1u << 19, UNALIGNED = 1u << 24,
                   DIVBYZERO = 1u << 25;
} // namespace cfsr
namespace hfsr {
constexpr uint32_t VECTTBL = 1u << 1, FORCED = 1u << 30, DEBUGEVT = 1u << 31;
} // namespace hfsr

constexpr uint32_t kPpbBase = 0xE0000000;
constexpr uint32_t kPpbSize = 0x00100000;

class SystemControl {
public:
  SystemControl(const Device &device, double hz, Scheduler &sched, const uint64_t &cycles, Console &console);

  /// Power-on / system reset state of every register.
  void reset();

  /// MMIO access at an absolute address in the PPB (size 1, 2 or 4).
  uint32_t read(uint32_t addr, unsigned size);
  void write(uint32_t addr, unsigned size, uint32_t value);

  // --- Exception state -----------------------------------------------------
  int num_exceptions() const { return int(pending_.size()); }
  bool pending(int e) const { return valid(e) && pending_[e]; }
  void set_pending(int e);
  void clear_pending(int e) {
    if (valid(e)) pending_[e] = false;
  }
  bool active(int e) const { return valid(e) && active_[e]; }
  void set_active(int e, bool on) {
    if (valid(e)) active_[e] = on;
  }
  bool enabled(int e) const;
  /// Configured priority (implemented bits only) or -3/-2/-1 for fixed ones.
  int priority(int e) const;
  int group_priority(int prio) const;
  /// Priority boost from active exceptions alone (256 = none).
  int active_priority() const;
  /// Highest-priority pending, enabled exception, or -1.
  int highest_pending() const;
  int active_count() const;

  /// The cycle count at the instruction making the current register access
  /// (exact within a block); defaults to the cycle counter.
  std::function<uint64_t()> now_fn;
  uint64_t now() const { return now_fn ? now_fn() : cycles_; }

  /// IPSR of the running code (ICSR.VECTACTIVE), supplied by the simulator.
  std::function<int()> current_ipsr;
  /// Called when a write changed pending, enable or priority state.
  std::function<void()> on_exception_state_change;
  /// Called for writes to ITM stimulus ports 1 and 2 (the layer markers of
  /// mcusim.h), whatever the ITM enables say: (port, value).
  std::function<void(unsigned, uint32_t)> on_marker;
  /// Called when CCR (DIV_0_TRP) or CPACR changed.
  std::function<void()> on_trap_config_change;
  /// Called when a write changed CCR.IC (bit 17) or CCR.DC (bit 16), the
  /// Cortex-M7's L1 cache enables (ARMv7-M ARM DDI0403, 'Configuration and Control
  /// Register' [UNVERIFIED section number]; Cortex-M7 TRM DDI0489): the changed bits.
  std::function<void(uint32_t)> on_cache_enable_change;

  // --- Registers the run loop uses ---------------------------------------------
  uint32_t vtor = 0, ccr = 0, scr = 0, cpacr = 0, cfsr = 0, hfsr = 0, mmfar = 0, bfar = 0;
  uint32_t prigroup = 0;
  bool reset_requested = false;
  bool sleep_on_exit() const { return scr & 2; }
  bool sleep_deep() const { return scr & 4; }
  bool sevonpend() const { return scr & 0x10; }
  bool div0_trap() const { return ccr & 0x10; }
  bool fpu_enabled() const { return ((cpacr >> 20) & 0xF) != 0; }
  bool fault_enabled(int e) const;
  bool event_flag = false; ///< WFE event register

  double hz() const { return hz_; }
  uint32_t cyccnt() const;

private:
  bool valid(int e) const { return e > 0 && e < int(pending_.size()); }
  uint32_t read32(uint32_t addr);
  uint32_t read_trace(uint32_t addr);
  uint32_t read_nvic(uint32_t off);
  uint32_t read_scb(uint32_t off);
  void write32(uint32_t addr, uint32_t value, uint32_t mask);
  void write_trace(uint32_t addr, uint32_t value, uint32_t mask);
  void write_nvic(uint32_t off, uint32_t value, uint32_t mask);
  void write_scb(uint32_t off, uint32_t value, uint32_t mask);
  void changed() {
    if (on_exception_state_change) on_exception_state_change();
  }

  // SysTick
  uint32_t systick_value() const;
  void systick_start(uint32_t from_value);
  void systick_stop();
  void systick_wrap(uint64_t now);
  uint64_t systick_div() const { return (st_ctrl_ & 4) ? 1 : st_ref_div_; }

  const Device &device_;
  double hz_;
  Scheduler &sched_;
  const uint64_t &cycles_;
  Console &console_;

  std::vector<uint8_t> pending_, active_, enabled_irq_;
  std::vector<uint8_t> prio_;
  uint8_t prio_mask_ = 0xF0;
  uint32_t shcsr_enables_ = 0;

  uint32_t st_ctrl_ = 0, st_reload_ = 0, st_value_ = 0; // value while stopped
  bool st_countflag_ = false;
  uint64_t st_zero_ = 0;        // cycle at which the counter next reaches 0
  uint64_t st_ref_div_ = 8;     // external reference clock divider
  Scheduler::EventId st_event_ = 0;

  uint32_t demcr_ = 0, dwt_ctrl_ = 0;
  uint32_t cyc_base_ = 0;
  uint64_t cyc_start_ = 0;
  bool dwt_locked_ = false;
  bool cyc_running() const { return (dwt_ctrl_ & 1) && (demcr_ & (1u << 24)); }
  void cyc_update(uint32_t new_ctrl, uint32_t new_demcr);

  uint32_t itm_tcr_ = 0, itm_ter_ = 0, itm_tpr_ = 0;
  uint32_t fpccr_ = 0, fpcar_ = 0, fpdscr_ = 0;
};

} // namespace mcusim
