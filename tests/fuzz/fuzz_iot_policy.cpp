// Fuzz the policy parser and, for documents that parse, the evaluator with a request derived
// from the same bytes: neither may crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "iot/policy/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = trustlane::iot::policy::parse(text);
  if (!doc.ok()) return 0;
  namespace p = trustlane::iot::policy;
  p::ConnectionFacts facts;
  std::string tail(text.substr(0, std::min<std::size_t>(size, 40)));
  facts.client_id = tail;
  facts.source_ip = "10.0.0.1";
  facts.subject = {{"CN", tail}, {"O", "a"}, {"O", "b"}};
  p::Request request{"iot:Publish", "arn:aws:iot:us-east-1:123456789012:topic/" + tail, p::connection_variables(facts)};
  (void)p::evaluate({&doc.value()}, request);
  request.action = "iot:Connect";
  request.resource = "arn:aws:iot:us-east-1:123456789012:client/" + tail;
  (void)p::evaluate({&doc.value()}, request);
  return 0;
}
