#include "daemon/runner.h"

#include <algorithm>
#include <chrono>
#include <exception>

namespace spindle::daemon {
namespace {

using Clock = std::chrono::steady_clock;

void publish_spikes(const Job& job, const std::vector<PopulationSpikes>& spikes, uint64_t from_tick, uint64_t to_tick,
                    uint32_t max_batch, RunBroadcast& broadcast) {
  for (size_t p = 0; p < spikes.size(); ++p) {
    const PopulationSpikes& s = spikes[p];
    for (size_t begin = 0; begin < s.neurons.size(); begin += max_batch) {
      const size_t end = std::min(s.neurons.size(), begin + max_batch);
      auto event = std::make_shared<v1::RunEvent>();
      v1::SpikeBatch* b = event->mutable_spikes();
      b->set_population_index(static_cast<uint32_t>(p));
      b->set_population(job.populations[p].label());
      b->mutable_neuron_ids()->Add(s.neurons.begin() + static_cast<ptrdiff_t>(begin),
                                   s.neurons.begin() + static_cast<ptrdiff_t>(end));
      b->mutable_ticks()->Add(s.ticks.begin() + static_cast<ptrdiff_t>(begin),
                              s.ticks.begin() + static_cast<ptrdiff_t>(end));
      b->set_from_tick(from_tick);
      b->set_to_tick(to_tick);
      broadcast.publish(event);
    }
  }
}

}  // namespace

void run_job(Job& job, const RunPlan& plan, const std::shared_ptr<RunBroadcast>& broadcast,
             const std::function<void()>& release) {
  const auto start = Clock::now();
  const uint64_t first_tick = job.tick.load();
  {
    auto event = std::make_shared<v1::RunEvent>();
    v1::RunStarted* s = event->mutable_started();
    s->set_job_id(job.id);
    s->set_first_tick(first_tick);
    s->set_ticks(plan.ticks);
    s->set_timestep_ms(job.timestep_ms);
    for (const auto& p : job.populations) *s->add_populations() = p;
    broadcast->publish(event);
  }

  v1::RunFinal final_event;
  uint64_t done = 0, spikes = 0;
  auto last_progress = start;
  std::vector<PopulationSpikes> fresh;  // reused: its buffers keep their capacity between chunks
  try {
    if (job.real_time) {
      // Paced against the run's start, so time spent between chunks
      // (publishing, injections) is not added to every chunk.
      std::lock_guard lock(job.engine_m);
      job.engine->pace_from(start);
    }
    while (done < plan.ticks && !job.cancel_requested.load()) {
      const auto n = static_cast<uint32_t>(std::min<uint64_t>(plan.chunk_ticks, plan.ticks - done));
      uint64_t from = 0, to = 0;
      {
        std::lock_guard lock(job.engine_m);
        job.schedule_pending();
        from = job.engine->ticks_run();
        job.last_report = job.engine->run(n);  // returns early on cancel (the job's stop flag)
        to = job.engine->ticks_run();
        job.scheduled_injections.store(job.engine->scheduled_packets());
        job.take_new_spikes(fresh);
      }
      done += to - from;
      job.tick.store(to);
      uint64_t chunk_spikes = 0;
      for (const auto& s : fresh) chunk_spikes += s.neurons.size();
      spikes += chunk_spikes;
      job.recorded_spikes.fetch_add(chunk_spikes);
      publish_spikes(job, fresh, from, to, plan.max_batch_spikes, *broadcast);
      const auto now = Clock::now();
      if (now - last_progress >= std::chrono::milliseconds(50) || done == plan.ticks) {
        last_progress = now;
        auto event = std::make_shared<v1::RunEvent>();
        v1::Progress* p = event->mutable_progress();
        p->set_ticks_done(done);
        p->set_ticks_total(plan.ticks);
        p->set_job_tick(to);
        p->set_spikes(spikes);
        p->set_wall_seconds(std::chrono::duration<double>(now - start).count());
        broadcast->publish(event);
      }
    }
    final_event.set_status(done == plan.ticks ? v1::RUN_COMPLETED : v1::RUN_CANCELLED);
  } catch (const std::exception& e) {
    final_event.set_status(v1::RUN_FAILED);
    final_event.set_message(std::string("the engine failed: ") + e.what());
  }

  {
    std::lock_guard lock(job.engine_m);
    *final_event.mutable_provenance() = job.provenance();
  }
  final_event.set_ticks_run(done);
  final_event.set_job_tick(job.tick.load());
  {
    std::lock_guard lock(job.m);
    switch (final_event.status()) {
      case v1::RUN_COMPLETED: job.state = v1::JOB_READY; break;
      case v1::RUN_CANCELLED:
        job.state = v1::JOB_CANCELLED;
        final_event.set_message(job.message);
        break;
      default:
        job.state = v1::JOB_FAILED;
        job.message = final_event.message();
        break;
    }
    job.broadcast = nullptr;
  }
  release();
  job.state_changed.notify_all();
  v1::RunEvent last;
  *last.mutable_final() = final_event;
  broadcast->finish(last);
}

}  // namespace spindle::daemon
