#include "chip/db.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace trustlane::chip {

namespace {
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS chips(
  seq INTEGER PRIMARY KEY,
  uid BLOB NOT NULL UNIQUE,
  personality INTEGER NOT NULL,
  curves BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS objects(
  chip INTEGER NOT NULL REFERENCES chips(seq),
  id INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  curve INTEGER NOT NULL,
  policy BLOB NOT NULL,
  data BLOB NOT NULL,
  public_point BLOB NOT NULL,
  max_attempts INTEGER NOT NULL,
  factory INTEGER NOT NULL,
  PRIMARY KEY(chip, id)) WITHOUT ROWID;
)sql";

// sqlite3_bind_blob with a null pointer binds NULL; NOT NULL columns need a real empty blob.
void bind_blob(sqlite3_stmt* s, int i, ByteView b) {
  static const std::uint8_t empty = 0;
  sqlite3_bind_blob(s, i, b.empty() ? &empty : b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
}
Bytes column_blob(sqlite3_stmt* s, int i) {
  auto p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, i));
  int n = sqlite3_column_bytes(s, i);
  return p ? Bytes(p, p + n) : Bytes{};
}
struct Reset {
  sqlite3_stmt* s;
  ~Reset() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};
}  // namespace

std::shared_ptr<Database> Database::open(const std::filesystem::path& file, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + file.string() + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  std::shared_ptr<Database> out(new Database(db));
  try {
    out->exec("PRAGMA synchronous=FULL");
    if (create) {
      // Built in rollback-journal mode under a temporary name (see Store::create), in one
      // transaction; WAL is switched on when the finished file is opened.
      out->exec("BEGIN");
      out->exec(kSchema);
      out->exec("COMMIT");
    } else {
      out->exec("PRAGMA journal_mode=WAL");
      // A corrupt or foreign file fails here with a clear reason.
      sqlite3_finalize(out->prepare("SELECT seq, uid, personality, curves FROM chips LIMIT 1"));
    }
    out->insert_chip_ = out->prepare("INSERT INTO chips(uid, personality, curves) VALUES(?, ?, ?)");
    out->put_object_ = out->prepare(
        "INSERT OR REPLACE INTO objects(chip, id, kind, curve, policy, data, public_point, max_attempts, factory) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    out->delete_object_ = out->prepare("DELETE FROM objects WHERE chip = ? AND id = ?");
    out->delete_nonfactory_ = out->prepare("DELETE FROM objects WHERE chip = ? AND factory = 0");
    out->set_curves_ = out->prepare("UPDATE chips SET curves = ? WHERE seq = ?");
    out->select_chips_ = out->prepare("SELECT seq, uid, personality FROM chips ORDER BY seq");
    out->select_objects_ = out->prepare(
        "SELECT id, kind, curve, policy, data, public_point, max_attempts, factory FROM objects WHERE chip = ? "
        "ORDER BY id");
    out->select_curves_ = out->prepare("SELECT curves FROM chips WHERE seq = ?");
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  return out;
}

Database::Database(sqlite3* db) : db_(db) {}

Database::~Database() {
  for (auto* s : {insert_chip_, put_object_, delete_object_, delete_nonfactory_, set_curves_, select_chips_,
                  select_objects_, select_curves_})
    sqlite3_finalize(s);
  sqlite3_close(db_);
}

void Database::fail(const char* what) {
  throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db_));
}

void Database::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

sqlite3_stmt* Database::prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
    sqlite3_finalize(s);
    throw std::runtime_error(std::string("not a trustlane chip store (") + sqlite3_errmsg(db_) + ")");
  }
  return s;
}

