/// \file
/// The options every command that takes a firmware image shares:
/// --load-address (raw .bin) and --symbols (an ELF for a .hex or .bin).
#pragma once

#include "base/error.h"
#include "session/firmware.h"

#include <string>

namespace CLI {
class App;
}

namespace mcusim::cli {

struct ImageArgs {
  std::string load_address; ///< as typed: 0x08000000 or 134217728
  std::string symbols;
};

/// Registers --load-address and --symbols on `cmd`.
void add_image_options(CLI::App &cmd, ImageArgs &args);

/// The options as the session reads them; a --load-address that is not an
/// address is an ErrorKind::Usage error.
Expected<session::ImageInput> image_input(const ImageArgs &args);

} // namespace mcusim::cli
