/*
 * mcusim.c - support library for firmware running on mcusim.
 */
#include "mcusim.h"

#include <stdint.h>

int mcusim_semihost(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    /* BKPT 0xAB is the semihosting trap on M-profile (v6-M, v7-M, v8-M). */
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void mcusim_exit(int code)
{
    uint32_t block[2];
    block[0] = MCUSIM_ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint32_t)code;
    mcusim_semihost(MCUSIM_SYS_EXIT_EXTENDED, block);

    /* Host without SYS_EXIT_EXTENDED: plain SYS_EXIT (AArch32 passes the
     * reason code directly in r1; the status is lost). */
    mcusim_semihost(MCUSIM_SYS_EXIT, (void *)(uintptr_t)MCUSIM_ADP_STOPPED_APPLICATION_EXIT);

    for (;;) {
    }
}

/*
 * Override newlib/libgloss _exit so that exit(main()) reports the status
 * through SYS_EXIT_EXTENDED regardless of whether the host advertises the
 * ":semihosting-features" extension. This object is linked directly into
 * every image, so librdimon's _exit is never pulled in.
 */
void _exit(int code) __attribute__((noreturn));
void _exit(int code)
{
    mcusim_exit(code);
}

void mcusim_putc(char c)
{
    char ch = c;
    mcusim_semihost(MCUSIM_SYS_WRITEC, &ch);
}

void mcusim_puts(const char *s)
{
    mcusim_semihost(MCUSIM_SYS_WRITE0, (void *)(uintptr_t)s);
}

void mcusim_cycles_init(void)
{
#if defined(__ARM_ARCH_6M__)
    /* No DWT cycle counter on ARMv6-M: run SysTick free from the processor
     * clock, no interrupt. */
    SYST_CSR = 0;
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_ENABLE;
#else
    DCB_DEMCR |= DCB_DEMCR_TRCENA;
#if defined(__ARM_ARCH_7EM__) && defined(__ARM_FP) && (__ARM_FP & 8)
    /* Cortex-M7: the DWT is locked after reset. */
    DWT_LAR = DWT_LAR_KEY;
#endif
    DWT_CYCCNT = 0;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
#endif
}

uint32_t mcusim_cycles(void)
{
#if defined(__ARM_ARCH_6M__)
    /* SysTick counts down; 24-bit, wraps every 2^24 cycles. */
    return 0x00FFFFFFu - (SYST_CVR & 0x00FFFFFFu);
#else
    return DWT_CYCCNT;
#endif
}

const char *mcusim_core_name(void)
{
#if defined(MCUSIM_CORE_NAME)
    return MCUSIM_CORE_NAME;
#elif defined(__ARM_ARCH_6M__)
    return "cortex-m0plus";
#elif defined(__ARM_ARCH_7M__)
    return "cortex-m3";
#elif defined(__ARM_ARCH_7EM__)
#if defined(__ARM_FP) && (__ARM_FP & 8)
    return "cortex-m7";
#elif defined(__ARM_FP)
    return "cortex-m4f";
#else
    return "cortex-m4";
#endif
#elif defined(__ARM_ARCH_8M_BASE__)
    return "cortex-m23";
#elif defined(__ARM_ARCH_8M_MAIN__)
    return "cortex-m33";
#elif defined(__ARM_ARCH_8_1M_MAIN__)
    return "cortex-m55";
#else
    return "unknown";
#endif
}

int mcusim_cmdline(char *buf, uint32_t size)
{
    if (size == 0) {
        return -1;
    }
    struct {
        char *ptr;
        uint32_t len;
    } block = {buf, size - 1};

    buf[0] = '\0';
    if (mcusim_semihost(MCUSIM_SYS_GET_CMDLINE, &block) != 0) {
        return -1;
    }
    if (block.len > size - 1) {
        block.len = size - 1;
    }
    buf[block.len] = '\0';
    return (int)block.len;
}

uint32_t mcusim_cmdline_number(uint32_t fallback)
{
    char buf[128];
    if (mcusim_cmdline(buf, sizeof buf) < 0) {
        return fallback;
    }

    uint32_t result = fallback;
    const char *p = buf;
    while (*p) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        const char *word = p;
        uint32_t value = 0;
        int digits_only = 1;
        while (*p && *p != ' ' && *p != '\t') {
            if (*p >= '0' && *p <= '9') {
                value = value * 10u + (uint32_t)(*p - '0');
            } else {
                digits_only = 0;
            }
            p++;
        }
        if (p != word && digits_only) {
            result = value;
        }
    }
    return result;
}