Database::Batch::Batch(Database& db) : db_(db), lock_(db.mutex_) { db_.exec("BEGIN IMMEDIATE"); }
Database::Batch::~Batch() {
  if (!done_) sqlite3_exec(db_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}
void Database::Batch::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

std::int64_t Database::insert_chip(ByteView uid, Personality p, ByteView curves) {
  Reset r{insert_chip_};
  bind_blob(insert_chip_, 1, uid);
  sqlite3_bind_int(insert_chip_, 2, static_cast<int>(p));
  bind_blob(insert_chip_, 3, curves);
  if (sqlite3_step(insert_chip_) != SQLITE_DONE) fail("insert chip");
  return sqlite3_last_insert_rowid(db_);
}

void Database::put_object_locked(std::int64_t chip, const SecureObject& o) {
  Reset r{put_object_};
  sqlite3_bind_int64(put_object_, 1, chip);
  sqlite3_bind_int64(put_object_, 2, o.id);
  sqlite3_bind_int(put_object_, 3, static_cast<int>(o.kind));
  sqlite3_bind_int(put_object_, 4, o.curve);
  bind_blob(put_object_, 5, o.policy);
  bind_blob(put_object_, 6, o.data);
  bind_blob(put_object_, 7, o.public_point);
  sqlite3_bind_int(put_object_, 8, o.max_attempts);
  sqlite3_bind_int(put_object_, 9, o.factory ? 1 : 0);
  if (sqlite3_step(put_object_) != SQLITE_DONE) fail("write object");
}

void Database::put_object_in_batch(std::int64_t chip, const SecureObject& o) { put_object_locked(chip, o); }

void Database::put_object(std::int64_t chip, const SecureObject& o) {
  std::lock_guard lock(mutex_);
  put_object_locked(chip, o);  // autocommit: one durable transaction
}

void Database::delete_object(std::int64_t chip, std::uint32_t id) {
  std::lock_guard lock(mutex_);
  Reset r{delete_object_};
  sqlite3_bind_int64(delete_object_, 1, chip);
  sqlite3_bind_int64(delete_object_, 2, id);
  if (sqlite3_step(delete_object_) != SQLITE_DONE) fail("delete object");
}

void Database::delete_objects_except_factory(std::int64_t chip) {
  std::lock_guard lock(mutex_);
  Reset r{delete_nonfactory_};
  sqlite3_bind_int64(delete_nonfactory_, 1, chip);
  if (sqlite3_step(delete_nonfactory_) != SQLITE_DONE) fail("delete all");
}

void Database::set_curves(std::int64_t chip, ByteView curves) {
  std::lock_guard lock(mutex_);
  Reset r{set_curves_};
  bind_blob(set_curves_, 1, curves);
  sqlite3_bind_int64(set_curves_, 2, chip);
  if (sqlite3_step(set_curves_) != SQLITE_DONE) fail("write curves");
}

std::vector<ChipRow> Database::chips() {
  std::lock_guard lock(mutex_);
  Reset r{select_chips_};
  std::vector<ChipRow> out;
  int rc;
  while ((rc = sqlite3_step(select_chips_)) == SQLITE_ROW) {
    ChipRow row;
    row.seq = sqlite3_column_int64(select_chips_, 0);
    row.uid = column_blob(select_chips_, 1);
    row.personality = sqlite3_column_int(select_chips_, 2) == static_cast<int>(Personality::Se050E)
                          ? Personality::Se050E
                          : Personality::Se050C;
    out.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) fail("read chips");
  return out;
}

std::vector<SecureObject> Database::objects(std::int64_t chip) {
  std::lock_guard lock(mutex_);
  Reset r{select_objects_};
  sqlite3_bind_int64(select_objects_, 1, chip);
  std::vector<SecureObject> out;
  int rc;
  while ((rc = sqlite3_step(select_objects_)) == SQLITE_ROW) {
    SecureObject o;
    o.id = static_cast<std::uint32_t>(sqlite3_column_int64(select_objects_, 0));
    int kind = sqlite3_column_int(select_objects_, 1);
    if (kind < 1 || kind > 6) throw std::runtime_error("corrupt store: unknown object kind");
    o.kind = static_cast<ObjectKind>(kind);
    o.curve = static_cast<std::uint8_t>(sqlite3_column_int(select_objects_, 2));
    o.policy = column_blob(select_objects_, 3);
    o.data = column_blob(select_objects_, 4);
    o.public_point = column_blob(select_objects_, 5);
    o.max_attempts = static_cast<std::uint16_t>(sqlite3_column_int(select_objects_, 6));
    o.factory = sqlite3_column_int(select_objects_, 7) != 0;
    out.push_back(std::move(o));
  }
  if (rc != SQLITE_DONE) fail("read objects");
  return out;
}

Bytes Database::curves(std::int64_t chip) {
  std::lock_guard lock(mutex_);
  Reset r{select_curves_};
  sqlite3_bind_int64(select_curves_, 1, chip);
  if (sqlite3_step(select_curves_) != SQLITE_ROW) return {};
  return column_blob(select_curves_, 0);
}

std::string Database::integrity_check() {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &s, nullptr) != SQLITE_OK) fail("integrity_check");
  std::string out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (!out.empty()) out += "; ";
    out += reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  return out;
}

}  // namespace trustlane::chip
