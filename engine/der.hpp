#pragma once

// A minimal DER reader and writer for the structures certmint builds and
// parses on the hot path (TBSCertificate, CertificationRequest). OpenSSL 3.0
// decodes every SubjectPublicKeyInfo through its provider decoders, which
// costs ~190 us per key; working on the bytes directly avoids that and
// copies public keys into certificates verbatim.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace certmint::der {

// Universal tags and the context-specific ones we use.
inline constexpr uint8_t boolean_tag = 0x01;
inline constexpr uint8_t integer_tag = 0x02;
inline constexpr uint8_t bit_string_tag = 0x03;
inline constexpr uint8_t octet_string_tag = 0x04;
inline constexpr uint8_t null_tag = 0x05;
inline constexpr uint8_t oid_tag = 0x06;
inline constexpr uint8_t utf8_string_tag = 0x0c;
inline constexpr uint8_t printable_string_tag = 0x13;
inline constexpr uint8_t ia5_string_tag = 0x16;
inline constexpr uint8_t utc_time_tag = 0x17;
inline constexpr uint8_t generalized_time_tag = 0x18;
inline constexpr uint8_t sequence_tag = 0x30;
inline constexpr uint8_t set_tag = 0x31;

/// One element: its tag, its content and the whole encoding.
struct element {
  uint8_t tag = 0;
  std::string_view content;
  std::string_view whole;
};

/// Reads consecutive elements from a buffer. Refuses high tag numbers,
/// indefinite lengths, lengths not in DER's shortest form and lengths
/// beyond the buffer.
class reader {
public:
  explicit reader(std::string_view in) : in_(in) {}

  /// The next element; false at the end or on malformed input (then
  /// `failed()` is true).
  bool next(element& out);

  /// The next element, which must have `tag`.
  bool expect(uint8_t tag, element& out) { return next(out) && out.tag == tag; }

  bool at_end() const { return in_.empty(); }
  bool failed() const { return failed_; }

private:
  std::string_view in_;
  bool failed_ = false;
};

/// True when `bytes` are whole elements the reader takes, and so are the
/// contents of every constructed one, to any depth: DER's framing. Contents
/// of primitive elements (INTEGER padding, say) are not judged. For bytes
/// a lenient decoder (OpenSSL's) has read and certmint copies verbatim.
bool well_framed(std::string_view bytes);

/// Appends a tag and the encoding of a content length to `out`.
void append_header(std::string& out, uint8_t tag, size_t length);

/// Appends a tag-length-value to `out`.
void append_tlv(std::string& out, uint8_t tag, std::string_view content);

std::string tlv(uint8_t tag, std::string_view content);
std::string sequence(std::initializer_list<std::string_view> parts);

/// An INTEGER from unsigned big-endian bytes (a 0x00 is prepended when the
/// top bit is set, leading zero bytes are dropped).
std::string unsigned_integer(std::string_view big_endian);

/// UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
std::string time(int64_t unix_seconds);

} // namespace certmint::der
