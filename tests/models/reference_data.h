// Reads the Brian2 reference data written by tests/reference/make_references.py
// (tests/reference/data/): a 'name value' parameter file and small CSVs.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace spindle::test {

// '<model>.params': one 'name value' pair a line, '#' starts a comment.
// Values are numbers except a few text fields (model, brian2_method, ...).
class ParamFile {
 public:
  static ParamFile load(const std::string& path);

  // The number named `name`; throws std::runtime_error naming the file if it
  // is missing or not a number. Marks the name as used.
  double number(const std::string& name) const;
  std::string text(const std::string& name) const;
  // Names present in the file that no number()/text() call read: a parameter
  // the script sets but the test would silently ignore.
  std::vector<std::string> unused() const;

 private:
  std::string path_;
  std::map<std::string, std::string> values_;
  mutable std::set<std::string> used_;
};

// A CSV with a header line; every field is a number.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  std::vector<double> column(const std::string& name) const;
};
Table load_csv(const std::string& path);

// Paths of one model's reference files (SPINDLE_REFERENCE_DIR/<model>...).
struct ReferenceFiles {
  std::string params, input, v, spikes;
};
ReferenceFiles reference_files(const std::string& model);

}  // namespace spindle::test
