/// \file
/// The firmware's clock (docs/peripherals.md, "The clock"): when the
/// peripheral models' registers select another core clock (RCC SYSCLK/HCLK),
/// flash latency (FLASH_ACR.LATENCY), power mode (PWR VOS / REGSEL) or cache
/// and prefetch enables (FLASH_ACR PRFTEN/ICEN/DCEN, the M7's SCB->CCR.IC/DC),
/// the run goes on at them from the next block boundary. Simulated time is the
/// sum of cycles / frequency over the segments; the power counters are kept
/// by (clock, power mode) from then on (PowerTimeline::set_clock); new wait
/// states or enables empty the block cost cache, so every block is priced
/// again. Nothing here runs per instruction.
#include "core/simulator_impl.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace mcusim {

double seconds_over(const std::vector<ClockSegment> &segments, uint64_t cycles) {
  double s = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    const uint64_t from = segments[i].cycle;
    const uint64_t to = i + 1 < segments.size() ? std::min(segments[i + 1].cycle, cycles) : cycles;
    if (to > from && segments[i].hz > 0) s += double(to - from) / segments[i].hz;
  }
  return s;
}

namespace {
bool sim_has_caches(const Device &d) { return d.accelerator.has_value() || d.l1.has_value(); }
} // namespace

std::string Simulator::clock_description() const {
  const Impl &s = *impl_;
  const bool caches = sim_has_caches(s.sim.device_);
  const bool pinned = caches && s.memsys->caches_forced();
  if (!s.periph || !s.periph->core_clock()) // no clock tree; a Cortex-M7's CCR.IC/DC still follow the firmware
    return pinned && s.sim.device_.l1 ? "caches pinned by --cache (the firmware's cache enables are ignored)" : "";
  const std::string cache = pinned ? ", caches pinned by --cache (the firmware's cache enables are ignored)" : "";
  if (s.opts.mhz > 0) return "clock pinned by --mhz (RCC writes do not retime the core)" + cache;
  return "clock from the firmware's RCC and FLASH_ACR once it writes them" + cache;
}

void Simulator::Impl::init_clock() {
  // The power mode the registers select at reset (L4 PWR_CR1.VOS = Range 1), unless --mhz pins the clock state.
  std::string mode;
  if (periph && opts.mhz <= 0)
    if (auto c = periph->core_clock()) mode = power_mode_in_force(*c);
  clock_segments = {{0, sim.hz_, memsys->flash_ws(), mode}};
  timeline.set_clock(sim.hz_, mode, 0, power);
}

/// The power mode the registers select, when the device's figures name it
/// (case-insensitive; kept as the figures spell it), else "".
std::string Simulator::Impl::power_mode_in_force(const CoreClock &c) const {
  if (!c.power_mode || !sim.device_.power) return "";
  for (const auto &m : sim.device_.power->modes())
    if (m.size() == c.power_mode->size() &&
        std::equal(m.begin(), m.end(), c.power_mode->begin(), [](char a, char b) { return std::tolower((unsigned char)a) == std::tolower((unsigned char)b); }))
      return m;
  return "";
}

/// The warning, once per run, when the latency the firmware programmed is
/// below what the device's wait-state table asks at the clock it selected.
void Simulator::Impl::check_wait_states(const CoreClock &c) {
  const auto &table = sim.device_.flash.wait_states;
  if (!clock_warning.empty() || !c.flash_ws || table.empty()) return;
  const unsigned need = sim.device_.flash.ws_at(c.hz / 1e6);
  if (*c.flash_ws >= need) return;
  char text[320];
  std::snprintf(text, sizeof text,
                "HCLK %g MHz needs FLASH_ACR.LATENCY >= %u (table in devices/%s.toml), the firmware set %u: on hardware "
                "flash reads would be corrupt",
                c.hz / 1e6, need, sim.device_.name.c_str(), *c.flash_ws);
  clock_warning = text;
}

void Simulator::Impl::retime_sleep(double hz) {
  sleep_wakeup_cycles = uint64_t(sleep_wakeup_us * hz / 1e6);
  deep_wakeup_cycles = uint64_t(deep_wakeup_us * hz / 1e6);
}

bool Simulator::Impl::apply_accel(const std::optional<CoreClock::Accel> &accel) {
  CoreClock::Accel a = accel.value_or(CoreClock::Accel{});
  // The Cortex-M7's L1 caches: SCB->CCR.IC (bit 17) and DC (bit 16), once the firmware changed them.
  if (sim.device_.l1 && scs) {
    if (l1_changed & (1u << 17)) a.icache = bool(scs->ccr & (1u << 17));
    if (l1_changed & (1u << 16)) a.dcache = bool(scs->ccr & (1u << 16));
  }
  // No enable written since the start or the last reset: the device file's choice.
  if (!a.prefetch && !a.icache && !a.dcache) return memsys->restore_enables();
  return memsys->set_enables(a.prefetch, a.icache, a.dcache);
}

void Simulator::Impl::reprice_blocks() {
  table_init(unsigned(64 - table_shift)); // every block priced again at the new wait states / enables
  cur = &no_block;
  stop_entry = nullptr;
  div_extra_entry = nullptr;
}

void Simulator::Impl::apply_l1() {
  l1_dirty = false;
  std::optional<CoreClock::Accel> flash;
  if (periph)
    if (auto c = periph->core_clock()) flash = c->accel;
  if (apply_accel(flash)) reprice_blocks();
}

void Simulator::Impl::apply_clock() {
  clock_dirty = false;
  if (!periph) return;
  auto c = periph->core_clock();
  if (!c || c->hz <= 0) return;
  check_wait_states(*c);
  // The flash interface's enables follow the firmware under --mhz as well.
  const bool accel = apply_accel(c->accel);
  if (opts.mhz > 0) { // --mhz pins the clock: the registers do not retime the core
    if (accel) reprice_blocks();
    return;
  }
  clock_from_firmware = true;
  const unsigned ws = opts.flash_ws ? *opts.flash_ws : c->flash_ws ? *c->flash_ws : sim.device_.flash.ws_at(c->hz / 1e6);
  const std::string mode = power_mode_in_force(*c);
  const bool retimed = c->hz != sim.hz_ || ws != memsys->flash_ws() || mode != clock_segments.back().power_mode;
  if (ws != memsys->flash_ws()) memsys->set_flash_ws(ws);
  if (accel || ws != clock_segments.back().flash_ws) reprice_blocks();
  if (!retimed) return;
  if (c->hz != sim.hz_) {
    periph->retime(cycles, c->hz / sim.hz_); // pending peripheral events keep their length in seconds
    retime_sleep(c->hz);
  }
  sim.hz_ = c->hz;
  if (periph_host) periph_host->hz = c->hz;
  timeline.set_clock(c->hz, mode, cycles, synced_power()); // energy counts by (clock, mode) from here on
  const ClockSegment seg{cycles, c->hz, ws, mode};
  if (clock_segments.back().cycle == cycles) clock_segments.back() = seg;
  else clock_segments.push_back(seg);
}

} // namespace mcusim
