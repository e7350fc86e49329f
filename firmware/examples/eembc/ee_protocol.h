/*
 * ee_protocol.h - the runner protocol's command side (the benchmark's
 * "internally implemented" part): characters are collected up to the
 * terminator '%', then the command runs and `m-ready` follows. Commands:
 *
 *   name              m-name-dut-[VENDOR]
 *   timestamp         m-lap-us-N
 *   profile           m-profile-[FIRMWARE], m-model-[MODEL]
 *   help              the command list
 *   db load N         m-[Expecting N bytes] (N at most th_max_db_bytes())
 *   db HHHH...        hex bytes into the buffer; m-load-done once N arrived
 *   db print          the buffer as hex, 8 bytes a line (m-buffer-...)
 *   infer N [W]       N inferences (default 1) after W warm-ups (default 10):
 *                     m-warmup-start-W, m-warmup-done, m-infer-start-N,
 *                     m-lap-us-T0, m-lap-us-T1, m-infer-done, m-results-[...]
 *   results           m-results-[...] again
 *
 * Errors are one e-[...] line (then m-ready).
 */
#ifndef EE_PROTOCOL_H
#define EE_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define EE_CMD_SIZE 80u
#define EE_CMD_TERMINATOR '%'
#define EE_FW_VERSION "ULPMark for tinyML Firmware V0.0.1"

/* Initialises the port layer, prints m-init-done and the first m-ready. */
void ee_benchmark_initialize(void);
/* One received character: runs the command when it is the terminator. */
void ee_serial_callback(char c);
/* The bytes the db commands loaded so far (at most max_len copied). */
size_t ee_get_buffer(uint8_t *buffer, size_t max_len);

#endif /* EE_PROTOCOL_H */
