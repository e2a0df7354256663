// GroupCommit: concurrent mutations share a transaction, run in submission order, and one
// failing mutation never takes the others with it.
#include "iot/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "iot/sqlite.hpp"

namespace trustlane::iot {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("trustlane-group-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    std::filesystem::remove(path_);
    db_ = std::make_unique<Database>(path_.string());
    db_->exec("CREATE TABLE t(seq INTEGER PRIMARY KEY AUTOINCREMENT, tag TEXT NOT NULL)");
    group_ = std::make_unique<GroupCommit>(*db_, mutex_);
  }
  void TearDown() override {
    group_.reset();
    db_.reset();
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }
  void insert(const std::string& tag) { db_->prepare("INSERT INTO t(tag) VALUES(?1)").bind(1, tag).run(); }
  std::vector<std::string> tags() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    auto& st = db_->prepare("SELECT tag FROM t ORDER BY seq");
    while (st.step()) out.push_back(st.text(0));
    st.reset();
    return out;
  }

  std::filesystem::path path_;
  std::mutex mutex_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<GroupCommit> group_;
};

TEST_F(GroupCommitTest, QueuedMutationsCommitTogetherInSubmissionOrder) {
  std::vector<std::thread> writers;
  std::thread leader;
  auto submit = [&](std::string tag) {
    writers.emplace_back([&, tag] {
      group_->run([&] {
        insert(tag);
        return true;
      });
    });
    // One at a time into the queue, so the submission order is known.
    while (group_->queued() < writers.size()) std::this_thread::yield();
  };
  std::atomic<bool> inside{false}, release{false};
  leader = std::thread([&] {
    group_->run([&] {
      insert("leader");
      inside = true;
      while (!release) std::this_thread::yield();
      return true;
    });
  });
  while (!inside) std::this_thread::yield();
  for (auto tag : {"a", "b", "c", "d"}) submit(tag);
  release = true;
  leader.join();
  for (auto& w : writers) w.join();
  EXPECT_EQ(tags(), (std::vector<std::string>{"leader", "a", "b", "c", "d"}));
  EXPECT_EQ(group_->batches(), 2u);  // the leader's, then a..d together
  EXPECT_EQ(group_->mutations(), 5u);
}

TEST_F(GroupCommitTest, AFailedOrThrowingMutationIsRolledBackAloneAndTheOthersCommit) {
  std::thread leader;
  std::vector<std::thread> writers;
  std::atomic<int> threw{0};
  std::atomic<bool> inside{false}, release{false};
  leader = std::thread([&] {
    group_->run([&] {
      insert("leader");
      inside = true;
      while (!release) std::this_thread::yield();
      return true;
    });
  });
  while (!inside) std::this_thread::yield();
  auto submit = [&](std::function<void()> body) {
    writers.emplace_back(std::move(body));
    while (group_->queued() < writers.size()) std::this_thread::yield();
  };
  submit([&] { group_->run([&] { insert("kept-1"); return true; }); });
  submit([&] { group_->run([&] { insert("refused"); return false; }); });
  submit([&] {
    try {
      group_->run([&]() -> bool {
        insert("threw");
        throw std::runtime_error("boom");
      });
    } catch (const std::runtime_error& e) {
      if (std::string(e.what()) == "boom") ++threw;
    }
  });
  submit([&] { group_->run([&] { insert("kept-2"); return true; }); });
  release = true;
  leader.join();
  for (auto& w : writers) w.join();
  EXPECT_EQ(threw, 1);
  EXPECT_EQ(tags(), (std::vector<std::string>{"leader", "kept-1", "kept-2"}));
  EXPECT_EQ(group_->batches(), 2u);
}

TEST_F(GroupCommitTest, ManyThreadsEveryMutationCommittedOnceAndInOrderPerThread) {
  constexpr int kThreads = 8, kEach = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        group_->run([&] {
          insert(std::to_string(t) + ":" + std::to_string(i));
          return true;
        });
    });
  for (auto& th : threads) th.join();
  auto all = tags();
  ASSERT_EQ(all.size(), std::size_t{kThreads * kEach});
  std::vector<int> next(kThreads, 0);
  for (auto& tag : all) {
    int t = std::stoi(tag.substr(0, tag.find(':')));
    int i = std::stoi(tag.substr(tag.find(':') + 1));
    EXPECT_EQ(i, next[t]++) << tag;
  }
  EXPECT_EQ(group_->mutations(), std::uint64_t{kThreads * kEach});
  EXPECT_LE(group_->batches(), group_->mutations());
}

TEST_F(GroupCommitTest, AFailedCommitReachesEveryCallerOfTheBatch) {
  // A mutation that ends the transaction itself makes COMMIT fail: its batch hears about it.
  EXPECT_THROW(group_->run([&] {
    insert("x");
    db_->exec("COMMIT");
    return true;
  }),
               StorageError);
  EXPECT_NO_THROW(group_->run([&] {
    insert("after");
    return true;
  }));
  EXPECT_EQ(tags().back(), "after");
}

}  // namespace
}  // namespace trustlane::iot
