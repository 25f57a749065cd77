// Rasterises a Canvas to RGB pixels and writes them as PNG (libpng).
// Rectangles and dots are filled, lines are 1 px wide, text uses the
// built-in 5x7 font (font5x7.h); no anti-aliasing, so every mark has
// exactly its colour.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "plot/canvas.h"

namespace spindle::plot {

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel

  Color at(int x, int y) const {
    const size_t i = (size_t(y) * size_t(width) + size_t(x)) * 3;
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};

Image rasterise(const Canvas& canvas);

// Throws std::runtime_error naming the file if it cannot be written.
void write_png(const std::filesystem::path& file, const Image& image);

}  // namespace spindle::plot
