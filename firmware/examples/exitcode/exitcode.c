/* Returns the number given on its command line ("exitcode 3" exits with 3):
 * checks that the firmware's exit status reaches the host unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcusim.h"

int main(void) {
  static char cmdline[128];
  struct { char *buf; int len; } block = {cmdline, sizeof cmdline - 1};
  int code = 0;
  if (mcusim_semihost(0x15 /* SYS_GET_CMDLINE */, &block) == 0) {
    const char *last = strrchr(cmdline, ' ');
    if (last) code = atoi(last + 1);
  }
  printf("exiting with %d\n", code);
  return code;
}
