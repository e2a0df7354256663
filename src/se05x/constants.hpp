// SE05x applet constants (NXP AN12413 / plug-and-trust se05x_enums.h numbering, applet 3.x).
// Shared by the chip emulator and the host client.
#pragma once
#include <array>
#include <cstdint>

namespace trustlane::se05x {

inline constexpr std::uint8_t kClaIso = 0x00;
inline constexpr std::uint8_t kClaSe05x = 0x80;

inline constexpr std::array<std::uint8_t, 16> kAppletAid = {0xA0, 0x00, 0x00, 0x03, 0x96, 0x54, 0x53, 0x00,
                                                           0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00};

namespace ins {
inline constexpr std::uint8_t kWrite = 0x01;
inline constexpr std::uint8_t kRead = 0x02;
inline constexpr std::uint8_t kCrypto = 0x03;
inline constexpr std::uint8_t kMgmt = 0x04;
inline constexpr std::uint8_t kProcess = 0x05;
inline constexpr std::uint8_t kSelect = 0xA4;  // with CLA 0x00
// Flags OR-ed into INS.
inline constexpr std::uint8_t kTransient = 0x80;
inline constexpr std::uint8_t kAuthObject = 0x40;
inline constexpr std::uint8_t kAttest = 0x20;
inline constexpr std::uint8_t kMask = 0x1F;
}  // namespace ins

namespace p1 {
inline constexpr std::uint8_t kDefault = 0x00;
inline constexpr std::uint8_t kKeyPair = 0x60;
inline constexpr std::uint8_t kPrivate = 0x40;
inline constexpr std::uint8_t kPublic = 0x20;
inline constexpr std::uint8_t kKeyPartMask = 0x60;
inline constexpr std::uint8_t kEc = 0x01;
inline constexpr std::uint8_t kRsa = 0x02;
inline constexpr std::uint8_t kAes = 0x03;
inline constexpr std::uint8_t kDes = 0x04;
inline constexpr std::uint8_t kHmac = 0x05;
inline constexpr std::uint8_t kBinary = 0x06;
inline constexpr std::uint8_t kUserId = 0x07;
inline constexpr std::uint8_t kCounter = 0x08;
inline constexpr std::uint8_t kPcr = 0x09;
inline constexpr std::uint8_t kCurve = 0x0B;
inline constexpr std::uint8_t kSignature = 0x0C;
inline constexpr std::uint8_t kMac = 0x0D;
inline constexpr std::uint8_t kCipher = 0x0E;
inline constexpr std::uint8_t kTls = 0x0F;
inline constexpr std::uint8_t kCryptoObj = 0x10;
inline constexpr std::uint8_t kTypeMask = 0x1F;
}  // namespace p1

namespace p2 {
inline constexpr std::uint8_t kDefault = 0x00;
inline constexpr std::uint8_t kGenerate = 0x03;
inline constexpr std::uint8_t kCreate = 0x04;
inline constexpr std::uint8_t kSize = 0x07;
inline constexpr std::uint8_t kSign = 0x09;
inline constexpr std::uint8_t kVerify = 0x0A;
inline constexpr std::uint8_t kDh = 0x0F;
inline constexpr std::uint8_t kSessionCreate = 0x1B;
inline constexpr std::uint8_t kSessionClose = 0x1C;
inline constexpr std::uint8_t kSessionUserId = 0x2C;  // VerifySessionUserID
inline constexpr std::uint8_t kVersion = 0x20;
inline constexpr std::uint8_t kMemory = 0x22;
inline constexpr std::uint8_t kList = 0x25;
inline constexpr std::uint8_t kType = 0x26;
inline constexpr std::uint8_t kExist = 0x27;
inline constexpr std::uint8_t kDeleteObject = 0x28;
inline constexpr std::uint8_t kDeleteAll = 0x2A;
inline constexpr std::uint8_t kId = 0x36;
inline constexpr std::uint8_t kAttributes = 0x3B;
inline constexpr std::uint8_t kParam = 0x40;
inline constexpr std::uint8_t kRandom = 0x49;
}  // namespace p2

namespace tag {
inline constexpr std::uint8_t kSessionId = 0x10;
inline constexpr std::uint8_t kPolicy = 0x11;
inline constexpr std::uint8_t kMaxAttempts = 0x12;
inline constexpr std::uint8_t kImportAuthData = 0x13;
inline constexpr std::uint8_t kImportAuthKeyId = 0x14;
inline constexpr std::uint8_t kPolicyCheck = 0x15;
inline constexpr std::uint8_t k1 = 0x41;
inline constexpr std::uint8_t k2 = 0x42;
inline constexpr std::uint8_t k3 = 0x43;
inline constexpr std::uint8_t k4 = 0x44;
inline constexpr std::uint8_t k5 = 0x45;
inline constexpr std::uint8_t k6 = 0x46;
inline constexpr std::uint8_t k7 = 0x47;
inline constexpr std::uint8_t k8 = 0x48;
inline constexpr std::uint8_t k9 = 0x49;
inline constexpr std::uint8_t k10 = 0x4A;
inline constexpr std::uint8_t k11 = 0x4B;
}  // namespace tag

namespace sw {
inline constexpr std::uint16_t kOk = 0x9000;
inline constexpr std::uint16_t kWrongLength = 0x6700;
inline constexpr std::uint16_t kSecurityStatus = 0x6982;
inline constexpr std::uint16_t kDataInvalid = 0x6984;
inline constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
inline constexpr std::uint16_t kCommandNotAllowed = 0x6986;
inline constexpr std::uint16_t kWrongData = 0x6A80;
inline constexpr std::uint16_t kFileNotFound = 0x6A82;
inline constexpr std::uint16_t kMemoryFull = 0x6A84;
inline constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
inline constexpr std::uint16_t kInsNotSupported = 0x6D00;
inline constexpr std::uint16_t kClaNotSupported = 0x6E00;
inline constexpr std::uint16_t kUnknown = 0x6F00;
}  // namespace sw

// Values of the SE05x Result TLV (CheckObjectExists, ECDSAVerify).
inline constexpr std::uint8_t kResultSuccess = 0x01;
inline constexpr std::uint8_t kResultFailure = 0x02;
// ReadIDList "more" indicator.
inline constexpr std::uint8_t kNoMore = 0x01;
inline constexpr std::uint8_t kMore = 0x02;
// ReadType persistence indicator.
inline constexpr std::uint8_t kPersistent = 0x01;
inline constexpr std::uint8_t kTransientObject = 0x02;
// GetFreeMemory type.
inline constexpr std::uint8_t kMemPersistent = 0x01;
inline constexpr std::uint8_t kMemTransientReset = 0x02;
inline constexpr std::uint8_t kMemTransientDeselect = 0x03;

// ECSignatureAlgo: SHA-256 digest as input.
inline constexpr std::uint8_t kEcdsaSha256 = 0x21;
inline constexpr std::uint8_t kEcdsaSha384 = 0x22;
inline constexpr std::uint8_t kEcdsaSha224 = 0x25;
inline constexpr std::uint8_t kEcdsaSha512 = 0x26;
inline constexpr std::uint8_t kEcdsaPlain = 0x09;

// ECCurve identifiers.
namespace curve {
inline constexpr std::uint8_t kNone = 0x00;
inline constexpr std::uint8_t kNistP192 = 0x01;
inline constexpr std::uint8_t kNistP224 = 0x02;
inline constexpr std::uint8_t kNistP256 = 0x03;
inline constexpr std::uint8_t kNistP384 = 0x04;
inline constexpr std::uint8_t kNistP521 = 0x05;
inline constexpr std::uint8_t kCount = 0x10;  // ReadECCurveList answers this many entries
}  // namespace curve

// Reserved and factory objects.
namespace object {
inline constexpr std::uint32_t kUniqueId = 0x7FFF0206;
inline constexpr std::uint32_t kCloudKey0 = 0xF0000100;
inline constexpr std::uint32_t kCloudCert0 = 0xF0000101;
inline constexpr std::uint32_t kCloudKey1 = 0xF0000102;
inline constexpr std::uint32_t kCloudCert1 = 0xF0000103;
inline constexpr std::uint32_t kAttestationKey = 0xF0000012;
inline constexpr std::uint32_t kAttestationCert = 0xF0000013;
}  // namespace object

inline constexpr std::size_t kUniqueIdSize = 18;

// Object-policy access-rule bits.
namespace policy {
inline constexpr std::uint32_t kForbidAll = 0x20000000;
inline constexpr std::uint32_t kSign = 0x10000000;
inline constexpr std::uint32_t kVerify = 0x08000000;
inline constexpr std::uint32_t kKeyAgreement = 0x04000000;
inline constexpr std::uint32_t kEncrypt = 0x02000000;
inline constexpr std::uint32_t kDecrypt = 0x01000000;
inline constexpr std::uint32_t kRead = 0x00200000;
inline constexpr std::uint32_t kWrite = 0x00100000;
inline constexpr std::uint32_t kGenerate = 0x00080000;
inline constexpr std::uint32_t kDelete = 0x00040000;
inline constexpr std::uint32_t kRequireSm = 0x00020000;
inline constexpr std::uint32_t kAnyone = 0x00000000;  // auth object id meaning "anyone"
}  // namespace policy

}  // namespace trustlane::se05x
