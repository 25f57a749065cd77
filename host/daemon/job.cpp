#include "daemon/job.h"

#include <algorithm>
#include <cstdint>

#include "router/counters.h"
#include "runtime/provenance.h"
#include "job/neuron_modes.h"
#include "network/labels.h"

namespace spindle::daemon {
namespace {

// One population's records from `from` (by site) on, merged tick by tick:
// each slice records in tick order and a population's slices cover disjoint,
// ascending neuron ranges, so visiting them in lo_atom order within a tick
// gives tick-then-neuron order without sorting. `out` keeps its capacity.
void merge_population(const Job& job, const std::vector<uint32_t>& slices, const std::vector<size_t>* from,
                      PopulationSpikes& out, std::vector<size_t>& cursor) {
  out.neurons.clear();
  out.ticks.clear();
  size_t total = 0;
  cursor.clear();
  for (uint32_t s : slices) {
    const size_t begin = from ? (*from)[s] : 0;
    cursor.push_back(begin);
    total += job.sites[s].slot->spikes.size() - begin;
  }
  if (total == 0) return;
  out.neurons.resize(total);
  out.ticks.resize(total);
  uint32_t* neuron = out.neurons.data();
  uint64_t* tick = out.ticks.data();
  if (slices.size() == 1) {
    const SliceSite& site = job.sites[slices[0]];
    const auto& records = site.slot->spikes;
    for (size_t k = cursor[0]; k < records.size(); ++k) {
      *neuron++ = site.lo_atom + records[k].neuron;
      *tick++ = records[k].tick;
    }
    return;
  }
  size_t written = 0;
  while (written < total) {
    uint64_t t = UINT64_MAX;
    for (size_t i = 0; i < slices.size(); ++i) {
      const auto& records = job.sites[slices[i]].slot->spikes;
      if (cursor[i] < records.size()) t = std::min<uint64_t>(t, records[cursor[i]].tick);
    }
    const size_t tick_begin = written;
    for (size_t i = 0; i < slices.size(); ++i) {
      const SliceSite& site = job.sites[slices[i]];
      const auto& records = site.slot->spikes;
      size_t k = cursor[i];
      for (; k < records.size() && records[k].tick == t; ++k) {
        neuron[written] = site.lo_atom + records[k].neuron;
        tick[written] = t;
        ++written;
      }
      cursor[i] = k;
    }
    // A core records in update order, which is neuron order; should one ever
    // not, the tick's spikes are put in neuron order here.
    if (!std::is_sorted(neuron + tick_begin, neuron + written)) std::sort(neuron + tick_begin, neuron + written);
  }
}

// Keeps the spikes of the neurons a population's recordings ask for (cores
// record every neuron's spikes).
void select_spikes(const Job& job, uint32_t population, PopulationSpikes& s) {
  if (!job.selection) return;
  size_t kept = 0;
  for (size_t i = 0; i < s.neurons.size(); ++i) {
    if (!job.selection->keep_spike(population, s.neurons[i])) continue;
    s.neurons[kept] = s.neurons[i];
    s.ticks[kept] = s.ticks[i];
    ++kept;
  }
  s.neurons.resize(kept);
  s.ticks.resize(kept);
}

void gather(const Job& job, const std::vector<size_t>* from, std::vector<PopulationSpikes>& out) {
  out.resize(job.populations.size());
  std::vector<size_t> cursor;
  for (size_t p = 0; p < out.size(); ++p) {
    merge_population(job, job.sites_of_population[p], from, out[p], cursor);
    select_spikes(job, static_cast<uint32_t>(p), out[p]);
  }
}

}  // namespace

namespace {
std::atomic<int64_t> g_alive{0};
}  // namespace

Job::AliveCount::AliveCount() { g_alive.fetch_add(1); }
Job::AliveCount::~AliveCount() { g_alive.fetch_sub(1); }

int64_t Job::alive() { return g_alive.load(); }

Job::~Job() {
  if (process_owner) process_owner->call([this] { engine.reset(); });  // kills and reaps the QEMU processes
  process_owner.reset();
  if (qemu_budget) qemu_budget->give_back(owner, qemu_cores);
}

v1::JobInfo Job::info() const {
  v1::JobInfo i;
  i.set_job_id(id);
  i.set_name(name);
  i.set_backend(backend);
  i.set_machine(machine);
  i.set_timestep_ms(timestep_ms);
  i.set_neurons(neurons);
  i.set_synapses(synapses);
  i.set_cores(static_cast<uint32_t>(sites.size()));
  i.set_created_unix_ms(created_unix_ms);
  i.set_ticks(tick.load());
  {
    std::lock_guard lock(m);
    i.set_state(state);
    i.set_message(message);
  }
  i.set_recorded_spikes(recorded_spikes.load());
  if (backend == "qemu") {
    i.set_board(board);
    i.set_qemu_cores(qemu_cores);
  }
  return i;
}

int Job::population_index(const std::string& label) const {
  for (size_t p = 0; p < populations.size(); ++p)
    if (populations[p].label() == label) return static_cast<int>(p);
  return -1;
}

grpc::Status Job::inject(uint32_t population, const google::protobuf::RepeatedField<uint32_t>& neuron_ids,
                         std::optional<uint64_t> at_tick, uint64_t max_pending, uint64_t& late) {
  const v1::PopulationInfo& pop = populations[population];
  const auto& slices = sites_of_population[population];
  std::vector<PendingInjection> batch;
  batch.reserve(static_cast<size_t>(neuron_ids.size()));
  for (uint32_t n : neuron_ids) {
    if (n >= pop.size())
      return {grpc::StatusCode::INVALID_ARGUMENT, "neuron_ids: " + std::to_string(n) + " is out of range for population '" +
                                                      pop.label() + "' of size " + std::to_string(pop.size())};
    // The slice holding n: the last one starting at or below it.
    const auto it = std::upper_bound(slices.begin(), slices.end(), n,
                                     [this](uint32_t v, uint32_t s) { return v < sites[s].lo_atom; });
    const SliceSite& site = sites[*(it - 1)];
    batch.push_back({at_tick, site.where, fw::Packet{site.key_base | (n - site.lo_atom), 0, false}, population, n});
  }
  std::lock_guard lock(inject_m);
  const uint64_t waiting = pending.size() + scheduled_injections.load();
  if (waiting + batch.size() > max_pending)
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            "job '" + id + "' holds " + std::to_string(waiting) + " injected spikes waiting to enter the fabric; " +
                std::to_string(batch.size()) + " more would pass the daemon's limit of " +
                std::to_string(max_pending) + " (run the job to send them, or inject less far ahead)"};
  if (at_tick && *at_tick < tick.load()) late += batch.size();
  pending.insert(pending.end(), batch.begin(), batch.end());
  return grpc::Status::OK;
}

