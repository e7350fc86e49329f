/// \file
/// Thumb decoding helpers (ARMv7-M ARM, section A5 encodings).
#include "isa/thumb.h"

namespace mcusim::isa {

namespace {
unsigned popcount16(uint32_t v) { return unsigned(__builtin_popcount(v & 0xFFFF)); }
uint32_t align4(uint32_t v) { return v & ~3u; }
} // namespace

std::optional<MemAccess> mem_access(uint16_t hw1, uint16_t hw2, const std::array<uint32_t, 16> &r) {
  const uint32_t pc = r[15];
  if (!is32(hw1)) {
    // LDR (literal)
    if ((hw1 & 0xF800) == 0x4800) return MemAccess{align4(pc + 4) + (hw1 & 0xFF) * 4u, 4, false};
    // Register offset: STR/STRH/STRB/LDRSB/LDR/LDRH/LDRB/LDRSH
    if ((hw1 & 0xF000) == 0x5000) {
      static constexpr uint8_t sizes[8] = {4, 2, 1, 1, 4, 2, 1, 2};
      unsigned op = (hw1 >> 9) & 7;
      return MemAccess{r[(hw1 >> 3) & 7] + r[(hw1 >> 6) & 7], sizes[op], op < 3};
    }
    unsigned imm5 = (hw1 >> 6) & 0x1F, rn = (hw1 >> 3) & 7;
    bool load = hw1 & 0x0800;
    if ((hw1 & 0xE000) == 0x6000) { // STR/LDR, STRB/LDRB (immediate)
      bool byte = hw1 & 0x1000;
      return MemAccess{r[rn] + imm5 * (byte ? 1u : 4u), byte ? 1u : 4u, !load};
    }
    if ((hw1 & 0xF000) == 0x8000) return MemAccess{r[rn] + imm5 * 2u, 2, !load}; // STRH/LDRH
    if ((hw1 & 0xF000) == 0x9000) return MemAccess{r[13] + (hw1 & 0xFF) * 4u, 4, !load}; // SP-relative
    if ((hw1 & 0xFE00) == 0xB400) { // PUSH
      unsigned n = popcount16(hw1 & 0xFF) + ((hw1 >> 8) & 1);
      return MemAccess{r[13] - 4 * n, 4 * n, true};
    }
    if ((hw1 & 0xFE00) == 0xBC00) { // POP
      unsigned n = popcount16(hw1 & 0xFF) + ((hw1 >> 8) & 1);
      return MemAccess{r[13], 4 * n, false};
    }
    if ((hw1 & 0xF000) == 0xC000) { // STM/LDM
      unsigned n = popcount16(hw1 & 0xFF);
      return MemAccess{r[(hw1 >> 8) & 7], 4 * n, !(hw1 & 0x0800)};
    }
    return std::nullopt;
  }
  const unsigned rn = hw1 & 0xF;
  const uint32_t base = rn == 15 ? align4(pc + 4) : r[rn];
  const bool load = hw1 & 0x0010;
  // LDM/STM (IA, DB)
  if ((hw1 & 0xFE40) == 0xE800) {
    unsigned op = (hw1 >> 7) & 3;
    unsigned n = popcount16(hw2);
    if (op == 1) return MemAccess{r[rn], 4 * n, !load};
    if (op == 2) return MemAccess{r[rn] - 4 * n, 4 * n, !load};
    return std::nullopt;
  }
  // Load/store dual, exclusive, table branch
  if ((hw1 & 0xFE40) == 0xE840) {
    bool p = hw1 & 0x0100, u = hw1 & 0x0080, w = hw1 & 0x0020;
    if (!p && !w) {
      if ((hw1 & 0xFFE0) == 0xE840) return MemAccess{r[rn] + (hw2 & 0xFF) * 4u, 4, !load}; // STREX/LDREX
      if ((hw1 & 0xFFF0) == 0xE8D0 && (hw2 & 0xFFE0) == 0xF000) { // TBB/TBH
        bool half = hw2 & 0x10;
        uint32_t rm = r[hw2 & 0xF];
        uint32_t b = rn == 15 ? pc + 4 : r[rn];
        return MemAccess{b + (half ? rm * 2 : rm), half ? 2u : 1u, false};
      }
      if ((hw1 & 0xFFE0) == 0xE8C0) { // exclusive byte/half/dual
        unsigned op = (hw2 >> 4) & 0xF;
        unsigned len = op == 4 ? 1 : op == 5 ? 2 : op == 7 ? 8 : 4;
        return MemAccess{r[rn], len, !load};
      }
      return std::nullopt;
    }
    uint32_t imm = (hw2 & 0xFF) * 4u;
    uint32_t off = u ? base + imm : base - imm;
    return MemAccess{p ? off : base, 8, !load};
  }
  // Load/store single (byte, half, word)
  if ((hw1 & 0xFE00) == 0xF800) {
    unsigned size = (hw1 >> 5) & 3;
    if (size == 3) return std::nullopt;
    uint32_t len = 1u << size;
    bool is_load = load;
    if (rn == 15) { // literal
      uint32_t imm = hw2 & 0xFFF;
      return MemAccess{(hw1 & 0x0080) ? base + imm : base - imm, len, false};
    }
    if (hw1 & 0x0080) return MemAccess{r[rn] + (hw2 & 0xFFF), len, !is_load};
    if (hw2 & 0x0800) {
      bool p = hw2 & 0x0400, u = hw2 & 0x0200;
      uint32_t imm = hw2 & 0xFF;
      uint32_t off = u ? r[rn] + imm : r[rn] - imm;
      return MemAccess{p ? off : r[rn], len, !is_load};
    }
    if ((hw2 & 0x0FC0) == 0) return MemAccess{r[rn] + (r[hw2 & 0xF] << ((hw2 >> 4) & 3)), len, !is_load};
    return std::nullopt;
  }
  // VLDR/VSTR, VLDM/VSTM/VPUSH/VPOP (coprocessor 10/11 load/store)
  if ((hw1 & 0xEE00) == 0xEC00 && (hw2 & 0x0E00) == 0x0A00) {
    bool p = hw1 & 0x0100, u = hw1 & 0x0080, w = hw1 & 0x0020;
    bool dbl = hw2 & 0x0100;
    uint32_t imm = (hw2 & 0xFF) * 4u;
    if (p && !w) { // VLDR/VSTR
      uint32_t a = u ? base + imm : base - imm;
      return MemAccess{a, dbl ? 8u : 4u, !load};
    }
    if (!p && u) return MemAccess{r[rn], imm, !load};         // IA
    if (p && !u && w) return MemAccess{r[rn] - imm, imm, !load}; // DB
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<unsigned> mem_base(uint16_t hw1, uint16_t hw2) {
  if (!is32(hw1)) {
    if ((hw1 & 0xF800) == 0x4800) return 15u;
    if ((hw1 & 0xF000) == 0x5000 || (hw1 & 0xE000) == 0x6000 || (hw1 & 0xF000) == 0x8000) return (hw1 >> 3) & 7u;
    if ((hw1 & 0xF000) == 0x9000 || (hw1 & 0xFE00) == 0xB400 || (hw1 & 0xFE00) == 0xBC00) return 13u;
    if ((hw1 & 0xF000) == 0xC000) return (hw1 >> 8) & 7u;
    return std::nullopt;
  }
  (void)hw2;
  if ((hw1 & 0xFE40) == 0xE800 || (hw1 & 0xFE40) == 0xE840 || (hw1 & 0xFE00) == 0xF800 ||
      ((hw1 & 0xEE00) == 0xEC00 && (hw2 & 0x0E00) == 0x0A00))
    return hw1 & 0xFu;
  return std::nullopt;
}

std::optional<uint32_t> cond_branch_target(uint16_t hw1, uint16_t hw2, uint32_t pc) {
  if ((hw1 & 0xF000) == 0xD000 && ((hw1 >> 8) & 0xF) < 0xE) { // B<cond> T1
    int32_t imm = int32_t(int8_t(hw1 & 0xFF)) * 2;
    return pc + 4 + uint32_t(imm);
  }
  if ((hw1 & 0xF500) == 0xB100) { // CBZ/CBNZ (forward only)
    uint32_t imm = ((hw1 >> 9) & 1) << 6 | ((hw1 >> 3) & 0x1F) << 1;
    return pc + 4 + imm;
  }
  if ((hw1 & 0xF800) == 0xF000 && (hw2 & 0xD000) == 0x8000 && ((hw1 >> 6) & 0xF) < 0xE) { // B<cond> T3
    uint32_t s = (hw1 >> 10) & 1, j1 = (hw2 >> 13) & 1, j2 = (hw2 >> 11) & 1;
    uint32_t imm = s << 20 | j2 << 19 | j1 << 18 | (hw1 & 0x3F) << 12 | (hw2 & 0x7FF) << 1;
    int32_t off = int32_t(imm << 11) >> 11;
    return pc + 4 + uint32_t(off);
  }
  return std::nullopt;
}

std::optional<unsigned> divide_rm(uint16_t hw1, uint16_t hw2) {
  if (((hw1 & 0xFFF0) == 0xFB90 || (hw1 & 0xFFF0) == 0xFBB0) && (hw2 & 0xF0F0) == 0xF0F0) return hw2 & 0xF;
  return std::nullopt;
}

bool is_fp(uint16_t hw1, uint16_t hw2) {
  // Coprocessor instructions 111x 11xx with coproc field 101x (CP10/CP11).
  return (hw1 & 0xEC00) == 0xEC00 && (hw2 & 0x0E00) == 0x0A00;
}

SleepInsn sleep_insn_before(uint16_t m4, uint16_t m2) {
  if (m2 == 0xBF30) return SleepInsn::Wfi;
  if (m2 == 0xBF20) return SleepInsn::Wfe;
  if (m4 == 0xF3AF && m2 == 0x8003) return SleepInsn::Wfi;
  if (m4 == 0xF3AF && m2 == 0x8002) return SleepInsn::Wfe;
  return SleepInsn::None;
}

} // namespace mcusim::isa
