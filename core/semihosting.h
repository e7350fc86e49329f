/// \file
/// ARM semihosting (BKPT 0xAB): console and sandboxed host-file I/O, clocks,
/// command line, heap info and exit, as newlib's rdimon expects them.
#pragma once

#include "core/console.h"
#include "core/sandbox.h"
#include "memory/memory_map.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace mcusim {

struct HeapInfo {
  uint32_t heap_base = 0, heap_limit = 0, stack_base = 0, stack_limit = 0;
};

class Semihosting {
public:
  struct Config {
    std::filesystem::path sandbox; ///< host files are reachable only inside it (empty: none); see core/sandbox.h
    std::string cmdline;           ///< returned by SYS_GET_CMDLINE
    HeapInfo heap;
  };
  Semihosting(const MemoryMap &mem, Console &console, Config config, std::function<uint64_t()> cycles, double hz);
  ~Semihosting();

  struct Outcome {
    uint32_t r0 = 0;
    std::optional<int> exit_code; ///< set when the firmware asked to exit
    bool exit_abnormal = false;   ///< exit with a reason other than ApplicationExit
    uint32_t exit_reason = 0;
  };
  /// Serve one call: op in r0, parameter block address in r1.
  Outcome call(uint32_t op, uint32_t arg);

  static const char *op_name(uint32_t op);

private:
  struct Handle {
    enum Kind { Stdin, Stdout, Stderr, File, Features } kind;
    FILE *file = nullptr;
    size_t pos = 0; // for Features
  };
  bool arg(uint32_t block, unsigned index, uint32_t &out) const;
  std::optional<std::string> guest_string(uint32_t addr, uint32_t len) const;
  int open(const std::string &name, uint32_t mode);
  /// One call each (parameter block at `a`); fail() sets errno and returns -1.
  Outcome fail(int e);
  Outcome sys_open(uint32_t a);
  Outcome sys_close(uint32_t a);
  Outcome sys_write0(uint32_t a);
  Outcome sys_write(uint32_t a);
  Outcome sys_read(uint32_t a);
  Outcome sys_istty(uint32_t a);
  Outcome sys_seek(uint32_t a);
  Outcome sys_flen(uint32_t a);
  Outcome sys_remove(uint32_t a);
  Outcome sys_rename(uint32_t a);
  Outcome sys_get_cmdline(uint32_t a);
  Outcome sys_heapinfo(uint32_t a);

  const MemoryMap &mem_;
  Console &console_;
  Config config_;
  std::unique_ptr<SandboxRoot> root_; ///< opened once; null without a sandbox
  std::function<uint64_t()> cycles_;
  double hz_;
  std::map<int, Handle> handles_;
  int next_handle_ = 1;
  int errno_ = 0;
  std::chrono::steady_clock::time_point start_;
};

} // namespace mcusim
