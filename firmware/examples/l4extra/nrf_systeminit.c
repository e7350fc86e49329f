/*
 * nrf_systeminit - what nrfx's SystemInit (mdk/system_nrf52840.c) does on an
 * nRF52840 before main, at register level (nRF52840 Product Specification
 * v1.7, FICR §4.4, UICR §4.5, NVMC §4.3; the workarounds of the nRF52840
 * errata document as nrfx's mdk/nrf52_erratas.h selects them):
 *
 *   1. The errata checks read the undocumented FICR words 0x10000130 (part:
 *      0x08 = nRF52840) and 0x10000134 (revision). Errata 36 (CLOCK registers
 *      not reset) clears CLOCK EVENTS_DONE, EVENTS_CTTO and CTIV; errata 66
 *      (TEMP linearity) copies FICR TEMP.A0..T4 into TEMP A0..T4; errata 136
 *      (RESETREAS) clears RESETREAS.RESETPIN; those of the first engineering
 *      revision only (98, 103, 115, 120: revision 0x00 [UNVERIFIED]) are
 *      skipped on a later one.
 *   2. The FPU is enabled (CPACR CP10/CP11 full access).
 *   3. With "pinreset" (CONFIG_GPIO_AS_PINRESET): UICR PSELRESET[0..1] are
 *      programmed to P0.18 through the NVMC and the chip reset, once; with
 *      "nfc" (CONFIG_NFCT_PINS_AS_GPIOS): UICR NFCPINS.PROTECT cleared the
 *      same way. The second boot finds them programmed (UICR is non-volatile).
 *   4. main prints FICR INFO.PART/VARIANT/PACKAGE/RAM/FLASH, CODEPAGESIZE x
 *      CODESIZE, DEVICEADDR, and the UICR words, then exits 0.
 *
 *   nrf_systeminit [pinreset] [nfc]
 */
#include <stdio.h>
#include <string.h>

#include "mcusim.h"
#include "mcusim_regs.h"

#define FICR(off) MCUSIM_REG32(0x10000000u + (off))
#define UICR(off) MCUSIM_REG32(0x10001000u + (off))
#define FICR_CODEPAGESIZE 0x010u
#define FICR_CODESIZE     0x014u
#define FICR_DEVICEADDR0  0x0A4u
#define FICR_DEVICEADDR1  0x0A8u
#define FICR_INFO_PART    0x100u
#define FICR_INFO_VARIANT 0x104u
#define FICR_INFO_PACKAGE 0x108u
#define FICR_INFO_RAM     0x10Cu
#define FICR_INFO_FLASH   0x110u
#define FICR_TEMP_A0      0x404u /* A0..A5, B0..B5, T0..T4: 17 words */
#define UICR_PSELRESET0   0x200u
#define UICR_PSELRESET1   0x204u
#define UICR_NFCPINS      0x20Cu
#define UICR_REGOUT0      0x304u

#define CLOCK_EVENTS_DONE MCUSIM_REG32(0x4000010Cu)
#define CLOCK_EVENTS_CTTO MCUSIM_REG32(0x40000110u)
#define CLOCK_CTIV        MCUSIM_REG32(0x40000538u)
#define POWER_RESETREAS   MCUSIM_REG32(0x40000400u)
#define TEMP_A0_ADDR      0x4000C520u
#define NVMC_READY        MCUSIM_REG32(0x4001E400u)
#define NVMC_CONFIG       MCUSIM_REG32(0x4001E504u)
#define NVMC_CONFIG_WEN   1u
#define NVMC_CONFIG_REN   0u

static uint32_t errata_part(void) { return *(volatile uint32_t *)0x10000130u; }
static uint32_t errata_rev(void) { return *(volatile uint32_t *)0x10000134u; }

static void nvmc_wait(void)
{
    while (NVMC_READY == 0) {
    }
}

static void system_reset(void)
{
    __asm volatile("dsb 0xF" ::: "memory");
    SCB_AIRCR = 0x05FA0000u | (SCB_AIRCR & 0x700u) | 4u; /* VECTKEY, PRIGROUP kept, SYSRESETREQ */
    __asm volatile("dsb 0xF" ::: "memory");
    for (;;) {
    }
}

