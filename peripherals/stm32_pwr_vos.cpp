/// \file
/// STM32 voltage scaling: VOS changes, their ready/busy flags, ACTVOS, the U5 booster.
#include "peripherals/stm32_pwr_vos.h"

#include <bit>

namespace mcusim::peripherals {

// RM0090 §5.4.1/5.4.2: PWR_CR.VOS bit 14 (F405/407), PWR_CSR.VOSRDY bit 14.
const VosLayout Stm32PwrVos::kF4 = {"CR", 0x00, 1u << 14, "CSR", 0x04, 1u << 14, false, nullptr, 0, 0, 0, 0, nullptr, 0};
// RM0444 §4.4.1/4.4.6: PWR_CR1.VOS bits 10:9, PWR_SR2.VOSF bit 10.
const VosLayout Stm32PwrVos::kG0 = {"CR1", 0x00, 3u << 9, "SR2", 0x14, 1u << 10, true, nullptr, 0, 0, 0, 0, nullptr, 0};
// RM0456 §10.10.4/10.10.13: PWR_VOSR.VOS bits 17:16, VOSRDY bit 15, BOOSTRDY bit 14, BOOSTEN bit 18;
// PWR_SVMSR.ACTVOS bits 17:16, ACTVOSRDY bit 15; PWR_CR3 (REGSEL) §10.10.3.
const VosLayout Stm32PwrVos::kU5 = {"VOSR", 0x0C, 3u << 16, "VOSR", 0x0C, 1u << 15, false,
                                    "SVMSR", 0x3C, 1u << 15, 1u << 18, 1u << 14, "CR3", 0x08};
// RM0455 §6.8.6/6.8.2: PWR_SRDCR.VOS bits 15:14, VOSRDY bit 13; PWR_CSR1.ACTVOS bits 15:14, ACTVOSRDY bit 13;
// PWR_CR3 (SMPSEN, LDOEN, BYPASS) §6.8.4.
const VosLayout Stm32PwrVos::kH7 = {"SRDCR", 0x18, 3u << 14, "SRDCR", 0x18, 1u << 13, false,
                                    "CSR1", 0x04, 1u << 13, 0, 0, "CR3", 0x0C};

Stm32PwrVos::Stm32PwrVos(const PeripheralDesc &desc, PeripheralHost &host, const VosLayout &layout)
    : Peripheral(desc, host), l_(layout) {
  settle_at_reset();
}

std::vector<std::pair<const char *, uint32_t>> Stm32PwrVos::required_for(const VosLayout &l) {
  std::vector<std::pair<const char *, uint32_t>> r = {{l.ctrl_name, l.ctrl}};
  if (l.status != l.ctrl) r.emplace_back(l.status_name, l.status);
  if (l.active_name) r.emplace_back(l.active_name, l.active);
  if (l.supply_name) r.emplace_back(l.supply_name, l.supply);
  return r;
}

void Stm32PwrVos::reset() {
  Peripheral::reset();
  settle_ = boost_ = 0;
  supply_written_ = false;
  settle_at_reset();
}

std::optional<std::string> Stm32PwrVos::power_mode() const {
  if (&l_ == &kG0) { // RM0444 §4.4.1: VOS = 01 Range 1, 10 Range 2
    const uint32_t v = vos();
    return v == 1 ? std::optional<std::string>("range1") : v == 2 ? std::optional<std::string>("range2") : std::nullopt;
  }
  if (&l_ == &kF4) return vos() ? "scale1" : "scale2"; // RM0090 §5.4.1: VOS = 1 Scale 1, 0 Scale 2
  if (&l_ == &kU5 && supply_written_) // RM0456 §10.10.3: PWR_CR3.REGSEL (bit 1) 0 LDO, 1 SMPS
    return (regs_.read(l_.supply) & (1u << 1)) ? "smps" : "ldo";
  return std::nullopt;
}

/// The regulator is settled at its reset scale (and the booster ready if enabled).
void Stm32PwrVos::settle_at_reset() {
  set_settled(true);
  if (l_.boost_en) regs_.set_bits(l_.ctrl, l_.boost_ready, regs_.read(l_.ctrl) & l_.boost_en);
}

bool Stm32PwrVos::models(uint32_t offset) const {
  return offset == l_.ctrl || offset == l_.status || (l_.active_name && offset == l_.active) ||
         (l_.supply_name && offset == l_.supply);
}

uint32_t Stm32PwrVos::vos() const { return (regs_.read(l_.ctrl) & l_.vos_mask) >> std::countr_zero(l_.vos_mask); }

bool Stm32PwrVos::settled() const { return bool(regs_.read(l_.status) & l_.flag) != l_.flag_is_busy; }

void Stm32PwrVos::set_settled(bool on) {
  regs_.set_bits(l_.status, l_.flag, on != l_.flag_is_busy);
  if (!l_.active_name) return;
  uint32_t a = regs_.read(l_.active) & ~l_.active_ready;
  if (on) a = (a & ~l_.vos_mask) | (regs_.read(l_.ctrl) & l_.vos_mask) | l_.active_ready;
  regs_.set(l_.active, a);
}

void Stm32PwrVos::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  // The flags are the hardware's: keep them whatever the data says.
  auto flags_of = [&](uint32_t off) {
    uint32_t f = 0;
    if (off == l_.status) f |= l_.flag;
    if (off == l_.ctrl) f |= l_.boost_ready;
    if (l_.active_name && off == l_.active) f |= l_.active_ready | l_.vos_mask;
    return f;
  };
  const std::optional<std::string> mode_before = power_mode();
  if (l_.supply_name && offset == l_.supply) supply_written_ = true;
  struct ModeWatch { // tell the core when the mode changes (the energy model follows it)
    Stm32PwrVos &self;
    const std::optional<std::string> &before;
    ~ModeWatch() {
      if (self.power_mode() != before) self.clock_changed();
    }
  } watch{*this, mode_before};
  const uint32_t ro = flags_of(offset);
  const uint32_t vos_before = regs_.read(l_.ctrl) & l_.vos_mask;
  const uint32_t boost_before = regs_.read(l_.ctrl) & l_.boost_en;
  const uint32_t keep = regs_.read(offset) & ro;
  regs_.write(offset, value, mask);
  regs_.set(offset, (regs_.read(offset) & ~ro) | keep);
  if (offset != l_.ctrl) return;
  if ((regs_.read(l_.ctrl) & l_.vos_mask) != vos_before) {
    set_settled(false);
    cancel(settle_);
    settle_ = after(cycles_in_us(kSettleUs), [this] {
      settle_ = 0;
      set_settled(true);
    });
  }
  const uint32_t boost = regs_.read(l_.ctrl) & l_.boost_en;
  if (boost != boost_before) {
    cancel(boost_);
    regs_.set_bits(l_.ctrl, l_.boost_ready, false);
    if (boost)
      boost_ = after(cycles_in_us(kSettleUs), [this] {
        boost_ = 0;
        regs_.set_bits(l_.ctrl, l_.boost_ready, true);
      });
  }
}

} // namespace mcusim::peripherals
