/*
 * th_api.h - the porting layer of the EEMBC / MLPerf Tiny runner protocol
 * (the functions a submitter implements, named th_* as in the benchmark's
 * API), as this firmware provides them: serial I/O on USART2, the timestamp
 * from the DWT cycle counter, the model from mcusim-nnc's generated code.
 * Written for mcusim from the protocol's description (docs/eembc.md).
 */
#ifndef TH_API_H
#define TH_API_H

#include <stddef.h>
#include <stdint.h>

/* Vendor string of `name` (m-name-dut-[...]) and the model of `profile`. */
#define TH_VENDOR_NAME_STRING "mcusim"
#define TH_MODEL_VERSION "kws01"

/* The runner's timestamp line: microseconds since the timer started. */
#define EE_MSG_TIMESTAMP "m-lap-us-%lu\r\n"
#define EE_MSG_TIMESTAMP_MODE "m-timestamp-mode-performance\r\n"

/* Core API */
void th_load_tensor(void);      /* the db buffer into the model's input */
void th_infer(void);            /* one inference */
void th_results(void);          /* m-results-[...] of the last inference */
void th_timestamp(void);        /* m-lap-us-N */
void th_printf(const char *fmt, ...); /* %s %c %d %u %lu %ld %x %02x %% */
char th_getchar(void);          /* the next received character (waits) */

/* Optional API */
void th_serialport_initialize(void);
void th_timestamp_initialize(void);
void th_final_initialize(void);
void th_pre(void);
void th_post(void);

/* The largest `db load` the firmware accepts: the model's input, in bytes. */
size_t th_max_db_bytes(void);

#endif /* TH_API_H */
