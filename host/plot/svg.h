// Writes a Canvas as a standalone SVG document.
#pragma once

#include <string>

#include "plot/canvas.h"

namespace spindle::plot {

// Spike marks are <rect class="spike">, text <text> with XML escaping; the
// font size matches the PNG's built-in 5x7 font (about 6 px per character).
std::string to_svg(const Canvas& canvas);

}  // namespace spindle::plot
