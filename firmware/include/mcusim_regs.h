/*
 * mcusim_regs.h - minimal Cortex-M system register definitions.
 *
 * A small, CMSIS-like subset of the System Control Space (SCS) registers
 * used by the mcusim firmware: SCB, NVIC, SysTick, DWT and the FPU
 * coprocessor access register, plus a few core-register intrinsics.
 * Works for ARMv6-M, ARMv7-M and ARMv8-M Mainline.
 */
#ifndef MCUSIM_REGS_H
#define MCUSIM_REGS_H

#include <stdint.h>

#define MCUSIM_REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* ---- System Control Block ------------------------------------------------ */
#define SCB_CPUID   MCUSIM_REG32(0xE000ED00u) /* CPUID base register */
#define SCB_ICSR    MCUSIM_REG32(0xE000ED04u) /* interrupt control and state */
#define SCB_VTOR    MCUSIM_REG32(0xE000ED08u) /* vector table offset */
#define SCB_AIRCR   MCUSIM_REG32(0xE000ED0Cu) /* app interrupt and reset control */
#define SCB_SCR     MCUSIM_REG32(0xE000ED10u) /* system control */
#define SCB_CCR     MCUSIM_REG32(0xE000ED14u) /* configuration and control */
#define SCB_SHPR1   MCUSIM_REG32(0xE000ED18u) /* system handler priority 1 (v7-M+) */
#define SCB_SHPR2   MCUSIM_REG32(0xE000ED1Cu) /* system handler priority 2 */
#define SCB_SHPR3   MCUSIM_REG32(0xE000ED20u) /* system handler priority 3 */
#define SCB_SHCSR   MCUSIM_REG32(0xE000ED24u) /* system handler control and state */
#define SCB_CFSR    MCUSIM_REG32(0xE000ED28u) /* configurable fault status (v7-M+) */
#define SCB_HFSR    MCUSIM_REG32(0xE000ED2Cu) /* HardFault status (v7-M+) */
#define SCB_MMFAR   MCUSIM_REG32(0xE000ED34u) /* MemManage fault address (v7-M+) */
#define SCB_BFAR    MCUSIM_REG32(0xE000ED38u) /* BusFault address (v7-M+) */
#define SCB_CPACR   MCUSIM_REG32(0xE000ED88u) /* coprocessor access control */

#define SCB_ICSR_PENDSVSET   (1u << 28)
#define SCB_ICSR_PENDSVCLR   (1u << 27)
#define SCB_ICSR_PENDSTSET   (1u << 26)
#define SCB_ICSR_PENDSTCLR   (1u << 25)
#define SCB_ICSR_VECTACTIVE  0x1FFu

#define SCB_CCR_UNALIGN_TRP  (1u << 3)
#define SCB_CCR_DIV_0_TRP    (1u << 4)

#define SCB_SHCSR_MEMFAULTENA (1u << 16)
#define SCB_SHCSR_BUSFAULTENA (1u << 17)
#define SCB_SHCSR_USGFAULTENA (1u << 18)

/* CFSR = UFSR[31:16] | BFSR[15:8] | MMFSR[7:0] */
#define SCB_CFSR_IBUSERR     (1u << 8)
#define SCB_CFSR_PRECISERR   (1u << 9)
#define SCB_CFSR_IMPRECISERR (1u << 10)
#define SCB_CFSR_BFARVALID   (1u << 15)
#define SCB_CFSR_UNDEFINSTR  (1u << 16)
#define SCB_CFSR_INVSTATE    (1u << 17)
#define SCB_CFSR_NOCP        (1u << 19)
#define SCB_CFSR_UNALIGNED   (1u << 24)
#define SCB_CFSR_DIVBYZERO   (1u << 25)

#define SCB_HFSR_FORCED      (1u << 30)

/* CP10/CP11 full access */
#define SCB_CPACR_CP10_CP11  (0xFu << 20)

/* Software trigger interrupt register (v7-M+) */
#define NVIC_STIR   MCUSIM_REG32(0xE000EF00u)

/* FPU context control (v7-M/v8-M with FP) */
#define FPU_FPCCR   MCUSIM_REG32(0xE000EF34u)
#define FPU_FPCAR   MCUSIM_REG32(0xE000EF38u)
#define FPU_FPDSCR  MCUSIM_REG32(0xE000EF3Cu)

