// RecordLog: records come back in order across block boundaries, never move
// while the log grows, and clear() reuses the blocks.
#include "engine/record_log.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "runtime/recording.h"

namespace {

using spindle::emu::RecordLog;
using spindle::fw::SpikeRecord;

constexpr size_t kBlock = RecordLog<SpikeRecord>::kBlockSize;

std::vector<SpikeRecord> numbered(size_t first, size_t n) {
  std::vector<SpikeRecord> v;
  for (size_t i = first; i < first + n; ++i) v.push_back({static_cast<uint32_t>(i / 7), static_cast<uint32_t>(i)});
  return v;
}

TEST(RecordLog, AppendsInOrderAcrossBlockBoundaries) {
  RecordLog<SpikeRecord> log;
  EXPECT_TRUE(log.empty());
  // Odd batch sizes so that batches straddle blocks.
  size_t n = 0;
  for (size_t batch : {size_t{1}, kBlock - 2, size_t{5}, 2 * kBlock + 3, size_t{0}, size_t{17}}) {
    log.append(numbered(n, batch));
    n += batch;
  }
  ASSERT_EQ(log.size(), n);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(log[i].neuron, i) << "record " << i;
    ASSERT_EQ(log[i].tick, i / 7) << "record " << i;
  }
  size_t i = 0;
  for (const SpikeRecord& r : log) EXPECT_EQ(r.neuron, i++);
  EXPECT_EQ(i, n);
  const std::vector<SpikeRecord> copy = log.to_vector();
  ASSERT_EQ(copy.size(), n);
  EXPECT_EQ(copy.back().neuron, n - 1);
}

TEST(RecordLog, RecordsNeverMoveWhileTheLogGrows) {
  RecordLog<SpikeRecord> log;
  log.push_back({3, 4});
  const SpikeRecord* first = &log[0];
  for (size_t k = 0; k < 5; ++k) log.append(numbered(1, kBlock));
  EXPECT_EQ(&log[0], first);
  EXPECT_EQ(log[0].neuron, 4u);
}

TEST(RecordLog, SpansFromACursorCoverTheRestInOrder) {
  RecordLog<SpikeRecord> log;
  log.append(numbered(0, 3 * kBlock + 10));
  for (size_t from : {size_t{0}, size_t{1}, kBlock - 1, kBlock, 3 * kBlock + 9, 3 * kBlock + 10}) {
    size_t next = from;
    size_t spans = 0;
    log.for_each_span(from, [&](const SpikeRecord* p, size_t count) {
      ASSERT_GT(count, 0u);
      for (size_t k = 0; k < count; ++k) ASSERT_EQ(p[k].neuron, next + k) << "from " << from;
      next += count;
      ++spans;
    });
    EXPECT_EQ(next, log.size()) << "from " << from;
    EXPECT_LE(spans, 4u);
  }
}

TEST(RecordLog, ClearKeepsTheBlocksForTheNextRun) {
  RecordLog<SpikeRecord> log;
  log.append(numbered(0, 2 * kBlock + 1));
  const size_t capacity = log.capacity();
  EXPECT_EQ(capacity, 3 * kBlock);
  log.clear();
  EXPECT_EQ(log.size(), 0u);
  EXPECT_EQ(log.begin(), log.end());
  log.append(numbered(100, 2 * kBlock));
  EXPECT_EQ(log.capacity(), capacity);
  EXPECT_EQ(log[0].neuron, 100u);
  EXPECT_EQ(log[2 * kBlock - 1].neuron, 100 + 2 * kBlock - 1);
}

}  // namespace