std::vector<host::PopulationSlice> Job::population_slices(uint32_t population) const {
  std::vector<host::PopulationSlice> slices;
  for (uint32_t s : sites_of_population[population])
    slices.push_back({sites[s].lo_atom, sites[s].n_atoms, sites[s].where});
  return slices;
}

grpc::Status Job::set_mode(uint32_t population, const google::protobuf::RepeatedField<uint32_t>& neuron_ids,
                          double threshold_offset, std::optional<double> gain, std::optional<uint64_t> at_tick,
                          v1::SetModeResponse& out) {
  const v1::PopulationInfo& pop = populations[population];
  const auto type = network.populations(static_cast<int>(population)).cell_type_case();
  if (type == v1::Population::kSpikeSourcePoisson || type == v1::Population::kSpikeSourceArray)
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "population: " + host::network::quote_for_message(pop.label()) + " is a spike source; modes belong to neuron models"};
  for (int i = 0; i < neuron_ids.size(); ++i)
    if (neuron_ids[i] >= pop.size())
      return {grpc::StatusCode::INVALID_ARGUMENT, "neuron_ids[" + std::to_string(i) + "]: " +
                                                      std::to_string(neuron_ids[i]) + " is out of range for population " +
                                                      host::network::quote_for_message(pop.label()) + " of size " +
                                                      std::to_string(pop.size())};
  if (auto why = host::network::threshold_offset_problem(threshold_offset))
    return {grpc::StatusCode::INVALID_ARGUMENT, "threshold_offset: " + *why};
  if (gain)
    if (auto why = host::network::gain_problem(*gain)) return {grpc::StatusCode::INVALID_ARGUMENT, "gain: " + *why};
  const std::vector<host::PopulationSlice> slices = population_slices(population);
  const std::span<const uint32_t> ids(neuron_ids.data(), static_cast<size_t>(neuron_ids.size()));
  std::vector<host::ScheduledModeChange> changes =
      host::mode_changes(slices, ids, host::network::mode_values(threshold_offset, gain), 0);
  uint64_t switched = 0;  // the changes cover each distinct id once
  for (const host::ScheduledModeChange& c : changes) switched += c.change.count;
  std::lock_guard lock(engine_m);
  if (!engine) return {grpc::StatusCode::FAILED_PRECONDITION, "job '" + id + "' has no engine (it failed to start)"};
  const uint64_t now = engine->ticks_run();
  const uint64_t at = std::max(at_tick.value_or(now), now);
  for (host::ScheduledModeChange& c : changes) c.tick = at;
  try {
    host::schedule_mode_changes(*engine, changes);
  } catch (const std::exception& e) {
    return {grpc::StatusCode::INTERNAL, "job '" + id + "': " + e.what()};
  }
  out.set_tick(at);
  out.set_late(at_tick && *at_tick < now);
  out.set_neurons(switched);
  return grpc::Status::OK;
}

