/// \file
/// --load-address and --symbols (see image_options.h).
#include "cli/image_options.h"

#include <CLI/CLI.hpp>

namespace mcusim::cli {

void add_image_options(CLI::App &cmd, ImageArgs &a) {
  cmd.add_option("--load-address", a.load_address,
                 "Where a raw .bin image is loaded, hex (0x08000000) or decimal (default: the device's flash base)");
  cmd.add_option("--symbols", a.symbols, "An ELF of the same program: function names, source lines and sections for a .hex or .bin");
}

Expected<session::ImageInput> image_input(const ImageArgs &a) {
  session::ImageInput in;
  in.symbols = a.symbols;
  if (!a.load_address.empty()) {
    in.load_address = session::parse_load_address(a.load_address);
    if (!in.load_address)
      return make_error(ErrorKind::Usage, "--load-address '" + a.load_address +
                                              "' is not an address (hexadecimal with 0x, or decimal, below 4 GiB)");
  }
  return in;
}

} // namespace mcusim::cli
