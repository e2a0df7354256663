// The flat name → values table behind policy variables (see variables.hpp for why it is flat).
#include "iot/policy/variables.hpp"

#include <algorithm>

namespace trustlane::iot::policy {

Variables::Variables(
    std::initializer_list<std::pair<std::string_view, std::initializer_list<std::string_view>>> init) {
  for (const auto& [name, values] : init)
    for (auto value : values) add(name, value);
}

std::pair<std::size_t, std::size_t> Variables::range(std::string_view name) const {
  auto first = std::lower_bound(slots_.begin(), slots_.end(), name,
                                [this](const Slot& s, std::string_view n) { return name_of(s) < n; });
  auto last = first;
  while (last != slots_.end() && name_of(*last) == name) ++last;
  return {static_cast<std::size_t>(first - slots_.begin()), static_cast<std::size_t>(last - slots_.begin())};
}

Variables::Values Variables::find(std::string_view name) const {
  auto [first, last] = range(name);
  return {this, slots_.data() + first, slots_.data() + last};
}

std::uint32_t Variables::store(std::string_view text) {
  // Names share prefixes and a field's value repeats under <name>, <name>.List and <name>.N:
  // any earlier occurrence of the same bytes will do.
  if (auto at = text_.find(text); at != std::string::npos) return static_cast<std::uint32_t>(at);
  auto at = static_cast<std::uint32_t>(text_.size());
  text_.append(text);
  return at;
}

void Variables::add(std::string_view name, std::string_view value) {
  const Slot s{store(name), static_cast<std::uint32_t>(name.size()), store(value),
               static_cast<std::uint32_t>(value.size())};
  slots_.insert(slots_.begin() + static_cast<std::ptrdiff_t>(range(name).second), s);  // after its equals
}

void Variables::set(std::string_view name, std::string_view value) {
  auto [first, last] = range(name);
  slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(first), slots_.begin() + static_cast<std::ptrdiff_t>(last));
  add(name, value);
}

void Variables::shrink_to_fit() {
  text_.shrink_to_fit();
  slots_.shrink_to_fit();
}

}  // namespace trustlane::iot::policy
