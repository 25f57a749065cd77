#include "remote/linked_core.h"

#include <cstring>
#include <stdexcept>

namespace spindle::emu::remote {

void LinkedCore::connect(ByteTransport& transport, const LinkConfig& link) {
  client_ = std::make_unique<LinkClient>(transport, link);
}

void LinkedCore::boot_core(const std::vector<uint8_t>& image) {
  guarded([&] {
    hello_ = client_->hello();
    client_->load(image);
    client_->start();
    client_->status();
  });
}

void LinkedCore::fail(const std::string& why) {
  const CoreStatus& s = client_->last_status();
  std::string msg = name_ + " on " + describe() + ": " + explain(why) + "; during " +
                    std::string(client_->current_request()) + ", last known tick " + std::to_string(s.tick) +
                    ", provenance:";
  fw::for_each_counter(s.provenance, [&](const char* n, uint32_t v) { msg += " " + std::string(n) + "=" + std::to_string(v); });
  msg += failure_suffix();
  throw std::runtime_error(msg);
}

void LinkedCore::begin_tick(const std::vector<fw::Packet>& inbox) {
  guarded([&] { client_->begin_tick(inbox, 1); });
}

void LinkedCore::end_tick(std::vector<fw::Packet>& sent, std::vector<fw::SpikeRecord>& spikes,
                          std::vector<fw::StateRecord>& states) {
  guarded([&] {
    TickOutput out = client_->finish_tick();
    sent.insert(sent.end(), out.sent.begin(), out.sent.end());
    spikes.insert(spikes.end(), out.spikes.begin(), out.spikes.end());
    states.insert(states.end(), out.states.begin(), out.states.end());
  });
}

void LinkedCore::deliver(const std::vector<fw::Packet>& inbox) {
  guarded([&] {
    client_->begin_tick(inbox, 0);
    client_->finish_tick();
  });
}

void LinkedCore::set_mode(const fw::ModeChange& change) {
  guarded([&] { client_->set_mode(change); });
}

void LinkedCore::set_learning_scale(uint32_t scale) {
  guarded([&] {
    client_->set_learning_scale(scale);
    // The flush before the change counts stdp_pairs_missed, as natively.
    client_->status();
  });
}

std::vector<uint32_t> LinkedCore::read_plastic_matrix() {
  std::vector<uint8_t> bytes;
  guarded([&] {
    bytes = client_->read_plastic_matrix();
    // Flushing counts stdp_pairs_missed, as on a native core: provenance()
    // answers with the count after the flush.
    client_->status();
  });
  if (bytes.size() % 4 != 0)
    fail("plastic matrix region of " + std::to_string(bytes.size()) + " bytes is not whole words");
  std::vector<uint32_t> words(bytes.size() / 4);
  if (!bytes.empty()) std::memcpy(words.data(), bytes.data(), bytes.size());
  return words;
}

}  // namespace spindle::emu::remote
