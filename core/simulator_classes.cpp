/// \file
/// Instruction classes for the energy weights (RunOptions::count_instruction_classes):
/// a block's multiply-accumulates, floating-point instructions, loads from
/// flash and SRAM accesses, found once when the block is placed. A load or
/// store goes by the address it makes with the registers at the block's
/// first entry (what the pricer sees too); one whose address is unknown
/// counts as an SRAM access.
#include "core/simulator_impl.h"

#include "isa/thumb.h"

namespace mcusim {

namespace {
using isa::InsnClass;

bool is_mac(InsnClass c) {
  return c == InsnClass::Mul || c == InsnClass::Mac || c == InsnClass::MulLong || c == InsnClass::MacLong;
}
bool is_fpu(InsnClass c) {
  switch (c) {
  case InsnClass::FpAlu: case InsnClass::FpAluD: case InsnClass::FpMac: case InsnClass::FpMacD: case InsnClass::FpDiv:
  case InsnClass::FpSqrt: case InsnClass::FpDivD: case InsnClass::FpLoad: case InsnClass::FpLoadD: case InsnClass::FpStore:
  case InsnClass::FpLoadMultiple: case InsnClass::FpStoreMultiple: case InsnClass::FpMovCore: case InsnClass::FpSys:
    return true;
  default: return false;
  }
}
/// Data words moved by a load or store (0: not one).
unsigned data_words(const isa::DecodedInsn &d) {
  switch (d.cls) {
  case InsnClass::Load: case InsnClass::LoadLiteral: case InsnClass::LoadPc: case InsnClass::Store: case InsnClass::StoreReg:
  case InsnClass::FpLoad: case InsnClass::FpStore:
    return 1;
  case InsnClass::LoadDual: case InsnClass::StoreDual: case InsnClass::FpLoadD:
    return 2;
  case InsnClass::LoadMultiple: case InsnClass::PopPc: case InsnClass::StoreMultiple: case InsnClass::FpLoadMultiple:
  case InsnClass::FpStoreMultiple:
    return d.regs ? d.regs : 1u;
  default: return 0;
  }
}
} // namespace

Simulator::Impl::BlockClasses Simulator::Impl::classify_block(uint32_t address, uint32_t size,
                                                               const std::array<uint32_t, 16> &regs) const {
  BlockClasses k;
  const uint8_t *code = mem.host_ptr(address, size);
  if (!code || !class_decoder) return k;
  class_decoder->reset_it_state();
  std::array<uint32_t, 16> r = regs;
  for (uint32_t off = 0; off + 2 <= size;) {
    auto d = class_decoder->decode(code + off, size - off, address + off);
    if (!d || !d->size) break;
    if (is_mac(d->cls)) ++k.mac;
    if (is_fpu(d->cls)) ++k.fpu;
    if (unsigned words = data_words(*d)) {
      uint16_t h1 = uint16_t(code[off] | code[off + 1] << 8);
      uint16_t h2 = off + 4 <= size ? uint16_t(code[off + 2] | code[off + 3] << 8) : 0;
      r[15] = address + off;
      auto a = isa::mem_access(h1, h2, r);
      const MemoryRegionDesc *reg = a ? sim.device_.region_at(a->addr) : nullptr;
      const bool flash = reg && (reg->kind == RegionKind::Flash || reg->kind == RegionKind::Rom);
      const bool peripheral = reg && reg->kind == RegionKind::Peripheral;
      if (flash && !(a && a->write)) k.flash_loads += words;
      else if (!flash && !peripheral) k.sram_accesses += words;
    }
    off += d->size;
  }
  return k;
}

} // namespace mcusim
