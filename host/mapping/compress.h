// Table compression stage: ordered covering (Mundy, Heathcote and Garside
// 2016), run only until a chip's table fits its router, and checked key by
// key against the uncompressed table afterwards (docs/mapping.md).
//
// Input tables must be orthogonal (no two entries match a common key), as
// route() produces them. Entries are kept ordered from most to least
// specific (fewest don't-care bits first). A merge replaces a set of entries
// with the same route by one covering entry (the bits where all agree) placed
// by its generality; it is taken only if
//   - no entry below it with another route shares a key in use with it
//     (those keys would be stolen: Mundy's down-check), and
//   - no entry with another route that the merged entries used to precede
//     shares a key in use with one of them (their keys would be stolen from
//     above: the up-check).
// Candidates (CoveringSearch::kRefined): all entries of one route, refined
// as Mundy does: the down-check sets don't-care bits of the merged entry
// (dropping the members that disagree), the up-check drops members; and the
// nodes of a binary trie over each route's keys. A merged entry goes above
// the entries as general as itself (Mundy's place). Each step takes the
// smallest valid merge that makes the table fit (cut down to a trie node if
// a refined merge saves more than needed), else the largest; it stops as
// soon as the table fits.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "machine/machine.h"
#include "mapping/keys.h"
#include "mapping/partition.h"
#include "mapping/route.h"
#include "router/routing_entry.h"

namespace spindle::host {

// A table that cannot be made to fit its router.
class TableCapacityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct KeyRange {
  uint32_t base = 0;
  uint32_t count = 0;  // keys base .. base + count - 1 are in use
};

struct CompressionStats {
  uint32_t entries_before = 0;
  uint32_t entries_after = 0;
  uint32_t merges = 0;
};

// How merge candidates are found.
enum class CoveringSearch {
  kRefined,    // Mundy's refined merges of each route's entries, and trie nodes
  kTrieNodes,  // only the trie nodes, each merge below the entries as general (the earlier search; for comparison)
};

// Returns the table unchanged when it fits. Throws std::invalid_argument if
// the input is not orthogonal, TableCapacityError when no further merge is
// valid and the table is still larger than capacity (the message gives both sizes).
std::vector<emu::RoutingEntry> compress_table(std::span<const emu::RoutingEntry> table, uint32_t capacity,
                                              CompressionStats* stats = nullptr,
                                              CoveringSearch search = CoveringSearch::kRefined);

// Merges until no valid merge is left, whatever the size (the most each
// search achieves; for comparisons). Throws std::invalid_argument as above.
std::vector<emu::RoutingEntry> minimise_table(std::span<const emu::RoutingEntry> table,
                                              CoveringSearch search = CoveringSearch::kRefined,
                                              CompressionStats* stats = nullptr);

// Compares first-match lookups of the two tables on every key in use (they
// must agree, including "no match"), and on near_samples keys around each
// range (just below, just above and random low bits under the matching
// entry's mask) where the original table matches: a key the original does
// not route never reaches the chip, so there the compressed table may say
// anything. Returns a description of the first mismatch, or nothing.
std::optional<std::string> verify_compressed(std::span<const emu::RoutingEntry> original,
                                             std::span<const emu::RoutingEntry> compressed,
                                             std::span<const KeyRange> keys_in_use, uint32_t near_samples = 8,
                                             uint64_t seed = 1, uint64_t* keys_checked = nullptr);

struct CompressedTable {
  emu::ChipCoord chip;
  uint32_t entries_before = 0;
  std::vector<emu::RoutingEntry> entries;
  uint32_t merges = 0;
  uint64_t keys_verified = 0;  // 0 when the table fitted as it was
};

// Compresses and verifies every chip's table to fit capacity (normally
// machine.router_table_capacity). Throws TableCapacityError naming the chip
// and its sizes, or std::logic_error if verification fails (a bug); with
// several failing chips, the first in table order. Chips are compressed on
// `threads` workers (0: one per hardware thread); the result is the same for
// any count.
std::vector<CompressedTable> compress_routes(const Routes& routes, const Partition& partition,
                                             const KeyAllocation& keys, uint32_t capacity, unsigned threads = 0);

}  // namespace spindle::host
