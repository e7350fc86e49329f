/// \file
/// The opcode-to-class table (isa/opcode_classes.def): every Thumb, Thumb-2
/// and VFP opcode of LLVM's ARM target by exact name, with its instruction
/// class. Looked up once per opcode when a decoder is created.
#pragma once

#include "isa/decoder.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace mcusim::isa {

struct OpcodeClass {
  std::string_view name; ///< LLVM opcode name, exactly as MCInstrInfo::getName gives it
  InsnClass cls;
  uint8_t words;         ///< words per listed register of VLDM/VSTM (2 for D registers), else 1
};

/// The whole table, in file order.
std::span<const OpcodeClass> opcode_classes();

/// The entry whose name is exactly `name`; nullptr when the opcode is not listed.
const OpcodeClass *find_opcode_class(std::string_view name);

} // namespace mcusim::isa
