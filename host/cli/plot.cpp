// `spindle plot RESULTS_DIR [--out FILE.svg|FILE.png] [--populations a,b]
// [--from MS] [--to MS] [--bin MS] [--max-neurons N] [--state VAR
// [--traces N]] [--title TEXT]`: spike raster, population rates and
// optionally a recorded state variable of a `spindle run` output directory
// (docs/cli.md).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/common.h"
#include "cli/results_manifest.h"
#include "plot/png.h"
#include "plot/raster_plot.h"
#include "plot/run_results.h"
#include "plot/svg.h"

namespace spindle::cli {
namespace {

struct PlotArgs {
  std::string dir;
  std::string out;  // default: DIR/raster.svg
  std::vector<std::string> populations;
  double from_ms = 0;
  double to_ms = -1;  // < 0: the run's duration
  double bin_ms = 5;
  uint32_t max_neurons = 0;
  std::string state;       // empty: no state panel; else v, gsyn_exc, gsyn_inh or threshold
  uint32_t traces = 5;     // neurons per population in the state panel
  std::string title;       // empty: the network file and the window
};

std::string ms(double v) {
  std::ostringstream s;
  s << v << " ms";
  return s.str();
}

int usage(const std::string& msg) {
  std::cerr << "spindle plot: " << msg << '\n';
  return kExitUsage;
}

int plot_results(const PlotArgs& a) {
  const std::filesystem::path out = a.out.empty() ? std::filesystem::path(a.dir) / "raster.svg" : std::filesystem::path(a.out);
  const std::string ext = out.extension().string();
  if (ext != ".svg" && ext != ".png")
    return usage("--out: " + out.string() + ": unknown extension '" + ext + "' (expected .svg or .png)");

  plot::RunResults run;
  try {
    run = plot::read_run_results(a.dir);
  } catch (const plot::ResultsError& e) {
    return usage(e.what());
  }

  std::vector<plot::PopulationSpikes> chosen;
  if (a.populations.empty()) {
    for (auto& p : run.populations)
      if (p.spikes_recorded) chosen.push_back(std::move(p.spikes));
    if (chosen.empty()) return usage(a.dir + ": the run recorded no spikes");
  } else {
    for (const std::string& name : a.populations) {
      auto it = std::find_if(run.populations.begin(), run.populations.end(),
                             [&](const plot::RunPopulation& p) { return p.spikes.label == name; });
      if (it == run.populations.end()) {
        std::string known;
        for (const auto& p : run.populations) known += (known.empty() ? "" : ", ") + p.spikes.label;
        return usage("--populations: unknown population '" + name + "' (the run has " + known + ")");
      }
      if (!it->spikes_recorded) return usage("--populations: population '" + name + "' has no recorded spikes");
      chosen.push_back(it->spikes);
    }
  }

  plot::RasterPlotOptions o;
  // The title: what ran (run.json names the network file), else the folder.
  std::string source = run.network;
  if (source.empty()) source = std::filesystem::path(a.dir).filename().string();
  if (source.empty()) source = std::filesystem::path(a.dir).parent_path().filename().string();
  if (source.empty()) source = a.dir;
  o.from_ms = a.from_ms;
  o.to_ms = a.to_ms < 0 ? run.duration_ms : a.to_ms;
  o.bin_ms = a.bin_ms;
  o.max_neurons = a.max_neurons;
  if (!(o.to_ms > o.from_ms)) {
    std::string msg = "--from " + ms(o.from_ms) + " must be before --to " + ms(o.to_ms);
    if (a.to_ms < 0) msg += " (the run's duration)";
    return usage(msg);
  }
  if (o.bin_ms > o.to_ms - o.from_ms)
    return usage("--bin " + ms(o.bin_ms) + " is longer than the window of " + ms(o.to_ms - o.from_ms));
  if (std::ceil((o.to_ms - o.from_ms) / o.bin_ms) > 100000)
    return usage("--bin " + ms(o.bin_ms) + " gives over 100000 bins");
  std::ostringstream title;
  title << source << ", " << ms(run.duration_ms) << " of biological time";
  o.title = a.title.empty() ? title.str() : a.title;

  // The state panel: the first --traces recorded neurons of each plotted
  // population that recorded the variable.
  std::optional<plot::StatePanel> state;
  if (!a.state.empty()) {
    std::vector<std::pair<std::string, std::vector<plot::NeuronTrace>>> recorded;
    try {
      recorded = plot::read_state(a.dir, a.state);
    } catch (const plot::ResultsError& e) {
      return usage(e.what());
    }
    state.emplace();
    // v in mV; the synaptic variables are currents (nA) or conductances
    // (uS) by model, so they go without a unit.
    state->title = a.state == "v" || a.state == "threshold" ? a.state + " (mV)" : a.state;
    for (auto& [recorded_label, traces] : recorded) {
      const std::string& label = recorded_label;  // a lambda may not capture a structured binding (C++20, clang 14)
      const auto at = std::find_if(chosen.begin(), chosen.end(),
                                   [&](const plot::PopulationSpikes& p) { return p.label == label; });
      if (at == chosen.end()) continue;
      for (size_t k = 0; k < traces.size() && k < a.traces; ++k)
        state->traces.push_back({static_cast<size_t>(at - chosen.begin()), traces[k].neuron, std::move(traces[k].points)});
    }
    if (state->traces.empty()) {
      std::string which;
      for (const auto& [label, traces] : recorded) which += (which.empty() ? "" : ", ") + label;
      return usage("--state " + a.state + ": no plotted population recorded " + a.state +
                   (which.empty() ? std::string(" (the run recorded no ") + a.state + ")"
                                  : " (recorded by: " + which + ")"));
    }
  }

  try {
    const plot::RasterPlot p = plot::raster_plot(chosen, o, state ? &*state : nullptr);
    if (ext == ".svg") {
      std::ofstream f(out, std::ios::binary);
      f << plot::to_svg(p.canvas);
      if (!f) throw std::runtime_error(out.string() + ": cannot write");
    } else {
      plot::write_png(out, plot::rasterise(p.canvas));
    }
    // A plot in the results folder belongs to that run: the next run into
    // the folder removes it with the run's other files.
    std::error_code ec;
    if (std::filesystem::equivalent(std::filesystem::absolute(out).parent_path(), a.dir, ec))
      add_to_manifest(a.dir, out.filename().string());
    std::cout << out.string() << ": " << p.spikes_drawn << " spikes of " << chosen.size() << " populations, "
              << o.from_ms << "-" << o.to_ms << " ms";
    if (state) std::cout << ", " << a.state << " of " << state->traces.size() << " neurons";
    std::cout << '\n';
  } catch (const std::exception& e) {
    std::cerr << "spindle plot: " << e.what() << '\n';
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void add_plot_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("plot", "Spike raster and population rates of a `spindle run` output, as SVG or PNG");
  auto args = std::make_shared<PlotArgs>();
  cmd->add_option("RESULTS_DIR", args->dir, "Directory written by `spindle run --out`")->required();
  cmd->add_option("-o,--out", args->out, "Image file, .svg or .png (default: RESULTS_DIR/raster.svg)");
  cmd->add_option("-p,--populations", args->populations, "Populations to plot, comma separated (default: all recorded)")
      ->delimiter(',');
  cmd->add_option("--from", args->from_ms, "Start of the window, ms")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--to", args->to_ms, "End of the window, ms (default: the run's duration)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--bin", args->bin_ms, "Rate histogram bin, ms")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--max-neurons", args->max_neurons, "Neurons per population in the raster (0: all)")
      ->capture_default_str();
  cmd->add_option("--state", args->state,
                  "Add a panel with this recorded state variable (from state.csv) against time")
      ->check(CLI::IsMember({"v", "gsyn_exc", "gsyn_inh", "threshold", "segment_spikes"}));
  cmd->add_option("--traces", args->traces, "With --state: neurons per population in the state panel")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--title", args->title, "Title (default: the network file and the run's duration)");
  cmd->callback([args, &exit_code] { exit_code = plot_results(*args); });
}

}  // namespace spindle::cli
