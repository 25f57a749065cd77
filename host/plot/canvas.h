// A tiny vector canvas: what a plot is made of (lines, rectangles, dots,
// text), in pixels with y pointing down. The SVG writer and the PNG
// rasteriser both draw from it, so the two images show the same marks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spindle::plot {

struct Color {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Color&) const = default;
};

inline constexpr Color kBlack{0, 0, 0};
inline constexpr Color kWhite{255, 255, 255};

enum class Anchor { kStart, kMiddle, kEnd };

struct Line {
  double x0, y0, x1, y1;
  Color color;
};

struct Rect {
  double x, y, w, h;
  Color fill;
};

// A spike mark: a filled square of side `size` centred on (x, y).
struct Dot {
  double x, y, size;
  Color color;
};

// Text with its baseline at y; `vertical` turns it 90 degrees
// counter-clockwise about (x, y) (for a y-axis title).
struct Text {
  double x, y;
  std::string text;
  Color color;
  Anchor anchor = Anchor::kStart;
  bool vertical = false;
};

class Canvas {
 public:
  Canvas(int width, int height, Color background = kWhite) : width_(width), height_(height), background_(background) {}

  void line(double x0, double y0, double x1, double y1, Color c) { lines_.push_back({x0, y0, x1, y1, c}); }
  void rect(double x, double y, double w, double h, Color fill) { rects_.push_back({x, y, w, h, fill}); }
  void dot(double x, double y, double size, Color c) { dots_.push_back({x, y, size, c}); }
  void text(double x, double y, std::string s, Color c = kBlack, Anchor a = Anchor::kStart, bool vertical = false) {
    texts_.push_back({x, y, std::move(s), c, a, vertical});
  }

  int width() const { return width_; }
  int height() const { return height_; }
  Color background() const { return background_; }
  // Drawn in this order: rectangles, lines, dots, text.
  const std::vector<Rect>& rects() const { return rects_; }
  const std::vector<Line>& lines() const { return lines_; }
  const std::vector<Dot>& dots() const { return dots_; }
  const std::vector<Text>& texts() const { return texts_; }

 private:
  int width_, height_;
  Color background_;
  std::vector<Rect> rects_;
  std::vector<Line> lines_;
  std::vector<Dot> dots_;
  std::vector<Text> texts_;
};

}  // namespace spindle::plot