/* ---- NVIC ---------------------------------------------------------------- */
#define NVIC_ISER(n) MCUSIM_REG32(0xE000E100u + 4u * (n)) /* set-enable */
#define NVIC_ICER(n) MCUSIM_REG32(0xE000E180u + 4u * (n)) /* clear-enable */
#define NVIC_ISPR(n) MCUSIM_REG32(0xE000E200u + 4u * (n)) /* set-pending */
#define NVIC_ICPR(n) MCUSIM_REG32(0xE000E280u + 4u * (n)) /* clear-pending */
#define NVIC_IABR(n) MCUSIM_REG32(0xE000E300u + 4u * (n)) /* active (v7-M+) */
#define NVIC_IPR(n)  MCUSIM_REG32(0xE000E400u + 4u * (n)) /* priority, 4 IRQs/word */

/* ---- SysTick ------------------------------------------------------------- */
#define SYST_CSR    MCUSIM_REG32(0xE000E010u) /* control and status */
#define SYST_RVR    MCUSIM_REG32(0xE000E014u) /* reload value */
#define SYST_CVR    MCUSIM_REG32(0xE000E018u) /* current value */
#define SYST_CALIB  MCUSIM_REG32(0xE000E01Cu) /* calibration */

#define SYST_CSR_ENABLE     (1u << 0)
#define SYST_CSR_TICKINT    (1u << 1)
#define SYST_CSR_CLKSOURCE  (1u << 2)
#define SYST_CSR_COUNTFLAG  (1u << 16)

/* ---- Debug / DWT (v7-M+) ------------------------------------------------- */
#define DCB_DEMCR   MCUSIM_REG32(0xE000EDFCu)
#define DCB_DEMCR_TRCENA (1u << 24)

#define DWT_CTRL    MCUSIM_REG32(0xE0001000u)
#define DWT_CYCCNT  MCUSIM_REG32(0xE0001004u)
#define DWT_LAR     MCUSIM_REG32(0xE0001FB0u) /* lock access (Cortex-M7) */
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_LAR_KEY 0xC5ACCE55u

/* ---- Core register intrinsics ------------------------------------------- */
static inline __attribute__((always_inline)) void mcusim_dsb(void)
{
    __asm__ volatile("dsb" ::: "memory");
}

static inline __attribute__((always_inline)) void mcusim_isb(void)
{
    __asm__ volatile("isb" ::: "memory");
}

static inline __attribute__((always_inline)) void mcusim_wfi(void)
{
    __asm__ volatile("wfi" ::: "memory");
}

static inline __attribute__((always_inline)) void mcusim_irq_enable(void)
{
    __asm__ volatile("cpsie i" ::: "memory");
}

static inline __attribute__((always_inline)) void mcusim_irq_disable(void)
{
    __asm__ volatile("cpsid i" ::: "memory");
}

static inline __attribute__((always_inline)) uint32_t mcusim_get_ipsr(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, ipsr" : "=r"(v));
    return v;
}

static inline __attribute__((always_inline)) uint32_t mcusim_get_control(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, control" : "=r"(v));
    return v;
}

static inline __attribute__((always_inline)) uint32_t mcusim_get_msp(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, msp" : "=r"(v));
    return v;
}

static inline __attribute__((always_inline)) uint32_t mcusim_get_psp(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, psp" : "=r"(v));
    return v;
}

static inline __attribute__((always_inline)) void mcusim_set_psp(uint32_t v)
{
    __asm__ volatile("msr psp, %0" : : "r"(v) : "memory");
}

static inline __attribute__((always_inline)) uint32_t mcusim_get_sp(void)
{
    uint32_t v;
    __asm__ volatile("mov %0, sp" : "=r"(v));
    return v;
}

static inline __attribute__((always_inline)) uint32_t mcusim_get_primask(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, primask" : "=r"(v));
    return v;
}

/* NVIC helpers. Priority registers are written a word at a time because
 * ARMv6-M only supports word accesses to NVIC_IPR. */
static inline void mcusim_nvic_enable(unsigned irq)
{
    NVIC_ISER(irq >> 5) = 1u << (irq & 31u);
}

static inline void mcusim_nvic_disable(unsigned irq)
{
    NVIC_ICER(irq >> 5) = 1u << (irq & 31u);
    mcusim_dsb();
    mcusim_isb();
}

static inline void mcusim_nvic_set_pending(unsigned irq)
{
    NVIC_ISPR(irq >> 5) = 1u << (irq & 31u);
}

static inline void mcusim_nvic_clear_pending(unsigned irq)
{
    NVIC_ICPR(irq >> 5) = 1u << (irq & 31u);
}

static inline void mcusim_nvic_set_priority(unsigned irq, uint8_t prio)
{
    unsigned shift = (irq & 3u) * 8u;
    uint32_t v = NVIC_IPR(irq >> 2);
    v &= ~(0xFFu << shift);
    v |= (uint32_t)prio << shift;
    NVIC_IPR(irq >> 2) = v;
}

#endif /* MCUSIM_REGS_H */
