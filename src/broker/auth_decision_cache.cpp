#include "broker/auth_decision_cache.hpp"

#include <iterator>

namespace trustlane::broker {

DecisionCache::Decisions* DecisionCache::table_for(std::string_view action) {
  constexpr Action actions[] = {Action::connect, Action::publish, Action::subscribe, Action::receive,
                                Action::retain_publish};
  static_assert(std::size(actions) == std::tuple_size_v<decltype(by_action_)>);
  for (std::size_t i = 0; i < std::size(actions); ++i)
    if (action == action_name(actions[i])) return &by_action_[i];
  return nullptr;
}

iot::policy::Decision DecisionCache::evaluate(const iot::policy::Request& request) {
  if (permissions_->generation() != generation_) {
    for (auto& t : by_action_) t.clear();
    generation_ = permissions_->generation();
  }
  Decisions* table = table_for(request.action);
  if (!table) return permissions_->evaluate(request);
  if (auto it = table->find(std::string_view(request.resource)); it != table->end()) {
    ++hits_;
    return it->second;
  }
  auto decision = permissions_->evaluate(request);
  if (size() >= capacity_)
    for (auto& t : by_action_) t.clear();  // many distinct topics: start over rather than grow
  table->emplace(request.resource, decision);
  return decision;
}

std::size_t DecisionCache::size() const {
  std::size_t n = 0;
  for (const auto& t : by_action_) n += t.size();
  return n;
}

}  // namespace trustlane::broker
