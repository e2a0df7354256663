#include "iot/sqlite.hpp"

#include <sqlite3.h>

namespace trustlane::iot {

namespace {
[[noreturn]] void fail_db(sqlite3* db, const std::string& what) {
  throw StorageError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

Statement& Statement::bind(int i, std::string_view text) {
  // An empty string_view may have a null data pointer, which SQLite would bind as NULL.
  sqlite3_bind_text(stmt_, i, text.data() ? text.data() : "", static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int i, std::int64_t value) {
  sqlite3_bind_int64(stmt_, i, value);
  return *this;
}
Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail_db(sqlite3_db_handle(stmt_), "sqlite step");
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int col) const {
  auto* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}
std::int64_t Statement::integer(int col) const { return sqlite3_column_int64(stmt_, col); }
bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Database::Database(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError("cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA journal_mode=WAL");  // the first read: fails here on a file that is not a database
    // WAL + NORMAL: a commit is in the WAL file (OS page cache) before we answer, which survives
    // kill -9 of this process; only a power loss can lose the last commits. FULL adds an fsync per
    // commit for that case (Store option sync_full).
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    // Certificate ids are random hex: their index pages are touched at random, so a registry of
    // 100,000 certificates needs more than SQLite's default 2 MB of page cache to stay off disk.
    exec("PRAGMA cache_size=-65536");
    // A checkpoint copies every page the WAL holds into the database file. Those random index
    // pages are rewritten by commit after commit; checkpointing every 10,000 pages (40 MB of WAL)
    // instead of every 1,000 copies each of them once per ten times as many commits.
    exec("PRAGMA wal_autocheckpoint=10000");
    // Savepoints (one per grouped mutation, one per bulk batch) keep the original of every page
    // they change in a sub-journal. On a temporary file, that was a pwrite per page changed:
    // importing 100,000 chips took 26 s of server CPU with it, 17 s without. In memory it is a
    // copy, freed at commit.
    exec("PRAGMA temp_store=MEMORY");
  } catch (...) {
    sqlite3_close(db_);  // the destructor does not run when the constructor throws
    db_ = nullptr;
    throw;
  }
}

Database::~Database() {
  for (auto& [sql, stmt] : raw_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Database::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StorageError(std::string("sqlite: ") + msg);
  }
}

Statement& Database::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->reset();
    return *it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    fail_db(db_, "sqlite prepare");
  raw_[sql] = stmt;
  auto& slot = cache_[sql];
  slot = std::make_unique<Statement>(stmt);
  return *slot;
}

std::int64_t Database::changes() const { return sqlite3_changes(db_); }

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}
void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace trustlane::iot
