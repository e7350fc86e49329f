/// \file
/// Functions of an image without symbols (a .hex or .bin without --symbols),
/// named by their address so that the profile still splits cycles by function:
/// the handlers of the vector table at the image's lowest address and the
/// targets of every BL instruction a linear decode of the executable bytes
/// finds (literal pools decoded as code can add a spurious entry point, never
/// hide a real one that a BL reaches).
#pragma once

#include "image/elf_image.h"

namespace mcusim {

/// Adds a function symbol named "0x08000154" for each entry point found, if
/// the image has no symbols; sets ElfImage::named_by_address.
void name_functions_by_address(ElfImage &image);

} // namespace mcusim
