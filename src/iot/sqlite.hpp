// A thin RAII layer over SQLite 3: one connection, cached prepared statements, transactions.
// Not thread-safe by itself: the Store serialises access with its own mutex.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

namespace trustlane::iot {

// Storage failures (disk full, corruption) are not user errors: they surface as InternalFailure.
struct StorageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  explicit Statement(sqlite3_stmt* s) : stmt_(s) {}
  // Binds are 1-based like SQLite's; chaining keeps call sites short.
  Statement& bind(int i, std::string_view text);
  Statement& bind(int i, std::int64_t value);
  Statement& bind_null(int i);
  bool step();  // true while a row is available
  void run();   // steps to completion
  std::string text(int col) const;
  std::int64_t integer(int col) const;
  bool is_null(int col) const;
  void reset();

 private:
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  explicit Database(const std::string& path);  // opens (creates) in WAL mode
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const char* sql);
  // A cached statement, reset and with bindings cleared, ready to bind.
  Statement& prepare(const std::string& sql);
  std::int64_t changes() const;

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Statement>> cache_;
  std::map<std::string, sqlite3_stmt*> raw_;
};

// BEGIN IMMEDIATE … COMMIT; rolls back unless commit() ran (exceptions, early returns).
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace trustlane::iot
