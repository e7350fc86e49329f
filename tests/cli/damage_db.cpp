// Damages a SQLite database file the way a bad disk sector would: overwrites
// its middle page with a fixed byte pattern and leaves the header (page 1)
// intact, so the file still opens as a SQLite database of the same program.
//   damage_db FILE
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: damage_db FILE\n");
    return 64;
  }
  std::fstream f(argv[1], std::ios::in | std::ios::out | std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "damage_db: cannot open %s\n", argv[1]);
    return 66;
  }
  unsigned char header[100] = {};
  f.read(reinterpret_cast<char *>(header), sizeof header);
  f.seekg(0, std::ios::end);
  const long long size = f.tellg();
  // Bytes 16-17: the page size, big-endian; 1 means 65536.
  unsigned page_size = unsigned(header[16]) << 8 | header[17];
  if (page_size == 1) page_size = 65536;
  if (!f || page_size < 512 || size % page_size != 0 || size / page_size < 3) {
    std::fprintf(stderr, "damage_db: %s: not a SQLite database of at least 3 pages\n", argv[1]);
    return 65;
  }
  const long long pages = size / page_size, victim = pages / 2 + 1; // 1-based; never page 1
  std::vector<char> pattern(page_size);
  for (unsigned i = 0; i < page_size; ++i) pattern[i] = char((i * 37 + 11) & 0xff);
  f.seekp((victim - 1) * page_size);
  f.write(pattern.data(), std::streamsize(pattern.size()));
  f.flush();
  if (!f) {
    std::fprintf(stderr, "damage_db: cannot write %s\n", argv[1]);
    return 74;
  }
  std::printf("damaged page %lld of %lld (%u bytes each) in %s\n", victim, pages, page_size, argv[1]);
  return 0;
}
