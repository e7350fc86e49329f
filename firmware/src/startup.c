/*
 * startup.c - vector table and reset handler for mcusim firmware images.
 *
 * Every handler is a weak alias of Default_Handler (an endless loop), so an
 * application overrides one simply by defining a function with its name.
 */
#include <stdint.h>
#include <stdlib.h>

#include "mcusim_regs.h"

/* Provided by the linker script (firmware/ld/common.ld). */
extern uint32_t _estack;
extern uint32_t _sidata;
extern uint32_t _sdata;
extern uint32_t _edata;
extern uint32_t _sbss;
extern uint32_t _ebss;
extern uint32_t _snn_arena; /* a compiled model's arena (common.ld), maybe outside .bss */
extern uint32_t _enn_arena;

/* newlib */
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);
extern int main(void);

/* Sets up newlib's stdin/stdout/stderr over semihosting (librdimon), which
 * allocates its FILE structures with malloc. A program that uses no stdio
 * (only mcusim_puts and mcusim_semihost, such as the compiled models'
 * runner) defines an empty mcusim_init_stdio of its own, and then neither
 * stdio nor the heap is linked in. */
__attribute__((weak)) void mcusim_init_stdio(void)
{
    initialise_monitor_handles();
}

void Reset_Handler(void) __attribute__((noreturn));
void Default_Handler(void);

#define WEAK_HANDLER(name) void name(void) __attribute__((weak, alias("Default_Handler")))

WEAK_HANDLER(NMI_Handler);
WEAK_HANDLER(HardFault_Handler);
WEAK_HANDLER(MemManage_Handler);
WEAK_HANDLER(BusFault_Handler);
WEAK_HANDLER(UsageFault_Handler);
WEAK_HANDLER(SecureFault_Handler);
WEAK_HANDLER(SVC_Handler);
WEAK_HANDLER(DebugMon_Handler);
WEAK_HANDLER(PendSV_Handler);
WEAK_HANDLER(SysTick_Handler);

WEAK_HANDLER(IRQ0_Handler);
WEAK_HANDLER(IRQ1_Handler);
WEAK_HANDLER(IRQ2_Handler);
WEAK_HANDLER(IRQ3_Handler);
WEAK_HANDLER(IRQ4_Handler);
WEAK_HANDLER(IRQ5_Handler);
WEAK_HANDLER(IRQ6_Handler);
WEAK_HANDLER(IRQ7_Handler);
WEAK_HANDLER(IRQ8_Handler);
WEAK_HANDLER(IRQ9_Handler);
WEAK_HANDLER(IRQ10_Handler);
WEAK_HANDLER(IRQ11_Handler);
WEAK_HANDLER(IRQ12_Handler);
WEAK_HANDLER(IRQ13_Handler);
WEAK_HANDLER(IRQ14_Handler);
WEAK_HANDLER(IRQ15_Handler);
WEAK_HANDLER(IRQ16_Handler);
WEAK_HANDLER(IRQ17_Handler);
WEAK_HANDLER(IRQ18_Handler);
WEAK_HANDLER(IRQ19_Handler);
WEAK_HANDLER(IRQ20_Handler);
WEAK_HANDLER(IRQ21_Handler);
WEAK_HANDLER(IRQ22_Handler);
WEAK_HANDLER(IRQ23_Handler);
WEAK_HANDLER(IRQ24_Handler);
WEAK_HANDLER(IRQ25_Handler);
WEAK_HANDLER(IRQ26_Handler);
WEAK_HANDLER(IRQ27_Handler);
WEAK_HANDLER(IRQ28_Handler);
WEAK_HANDLER(IRQ29_Handler);
WEAK_HANDLER(IRQ30_Handler);
WEAK_HANDLER(IRQ31_Handler);

typedef void (*vector_t)(void);

#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8M_BASE__)
#define SECURE_FAULT_VECTOR SecureFault_Handler
#else
#define SECURE_FAULT_VECTOR 0
#endif

__attribute__((section(".isr_vector"), used))
const vector_t g_vector_table[16 + 32] = {
    (vector_t)(uintptr_t)&_estack, /*  0: initial main stack pointer */
    Reset_Handler,                 /*  1 */
    NMI_Handler,                   /*  2 */
    HardFault_Handler,             /*  3 */
    MemManage_Handler,             /*  4 */
    BusFault_Handler,              /*  5 */
    UsageFault_Handler,            /*  6 */
    SECURE_FAULT_VECTOR,           /*  7: SecureFault (ARMv8-M only) */
    0,                             /*  8: reserved */
    0,                             /*  9: reserved */
    0,                             /* 10: reserved */
    SVC_Handler,                   /* 11 */
    DebugMon_Handler,              /* 12 */
    0,                             /* 13: reserved */
    PendSV_Handler,                /* 14 */
    SysTick_Handler,               /* 15 */
    /* external interrupts IRQ0..IRQ31 (exception numbers 16..47) */
    IRQ0_Handler,  IRQ1_Handler,  IRQ2_Handler,  IRQ3_Handler,
    IRQ4_Handler,  IRQ5_Handler,  IRQ6_Handler,  IRQ7_Handler,
    IRQ8_Handler,  IRQ9_Handler,  IRQ10_Handler, IRQ11_Handler,
    IRQ12_Handler, IRQ13_Handler, IRQ14_Handler, IRQ15_Handler,
    IRQ16_Handler, IRQ17_Handler, IRQ18_Handler, IRQ19_Handler,
    IRQ20_Handler, IRQ21_Handler, IRQ22_Handler, IRQ23_Handler,
    IRQ24_Handler, IRQ25_Handler, IRQ26_Handler, IRQ27_Handler,
    IRQ28_Handler, IRQ29_Handler, IRQ30_Handler, IRQ31_Handler,
};

/* Unhandled exception: spin forever. The simulator recognises the
 * branch-to-self and reports which exception is active. */
void Default_Handler(void)
{
    while (1) {
    }
}

/* With -nostartfiles there is no crti.o; __libc_init_array/exit still
 * reference these. */
void __attribute__((weak)) _init(void)
{
}

void __attribute__((weak)) _fini(void)
{
}

void Reset_Handler(void)
{
#if defined(__ARM_FP)
    /* Enable CP10/CP11 (the FPU) before any floating-point instruction
     * can run; the compiler may use FP registers anywhere. */
    SCB_CPACR |= SCB_CPACR_CP10_CP11;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif

    /* Copy initialised data from its load address in FLASH. */
    uint32_t *src = &_sidata;
    uint32_t *dst = &_sdata;
    while (dst < &_edata) {
        *dst++ = *src++;
    }

    /* Zero .bss. */
    dst = &_sbss;
    while (dst < &_ebss) {
        *dst++ = 0;
    }
    dst = &_snn_arena;
    while (dst < &_enn_arena) {
        *dst++ = 0;
    }

    /* Semihosting stdin/stdout/stderr for newlib (librdimon). */
    mcusim_init_stdio();

    /* Static constructors (none in plain C programs, but cheap). */
    __libc_init_array();

    exit(main());
}
