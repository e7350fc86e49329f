// Runs every bundled firmware ELF (<app>-<device>.elf) through
// `mcusim run --report=json` with an instruction bound and checks the
// profile's contract on each report:
//   - every function: inclusive cycles >= self cycles, and a call when it has self cycles;
//   - the self cycles plus the unattributed ones are the run's cycles;
//   - the call depth stays a real stack's depth;
//   - the arena in use is its head plus its tail, within its size.
// Usage: profile_invariants <mcusim> <firmware dir> <work dir>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {
constexpr uint64_t kMaxInstructions = 2000000;
constexpr uint64_t kMaxDepth = 40; // the bundled firmware nests calls 10-15 deep

std::string quote(const std::string &s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// The problems of one report, one line each.
std::vector<std::string> check(const nlohmann::json &j) {
  std::vector<std::string> bad;
  const auto &p = j.at("profile");
  if (!p.at("profiled").get<bool>()) return {"not profiled"};
  uint64_t self = 0;
  for (const auto &f : p.at("functions")) {
    std::string name = f.at("name");
    uint64_t s = f.at("self_cycles"), incl = f.at("inclusive_cycles"), calls = f.at("calls");
    if (incl < s) bad.push_back(name + ": inclusive " + std::to_string(incl) + " < self " + std::to_string(s));
    if (s && !calls) bad.push_back(name + ": " + std::to_string(s) + " self cycles and no call");
    self += s;
  }
  uint64_t other = p.at("other_cycles"), cycles = j.at("totals").at("cycles");
  if (self + other != cycles)
    bad.push_back("self " + std::to_string(self) + " + unattributed " + std::to_string(other) + " != cycles " + std::to_string(cycles));
  uint64_t depth = p.at("max_call_depth");
  if (depth > kMaxDepth) bad.push_back("max_call_depth " + std::to_string(depth) + " (more than " + std::to_string(kMaxDepth) + ")");
  const auto &a = j.at("memory").at("arena");
  uint64_t used = a.at("used"), head = a.at("head"), tail = a.at("tail"), size = a.at("size");
  if (used != head + tail || used > size) bad.push_back("arena: used " + std::to_string(used) + " is not head + tail within its size");
  return bad;
}
} // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::cerr << "usage: profile_invariants <mcusim> <firmware dir> <work dir>\n";
    return 2;
  }
  const std::string mcusim = argv[1];
  const fs::path fw = argv[2], work = argv[3];
  fs::create_directories(work / "sandbox");
  std::vector<fs::path> elfs;
  for (const auto &e : fs::directory_iterator(fw))
    if (e.path().extension() == ".elf") elfs.push_back(e.path());
  std::sort(elfs.begin(), elfs.end());
  // Images made to be refused (no vector table, too big for their device).
  const std::set<std::string> refused{"novector", "big"};
  int checked = 0, failed = 0;
  for (const auto &elf : elfs) {
    std::string stem = elf.stem().string();
    auto dash = stem.find('-');
    if (dash == std::string::npos) continue;
    std::string app = stem.substr(0, dash), device = stem.substr(dash + 1);
    // Model images are <program>-<model>-<device> (docs/tinyml.md); model names have no '-'.
    if ((app == "model" || app == "adscore" || app == "eembc") && device.find('-') != std::string::npos)
      device = device.substr(device.find('-') + 1);
    if (refused.count(app)) continue;
    fs::path out = work / (stem + ".json");
    fs::remove(out);
    std::string cmd = quote(mcusim) + " run " + quote(elf.string()) + " --device " + quote(device) + " -q --no-db --report=json" +
                      " --report-out " + quote(out.string()) + " --max-instructions " + std::to_string(kMaxInstructions) +
                      " --timeout 60 --semihost-dir " + quote((work / "sandbox").string()) + " </dev/null >/dev/null 2>" +
                      quote((work / (stem + ".err")).string());
    int rc = std::system(cmd.c_str());
    std::ifstream in(out);
    if (!in) {
      std::cerr << stem << ": no report (mcusim returned " << rc << ")\n";
      ++failed;
      continue;
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const std::exception &e) {
      std::cerr << stem << ": report is not JSON: " << e.what() << "\n";
      ++failed;
      continue;
    }
    std::vector<std::string> bad;
    try {
      bad = check(j);
    } catch (const std::exception &e) {
      bad = {std::string("report lacks a field: ") + e.what()};
    }
    ++checked;
    for (const auto &b : bad) std::cerr << stem << ": " << b << "\n";
    if (!bad.empty()) ++failed;
  }
  std::cout << checked << " reports checked, " << failed << " failed\n";
  if (checked < 20) {
    std::cerr << "too few firmware images in " << fw << "\n";
    return 1;
  }
  return failed ? 1 : 0;
}
