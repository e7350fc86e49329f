/*
 * selftest - checks the core features the simulator has to provide.
 *
 * Prints one line per check:
 *   selftest: <name> ok
 *   selftest: <name> FAIL (<detail>)
 *   selftest: <name> skipped
 * then "selftest: N passed, M failed" and exits with status M.
 *
 * Checks that need a feature the core lacks (e.g. DWT on ARMv6-M, the FPU
 * on cores without one) are skipped.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mcusim.h"

#if !defined(__ARM_ARCH_6M__)
#define HAVE_V7M_FEATURES 1 /* CFSR/BFAR, STIR, DWT, hardware divide */
#else
#define HAVE_V7M_FEATURES 0
#endif

/* ------------------------------------------------------------------------ */
/* Result reporting                                                          */
/* ------------------------------------------------------------------------ */

static unsigned g_passed;
static unsigned g_failed;

static void report_ok(const char *name)
{
    printf("selftest: %s ok\n", name);
    g_passed++;
}

static void report_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report_fail(const char *name, const char *fmt, ...)
{
    va_list ap;
    printf("selftest: %s FAIL (", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(")\n");
    g_failed++;
}

__attribute__((unused)) static void report_skip(const char *name)
{
    printf("selftest: %s skipped\n", name);
}

/* Short bounded wait so an interrupt made pending by the previous
 * instructions has every chance to be taken. */
static void settle(void)
{
    mcusim_dsb();
    mcusim_isb();
    for (volatile int i = 0; i < 100; i++) {
    }
}

/* ------------------------------------------------------------------------ */
/* Exception handlers                                                        */
/* ------------------------------------------------------------------------ */

/* Entry shim shared by the SVC and fault handlers: r0 = stacked exception
 * frame (MSP or PSP according to EXC_RETURN bit 2), r1 = kind, then a tail
 * jump to the C handler, which returns with EXC_RETURN still in lr.
 * Thumb-1 instructions only, so it also assembles for ARMv6-M (GCC switches
 * inline asm to divided syntax there, hence ".syntax unified"; GCC restores
 * its own setting after the asm block). */
#define EXCEPTION_SHIM(name, kind, target)                                    \
    __attribute__((naked)) void name(void)                                    \
    {                                                                         \
        __asm__ volatile(".syntax unified\n\t"                              \
                         "movs r0, #4\n\t"                                    \
                         "mov  r1, lr\n\t"                                    \
                         "tst  r0, r1\n\t"                                    \
                         "beq  1f\n\t"                                        \
                         "mrs  r0, psp\n\t"                                   \
                         "b    2f\n"                                          \
                         "1:\n\t"                                             \
                         "mrs  r0, msp\n"                                     \
                         "2:\n\t"                                             \
                         "movs r1, #" #kind "\n\t"                            \
                         "ldr  r2, =" #target "\n\t"                          \
                         "bx   r2\n\t"                                        \
                         ".ltorg\n");                                         \
    }

/* Stacked exception frame word indices */
enum { FR_R0 = 0, FR_R1, FR_R2, FR_R3, FR_R12, FR_LR, FR_PC, FR_XPSR };

/* ---- SysTick ------------------------------------------------------------ */

static volatile uint32_t g_ticks;

#if defined(__ARM_FP)
static volatile int g_fp_isr;            /* SysTick does FP work when set */
static volatile float g_isr_f;           /* ISR-private FP accumulator */
static volatile uint32_t g_isr_fp_count; /* SysTicks that did FP work */

/* FP work in interrupt context: updates its own values and then trashes
 * every FP register (s16-s31 are saved by this function's prologue, s0-s15
 * and FPSCR must be restored by the hardware on exception return). */
__attribute__((noinline)) static void isr_fp_work(void)
{
    g_isr_f = g_isr_f + 0.25f;
    g_isr_fp_count++;
    __asm__ volatile(
        "movw r1, #0xBEEF\n\t"
        "movt r1, #0x7F80\n\t"
        "vmov s0, r1\n\t"  "vmov s1, r1\n\t"  "vmov s2, r1\n\t"  "vmov s3, r1\n\t"
        "vmov s4, r1\n\t"  "vmov s5, r1\n\t"  "vmov s6, r1\n\t"  "vmov s7, r1\n\t"
        "vmov s8, r1\n\t"  "vmov s9, r1\n\t"  "vmov s10, r1\n\t" "vmov s11, r1\n\t"
        "vmov s12, r1\n\t" "vmov s13, r1\n\t" "vmov s14, r1\n\t" "vmov s15, r1\n\t"
        "vmov s16, r1\n\t" "vmov s17, r1\n\t" "vmov s18, r1\n\t" "vmov s19, r1\n\t"
        "vmov s20, r1\n\t" "vmov s21, r1\n\t" "vmov s22, r1\n\t" "vmov s23, r1\n\t"
        "vmov s24, r1\n\t" "vmov s25, r1\n\t" "vmov s26, r1\n\t" "vmov s27, r1\n\t"
        "vmov s28, r1\n\t" "vmov s29, r1\n\t" "vmov s30, r1\n\t" "vmov s31, r1\n\t"
        "movs r1, #0\n\t"
        "vmsr fpscr, r1\n\t"
        :
        :
        : "r1", "memory",
          "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7",
          "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15",
          "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23",
          "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31");
}
#endif

void SysTick_Handler(void)
{
    g_ticks++;
#if defined(__ARM_FP)
    if (g_fp_isr) {
        isr_fp_work();
    }
#endif
}

static void systick_start(uint32_t reload)
{
    SYST_CSR = 0;
    SYST_RVR = reload;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

static void systick_stop(void)
{
    SYST_CSR = 0;
    SCB_ICSR = SCB_ICSR_PENDSTCLR;
    mcusim_dsb();
    mcusim_isb();
}

/* ---- external interrupts ----------------------------------------------- */

static volatile uint32_t g_irq3_count;
static volatile uint32_t g_irq3_ipsr;
static volatile uint32_t g_irq3_exc_return;
static volatile uint32_t g_irq4_count;
static volatile uint32_t g_irq4_ipsr;

void IRQ3_Handler(void)
{
    g_irq3_ipsr = mcusim_get_ipsr();
    g_irq3_exc_return = (uint32_t)(uintptr_t)__builtin_return_address(0);
    g_irq3_count++;
}

void IRQ4_Handler(void)
{
    g_irq4_ipsr = mcusim_get_ipsr();
    g_irq4_count++;
}

/* nesting: IRQ5 (low priority) pends IRQ6 (high) and IRQ7 (lowest) */
#define EV_IRQ5_START 50u
#define EV_IRQ6       6u
#define EV_IRQ5_END   51u
#define EV_IRQ7       7u

static volatile uint32_t g_events[8];
static volatile uint32_t g_event_count;

static void record_event(uint32_t ev)
{
    uint32_t n = g_event_count;
    if (n < sizeof g_events / sizeof g_events[0]) {
        g_events[n] = ev;
    }
    g_event_count = n + 1;
}

void IRQ5_Handler(void)
{
    record_event(EV_IRQ5_START);
    NVIC_ISPR(0) = (1u << 6) | (1u << 7);
    mcusim_dsb();
    mcusim_isb();
    /* IRQ6 preempts here; IRQ7 must wait until this handler returns. */
    for (volatile int i = 0; i < 100; i++) {
    }
    record_event(EV_IRQ5_END);
}

void IRQ6_Handler(void)
{
    record_event(EV_IRQ6);
}

void IRQ7_Handler(void)
{
    record_event(EV_IRQ7);
}

/* ---- PendSV ------------------------------------------------------------- */

static volatile uint32_t g_pendsv_count;

void PendSV_Handler(void)
{
    g_pendsv_count++;
}

/* ---- SVC ---------------------------------------------------------------- */

static volatile uint32_t g_svc_number;
static volatile uint32_t g_svc_exc_return_psp;

/* Adds the SVC immediate to the caller's r0. */
__attribute__((used)) void svc_handler_c(uint32_t *frame, uint32_t kind)
{
    (void)kind;
    uint32_t pc = frame[FR_PC];
    uint16_t insn = *(const uint16_t *)(uintptr_t)(pc - 2u);
    uint32_t number = insn & 0xFFu;
    g_svc_number = number;
    g_svc_exc_return_psp = ((uint32_t)(uintptr_t)frame == mcusim_get_psp());
    frame[FR_R0] += number;
}

EXCEPTION_SHIM(SVC_Handler, 0, svc_handler_c)

static uint32_t svc7(uint32_t arg)
{
    register uint32_t r0 __asm__("r0") = arg;
    __asm__ volatile("svc #7" : "+r"(r0) : : "memory");
    return r0;
}

static uint32_t svc3(uint32_t arg)
{
    register uint32_t r0 __asm__("r0") = arg;
    __asm__ volatile("svc #3" : "+r"(r0) : : "memory");
    return r0;
}

/* ---- faults -------------------------------------------------------------- */

enum { FAULT_HARD = 1, FAULT_MEM = 2, FAULT_BUS = 3, FAULT_USAGE = 4 };

/* Set while a test deliberately triggers a fault; the fault handlers recover
 * only when it is set. */
volatile int expect_fault;

static struct {
    volatile uint32_t count;
    volatile uint32_t kind;
    volatile uint32_t cfsr;
    volatile uint32_t bfar;
    volatile uint32_t hfsr;
    volatile uint32_t pc;
} g_fault;

static void hex32(char *out, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 8; i++) {
        out[2 + i] = digits[(v >> (28 - 4 * i)) & 0xFu];
    }
    out[10] = '\0';
}

/* Records the fault and resumes after the faulting instruction when a fault
 * is expected; otherwise stops the program with status 100. Called from the
 * shim with the stacked frame. */
__attribute__((used)) void fault_handler_c(uint32_t *frame, uint32_t kind)
{
    uint32_t pc = frame[FR_PC];

    if (!expect_fault) {
        static const char *const names[] = {"?", "HardFault", "MemManage", "BusFault", "UsageFault"};
        char hex[11];
        mcusim_puts("selftest: unexpected fault: ");
        mcusim_puts(names[kind < 5 ? kind : 0]);
        mcusim_puts(" at pc=");
        hex32(hex, pc);
        mcusim_puts(hex);
#if HAVE_V7M_FEATURES
        mcusim_puts(" cfsr=");
        hex32(hex, SCB_CFSR);
        mcusim_puts(hex);
#endif
        mcusim_puts("\n");
        mcusim_exit(100);
    }

    g_fault.count++;
    g_fault.kind = kind;
    g_fault.pc = pc;
#if HAVE_V7M_FEATURES
    g_fault.cfsr = SCB_CFSR;
    g_fault.bfar = SCB_BFAR;
    g_fault.hfsr = SCB_HFSR;
#endif

    /* Skip the faulting instruction: 32-bit Thumb-2 encodings start with a
     * halfword whose top five bits are 0b11101, 0b11110 or 0b11111. */
    uint16_t hw = *(const uint16_t *)(uintptr_t)pc;
    frame[FR_PC] = pc + (((hw & 0xF800u) >= 0xE800u) ? 4u : 2u);
}

EXCEPTION_SHIM(HardFault_Handler, 1, fault_handler_c)
#if HAVE_V7M_FEATURES
EXCEPTION_SHIM(MemManage_Handler, 2, fault_handler_c)
EXCEPTION_SHIM(BusFault_Handler, 3, fault_handler_c)
EXCEPTION_SHIM(UsageFault_Handler, 4, fault_handler_c)
#endif

/* ------------------------------------------------------------------------ */
/* Checks                                                                    */
/* ------------------------------------------------------------------------ */

static void test_systick(void)
{
    uint32_t i;

    g_ticks = 0;
    systick_start(999);
    for (i = 0; i < 1000000u && g_ticks < 5u; i++) {
    }
    if (g_ticks >= 5u) {
        report_ok("systick");
    } else {
        report_fail("systick", "%lu ticks after %lu iterations", (unsigned long)g_ticks, (unsigned long)i);
    }
}

/* Runs right after test_systick with SysTick still running. */
static void test_wfi(void)
{
    if ((SYST_CSR & SYST_CSR_ENABLE) == 0) {
        systick_start(999);
    }
    uint32_t before = g_ticks;
    mcusim_wfi();
    uint32_t after = g_ticks;
    systick_stop();

    if (after != before) {
        report_ok("wfi");
    } else {
        report_fail("wfi", "tick counter did not advance across wfi (%lu)", (unsigned long)before);
    }
}

static void test_irq(void)
{
    g_irq3_count = 0;
    g_irq3_ipsr = 0;
    mcusim_nvic_set_priority(3, 0x80);
    mcusim_nvic_clear_pending(3);
    mcusim_nvic_enable(3);
    mcusim_nvic_set_pending(3);
    settle();
    mcusim_nvic_disable(3);

    if (g_irq3_count != 1u || g_irq3_ipsr != 16u + 3u) {
        report_fail("irq", "IRQ3 via ISPR: count=%lu ipsr=%lu (want 1, 19)", (unsigned long)g_irq3_count,
                    (unsigned long)g_irq3_ipsr);
        return;
    }

#if HAVE_V7M_FEATURES
    g_irq4_count = 0;
    g_irq4_ipsr = 0;
    mcusim_nvic_set_priority(4, 0x80);
    mcusim_nvic_clear_pending(4);
    mcusim_nvic_enable(4);
    NVIC_STIR = 4;
    settle();
    mcusim_nvic_disable(4);

    if (g_irq4_count != 1u || g_irq4_ipsr != 16u + 4u) {
        report_fail("irq", "IRQ4 via STIR: count=%lu ipsr=%lu (want 1, 20)", (unsigned long)g_irq4_count,
                    (unsigned long)g_irq4_ipsr);
        return;
    }
#endif
    report_ok("irq");
}

static void test_nesting(void)
{
    static const uint32_t expected[4] = {EV_IRQ5_START, EV_IRQ6, EV_IRQ5_END, EV_IRQ7};

    g_event_count = 0;
    mcusim_nvic_set_priority(5, 0xC0);
    mcusim_nvic_set_priority(6, 0x40);
    mcusim_nvic_set_priority(7, 0xE0);
    NVIC_ICPR(0) = (1u << 5) | (1u << 6) | (1u << 7);
    NVIC_ISER(0) = (1u << 5) | (1u << 6) | (1u << 7);
    mcusim_nvic_set_pending(5);
    for (int i = 0; i < 10000 && g_event_count < 4u; i++) {
    }
    settle();
    NVIC_ICER(0) = (1u << 5) | (1u << 6) | (1u << 7);
    mcusim_dsb();
    mcusim_isb();

    int ok = g_event_count == 4u;
    for (unsigned i = 0; ok && i < 4; i++) {
        ok = g_events[i] == expected[i];
    }
    if (ok) {
        report_ok("nesting");
    } else {
        unsigned n = g_event_count < 8u ? (unsigned)g_event_count : 8u;
        char order[64];
        int len = 0;
        order[0] = '\0';
        for (unsigned i = 0; i < n; i++) {
            uint32_t ev = g_events[i];
            const char *s = ev == EV_IRQ5_START ? "5-start" : ev == EV_IRQ5_END ? "5-end" : ev == EV_IRQ6 ? "6" : "7";
            len += snprintf(order + len, sizeof order - (size_t)len, "%s%s", i ? "," : "", s);
            if (len >= (int)sizeof order) {
                break;
            }
        }
        report_fail("nesting", "order [%s], want [5-start,6,5-end,7]", order);
    }
}

static void test_pendsv(void)
{
    g_pendsv_count = 0;
    SCB_ICSR = SCB_ICSR_PENDSVSET; /* write-1-to-set; other bits ignored */
    settle();
    if (g_pendsv_count == 1u) {
        report_ok("pendsv");
    } else {
        report_fail("pendsv", "handler ran %lu times", (unsigned long)g_pendsv_count);
    }
}

static void test_svc(void)
{
    g_svc_number = 0;
    uint32_t r = svc7(0x1234);
    if (r == 0x123Bu && g_svc_number == 7u) {
        report_ok("svc");
    } else {
        report_fail("svc", "r0=0x%lx svc#=%lu (want 0x123b, 7)", (unsigned long)r, (unsigned long)g_svc_number);
    }
}

/* ---- thread mode on the process stack ---- */

static uint64_t g_psp_stack[128]; /* 1 KiB, 8-byte aligned */

static struct {
    volatile uint32_t control;
    volatile uint32_t sp;
    volatile uint32_t psp;
    volatile uint32_t svc_result;
    volatile uint32_t svc_on_psp;
    volatile uint32_t sp_after_svc;
    volatile uint32_t irq_count;
    volatile uint32_t irq_exc_return;
    volatile uint32_t sp_after_irq;
} g_psp;

/* Switches thread mode to PSP = psp_top, calls fn, switches back to MSP.
 * Kept in assembly so no compiler-generated stack access straddles the
 * switch. */
__attribute__((naked, noinline)) static void run_on_psp(uint32_t psp_top __attribute__((unused)),
                                                        void (*fn)(void) __attribute__((unused)))
{
    __asm__ volatile(".syntax unified\n\t"
                     "push {r4, lr}\n\t"
                     "msr  psp, r0\n\t"
                     "mrs  r2, control\n\t"
                     "movs r3, #2\n\t"
                     "orrs r2, r3\n\t"
                     "msr  control, r2\n\t"
                     "isb\n\t"
                     "blx  r1\n\t"
                     "mrs  r2, control\n\t"
                     "movs r3, #2\n\t"
                     "bics r2, r3\n\t"
                     "msr  control, r2\n\t"
                     "isb\n\t"
                     "pop  {r4, pc}\n");
}

__attribute__((noinline)) static void psp_body(void)
{
    g_psp.control = mcusim_get_control();
    g_psp.sp = mcusim_get_sp();
    g_psp.psp = mcusim_get_psp();

    g_svc_exc_return_psp = 0;
    g_psp.svc_result = svc3(100);
    g_psp.svc_on_psp = g_svc_exc_return_psp;
    g_psp.sp_after_svc = mcusim_get_sp();

    g_irq3_count = 0;
    g_irq3_exc_return = 0;
    mcusim_nvic_set_priority(3, 0x80);
    mcusim_nvic_enable(3);
    mcusim_nvic_set_pending(3);
    settle();
    mcusim_nvic_disable(3);
    g_psp.irq_count = g_irq3_count;
    g_psp.irq_exc_return = g_irq3_exc_return;
    g_psp.sp_after_irq = mcusim_get_sp();
}

static void test_psp(void)
{
    uint32_t lo = (uint32_t)(uintptr_t)&g_psp_stack[0];
    uint32_t top = (uint32_t)(uintptr_t)&g_psp_stack[sizeof g_psp_stack / sizeof g_psp_stack[0]];

    memset((void *)&g_psp, 0, sizeof g_psp);
    uint32_t msp_before = mcusim_get_msp();
    run_on_psp(top, psp_body);
    uint32_t msp_after = mcusim_get_msp();
    uint32_t control_after = mcusim_get_control();

    if ((g_psp.control & 2u) == 0) {
        report_fail("psp", "CONTROL.SPSEL not set in thread mode (control=0x%lx)", (unsigned long)g_psp.control);
    } else if (g_psp.sp < lo || g_psp.sp > top || g_psp.sp != g_psp.psp) {
        report_fail("psp", "sp=0x%lx not on process stack [0x%lx,0x%lx]", (unsigned long)g_psp.sp, (unsigned long)lo,
                    (unsigned long)top);
    } else if (g_psp.svc_result != 103u || !g_psp.svc_on_psp) {
        report_fail("psp", "svc on PSP: r0=%lu (want 103), frame on psp=%lu", (unsigned long)g_psp.svc_result,
                    (unsigned long)g_psp.svc_on_psp);
    } else if (g_psp.sp_after_svc != g_psp.sp) {
        report_fail("psp", "sp changed across svc: 0x%lx -> 0x%lx", (unsigned long)g_psp.sp,
                    (unsigned long)g_psp.sp_after_svc);
    } else if (g_psp.irq_count != 1u || (g_psp.irq_exc_return & 4u) == 0) {
        report_fail("psp", "irq on PSP: count=%lu EXC_RETURN=0x%lx", (unsigned long)g_psp.irq_count,
                    (unsigned long)g_psp.irq_exc_return);
    } else if (g_psp.sp_after_irq != g_psp.sp) {
        report_fail("psp", "sp changed across irq: 0x%lx -> 0x%lx", (unsigned long)g_psp.sp,
                    (unsigned long)g_psp.sp_after_irq);
    } else if (msp_after != msp_before || (control_after & 2u) != 0) {
        report_fail("psp", "MSP not restored (0x%lx -> 0x%lx) or SPSEL still set (control=0x%lx)",
                    (unsigned long)msp_before, (unsigned long)msp_after, (unsigned long)control_after);
    } else {
        report_ok("psp");
    }
}

#define UNMAPPED_ADDR 0x70000000u

static void test_busfault(void)
{
    memset((void *)&g_fault, 0, sizeof g_fault);
#if HAVE_V7M_FEATURES
    uint32_t shcsr = SCB_SHCSR;
    SCB_SHCSR = shcsr | SCB_SHCSR_BUSFAULTENA;
    mcusim_dsb();
    mcusim_isb();
#endif

    expect_fault = 1;
    (void)*(volatile uint32_t *)UNMAPPED_ADDR;
    mcusim_dsb();
    expect_fault = 0;

#if HAVE_V7M_FEATURES
    SCB_SHCSR = shcsr;
    uint32_t cfsr = g_fault.cfsr;
    SCB_CFSR = SCB_CFSR; /* write-1-to-clear */
    SCB_HFSR = SCB_HFSR;
    mcusim_dsb();

    if (g_fault.count != 1u || g_fault.kind != FAULT_BUS) {
        report_fail("busfault", "handler count=%lu kind=%lu (want 1 BusFault) cfsr=0x%08lx",
                    (unsigned long)g_fault.count, (unsigned long)g_fault.kind, (unsigned long)cfsr);
    } else if ((cfsr & SCB_CFSR_PRECISERR) == 0 || (cfsr & SCB_CFSR_BFARVALID) == 0) {
        report_fail("busfault", "CFSR=0x%08lx lacks PRECISERR|BFARVALID", (unsigned long)cfsr);
    } else if (g_fault.bfar != UNMAPPED_ADDR) {
        report_fail("busfault", "BFAR=0x%08lx (want 0x%08lx)", (unsigned long)g_fault.bfar,
                    (unsigned long)UNMAPPED_ADDR);
    } else {
        report_ok("busfault");
    }
#else
    if (g_fault.count == 1u && g_fault.kind == FAULT_HARD) {
        report_ok("busfault");
    } else {
        report_fail("busfault", "HardFault count=%lu kind=%lu", (unsigned long)g_fault.count,
                    (unsigned long)g_fault.kind);
    }
#endif
}

static void test_divzero(void)
{
#if HAVE_V7M_FEATURES
    volatile uint32_t zero = 0;
    uint32_t shcsr = SCB_SHCSR;
    uint32_t ccr = SCB_CCR;

    memset((void *)&g_fault, 0, sizeof g_fault);
    SCB_CCR = ccr | SCB_CCR_DIV_0_TRP;
    SCB_SHCSR = shcsr | SCB_SHCSR_USGFAULTENA;
    mcusim_dsb();
    mcusim_isb();

    expect_fault = 1;
    uint32_t dividend = 100, divisor = zero, q = 0x5A5A5A5Au;
    __asm__ volatile("udiv %0, %1, %2" : "+r"(q) : "r"(dividend), "r"(divisor));
    expect_fault = 0;

    SCB_CCR = ccr;
    SCB_SHCSR = shcsr;
    uint32_t cfsr = g_fault.cfsr;
    SCB_CFSR = SCB_CFSR;
    SCB_HFSR = SCB_HFSR;
    mcusim_dsb();
    mcusim_isb();

    if (g_fault.count != 1u || g_fault.kind != FAULT_USAGE) {
        report_fail("divzero", "UsageFault count=%lu kind=%lu cfsr=0x%08lx", (unsigned long)g_fault.count,
                    (unsigned long)g_fault.kind, (unsigned long)cfsr);
    } else if ((cfsr & SCB_CFSR_DIVBYZERO) == 0) {
        report_fail("divzero", "CFSR=0x%08lx lacks DIVBYZERO", (unsigned long)cfsr);
    } else {
        (void)q;
        report_ok("divzero");
    }
#else
    report_skip("divzero");
#endif
}

#if defined(__ARM_FP)
static uint32_t get_fpscr(void)
{
    uint32_t v;
    __asm__ volatile("vmrs %0, fpscr" : "=r"(v));
    return v;
}

static void set_fpscr(uint32_t v)
{
    __asm__ volatile("vmsr fpscr, %0" : : "r"(v) : "memory");
}

/* Fills s0-s31 with known patterns, waits (bounded) until at least three
 * SysTick interrupts have run, and checks every register is intact.
 * Returns 0 if intact, 1 if corrupted, 2 if no interrupt arrived. */
#define FP_SET(n) "movw r1, #(0x1000 + " #n ")\n\t" \
                  "movt r1, #0x4000\n\t"            \
                  "vmov s" #n ", r1\n\t"
#define FP_CHK(n) "vmov r1, s" #n "\n\t"            \
                  "movw r2, #(0x1000 + " #n ")\n\t" \
                  "movt r2, #0x4000\n\t"            \
                  "cmp  r1, r2\n\t"                 \
                  "bne  8f\n\t"

__attribute__((noinline)) static uint32_t fp_regs_survive_interrupts(void)
{
    uint32_t res;
    __asm__ volatile(
        FP_SET(0) FP_SET(1) FP_SET(2) FP_SET(3) FP_SET(4) FP_SET(5) FP_SET(6) FP_SET(7)
        FP_SET(8) FP_SET(9) FP_SET(10) FP_SET(11) FP_SET(12) FP_SET(13) FP_SET(14) FP_SET(15)
        FP_SET(16) FP_SET(17) FP_SET(18) FP_SET(19) FP_SET(20) FP_SET(21) FP_SET(22) FP_SET(23)
        FP_SET(24) FP_SET(25) FP_SET(26) FP_SET(27) FP_SET(28) FP_SET(29) FP_SET(30) FP_SET(31)
        "ldr  r3, [%[ticks]]\n\t"
        "adds r3, r3, #3\n\t"
        "mov  r0, %[limit]\n"
        "1:\n\t"
        "ldr  r2, [%[ticks]]\n\t"
        "cmp  r2, r3\n\t"
        "bhs  2f\n\t"
        "subs r0, r0, #1\n\t"
        "bne  1b\n\t"
        "movs %[res], #2\n\t"
        "b    9f\n"
        "2:\n\t"
        FP_CHK(0) FP_CHK(1) FP_CHK(2) FP_CHK(3) FP_CHK(4) FP_CHK(5) FP_CHK(6) FP_CHK(7)
        FP_CHK(8) FP_CHK(9) FP_CHK(10) FP_CHK(11) FP_CHK(12) FP_CHK(13) FP_CHK(14) FP_CHK(15)
        FP_CHK(16) FP_CHK(17) FP_CHK(18) FP_CHK(19) FP_CHK(20) FP_CHK(21) FP_CHK(22) FP_CHK(23)
        FP_CHK(24) FP_CHK(25) FP_CHK(26) FP_CHK(27) FP_CHK(28) FP_CHK(29) FP_CHK(30) FP_CHK(31)
        "movs %[res], #0\n\t"
        "b    9f\n"
        "8:\n\t"
        "movs %[res], #1\n"
        "9:\n"
        : [res] "=&r"(res)
        : [ticks] "r"(&g_ticks), [limit] "r"(2000000u)
        : "r0", "r1", "r2", "r3", "cc", "memory",
          "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7",
          "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15",
          "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23",
          "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31");
    return res;
}

/* Float accumulation kept in registers while SysTick (doing its own FP
 * work) interrupts. */
__attribute__((noinline)) static int fp_loop_survives_interrupts(float *acc_out, float *prod_out, uint32_t *ticks)
{
    volatile float step_v = 0.5f;
    volatile float mul_v = 1.0f;
    float step = step_v, mul = mul_v;
    float acc = 0.0f, prod = 3.0f;
    uint32_t t0 = g_ticks;

    for (int i = 0; i < 4000; i++) {
        acc += step;
        prod = prod * mul + 0.0f;
        __asm__ volatile("" : "+t"(acc), "+t"(prod)); /* keep them in FP registers */
    }
    *acc_out = acc;
    *prod_out = prod;
    *ticks = g_ticks - t0;
    return acc == 2000.0f && prod == 3.0f;
}
#endif /* __ARM_FP */

static void test_fpu(void)
{
#if defined(__ARM_FP)
    volatile float two = 2.0f;
    volatile float ten = 10.0f, four = 4.0f;

    float r = sqrtf(two);
    float sq = r * r;
    if (fabsf(sq - 2.0f) > 1e-6f) {
        report_fail("fpu", "sqrtf(2)^2 = %ld/1e6", (long)(sq * 1e6f));
        return;
    }
    if (ten / four != 2.5f) {
        report_fail("fpu", "10/4 = %ld/1000", (long)((ten / four) * 1000.0f));
        return;
    }
#if (__ARM_FP & 8)
    {
        volatile double d2 = 2.0, d3 = 3.0;
        double rd = sqrt(d2);
        double third = 1.0 / d3;
        if (fabs(rd * rd - 2.0) > 1e-15 || fabs(third * 3.0 - 1.0) > 1e-15 || rd <= 1.41421356237 ||
            rd >= 1.41421356238) {
            report_fail("fpu", "double math off: sqrt(2)*1e12=%ld", (long)(rd * 1e12));
            return;
        }
    }
#endif

    /* FP context across exceptions */
    uint32_t fpscr_saved = get_fpscr();
    uint32_t fpscr_rz = (fpscr_saved & ~(3u << 22)) | (3u << 22); /* round towards zero */
    set_fpscr(fpscr_rz);

    g_isr_f = 0.0f;
    g_isr_fp_count = 0;
    g_fp_isr = 1;
    systick_start(999);

    uint32_t regs = fp_regs_survive_interrupts();
    float acc = 0, prod = 0;
    uint32_t loop_ticks = 0;
    int loop_ok = fp_loop_survives_interrupts(&acc, &prod, &loop_ticks);

    systick_stop();
    g_fp_isr = 0;
    uint32_t fpscr_after = get_fpscr();
    set_fpscr(fpscr_saved);

    uint32_t isr_count = g_isr_fp_count;
    float isr_f = g_isr_f;

    if (regs == 2u) {
        report_fail("fpu", "no SysTick interrupt during register check");
    } else if (regs != 0u) {
        report_fail("fpu", "FP registers s0-s31 corrupted by an interrupt");
    } else if (!loop_ok) {
        report_fail("fpu", "float loop corrupted: acc=%ld prod=%ld", (long)acc, (long)prod);
    } else if (loop_ticks == 0u) {
        report_fail("fpu", "no SysTick interrupt during float loop");
    } else if ((fpscr_after & (3u << 22)) != (3u << 22)) {
        report_fail("fpu", "FPSCR not restored after interrupt (0x%08lx)", (unsigned long)fpscr_after);
    } else if (isr_count == 0u || isr_f != 0.25f * (float)isr_count) {
        report_fail("fpu", "ISR float state: %lu runs, value*4=%ld", (unsigned long)isr_count, (long)(isr_f * 4.0f));
    } else {
        report_ok("fpu");
    }
#else
    report_skip("fpu");
#endif
}

static void test_semihosting(void)
{
    printf("selftest: printf int=%d str=%s\n", -42, "text");

    int clock = mcusim_semihost(MCUSIM_SYS_CLOCK, 0);
    uint32_t elapsed[2] = {0, 0};
    int elapsed_rc = mcusim_semihost(MCUSIM_SYS_ELAPSED, elapsed);
    int freq = mcusim_semihost(MCUSIM_SYS_TICKFREQ, 0);

    if (clock < 0) {
        report_fail("semihosting", "SYS_CLOCK returned %d", clock);
    } else if (elapsed_rc != 0 || (elapsed[0] | elapsed[1]) == 0u) {
        report_fail("semihosting", "SYS_ELAPSED rc=%d ticks=0x%08lx%08lx", elapsed_rc, (unsigned long)elapsed[1],
                    (unsigned long)elapsed[0]);
    } else if (freq <= 0) {
        report_fail("semihosting", "SYS_TICKFREQ returned %d", freq);
    } else {
        report_ok("semihosting");
    }
}

static void test_file(void)
{
    static const char name[] = "selftest.tmp";
    FILE *f = fopen(name, "w");
    if (f == NULL) {
        printf("selftest: file skipped (no --semihost-dir)\n");
        return;
    }
    int wrote = fputs("abc", f);
    int closed = fclose(f);

    char buf[16];
    size_t n = 0;
    f = fopen(name, "r");
    if (f != NULL) {
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
    }
    remove(name);
    buf[n < sizeof buf ? n : sizeof buf - 1] = '\0';

    if (wrote < 0 || closed != 0) {
        report_fail("file", "write failed (fputs=%d fclose=%d)", wrote, closed);
    } else if (f == NULL) {
        report_fail("file", "reopen for reading failed");
    } else if (n != 3 || memcmp(buf, "abc", 3) != 0) {
        report_fail("file", "read back %u bytes \"%s\", want \"abc\"", (unsigned)n, buf);
    } else {
        report_ok("file");
    }
}

static void test_stdin(void)
{
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL) {
        printf("selftest: stdin skipped (no input)\n");
        return;
    }
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
    }
    printf("selftest: stdin read \"%s\"\n", line);
    report_ok("stdin");
}

static void test_dwt(void)
{
#if HAVE_V7M_FEATURES
    mcusim_cycles_init();
    uint32_t c0 = mcusim_cycles();
    for (volatile int i = 0; i < 1000; i++) {
    }
    uint32_t c1 = mcusim_cycles();
    uint32_t delta = c1 - c0;
    if (delta > 1000u) {
        report_ok("dwt");
    } else {
        report_fail("dwt", "CYCCNT delta %lu over a 1000-iteration loop", (unsigned long)delta);
    }
#else
    report_skip("dwt");
#endif
}

int main(void)
{
    printf("selftest: running on %s\n", mcusim_core_name());

    test_systick();
    test_wfi();
    test_irq();
    test_nesting();
    test_pendsv();
    test_svc();
    test_psp();
    test_busfault();
    test_divzero();
    test_fpu();
    test_semihosting();
    test_file();
    test_stdin();
    test_dwt();

    printf("selftest: %u passed, %u failed\n", g_passed, g_failed);
    return (int)g_failed;
}
