// The JWS parse on a document simdjson has already parsed: the ledger verifier parses each entry
// once and reads both the header that names the chip and the JWS parts from it. Private to the
// ledger module (only its .cpp files include simdjson).
#pragma once
#include <simdjson.h>

#include <optional>
#include <string_view>

#include "ledger/jws.hpp"

namespace trustlane::ledger {

Result<ParsedJws, std::string> jws_from_element(simdjson::dom::element jws, bool decode_protected_header);

// A member name that occurs more than once in `object`, if any. simdjson finds the first of
// duplicate members where nlohmann and most other parsers keep the last (RFC 7515 §5.2 allows
// refusing them or taking the last): refusing them keeps every reader of an entry agreeing on
// what it says.
std::optional<std::string_view> duplicate_member(simdjson::dom::object object);

}  // namespace trustlane::ledger
