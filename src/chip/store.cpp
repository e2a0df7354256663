#include "chip/store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <algorithm>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <sstream>
#include <stdexcept>

#include "chip/db.hpp"
#include "chip/factory.hpp"
#include "chip/object_store.hpp"

namespace trustlane::chip {

namespace fs = std::filesystem;

namespace {
constexpr const char* kDbFile = "store.db";
constexpr const char* kCaCertFile = "vendor-ca.pem";
constexpr const char* kCaKeyFile = "vendor-ca.key";

[[noreturn]] void fail_errno(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// Writes a file durably (fsync); O_EXCL so an existing store is never overwritten.
void write_new_file(const fs::path& path, const std::string& content, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) fail_errno("cannot create " + path.string());
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      errno = e;
      fail_errno("cannot write " + path.string());
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    fail_errno("cannot sync " + path.string());
  }
  ::close(fd);
}

// Key generation and certificate signing dominate minting: spread them over the cores.
std::vector<ProvisionedChip> provision_parallel(const VendorCa& ca, const std::string& san, std::size_t n) {
  std::vector<std::optional<ProvisionedChip>> slots(n);
  std::size_t workers = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  workers = std::min(workers, std::max<std::size_t>(1, n / 16));
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](std::size_t w) {
    try {
      for (std::size_t i = w; i < n; i += workers) slots[i] = provision_chip(ca, san);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      error = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  std::vector<ProvisionedChip> out;
  out.reserve(n);
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

struct Store::State {
  State(std::shared_ptr<Database> d, VendorCa c) : db(std::move(d)), ca(std::move(c)) {}
  std::shared_ptr<Database> db;  // null: in-memory store
  VendorCa ca;
  mutable std::mutex mutex;
  std::vector<ChipRow> rows;                   // mint order
  std::vector<std::shared_ptr<Chip>> cache;    // same order; null until loaded
  // Chips minted by mint_streaming are not kept, but while their caller holds one, find()
  // and chips() must hand out that same object (two copies of a chip would diverge).
  std::vector<std::weak_ptr<Chip>> streamed;
  std::map<Bytes, std::size_t> by_uid;
  TimingModel timing;

  std::shared_ptr<Chip> load(std::size_t index) {
    auto& slot = cache[index];
    if (slot) return slot;
    if (auto alive = streamed[index].lock()) return slot = alive;
    const auto& row = rows[index];
    auto objects = std::make_unique<ObjectStore>(db, row.seq, db->objects(row.seq), db->curves(row.seq));
    slot = std::make_shared<Chip>(std::move(objects), row.uid, row.personality);
    slot->set_timing(timing);
    return slot;
  }
};

Store::Store(fs::path dir, std::shared_ptr<Database> db, crypto::Key ca_key, crypto::Certificate ca_cert)
    : dir_(std::move(dir)),
      state_(std::make_unique<State>(std::move(db), VendorCa{std::move(ca_key), std::move(ca_cert)})) {
  if (state_->db) {
    state_->rows = state_->db->chips();
    state_->cache.resize(state_->rows.size());
    state_->streamed.resize(state_->rows.size());
    for (std::size_t i = 0; i < state_->rows.size(); ++i) state_->by_uid[state_->rows[i].uid] = i;
  }
}

Store::~Store() = default;

bool Store::exists(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / kDbFile, ec);
}

std::unique_ptr<Store> Store::create(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create store directory " + dir.string() + ": " + ec.message());
  if (exists(dir)) throw std::runtime_error(dir.string() + " already holds a chip store");
  // Crash safety: the CA files are written (and synced) first, the database is built under a
  // temporary name and renamed into place last, so store.db only ever exists complete and next
  // to a complete CA. A CA left by an interrupted create (no store.db yet) has signed nothing:
  // it is reused when whole and replaced when half-written.
  VendorCa ca = [&] {
    bool have_key = fs::exists(dir / kCaKeyFile, ec), have_cert = fs::exists(dir / kCaCertFile, ec);
    if (have_key && have_cert) {
      auto cert = crypto::Certificate::from_pem(read_file(dir / kCaCertFile));
      auto key = crypto::Key::from_pem(read_file(dir / kCaKeyFile));
      if (cert && key && key->has_private() && cert->public_key() &&
          cert->public_key()->public_point() == key->public_point())
        return VendorCa{std::move(*key), std::move(*cert)};
    }
    fs::remove(dir / kCaKeyFile, ec);
    fs::remove(dir / kCaCertFile, ec);
    auto fresh = make_vendor_ca();
    write_new_file(dir / kCaKeyFile, fresh.key.private_pem(), 0600);
    write_new_file(dir / kCaCertFile, fresh.cert.pem(), 0644);
    return fresh;
  }();
  const fs::path tmp = dir / (std::string(kDbFile) + ".creating");
  fs::remove(tmp, ec);
  Database::open(tmp, true).reset();  // schema committed and file closed
  fs::rename(tmp, dir / kDbFile, ec);
  if (ec) throw std::runtime_error("cannot create " + (dir / kDbFile).string() + ": " + ec.message());
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // the rename itself must survive a crash
    ::close(dfd);
  }
  auto db = Database::open(dir / kDbFile, false);
  return std::make_unique<Store>(dir, std::move(db), std::move(ca.key), std::move(ca.cert));
}

std::unique_ptr<Store> Store::open(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir.string() + ": no such directory");
  if (!exists(dir)) throw std::runtime_error(dir.string() + ": not a chip store (no " + kDbFile + ")");
  auto cert = crypto::Certificate::from_pem(read_file(dir / kCaCertFile));
  if (!cert) throw std::runtime_error((dir / kCaCertFile).string() + ": not a PEM certificate");
  auto key = crypto::Key::from_pem(read_file(dir / kCaKeyFile));
  if (!key || !key->has_private()) throw std::runtime_error((dir / kCaKeyFile).string() + ": not a PEM private key");
  auto cert_key = cert->public_key();
  if (!cert_key || cert_key->public_point() != key->public_point())
    throw std::runtime_error((dir / kCaKeyFile).string() + ": does not match " + kCaCertFile);
  auto db = Database::open(dir / kDbFile, false);
  return std::make_unique<Store>(dir, std::move(db), std::move(*key), std::move(*cert));
}

