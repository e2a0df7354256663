#include "demo/narrator.hpp"

namespace trustlane::demo {

void Narrator::step(const std::string& title) {
  current_ = "[" + std::to_string(++number_) + "] " + title;
  std::fprintf(out_, "\n%s\n", current_.c_str());
  std::fflush(out_);
}

void Narrator::detail(const std::string& line) {
  std::fprintf(out_, "      %s\n", line.c_str());
  std::fflush(out_);
}

void Narrator::expect(const std::string& what, bool held, const std::string& detail) {
  std::fprintf(out_, "      %-58s %s%s%s\n", what.c_str(), held ? "ok" : "FAILED", detail.empty() ? "" : "  ",
               detail.c_str());
  std::fflush(out_);
  rows_.push_back({current_, what, detail, held});
  if (!held) failed_.push_back(current_);
}

const std::string& Narrator::first_failed_step() const {
  static const std::string none;
  return failed_.empty() ? none : failed_.front();
}

void Narrator::summary() {
  std::fprintf(out_, "\nsummary\n");
  std::string last;
  for (const auto& r : rows_) {
    if (r.step != last) std::fprintf(out_, "  %s\n", r.step.c_str());
    last = r.step;
    std::fprintf(out_, "      %-58s %s\n", r.what.c_str(), r.held ? "ok" : "FAILED");
  }
  std::size_t held = 0;
  for (const auto& r : rows_) held += r.held;
  std::fprintf(out_, "%zu of %zu expectations held\n", held, rows_.size());
  std::fflush(out_);
}

}  // namespace trustlane::demo
