/* A valid image with 640 KiB of constant data: it fits stm32f407 (1 MiB of
 * flash) but not stm32g0b1 (512 KiB at the same address). Used by the
 * "image larger than the device's flash" test. */
#include <stdio.h>

#define BLOB_SIZE (640u * 1024u)
__attribute__((used)) static const unsigned char blob[BLOB_SIZE] = {1, 2, 3};

int main(void) {
  volatile unsigned index = BLOB_SIZE - 1;
  printf("blob[last]=%u\n", blob[index]);
  return 0;
}
