#include "machine/machine.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace spindle::emu {
namespace {

bool parse_wxh(std::string_view s, uint32_t& w, uint32_t& h) {
  const size_t x = s.find('x');
  if (x == std::string_view::npos) return false;
  auto num = [](std::string_view t, uint32_t& out) {
    const auto r = std::from_chars(t.data(), t.data() + t.size(), out);
    return r.ec == std::errc{} && r.ptr == t.data() + t.size() && out > 0 && out <= 1024;
  };
  return num(s.substr(0, x), w) && num(s.substr(x + 1), h);
}

MachineDescription grid(std::string name, uint32_t w, uint32_t h, bool wrap) {
  MachineDescription m;
  m.name = std::move(name);
  m.mesh = MeshShape{w, h, wrap};
  return m;
}

}  // namespace

bool in_spinn5_hexagon(ChipCoord c) {
  if (c.x >= 8 || c.y >= 8) return false;
  // Rows 0-3 start at x = 0 and grow by one; rows 4-7 end at x = 7 and start later.
  if (c.y < 4) return c.x <= 4 + c.y;
  return c.x >= c.y - 3;
}

bool MachineDescription::chip_alive(ChipCoord c) const {
  if (!mesh.contains(c)) return false;
  if (!chip_present.empty() && !chip_present[mesh.index(c)]) return false;
  return std::find(dead_chips.begin(), dead_chips.end(), c) == dead_chips.end();
}

bool MachineDescription::core_alive(ChipCoord c, uint32_t core) const {
  if (!chip_alive(c) || core >= cores_per_chip) return false;
  return std::none_of(dead_cores.begin(), dead_cores.end(),
                      [&](const DeadCore& d) { return d.chip == c && d.core == core; });
}

bool MachineDescription::link_alive(ChipCoord c, Link l) const {
  if (!chip_alive(c)) return false;
  const auto n = mesh.neighbour(c, l);
  if (!n || !chip_alive(*n)) return false;
  return std::none_of(dead_links.begin(), dead_links.end(), [&](const DeadLink& d) {
    return (d.chip == c && d.link == l) || (d.chip == *n && d.link == opposite(l));
  });
}

std::vector<uint32_t> MachineDescription::application_cores(ChipCoord c) const {
  std::vector<uint32_t> out;
  for (uint32_t core = 0; core < cores_per_chip; ++core)
    if (core != kMonitorCore && core_alive(c, core)) out.push_back(core);
  return out;
}

std::vector<ChipCoord> MachineDescription::alive_chips() const {
  std::vector<ChipCoord> out;
  for (uint32_t i = 0; i < mesh.chip_count(); ++i)
    if (chip_alive(mesh.coord(i))) out.push_back(mesh.coord(i));
  return out;
}

uint32_t MachineDescription::application_core_count() const {
  uint32_t n = 0;
  for (ChipCoord c : alive_chips()) n += static_cast<uint32_t>(application_cores(c).size());
  return n;
}

MachineDescription machine_from_shape(std::string_view shape) {
  uint32_t w = 0, h = 0;
  if (shape == "1" || shape == "single") return grid("single chip", 1, 1, false);
  if (shape == "2x2") return grid("2x2", 2, 2, true);
  if (shape == "48" || shape == "spinn5") {
    MachineDescription m = grid("48-chip board", 8, 8, false);
    m.chip_present.resize(64);
    for (uint32_t i = 0; i < 64; ++i) m.chip_present[i] = in_spinn5_hexagon(m.mesh.coord(i));
    return m;
  }
  if (shape.starts_with("boards:") && parse_wxh(shape.substr(7), w, h) && w <= 64 && h <= 64)
    return grid(std::string(shape), 12 * w, 12 * h, true);
  if (shape.starts_with("torus:") && parse_wxh(shape.substr(6), w, h)) return grid(std::string(shape), w, h, true);
  if (shape.starts_with("mesh:") && parse_wxh(shape.substr(5), w, h)) return grid(std::string(shape), w, h, false);
  throw std::invalid_argument("unknown machine shape '" + std::string(shape) +
                              "' (expected 1, 2x2, 48, boards:WxH, torus:WxH or mesh:WxH)");
}

}  // namespace spindle::emu