grpc::Status Job::set_learning_rate(uint32_t population, double scale, std::optional<uint64_t> at_tick,
                                   v1::SetLearningRateResponse& out) {
  const v1::PopulationInfo& pop = populations[population];
  bool plastic = false;
  for (const auto& proj : network.projections())
    plastic = plastic || (proj.post() == pop.label() && proj.synapse_dynamics().has_stdp());
  if (!plastic)
    return {grpc::StatusCode::INVALID_ARGUMENT, "population: no plastic (STDP) projection onto " +
                                                    host::network::quote_for_message(pop.label()) + ": nothing to scale"};
  if (auto why = host::network::learning_scale_problem(scale))
    return {grpc::StatusCode::INVALID_ARGUMENT, "scale: " + *why};
  const std::vector<host::PopulationSlice> slices = population_slices(population);
  std::lock_guard lock(engine_m);
  if (!engine) return {grpc::StatusCode::FAILED_PRECONDITION, "job '" + id + "' has no engine (it failed to start)"};
  const uint64_t now = engine->ticks_run();
  const uint64_t at = std::max(at_tick.value_or(now), now);
  const size_t before = engine->scheduled_modes();
  try {
    host::schedule_mode_changes(*engine,
                                host::learning_scale_changes(slices, host::network::learning_scale_value(scale), at));
  } catch (const std::exception& e) {
    return {grpc::StatusCode::INTERNAL, "job '" + id + "': " + e.what()};
  }
  out.set_tick(at);
  out.set_cores(static_cast<uint32_t>(engine->scheduled_modes() - before));
  out.set_late(at_tick && *at_tick < now);
  return grpc::Status::OK;
}

