#include "ledger/reader.hpp"

#include <atomic>
#include <optional>
#include <stdexcept>
#include <thread>

namespace trustlane::ledger {

namespace {

constexpr std::size_t kChunk = 1024;

void verify_chunk(std::vector<nlohmann::json>& chunk, std::size_t first_index, const Verifier& verifier,
                  unsigned threads, DuplicateFilter& duplicates, VerifiedLedger& out) {
  std::vector<std::optional<Result<VerifiedEntry, RejectedEntry>>> results(chunk.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < chunk.size();) results[i] = verifier.verify(chunk[i], first_index + i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads && t < chunk.size(); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  // Duplicates are decided in ledger order, so "the first one wins" is deterministic.
  for (auto& r : results) {
    if (!*r) {
      out.rejected.push_back(r->error());
    } else if (!duplicates.first_time(r->value())) {
      out.rejected.push_back({r->value().unique_id, Rejection::Duplicate, "the same chip appears earlier in the ledger"});
    } else {
      out.accepted.push_back(std::move(r->value()));
    }
  }
  chunk.clear();
}

}  // namespace

VerifiedLedger verify_ledger(std::istream& in, const Verifier& verifier, unsigned threads) {
  VerifiedLedger out;
  DuplicateFilter duplicates;
  std::vector<nlohmann::json> chunk;
  std::size_t chunk_first = 0;
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
      if (chunk.size() == kChunk) {
        verify_chunk(chunk, chunk_first, verifier, threads, duplicates, out);
        chunk_first = out.total;
      }
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
  verify_chunk(chunk, chunk_first, verifier, threads, duplicates, out);
  return out;
}

}  // namespace trustlane::ledger
