// mcusim-nnc: the TensorFlow Lite model compiler's front end. Today it reads
// a model and prints its static arena plan (--plan); code generation comes next.
// Exit codes (docs/tinyml.md): 0 ok, 64 usage, 65 not a usable model, 66 unreadable.
#include <cstdio>
#include <string>
#include <string_view>

#include "nnc/model.h"
#include "nnc/plan.h"
#include "nnc/plan_report.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 64;
constexpr int kExitBadModel = 65;
constexpr int kExitUnreadable = 66;

constexpr const char *kUsage = "usage: mcusim-nnc MODEL.tflite --plan\n"
                               "  --plan      print the static arena plan, weight bytes and MACs per operator\n"
                               "  -h, --help  this text\n";

int usage_error(const std::string &message) {
  std::fprintf(stderr, "mcusim-nnc: %s (see mcusim-nnc --help)\n", message.c_str());
  return kExitUsage;
}

} // namespace

int main(int argc, char **argv) {
  std::string model_path;
  bool plan = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return kExitOk;
    }
    if (a == "--plan") {
      plan = true;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option " + std::string(a));
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      return usage_error("one model only (got " + model_path + " and " + std::string(a) + ")");
    }
  }
  if (model_path.empty()) return usage_error("no model given");
  if (!plan) return usage_error("nothing to do: give --plan (code generation is not built yet)");

  auto model = mcusim::nnc::load_model(model_path);
  if (!model) {
    std::fprintf(stderr, "mcusim-nnc: %s\n", model.error().message.c_str());
    return model.error().kind == mcusim::nnc::ErrorKind::Unreadable ? kExitUnreadable
           : model.error().kind == mcusim::nnc::ErrorKind::Usage    ? kExitUsage
                                                                      : kExitBadModel;
  }
  const auto arena = mcusim::nnc::plan_arena(*model);
  std::string name = model_path.substr(model_path.find_last_of('/') + 1);
  std::fputs(mcusim::nnc::plan_report(name, *model, arena).c_str(), stdout);
  return kExitOk;
}
