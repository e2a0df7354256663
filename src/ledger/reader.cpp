#include "ledger/reader.hpp"

#include "ledger/array_splitter.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

namespace trustlane::ledger {

namespace {

constexpr std::size_t kChunk = 1024;
constexpr std::size_t kReadBlock = 64 << 10;
constexpr std::size_t kMaxEntryBytes = 1 << 20;  // a real entry is about 5 KB

using ChunkResults = std::vector<std::optional<Result<VerifiedEntry, RejectedEntry>>>;

// Verifies one chunk on worker threads while the caller reads the next one: reading (one thread,
// half a gigabyte for 100,000 chips, split into entries but not parsed) and parsing plus
// verification (every core) overlap. At most one chunk is in flight, so memory stays at two chunks.
class ChunkPipeline {
 public:
  ChunkPipeline(const Verifier& verifier, unsigned threads) : verifier_(verifier), threads_(std::max(1u, threads)) {}
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;
  ~ChunkPipeline() { join(); }  // also when the parser throws with a chunk in flight

  bool busy() const { return !pool_.empty(); }

  void start(std::vector<std::string> chunk, std::size_t first_index) {
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
  std::vector<std::string> chunk_;
  std::size_t first_ = 0;
  ChunkResults results_;
  std::atomic<std::size_t> next_{0};
  std::vector<std::thread> pool_;
};

// Duplicates are decided in ledger order, so "the first one wins" is deterministic. An entry
// that is not JSON makes the whole file invalid: nothing of it may be imported.
void merge(ChunkResults results, DuplicateFilter& duplicates, VerifiedLedger& out) {
  for (auto& r : results) {
    if (!*r && r->error().reason == Rejection::InvalidJson) {
      throw std::runtime_error("the ledger is not valid JSON (nothing imported): entry " +
                               std::to_string(out.accepted.size() + out.rejected.size()) + ": " + r->error().detail);
    } else if (!*r) {
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
  ArraySplitter splitter(kMaxEntryBytes);
  std::vector<std::string> chunk;
  std::size_t chunk_first = 0;
  auto hand_over = [&] {  // the full chunk goes to the pool once the one before it is merged
    if (pipeline.busy()) merge(pipeline.finish(), duplicates, out);
    chunk_first = out.total;
    out.total += chunk.size();
    pipeline.start(std::move(chunk), chunk_first);
    chunk = {};
  };
  try {
    std::string block(kReadBlock, '\0');
    while (in) {
      in.read(block.data(), static_cast<std::streamsize>(block.size()));
      splitter.feed(std::string_view(block.data(), static_cast<std::size_t>(in.gcount())), chunk);
      if (chunk.size() >= kChunk) hand_over();
    }
    if (in.bad()) throw std::runtime_error("cannot read the ledger (nothing imported)");
    splitter.finish();
  } catch (const ArraySyntaxError& e) {
    if (e.not_an_array) throw std::runtime_error("the ledger is not a JSON array of entries (nothing imported)");
    throw std::runtime_error(std::string("the ledger is not valid JSON (nothing imported): ") + e.what());
  }
  hand_over();
  merge(pipeline.finish(), duplicates, out);
  return out;
}

}  // namespace trustlane::ledger
