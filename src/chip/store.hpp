// Store: a directory of emulated chips (one SQLite database, DIR/store.db) plus the vendor CA
// that signed their factory certificates (DIR/vendor-ca.pem, DIR/vendor-ca.key mode 0600).
#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chip/chip.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "util/bytes.hpp"

namespace trustlane::chip {

class Database;  // SQLite persistence (db.hpp), shared by the store's chips

class Store {
 public:
  // Creates DIR (if needed) with a new vendor CA and an empty database. Throws
  // std::runtime_error with a one-line reason (unwritable dir, store already there…).
  static std::unique_ptr<Store> create(const std::filesystem::path& dir);
  // Opens an existing store; throws std::runtime_error with a one-line reason.
  static std::unique_ptr<Store> open(const std::filesystem::path& dir);
  // No files: fleet simulation, tests, benchmarks.
  static std::unique_ptr<Store> in_memory();
  // True if DIR holds a store (store.db present).
  static bool exists(const std::filesystem::path& dir);

  ~Store();

  // Factory-provisions `count` new chips (unique ID, key 0xF0000100, certificate 0xF0000101),
  // durably, in one transaction per batch.
  std::vector<std::shared_ptr<Chip>> mint(std::size_t count, Personality p = Personality::Se050C);
  // Streaming mint for large counts: chips are committed batch by batch (each batch one
  // transaction) and `on_batch(first_index, chips)` runs after each commit, so whatever it
  // reports is durable. Minted chips are not kept in memory (unless the store is in memory).
  using MintProgress = std::function<void(std::size_t first_index, const std::vector<std::shared_ptr<Chip>>&)>;
  void mint_streaming(std::size_t count, Personality p, const MintProgress& on_batch, std::size_t batch_size = 500);
  std::vector<std::shared_ptr<Chip>> chips();  // all chips, in mint order (stable across reopen)
  std::shared_ptr<Chip> find(ByteView unique_id);
  std::size_t size() const;
  std::shared_ptr<Chip> at(std::size_t index);  // index in mint order

  // SQLite's PRAGMA integrity_check ("ok" when sound; "ok" for an in-memory store).
  std::string integrity_check();

  const crypto::Certificate& vendor_ca() const;
  void set_timing(const TimingModel&);  // applies to every chip of this store, now and later

  const std::filesystem::path& directory() const { return dir_; }  // empty when in memory

  Store(std::filesystem::path dir, std::shared_ptr<Database> db, crypto::Key ca_key, crypto::Certificate ca_cert);

 private:
  struct State;
  void mint_batches(std::size_t count, Personality p, const MintProgress& on_batch, std::size_t batch_size,
                    bool keep_loaded);
  std::filesystem::path dir_;
  std::unique_ptr<State> state_;
};

}  // namespace trustlane::chip
