/*
 * nn_runner.h - runs any model mcusim-nnc compiled (const nn_model_t *) and
 * prints its result as text, identically on the host (host_main.c) and in
 * mcusim (fw_main.c), line by line (docs/tinyml.md, "The runner"):
 *
 *     model kws_int8
 *     input seed 1                  (or: input file NAME)
 *     output int8 12 0afe...        (type, element count, lowercase hex of
 *                                    the raw bytes, little endian)
 *     output crc32 1a2b3c4d         (CRC-32/ISO-HDLC of the raw output bytes)
 *
 * Plain C11, no allocation, no C library beyond <stdint.h>/<stddef.h>: every
 * line goes out through a put-string function the caller gives (stdout on the
 * host, semihosting in firmware), possibly in several pieces per line.
 */
#ifndef NN_RUNNER_H
#define NN_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "mcusim_nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a NUL-terminated piece of text (no newline is added). */
typedef void (*nn_put_string)(const char *text);

/* Bytes of the model's input / output tensor. */
uint32_t nn_runner_input_bytes(const nn_model_t *model);
uint32_t nn_runner_output_bytes(const nn_model_t *model);

/* Fills the input with the plan's xorshift32 sequence: state = seed (0 -> 1),
 * per element state ^= state << 13; state ^= state >> 17; state ^= state << 5;
 * int8 = (int8_t)(state >> 24); float = ((int32_t)(state >> 8) - (1 << 23)) /
 * (float)(1 << 23) * 4.0f. */
void nn_runner_fill_random(const nn_model_t *model, uint32_t seed);

/* Copies `bytes` raw input bytes (little endian) into the input. Returns 0, or
 * -1 (input untouched) when `bytes` is not nn_runner_input_bytes(model). */
int nn_runner_set_input(const nn_model_t *model, const void *data, uint32_t bytes);

/* Where the input comes from: `data` (nn_runner_input_bytes(model) bytes
 * the caller keeps) or, when `data` is NULL, the xorshift sequence of `seed`. */
typedef struct {
  const void *data;
  uint32_t seed;
} nn_runner_input;

/* Sets the input from `input`. */
void nn_runner_load_input(const nn_model_t *model, const nn_runner_input *input);

/* Runs the model `invocations` times (at least once), loading the input
 * before each: once the first operator has read the input, the arena plan
 * reuses its memory, so an invocation leaves the input overwritten. Every
 * invocation therefore computes the same output. */
void nn_runner_run(const nn_model_t *model, const nn_runner_input *input, uint32_t invocations);

/* Calls model->invoke() `invocations` times (at least once) WITHOUT setting
 * the input again: only the first invocation reads the input the caller set;
 * the later ones read whatever the arena holds. Use nn_runner_run. */
void nn_runner_invoke(const nn_model_t *model, uint32_t invocations);

/* "model NAME\n" */
void nn_runner_print_model(const nn_model_t *model, nn_put_string put);
/* "input seed N\n" (N in decimal) */
void nn_runner_print_input_seed(uint32_t seed, nn_put_string put);
/* "input file NAME\n", NAME being the part of `path` after its last '/' or
 * '\\', so that the host (a path) and the firmware (a name in the semihosting
 * directory) print the same line. */
void nn_runner_print_input_file(const char *path, nn_put_string put);
/* "output TYPE COUNT HEX\n" then "output crc32 XXXXXXXX\n" */
void nn_runner_print_output(const nn_model_t *model, nn_put_string put);

/* CRC-32/ISO-HDLC (zlib's crc32: reflected 0xEDB88320, init and final xor
 * 0xFFFFFFFF); crc32("123456789") = 0xcbf43926. */
uint32_t nn_runner_crc32(const void *data, uint32_t bytes);

#ifdef __cplusplus
}
#endif

#endif /* NN_RUNNER_H */
