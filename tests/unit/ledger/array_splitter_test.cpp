// Splitting a JSON array into its elements' text: any way the bytes are cut into pieces, strings
// holding brackets, commas and escaped quotes, and every way the array itself can be broken.
#include <gtest/gtest.h>

#include "ledger/array_splitter.hpp"

namespace trustlane::ledger {
namespace {

std::vector<std::string> split(std::string_view text, std::size_t piece, std::size_t max = 1000) {
  ArraySplitter splitter(max);
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size(); at += piece) splitter.feed(text.substr(at, piece), out);
  splitter.finish();
  return out;
}

TEST(ArraySplitter, GivesEachElementsTextHoweverTheBytesArrive) {
  const std::string text =
      " \n[ {\"a\": \"x,]}\\\"[\", \"b\": [1, {\"c\": []}]},\t\"s\\\\\", 12 ,[[]] , \"\\\\\\\"]\", {}\r\n] \n";
  const std::vector<std::string> want = {"{\"a\": \"x,]}\\\"[\", \"b\": [1, {\"c\": []}]}", "\"s\\\\\"", "12 ",
                                         "[[]] ", "\"\\\\\\\"]\"", "{}\r\n"};
  for (std::size_t piece = 1; piece <= text.size(); ++piece) EXPECT_EQ(split(text, piece), want) << piece;
}

TEST(ArraySplitter, AnEmptyArrayHasNoElements) {
  EXPECT_TRUE(split("[]", 1).empty());
  EXPECT_TRUE(split(" [ \n ] ", 3).empty());
}

// Element text is handed on as it is: what is wrong inside an element is its parser's to find.
TEST(ArraySplitter, LeavesTheElementsSyntaxToTheirParser) {
  EXPECT_EQ(split("[1 2, {]}]", 4), (std::vector<std::string>{"1 2", "{]}"}));
}

TEST(ArraySplitter, RefusesWhatIsNotOneArray) {
  struct Case {
    std::string text;
    bool not_an_array;
  };
  for (const auto& c : std::vector<Case>{{"", true},
                                         {"  ", true},
                                         {"{\"a\": 1}", true},
                                         {"5", true},
                                         {"[", false},
                                         {"[1, 2", false},
                                         {"[\"open]", false},
                                         {"[1,]", false},
                                         {"[,1]", false},
                                         {"[1,,2]", false},
                                         {"[] x", false},
                                         {"[][]", false}}) {
    for (std::size_t piece : {std::size_t{1}, std::size_t{64}}) {
      try {
        split(c.text, piece);
        ADD_FAILURE() << "accepted: " << c.text;
      } catch (const ArraySyntaxError& e) {
        EXPECT_EQ(e.not_an_array, c.not_an_array) << c.text << ": " << e.what();
        EXPECT_NE(std::string(e.what()).find("byte "), std::string::npos) << e.what();
      }
    }
  }
}

TEST(ArraySplitter, RefusesAnElementLongerThanTheLimit) {
  EXPECT_EQ(split("[\"123456\"]", 2, 8).size(), 1u);
  EXPECT_THROW(split("[\"1234567\"]", 2, 8), ArraySyntaxError);
  EXPECT_THROW(split("[\"" + std::string(100000, 'a'), 4096, 8), ArraySyntaxError);  // stops early, not at the end
}

}  // namespace
}  // namespace trustlane::ledger
