#include "iot/group_commit.hpp"

#include "iot/sqlite.hpp"

namespace trustlane::iot {

void GroupCommit::run(const Mutation& mutation) {
  Pending self{&mutation, false, nullptr};
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&self);
  while (!self.done) {
    if (leader_) {
      finished_.wait(lock);
      continue;
    }
    // Lead: commit batches until our own mutation is done (it is in the first one we take).
    leader_ = true;
    std::deque<Pending*> batch;
    batch.swap(queue_);
    lock.unlock();
    commit_batch(batch);
    lock.lock();
    ++batches_;
    mutations_ += batch.size();
    for (auto* p : batch) p->done = true;
    leader_ = false;
    finished_.notify_all();
  }
  if (self.error) std::rethrow_exception(self.error);
}

void GroupCommit::commit_batch(std::deque<Pending*>& batch) {
  std::lock_guard db_lock(db_mutex_);
  // Prepared once and reused: parsing BEGIN/SAVEPOINT/COMMIT per request costs more than the insert.
  auto step = [&](const char* sql) { db_.prepare(sql).run(); };
  // A lone mutation needs no savepoint: the transaction itself is its rollback scope.
  const bool lone = batch.size() == 1;
  bool open = false;
  try {
    step("BEGIN IMMEDIATE");
    open = true;
    bool kept_any = false;
    for (auto* p : batch) {
      if (!lone) step("SAVEPOINT mutation");
      bool keep = false;
      try {
        keep = (*p->mutation)();
      } catch (...) {
        p->error = std::current_exception();
      }
      kept_any |= keep;
      if (!lone && !keep) step("ROLLBACK TO mutation");
      if (!lone) step("RELEASE mutation");
    }
    step(kept_any ? "COMMIT" : "ROLLBACK");
    open = false;
  } catch (...) {
    // The group did not commit (or a savepoint failed): nothing of it is stored, every caller hears why.
    if (open) {
      try {
        db_.exec("ROLLBACK");
      } catch (...) {
      }
    }
    auto error = std::current_exception();
    for (auto* p : batch)
      if (!p->error) p->error = error;
  }
}

std::uint64_t GroupCommit::batches() const {
  std::lock_guard lock(queue_mutex_);
  return batches_;
}

std::size_t GroupCommit::queued() const {
  std::lock_guard lock(queue_mutex_);
  return queue_.size();
}

std::uint64_t GroupCommit::mutations() const {
  std::lock_guard lock(queue_mutex_);
  return mutations_;
}

}  // namespace trustlane::iot
