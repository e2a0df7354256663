// Splits a JSON array that arrives in pieces into the text of its elements, without parsing
// them: the ledger reader hands whole entries to worker threads, which parse and verify them in
// parallel, so the one reading thread only looks for brackets, commas and string ends.
//
// Only the array's own syntax is checked here. Each element's text is exactly what the file
// holds, so the input is valid JSON if and only if the splitter accepts it and every element
// parses. Sans-I/O: bytes in, element texts out.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace trustlane::ledger {

// The input is not one JSON array: `not_an_array` when it does not even start as one.
struct ArraySyntaxError : std::runtime_error {
  ArraySyntaxError(bool before_any_array, const std::string& what)
      : std::runtime_error(what), not_an_array(before_any_array) {}
  bool not_an_array;
};

class ArraySplitter {
 public:
  // An element longer than `max_element_bytes` is an error (a hostile file cannot make the
  // reader buffer gigabytes for one entry).
  explicit ArraySplitter(std::size_t max_element_bytes) : max_element_(max_element_bytes) {}

  // Takes the next bytes; every element completed by them is appended to `out`. Throws
  // ArraySyntaxError at the first byte that cannot belong to a JSON array.
  void feed(std::string_view bytes, std::vector<std::string>& out);
  // The input ended: throws ArraySyntaxError unless the array was closed.
  void finish() const;

 private:
  enum class State { BeforeArray, FirstElement, NextElement, InElement, AfterArray };
  void element_byte(char c, std::vector<std::string>& out);
  [[noreturn]] void fail(const std::string& why) const;

  std::size_t max_element_;
  State state_ = State::BeforeArray;
  std::string element_;  // the element being read
  std::size_t depth_ = 0;  // brackets open inside the element
  bool in_string_ = false, escaped_ = false;
  std::size_t offset_ = 0;  // bytes consumed before the current piece, for error messages
  std::size_t at_ = 0;      // position in the current piece
};

}  // namespace trustlane::ledger
