// Database: the SQLite file behind a Store (DIR/store.db). WAL, synchronous=FULL, prepared
// statements; one connection guarded by a mutex, shared by the store's chips. Every write
// method is one atomic transaction unless it runs inside a Batch (mint).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "chip/chip.hpp"
#include "chip/object.hpp"
#include "util/bytes.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace trustlane::chip {

struct ChipRow {
  std::int64_t seq = 0;  // mint order
  Bytes uid;
  Personality personality = Personality::Se050C;
};

class Database {
 public:
  // Opens (create = true: creates) DIR/store.db. Throws std::runtime_error with a one-line reason.
  static std::shared_ptr<Database> open(const std::filesystem::path& file, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Groups writes into one transaction (mint batches). Not reentrant.
  class Batch {
   public:
    explicit Batch(Database& db);
    ~Batch();  // rolls back unless committed
    void commit();
   private:
    Database& db_;
    std::unique_lock<std::mutex> lock_;
    bool done_ = false;
  };

  std::int64_t insert_chip(ByteView uid, Personality p, ByteView curves);  // inside a Batch
  void put_object_in_batch(std::int64_t chip, const SecureObject& o);
  std::vector<ChipRow> chips();
  std::vector<SecureObject> objects(std::int64_t chip);  // keys not yet parsed
  Bytes curves(std::int64_t chip);

  // Single durable writes (each its own transaction).
  void put_object(std::int64_t chip, const SecureObject& o);
  void delete_object(std::int64_t chip, std::uint32_t id);
  void delete_objects_except_factory(std::int64_t chip);
  void set_curves(std::int64_t chip, ByteView curves);

  std::string integrity_check();

 private:
  explicit Database(sqlite3* db);
  void exec(const char* sql);
  sqlite3_stmt* prepare(const char* sql);
  void put_object_locked(std::int64_t chip, const SecureObject& o);
  [[noreturn]] void fail(const char* what);

  sqlite3* db_;
  std::mutex mutex_;
  sqlite3_stmt* insert_chip_ = nullptr;
  sqlite3_stmt* put_object_ = nullptr;
  sqlite3_stmt* delete_object_ = nullptr;
  sqlite3_stmt* delete_nonfactory_ = nullptr;
  sqlite3_stmt* set_curves_ = nullptr;
  sqlite3_stmt* select_chips_ = nullptr;
  sqlite3_stmt* select_objects_ = nullptr;
  sqlite3_stmt* select_curves_ = nullptr;
};

}  // namespace trustlane::chip
