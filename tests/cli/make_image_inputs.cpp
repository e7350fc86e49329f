// Writes the bad Intel HEX and raw binary inputs of the CLI tests, and
// text-mutated copies of a good .hex for the loader's mutation test
// (tests/cli/check_mutants.cmake with PATTERN mutant-*.hex):
//   make_image_inputs GOOD_HEX OUTDIR MUTANTS SEED
// Deterministic: the same .hex, count and seed give the same files.
//   empty.hex, empty.bin     nothing in them
//   malformed.hex            line 2 holds a non-hex digit
//   bad-checksum.hex         line 3's checksum is one more than it should be
//   truncated.hex            the first half of the lines (no end-of-file record)
//   too-big.bin              1 MiB + 1 byte (one more than the stm32f407's flash)
//   mutants/mutant-NNN.hex   one to four mutations each: a character changed
//                            (to a hex digit or any byte), a line dropped,
//                            repeated or cut short, or the file cut
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "splitmix64.h"

namespace fs = std::filesystem;

namespace {

using mcusim::test::Random;

bool write(const fs::path &p, const std::string &bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
  return bool(out);
}

std::vector<std::string> lines_of(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l + "\n");
  return lines;
}

std::string join(const std::vector<std::string> &lines) {
  std::string s;
  for (const auto &l : lines) s += l;
  return s;
}

std::string mutate(std::vector<std::string> lines, Random &rng) {
  const char *digits = "0123456789ABCDEF";
  unsigned n = 1 + unsigned(rng.below(4));
  for (unsigned k = 0; k < n && !lines.empty(); ++k) {
    size_t i = rng.below(lines.size());
    std::string &l = lines[i];
    switch (rng.below(6)) {
    case 0: // a hex digit changed (mostly a checksum error)
    case 1:
      if (l.size() > 2) l[1 + rng.below(l.size() - 2)] = digits[rng.below(16)];
      break;
    case 2: // any byte anywhere in the line
      l[rng.below(l.size())] = char(rng.next());
      break;
    case 3: lines.erase(lines.begin() + long(i)); break;
    case 4: lines.insert(lines.begin() + long(i), l); break;
    default: l = l.substr(0, rng.below(l.size())) + "\n"; break;
    }
  }
  std::string text = join(lines);
  if (rng.below(10) == 0) text.resize(rng.below(text.size() + 1));
  return text;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    std::cerr << "usage: make_image_inputs GOOD_HEX OUTDIR MUTANTS SEED\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto lines = lines_of(good);
  if (lines.size() < 8) {
    std::cerr << argv[1] << ": not a .hex of several lines\n";
    return 1;
  }
  fs::path out = argv[2];
  fs::create_directories(out / "mutants");
  bool ok = write(out / "empty.hex", "") && write(out / "empty.bin", "");
  auto malformed = lines;
  malformed[1][9] = 'G';
  ok = ok && write(out / "malformed.hex", join(malformed));
  auto bad_sum = lines;
  {
    std::string &l = bad_sum[2];
    size_t end = l.find_first_of("\r\n");
    unsigned v = unsigned(std::stoul(l.substr(end - 2, 2), nullptr, 16));
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02X", (v + 1) & 0xFF);
    l.replace(end - 2, 2, buf);
  }
  ok = ok && write(out / "bad-checksum.hex", join(bad_sum));
  ok = ok && write(out / "truncated.hex", join(std::vector<std::string>(lines.begin(), lines.begin() + long(lines.size() / 2))));
  ok = ok && write(out / "too-big.bin", std::string((1u << 20) + 1, '\0'));
  Random rng{std::stoull(argv[4])};
  unsigned count = unsigned(std::stoul(argv[3]));
  for (unsigned i = 0; i < count && ok; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "mutant-%03u.hex", i);
    ok = write(out / "mutants" / name, mutate(lines, rng));
  }
  if (!ok) {
    std::cerr << "cannot write to " << out << "\n";
    return 1;
  }
  return 0;
}
