/*
 * dotprod - CPU-bound int8 inference kernel (TinyML-like).
 *
 * One "neuron" of a quantised fully connected layer: the int8 dot product of
 * 1024 constant weights (in FLASH, section .rodata.weights, 1 KiB aligned)
 * with a 1024-element int8 activation vector in RAM, accumulated in int32,
 * then requantised to int8 (fixed-point multiply, rounding shift, zero point,
 * saturation). Each repetition feeds its output back into the activations so
 * no repetition can be hoisted or skipped. Fully deterministic.
 *
 * Usage (semihosting command line): dotprod [REPS]   (default 2000)
 * Prints "dotprod: reps=R checksum=0x%08x" and exits 0.
 */
#include <stdint.h>
#include <stdio.h>

#include "mcusim.h"

#define N            1024
#define DEFAULT_REPS 2000u

/* ---- weights: 1024 pseudo-random int8 values computed at compile time ---- */
#define W(i)    ((int8_t)((int)((((uint32_t)(i) * 2654435761u) >> 13) & 0xFFu) - 128))
#define W4(i)   W(i), W((i) + 1), W((i) + 2), W((i) + 3)
#define W16(i)  W4(i), W4((i) + 4), W4((i) + 8), W4((i) + 12)
#define W64(i)  W16(i), W16((i) + 16), W16((i) + 32), W16((i) + 48)
#define W256(i) W64(i), W64((i) + 64), W64((i) + 128), W64((i) + 192)

__attribute__((section(".rodata.weights"), aligned(1024)))
const int8_t g_weights[N] = {
    W256(0), W256(256), W256(512), W256(768),
};

/* ---- activations (RAM) ---- */
static int8_t g_input[N];

/* Requantisation parameters (as produced by a TFLite-style converter). */
#define REQ_MULTIPLIER 1518500250 /* ~0.7071 in Q31 */
#define REQ_SHIFT      11
#define REQ_ZERO_POINT (-3)

static int32_t dot_s8(const int8_t *a, const int8_t *b, int n)
{
    int32_t acc = 0;
    for (int i = 0; i < n; i++) {
        acc += (int32_t)a[i] * (int32_t)b[i];
    }
    return acc;
}

/* Rounding doubling high multiply (Q31) followed by a rounding right shift,
 * zero point and saturation to int8. */
static int8_t requantize(int32_t acc)
{
    int64_t prod = (int64_t)acc * (int64_t)REQ_MULTIPLIER;
    int32_t high = (int32_t)((prod + (1ll << 30)) >> 31);
    int32_t v = (high + (1 << (REQ_SHIFT - 1))) >> REQ_SHIFT;
    v += REQ_ZERO_POINT;
    if (v > 127) {
        v = 127;
    } else if (v < -128) {
        v = -128;
    }
    return (int8_t)v;
}

static void init_input(void)
{
    uint32_t x = 0x12345678u;
    for (int i = 0; i < N; i++) {
        x = x * 1664525u + 1013904223u; /* LCG */
        g_input[i] = (int8_t)(x >> 24);
    }
}


int main(void)
{
    uint32_t reps = mcusim_cmdline_number(DEFAULT_REPS);
    uint32_t checksum = 0x811C9DC5u; /* FNV-1a offset basis */

    init_input();

    for (uint32_t r = 0; r < reps; r++) {
        int32_t acc = dot_s8(g_weights, g_input, N);
        int8_t out = requantize(acc);

        /* feed back so every repetition depends on the previous one */
        g_input[r & (N - 1)] = (int8_t)(out ^ (int8_t)r);

        checksum ^= (uint8_t)out;
        checksum *= 16777619u; /* FNV prime */
        checksum ^= (uint32_t)acc;
    }

    printf("dotprod: reps=%lu checksum=0x%08lx\n", (unsigned long)reps, (unsigned long)checksum);
    return 0;
}
