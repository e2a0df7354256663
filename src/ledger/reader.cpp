#include "ledger/reader.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

namespace trustlane::ledger {

namespace {

constexpr std::size_t kChunk = 1024;

using ChunkResults = std::vector<std::optional<Result<VerifiedEntry, RejectedEntry>>>;

// Verifies one chunk on worker threads while the caller parses the next one: parsing (one thread,
// half a gigabyte for 100,000 chips) and verification (every core) overlap instead of taking
// turns. At most one chunk is in flight, so memory stays at two chunks.
class ChunkPipeline {
 public:
  ChunkPipeline(const Verifier& verifier, unsigned threads) : verifier_(verifier), threads_(std::max(1u, threads)) {}
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;
  ~ChunkPipeline() { join(); }  // also when the parser throws with a chunk in flight

  bool busy() const { return !pool_.empty(); }

  void start(std::vector<nlohmann::json> chunk, std::size_t first_index) {
    chunk_ = std::move(chunk);
    first_ = first_index;
    results_.assign(chunk_.size(), std::nullopt);
    next_ = 0;
    for (unsigned t = 0; t < threads_ && t < chunk_.size(); ++t) pool_.emplace_back([this] { work(); });
  }

  // Waits for the chunk in flight; its results in ledger order.
  ChunkResults finish() {
    join();
    chunk_.clear();
    return std::exchange(results_, {});
  }

 private:
  void work() {
    for (std::size_t i; (i = next_.fetch_add(1)) < chunk_.size();) results_[i] = verifier_.verify(chunk_[i], first_ + i);
  }
  void join() {
    for (auto& t : pool_) t.join();
    pool_.clear();
  }

  const Verifier& verifier_;
  unsigned threads_;
  std::vector<nlohmann::json> chunk_;
  std::size_t first_ = 0;
  ChunkResults results_;
  std::atomic<std::size_t> next_{0};
  std::vector<std::thread> pool_;
};

// Duplicates are decided in ledger order, so "the first one wins" is deterministic.
void merge(ChunkResults results, DuplicateFilter& duplicates, VerifiedLedger& out) {
  for (auto& r : results) {
    if (!*r) {
      out.rejected.push_back(r->error());
    } else if (!duplicates.first_time(r->value())) {
      out.rejected.push_back({r->value().unique_id, Rejection::Duplicate, "the same chip appears earlier in the ledger"});
    } else {
      out.accepted.push_back(std::move(r->value()));
    }
  }
}

}  // namespace

VerifiedLedger verify_ledger(std::istream& in, const Verifier& verifier, unsigned threads) {
  VerifiedLedger out;
  DuplicateFilter duplicates;
  ChunkPipeline pipeline(verifier, threads);
  std::vector<nlohmann::json> chunk;
  std::size_t chunk_first = 0;
  auto hand_over = [&] {  // the full chunk goes to the pool once the one before it is merged
    if (pipeline.busy()) merge(pipeline.finish(), duplicates, out);
    pipeline.start(std::move(chunk), chunk_first);
    chunk = {};
    chunk_first = out.total;
  };
  bool top_is_array = false, started = false;
  using event = nlohmann::json::parse_event_t;
  auto on_event = [&](int depth, event e, nlohmann::json& parsed) -> bool {
    if (!started) {
      started = true;
      top_is_array = e == event::array_start;
    }
    if (!top_is_array || depth != 1) return true;
    // A complete element of the top-level array: take it and keep nothing in the parse tree.
    if (e == event::object_end || e == event::array_end || e == event::value) {
      chunk.push_back(std::move(parsed));
      ++out.total;
      if (chunk.size() == kChunk) hand_over();
      return false;
    }
    return true;
  };
  try {
    auto doc = nlohmann::json::parse(in, on_event);
    (void)doc;
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(std::string("the ledger is not valid JSON (nothing imported): ") + e.what());
  }
  if (!top_is_array) throw std::runtime_error("the ledger is not a JSON array of entries (nothing imported)");
  hand_over();
  merge(pipeline.finish(), duplicates, out);
  return out;
}

}  // namespace trustlane::ledger
