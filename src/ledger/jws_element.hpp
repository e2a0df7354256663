// The JWS parse on a document simdjson has already parsed: the ledger verifier parses each entry
// once and reads both the header that names the chip and the JWS parts from it. Private to the
// ledger module (only its .cpp files include simdjson).
#pragma once
#include <simdjson.h>

#include "ledger/jws.hpp"

namespace trustlane::ledger {

Result<ParsedJws, std::string> jws_from_element(simdjson::dom::element jws, bool decode_protected_header);

}  // namespace trustlane::ledger
