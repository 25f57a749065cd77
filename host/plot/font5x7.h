// A built-in 5x7 pixel font (printable ASCII) for text in PNG images, so
// PNGs need no font library. Glyph cells are 6 x 9 pixels (a column and
// two rows of spacing; descenders use the two rows below the baseline).
#pragma once

#include <array>
#include <cstdint>

namespace spindle::plot {

inline constexpr int kGlyphWidth = 5, kGlyphHeight = 9, kGlyphAdvance = 6;
// Rows from the top; the baseline is below row 6.
inline constexpr int kGlyphBaselineRow = 7;

// Row bits of one glyph: bit 4 is the leftmost pixel. Characters outside
// 32..126 draw as '?'.
const std::array<uint8_t, kGlyphHeight>& glyph(char c);

}  // namespace spindle::plot