std::unique_ptr<Store> Store::in_memory() {
  auto ca = make_vendor_ca();
  return std::make_unique<Store>(fs::path{}, nullptr, std::move(ca.key), std::move(ca.cert));
}

std::vector<std::shared_ptr<Chip>> Store::mint(std::size_t count, Personality p) {
  std::vector<std::shared_ptr<Chip>> out;
  out.reserve(count);
  // Kept loaded: the caller holds them anyway, and find() must return the same objects.
  mint_batches(
      count, p,
      [&](std::size_t, const std::vector<std::shared_ptr<Chip>>& batch) {
        out.insert(out.end(), batch.begin(), batch.end());
      },
      500, true);
  return out;
}

void Store::mint_streaming(std::size_t count, Personality p, const MintProgress& on_batch, std::size_t batch_size) {
  mint_batches(count, p, on_batch, batch_size, false);
}

void Store::mint_batches(std::size_t count, Personality p, const MintProgress& on_batch, std::size_t batch_size,
                         bool keep_loaded) {
  if (batch_size == 0) batch_size = 1;
  const std::string san = new_batch_san();
  std::size_t done = 0;
  while (done < count) {
    std::size_t n = std::min(batch_size, count - done);
    std::vector<ProvisionedChip> made = provision_parallel(state_->ca, san, n);

    std::vector<std::shared_ptr<Chip>> chips;
    chips.reserve(n);
    std::unique_lock lock(state_->mutex);
    std::size_t first = state_->rows.size();
    std::vector<std::int64_t> seqs(n, 0);
    if (state_->db) {
      Database::Batch batch(*state_->db);
      for (std::size_t i = 0; i < n; ++i) {
        seqs[i] = state_->db->insert_chip(made[i].uid, p, Bytes(kCurveSlots, 0));
        for (const auto& o : made[i].objects) state_->db->put_object_in_batch(seqs[i], o);
      }
      batch.commit();
    } else {
      for (std::size_t i = 0; i < n; ++i) seqs[i] = static_cast<std::int64_t>(first + i + 1);
    }
    for (std::size_t i = 0; i < n; ++i) {
      auto objects = std::make_unique<ObjectStore>(state_->db, seqs[i], std::move(made[i].objects), Bytes{});
      auto chip = std::make_shared<Chip>(std::move(objects), made[i].uid, p);
      chip->set_timing(state_->timing);
      state_->rows.push_back(ChipRow{seqs[i], made[i].uid, p});
      state_->by_uid[made[i].uid] = first + i;
      // Streaming into a persistent store keeps nothing in memory; chips() reloads on demand.
      state_->cache.push_back(state_->db && !keep_loaded ? nullptr : chip);
      state_->streamed.push_back(chip);
      chips.push_back(std::move(chip));
    }
    lock.unlock();
    if (on_batch) on_batch(first, chips);
    done += n;
  }
}

std::vector<std::shared_ptr<Chip>> Store::chips() {
  std::lock_guard lock(state_->mutex);
  std::vector<std::shared_ptr<Chip>> out;
  out.reserve(state_->rows.size());
  for (std::size_t i = 0; i < state_->rows.size(); ++i) out.push_back(state_->load(i));
  return out;
}

std::shared_ptr<Chip> Store::find(ByteView unique_id) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->by_uid.find(Bytes(unique_id.begin(), unique_id.end()));
  if (it == state_->by_uid.end()) return nullptr;
  return state_->load(it->second);
}

std::shared_ptr<Chip> Store::at(std::size_t index) {
  std::lock_guard lock(state_->mutex);
  if (index >= state_->rows.size()) return nullptr;
  return state_->load(index);
}

std::size_t Store::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->rows.size();
}

const crypto::Certificate& Store::vendor_ca() const { return state_->ca.cert; }

void Store::set_timing(const TimingModel& timing) {
  std::lock_guard lock(state_->mutex);
  state_->timing = timing;
  for (auto& c : state_->cache)
    if (c) c->set_timing(timing);
}

std::string Store::integrity_check() {
  if (!state_->db) return "ok";
  return state_->db->integrity_check();
}

}  // namespace trustlane::chip
