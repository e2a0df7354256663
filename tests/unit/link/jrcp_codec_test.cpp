#include "link/jrcp_codec.hpp"

#include <gtest/gtest.h>

#include "link/jrcp_session.hpp"
#include "test_support.hpp"

namespace trustlane::link::jrcp {
namespace {
using test::hex;

TEST(JrcpCodec, EncodesTheDocumentedFrames) {
  EXPECT_EQ(encode(mty::kErrorMsg, {}), hex("03000000"));  // CLOSE
  EXPECT_EQ(encode(mty::kLock, {}), hex("30000000"));
  EXPECT_EQ(encode(mty::kWaitForCard, hex("00000100")), hex("0000000400000100"));  // as the host sends it
  EXPECT_EQ(encode(mty::kApduData, hex("8004002000")), hex("01000005 8004002000"));
}

TEST(JrcpCodec, LengthIsBigEndianAndCountsThePayloadOnly) {
  Bytes payload(0x0123, 0xAB);
  auto frame = encode(mty::kApduData, payload);
  ASSERT_EQ(frame.size(), 4u + 0x0123);
  EXPECT_EQ(frame[2], 0x01);
  EXPECT_EQ(frame[3], 0x23);
}

TEST(JrcpDecoder, DecodesAFrameDeliveredOneByteAtATime) {
  auto wire = encode(mty::kApduData, hex("8004002000"));
  Decoder decoder;
  Frame frame;
  for (std::size_t i = 0; i + 1 < wire.size(); ++i) {
    decoder.feed(ByteView(wire).subspan(i, 1));
    EXPECT_EQ(decoder.next(frame), Decoder::Status::kNeedMore) << "after " << i + 1 << " bytes";
  }
  decoder.feed(ByteView(wire).subspan(wire.size() - 1));
  ASSERT_EQ(decoder.next(frame), Decoder::Status::kFrame);
  EXPECT_EQ(frame.type, mty::kApduData);
  EXPECT_EQ(frame.payload, hex("8004002000"));
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(JrcpDecoder, SplitsSeveralFramesFromOneRead) {
  auto wire = encode(mty::kTerminalInfo, {});
  auto second = encode(mty::kApduData, hex("0102"));
  auto third = encode(mty::kLock, {});
  wire.insert(wire.end(), second.begin(), second.end());
  wire.insert(wire.end(), third.begin(), third.begin() + 2);  // partial
  Decoder decoder;
  decoder.feed(wire);
  Frame frame;
  ASSERT_EQ(decoder.next(frame), Decoder::Status::kFrame);
  EXPECT_EQ(frame.type, mty::kTerminalInfo);
  EXPECT_TRUE(frame.payload.empty());
  ASSERT_EQ(decoder.next(frame), Decoder::Status::kFrame);
  EXPECT_EQ(frame.payload, hex("0102"));
  EXPECT_EQ(decoder.next(frame), Decoder::Status::kNeedMore);
  decoder.feed(ByteView(third).subspan(2));
  ASSERT_EQ(decoder.next(frame), Decoder::Status::kFrame);
  EXPECT_EQ(frame.type, mty::kLock);
}

TEST(JrcpDecoder, RefusesOversizeFramesWithoutWaitingForTheirPayload) {
  Decoder decoder(1024);
  decoder.feed(hex("0100FFFF"));  // announces 65535 bytes, none sent
  Frame frame;
  EXPECT_EQ(decoder.next(frame), Decoder::Status::kOversize);
  EXPECT_EQ(decoder.refused_length(), 0xFFFFu);
  EXPECT_EQ(decoder.buffered(), 0u);
  decoder.feed(encode(mty::kStatus, {}));  // the stream cannot be trusted any more
  EXPECT_EQ(decoder.next(frame), Decoder::Status::kOversize);
}

TEST(JrcpDecoder, AcceptsExactlyTheMaximum) {
  Decoder decoder(16);
  decoder.feed(encode(mty::kApduData, Bytes(16, 1)));
  Frame frame;
  EXPECT_EQ(decoder.next(frame), Decoder::Status::kFrame);
  decoder.feed(encode(mty::kApduData, Bytes(17, 1)));
  EXPECT_EQ(decoder.next(frame), Decoder::Status::kOversize);
}

TEST(JrcpSession, PlansOneReplyForEveryMessageType) {
  auto step = [](std::uint8_t type, Bytes payload = {}) { return plan(Frame{type, 0, std::move(payload)}); };
  EXPECT_EQ(step(mty::kWaitForCard, hex("00000100")).kind, Step::Kind::kReset);
  auto apdu = step(mty::kApduData, hex("8004002000"));
  EXPECT_EQ(apdu.kind, Step::Kind::kTransceive);
  EXPECT_EQ(apdu.data, hex("8004002000"));
  EXPECT_EQ(step(mty::kTerminalInfo).data, hex("04000000"));
  EXPECT_EQ(step(mty::kDebugInformation).data, hex("07000000"));
  EXPECT_EQ(step(mty::kStatus).data, hex("02000000"));
  auto lock = step(mty::kLock);
  EXPECT_EQ(lock.kind, Step::Kind::kLock);
  EXPECT_EQ(lock.data, hex("30000000"));
  auto unlock = step(mty::kUnlock);
  EXPECT_EQ(unlock.kind, Step::Kind::kUnlock);
  EXPECT_EQ(unlock.data, hex("31000000"));
  auto close = step(mty::kErrorMsg);
  EXPECT_EQ(close.kind, Step::Kind::kReplyAndClose);
  EXPECT_EQ(close.data, hex("03000000"));
}

TEST(JrcpSession, UnknownTypesGetAnErrorMessageNamingThem) {
  auto step = plan(Frame{0x42, 0, {}});
  ASSERT_EQ(step.kind, Step::Kind::kReply);
  ASSERT_GE(step.data.size(), 4u);
  EXPECT_EQ(step.data[0], mty::kErrorMsg);
  EXPECT_NE(to_string(ByteView(step.data).subspan(4)).find("0x42"), std::string::npos);
}

TEST(JrcpSession, RepliesCarryTheirPayload) {
  EXPECT_EQ(apdu_reply(hex("9000")), hex("010000029000"));
  EXPECT_EQ(atr_reply(hex("3B00")), hex("000000023B00"));
}

}  // namespace
}  // namespace trustlane::link::jrcp
