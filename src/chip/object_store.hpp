// ObjectStore: the secure objects of one chip, in memory, written through to the store's
// database (if any) before a change is acknowledged. Enforces the memory budgets.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "chip/object.hpp"
#include "chip/status.hpp"
#include "util/bytes.hpp"

namespace trustlane::chip {

class Database;

inline constexpr std::size_t kPersistentMemory = 50 * 1024;  // user NVM of a real SE050
inline constexpr std::size_t kTransientMemory = 4 * 1024;    // transient RAM for objects
inline constexpr std::size_t kCurveSlots = 16;               // ReadECCurveList entries

class ObjectStore {
 public:
  // db == nullptr: nothing is persisted (in-memory store). Objects' keys are loaded here.
  ObjectStore(std::shared_ptr<Database> db, std::int64_t chip_seq, std::vector<SecureObject> objects,
              Bytes curves);

  const SecureObject* find(std::uint32_t id) const;
  // Creates or replaces an object: memory budget checked, persisted (unless transient) before
  // the in-memory copy changes. MemoryFull / Internal on failure, nothing changed then.
  Status put(SecureObject object);
  Status remove(std::uint32_t id);
  Status remove_all_but_factory();
  void drop_transient();  // reset: transient objects vanish

  std::vector<std::uint32_t> ids() const;  // ascending
  std::size_t free_persistent() const;
  std::size_t free_transient() const;

  bool curve_set(std::uint8_t curve) const;
  Status set_curve(std::uint8_t curve, bool set);

 private:
  std::shared_ptr<Database> db_;
  std::int64_t chip_seq_;
  std::map<std::uint32_t, SecureObject> objects_;
  Bytes curves_;  // kCurveSlots bytes: 1 = created
  std::size_t used_persistent_ = 0;
  std::size_t used_transient_ = 0;
};

}  // namespace trustlane::chip
