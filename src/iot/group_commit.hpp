// Group commit: concurrent mutations share one SQLite transaction. The first caller to find no
// batch running becomes the leader: it takes every queued mutation, runs each inside its own
// SAVEPOINT (a mutation that fails is rolled back alone, the others stay), commits once, and
// wakes the callers of that batch; then it takes the next batch, if any. Every caller returns
// only after the transaction holding its mutation has committed, so an answered request
// survives kill -9 exactly as with one commit per request (and `synchronous=FULL` still fsyncs
// each group). Mutations run in submission order.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>

namespace trustlane::iot {

class Database;

class GroupCommit {
 public:
  // A mutation returns true to keep its changes, false to roll them back (an error answer).
  // Exceptions also roll it back and reach its caller; the rest of the batch is unaffected.
  using Mutation = std::function<bool()>;

  // `db_mutex` guards `db` for everyone else too (readers, unbatched writers).
  GroupCommit(Database& db, std::mutex& db_mutex) : db_(db), db_mutex_(db_mutex) {}

  // Runs `mutation` in a group transaction and returns once that transaction has committed.
  // Throws the mutation's exception, or the storage error when the commit itself failed.
  void run(const Mutation& mutation);

  std::uint64_t batches() const;    // transactions committed (for tests and stats)
  std::uint64_t mutations() const;  // mutations that went through them
  std::size_t queued() const;       // mutations waiting for the next batch

 private:
  struct Pending {
    const Mutation* mutation;
    bool done = false;
    std::exception_ptr error;
  };
  void commit_batch(std::deque<Pending*>& batch);

  Database& db_;
  std::mutex& db_mutex_;
  mutable std::mutex queue_mutex_;
  std::condition_variable finished_;
  std::deque<Pending*> queue_;
  bool leader_ = false;
  std::uint64_t batches_ = 0, mutations_ = 0;
};

}  // namespace trustlane::iot
