/// \file
/// Block pricing with the core tables (see docs/accuracy.md for the rules).
#include "isa/cycle_model.h"
#include "isa/thumb.h"

#include <algorithm>
#include <cstring>

namespace mcusim::isa {

namespace {
using C = InsnClass;
bool is_load(C c) { return c == C::Load || c == C::LoadLiteral; }
bool is_mem(C c) {
  switch (c) {
  case C::Load: case C::LoadLiteral: case C::LoadPc: case C::LoadDual: case C::Store: case C::StoreReg: case C::StoreDual:
  case C::LoadMultiple: case C::PopPc: case C::StoreMultiple: case C::TableBranch: case C::FpLoad: case C::FpLoadD:
  case C::FpStore: case C::FpLoadMultiple: case C::FpStoreMultiple:
    return true;
  default: return false;
  }
}
bool is_data_processing(C c) { return c == C::Alu || c == C::Mul || c == C::Mac || c == C::Dsp; }
bool has_reg_list(C c) {
  return c == C::LoadMultiple || c == C::PopPc || c == C::StoreMultiple || c == C::FpLoadMultiple || c == C::FpStoreMultiple;
}
/// Cortex-M7 dual issue: the classes that can share an issue cycle.
bool pairable(C c) {
  switch (c) {
  case C::Alu: case C::Mul: case C::Mac: case C::Dsp: case C::Load: case C::LoadLiteral: case C::Store: case C::Nop:
  case C::It: case C::FpAlu: case C::FpLoad: case C::FpStore:
    return true;
  default: return false;
  }
}
bool is_branch_end(C c) {
  switch (c) {
  case C::Branch: case C::CondBranch: case C::BranchLink: case C::BranchReg: case C::TableBranch: case C::PopPc:
  case C::LoadPc: case C::AluPc:
    return true;
  default: return false;
  }
}
} // namespace

Expected<std::unique_ptr<CycleModel>> CycleModel::create(const Device &device, const MemoryTiming &memory) {
  auto dec = Decoder::create(device.core);
  if (!dec) return tl::unexpected(dec.error());
  std::unique_ptr<CycleModel> m(new CycleModel());
  m->decoder_ = std::move(*dec);
  m->timing_ = &timing_for(device.core, device.small_multiplier);
  m->memory_ = &memory;
  return m;
}

std::vector<DecodedInsn> CycleModel::decode_block(const uint8_t *code, uint32_t addr, uint32_t size) const {
  std::vector<DecodedInsn> out;
  decoder_->reset_it_state();
  uint32_t off = 0;
  while (off + 2 <= size) {
    auto d = decoder_->decode(code + off, size - off, addr + off);
    if (!d) {
      DecodedInsn u;
      u.addr = addr + off;
      uint16_t hw;
      std::memcpy(&hw, code + off, 2);
      u.size = is32(hw) ? 4 : 2;
      u.cls = InsnClass::Unknown;
      d = u;
    }
    off += d->size;
    out.push_back(std::move(*d));
  }
  return out;
}

BlockCost CycleModel::price_block(const uint8_t *code, uint32_t addr, uint32_t size, const BlockContext &ctx) {
  BlockCost cost = scan_block(code, size);
  cost.fallthrough = addr + size;
  if (!code) {
    cost.cycles = cost.insns;
    return cost;
  }
  const CoreTiming &t = *timing_;
  auto insns = decode_block(code, addr, size);
  std::vector<uint16_t> prefix;
  prefix.reserve(insns.size());

  std::array<uint32_t, 16> regs{};
  if (ctx.regs) regs = *ctx.regs;
  uint32_t cycles = 0;
  uint64_t data_q8 = 0, q8_before = 0; // data-side extras (1/256 cycle) so far / before this instruction
  const DecodedInsn *prev = nullptr;
  bool prev_paired = false;
  for (const auto &d : insns) {
    unsigned c = t.cycles[d.cls];
    if (has_reg_list(d.cls)) c += t.per_reg * d.regs;
    bool paired = false;
    if (prev) {
      bool dep = d.uses & prev->defs;
      if (t.load_pipelining && is_load(prev->cls) && is_load(d.cls) && !(d.base >= 0 && (prev->defs >> d.base & 1)) && c > 1)
        c -= 1;
      if (t.agu_stall && is_data_processing(prev->cls) && is_mem(d.cls) && d.base >= 0 && (prev->defs >> d.base & 1)) c += 1;
      if (t.load_use_stall && is_load(prev->cls) && dep) c += t.load_use_stall;
      // Two load pipes and one store pipe: any pair but two stores.
      bool two_stores = !is_load(prev->cls) && is_mem(prev->cls) && !is_load(d.cls) && is_mem(d.cls);
      if (t.dual_issue && !prev_paired && pairable(prev->cls) && pairable(d.cls) && !dep && !two_stores && c <= 1) {
        c = 0;
        paired = true;
      }
    }
    // Data memory: estimate the address from the registers at block entry.
    if (is_mem(d.cls) && ctx.regs) {
      uint16_t hw1, hw2 = 0;
      std::memcpy(&hw1, code + (d.addr - addr), 2);
      if (d.size == 4) std::memcpy(&hw2, code + (d.addr - addr) + 2, 2);
      regs[15] = d.addr;
      if (auto a = mem_access(hw1, hw2, regs)) {
        data_q8 += memory_->data_extra_q8(a->addr, a->len, a->write);
        // The Cortex-M0+ I/O port: single-cycle loads and stores.
        if (t.single_cycle_io && (d.cls == InsnClass::Load || d.cls == InsnClass::Store || d.cls == InsnClass::StoreReg) &&
            memory_->is_single_cycle_io(a->addr))
          c = 1;
        if (d.cls == InsnClass::LoadLiteral && d.dest >= 0 && ctx.read32) {
          if (auto v = ctx.read32(a->addr)) regs[size_t(d.dest)] = *v; // a pointer loaded from a literal pool
        }
      }
    }
    prefix.push_back(uint16_t(std::min<uint64_t>(cycles + (q8_before + 128) / 256, 0xFFFF)));
    q8_before = data_q8;
    cycles += c;
    prev = &d;
    prev_paired = paired;
  }
  cycles += uint32_t((data_q8 + 128) / 256);

  // Divides: operand-dependent. The block's data flow up to its last divide
  // is kept as a program the run loop evaluates from the registers at entry
  // on every execution (isa/divide_operands.h). A divide whose operands the
  // program cannot follow is charged its estimate here, once.
  DivideProgram divides;
  if (cost.flags & kBlockHasDiv) {
    struct Reader {
      static std::optional<uint32_t> read(void *c, uint32_t a, unsigned len) {
        const auto &ctx = *static_cast<const BlockContext *>(c);
        if (!ctx.read32) return std::nullopt;
        auto lo = ctx.read32(a & ~3u);
        if (!lo) return std::nullopt;
        uint64_t w = *lo;
        if ((a & 3) + len > 4) {
          auto hi = ctx.read32((a & ~3u) + 4);
          if (!hi) return std::nullopt;
          w |= uint64_t(*hi) << 32;
        }
        w >>= 8 * (a & 3);
        return uint32_t(len == 4 ? w : w & ((1ull << (8 * len)) - 1));
      }
    };
    divides = build_divide_program(insns, code, addr, t, ctx.regs, &Reader::read, const_cast<BlockContext *>(&ctx));
    for (const DivideSite &site : divides.sites) {
      if (site.exact) {
        cost.div_flags |= kDivDynamic;
        continue;
      }
      cycles += site.estimate;
      for (size_t j = size_t(site.index) + 1; j < prefix.size(); ++j) prefix[j] = uint16_t(std::min<uint32_t>(prefix[j] + site.estimate, 0xFFFF));
    }
  }

  // The final branch: taken or not is known only when the next block starts.
  if (!insns.empty() && insns.back().cls == InsnClass::CondBranch) {
    const auto &b = insns.back();
    uint16_t hw1, hw2 = 0;
    std::memcpy(&hw1, code + (b.addr - addr), 2);
    if (b.size == 4) std::memcpy(&hw2, code + (b.addr - addr) + 2, 2);
    auto target = cond_branch_target(hw1, hw2, b.addr);
    if (t.predict_backward_taken) {
      bool backward = target && *target <= b.addr;
      if (backward) cost.fallthrough_extra = t.mispredict_penalty;
      else cost.taken_extra = t.mispredict_penalty;
    } else {
      cost.taken_extra = t.branch_refill;
    }
  }
  (void)is_branch_end;

  // Instruction fetch from flash.
  if (memory_->is_flash(addr) && memory_->flash_ws() > 0) {
    unsigned line = memory_->fetch_line_bytes();
    uint32_t first = addr / line, last = (addr + size - 1) / line;
    unsigned lines = last - first + 1;
    if (memory_->icache()) {
      cost.flags |= kBlockFetchLines;
      cost.first_line = first;
      cost.lines = uint16_t(lines);
      cost.line_miss = uint16_t(memory_->line_fetch_stall());
    } else {
      unsigned ws = memory_->flash_ws();
      unsigned stall = ws; // the entry line: a non-sequential fetch
      if (lines > 1) {
        unsigned per_line = cycles / lines;
        unsigned seq = memory_->prefetch() ? (ws + 1 > per_line ? ws + 1 - per_line : 0) : ws;
        stall += seq * (lines - 1);
      }
      cycles += stall;
      for (auto &p : prefix) p = uint16_t(std::min<uint32_t>(p + stall, 0xFFFF)); // fetch stalls come first
    }
  }
  cost.cycles = cycles;
  prefix.push_back(uint16_t(std::min<uint32_t>(cycles, 0xFFFF))); // the end of the last instruction
  cost.prefix = uint32_t(prefixes_.size());
  prefixes_.push_back(std::move(prefix));
  divides_.push_back(std::move(divides));
  return cost;
}

} // namespace mcusim::isa
