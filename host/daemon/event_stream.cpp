#include "daemon/event_stream.h"

#include <algorithm>

namespace spindle::daemon {

void EventStream::offer(const EventPtr& event, uint64_t bytes) {
  {
    std::lock_guard lock(m_);
    if (final_) return;
    if (queued_bytes_ + bytes > budget_bytes_) {
      if (event->has_spikes()) {
        drops_.set_dropped_batches(drops_.dropped_batches() + 1);
        drops_.set_dropped_spikes(drops_.dropped_spikes() + static_cast<uint64_t>(event->spikes().neuron_ids_size()));
      } else {
        drops_.set_dropped_progress(drops_.dropped_progress() + 1);
      }
      // One marker per run of drops keeps the queue bounded by the budget
      // plus one marker per queued event.
      if (queue_.empty() || queue_.back().event) queue_.push_back({nullptr, 0});
      return;
    }
    queue_.push_back({event, bytes});
    queued_bytes_ += bytes;
  }
  cv_.notify_one();
}

void EventStream::finish(const v1::RunEvent& final_event) {
  {
    std::lock_guard lock(m_);
    if (final_) return;
    final_ = final_event;
  }
  cv_.notify_one();
}

std::optional<v1::RunEvent> EventStream::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_);
  if (final_sent_) return std::nullopt;
  if (!cv_.wait_for(lock, timeout, [this] { return !queue_.empty() || final_.has_value(); })) return std::nullopt;
  if (!queue_.empty()) {
    Entry e = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= e.bytes;
    if (e.event) return *e.event;
    v1::RunEvent drops;
    *drops.mutable_drops() = drops_;
    return drops;
  }
  final_sent_ = true;
  v1::RunEvent last = *final_;
  *last.mutable_final()->mutable_stream_drops() = drops_;
  return last;
}

bool EventStream::finished() const {
  std::lock_guard lock(m_);
  return final_sent_;
}

v1::StreamDrops EventStream::drops() const {
  std::lock_guard lock(m_);
  return drops_;
}

uint64_t EventStream::queued_bytes() const {
  std::lock_guard lock(m_);
  return queued_bytes_;
}

std::shared_ptr<EventStream> RunBroadcast::subscribe(uint64_t budget_bytes) {
  std::lock_guard lock(m_);
  if (finished_) return nullptr;
  streams_.push_back(std::make_shared<EventStream>(
      budget_bytes == 0 || budget_bytes > budget_bytes_ ? budget_bytes_ : budget_bytes));
  return streams_.back();
}

void RunBroadcast::unsubscribe(const std::shared_ptr<EventStream>& stream) {
  std::lock_guard lock(m_);
  streams_.erase(std::remove(streams_.begin(), streams_.end(), stream), streams_.end());
}

void RunBroadcast::publish(const EventPtr& event) {
  const uint64_t bytes = event->ByteSizeLong();
  std::lock_guard lock(m_);
  for (const auto& s : streams_) s->offer(event, bytes);
}

void RunBroadcast::finish(const v1::RunEvent& final_event) {
  std::lock_guard lock(m_);
  finished_ = true;
  for (const auto& s : streams_) s->finish(final_event);
}

bool RunBroadcast::has_subscribers() const {
  std::lock_guard lock(m_);
  return !streams_.empty();
}

}  // namespace spindle::daemon
