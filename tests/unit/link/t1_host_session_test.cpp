#include "link/t1_host_session.hpp"

#include <gtest/gtest.h>

#include "link/t1_se_session.hpp"
#include "test_support.hpp"

namespace trustlane::link::t1 {
namespace {
using test::hex;

// Our host state machine against our SE state machine, with an optional fault on the wire.
struct Wire {
  SeSession se{test::doc_atr()};
  HostSession host;
  test::FakeCard card;
  int frames_to_host = 0;
  int corrupt_to_host_at = -1;  // corrupt the n-th frame the SE sends
  int wtx_per_apdu = 0;

  Bytes se_answer(ByteView frame) {
    se.receive(frame);
    for (;;) {
      auto action = se.next();
      switch (action.kind) {
        case SeSession::Action::Kind::kNone:
          throw std::runtime_error("SE did not answer");
        case SeSession::Action::Kind::kSend:
        case SeSession::Action::Kind::kResetChip:
          return action.data;
        case SeSession::Action::Kind::kExecute:
          if (wtx_per_apdu > 0) {
            pending_ = action.data;
            wtx_left_ = wtx_per_apdu;
            --wtx_left_;
            return se.request_wtx();
          }
          return se.complete(card.transceive(action.data));
        case SeSession::Action::Kind::kWtxAcknowledged:
          if (wtx_left_-- > 0) return se.request_wtx();
          return se.complete(card.transceive(pending_));
      }
    }
  }

  HostSession::Step run(HostSession::Step step) {
    while (step.kind == HostSession::Step::Kind::kSend) {
      auto reply = se_answer(step.data);
      if (frames_to_host++ == corrupt_to_host_at) reply.back() ^= 0xFF;
      step = host.on_frame(reply);
    }
    return step;
  }

 private:
  Bytes pending_;
  int wtx_left_ = 0;
};

TEST(T1HostSession, SessionStartAndAtr) {
  Wire w;
  EXPECT_EQ(w.host.begin_request(SCode::kResynch).data, hex("5AC000FFFC"));
  Wire fresh;
  ASSERT_EQ(fresh.run(fresh.host.begin_request(SCode::kResynch)).kind, HostSession::Step::Kind::kDone);
  ASSERT_EQ(fresh.run(fresh.host.begin_request(SCode::kGetAtr)).kind, HostSession::Step::Kind::kDone);
  EXPECT_EQ(fresh.host.result(), test::doc_atr());
}

TEST(T1HostSession, ShortApduRoundTrip) {
  Wire w;
  auto step = w.run(w.host.begin_transceive(hex("8004002000")));
  ASSERT_EQ(step.kind, HostSession::Step::Kind::kDone) << step.error;
  EXPECT_EQ(w.host.result(), hex("8004002000 9000"));
  step = w.run(w.host.begin_transceive(hex("8004002000")));  // N(S) alternates correctly
  ASSERT_EQ(step.kind, HostSession::Step::Kind::kDone) << step.error;
}

TEST(T1HostSession, ChainsBothWays) {
  Wire w;
  Bytes apdu(1000, 0x5A);
  apdu[1] = 0x01;
  auto step = w.run(w.host.begin_transceive(apdu));
  ASSERT_EQ(step.kind, HostSession::Step::Kind::kDone) << step.error;
  Bytes expected = apdu;
  expected.insert(expected.end(), {0x90, 0x00});
  EXPECT_EQ(w.host.result(), expected);
  EXPECT_EQ(w.card.calls(), 1);
  step = w.run(w.host.begin_transceive(hex("80EE1000")));  // 4096-byte answer
  ASSERT_EQ(step.kind, HostSession::Step::Kind::kDone) << step.error;
  EXPECT_EQ(w.host.result().size(), 4098u);
}

TEST(T1HostSession, RecoversFromACorruptedSeBlock) {
  for (int at : {0, 1, 2}) {
    Wire w;
    w.corrupt_to_host_at = at;
    auto step = w.run(w.host.begin_transceive(hex("80EE0300")));  // 3 response blocks
    ASSERT_EQ(step.kind, HostSession::Step::Kind::kDone) << "corrupting frame " << at << ": " << step.error;
    EXPECT_EQ(w.host.result().size(), 0x302u);
    EXPECT_EQ(w.card.calls(), 1);
  }
}

TEST(T1HostSession, AnswersWtxRequests) {
  Wire w;
  w.wtx_per_apdu = 3;
  auto step = w.run(w.host.begin_transceive(hex("8004002000")));
  ASSERT_EQ(step.kind, HostSession::Step::Kind::kDone) << step.error;
  EXPECT_EQ(w.host.result(), hex("8004002000 9000"));
  EXPECT_EQ(w.host.wtx_requests_seen(), 3);
}

TEST(T1HostSession, FailsOnAForeignNad) {
  HostSession host;
  host.begin_request(SCode::kResynch);
  auto step = host.on_frame(encode(0x5A, 0xE0, {}));
  EXPECT_EQ(step.kind, HostSession::Step::Kind::kFailed);
  EXPECT_NE(step.error.find("NAD"), std::string::npos);
}

TEST(T1HostSession, GivesUpAfterRepeatedCrcErrors) {
  HostSession host;
  host.begin_request(SCode::kGetAtr);
  auto bad = s_block(kNadSeToHost, SCode::kGetAtr, true, test::doc_atr());
  bad.back() ^= 1;
  HostSession::Step step;
  for (int i = 0; i < 4; ++i) step = host.on_frame(bad);
  EXPECT_EQ(step.kind, HostSession::Step::Kind::kFailed);
}

}  // namespace
}  // namespace trustlane::link::t1
