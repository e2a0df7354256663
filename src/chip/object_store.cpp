#include "chip/object_store.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "chip/db.hpp"

namespace trustlane::chip {

ObjectStore::ObjectStore(std::shared_ptr<Database> db, std::int64_t chip_seq, std::vector<SecureObject> objects,
                         Bytes curves)
    : db_(std::move(db)), chip_seq_(chip_seq), curves_(std::move(curves)) {
  curves_.resize(kCurveSlots, 0);
  for (auto& o : objects) {
    bool is_key = o.kind == ObjectKind::EcKeyPair || o.kind == ObjectKind::EcPrivate || o.kind == ObjectKind::EcPublic;
    if (is_key && !o.key && !load_key(o)) throw std::runtime_error("corrupt store: unusable key object");
    (o.transient ? used_transient_ : used_persistent_) += memory_cost(o);
    auto id = o.id;
    objects_.insert_or_assign(id, std::move(o));
  }
}

const SecureObject* ObjectStore::find(std::uint32_t id) const {
  auto it = objects_.find(id);
  return it == objects_.end() ? nullptr : &it->second;
}

Status ObjectStore::put(SecureObject object) {
  std::size_t old_cost = 0;
  auto it = objects_.find(object.id);
  if (it != objects_.end() && it->second.transient == object.transient) old_cost = memory_cost(it->second);
  std::size_t& used = object.transient ? used_transient_ : used_persistent_;
  std::size_t budget = object.transient ? kTransientMemory : kPersistentMemory;
  std::size_t cost = memory_cost(object);
  if (used - old_cost + cost > budget) return Status::MemoryFull;
  if (db_ && !object.transient) {
    try {
      db_->put_object(chip_seq_, object);
    } catch (const std::exception& e) {
      spdlog::error("chip store write failed: {}", e.what());
      return Status::Internal;
    }
  }
  used = used - old_cost + cost;
  if (it != objects_.end()) {
    if (it->second.transient != object.transient) {
      (it->second.transient ? used_transient_ : used_persistent_) -= memory_cost(it->second);
    }
    it->second = std::move(object);
  } else {
    auto id = object.id;
    objects_.emplace(id, std::move(object));
  }
  return Status::Ok;
}

Status ObjectStore::remove(std::uint32_t id) {
  auto it = objects_.find(id);
  if (it == objects_.end()) return Status::NotFound;
  if (db_ && !it->second.transient) {
    try {
      db_->delete_object(chip_seq_, id);
    } catch (const std::exception& e) {
      spdlog::error("chip store delete failed: {}", e.what());
      return Status::Internal;
    }
  }
  (it->second.transient ? used_transient_ : used_persistent_) -= memory_cost(it->second);
  objects_.erase(it);
  return Status::Ok;
}

Status ObjectStore::remove_all_but_factory() {
  if (db_) {
    try {
      db_->delete_objects_except_factory(chip_seq_);
      db_->set_curves(chip_seq_, Bytes(kCurveSlots, 0));
    } catch (const std::exception& e) {
      spdlog::error("chip store delete-all failed: {}", e.what());
      return Status::Internal;
    }
  }
  for (auto it = objects_.begin(); it != objects_.end();) {
    if (it->second.factory) {
      ++it;
      continue;
    }
    (it->second.transient ? used_transient_ : used_persistent_) -= memory_cost(it->second);
    it = objects_.erase(it);
  }
  curves_.assign(kCurveSlots, 0);
  return Status::Ok;
}

void ObjectStore::drop_transient() {
  for (auto it = objects_.begin(); it != objects_.end();) {
    if (it->second.transient) it = objects_.erase(it);
    else ++it;
  }
  used_transient_ = 0;
}

std::vector<std::uint32_t> ObjectStore::ids() const {
  std::vector<std::uint32_t> out;
  out.reserve(objects_.size());
  for (const auto& [id, o] : objects_) out.push_back(id);
  return out;
}

std::size_t ObjectStore::free_persistent() const { return kPersistentMemory - used_persistent_; }
std::size_t ObjectStore::free_transient() const { return kTransientMemory - used_transient_; }

bool ObjectStore::curve_set(std::uint8_t curve) const {
  return curve >= 1 && curve <= kCurveSlots && curves_[curve - 1] != 0;
}

Status ObjectStore::set_curve(std::uint8_t curve, bool set) {
  if (curve < 1 || curve > kCurveSlots) return Status::WrongData;
  Bytes next = curves_;
  next[curve - 1] = set ? 1 : 0;
  if (next == curves_) return Status::Ok;
  if (db_) {
    try {
      db_->set_curves(chip_seq_, next);
    } catch (const std::exception& e) {
      spdlog::error("chip store curve write failed: {}", e.what());
      return Status::Internal;
    }
  }
  curves_ = std::move(next);
  return Status::Ok;
}

}  // namespace trustlane::chip
