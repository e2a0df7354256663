// The demo's voice: numbered steps with aligned "ok"/"FAILED" results, detail lines under them,
// and the closing summary table. Output only; it decides nothing.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace trustlane::demo {

class Narrator {
 public:
  explicit Narrator(std::FILE* out) : out_(out) {}
  void step(const std::string& title);                 // "[3] register certificates …"
  void detail(const std::string& line);                // indented under the current step
  void expect(const std::string& what, bool held, const std::string& detail = {});  // one checked expectation
  bool all_held() const { return failed_.empty(); }
  const std::string& first_failed_step() const;        // "" when all held
  void summary();                                      // the table of every expectation

 private:
  struct Row {
    std::string step, what, detail;
    bool held;
  };
  std::FILE* out_;
  std::string current_;
  int number_ = 0;
  std::vector<Row> rows_;
  std::vector<std::string> failed_;
};

}  // namespace trustlane::demo
