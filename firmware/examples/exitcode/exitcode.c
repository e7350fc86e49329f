/* Returns the number given on its command line ("exitcode 3" exits with 3):
 * checks that the firmware's exit status reaches the host unchanged. */
#include <stdio.h>

#include "mcusim.h"

int main(void) {
  int code = (int)mcusim_cmdline_number(0);
  printf("exiting with %d\n", code);
  return code;
}
