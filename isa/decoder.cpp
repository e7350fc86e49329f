/// \file
/// LLVM MC disassembler set-up and the opcode-to-class mapping.
#include "isa/decoder.h"
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
      "fp-store-multiple", "fp-mov-core", "fp-sys", "unknown"};
  static_assert(sizeof(names) / sizeof(names[0]) == size_t(InsnClass::kNumClasses));
  return names[size_t(c)];
}

namespace {
bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool has(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }
bool any_start(std::string_view s, std::initializer_list<std::string_view> ps) {
  for (auto p : ps)
    if (starts(s, p)) return true;
  return false;
}
} // namespace

InsnClass classify_opcode(std::string_view n) {
  using C = InsnClass;
  // Floating point (VFP): names start with V or FCONST.
  if (n == "FMSTAT") return C::FpSys;
  if (starts(n, "V") || starts(n, "FCONST")) {
    bool dbl = n.size() > 1 && (n.back() == 'D' || has(n, "DIA") || has(n, "DDB"));
    if (any_start(n, {"VDIV", "VSQRT"})) {
      if (dbl) return C::FpDivD;
      return starts(n, "VDIV") ? C::FpDiv : C::FpSqrt;
    }
    if (any_start(n, {"VFMA", "VFMS", "VFNMA", "VFNMS", "VMLA", "VMLS", "VNMLA", "VNMLS"})) return dbl ? C::FpMacD : C::FpMac;
    if (any_start(n, {"VLDM"})) return C::FpLoadMultiple;
    if (any_start(n, {"VSTM"})) return C::FpStoreMultiple;
    if (starts(n, "VLDR")) return (n == "VLDRD") ? C::FpLoadD : C::FpLoad;
    if (starts(n, "VSTR")) return C::FpStore;
    if (any_start(n, {"VMOVRRD", "VMOVDRR", "VMOVRRS", "VMOVSRR"})) return C::FpMovCore;
    if (any_start(n, {"VMRS", "VMSR"})) return C::FpSys;
    if (n == "VPUSH" || n == "VPOP") return starts(n, "VPUSH") ? C::FpStoreMultiple : C::FpLoadMultiple;
    return dbl ? C::FpAluD : C::FpAlu;
  }
  if (n == "t2SDIV" || n == "t2UDIV") return C::Div;
  if (any_start(n, {"t2SMULL", "t2UMULL"})) return C::MulLong;
  if (any_start(n, {"t2SMLAL", "t2UMLAL", "t2UMAAL", "t2SMLSLD"})) return C::MacLong;
  if (any_start(n, {"t2MLA", "t2MLS", "t2SMLA", "t2SMLS", "t2SMMLA", "t2SMMLS", "t2USADA8"})) return C::Mac;
  if (n == "tMUL" || any_start(n, {"t2MUL", "t2SMUL", "t2SMMUL", "t2SMUAD", "t2SMUSD"})) return C::Mul;
  if (n == "t2TBB" || n == "t2TBH") return C::TableBranch;
  if (n == "tBcc" || n == "t2Bcc" || n == "tCBZ" || n == "tCBNZ") return C::CondBranch;
  if (n == "tB" || n == "t2B") return C::Branch;
  if (n == "tBL" || n == "tBLXi") return C::BranchLink;
  if (n == "tBX" || n == "tBXNS" || n == "tBLXr" || n == "tBLXNSr" || n == "tBX_RET") return C::BranchReg;
  if (n == "tIT" || n == "t2IT") return C::It;
  if (n == "tSVC" || n == "tBKPT" || n == "tUDF" || n == "t2UDF" || n == "tCPS" || any_start(n, {"t2MRS", "t2MSR", "t2CPS"}))
    return C::System;
  if (any_start(n, {"t2DMB", "t2DSB", "t2ISB"})) return C::Barrier;
  if (n == "tHINT" || n == "t2HINT" || starts(n, "t2PLD") || starts(n, "t2PLI") || n == "tSETEND") return C::Nop;
  // Loads and stores.
  if (n == "tPOP" || any_start(n, {"tLDMIA", "t2LDMIA", "t2LDMDB"})) return C::LoadMultiple; // PopPc refined by operands
  if (n == "tPUSH" || any_start(n, {"tSTMIA", "t2STMIA", "t2STMDB"})) return C::StoreMultiple;
  if (starts(n, "t2LDRD")) return C::LoadDual;
  if (starts(n, "t2STRD")) return C::StoreDual;
  if (n == "tLDRpci" || n == "t2LDRpci" || has(n, "pci")) return C::LoadLiteral;
  if (starts(n, "tLDR") || starts(n, "t2LDR") || starts(n, "t2LDA") || starts(n, "t2LDREX") || starts(n, "t2LDAEX"))
    return C::Load;
  if (n == "tSTRr" || n == "tSTRBr" || n == "tSTRHr" || n == "t2STRs" || n == "t2STRBs" || n == "t2STRHs") return C::StoreReg;
  if (starts(n, "tSTR") || starts(n, "t2STR") || starts(n, "t2STL")) return C::Store;
  // DSP SIMD and saturating arithmetic.
  if (any_start(n, {"t2QADD", "t2QSUB", "t2QDADD", "t2QDSUB", "t2QASX", "t2QSAX", "t2SADD", "t2SSUB", "t2SASX", "t2SSAX",
                    "t2UADD", "t2USUB", "t2UASX", "t2USAX", "t2UQ", "t2UH", "t2SH", "t2SEL", "t2USAD8", "t2SSAT16",
                    "t2USAT16", "t2SXTAB16", "t2UXTAB16", "t2SXTB16", "t2UXTB16", "t2PKH"}))
    return C::Dsp;
  if (starts(n, "t") && !starts(n, "tInt") && !starts(n, "tPseudo")) return C::Alu;
  return C::Unknown;
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
  unsigned pc_reg = 0;
};

Decoder::Decoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Decoder::~Decoder() = default;
const char *Decoder::triple() const { return impl_->triple.c_str(); }

Expected<std::unique_ptr<Decoder>> Decoder::create(CoreKind core) {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeARMTargetInfo();
    LLVMInitializeARMTargetMC();
    LLVMInitializeARMDisassembler();
  });
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
  impl->classes.resize(impl->mii->getNumOpcodes());
  for (unsigned op = 0; op < impl->mii->getNumOpcodes(); ++op)
    impl->classes[op] = classify_opcode(std::string_view(impl->mii->getName(op)));
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
  d.mnemonic = std::string(m.mii->getName(opcode));
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
  if (d.cls == InsnClass::FpLoadMultiple || d.cls == InsnClass::FpStoreMultiple) {
    // Count words: double registers transfer two.
    bool dbl = d.mnemonic.find("D") != std::string::npos && d.mnemonic.find("DB") != d.mnemonic.find("D");
    if (d.mnemonic.rfind("VLDMD", 0) == 0 || d.mnemonic.rfind("VSTMD", 0) == 0) dbl = true;
    if (dbl) d.regs = uint8_t(d.regs * 2);
  }
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
