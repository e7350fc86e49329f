/// \file
/// Divide operands from a block's data flow (see divide_operands.h).
#include "isa/divide_operands.h"
#include "isa/thumb.h"

#include <cstring>

namespace mcusim::isa {

namespace {
using Op = OperandOp;

uint32_t shift_value(uint32_t v, unsigned type, unsigned amount) {
  switch (type) {
  case 0: return amount >= 32 ? 0 : v << amount;
  case 1: return amount >= 32 ? 0 : v >> amount;
  case 2: return amount >= 32 ? uint32_t(int32_t(v) >> 31) : uint32_t(int32_t(v) >> amount);
  default: amount &= 31; return amount ? (v >> amount) | (v << (32 - amount)) : v;
  }
}

/// ThumbExpandImm without the carry (the programs never need it).
std::optional<uint32_t> expand_imm(uint16_t hw1, uint16_t hw2) {
  uint32_t imm12 = ((hw1 >> 10) & 1u) << 11 | ((hw2 >> 12) & 7u) << 8 | (hw2 & 0xFFu);
  uint32_t b = imm12 & 0xFF;
  if ((imm12 >> 10) == 0) {
    switch ((imm12 >> 8) & 3) {
    case 0: return b;
    case 1: return b ? std::optional<uint32_t>(b << 16 | b) : std::nullopt;
    case 2: return b ? std::optional<uint32_t>(b << 24 | b << 8) : std::nullopt;
    default: return b ? std::optional<uint32_t>(b << 24 | b << 16 | b << 8 | b) : std::nullopt;
    }
  }
  uint32_t v = 0x80 | (imm12 & 0x7F);
  unsigned rot = imm12 >> 7;
  return (v >> rot) | (v << (32 - rot));
}

Op alu(uint8_t op, unsigned rd, unsigned rn, unsigned rm) {
  Op o;
  o.kind = Op::Alu;
  o.op = op;
  o.rd = uint8_t(rd);
  o.rn = uint8_t(rn);
  o.rm = uint8_t(rm);
  return o;
}
Op alu_imm(uint8_t op, unsigned rd, unsigned rn, uint32_t imm) {
  Op o = alu(op, rd, rn, 0);
  o.b_imm = true;
  o.imm = imm;
  return o;
}

/// The data-processing operation table shared by the 32-bit immediate and
/// shifted-register forms; nullopt for the ones the programs do not follow.
std::optional<uint8_t> dp_op(unsigned op, unsigned rn, unsigned rd, bool s, uint8_t *flags) {
  *flags = 0;
  switch (op) {
  case 0: if (rd == 15) return std::nullopt; *flags = s ? 2 : 0; return Op::And; // TST: flags with carry
  case 1: *flags = s ? 2 : 0; return Op::Bic;
  case 2: *flags = s ? 2 : 0; return rn == 15 ? Op::Mov : Op::Orr;
  case 3: *flags = s ? 2 : 0; return rn == 15 ? Op::Mvn : Op::Orn;
  case 4: if (rd == 15) return std::nullopt; *flags = s ? 2 : 0; return Op::Eor;
  case 8: if (rd == 15) { *flags = 1 | 4; return Op::Add; } *flags = s ? 1 : 0; return Op::Add;
  case 13: if (rd == 15) { *flags = 1 | 4; return Op::Sub; } *flags = s ? 1 : 0; return Op::Sub;
  case 14: *flags = s ? 1 : 0; return Op::Rsb;
  default: return std::nullopt;
  }
}

/// The operation of one instruction, or nullopt if the programs do not
/// follow it. `in_it`: inside an IT block (16-bit instructions set no flags).
std::optional<Op> decode(const DecodedInsn &d, uint16_t hw1, uint16_t hw2, bool in_it) {
  const uint8_t nz = in_it ? 0 : 2, nzcv = in_it ? 0 : 1;
  if (d.cls == InsnClass::Load || d.cls == InsnClass::LoadLiteral) {
    if (d.dest < 0 || d.mnemonic.find("EX") != std::string_view::npos) return std::nullopt; // exclusive
    Op o;
    o.kind = Op::Load;
    o.rd = uint8_t(d.dest);
    o.op = d.mnemonic.find("LDRS") != std::string_view::npos ? 1 : 0;
    o.hw1 = hw1;
    o.hw2 = hw2;
    o.pc = d.addr;
    return o;
  }
  if (d.cls == InsnClass::Store || d.cls == InsnClass::StoreReg || d.cls == InsnClass::StoreDual) {
    Op o;
    o.kind = Op::Store;
    o.hw1 = hw1;
    o.hw2 = hw2;
    o.pc = d.addr;
    return o;
  }
  if (d.cls == InsnClass::Div) {
    Op o;
    o.kind = Op::Divide;
    o.rn = uint8_t(hw1 & 0xF);
    o.rm = uint8_t(hw2 & 0xF);
    o.rd = uint8_t((hw2 >> 8) & 0xF);
    o.op = (hw1 & 0xFFF0) == 0xFB90 ? 1 : 0;
    return o;
  }
  if (!is32(hw1)) {
    const unsigned top5 = hw1 >> 11;
    if (top5 <= 2) { // LSLS/LSRS/ASRS Rd, Rm, #imm5 (LSLS #0: MOVS)
      unsigned imm5 = (hw1 >> 6) & 31, type = top5;
      Op o = alu(Op::Mov, hw1 & 7, 0, (hw1 >> 3) & 7);
      o.shift = uint8_t(type);
      o.amount = uint8_t(type && imm5 == 0 ? 32 : imm5);
      o.flags = type == 0 && imm5 == 0 ? nz : 0; // shifts set C from the shifter: not followed
      if (!(type == 0 && imm5 == 0) && !in_it) o.flags = 8; // flags become unknown
      return o;
    }
    if (top5 == 3) { // ADDS/SUBS Rd, Rn, Rm / #imm3
      unsigned rd = hw1 & 7, rn = (hw1 >> 3) & 7, x = (hw1 >> 6) & 7;
      uint8_t op = (hw1 & 0x0200) ? Op::Sub : Op::Add;
      Op o = (hw1 & 0x0400) ? alu_imm(op, rd, rn, x) : alu(op, rd, rn, x);
      o.flags = nzcv;
      return o;
    }
    if ((hw1 >> 13) == 1) { // MOVS/CMP/ADDS/SUBS #imm8
      unsigned rd = (hw1 >> 8) & 7, imm = hw1 & 0xFF;
      switch ((hw1 >> 11) & 3) {
      case 0: { Op o; o.kind = Op::Const; o.rd = uint8_t(rd); o.imm = imm; o.flags = nz; return o; }
      case 1: { Op o = alu_imm(Op::Sub, rd, rd, imm); o.flags = 1 | 4; return o; }
      case 2: { Op o = alu_imm(Op::Add, rd, rd, imm); o.flags = nzcv; return o; }
      default: { Op o = alu_imm(Op::Sub, rd, rd, imm); o.flags = nzcv; return o; }
      }
    }
    if ((hw1 >> 10) == 0x10) { // data processing, low registers
      unsigned rdn = hw1 & 7, rm = (hw1 >> 3) & 7;
      switch ((hw1 >> 6) & 0xF) {
      case 0: { Op o = alu(Op::And, rdn, rdn, rm); o.flags = nz; return o; }
      case 1: { Op o = alu(Op::Eor, rdn, rdn, rm); o.flags = nz; return o; }
      case 9: { Op o = alu_imm(Op::Rsb, rdn, rm, 0); o.flags = nzcv; return o; } // RSBS Rd, Rm, #0
      case 10: { Op o = alu(Op::Sub, rdn, rdn, rm); o.flags = 1 | 4; return o; } // CMP
      case 11: { Op o = alu(Op::Add, rdn, rdn, rm); o.flags = 1 | 4; return o; } // CMN
      case 12: { Op o = alu(Op::Orr, rdn, rdn, rm); o.flags = nz; return o; }
      case 13: { Op o; o.kind = Op::Mul; o.rd = uint8_t(rdn); o.rn = uint8_t(rdn); o.rm = uint8_t(rm); o.flags = nz; return o; }
      case 14: { Op o = alu(Op::Bic, rdn, rdn, rm); o.flags = nz; return o; }
      case 15: { Op o = alu(Op::Mvn, rdn, 0, rm); o.flags = nz; return o; }
      case 2: case 3: case 4: case 7: { // LSLS/LSRS/ASRS/RORS by register
        static constexpr uint8_t ops[8] = {0, 0, Op::Lsl, Op::Lsr, Op::Asr, 0, 0, Op::Ror};
        Op o = alu(ops[(hw1 >> 6) & 7], rdn, rdn, rm);
        o.shift_by_reg = true;
        o.flags = in_it ? 0 : 8;
        return o;
      }
      default: return std::nullopt;
      }
    }
    if ((hw1 >> 10) == 0x11) { // special data: ADD/CMP/MOV with high registers
      unsigned rd = (hw1 & 7) | ((hw1 >> 4) & 8), rm = (hw1 >> 3) & 0xF;
      if (rd == 15 || rm == 15) return std::nullopt;
      switch ((hw1 >> 8) & 3) {
      case 0: return alu(Op::Add, rd, rd, rm);
      case 1: { Op o = alu(Op::Sub, rd, rd, rm); o.flags = 1 | 4; return o; }
      case 2: return alu(Op::Mov, rd, 0, rm);
      default: return std::nullopt;
      }
    }
    if ((hw1 & 0xF800) == 0xA800) return alu_imm(Op::Add, (hw1 >> 8) & 7, 13, (hw1 & 0xFFu) * 4); // ADD Rd, SP, #imm
    if ((hw1 & 0xFF80) == 0xB000) return alu_imm(Op::Add, 13, 13, (hw1 & 0x7Fu) * 4);                // ADD SP, #imm
    if ((hw1 & 0xFF80) == 0xB080) return alu_imm(Op::Sub, 13, 13, (hw1 & 0x7Fu) * 4);                // SUB SP, #imm
    if ((hw1 & 0xFF00) == 0xB200) { // SXTH/SXTB/UXTH/UXTB
      static constexpr uint8_t ext[4] = {3, 2, 1, 0};
      Op o;
      o.kind = Op::Extend;
      o.op = ext[(hw1 >> 6) & 3];
      o.rd = uint8_t(hw1 & 7);
      o.rm = uint8_t((hw1 >> 3) & 7);
      return o;
    }
    return std::nullopt;
  }
  // 32-bit
  const unsigned rn = hw1 & 0xF, rd = (hw2 >> 8) & 0xF, rm = hw2 & 0xF;
  const bool s = hw1 & 0x10;
  if ((hw1 & 0xFA00) == 0xF000 && !(hw2 & 0x8000)) { // data processing, modified immediate
    uint8_t flags;
    auto op = dp_op((hw1 >> 5) & 0xF, rn, rd, s, &flags);
    auto imm = expand_imm(hw1, hw2);
    if (!op || !imm || (rd == 15 && !(flags & 4)) || rd == 13 || (rn == 13 && *op != Op::Add && *op != Op::Sub)) return std::nullopt;
    Op o = alu_imm(*op, rd, rn, *imm);
    o.flags = flags & 2 ? 8 : flags; // logical S forms set C from the immediate: not followed
    return o;
  }
  if ((hw1 & 0xFA00) == 0xF200 && !(hw2 & 0x8000)) { // plain binary immediate
    uint32_t imm12 = ((hw1 >> 10) & 1u) << 11 | ((hw2 >> 12) & 7u) << 8 | (hw2 & 0xFFu);
    switch ((hw1 >> 4) & 0x1F) {
    case 0x00: if (rn == 15) return std::nullopt; return alu_imm(Op::Add, rd, rn, imm12); // ADDW
    case 0x0A: if (rn == 15) return std::nullopt; return alu_imm(Op::Sub, rd, rn, imm12); // SUBW
    case 0x04: { Op o; o.kind = Op::Const; o.rd = uint8_t(rd); o.imm = (hw1 & 0xFu) << 12 | imm12; return o; } // MOVW
    case 0x0C: { Op o; o.kind = Op::Movt; o.rd = uint8_t(rd); o.imm = (hw1 & 0xFu) << 12 | imm12; return o; }  // MOVT
    default: return std::nullopt;
    }
  }
  if ((hw1 & 0xFE00) == 0xEA00) { // data processing, shifted register
    uint8_t flags;
    auto op = dp_op((hw1 >> 5) & 0xF, rn, rd, s, &flags);
    unsigned type = (hw2 >> 4) & 3, imm5 = ((hw2 >> 12) & 7u) << 2 | ((hw2 >> 6) & 3u);
    if (!op || (rd == 15 && !(flags & 4)) || rm == 15 || rm == 13 || (type == 3 && imm5 == 0)) return std::nullopt;
    Op o = alu(*op, rd, rn, rm);
    o.shift = uint8_t(type);
    o.amount = uint8_t(type && imm5 == 0 ? 32 : imm5);
    o.flags = flags & 2 ? 8 : flags;
    return o;
  }
  if ((hw1 & 0xFF80) == 0xFA00 && (hw2 & 0xF0F0) == 0xF000) { // LSL/LSR/ASR/ROR by register
    static constexpr uint8_t ops[4] = {Op::Lsl, Op::Lsr, Op::Asr, Op::Ror};
    Op o = alu(ops[(hw1 >> 5) & 3], rd, rn, rm);
    o.shift_by_reg = true;
    o.flags = s ? 8 : 0;
    return o;
  }
  if ((hw1 & 0xFF8F) == 0xFA0F && (hw2 & 0xF0C0) == 0xF080) { // SXTH/UXTH/SXTB/UXTB (32-bit, rotated)
    unsigned which = (hw1 >> 4) & 7;
    static constexpr int ext[8] = {3, 1, -1, -1, 2, 0, -1, -1};
    if (ext[which] < 0) return std::nullopt;
    Op o;
    o.kind = Op::Extend;
    o.op = uint8_t(ext[which]);
    o.rd = uint8_t(rd);
    o.rm = uint8_t(rm);
    o.shift = uint8_t(((hw2 >> 4) & 3) * 8);
    return o;
  }
  if ((hw1 & 0xFFF0) == 0xFB00 && ((hw2 >> 4) & 0xF) <= 1) { // MUL/MLA/MLS
    unsigned ra = (hw2 >> 12) & 0xF;
    Op o;
    o.kind = Op::Mul;
    o.rd = uint8_t(rd);
    o.rn = uint8_t(rn);
    o.rm = uint8_t(rm);
    o.ra = uint8_t(ra);
    o.op = ((hw2 >> 4) & 1) ? 2 : ra == 15 ? 0 : 1;
    return o;
  }
  return std::nullopt;
}

/// Registers an operation reads (besides the flags of a predicated one).
uint16_t op_uses(const Op &o, const DecodedInsn &d) {
  switch (o.kind) {
  case Op::Const: return 0;
  case Op::Alu: {
    uint16_t u = 0;
    if (o.op != Op::Mov && o.op != Op::Mvn) u |= uint16_t(1u << o.rn);
    if (!o.b_imm) u |= uint16_t(1u << o.rm);
    return u;
  }
  case Op::Mul: return uint16_t(1u << o.rn | 1u << o.rm | (o.op ? 1u << o.ra : 0u));
  case Op::Extend: return uint16_t(1u << o.rm);
  case Op::Movt: return uint16_t(1u << o.rd);
  case Op::Divide: return uint16_t(1u << o.rn | 1u << o.rm);
  default: return d.uses; // loads and stores: address registers (and a store's data)
  }
}

bool cond_pass(unsigned cond, uint32_t nzcv) {
  const bool n = nzcv & 8, z = nzcv & 4, c = nzcv & 2, v = nzcv & 1;
  bool r;
  switch (cond >> 1) {
  case 0: r = z; break;
  case 1: r = c; break;
  case 2: r = n; break;
  case 3: r = v; break;
  case 4: r = c && !z; break;
  case 5: r = n == v; break;
  case 6: r = !z && n == v; break;
  default: return true;
  }
  return (cond & 1) ? !r : r;
}

/// Runs the program; false if a load could not be evaluated.
bool run(const DivideProgram &p, const CoreTiming &t, std::array<uint32_t, 16> &r, ReadMemory read, void *ctx, uint8_t *extra) {
  uint32_t nzcv = 0;
  struct Range {
    uint32_t lo, hi;
  };
  std::array<Range, 8> stores;
  unsigned n_stores = 0;
  for (const Op &o : p.ops) {
    if (o.cond != 0xE && !cond_pass(o.cond, nzcv)) continue;
    switch (o.kind) {
    case Op::Const: r[o.rd] = o.imm; break;
    case Op::Movt: r[o.rd] = (r[o.rd] & 0xFFFFu) | o.imm << 16; break;
    case Op::Alu: {
      const uint32_t a = r[o.rn];
      uint32_t b = o.b_imm ? o.imm : r[o.rm];
      if (!o.b_imm && !o.shift_by_reg) b = shift_value(b, o.shift, o.amount);
      uint32_t v = 0;
      switch (o.op) {
      case Op::And: v = a & b; break;
      case Op::Bic: v = a & ~b; break;
      case Op::Orr: v = a | b; break;
      case Op::Orn: v = a | ~b; break;
      case Op::Eor: v = a ^ b; break;
      case Op::Add: v = a + b; break;
      case Op::Sub: v = a - b; break;
      case Op::Rsb: v = b - a; break;
      case Op::Mov: v = b; break;
      case Op::Mvn: v = ~b; break;
      case Op::Lsl: v = shift_value(a, 0, b & 0xFF); break;
      case Op::Lsr: v = shift_value(a, 1, b & 0xFF); break;
      case Op::Asr: v = shift_value(a, 2, b & 0xFF); break;
      default: v = shift_value(a, 3, b & 0xFF); break;
      }
      if (o.flags & 1) {
        // Add/subtract flags: a + b, or a + ~b + 1 for a subtraction (b - a for RSB).
        uint32_t x = o.op == Op::Rsb ? b : a, y = o.op == Op::Rsb ? a : b;
        bool sub = o.op != Op::Add;
        uint64_t wide = uint64_t(x) + (sub ? uint64_t(~y) + 1 : uint64_t(y));
        uint32_t res = uint32_t(wide);
        bool c = sub ? x >= y : (wide >> 32) != 0;
        bool ov = sub ? ((x ^ y) & (x ^ res)) >> 31 : (~(x ^ y) & (x ^ res)) >> 31;
        nzcv = (res >> 31) << 3 | (res == 0 ? 4u : 0u) | (c ? 2u : 0u) | (ov ? 1u : 0u);
      } else if (o.flags & 2) {
        nzcv = (v >> 31) << 3 | (v == 0 ? 4u : 0u) | (nzcv & 3u);
      }
      if (!(o.flags & 4)) r[o.rd] = v;
      break;
    }
    case Op::Mul: {
      uint32_t v = r[o.rn] * r[o.rm];
      if (o.op == 1) v += r[o.ra];
      if (o.op == 2) v = r[o.ra] - v;
      if (o.flags & 2) nzcv = (v >> 31) << 3 | (v == 0 ? 4u : 0u) | (nzcv & 3u);
      r[o.rd] = v;
      break;
    }
    case Op::Extend: {
      uint32_t v = shift_value(r[o.rm], 3, o.shift);
      switch (o.op) {
      case 0: v &= 0xFF; break;
      case 1: v &= 0xFFFF; break;
      case 2: v = uint32_t(int32_t(int8_t(v & 0xFF))); break;
      default: v = uint32_t(int32_t(int16_t(v & 0xFFFF))); break;
      }
      r[o.rd] = v;
      break;
    }
    case Op::Store: {
      r[15] = o.pc;
      auto a = mem_access(o.hw1, o.hw2, r);
      if (!a) return false;
      if (n_stores == stores.size()) return false;
      stores[n_stores++] = {a->addr, a->addr + a->len};
      break;
    }
    case Op::Load: {
      r[15] = o.pc;
      auto a = mem_access(o.hw1, o.hw2, r);
      if (!a || a->write || (a->len != 1 && a->len != 2 && a->len != 4)) return false;
      for (unsigned i = 0; i < n_stores; ++i)
        if (a->addr < stores[i].hi && stores[i].lo < a->addr + a->len) return false; // written by the block
      auto v = read(ctx, a->addr, a->len);
      if (!v) return false;
      uint32_t x = *v;
      if (o.op == 1) x = a->len == 1 ? uint32_t(int32_t(int8_t(x))) : a->len == 2 ? uint32_t(int32_t(int16_t(x))) : x;
      r[o.rd] = x;
      break;
    }
    case Op::Divide: {
      uint32_t n = r[o.rn], d = r[o.rm];
      extra[o.site] = uint8_t(divide_cycles(t, n, d, o.op == 1) - t.div_min);
      if (d == 0) r[o.rd] = 0;
      else if (o.op == 1) r[o.rd] = (int32_t(n) == INT32_MIN && int32_t(d) == -1) ? n : uint32_t(int32_t(n) / int32_t(d));
      else r[o.rd] = n / d;
      break;
    }
    }
  }
  return true;
}
} // namespace

DivideProgram build_divide_program(const std::vector<DecodedInsn> &insns, const uint8_t *code, uint32_t addr,
                                   const CoreTiming &t, const std::array<uint32_t, 16> *entry, ReadMemory read, void *read_ctx) {
  DivideProgram p;
  size_t last = insns.size();
  for (size_t i = 0; i < insns.size() && i < 0xFF; ++i)
    if (insns[i].cls == InsnClass::Div) last = i;
  if (last == insns.size()) return p;

  uint16_t known = 0x7FFF; // r0-r14 at entry
  bool flags_known = false, mem_known = true;
  unsigned it_state = 0;   // ITSTATE: firstcond[3:0]:mask[3:0]
  for (size_t i = 0; i <= last; ++i) {
    const DecodedInsn &d = insns[i];
    uint16_t hw1, hw2 = 0;
    std::memcpy(&hw1, code + (d.addr - addr), 2);
    if (d.size == 4) std::memcpy(&hw2, code + (d.addr - addr) + 2, 2);
    const bool in_it = (it_state & 0xF) != 0;
    const unsigned cond = in_it ? (it_state >> 4) : 0xE;
    if (in_it) it_state = (it_state & 7) == 0 ? 0 : (it_state & 0xE0) | ((it_state << 1) & 0x1F);
    if (d.cls == InsnClass::It) {
      it_state = hw1 & 0xFF;
      continue;
    }
    auto op = decode(d, hw1, hw2, in_it);
    if (!op) {
      known &= uint16_t(~d.defs);
      flags_known = false;
      if (d.cls == InsnClass::StoreMultiple || d.cls == InsnClass::FpStore || d.cls == InsnClass::FpStoreMultiple) mem_known = false;
      if (d.cls == InsnClass::Div) p.sites.push_back(DivideSite{uint8_t(i), false, 0});
      continue;
    }
    op->cond = uint8_t(cond);
    uint16_t uses = op_uses(*op, d);
    uint16_t writes = d.defs & 0x7FFF;
    bool ok = (uses & ~known & 0x7FFF) == 0 && !(uses & 0x8000 && op->kind != Op::Load && op->kind != Op::Store);
    op->uses = uint16_t(uses & 0x7FFF);
    if (cond != 0xE) ok = ok && flags_known && (known & writes) == writes; // a skipped one keeps the old value
    if (op->kind == Op::Load) ok = ok && mem_known;
    if (op->kind == Op::Divide) {
      op->site = uint8_t(p.sites.size());
      p.sites.push_back(DivideSite{uint8_t(i), ok, 0});
    }
    if (!ok) {
      known &= uint16_t(~writes);
      if (op->flags) flags_known = false;
      if (op->kind == Op::Store) mem_known = false;
      continue;
    }
    p.ops.push_back(*op);
    known |= writes;
    if ((op->kind == Op::Load || op->kind == Op::Store) && d.writeback && d.base >= 0)
      known &= uint16_t(~(1u << d.base)); // base update not followed
    if (op->flags & 8) flags_known = false;
    else if (op->flags & 1) flags_known = true;
  }
  // Keep only the steps the exact divides depend on.
  {
    uint16_t need = 0;
    bool need_flags = false, need_mem = false;
    std::vector<OperandOp> kept;
    for (size_t k = p.ops.size(); k-- > 0;) {
      const Op &o = p.ops[k];
      bool keep = false;
      if (o.kind == Op::Divide) keep = true;
      else if (o.kind == Op::Store) keep = need_mem;
      else if (o.kind != Op::Store && (need >> o.rd & 1)) keep = true;
      if ((o.flags & 1) && need_flags) keep = true;
      if ((o.flags & 2) && need_flags) keep = true;
      if (!keep) continue;
      kept.push_back(o);
      if (o.kind != Op::Store && !(o.flags & 4) && o.cond == 0xE && !(o.kind == Op::Movt)) need &= uint16_t(~(1u << o.rd));
      if (o.flags & 1) need_flags = false;
      if (o.cond != 0xE) need_flags = true;
      if (o.kind == Op::Load) need_mem = true;
      uint16_t u = o.uses;
      if (o.cond != 0xE) u |= uint16_t(1u << o.rd);
      need |= u;
    }
    p.ops.assign(kept.rbegin(), kept.rend());
    p.entry_regs = 0;
    for (const Op &o : p.ops) p.entry_regs |= o.uses;
  }
  // Estimates: the first execution's values where the program follows the
  // operands; otherwise the registers at entry (the earlier rule).
  std::vector<uint8_t> first(p.sites.size(), 0);
  bool evaluated = false;
  if (entry) {
    std::array<uint32_t, 16> r = *entry;
    evaluated = run(p, t, r, read, read_ctx, first.data());
  }
  for (size_t k = 0; k < p.sites.size(); ++k) {
    DivideSite &s = p.sites[k];
    if (s.exact && evaluated) {
      s.estimate = first[k];
      continue;
    }
    uint16_t hw1, hw2;
    std::memcpy(&hw1, code + (insns[s.index].addr - addr), 2);
    std::memcpy(&hw2, code + (insns[s.index].addr - addr) + 2, 2);
    unsigned c = entry ? divide_cycles(t, (*entry)[hw1 & 0xF], (*entry)[hw2 & 0xF], (hw1 & 0xFFF0) == 0xFB90)
                       : (t.div_min + t.div_max) / 2u;
    s.estimate = uint8_t(c - t.div_min);
  }
  return p;
}

uint32_t evaluate_divides(const DivideProgram &p, const CoreTiming &t, std::array<uint32_t, 16> regs, ReadMemory read,
                          void *read_ctx, uint8_t *extra) {
  for (size_t k = 0; k < p.sites.size(); ++k) extra[k] = p.sites[k].exact ? p.sites[k].estimate : 0;
  if (!run(p, t, regs, read, read_ctx, extra)) {
    for (size_t k = 0; k < p.sites.size(); ++k) extra[k] = p.sites[k].exact ? p.sites[k].estimate : 0;
  }
  uint32_t sum = 0;
  for (size_t k = 0; k < p.sites.size(); ++k) sum += extra[k];
  return sum;
}

} // namespace mcusim::isa
