#include "ledger/array_splitter.hpp"

namespace trustlane::ledger {

namespace {

bool is_json_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

void ArraySplitter::fail(const std::string& why) const {
  throw ArraySyntaxError(state_ == State::BeforeArray, "byte " + std::to_string(offset_ + at_) + ": " + why);
}

void ArraySplitter::feed(std::string_view bytes, std::vector<std::string>& out) {
  const char* const begin = bytes.data();
  const char* const end = begin + bytes.size();
  const char* p = begin;
  while (p < end) {
    at_ = static_cast<std::size_t>(p - begin);
    switch (state_) {
      case State::BeforeArray:
        if (*p == '[') state_ = State::FirstElement;
        else if (!is_json_space(*p)) fail("the file does not start with '['");
        ++p;
        break;
      case State::FirstElement:
      case State::NextElement:
        if (is_json_space(*p)) {
          ++p;
        } else if (*p == ']') {
          if (state_ == State::NextElement) fail("a comma before the array's ']'");
          state_ = State::AfterArray;
          ++p;
        } else if (*p == ',') {
          fail("an empty element");
        } else {
          state_ = State::InElement;
        }
        break;
      case State::InElement: {
        // The element's bytes up to the ',' or ']' that ends it at depth 0, appended in one go.
        const char* start = p;
        bool ended = false;
        while (p < end) {
          if (in_string_) {
            if (escaped_) {
              escaped_ = false;
              ++p;
              continue;
            }
            while (p < end && *p != '"' && *p != '\\') ++p;  // the bulk of a ledger: base64 text
            if (p == end) break;
            if (*p == '\\') escaped_ = true;
            else in_string_ = false;
            ++p;
            continue;
          }
          const char c = *p;
          if (c == '"') {
            in_string_ = true;
          } else if (c == '{' || c == '[') {
            ++depth_;
          } else if ((c == '}' || c == ']') && depth_ > 0) {
            --depth_;  // brackets that do not match are left for the element's parser to refuse
          } else if ((c == ',' || c == ']') && depth_ == 0) {
            ended = true;
            break;
          }
          ++p;
        }
        element_.append(start, p);
        if (element_.size() > max_element_) {
          at_ = static_cast<std::size_t>(p - begin);
          fail("an element longer than " + std::to_string(max_element_) + " bytes");
        }
        if (ended) {
          out.push_back(std::move(element_));
          element_.clear();
          state_ = *p == ']' ? State::AfterArray : State::NextElement;
          ++p;
        }
        break;
      }
      case State::AfterArray:
        if (!is_json_space(*p)) fail("text after the array's end");
        ++p;
        break;
    }
  }
  offset_ += bytes.size();
  at_ = 0;
}

void ArraySplitter::finish() const {
  if (state_ == State::AfterArray) return;
  fail(state_ == State::BeforeArray ? "the file is empty" : "the file ends inside the array");
}

}  // namespace trustlane::ledger
