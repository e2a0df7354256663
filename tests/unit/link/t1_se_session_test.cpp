#include "link/t1_se_session.hpp"

#include <gtest/gtest.h>

#include "se05x/constants.hpp"
#include "test_support.hpp"

namespace trustlane::link::t1 {
namespace {
using test::hex;

// Feeds host bytes and plays the chip for every action; returns everything the SE wrote.
struct Harness {
  SeSession se{test::doc_atr()};
  test::FakeCard card;
  int executed = 0;

  Bytes send(ByteView bytes) {
    se.receive(bytes);
    Bytes out;
    for (;;) {
      auto action = se.next();
      switch (action.kind) {
        case SeSession::Action::Kind::kNone:
          return out;
        case SeSession::Action::Kind::kSend:
          out.insert(out.end(), action.data.begin(), action.data.end());
          break;
        case SeSession::Action::Kind::kExecute: {
          ++executed;
          auto frame = se.complete(card.transceive(action.data));
          out.insert(out.end(), frame.begin(), frame.end());
          break;
        }
        case SeSession::Action::Kind::kResetChip:
          card.reset();
          out.insert(out.end(), action.data.begin(), action.data.end());
          break;
        case SeSession::Action::Kind::kWtxAcknowledged:
          ADD_FAILURE() << "no WTX was outstanding";
          return out;
      }
    }
  }
  Bytes send(std::string_view text) { return send(hex(text)); }
};

Bytes select_apdu() {
  Bytes apdu = hex("00A40400 10");
  apdu.insert(apdu.end(), se05x::kAppletAid.begin(), se05x::kAppletAid.end());
  apdu.push_back(0x00);
  return apdu;
}

TEST(T1SeSession, SessionStartExchangeByteForByte) {
  Harness h;
  EXPECT_EQ(h.send("5AC000FFFC"), hex("A5E0003F19"));  // RESYNCH
  EXPECT_EQ(h.send("5AC000FFFC"), hex("A5E0003F19"));  // again, after the host's drain reads
  // GET ATR → A5 E7 LEN ATR CRC
  EXPECT_EQ(h.send("5AC700F7B1"), encode(kNadSeToHost, 0xE7, test::doc_atr()));
  // SELECT as the first I-block (N(S)=0), answered by the chip through an I-block with N(S)=0.
  auto reply = h.send("5A 00 16 00 A4 04 00 10 A0 00 00 03 96 54 53 00 00 00 01 03 00 00 00 00 00 A8 C8");
  auto expected_rapdu = select_apdu();  // the fake chip echoes
  expected_rapdu.insert(expected_rapdu.end(), {0x90, 0x00});
  EXPECT_EQ(reply, i_block(kNadSeToHost, 0, false, expected_rapdu));
  EXPECT_EQ(h.executed, 1);
  EXPECT_EQ(h.send("5AC5004782"), hex("A5E5008767"));  // close
}

TEST(T1SeSession, SequenceNumbersAlternateBothWays) {
  Harness h;
  auto first = h.send(i_block(kNadHostToSe, 0, false, hex("80040020 00")));
  EXPECT_EQ(first[1], 0x00);  // SE's N(S) = 0
  auto second = h.send(i_block(kNadHostToSe, 1, false, hex("80040020 00")));
  EXPECT_EQ(second[1], 0x40);  // SE's N(S) = 1
  // A host block with a stale N(S) is refused with R(err 2) naming the expected one (0).
  EXPECT_EQ(h.send(i_block(kNadHostToSe, 1, false, hex("80040020 00"))), r_block(kNadSeToHost, 0, RError::kOther));
  EXPECT_EQ(h.executed, 2);
}

TEST(T1SeSession, ResynchResetsSequenceNumbers) {
  Harness h;
  h.send(i_block(kNadHostToSe, 0, false, hex("80040020 00")));
  h.send("5AC000FFFC");
  auto reply = h.send(i_block(kNadHostToSe, 0, false, hex("80040020 00")));
  EXPECT_EQ(reply[1], 0x00);
  EXPECT_EQ(h.executed, 2);
}

TEST(T1SeSession, ReceivesAChainedCommand) {
  Harness h;
  Bytes apdu(600);
  for (std::size_t i = 0; i < apdu.size(); ++i) apdu[i] = static_cast<std::uint8_t>(i * 7);
  apdu[1] = 0x01;  // not the fake's 0xEE command: echoed
  auto part = [&](std::size_t off, std::size_t n) { return ByteView(apdu).subspan(off, n); };
  EXPECT_EQ(h.send(i_block(kNadHostToSe, 0, true, part(0, 254))), r_block(kNadSeToHost, 1, RError::kNone));
  EXPECT_EQ(h.send(i_block(kNadHostToSe, 1, true, part(254, 254))), r_block(kNadSeToHost, 0, RError::kNone));
  EXPECT_EQ(h.executed, 0);
  auto reply = h.send(i_block(kNadHostToSe, 0, false, part(508, 92)));
  EXPECT_EQ(h.executed, 1);
  // The echo (602 bytes) comes back chained: 254 + 254 + 94.
  ASSERT_EQ(reply.size(), kOverhead + 254);
  EXPECT_EQ(reply[1], 0x20);  // N(S)=0, more
  Bytes collected(reply.begin() + 3, reply.end() - 2);
  auto second = h.send(r_block(kNadHostToSe, 1, RError::kNone));
  EXPECT_EQ(second[1], 0x60);  // N(S)=1, more
  collected.insert(collected.end(), second.begin() + 3, second.end() - 2);
  auto third = h.send(r_block(kNadHostToSe, 0, RError::kNone));
  EXPECT_EQ(third[1], 0x00);  // N(S)=0, last
  collected.insert(collected.end(), third.begin() + 3, third.end() - 2);
  Bytes expected = apdu;
  expected.insert(expected.end(), {0x90, 0x00});
  EXPECT_EQ(collected, expected);
}

TEST(T1SeSession, ChainsLongResponsesInIfsSizedBlocks) {
  Harness h;
  auto first = h.send(i_block(kNadHostToSe, 0, false, hex("80EE0400")));  // 1024 bytes + SW
  std::size_t total = 0, blocks = 0;
  Bytes frame = first;
  int expect_ns = 0;
  for (;;) {
    auto block = parse(frame);
    ASSERT_TRUE(block);
    EXPECT_EQ(block->ns(), expect_ns);
    EXPECT_LE(block->inf.size(), kMaxInf);
    total += block->inf.size();
    ++blocks;
    expect_ns ^= 1;
    if (!block->more()) break;
    frame = h.send(r_block(kNadHostToSe, expect_ns, RError::kNone));
  }
  EXPECT_EQ(total, 1026u);
  EXPECT_EQ(blocks, 5u);  // 4 × 254 + 10
}

TEST(T1SeSession, RNackRetransmitsTheLastBlock) {
  Harness h;
  auto first = h.send(i_block(kNadHostToSe, 0, false, hex("80EE0200")));
  EXPECT_EQ(h.send(r_block(kNadHostToSe, 0, RError::kCrc)), first);    // NACK: same block again
  EXPECT_EQ(h.send(r_block(kNadHostToSe, 0, RError::kOther)), first);
  EXPECT_EQ(h.send(r_block(kNadHostToSe, 0, RError::kNone)), first);   // ACK naming the same block
  auto second = h.send(r_block(kNadHostToSe, 1, RError::kNone));
  EXPECT_EQ(second[1], 0x60);
  EXPECT_EQ(h.executed, 1);
}

TEST(T1SeSession, RNackAfterTheFinalBlockRetransmitsIt) {
  Harness h;
  auto reply = h.send(i_block(kNadHostToSe, 0, false, hex("80040020 00")));
  EXPECT_EQ(h.send(r_block(kNadHostToSe, 0, RError::kCrc)), reply);
  EXPECT_EQ(h.executed, 1);  // never re-executed
}

TEST(T1SeSession, BadCrcIsAnsweredWithRBlockError1) {
  Harness h;
  auto frame = i_block(kNadHostToSe, 0, false, hex("80040020 00"));
  frame.back() ^= 0x55;
  EXPECT_EQ(h.send(frame), r_block(kNadSeToHost, 0, RError::kCrc));
  EXPECT_EQ(h.executed, 0);
  // The host resends; the SE still expects N(S)=0.
  auto reply = h.send(i_block(kNadHostToSe, 0, false, hex("80040020 00")));
  EXPECT_EQ(h.executed, 1);
  EXPECT_EQ(reply[0], kNadSeToHost);
}

TEST(T1SeSession, WrongNadOrOversizeInfIsAnOtherError) {
  Harness h;
  EXPECT_EQ(h.send(encode(0x12, 0x00, hex("8004002000"))), r_block(kNadSeToHost, 0, RError::kOther));
  EXPECT_EQ(h.send(encode(kNadHostToSe, 0x00, Bytes(255, 0x80))), r_block(kNadSeToHost, 0, RError::kOther));
  EXPECT_EQ(h.executed, 0);
}

TEST(T1SeSession, SupervisoryRequests) {
  Harness h;
  EXPECT_EQ(h.send(s_block(kNadHostToSe, SCode::kIfs, false, hex("80"))), s_block(kNadSeToHost, SCode::kIfs, true, hex("80")));
  EXPECT_EQ(h.se.ifsd(), 0x80u);
  EXPECT_EQ(h.send(s_block(kNadHostToSe, SCode::kIfs, false, {})), r_block(kNadSeToHost, 0, RError::kOther));
  EXPECT_EQ(h.send(s_block(kNadHostToSe, SCode::kAbort, false)), s_block(kNadSeToHost, SCode::kAbort, true));
  EXPECT_EQ(h.send(s_block(kNadHostToSe, SCode::kDeepPowerDown, false)), s_block(kNadSeToHost, SCode::kDeepPowerDown, true));
  EXPECT_EQ(h.send("5ACF00377F"), encode(kNadSeToHost, 0xEF, test::doc_atr()));  // soft reset → ATR
  EXPECT_EQ(h.card.resets(), 0);
  EXPECT_EQ(h.send(s_block(kNadHostToSe, SCode::kChipReset, false)), s_block(kNadSeToHost, SCode::kChipReset, true));
  EXPECT_EQ(h.card.resets(), 1);
  // The host never asks for waiting time, and undefined codes are errors.
  EXPECT_EQ(h.send(s_block(kNadHostToSe, SCode::kWtx, false, hex("01"))), r_block(kNadSeToHost, 0, RError::kOther));
  EXPECT_EQ(h.send(encode(kNadHostToSe, 0xC4, {})), r_block(kNadSeToHost, 0, RError::kOther));
}

TEST(T1SeSession, SmallerIfsChainsResponsesInSmallerBlocks) {
  Harness h;
  h.send(s_block(kNadHostToSe, SCode::kIfs, false, hex("20")));
  auto reply = h.send(i_block(kNadHostToSe, 0, false, hex("80EE0040")));
  auto block = parse(reply);
  ASSERT_TRUE(block);
  EXPECT_EQ(block->inf.size(), 0x20u);
  EXPECT_TRUE(block->more());
}

TEST(T1SeSession, WtxRequestsWhileTheChipWorks) {
  SeSession se(test::doc_atr());
  se.receive(i_block(kNadHostToSe, 0, false, hex("8003 0C09")));
  auto action = se.next();
  ASSERT_EQ(action.kind, SeSession::Action::Kind::kExecute);
  EXPECT_TRUE(se.executing());
  EXPECT_EQ(se.next().kind, SeSession::Action::Kind::kNone);
  auto wtx = se.request_wtx();
  EXPECT_EQ(wtx, s_block(kNadSeToHost, SCode::kWtx, false, hex("01")));
  EXPECT_EQ(wtx[1], 0xC3);
  // A corrupted answer makes the SE ask again.
  auto garbled = s_block(kNadHostToSe, SCode::kWtx, true, hex("01"));
  garbled[3] ^= 0x10;
  se.receive(garbled);
  auto again = se.next();
  ASSERT_EQ(again.kind, SeSession::Action::Kind::kSend);
  EXPECT_EQ(again.data, wtx);
  se.receive(s_block(kNadHostToSe, SCode::kWtx, true, hex("01")));  // 5A E3 01 01 CRC
  EXPECT_EQ(se.next().kind, SeSession::Action::Kind::kWtxAcknowledged);
  auto reply = se.complete(hex("9000"));
  EXPECT_EQ(reply, i_block(kNadSeToHost, 0, false, hex("9000")));
  EXPECT_FALSE(se.executing());
}

TEST(T1SeSession, InputDuringExecutionWaitsForTheAnswer) {
  SeSession se(test::doc_atr());
  se.receive(i_block(kNadHostToSe, 0, false, hex("80040020 00")));
  ASSERT_EQ(se.next().kind, SeSession::Action::Kind::kExecute);
  se.receive(s_block(kNadHostToSe, SCode::kGetAtr, false));
  EXPECT_EQ(se.next().kind, SeSession::Action::Kind::kNone);  // held, not answered twice
  se.complete(hex("9000"));
  auto atr = se.next();
  ASSERT_EQ(atr.kind, SeSession::Action::Kind::kSend);
  EXPECT_EQ(atr.data[1], 0xE7);
}

TEST(T1SeSession, StalledFragmentIsDroppedAndAnswered) {
  Harness h;
  EXPECT_EQ(h.se.on_stall(), std::nullopt);
  h.send("5A0010 8004");  // announces 16 bytes, sends 2
  EXPECT_TRUE(h.se.has_partial_input());
  EXPECT_EQ(h.se.on_stall(), r_block(kNadSeToHost, 0, RError::kOther));
  EXPECT_FALSE(h.se.has_partial_input());
  auto reply = h.send(i_block(kNadHostToSe, 0, false, hex("80040020 00")));
  EXPECT_EQ(h.executed, 1);
  EXPECT_EQ(reply[0], kNadSeToHost);
}

TEST(T1SeSession, NewCommandAbandonsAnUnfinishedResponseChain) {
  Harness h;
  auto first = h.send(i_block(kNadHostToSe, 0, false, hex("80EE0200")));
  EXPECT_TRUE(parse(first)->more());
  auto reply = h.send(i_block(kNadHostToSe, 1, false, hex("80040020 00")));
  auto block = parse(reply);
  ASSERT_TRUE(block);
  EXPECT_FALSE(block->more());
  EXPECT_EQ(block->inf, hex("80040020 00 9000"));
}

}  // namespace
}  // namespace trustlane::link::t1
