/* Linked with newlib's default rdimon layout (text at 0x8000, entry _start,
 * no vector table): mcusim must refuse it with a clear message. */
#include <stdio.h>

int main(void) {
  printf("this image has no vector table\n");
  return 0;
}
