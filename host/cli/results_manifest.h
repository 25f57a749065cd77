// Which files of a results folder belong to the run that wrote it. The
// list is kept in the folder (`.spindle-results`, one file name a line), so
// a new run into the same folder removes the files of the earlier run that
// it does not write itself (a population's .npy that is no longer recorded,
// a state.csv, a plot), and a folder never mixes two runs. Files no run
// wrote are left alone.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace spindle::cli {

inline constexpr const char* kManifestName = ".spindle-results";

class ResultsManifest {
 public:
  // Reads the earlier run's list, if the folder has one.
  explicit ResultsManifest(std::filesystem::path dir);

  // A file (a name in the folder) this run writes.
  void wrote(const std::string& name) { written_.insert(name); }

  // Once every file is written: removes the earlier run's files this run did
  // not write, then writes this run's list. Returns files left in the folder
  // that look like results but no manifest lists (an older folder): the
  // caller may say so.
  std::vector<std::string> commit();

 private:
  std::filesystem::path dir_;
  std::set<std::string> earlier_, written_;
  bool had_manifest_ = false;
};

// Adds `name` to the folder's list (e.g. a plot written into it), so the next
// run into the folder removes it. Does nothing for a folder without a list.
void add_to_manifest(const std::filesystem::path& dir, const std::string& name);

}  // namespace spindle::cli
