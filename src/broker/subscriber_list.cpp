#include "broker/subscriber_list.hpp"

#include <algorithm>

namespace trustlane::broker {

std::size_t SubscriberList::find(SessionId session) const {
  if (positions_) {
    auto it = positions_->find(session);
    return it == positions_->end() ? items_.size() : it->second;
  }
  auto it = std::find_if(items_.begin(), items_.end(), [&](const Subscriber& s) { return s.session == session; });
  return static_cast<std::size_t>(it - items_.begin());
}

bool SubscriberList::upsert(const Subscriber& subscriber) {
  std::size_t at = find(subscriber.session);
  if (at < items_.size()) {
    items_[at] = subscriber;
    return false;
  }
  items_.push_back(subscriber);
  if (positions_) {
    positions_->emplace(subscriber.session, items_.size() - 1);
  } else if (items_.size() >= kIndexAt) {
    positions_ = std::make_unique<std::unordered_map<SessionId, std::size_t>>();
    positions_->reserve(items_.size() * 2);
    for (std::size_t i = 0; i < items_.size(); ++i) positions_->emplace(items_[i].session, i);
  }
  return true;
}

bool SubscriberList::erase(SessionId session) {
  std::size_t at = find(session);
  if (at == items_.size()) return false;
  if (positions_) positions_->erase(session);
  if (at + 1 != items_.size()) {  // order is irrelevant: the last entry fills the hole
    items_[at] = items_.back();
    if (positions_) (*positions_)[items_[at].session] = at;
  }
  items_.pop_back();
  if (positions_ && items_.size() < kUnindexAt) positions_.reset();
  return true;
}

}  // namespace trustlane::broker
