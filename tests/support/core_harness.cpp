#include "support/core_harness.h"

#include <cstring>
#include <stdexcept>

namespace spindle::test {

CoreHarness::CoreHarness(std::vector<std::vector<uint8_t>> images) {
  for (size_t i = 0; i < images.size(); ++i) {
    images_.emplace_back((images[i].size() + 3) / 4, 0u);
    std::memcpy(images_.back().data(), images[i].data(), images[i].size());
    platforms_.push_back(std::make_unique<fw::NativePlatform>());
    platforms_.back()->set_image(reinterpret_cast<const uint8_t*>(images_.back().data()),
                                 static_cast<uint32_t>(images[i].size()));
    cores_.push_back(std::make_unique<fw::Core>());
    const fw::image::ImageStatus s = cores_.back()->load(*platforms_.back());
    if (!s.ok())
      throw std::runtime_error("core " + std::to_string(i) + ": " + fw::image::to_string(s.error) +
                               " (region " + std::to_string(s.region) + ", offset " + std::to_string(s.offset) + ")");
  }
  result_.provenance.resize(cores_.size());
}

void CoreHarness::run(uint32_t n_ticks) {
  for (uint32_t t = 0; t < n_ticks; ++t) {
    for (auto& c : cores_) c->tick();
    for (auto& p : platforms_) {
      for (uint32_t k = 0; k < p->outbox().size(); ++k)
        for (auto& c : cores_) c->on_packet(p->outbox()[k]);
      p->clear_outbox();
    }
    for (size_t i = 0; i < cores_.size(); ++i) {
      fw::Core& c = *cores_[i];
      c.process_packets();
      for (uint32_t k = 0; k < c.spikes().size(); ++k)
        result_.spikes.push_back({c.spikes()[k].tick, static_cast<uint32_t>(i), c.spikes()[k].neuron});
      for (uint32_t k = 0; k < c.states().size(); ++k) {
        const auto& s = c.states()[k];
        result_.states.push_back({s.tick, static_cast<uint32_t>(i), s.neuron, s.variable, s.value});
      }
      c.clear_records();
      result_.provenance[i] = c.provenance();
    }
  }
}

}  // namespace spindle::test
