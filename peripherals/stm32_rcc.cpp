/// \file
/// The STM32 clock-tree models' shared part: ready flags, the clock switch, prescalers.
#include "peripherals/stm32_rcc.h"

#include <algorithm>

namespace mcusim::peripherals {

Stm32Rcc::Stm32Rcc(const PeripheralDesc &desc, PeripheralHost &host, Layout layout, std::vector<Oscillator> oscillators,
                   std::vector<uint32_t> modelled)
    : Peripheral(desc, host), layout_(layout), osc_(std::move(oscillators)), modelled_(std::move(modelled)) {
  modelled_.push_back(layout_.cr);
  modelled_.push_back(layout_.cfgr);
}

void Stm32Rcc::reset() {
  Peripheral::reset();
  for (auto &o : osc_) o.event = 0;
}

bool Stm32Rcc::models(uint32_t offset) const {
  return std::find(modelled_.begin(), modelled_.end(), offset) != modelled_.end();
}

void Stm32Rcc::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  if (offset == layout_.cr) {
    write_cr(value, mask);
  } else if (offset == layout_.cfgr) {
    const uint32_t sws_bits = layout_.sw_mask << layout_.sws_shift; // read-only
    const uint32_t keep = regs_.read(offset) & sws_bits;
    regs_.write(offset, value, mask);
    regs_.set(offset, (regs_.read(offset) & ~sws_bits) | keep);
  } else {
    regs_.write(offset, value, mask); // PLL configuration, prescalers: the clock may change
  }
  update_switch();
  clock_changed();
}

void Stm32Rcc::write_cr(uint32_t value, uint32_t mask) {
  const uint32_t cr = layout_.cr;
  uint32_t ro = 0;
  for (const auto &o : osc_) ro |= o.ready;
  const uint32_t keep = regs_.read(cr) & ro;
  regs_.write(cr, value, mask);
  regs_.set(cr, (regs_.read(cr) & ~ro) | keep);
  for (auto &o : osc_) {
    if (regs_.read(cr) & o.on) {
      if (!(regs_.read(cr) & o.ready) && !o.event) {
        Oscillator *osc = &o;
        o.event = after(cycles_in_us(o.start_us), [this, osc, cr] {
          osc->event = 0;
          if (regs_.read(cr) & osc->on) regs_.set_bits(cr, osc->ready, true);
          update_switch();
          clock_changed();
        });
      }
    } else {
      cancel(o.event);
      regs_.set_bits(cr, o.ready, false);
    }
  }
}

/// SWS follows SW once the selected source is ready.
void Stm32Rcc::update_switch() {
  const uint32_t cfgr = regs_.read(layout_.cfgr);
  const unsigned sw = (cfgr >> layout_.sw_shift) & layout_.sw_mask;
  if (sws() != sw && source_ready(sw))
    regs_.set(layout_.cfgr, (cfgr & ~(layout_.sw_mask << layout_.sws_shift)) | (sw << layout_.sws_shift));
}

double Stm32Rcc::ahb_divider(unsigned field) {
  static constexpr double kDiv[8] = {2, 4, 8, 16, 64, 128, 256, 512};
  return field < 8 ? 1 : kDiv[(field - 8) & 7];
}

double Stm32Rcc::apb_divider(unsigned field) { return field < 4 ? 1 : double(2u << ((field - 4) & 3)); }

std::optional<double> Stm32Rcc::clock_hz(std::string_view name) const {
  if (name == "SYSCLK") return sysclk_hz();
  if (name == "HCLK") return hclk_hz();
  if (name == "PCLK1") return pclk_hz(1);
  if (name == "PCLK2") return pclk_hz(2);
  if (name == "LSI") return lsi_hz();
  if (name == "LSE") return kLseHz;
  return std::nullopt;
}

} // namespace mcusim::peripherals
