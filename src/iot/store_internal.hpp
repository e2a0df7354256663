// Helpers shared by the Store's translation units (not part of the module's interface).
#pragma once
#include <string>
#include <utility>

#include "iot/pagination.hpp"
#include "iot/sqlite.hpp"
#include "iot/store.hpp"

namespace trustlane::iot::detail {

// Reads up to `size` rows (the query asks for size + 1); make(st) → {item, sort key}. A next
// marker only when a further row exists, so the last page never carries one.
template <class T, class Make>
Page<T> collect_page(Statement& st, int size, Make make) {
  Page<T> page;
  std::string last_key;
  while (st.step()) {
    if (static_cast<int>(page.items.size()) == size) {
      page.next = encode_marker(last_key);
      break;
    }
    auto [item, key] = make(st);
    page.items.push_back(std::move(item));
    last_key = std::move(key);
  }
  st.reset();
  return page;
}

// The decoded marker ("" for the first page) or InvalidRequest.
Outcome<std::string> marker_key(const PageRequest& page);

// Column list and reader for the certificates and cas tables.
extern const char* const kCertificateColumns;
CertificateInfo read_certificate(const Scope& scope, Statement& st);
extern const char* const kCaColumns;
CaInfo read_ca(const Scope& scope, Statement& st);
ThingInfo read_thing(const Scope& scope, Statement& st);  // columns: kThingColumns
extern const char* const kThingColumns;

std::string random_hex(std::size_t bytes);

}  // namespace trustlane::iot::detail