/* Program one UICR word through the NVMC (write enable, write, read-only again). */
static void uicr_program(uint32_t off, uint32_t value)
{
    NVMC_CONFIG = NVMC_CONFIG_WEN;
    nvmc_wait();
    UICR(off) = value;
    nvmc_wait();
    NVMC_CONFIG = NVMC_CONFIG_REN;
    nvmc_wait();
}

static unsigned workarounds;

static void system_init(int pinreset, int nfc)
{
    const uint32_t part = errata_part(), rev = errata_rev();
    if (part == 0x08) { /* errata 36 */
        CLOCK_EVENTS_DONE = 0;
        CLOCK_EVENTS_CTTO = 0;
        CLOCK_CTIV = 0;
        workarounds++;
    }
    if (part == 0x08) { /* errata 66 */
        for (unsigned i = 0; i < 17; i++) {
            const uint32_t ficr_off = FICR_TEMP_A0 + 4u * i;
            /* TEMP A0..A5 at 0x520, B0..B5 at 0x540, T0..T4 at 0x560 */
            const uint32_t temp = TEMP_A0_ADDR + (i < 6 ? 4u * i : i < 12 ? 0x20u + 4u * (i - 6) : 0x40u + 4u * (i - 12));
            MCUSIM_REG32(temp) = FICR(ficr_off);
        }
        workarounds++;
    }
    if (part == 0x08 && rev == 0x00) { /* errata 98, 103, 115, 120: first engineering revision */
        MCUSIM_REG32(0x4000568Cu) = 0x00038148u;
        workarounds++;
    }
    if (part == 0x08) { /* errata 136 */
        if (POWER_RESETREAS & 1u) POWER_RESETREAS = ~1u;
        workarounds++;
    }
    SCB_CPACR |= (3u << 20) | (3u << 22);
    __asm volatile("dsb 0xF\n isb 0xF" ::: "memory");
    if (nfc && (UICR(UICR_NFCPINS) & 1u)) {
        printf("programming UICR.NFCPINS, resetting\n");
        uicr_program(UICR_NFCPINS, UICR(UICR_NFCPINS) & ~1u);
        system_reset();
    }
    if (pinreset && ((UICR(UICR_PSELRESET0) & 0x80000000u) || (UICR(UICR_PSELRESET1) & 0x80000000u))) {
        printf("programming UICR.PSELRESET, resetting\n");
        uicr_program(UICR_PSELRESET0, 18);
        uicr_program(UICR_PSELRESET1, 18);
        system_reset();
    }
}

int main(void)
{
    char cmdline[128] = "";
    mcusim_cmdline(cmdline, sizeof cmdline);
    const int pinreset = strstr(cmdline, "pinreset") != NULL, nfc = strstr(cmdline, " nfc") != NULL;
    system_init(pinreset, nfc);
    printf("errata part 0x%02lx rev 0x%02lx, %u workarounds\n", (unsigned long)errata_part(), (unsigned long)errata_rev(), workarounds);
    const uint32_t v = FICR(FICR_INFO_VARIANT);
    printf("INFO.PART 0x%lx variant %c%c%c%c package 0x%lx RAM %lu kB flash %lu kB\n", (unsigned long)FICR(FICR_INFO_PART),
           (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v, (unsigned long)FICR(FICR_INFO_PACKAGE),
           (unsigned long)FICR(FICR_INFO_RAM), (unsigned long)FICR(FICR_INFO_FLASH));
    printf("flash %lu bytes (%lu pages of %lu)\n", (unsigned long)(FICR(FICR_CODEPAGESIZE) * FICR(FICR_CODESIZE)),
           (unsigned long)FICR(FICR_CODESIZE), (unsigned long)FICR(FICR_CODEPAGESIZE));
    printf("DEVICEADDR %04lx%08lx\n", (unsigned long)(FICR(FICR_DEVICEADDR1) & 0xFFFF), (unsigned long)FICR(FICR_DEVICEADDR0));
    printf("UICR PSELRESET 0x%08lx 0x%08lx NFCPINS 0x%08lx REGOUT0 0x%08lx\n", (unsigned long)UICR(UICR_PSELRESET0),
           (unsigned long)UICR(UICR_PSELRESET1), (unsigned long)UICR(UICR_NFCPINS), (unsigned long)UICR(UICR_REGOUT0));
    printf("TEMP A0 0x%lx (FICR 0x%lx)\n", (unsigned long)MCUSIM_REG32(TEMP_A0_ADDR), (unsigned long)FICR(FICR_TEMP_A0));
    return 0;
}
