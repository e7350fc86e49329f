// mcusim-nnc: the TensorFlow Lite model compiler. Reads a model, prints its
// static arena plan (--plan) and generates C for it (-o OUT_PREFIX).
// Exit codes (docs/tinyml.md): 0 ok, 64 usage, 65 not a usable model,
// 66 the model cannot be read, 73 an output file cannot be written.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include "base/format.h"
#include "nnc/c_writer.h"
#include "nnc/codegen.h"
#include "nnc/model.h"
#include "nnc/plan.h"
#include "nnc/plan_report.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 64;
constexpr int kExitBadModel = 65;
constexpr int kExitUnreadable = 66;
constexpr int kExitCannotWrite = 73;

constexpr const char *kUsage =
    "usage: mcusim-nnc MODEL.tflite --plan\n"
    "       mcusim-nnc MODEL.tflite -o OUT_PREFIX [--target T] [--weights flash|sram] [--quiet]\n"
    "  --plan            print the static arena plan, weight bytes and MACs per operator\n"
    "  -o OUT_PREFIX     write OUT_PREFIX.h and OUT_PREFIX.c (C11; the C prefix is OUT_PREFIX's\n"
    "                    file name with characters outside [A-Za-z0-9_] replaced by '_')\n"
    "                    and print the plan\n"
    "  --target T        generic (default), cortex-m0plus: reference kernels;\n"
    "                    cortex-m4, cortex-m7, cortex-m33: DSP kernels for CONV_2D,\n"
    "                    DEPTHWISE_CONV_2D and FULLY_CONNECTED int8\n"
    "  --weights W       flash (default): const, section .rodata.weights;\n"
    "                    sram: initialised data copied to RAM at start-up\n"
    "  --quiet           with -o: print nothing\n"
    "  -h, --help        this text\n"
    "exit codes: 0 ok, 64 usage, 65 not a usable model (one line naming the operator or\n"
    "tensor), 66 the model cannot be read, 73 an output file cannot be written\n";

int usage_error(const std::string &message) {
  std::fprintf(stderr, "mcusim-nnc: %s (see mcusim-nnc --help)\n", message.c_str());
  return kExitUsage;
}

// Writes `text` to `path` through a temporary file renamed into place, so a
// failed run leaves no half-written file. Returns an error message or "".
std::string write_file(const std::string &path, const std::string &text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot write " + path + ": " + std::strerror(errno);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      return "cannot write " + path + ": " + std::strerror(errno);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string e = std::strerror(errno);
    std::remove(tmp.c_str());
    return "cannot write " + path + ": " + e;
  }
  return "";
}

std::string basename(const std::string &path) { return path.substr(path.find_last_of('/') + 1); }

} // namespace

int main(int argc, char **argv) {
  using namespace mcusim::nnc;
  std::string model_path, out_prefix;
  bool plan = false, quiet = false;
  Target target = Target::Generic;
  WeightPlacement weights = WeightPlacement::Flash;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    std::string value;
    // "--opt VALUE" or "--opt=VALUE" for the options that take a value.
    auto take = [&](std::string_view name) -> int {
      if (a == name) {
        if (i + 1 >= argc) return -1;
        value = argv[++i];
        return 1;
      }
      if (a.size() > name.size() && a.substr(0, name.size()) == name && a[name.size()] == '=') {
        value = std::string(a.substr(name.size() + 1));
        return 1;
      }
      return 0;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return kExitOk;
    }
    if (a == "--plan") {
      plan = true;
    } else if (a == "--quiet") {
      quiet = true;
    } else if (int r = take("-o"); r != 0) {
      if (r < 0 || value.empty()) return usage_error("-o needs an output prefix");
      out_prefix = value;
    } else if (int r = take("--target"); r != 0) {
      auto t = r > 0 ? parse_target(value) : std::nullopt;
      if (!t) return usage_error("--target must be generic, cortex-m0plus, cortex-m4, cortex-m7 or cortex-m33" +
                                 (r > 0 ? " (got " + value + ")" : std::string()));
      target = *t;
    } else if (int r = take("--weights"); r != 0) {
      auto w = r > 0 ? parse_weights(value) : std::nullopt;
      if (!w) return usage_error("--weights must be flash or sram" + (r > 0 ? " (got " + value + ")" : std::string()));
      weights = *w;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option " + std::string(a));
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      return usage_error("one model only (got " + model_path + " and " + std::string(a) + ")");
    }
  }
  if (model_path.empty()) return usage_error("no model given");
  if (!plan && out_prefix.empty()) return usage_error("nothing to do: give --plan or -o OUT_PREFIX");
  if (!out_prefix.empty() && (out_prefix.back() == '/' || basename(out_prefix).empty()))
    return usage_error("-o needs a file name prefix, not a directory (got " + out_prefix + ")");

  auto model = load_model(model_path);
  if (!model) {
    std::fprintf(stderr, "mcusim-nnc: %s\n", model.error().message.c_str());
    return model.error().kind == ErrorKind::Unreadable ? kExitUnreadable
           : model.error().kind == ErrorKind::Usage    ? kExitUsage
                                                       : kExitBadModel;
  }
  const auto arena = plan_arena(*model);
  const std::string name = basename(model_path);
  std::string report = plan_report(name, *model, arena);
  report += "scratch       " + mcusim::text::thousands(model_scratch_bytes(*model, target)) + " B (target " +
            std::string(target_name(target)) + ")\n";
  if (out_prefix.empty()) {
    std::fputs(report.c_str(), stdout);
    return kExitOk;
  }

  CodegenOptions options;
  options.prefix = c::identifier(basename(out_prefix));
  options.target = target;
  options.weights = weights;
  options.model_file = name;
  options.header_name = basename(out_prefix) + ".h";
  auto code = generate_code(*model, arena, options);
  if (!code) {
    std::fprintf(stderr, "mcusim-nnc: %s: %s\n", name.c_str(), code.error().message.c_str());
    return kExitBadModel;
  }
  for (const auto &[path, text] : {std::pair{out_prefix + ".h", &code->header}, {out_prefix + ".c", &code->source}}) {
    if (auto e = write_file(path, *text); !e.empty()) {
      std::fprintf(stderr, "mcusim-nnc: %s\n", e.c_str());
      return kExitCannotWrite;
    }
  }
  if (!quiet) {
    report += "wrote         " + out_prefix + ".h, " + out_prefix + ".c (prefix " + options.prefix + ", " +
              mcusim::text::thousands(code->weight_bytes) + " B of weights in " +
              (weights == WeightPlacement::Flash ? "flash" : "sram") + ")\n";
    std::fputs(report.c_str(), stdout);
  }
  return kExitOk;
}
