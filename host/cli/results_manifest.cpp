#include "cli/results_manifest.h"

#include <fstream>
#include <stdexcept>

namespace spindle::cli {
namespace {

std::set<std::string> read_list(const std::filesystem::path& file, bool& found) {
  std::set<std::string> names;
  std::ifstream in(file);
  found = static_cast<bool>(in);
  for (std::string line; std::getline(in, line);) {
    // Only plain names in the folder: a hand-edited list cannot reach out.
    if (line.empty() || line.find('/') != std::string::npos || line == "." || line == ".." || line == kManifestName)
      continue;
    names.insert(line);
  }
  return names;
}

void write_list(const std::filesystem::path& file, const std::set<std::string>& names) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& n : names) out << n << '\n';
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write");
  }
  std::filesystem::rename(tmp, file);
}

bool looks_like_results(const std::string& name) {
  const auto ends = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  return name == "spikes.csv" || name == "state.csv" || name == "run.json" || name == "provenance.json" ||
         name == "mapping.json" || ends(".spikes.npy");
}

}  // namespace

ResultsManifest::ResultsManifest(std::filesystem::path dir) : dir_(std::move(dir)) {
  earlier_ = read_list(dir_ / kManifestName, had_manifest_);
}

std::vector<std::string> ResultsManifest::commit() {
  std::error_code ec;
  for (const auto& name : earlier_)
    if (written_.count(name) == 0) std::filesystem::remove(dir_ / name, ec);
  write_list(dir_ / kManifestName, written_);
  std::vector<std::string> unlisted;
  if (!had_manifest_)
    for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
      const std::string name = e.path().filename().string();
      if (written_.count(name) == 0 && looks_like_results(name)) unlisted.push_back(name);
    }
  return unlisted;
}

void add_to_manifest(const std::filesystem::path& dir, const std::string& name) {
  bool found = false;
  std::set<std::string> names = read_list(dir / kManifestName, found);
  if (!found) return;
  names.insert(name);
  write_list(dir / kManifestName, names);
}

}  // namespace spindle::cli