void Job::schedule_pending() {
  std::vector<PendingInjection> taken;
  {
    // Counted as scheduled before they leave `pending`, so Inject's bound
    // never sees them in neither.
    std::lock_guard lock(inject_m);
    scheduled_injections.fetch_add(pending.size());
    taken.swap(pending);
  }
  const uint64_t now = engine->ticks_run();
  for (const PendingInjection& p : taken) {
    if (p.tick && *p.tick < now) ++injected_late;
    const uint64_t sent = std::max(p.tick.value_or(now), now);  // the engine sends a past tick's in the next
    engine->schedule_packet(sent, p.from, p.packet);
    if (records_spikes[p.population] && (!selection || selection->keep_spike(p.population, p.neuron)))
      injected_record.add(p.population, sent, p.neuron);
  }
  injected_spikes += taken.size();
  scheduled_injections.store(engine->scheduled_packets());
}

void Job::take_new_spikes(std::vector<PopulationSpikes>& out) {
  gather(*this, &spike_cursor, out);
  for (size_t i = 0; i < sites.size(); ++i) spike_cursor[i] = sites[i].slot->spikes.size();
  injected_record.merge_new(engine->ticks_run(), out);
}

std::vector<PopulationSpikes> Job::all_spikes() const {
  std::vector<PopulationSpikes> out;
  gather(*this, nullptr, out);
  injected_record.merge_all(engine->ticks_run(), out);
  return out;
}

v1::ProvenanceSummary Job::provenance() const {
  const emu::RunReport& r = last_report;
  v1::ProvenanceSummary p;
  p.set_ticks(r.ticks);
  p.set_neuron_updates(r.neuron_updates);
  p.set_synaptic_events(r.synaptic_events);
  p.set_spikes(r.spikes);
  p.set_injected_spikes(injected_spikes);
  p.set_injected_late(injected_late);
  p.set_wall_seconds(r.wall_seconds);
  p.set_cpu_seconds(r.cpu_seconds);
  p.set_late_ticks(r.late_ticks);
  p.set_routing_seconds(r.routing_seconds);
  p.set_injected_recorded(injected_record.recorded(engine->ticks_run()));
  const emu::RouterCounters& t = r.fabric.totals;
  v1::FabricCounters* f = p.mutable_fabric();
  f->set_injected(t.injected);
  f->set_delivered(t.delivered);
  f->set_delivered_late(t.delivered_late);
  f->set_copies(t.copies);
  f->set_emergency_routed(t.emergency_routed);
  f->set_dumped(t.dumped);
  f->set_reinjected(t.reinjected);
  f->set_pending(r.fabric.pending);
  f->set_balanced(r.fabric.balanced());
  for (uint32_t k = 0; k < emu::kDropReasonCount; ++k)
    (*f->mutable_dropped())[std::string(emu::drop_reason_name(static_cast<emu::DropReason>(k)))] = t.dropped[k];
  v1::CoreDrops* c = p.mutable_cores();
  for (const emu::CoreReport& core : r.cores) {
    c->set_input_queue_overflows(c->input_queue_overflows() + core.provenance.input_queue_overflows);
    c->set_packets_send_failed(c->packets_send_failed() + core.provenance.packets_send_failed);
    c->set_spike_records_dropped(c->spike_records_dropped() + core.provenance.spike_records_dropped);
    c->set_state_records_dropped(c->state_records_dropped() + core.provenance.state_records_dropped);
  }
  // provenance.json's "cores": in slice order, counters as the core holds them now.
  std::vector<const SliceSite*> by_slice;
  for (const SliceSite& s : sites) by_slice.push_back(&s);
  std::sort(by_slice.begin(), by_slice.end(), [](const SliceSite* a, const SliceSite* b) { return a->slice < b->slice; });
  for (const SliceSite* s : by_slice) {
    v1::CoreProvenance* core = p.add_per_core();
    core->set_chip_x(s->where.chip.x);
    core->set_chip_y(s->where.chip.y);
    core->set_core(s->where.core);
    core->set_population(populations[s->population].label());
    core->set_lo_atom(s->lo_atom);
    core->set_hi_atom(s->lo_atom + s->n_atoms);
    fw::for_each_counter(s->slot->provenance(),
                         [&](const char* counter, uint32_t v) { (*core->mutable_counters())[counter] = v; });
  }
  return p;
}

}  // namespace spindle::daemon
