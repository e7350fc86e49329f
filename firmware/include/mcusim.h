/*
 * mcusim.h - tiny support library for firmware running on mcusim.
 *
 * Semihosting (Arm "Angel" interface, BKPT 0xAB), program exit with a status
 * code, console output, a cycle counter and the name of the core the image
 * was built for.
 */
#ifndef MCUSIM_H
#define MCUSIM_H

#include <stdint.h>

#include "mcusim_regs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Semihosting operation numbers */
#define MCUSIM_SYS_OPEN          0x01
#define MCUSIM_SYS_CLOSE         0x02
#define MCUSIM_SYS_WRITEC        0x03
#define MCUSIM_SYS_WRITE0        0x04
#define MCUSIM_SYS_WRITE         0x05
#define MCUSIM_SYS_READ          0x06
#define MCUSIM_SYS_READC         0x07
#define MCUSIM_SYS_ISERROR       0x08
#define MCUSIM_SYS_ISTTY         0x09
#define MCUSIM_SYS_SEEK          0x0A
#define MCUSIM_SYS_FLEN          0x0C
#define MCUSIM_SYS_TMPNAM        0x0D
#define MCUSIM_SYS_REMOVE        0x0E
#define MCUSIM_SYS_RENAME        0x0F
#define MCUSIM_SYS_CLOCK         0x10
#define MCUSIM_SYS_TIME          0x11
#define MCUSIM_SYS_SYSTEM        0x12
#define MCUSIM_SYS_ERRNO         0x13
#define MCUSIM_SYS_GET_CMDLINE   0x15
#define MCUSIM_SYS_HEAPINFO      0x16
#define MCUSIM_SYS_EXIT          0x18
#define MCUSIM_SYS_EXIT_EXTENDED 0x20
#define MCUSIM_SYS_ELAPSED       0x30
#define MCUSIM_SYS_TICKFREQ      0x31

/* ADP_Stopped_ApplicationExit: reason code for a normal program exit */
#define MCUSIM_ADP_STOPPED_APPLICATION_EXIT 0x20026

/* Issue semihosting call `op` with parameter `arg` (BKPT 0xAB, r0 = op,
 * r1 = arg). Returns the host's result from r0. */
int mcusim_semihost(int op, void *arg);

/* Stop the program with exit status `code` (SYS_EXIT_EXTENDED). */
void mcusim_exit(int code) __attribute__((noreturn));

/* Write one character to the host console (SYS_WRITEC). */
void mcusim_putc(char c);

/* Write a NUL-terminated string to the host console (SYS_WRITE0); no newline
 * is appended. */
void mcusim_puts(const char *s);

/* Start the cycle counter: the DWT cycle counter on ARMv7-M/ARMv8-M, or
 * SysTick free-running from the processor clock on ARMv6-M (which has no
 * DWT cycle counter). */
void mcusim_cycles_init(void);

/* Current cycle count. 32 bits (wrapping) with DWT; on ARMv6-M only 24 bits
 * from SysTick, so differences must be taken modulo 2^24 and intervals must
 * be shorter than 16,777,216 cycles. */
uint32_t mcusim_cycles(void);

/* Name of the core this image was compiled for, e.g. "cortex-m4f" (the names
 * used by mcusim device files: cortex-m0plus, cortex-m3, cortex-m4,
 * cortex-m4f, cortex-m7, cortex-m33). Override with -DMCUSIM_CORE_NAME="...". */
const char *mcusim_core_name(void);

/* Called by the start-up code before main to set up newlib's stdio over
 * semihosting (which mallocs its FILE structures). A program that needs no
 * stdio defines an empty one: no stdio and no heap get linked in. */
void mcusim_init_stdio(void);

/* The semihosting command line (SYS_GET_CMDLINE) into buf, NUL-terminated and
 * cut to size - 1 bytes; returns its length, or -1 (buf empty) when the host
 * gives none. */
int mcusim_cmdline(char *buf, uint32_t size);

/* The last all-digit word of the semihosting command line ("dotprod 2000"
 * gives 2000), or `fallback` when there is none. */
uint32_t mcusim_cmdline_number(uint32_t fallback);

#ifdef __cplusplus
}
#endif

/* ---- Layer markers --------------------------------------------------------
 * Bracket a layer (or any region) so that `mcusim run --report` shows its
 * cycles, time and, with a MAC count, cycles per MAC. The markers are writes
 * to ITM stimulus ports 1 (begin: the descriptor's address) and 2 (end), so the
 * same firmware runs unchanged on hardware: with ITM off the writes are
 * ignored, with a debugger they appear on SWO. See docs/markers.md. */
typedef struct {
  const char *name; /* layer name, e.g. "conv1" */
  const char *op;   /* op type, e.g. "CONV_2D" (may be NULL) */
  uint32_t macs;    /* multiply-accumulates in the layer (0 if unknown) */
} mcusim_layer_t;

/* The op type of an outermost marker that brackets one invocation of the model
 * (one inference): the markers directly inside it are its layers, other
 * outermost markers are set-up and not layers (docs/markers.md). */
#define MCUSIM_INVOKE_OP "INVOKE"

#define MCUSIM_ITM_PORT(n) (*(volatile uint32_t *)(0xE0000000u + 4u * (n)))

/* ARMv6-M (Cortex-M0/M0+) has no ITM: there the markers compile to nothing
 * unless MCUSIM_MARKERS_SIMULATOR_ONLY is defined (the firmware then only runs
 * in mcusim). Use --layer-pattern on those cores instead. */
#if defined(__ARM_ARCH_6M__) && !defined(MCUSIM_MARKERS_SIMULATOR_ONLY)
static inline void mcusim_layer_begin(const mcusim_layer_t *layer) { (void)layer; }
static inline void mcusim_layer_end(void) {}
#else
static inline void mcusim_layer_begin(const mcusim_layer_t *layer) {
  while (MCUSIM_ITM_PORT(1) == 0) { /* wait for the stimulus FIFO */
  }
  MCUSIM_ITM_PORT(1) = (uint32_t)(uintptr_t)layer;
}

static inline void mcusim_layer_end(void) {
  while (MCUSIM_ITM_PORT(2) == 0) {
  }
  MCUSIM_ITM_PORT(2) = 0;
}
#endif

#endif /* MCUSIM_H */
