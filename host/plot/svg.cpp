#include "plot/svg.h"

#include <cstdio>

namespace spindle::plot {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  // Trailing zeros only make the file bigger.
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string rgb(Color c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

const char* anchor_name(Anchor a) {
  switch (a) {
    case Anchor::kStart: return "start";
    case Anchor::kMiddle: return "middle";
    case Anchor::kEnd: return "end";
  }
  return "start";
}

}  // namespace

std::string to_svg(const Canvas& c) {
  std::string s;
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(c.width()) + "\" height=\"" +
       std::to_string(c.height()) + "\" viewBox=\"0 0 " + std::to_string(c.width()) + " " +
       std::to_string(c.height()) + "\" font-family=\"monospace\" font-size=\"10\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"" + rgb(c.background()) + "\"/>\n";
  for (const Rect& r : c.rects())
    s += "<rect x=\"" + num(r.x) + "\" y=\"" + num(r.y) + "\" width=\"" + num(r.w) + "\" height=\"" + num(r.h) +
         "\" fill=\"" + rgb(r.fill) + "\"/>\n";
  for (const Line& l : c.lines())
    s += "<line x1=\"" + num(l.x0) + "\" y1=\"" + num(l.y0) + "\" x2=\"" + num(l.x1) + "\" y2=\"" + num(l.y1) +
         "\" stroke=\"" + rgb(l.color) + "\" stroke-width=\"1\"/>\n";
  for (const Dot& d : c.dots())
    s += "<rect class=\"spike\" x=\"" + num(d.x - d.size / 2) + "\" y=\"" + num(d.y - d.size / 2) + "\" width=\"" +
         num(d.size) + "\" height=\"" + num(d.size) + "\" fill=\"" + rgb(d.color) + "\"/>\n";
  for (const Text& t : c.texts()) {
    s += "<text x=\"" + num(t.x) + "\" y=\"" + num(t.y) + "\" fill=\"" + rgb(t.color) + "\" text-anchor=\"" +
         anchor_name(t.anchor) + "\"";
    if (t.vertical) s += " transform=\"rotate(-90 " + num(t.x) + " " + num(t.y) + ")\"";
    s += ">" + escape(t.text) + "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace spindle::plot
