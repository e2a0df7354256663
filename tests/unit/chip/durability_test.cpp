// kill -9 durability of APDU writes: a forked child writes binaries and keys through a
// persistent store and reports each 90 00 on a pipe; the parent SIGKILLs it mid-stream, reopens
// the store and checks that every acknowledged object is there, complete.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "chip_test_util.hpp"
#include "crypto/digest.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip::test {

namespace fs = std::filesystem;
using se05x::TlvWriter;

namespace {
Bytes content_for(std::uint32_t id) {
  Bytes seed = be_u32(id);
  Bytes out;
  while (out.size() < 700) {
    Bytes h = crypto::sha256(cat({seed, be_u32(static_cast<std::uint32_t>(out.size()))}));
    out.insert(out.end(), h.begin(), h.end());
  }
  out.resize(700);
  return out;
}

[[noreturn]] void child_writer(const fs::path& dir, int fd) {
  auto store = Store::open(dir);
  auto chip = store->chips().front();
  for (std::uint32_t id = 0x1000;; ++id) {
    Bytes content = content_for(id);
    // A 700-byte file in two chunks, then a key generated inside: 3 acknowledged APDUs.
    Bytes a = chip->transceive(case4e(0x01, 0x06, 0x00,
        TlvWriter().u32(0x41, id).u16(0x43, 700).bytes(0x44, ByteView(content).first(500)).data()));
    Bytes b = chip->transceive(case4(0x01, 0x06, 0x00,
        TlvWriter().u32(0x41, id).u16(0x42, 500).bytes(0x44, ByteView(content).subspan(500)).data()));
    Bytes k = chip->transceive(case4(0x01, 0x61, 0x00, TlvWriter().u32(0x41, id + 0x100000).u8(0x42, 3).data()));
    if (sw_of(a) != 0x9000 || sw_of(b) != 0x9000 || sw_of(k) != 0x9000) {
      for (;;) pause();  // memory full: wait for the kill
    }
    std::uint32_t acked = id;
    if (write(fd, &acked, sizeof acked) != sizeof acked) _exit(4);
  }
}
}  // namespace

TEST(Durability, AcknowledgedWritesSurviveSigkill) {
  fs::path dir = fs::temp_directory_path() / ("trustlane-chip-kill-" + to_hex(crypto::random_bytes(6)));
  { Store::create(dir)->mint(1); }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    child_writer(dir, fds[1]);
  }
  close(fds[1]);
  std::vector<std::uint32_t> acked;
  std::uint32_t id = 0;
  while (acked.size() < 10 && read(fds[0], &id, sizeof id) == sizeof id) acked.push_back(id);
  kill(pid, SIGKILL);
  while (read(fds[0], &id, sizeof id) == sizeof id) acked.push_back(id);  // already acknowledged
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child ended before the kill: " << status;
  ASSERT_GE(acked.size(), 10u);

  auto store = Store::open(dir);
  EXPECT_EQ(store->integrity_check(), "ok");
  auto chip = store->chips().front();
  for (auto acked_id : acked) {
    Bytes first = tlv41(chip->transceive(case4e(0x02, 0, 0, TlvWriter().u32(0x41, acked_id).u16(0x43, 500).data())));
    Bytes rest = tlv41(chip->transceive(case4e(0x02, 0, 0, TlvWriter().u32(0x41, acked_id).u16(0x42, 500).data())));
    EXPECT_EQ(cat({first, rest}), content_for(acked_id)) << acked_id;
    EXPECT_EQ(hex(chip->transceive(case4(0x04, 0, 0x27, TlvWriter().u32(0x41, acked_id + 0x100000).data()))),
              "4101019000");
  }
  // An object written only partly before the kill is either absent or a whole file.
  std::uint32_t next = acked.back() + 1;
  Bytes rsp = chip->transceive(case4(0x02, 0, 0x07, TlvWriter().u32(0x41, next).data()));
  if (sw_of(rsp) == 0x9000) {
    EXPECT_EQ(hex(rsp), "410202bc9000");
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace trustlane::chip::test
