/// \file
/// Timing tables per core. Figures from ../shared/reference/figures.md
/// (section 1) and the documents it cites; where a figure is approximated,
/// docs/accuracy.md says so.
#include "isa/core_timing.h"

#include <bit>

namespace mcusim::isa {

namespace {
// Row references are to ../shared/reference/figures.md ("1.2 MLA" = section 1.2,
// row MLA); tags as there. A figure with no row says where it comes from.

// Cortex-M0+: Cortex-M0+ TRM DDI0484C Table 3.1 (2-stage pipeline).
constexpr CoreTiming kM0plus = {
    .name = "cortex-m0plus",
    .source =
        "Cortex-M0+ TRM DDI0484C Table 3.1 (figures.md 1.1): ALU 1, MOV/ADD PC 2, MULS 1 or 32, loads/stores 2, "
        "B 2, Bcc 1 (+1 taken), BL 3, BX/BLX 2, LDM/STM/PUSH/POP 1+N, POP {PC} 3+N; DMB/DSB/ISB 3, MRS/MSR 3 "
        "(TRM table, [UNVERIFIED] rows); exception entry 15 cycles (DDI0484C 3.6.1)",
    .cycles =
        {
            .alu = 1,            // 1.1 ALU ops: 1 [ARM-DOC]
            .alu_pc = 2,         // 1.1 MOV PC,Rm / ADD PC,PC,Rm: 2 [ARM-DOC]
            .mul = 1,            // 1.1 MULS: 1 (fast multiplier; 32 with the small one, below) [ARM-DOC]
            .mac = 1,            // Armv6-M has no MLA/long multiplies/divide/DSP: never decoded
            .mul_long = 1,       //   (idem)
            .mac_long = 1,       //   (idem)
            .div = 1,            //   (idem)
            .dsp = 1,            //   (idem)
            .load = 2,           // 1.1 LDR/LDRH/LDRB/LDRSH/LDRSB: "2 or 1" (1 on the I/O port, single_cycle_io) [ARM-DOC]
            .load_literal = 2,   // 1.1 LDR (literal is an immediate-offset LDR): 2 [ARM-DOC]
            .load_pc = 4,        // no Armv6-M LDR writes the PC (only POP {PC}, priced as pop_pc)
            .load_dual = 1,      // no LDRD on Armv6-M
            .store = 2,          // 1.1 STR family: 2 [UNVERIFIED]
            .store_reg = 2,      // 1.1 STR family (register offset): 2 [UNVERIFIED]
            .store_dual = 1,     // no STRD on Armv6-M
            .load_multiple = 1,  // 1.1 LDM/POP: 1+N [UNVERIFIED]
            .pop_pc = 3,         // 1.1 POP {..,PC}: 3+N [UNVERIFIED]
            .store_multiple = 1, // 1.1 STM/PUSH: 1+N [UNVERIFIED]
            .branch = 2,         // 1.1 B: 2 [UNVERIFIED]
            .cond_branch = 1,    // 1.1 B<cond> not taken 1 (taken 2: branch_refill) [UNVERIFIED]
            .branch_link = 3,    // 1.1 BL: 3 [UNVERIFIED]
            .branch_reg = 2,     // 1.1 BX/BLX: 2 [UNVERIFIED]
            .table_branch = 1,   // no TBB/TBH on Armv6-M
            .it = 1,             // no IT on Armv6-M
            .nop = 1,            // NOP/YIELD/SEV: 1 (DDI0484C Table 3.1; not in figures.md)
            .sleep = 1,          // WFI/WFE issue; the sleep itself is timed by the run loop
            .barrier = 3,        // DMB/DSB/ISB: 3 (DDI0484C Table 3.1 [UNVERIFIED] row, not in figures.md)
            .system = 3,         // MRS/MSR: 3 (DDI0484C Table 3.1 [UNVERIFIED] row, not in figures.md)
            .fp_alu = 1,         // no FPU on the Cortex-M0+: never decoded
            .fp_alu_d = 1,       //   (idem)
            .fp_mac = 1,         //   (idem)
            .fp_mac_d = 1,       //   (idem)
            .fp_div = 1,         //   (idem)
            .fp_sqrt = 1,        //   (idem)
            .fp_div_d = 1,       //   (idem)
            .fp_load = 1,        //   (idem)
            .fp_load_d = 1,      //   (idem)
            .fp_store = 1,       //   (idem)
            .fp_load_multiple = 1,  // (idem)
            .fp_store_multiple = 1, // (idem)
            .fp_mov_core = 1,    //   (idem)
            .fp_sys = 1,         //   (idem)
            .unknown = 1,        // undecodable bytes: one cycle (they fault when executed)
            .unclassified = 1,   // an opcode missing from opcode_classes.def (a test failure)
        },
    .per_reg = 1,                // 1.1 LDM/STM/PUSH/POP: +1 per register (the N of 1+N) [UNVERIFIED]
    .branch_refill = 1,          // 1.1 B<cond> taken 2 = not taken 1 + 1 [UNVERIFIED]
    .load_pipelining = false,    // 2-stage pipeline, no load/store pipelining (1.1 Pipeline [VENDOR])
    .agu_stall = false,          //   (idem)
    .load_use_stall = 0,         //   (idem)
    .dual_issue = false,         // single issue
    .predict_backward_taken = false, // no branch prediction
    .mispredict_penalty = 0,     //   (idem)
    .div_min = 1,                // no divider on Armv6-M
    .div_max = 1,                //   (idem)
    .div_bits_per_cycle = 1,     //   (idem)
    .exc_entry = 15,             // 1.1 worst-case interrupt latency: 15 [ARM-DOC] (DDI0484C 3.6.1)
    .exc_exit = 10,              // as the M3/M4 exit (1.3 exception timing) -- no M0+ figure in figures.md
    .tail_chain = 6,             // as the M3/M4 tail-chain (1.3 exception timing [2ND]) -- no M0+ figure
    .fp_frame_extra = 0,         // no FPU
    .single_cycle_io = true,     // 1.1 loads/stores "2 or 1": 1 on the single-cycle I/O port [UNVERIFIED]
};

// Cortex-M3: TRM DDI0337 Table 3-1 and "Load/store timings" (figures.md 1.2).
constexpr CoreTiming kM3 = {
    .name = "cortex-m3",
    .source =
        "Cortex-M3 TRM DDI0337 Table 3-1 and load/store timings (figures.md 1.2): ALU 1, MUL 1, MLA/MLS 2, "
        "SMULL/UMULL 3-5 (3 used), SMLAL/UMLAL 4-7 (4 used), SDIV/UDIV 2-12, LDR 2 pipelined, STR 1 (write buffer), "
        "STR register offset 2, LDM/STM 1+N, branch 1+P with P = 2, LDR PC 5, TBB/TBH 6; exception entry 12, "
        "exit 10, tail-chain 6 (Arm KA 103489845)",
    .cycles =
        {
            .alu = 1,            // 1.2 data processing, MOV/MOVW/MOVT, shifts, logic, CMP: 1 [ARM-DOC]
            .alu_pc = 3,         // 1.2 MOV PC / ADD PC: 1+P with P = 2 (P = 1..3) [ARM-DOC]
            .mul = 1,            // 1.2 MUL: 1 [ARM-DOC]
            .mac = 2,            // 1.2 MLA, MLS: 2 [ARM-DOC]
            .mul_long = 3,       // 1.2 SMULL, UMULL: 3-5, the lower bound used [ARM-DOC]
            .mac_long = 4,       // 1.2 SMLAL, UMLAL: 4-7, the lower bound used [ARM-DOC]
            .div = 2,            // 1.2 SDIV, UDIV: 2-12; the base, operands add the rest (divide_cycles) [ARM-DOC]
            .dsp = 1,            // Armv7-M has no DSP extension: never decoded
            .load = 2,           // 1.2 LDR/STR single: 2, pipelined (load_pipelining) [ARM-DOC]
            .load_literal = 2,   // 1.2 LDR/STR single: 2 ("LDR Rx,[PC,#imm] may add a cycle": not added) [ARM-DOC]
            .load_pc = 5,        // 1.2 LDR PC,[..]: >= 5 (2 load + 3 refill) [ARM-DOC]
            .load_dual = 3,      // LDRD: 1+N with N = 2 words, as LDM (1.2 "LDRD/STRD do not pipeline") [ARM-DOC]
            .store = 1,          // 1.2 STR Rx,[Ry,#imm]: effectively 1 (write buffer) [ARM-DOC]
            .store_reg = 2,      // 1.2 STR with register offset: 2, nothing pipelines after it [ARM-DOC]
            .store_dual = 3,     // STRD: 1+N with N = 2 words, as STM (1.2) [ARM-DOC]
            .load_multiple = 1,  // 1.2 LDM/POP: 1+N [ARM-DOC]
            .pop_pc = 3,         // 1.2 POP with PC: 1+N+P, P = 2 [ARM-DOC]
            .store_multiple = 1, // 1.2 STM/PUSH: 1+N [ARM-DOC]
            .branch = 3,         // 1.2 branch taken: 1+P, P = 2 [ARM-DOC]
            .cond_branch = 1,    // 1.2 branch not taken: 1 (taken adds branch_refill) [ARM-DOC]
            .branch_link = 3,    // 1.2 branch taken (BL): 1+P, P = 2 [ARM-DOC]
            .branch_reg = 3,     // 1.2 branch taken (BX/BLX): 1+P, P = 2 [ARM-DOC]
            .table_branch = 6,   // 1.2 TBB/TBH: >= 6 (2 load + 1 add + 3 refill) [ARM-DOC]
            .it = 0,             // IT folded into the next instruction (1.3 IT [2ND]; same pipeline as the M4)
            .nop = 1,            // 1.2 data processing: 1 [ARM-DOC]
            .sleep = 1,          // WFI/WFE issue; the sleep itself is timed by the run loop
            .barrier = 1,        // 1.2 DMB/DSB/ISB: 1+B, B = 0 used [ARM-DOC]
            .system = 1,         // MRS/MSR/CPS/SVC: 1 (DDI0337 Table 3-1; not in figures.md)
            .fp_alu = 1,         // no FPU on the Cortex-M3: never decoded
            .fp_alu_d = 1,       //   (idem)
            .fp_mac = 1,         //   (idem)
            .fp_mac_d = 1,       //   (idem)
            .fp_div = 1,         //   (idem)
            .fp_sqrt = 1,        //   (idem)
            .fp_div_d = 1,       //   (idem)
            .fp_load = 1,        //   (idem)
            .fp_load_d = 1,      //   (idem)
            .fp_store = 1,       //   (idem)
            .fp_load_multiple = 1,  // (idem)
            .fp_store_multiple = 1, // (idem)
            .fp_mov_core = 1,    //   (idem)
            .fp_sys = 1,         //   (idem)
            .unknown = 1,        // undecodable bytes: one cycle (they fault when executed)
            .unclassified = 1,   // an opcode missing from opcode_classes.def (a test failure)
        },
    .per_reg = 1,                // 1.2 LDM/STM/PUSH/POP: the N of 1+N [ARM-DOC]
    .branch_refill = 2,          // 1.2 branch taken: 1+P, P = 2 [ARM-DOC]
    .load_pipelining = true,     // 1.2 load/store pipelining rules: "LDR;LDR = 3" [ARM-DOC]
    .agu_stall = true,           // 1.2 address from the preceding data-processing result: +1 [ARM-DOC]
    .load_use_stall = 0,         // not in the M3 rules
    .dual_issue = false,         // single issue
    .predict_backward_taken = false, // no branch prediction
    .mispredict_penalty = 0,     //   (idem)
    .div_min = 2,                // 1.2 SDIV, UDIV: 2-12 [ARM-DOC]
    .div_max = 12,               //   (idem)
    .div_bits_per_cycle = 3,     // early termination: 2 + ceil(quotient bits / 3) reaches 12 at 32 bits [DERIVED]
    .exc_entry = 12,             // 1.3 M3/M4 exception timing: entry 12 [ARM-DOC]
    .exc_exit = 10,              // 1.3 M3/M4 exception timing: exit 10 [ARM-DOC]
    .tail_chain = 6,             // 1.3 M3/M4 exception timing: tail-chaining 6 [2ND]
    .fp_frame_extra = 0,         // no FPU
    .single_cycle_io = false,    // no I/O port
};

// Cortex-M4/M4F: TRM 100166 Table 3-1, FPU table (TI SWCU192 Table 3-27) (figures.md 1.3).
constexpr CoreTiming kM4 = {
    .name = "cortex-m4",
    .source =
        "Cortex-M4 TRM 100166_0001_00 Table 3-1 (figures.md 1.3): single-cycle MUL/MAC/long multiplies and DSP SIMD, "
        "SDIV/UDIV 2-12, load/store pipelining as the M3, branch 1+P with P = 2, IT folded; FPv4-SP (SWCU192 "
        "Table 3-27): VADD/VMUL 1, VMLA/VFMA 3, VDIV/VSQRT 14, VLDR 2 (double 3), VLDM 1+N, VMOV two core regs 2; "
        "exception entry 12 (+17 FP frame), exit 10, tail-chain 6 (Arm KA 103489845)",
    .cycles =
        {
            .alu = 1,            // 1.2 data processing: 1 [ARM-DOC] (1.3: as the M3)
            .alu_pc = 3,         // 1.3 MOV PC: 1+P, P = 2 (P = 1..3) [ARM-DOC]
            .mul = 1,            // 1.3 MUL: 1 [ARM-DOC]
            .mac = 1,            // 1.3 MLA, MLS: 1 [ARM-DOC]
            .mul_long = 1,       // 1.3 SMULL, UMULL: 1 [ARM-DOC]
            .mac_long = 1,       // 1.3 SMLAL, UMLAL: 1 [ARM-DOC]
            .div = 2,            // 1.3 SDIV, UDIV: 2-12; the base, operands add the rest [ARM-DOC]
            .dsp = 1,            // 1.3 SSAT/USAT, DSP SIMD: 1 [ARM-DOC]
            .load = 2,           // 1.3 LDR: 2, same pipelining rules as M3 [ARM-DOC]
            .load_literal = 2,   // 1.3 LDR: 2 [ARM-DOC]
            .load_pc = 5,        // 1.2 LDR PC,[..]: >= 5 (M4 text identical) [ARM-DOC]
            .load_dual = 3,      // LDRD: 1+N with N = 2 words (1.2 "LDRD/STRD do not pipeline") [ARM-DOC]
            .store = 1,          // 1.2 STR Rx,[Ry,#imm]: effectively 1 (M4 text identical) [ARM-DOC]
            .store_reg = 2,      // 1.2 STR with register offset: 2 [ARM-DOC]
            .store_dual = 3,     // STRD: 1+N with N = 2 words [ARM-DOC]
            .load_multiple = 1,  // 1.3 LDM: 1+N [ARM-DOC]
            .pop_pc = 3,         // 1.2 POP with PC: 1+N+P, P = 2 [ARM-DOC]
            .store_multiple = 1, // 1.3 STM: 1+N [ARM-DOC]
            .branch = 3,         // 1.3 branch taken: 1+P, P = 2 [ARM-DOC]
            .cond_branch = 1,    // 1.3 branch not taken: 1 (taken adds branch_refill) [ARM-DOC]
            .branch_link = 3,    // 1.3 BL: 1+P, P = 2 [ARM-DOC]
            .branch_reg = 3,     // 1.3 BX: 1+P, P = 2 [ARM-DOC]
            .table_branch = 6,   // 1.2 TBB/TBH: >= 6 [ARM-DOC]
            .it = 0,             // 1.3 IT instruction: folded [2ND]
            .nop = 1,            // data processing: 1 [ARM-DOC]
            .sleep = 1,          // WFI/WFE issue; the sleep itself is timed by the run loop
            .barrier = 1,        // 1.2 DMB/DSB/ISB: 1+B, B = 0 used [ARM-DOC]
            .system = 1,         // MRS/MSR/CPS/SVC: 1 (TRM Table 3-1; not in figures.md)
            .fp_alu = 1,         // 1.3 FPU VABS/VNEG/VADD/VSUB/VMUL/VNMUL/VCMP/VCVT: 1; VMOV imm/float: 1 [ARM-DOC]
            .fp_alu_d = 1,       // FPv4-SP has no double precision: never decoded
            .fp_mac = 3,         // 1.3 FPU VMLA/VMLS/VNMLA/VNMLS and VFMA/VFMS/VFNMA/VFNMS: 3 [ARM-DOC]
            .fp_mac_d = 1,       // FPv4-SP has no double precision: never decoded
            .fp_div = 14,        // 1.3 FPU VDIV.F32: 14 [ARM-DOC]
            .fp_sqrt = 14,       // 1.3 FPU VSQRT.F32: 14 [UNVERIFIED]
            .fp_div_d = 1,       // FPv4-SP has no double precision: never decoded
            .fp_load = 2,        // 1.3 FPU VLDR single: 2 [ARM-DOC]
            .fp_load_d = 3,      // 1.3 FPU VLDR double: 3 [ARM-DOC]
            .fp_store = 2,       // VSTR: 2, as VLDR single (SWCU192 Table 3-27; row not in figures.md)
            .fp_load_multiple = 1,  // 1.3 FPU VLDM/VPOP: 1+N (doubles 1+2N) [ARM-DOC]
            .fp_store_multiple = 1, // VSTM/VPUSH: 1+N, as VLDM (SWCU192 Table 3-27; row not in figures.md)
            .fp_mov_core = 2,    // 1.3 FPU VMOV two floats / one double <-> two core regs: 2 [ARM-DOC]
            .fp_sys = 1,         // 1.3 FPU VMRS/VMSR: 1 [ARM-DOC]
            .unknown = 1,        // undecodable bytes: one cycle (they fault when executed)
            .unclassified = 1,   // an opcode missing from opcode_classes.def (a test failure)
        },
    .per_reg = 1,                // 1.3 LDM/STM: the N of 1+N [ARM-DOC]
    .branch_refill = 2,          // 1.3 branch taken: 1+P, P = 2 [ARM-DOC]
    .load_pipelining = true,     // 1.2 load/store pipelining rules ("the M4 TRM text is identical") [ARM-DOC]
    .agu_stall = true,           // 1.2 address from the preceding data-processing result: +1 [ARM-DOC]
    .load_use_stall = 0,         // not in the M4 rules
    .dual_issue = false,         // 1.3 "M4 supports only IT folding, no other dual issue" [2ND]
    .predict_backward_taken = false, // no branch prediction
    .mispredict_penalty = 0,     //   (idem)
    .div_min = 2,                // 1.3 SDIV, UDIV: 2-12 [ARM-DOC]
    .div_max = 12,               //   (idem)
    .div_bits_per_cycle = 3,     // early termination: 2 + ceil(quotient bits / 3) reaches 12 at 32 bits [DERIVED]
    .exc_entry = 12,             // 1.3 M3/M4 exception timing: entry 12 [ARM-DOC]
    .exc_exit = 10,              // 1.3 M3/M4 exception timing: exit 10 [ARM-DOC]
    .tail_chain = 6,             // 1.3 M3/M4 exception timing: tail-chaining 6 [2ND]
    .fp_frame_extra = 17,        // 1.3 M3/M4 exception timing: +17 with the FP frame [ARM-DOC]
    .single_cycle_io = false,    // no I/O port
};

// Cortex-M7: no public cycle table; LLVM ARMScheduleM7.td and ST/Arm material (figures.md 1.4, 1.7).
constexpr CoreTiming kM7 = {
    .name = "cortex-m7",
    .source =
        "No Arm cycle table exists for the Cortex-M7 (figures.md 1.4); approximated from LLVM ARMScheduleM7.td "
        "(figures.md 1.7): dual issue of simple instructions, loads 1 with a 1-cycle load-use stall, stores 1, "
        "MUL/MAC 1 issue, DIV 7 fixed per LLVM (2-12 early-terminating used here, as M4), branch prediction "
        "approximated as backward-taken/forward-not-taken with a 4-cycle mispredict penalty (LLVM "
        "MispredictPenalty); a register branch (BX, BLX Rm) cannot be predicted statically and costs 1 + that "
        "penalty; FP ALU/MUL 1 issue, VMLA/VFMA 3, VDIV/VSQRT 16 (double 30); exception entry 12 "
        "[UNVERIFIED]",
    // Every figure here is an approximation: figures.md 1.4 "Arm publishes no per-instruction cycle
    // table for the M7"; LLVM's model (1.7) gives latencies, mcusim prices issue cycles.
    .cycles =
        {
            .alu = 1,            // 1.7 ARMScheduleM7: ALU 1 (2 ALUs) [CODE]
            .alu_pc = 4,         // a PC write is an unpredicted branch: 1 + 1.7 mispredict penalty 4 [CODE]
            .mul = 1,            // 1.7 MUL/MAC latency 2, issue 1 [CODE]
            .mac = 1,            //   (idem)
            .mul_long = 1,       //   (idem)
            .mac_long = 1,       //   (idem)
            .div = 2,            // 1.7 DIV 7 in LLVM; 2-12 early-terminating used, as the M4 (see source) [CODE]
            .dsp = 1,            // 1.7 SIMD ops latency 1-2, issue 1 [CODE]
            .load = 1,           // 1.7 loads 1 (+ load_use_stall) [CODE]
            .load_literal = 1,   //   (idem)
            .load_pc = 4,        // a load of the PC: unpredicted, 1.7 mispredict penalty 4 [CODE]
            .load_dual = 2,      // 1.7 LDRD single-issue: 2 words [CODE]
            .store = 1,          // 1.7 stores (latency 2) issue 1 [CODE]
            .store_reg = 1,      //   (idem)
            .store_dual = 2,     // 1.7 STRD single-issue: 2 words [CODE]
            .load_multiple = 1,  // 1.7 LDM/STM single-issue: 1+N [CODE]
            .pop_pc = 2,         // POP {PC}: 1+N + 1, predicted return (1.4 BTAC) [VENDOR]
            .store_multiple = 1, // 1.7 LDM/STM single-issue: 1+N [CODE]
            .branch = 1,         // 1.4 BTAC single-cycle branch prediction [VENDOR]
            .cond_branch = 1,    // 1.4 loop branch cost cut to 1 by prediction (mispredict below) [VENDOR][2ND]
            .branch_link = 1,    // 1.4 BTAC single-cycle branch prediction [VENDOR]
            .branch_reg = 5,     // not statically predictable: 1 + 1.7 mispredict penalty 4 [CODE]
            .table_branch = 5,   // 1.7 TBB/TBH single-issue, target not predicted: 1 + penalty 4 [CODE]
            .it = 0,             // folded / dual issued (1.7 IT pairs) [CODE]
            .nop = 1,            // 1.7 ALU 1 [CODE]
            .sleep = 1,          // WFI/WFE issue; the sleep itself is timed by the run loop
            .barrier = 2,        // [UNVERIFIED] no source: pipeline drain approximated as 2
            .system = 2,         // [UNVERIFIED] no source: approximated as 2
            .fp_alu = 1,         // 1.7 FP ALU latency 3, issue 1 [CODE]
            .fp_alu_d = 2,       // 1.7 FP ALU D latency 4: issue 2 approximated [CODE]
            .fp_mac = 3,         // as the M4 VMLA/VFMA 3 (1.3); LLVM 1.7 gives latency 6 (fused 5) [ARM-DOC][CODE]
            .fp_mac_d = 6,       // 1.7 FP MAC D latency 11: issue 6 approximated [CODE]
            .fp_div = 16,        // 1.7 VDIV 16 [CODE]
            .fp_sqrt = 16,       // 1.7 VSQRT 16 [CODE]
            .fp_div_d = 30,      // 1.7 VDIV/VSQRT D 30 [CODE]
            .fp_load = 1,        // 1.7 loads 1 [CODE]
            .fp_load_d = 2,      // 64-bit load: 2 words [CODE]
            .fp_store = 1,       // 1.7 stores issue 1 [CODE]
            .fp_load_multiple = 1,  // 1.7 LDM/STM single-issue: 1+N [CODE]
            .fp_store_multiple = 1, //   (idem)
            .fp_mov_core = 1,    // 1.7 FP MOV 1 [CODE]
            .fp_sys = 1,         // VMRS/VMSR: 1 [UNVERIFIED]
            .unknown = 1,        // undecodable bytes: one cycle (they fault when executed)
            .unclassified = 1,   // an opcode missing from opcode_classes.def (a test failure)
        },
    .per_reg = 1,                // 1.7 LDM/STM: the N of 1+N [CODE]
    .branch_refill = 4,          // 1.7 MispredictPenalty 4 (forward really 6 per the comment) [CODE]
    .load_pipelining = false,    // dual issue covers it (two load pipes, 1.4 Execution units) [VENDOR]
    .agu_stall = false,          // no rule for the M7
    .load_use_stall = 1,         // 1.7 LoadLatency 2 (best-case load-use): 1 stall cycle [CODE]
    .dual_issue = true,          // 1.4 dual-issue superscalar [VENDOR]; 1.7 issue width 2 [CODE]
    .predict_backward_taken = true, // 1.4 BTAC approximated as backward-taken/forward-not-taken [VENDOR]
    .mispredict_penalty = 4,     // 1.7 MispredictPenalty 4 [CODE]
    .div_min = 2,                // as the M4 (1.3 SDIV 2-12 [ARM-DOC]); LLVM says 7 (1.7)
    .div_max = 12,               //   (idem)
    .div_bits_per_cycle = 3,     // as the M4 [DERIVED]
    .exc_entry = 12,             // 1.4 interrupt latency: "12 cycles" claims are unsourced [UNVERIFIED]
    .exc_exit = 10,              // as the M4 (1.3) [UNVERIFIED] for the M7
    .tail_chain = 6,             // as the M4 (1.3) [UNVERIFIED] for the M7
    .fp_frame_extra = 17,        // as the M4 (1.3) [UNVERIFIED] for the M7
    .single_cycle_io = false,    // no I/O port
};

// Cortex-M33: 3-stage pipeline (figures.md 1.5): branches resolved in stage 2 (P = 1), loads start in
// stage 2; otherwise the M4 figures (LLVM schedules the M33 with the M4 model, figures.md 1.7).
constexpr CoreTiming kM33 = {
    .name = "cortex-m33",
    .source =
        "Cortex-M33 3-stage pipeline (figures.md 1.5, [2ND]): branches resolved in stage 2 so a taken branch "
        "costs 1+P with P = 1, load address generation in stage 2 so no stall on an address produced by the "
        "previous ALU instruction; other figures as the Cortex-M4 (LLVM models the M33 with the M4 model, "
        "figures.md 1.7); exception entry 12 within one security state",
    .cycles =
        {
            .alu = 1,            // as the M4 (1.5 compiler model; 1.7 M4 model ALU 1) [CODE]
            .alu_pc = 2,         // 1.5 branches resolved in stage 2: 1+P, P = 1 [2ND]
            .mul = 1,            // as the M4 (1.3 MUL 1; 1.7 M4 model) [ARM-DOC][CODE]
            .mac = 1,            //   (idem)
            .mul_long = 1,       //   (idem)
            .mac_long = 1,       //   (idem)
            .div = 2,            // as the M4 (1.3 SDIV/UDIV 2-12; 1.7 M4 model DIV 2) [CODE]
            .dsp = 1,            // as the M4 (1.3 DSP SIMD 1) [CODE]
            .load = 2,           // as the M4 (1.7 M4 model LoadLatency 2) [CODE]
            .load_literal = 2,   //   (idem)
            .load_pc = 4,        // 2 load + refill, P = 1 (1.5 branches in stage 2) + 1 [2ND]
            .load_dual = 3,      // as the M4: 1+N with N = 2 words
            .store = 1,          // as the M4 (1.7 M4 model stores 1) [CODE]
            .store_reg = 2,      // as the M4 (1.2 STR register offset 2) [ARM-DOC]
            .store_dual = 3,     // as the M4: 1+N with N = 2 words
            .load_multiple = 1,  // as the M4: 1+N
            .pop_pc = 2,         // 1+N+P with P = 1 (1.5 branches in stage 2) [2ND]
            .store_multiple = 1, // as the M4: 1+N
            .branch = 2,         // 1.5 branches resolved in stage 2: 1+P, P = 1 [2ND]
            .cond_branch = 1,    // not taken 1 (taken adds branch_refill)
            .branch_link = 2,    // 1.5: 1+P, P = 1 [2ND]
            .branch_reg = 2,     // 1.5: 1+P, P = 1 [2ND]
            .table_branch = 5,   // M4's 6 less one refill cycle (1.5 P = 1) [2ND]
            .it = 0,             // folded, as the M4 (1.5 limited dual issue of 16-bit instructions) [2ND]
            .nop = 1,            // ALU 1
            .sleep = 1,          // WFI/WFE issue; the sleep itself is timed by the run loop
            .barrier = 1,        // as the M4 (1.2 DMB/DSB/ISB 1+B)
            .system = 1,         // as the M4
            .fp_alu = 1,         // as the M4 FPU (1.3; 1.7 M4 model FP ALU 1) [CODE]
            .fp_alu_d = 1,       // FPv5-SP has no double precision: never decoded
            .fp_mac = 3,         // as the M4 FPU VMLA/VFMA 3 (1.3; 1.7 VFP MAC 3) [CODE]
            .fp_mac_d = 1,       // FPv5-SP has no double precision: never decoded
            .fp_div = 14,        // as the M4 FPU VDIV 14 (1.7 VDIV/VSQRT 14) [CODE]
            .fp_sqrt = 14,       //   (idem)
            .fp_div_d = 1,       // FPv5-SP has no double precision: never decoded
            .fp_load = 2,        // as the M4 FPU VLDR 2 (1.3) [ARM-DOC]
            .fp_load_d = 3,      // as the M4 FPU VLDR double 3 (1.3) [ARM-DOC]
            .fp_store = 2,       // as the M4 VSTR 2
            .fp_load_multiple = 1,  // as the M4 VLDM 1+N (1.3) [ARM-DOC]
            .fp_store_multiple = 1, // as the M4 VSTM 1+N
            .fp_mov_core = 2,    // as the M4 VMOV two core regs 2 (1.3; 1.7 VMOVD 2) [CODE]
            .fp_sys = 1,         // as the M4 VMRS/VMSR 1 (1.3) [ARM-DOC]
            .unknown = 1,        // undecodable bytes: one cycle (they fault when executed)
            .unclassified = 1,   // an opcode missing from opcode_classes.def (a test failure)
        },
    .per_reg = 1,                // as the M4: the N of 1+N
    .branch_refill = 1,          // 1.5 branches resolved in stage 2: P = 1 [2ND]
    .load_pipelining = true,     // as the M4 (1.2 load/store pipelining) [ARM-DOC]
    .agu_stall = false,          // 1.5 load address generation in stage 2: no stall [2ND]
    .load_use_stall = 0,         // as the M4
    .dual_issue = false,         // 1.5 "limited dual issue of 16-bit Thumb and branch instructions": not modelled [2ND]
    .predict_backward_taken = false, // no branch prediction
    .mispredict_penalty = 0,     //   (idem)
    .div_min = 2,                // as the M4 (1.3 SDIV, UDIV 2-12) [ARM-DOC]
    .div_max = 12,               //   (idem)
    .div_bits_per_cycle = 3,     // as the M4 [DERIVED]
    .exc_entry = 12,             // 1.5 interrupt latency: 12 within one security state [2ND]
    .exc_exit = 10,              // as the M4 (1.3 exit 10)
    .tail_chain = 6,             // as the M4 (1.3 tail-chaining 6 [2ND])
    .fp_frame_extra = 17,        // as the M4 (1.3 +17 with the FP frame)
    .single_cycle_io = false,    // no I/O port
};

// Cortex-M0+ with the small multiplier: 1.1 MULS "1 or 32 (implementation option ...)" [ARM-DOC].
constexpr CoreTiming make_small_multiplier(CoreTiming t) {
  t.cycles.mul = 32;
  return t;
}
constexpr CoreTiming kM0plusSmallMul = make_small_multiplier(kM0plus);
} // namespace

const CoreTiming &timing_for(CoreKind core, bool small_multiplier) {
  switch (core) {
  case CoreKind::M0plus: return small_multiplier ? kM0plusSmallMul : kM0plus;
  case CoreKind::M3: return kM3;
  case CoreKind::M4:
  case CoreKind::M4F: return kM4;
  case CoreKind::M7: return kM7;
  case CoreKind::M33: return kM33;
  }
  return kM4;
}

unsigned divide_cycles(const CoreTiming &t, uint32_t n, uint32_t d, bool is_signed) {
  if (is_signed) {
    n = int32_t(n) < 0 ? uint32_t(-int64_t(int32_t(n))) : n;
    d = int32_t(d) < 0 ? uint32_t(-int64_t(int32_t(d))) : d;
  }
  if (d == 0 || n < d) return t.div_min;
  // Quotient bits to produce: the significant bits of n beyond those of d, plus one.
  unsigned bits = unsigned(std::countl_zero(d) - std::countl_zero(n)) + 1;
  unsigned c = t.div_min + (bits + t.div_bits_per_cycle - 1) / t.div_bits_per_cycle;
  return c > t.div_max ? t.div_max : c;
}

} // namespace mcusim::isa
