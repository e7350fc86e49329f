/// \file
/// LLVM MC disassembler set-up and the opcode-to-class mapping.
#include "isa/decoder.h"
#include "isa/opcode_table.h"
#include "isa/thumb.h"

#include <array>
#include <mutex>
#include <vector>

#include <llvm/MC/MCAsmInfo.h>
#include <llvm/MC/MCContext.h>
#include <llvm/MC/MCDisassembler/MCDisassembler.h>
#include <llvm/MC/MCInst.h>
#include <llvm/MC/MCInstrInfo.h>
#include <llvm/MC/MCRegisterInfo.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/MCTargetOptions.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/raw_ostream.h>

extern "C" void LLVMInitializeARMTargetInfo();
extern "C" void LLVMInitializeARMTargetMC();
extern "C" void LLVMInitializeARMDisassembler();

namespace mcusim::isa {

const char *class_name(InsnClass c) {
  static const char *names[] = {
      "alu", "alu-pc", "mul", "mac", "mul-long", "mac-long", "div", "dsp", "load", "load-literal", "load-pc", "load-dual",
      "store", "store-reg", "store-dual", "load-multiple", "pop-pc", "store-multiple", "branch", "cond-branch",
      "branch-link", "branch-reg", "table-branch", "it", "nop", "sleep", "barrier", "system", "fp-alu", "fp-alu-d",
      "fp-mac", "fp-mac-d", "fp-div", "fp-sqrt", "fp-div-d", "fp-load", "fp-load-d", "fp-store", "fp-load-multiple",
      "fp-store-multiple", "fp-mov-core", "fp-sys", "unknown", "unclassified"};
  static_assert(sizeof(names) / sizeof(names[0]) == size_t(InsnClass::kNumClasses));
  return names[size_t(c)];
}

InsnClass classify_opcode(std::string_view name) {
  const OpcodeClass *e = find_opcode_class(name);
  return e ? e->cls : InsnClass::Unclassified;
}

namespace {
// MCInstrDesc::TSFlags fields of the ARM target (llvm/lib/Target/ARM/MCTargetDesc/ARMBaseInfo.h,
// namespace ARMII; that header is not installed): the encoding form and the execution domain.
constexpr unsigned kFormShift = 7, kFormMask = 0x3f, kThumbFrm = 25;
constexpr unsigned kDomainShift = 15, kDomainMask = 0xf, kDomainVFP = 1, kDomainMVE = 8;

std::unique_ptr<llvm::MCInstrInfo> arm_instr_info() {
  std::string err;
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget("thumbv7em-none-eabi", err);
  return std::unique_ptr<llvm::MCInstrInfo>(t ? t->createMCInstrInfo() : nullptr);
}
void init_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeARMTargetInfo();
    LLVMInitializeARMTargetMC();
    LLVMInitializeARMDisassembler();
  });
}
} // namespace

std::vector<std::string> thumb_opcode_names() {
  init_llvm();
  std::vector<std::string> out;
  auto mii = arm_instr_info();
  if (!mii) return out;
  for (unsigned op = 0; op < mii->getNumOpcodes(); ++op) {
    const llvm::MCInstrDesc &d = mii->get(op);
    if (d.isPseudo()) continue;
    unsigned form = unsigned(d.TSFlags >> kFormShift) & kFormMask;
    unsigned domain = unsigned(d.TSFlags >> kDomainShift) & kDomainMask;
    if (domain & kDomainMVE) continue;
    std::string_view name(mii->getName(op).data(), mii->getName(op).size());
    // The two NEON-domain lane moves that VFPv2 and later have too (VMOV.32 Dd[x], Rt and back).
    bool vfp_lane_move = name == "VGETLNi32" || name == "VSETLNi32";
    if (form == kThumbFrm || (domain & kDomainVFP) || vfp_lane_move) out.emplace_back(name);
  }
  return out;
}

struct Decoder::Impl {
  std::string triple;
  std::unique_ptr<llvm::MCRegisterInfo> mri;
  std::unique_ptr<llvm::MCAsmInfo> mai;
  std::unique_ptr<llvm::MCSubtargetInfo> sti;
  std::unique_ptr<llvm::MCInstrInfo> mii;
  std::unique_ptr<llvm::MCContext> ctx;
  mutable std::unique_ptr<llvm::MCDisassembler> dis;
  const llvm::Target *target = nullptr;
  std::vector<int8_t> gpr;         // LLVM register number -> 0..15, or -1
  std::vector<InsnClass> classes;  // by opcode
  std::vector<uint8_t> list_words; // by opcode: words per listed register (VLDM/VSTM)
  unsigned pc_reg = 0;
};

Decoder::Decoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Decoder::~Decoder() = default;
const char *Decoder::triple() const { return impl_->triple.c_str(); }

