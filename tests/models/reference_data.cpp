#include "reference_data.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#ifndef SPINDLE_REFERENCE_DIR
#error "SPINDLE_REFERENCE_DIR must name tests/reference/data (set by tests/models/CMakeLists.txt)"
#endif

namespace spindle::test {

namespace {

std::ifstream open(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open reference file " + path);
  return in;
}

double parse_number(const std::string& s, const std::string& where) {
  size_t end = 0;
  double v = 0;
  try {
    v = std::stod(s, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  if (end == 0 || end != s.size()) throw std::runtime_error(where + ": '" + s + "' is not a number");
  return v;
}

}  // namespace

ParamFile ParamFile::load(const std::string& path) {
  ParamFile f;
  f.path_ = path;
  std::ifstream in = open(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string name, value, extra;
    if (!(ls >> name >> value) || (ls >> extra))
      throw std::runtime_error(path + ":" + std::to_string(n) + ": expected 'name value'");
    f.values_[name] = value;
  }
  return f;
}

std::string ParamFile::text(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) throw std::runtime_error(path_ + ": no parameter '" + name + "'");
  used_.insert(name);
  return it->second;
}

double ParamFile::number(const std::string& name) const { return parse_number(text(name), path_ + " " + name); }

std::vector<std::string> ParamFile::unused() const {
  std::vector<std::string> out;
  for (const auto& [name, value] : values_)
    if (!used_.count(name)) out.push_back(name);
  return out;
}

std::vector<double> Table::column(const std::string& name) const {
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] != name) continue;
    std::vector<double> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(r[c]);
    return out;
  }
  throw std::runtime_error("no column '" + name + "'");
}

Table load_csv(const std::string& path) {
  Table t;
  std::ifstream in = open(path);
  std::string line;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream ls(s);
    while (std::getline(ls, field, ',')) out.push_back(field);
    return out;
  };
  if (!std::getline(in, line)) throw std::runtime_error(path + ": empty");
  t.columns = split(line);
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    const std::vector<std::string> fields = split(line);
    if (fields.size() != t.columns.size())
      throw std::runtime_error(path + ":" + std::to_string(n) + ": expected " + std::to_string(t.columns.size()) +
                               " fields");
    std::vector<double> row;
    for (const std::string& f : fields) row.push_back(parse_number(f, path + ":" + std::to_string(n)));
    t.rows.push_back(std::move(row));
  }
  return t;
}

ReferenceFiles reference_files(const std::string& model) {
  const std::string base = std::string(SPINDLE_REFERENCE_DIR) + "/" + model;
  return {base + ".params", base + "_input.csv", base + "_v.csv", base + "_spikes.csv"};
}

}  // namespace spindle::test
