// Policy variables of one connection: name (without ${ }) → values. Most names have one value;
// multi-valued certificate fields also appear as "<name>.List" (for ForAnyValue/ForAllValues).
//
// Every connected client holds one of these for its whole life, so it is stored flat: all names
// and values in one string, plus 16 bytes per value. A std::map of string vectors cost ~3 KB per
// connection (a tree node, a vector and two strings per entry); this costs ~1 KB.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trustlane::iot::policy {

class Variables {
  struct Slot {  // one value of one name; slots are kept sorted by name, values in insertion order
    std::uint32_t name_at, name_size, value_at, value_size;
  };

 public:
  // The values of one name, in the order they were added; empty when the name is unknown.
  class Values {
   public:
    class iterator {
     public:
      using iterator_category = std::input_iterator_tag;
      using value_type = std::string_view;
      using reference = std::string_view;
      using pointer = void;
      using difference_type = std::ptrdiff_t;
      iterator() = default;
      iterator(const Variables* owner, const Slot* at) : owner_(owner), at_(at) {}
      std::string_view operator*() const { return owner_->value_of(*at_); }
      iterator& operator++() { ++at_; return *this; }
      iterator operator++(int) { auto before = *this; ++at_; return before; }
      bool operator==(const iterator& other) const { return at_ == other.at_; }

     private:
      const Variables* owner_ = nullptr;
      const Slot* at_ = nullptr;
    };
    Values(const Variables* owner, const Slot* first, const Slot* last) : owner_(owner), first_(first), last_(last) {}
    iterator begin() const { return {owner_, first_}; }
    iterator end() const { return {owner_, last_}; }
    std::size_t size() const { return static_cast<std::size_t>(last_ - first_); }
    bool empty() const { return first_ == last_; }
    std::string_view front() const { return owner_->value_of(*first_); }

   private:
    const Variables* owner_;
    const Slot* first_;
    const Slot* last_;
  };

  Variables() = default;
  // {{"iot:ClientId", {"dev1"}}, …}: each name with its values.
  Variables(std::initializer_list<std::pair<std::string_view, std::initializer_list<std::string_view>>> init);

  Values find(std::string_view name) const;
  bool contains(std::string_view name) const { return !find(name).empty(); }
  void add(std::string_view name, std::string_view value);  // one more value of `name`
  void set(std::string_view name, std::string_view value);  // `name` has this one value now
  std::size_t size() const { return slots_.size(); }         // values, over all names
  bool empty() const { return slots_.empty(); }
  void shrink_to_fit();  // once built: give back the growth slack of both buffers

 private:
  std::string_view name_of(const Slot& s) const { return std::string_view(text_).substr(s.name_at, s.name_size); }
  std::string_view value_of(const Slot& s) const { return std::string_view(text_).substr(s.value_at, s.value_size); }
  std::pair<std::size_t, std::size_t> range(std::string_view name) const;  // slots of `name`
  std::uint32_t store(std::string_view text);  // offset of `text` in text_, reusing the latest value

  std::string text_;
  std::vector<Slot> slots_;
};

}  // namespace trustlane::iot::policy
