#include "plot/png.h"

#include <png.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "plot/font5x7.h"

namespace spindle::plot {
namespace {

class Painter {
 public:
  explicit Painter(Image& img) : img_(img) {}

  void set(int x, int y, Color c) {
    if (x < 0 || y < 0 || x >= img_.width || y >= img_.height) return;
    const size_t i = (size_t(y) * size_t(img_.width) + size_t(x)) * 3;
    img_.rgb[i] = c.r;
    img_.rgb[i + 1] = c.g;
    img_.rgb[i + 2] = c.b;
  }

  // Pixel (i, j) covers [i, i+1) x [j, j+1): a rectangle fills the pixels whose centres it contains.
  void fill(double x, double y, double w, double h, Color c) {
    const int x0 = int(std::lround(x)), x1 = int(std::lround(x + w));
    const int y0 = int(std::lround(y)), y1 = int(std::lround(y + h));
    for (int j = std::max(y0, 0); j < std::min(y1, img_.height); ++j)
      for (int i = std::max(x0, 0); i < std::min(x1, img_.width); ++i) set(i, j, c);
  }

  // Bresenham between the pixels holding the two end points.
  void line(double fx0, double fy0, double fx1, double fy1, Color c) {
    int x0 = int(std::floor(fx0)), y0 = int(std::floor(fy0));
    const int x1 = int(std::floor(fx1)), y1 = int(std::floor(fy1));
    const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
      set(x0, y0, c);
      if (x0 == x1 && y0 == y1) break;
      const int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  void text(const Text& t) {
    const int len = int(t.text.size()) * kGlyphAdvance - 1;
    const int shift = t.anchor == Anchor::kStart ? 0 : t.anchor == Anchor::kMiddle ? len / 2 : len;
    const int ox = int(std::lround(t.x)), oy = int(std::lround(t.y));
    for (size_t k = 0; k < t.text.size(); ++k) {
      const auto& rows = glyph(t.text[k]);
      for (int r = 0; r < kGlyphHeight; ++r)
        for (int col = 0; col < kGlyphWidth; ++col) {
          if (!((rows[size_t(r)] >> (4 - col)) & 1u)) continue;
          // Along the text, then down from the top of the glyph (baseline at y).
          const int u = int(k) * kGlyphAdvance + col - shift, v = r - kGlyphBaselineRow;
          if (t.vertical) set(ox + v, oy - u, t.color);  // turned 90 degrees counter-clockwise
          else set(ox + u, oy + v, t.color);
        }
    }
  }

 private:
  Image& img_;
};

}  // namespace

Image rasterise(const Canvas& c) {
  Image img;
  img.width = c.width();
  img.height = c.height();
  img.rgb.resize(size_t(img.width) * size_t(img.height) * 3);
  Painter p(img);
  p.fill(0, 0, img.width, img.height, c.background());
  for (const Rect& r : c.rects()) p.fill(r.x, r.y, r.w, r.h, r.fill);
  for (const Line& l : c.lines()) p.line(l.x0, l.y0, l.x1, l.y1, l.color);
  for (const Dot& d : c.dots()) {
    // At least one pixel, however small the mark.
    const double s = std::max(d.size, 1.0);
    p.fill(std::floor(d.x - s / 2 + 0.5), std::floor(d.y - s / 2 + 0.5), s, s, d.color);
  }
  for (const Text& t : c.texts()) p.text(t);
  return img;
}

void write_png(const std::filesystem::path& file, const Image& img) {
  const std::string name = file.string();
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(name.c_str(), "wb"), &std::fclose);
  if (!f) throw std::runtime_error(name + ": cannot write");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error(name + ": libpng could not start");
  }
  // libpng reports errors by longjmp; nothing with a destructor is created after this point.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error(name + ": PNG write failed");
  }
  png_init_io(png, f.get());
  png_set_IHDR(png, info, png_uint_32(img.width), png_uint_32(img.height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < img.height; ++y)
    png_write_row(png, img.rgb.data() + size_t(y) * size_t(img.width) * 3);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  if (std::fflush(f.get()) != 0) throw std::runtime_error(name + ": write failed");
}

}  // namespace spindle::plot
