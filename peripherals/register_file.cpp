/// \file
/// Register storage with reset values, read-only and write-1-to-clear bits.
#include "peripherals/register_file.h"

#include <cstdio>

namespace mcusim::peripherals {

RegisterFile::RegisterFile(const PeripheralDesc &desc) : desc_(desc), words_(desc.size / 4), index_(desc.size / 4, -1) {
  for (size_t i = 0; i < desc.registers.size(); ++i) index_[desc.registers[i].offset / 4] = int(i);
  reset();
}

void RegisterFile::reset() {
  for (size_t w = 0; w < words_.size(); ++w) words_[w] = index_[w] >= 0 ? desc_.registers[size_t(index_[w])].reset : 0;
}

void RegisterFile::write(uint32_t offset, uint32_t value, uint32_t mask) {
  uint32_t &word = words_[offset / 4];
  const PeripheralRegisterDesc *r = describe(offset);
  const uint32_t ro = r ? r->read_only : 0, w1c = r ? r->w1c : 0;
  const uint32_t plain = mask & ~ro & ~w1c;
  word = (word & ~plain) | (value & plain);
  word &= ~(value & mask & w1c);
}

const PeripheralRegisterDesc *RegisterFile::describe(uint32_t offset) const {
  int i = offset / 4 < index_.size() ? index_[offset / 4] : -1;
  return i >= 0 ? &desc_.registers[size_t(i)] : nullptr;
}

std::string RegisterFile::name_of(uint32_t offset) const {
  if (const PeripheralRegisterDesc *r = describe(offset)) return r->name;
  char buf[16];
  std::snprintf(buf, sizeof buf, "+0x%03X", unsigned(offset));
  return buf;
}

} // namespace mcusim::peripherals
