// Flow control between a running job and the clients streaming it. The job
// runner publishes events to a RunBroadcast, which offers them to every
// subscribed EventStream without ever blocking. Each stream holds at most
// its byte budget of queued events; when a client reads too slowly, further
// spike batches and progress events are dropped for that stream only,
// counted, and a StreamDrops event takes their place in the stream. The
// final event is never dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "spindle/v1/service.pb.h"

namespace spindle::daemon {

using EventPtr = std::shared_ptr<const v1::RunEvent>;

class EventStream {
 public:
  explicit EventStream(uint64_t budget_bytes) : budget_bytes_(budget_bytes) {}

  // Runner side, never blocks. `bytes` is the event's encoded size.
  void offer(const EventPtr& event, uint64_t bytes);
  // The last event; its stream_drops are filled in with this stream's totals.
  void finish(const v1::RunEvent& final_event);

  // Writer side: the next event to send, waiting up to `timeout`; nullopt on
  // timeout. After the final event has been returned, returns nullopt at once.
  std::optional<v1::RunEvent> next(std::chrono::milliseconds timeout);
  bool finished() const;
  v1::StreamDrops drops() const;
  uint64_t queued_bytes() const;

 private:
  struct Entry {
    EventPtr event;    // null: a marker where events were dropped
    uint64_t bytes = 0;
  };
  const uint64_t budget_bytes_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<Entry> queue_;
  uint64_t queued_bytes_ = 0;
  v1::StreamDrops drops_;
  std::optional<v1::RunEvent> final_;
  bool final_sent_ = false;
};

// One run's subscribers.
class RunBroadcast {
 public:
  explicit RunBroadcast(uint64_t budget_bytes) : budget_bytes_(budget_bytes) {}
  // A new stream receiving every event published from now on, with
  // `budget_bytes` (0 or more than the broadcast's: the broadcast's);
  // nullptr once the run has finished.
  std::shared_ptr<EventStream> subscribe(uint64_t budget_bytes = 0);
  void unsubscribe(const std::shared_ptr<EventStream>& stream);
  void publish(const EventPtr& event);
  // Sends the final event to every stream; later subscribers get nullptr.
  void finish(const v1::RunEvent& final_event);
  bool has_subscribers() const;

 private:
  const uint64_t budget_bytes_;
  mutable std::mutex m_;
  std::vector<std::shared_ptr<EventStream>> streams_;
  bool finished_ = false;
};

}  // namespace spindle::daemon
