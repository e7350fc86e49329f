/// \file
/// The firmware's clock (docs/peripherals.md, "The clock"): when the
/// peripheral models' registers select another core clock (RCC SYSCLK/HCLK)
/// or flash latency (FLASH_ACR.LATENCY), the run goes on at them from the next
/// block boundary. Simulated time is the sum of cycles / frequency over the
/// segments; a new wait-state count empties the block cost cache, so every
/// block is priced again at it. Nothing here runs per instruction.
#include "core/simulator_impl.h"

#include <algorithm>
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

std::string Simulator::clock_description() const {
  const Impl &s = *impl_;
  if (!s.periph || !s.periph->core_clock()) return "";
  if (s.opts.mhz > 0) return "clock pinned by --mhz (RCC writes do not retime the core)";
  return "clock from the firmware's RCC and FLASH_ACR once it writes them";
}

void Simulator::Impl::init_clock() { clock_segments = {{0, sim.hz_, memsys->flash_ws()}}; }

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

void Simulator::Impl::apply_clock() {
  clock_dirty = false;
  if (!periph) return;
  auto c = periph->core_clock();
  if (!c || c->hz <= 0) return;
  check_wait_states(*c);
  if (opts.mhz > 0) return; // --mhz pins the clock: the registers do not retime the core
  clock_from_firmware = true;
  const unsigned ws = opts.flash_ws ? *opts.flash_ws : c->flash_ws ? *c->flash_ws : sim.device_.flash.ws_at(c->hz / 1e6);
  if (c->hz == sim.hz_ && ws == memsys->flash_ws()) return;
  if (ws != memsys->flash_ws()) {
    memsys->set_flash_ws(ws);
    table_init(unsigned(64 - table_shift)); // every block priced again at the new wait states
    cur = &no_block;
    stop_entry = nullptr;
    div_extra_entry = nullptr;
  }
  if (c->hz != sim.hz_) {
    periph->retime(cycles, c->hz / sim.hz_); // pending peripheral events keep their length in seconds
    retime_sleep(c->hz);
  }
  sim.hz_ = c->hz;
  if (periph_host) periph_host->hz = c->hz;
  const ClockSegment seg{cycles, c->hz, ws};
  if (clock_segments.back().cycle == cycles) clock_segments.back() = seg;
  else clock_segments.push_back(seg);
}

} // namespace mcusim
