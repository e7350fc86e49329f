/* Shared by the workload programs: the repetition count from the semihosting
 * command line ("<name> REPS"), and the result line. */
#ifndef MCUSIM_WORKLOAD_H
#define MCUSIM_WORKLOAD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcusim.h"

static inline unsigned workload_reps(unsigned fallback) { return mcusim_cmdline_number(fallback); }

static inline int workload_done(const char *name, unsigned reps, uint32_t checksum) {
  printf("%s: reps=%u checksum=0x%08lx\n", name, reps, (unsigned long)checksum);
  return 0;
}

#endif