Expected<std::unique_ptr<Decoder>> Decoder::create(CoreKind core) {
  init_llvm();
  auto impl = std::make_unique<Impl>();
  std::string cpu;
  switch (core) {
  case CoreKind::M0plus: impl->triple = "thumbv6m-none-eabi", cpu = "cortex-m0plus"; break;
  case CoreKind::M3: impl->triple = "thumbv7m-none-eabi", cpu = "cortex-m3"; break;
  case CoreKind::M4:
  case CoreKind::M4F: impl->triple = "thumbv7em-none-eabi", cpu = "cortex-m4"; break;
  case CoreKind::M7: impl->triple = "thumbv7em-none-eabi", cpu = "cortex-m7"; break;
  case CoreKind::M33: impl->triple = "thumbv8m.main-none-eabi", cpu = "cortex-m33"; break;
  }
  std::string err;
  impl->target = llvm::TargetRegistry::lookupTarget(impl->triple, err);
  if (!impl->target) return make_error(ErrorKind::Internal, "LLVM has no target for " + impl->triple + ": " + err);
  impl->mri.reset(impl->target->createMCRegInfo(impl->triple));
  llvm::MCTargetOptions opts;
  impl->mai.reset(impl->target->createMCAsmInfo(*impl->mri, impl->triple, opts));
  impl->sti.reset(impl->target->createMCSubtargetInfo(impl->triple, cpu, ""));
  impl->mii.reset(impl->target->createMCInstrInfo());
  if (!impl->mri || !impl->mai || !impl->sti || !impl->mii)
    return make_error(ErrorKind::Internal, "cannot set up the LLVM MC layer for " + cpu);
  impl->ctx = std::make_unique<llvm::MCContext>(llvm::Triple(impl->triple), impl->mai.get(), impl->mri.get(), impl->sti.get());
  impl->dis.reset(impl->target->createMCDisassembler(*impl->sti, *impl->ctx));
  if (!impl->dis) return make_error(ErrorKind::Internal, "LLVM has no disassembler for " + impl->triple);
  impl->gpr.assign(impl->mri->getNumRegs(), -1);
  static const char *names[16] = {"R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12", "SP", "LR", "PC"};
  for (unsigned r = 0; r < impl->mri->getNumRegs(); ++r) {
    std::string_view name = impl->mri->getName(r);
    for (int i = 0; i < 16; ++i)
      if (name == names[i]) impl->gpr[r] = int8_t(i);
    if (name == "PC") impl->pc_reg = r;
  }
  impl->classes.assign(impl->mii->getNumOpcodes(), InsnClass::Unclassified);
  impl->list_words.assign(impl->mii->getNumOpcodes(), 1);
  for (unsigned op = 0; op < impl->mii->getNumOpcodes(); ++op) {
    if (const OpcodeClass *e = find_opcode_class(std::string_view(impl->mii->getName(op)))) {
      impl->classes[op] = e->cls;
      impl->list_words[op] = e->words;
    }
  }
  return std::unique_ptr<Decoder>(new Decoder(std::move(impl)));
}

void Decoder::reset_it_state() const {
  impl_->dis.reset(impl_->target->createMCDisassembler(*impl_->sti, *impl_->ctx));
}

std::optional<DecodedInsn> Decoder::decode(const uint8_t *bytes, size_t avail, uint32_t addr) const {
  const Impl &m = *impl_;
  llvm::MCInst inst;
  uint64_t size = 0;
  auto status = m.dis->getInstruction(inst, size, llvm::ArrayRef<uint8_t>(bytes, avail), addr, llvm::nulls());
  if (status == llvm::MCDisassembler::Fail || size == 0) return std::nullopt;
  DecodedInsn d;
  d.addr = addr;
  d.size = uint8_t(size);
  unsigned opcode = inst.getOpcode();
  d.cls = m.classes[opcode];
  llvm::StringRef name = m.mii->getName(opcode);
  d.mnemonic = std::string_view(name.data(), name.size());
  const llvm::MCInstrDesc &desc = m.mii->get(opcode);
  unsigned fixed = desc.getNumOperands();
  unsigned ndefs = desc.getNumDefs();
  bool list_defs = d.cls == InsnClass::LoadMultiple || d.cls == InsnClass::FpLoadMultiple;
  bool has_pc = false;
  unsigned list_regs = 0;
  for (unsigned i = 0; i < inst.getNumOperands(); ++i) {
    const llvm::MCOperand &op = inst.getOperand(i);
    if (!op.isReg() || op.getReg() == 0) continue;
    int g = op.getReg() < m.gpr.size() ? m.gpr[op.getReg()] : -1;
    bool in_list = desc.isVariadic() && i + 1 >= fixed;
    if (in_list) ++list_regs;
    if (g < 0) continue;
    bool is_def = i < ndefs || (in_list && list_defs);
    if (is_def) {
      d.defs |= uint16_t(1u << g);
      if (d.dest < 0) d.dest = int8_t(g);
      if (g == 15) has_pc = true;
    } else {
      d.uses |= uint16_t(1u << g);
    }
  }
  if (desc.isVariadic()) d.regs = uint8_t(list_regs);
  d.regs = uint8_t(d.regs * m.list_words[opcode]); // VLDM/VSTM: words, not registers
  if (d.cls == InsnClass::LoadMultiple && has_pc) d.cls = InsnClass::PopPc;
  if (d.cls == InsnClass::Load && (d.defs & 0x8000)) d.cls = InsnClass::LoadPc;
  if (d.cls == InsnClass::Alu && (d.defs & 0x8000)) d.cls = InsnClass::AluPc;
  if (d.cls == InsnClass::Nop) {
    // HINT #2 WFE, #3 WFI
    for (unsigned i = 0; i < inst.getNumOperands(); ++i)
      if (inst.getOperand(i).isImm() && (inst.getOperand(i).getImm() == 2 || inst.getOperand(i).getImm() == 3)) {
        d.cls = InsnClass::Sleep;
        break;
      }
  }
  uint16_t hw1 = uint16_t(bytes[0] | bytes[1] << 8), hw2 = avail >= 4 ? uint16_t(bytes[2] | bytes[3] << 8) : 0;
  if (auto b = mem_base(hw1, hw2)) {
    d.base = int8_t(*b);
    d.writeback = d.defs & (1u << *b);
  }
  return d;
}

} // namespace mcusim::isa
