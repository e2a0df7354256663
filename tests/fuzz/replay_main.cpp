// Driver used when libFuzzer is not available: replays every file of a corpus directory, then
// feeds N deterministic mutations of them (bit flips, truncations, insertions) to the target.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS]\n", argv[0]);
    return 2;
  }
  std::vector<std::vector<std::uint8_t>> corpus;
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator(argv[1], ec)) {
    std::ifstream in(entry.path(), std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (corpus.empty()) corpus.push_back({});
  for (auto& input : corpus) LLVMFuzzerTestOneInput(input.data(), input.size());

  long mutations = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 10000;
  std::mt19937 rng(12345);
  for (long i = 0; i < mutations; ++i) {
    auto input = corpus[rng() % corpus.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 4) {
        case 0:
          if (!input.empty()) input[rng() % input.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
          break;
        case 1:
          if (!input.empty()) input.resize(rng() % input.size());
          break;
        case 2:
          input.insert(input.begin() + static_cast<long>(input.empty() ? 0 : rng() % input.size()),
                       static_cast<std::uint8_t>(rng()));
          break;
        default:
          if (!input.empty()) input[rng() % input.size()] = static_cast<std::uint8_t>(rng());
          break;
      }
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("replayed %zu corpus inputs and %ld mutations\n", corpus.size(), mutations);
  return 0;
}
