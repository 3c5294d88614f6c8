#pragma once

// A compact, versioned binary encoding for records.
//
// Layout: [tag byte][version byte][fields...]. Integers and enums are
// zig-zag LEB128 varints, strings are length-prefixed bytes, vectors are a
// count then elements, optionals a presence byte then the value. A decoder
// refuses a wrong tag, an unknown version, truncation and trailing bytes, so
// a corrupted value is reported as such instead of read as garbage.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/error.hpp"
#include "storage/records.hpp"

namespace certmint {

template <class Record> struct record_format;

#define CERTMINT_RECORD_FORMAT(type, tag_char, version_number)                                     \
  template <> struct record_format<type> {                                                         \
    static constexpr uint8_t tag = static_cast<uint8_t>(tag_char);                                 \
    static constexpr uint8_t version = version_number;                                             \
    static constexpr const char* name = #type;                                                     \
  };

CERTMINT_RECORD_FORMAT(request_record, 'R', 2)
CERTMINT_RECORD_FORMAT(certificate_record, 'C', 1)
CERTMINT_RECORD_FORMAT(ca_record, 'A', 1)
CERTMINT_RECORD_FORMAT(crl_record, 'L', 1)
CERTMINT_RECORD_FORMAT(revocation_record, 'X', 1)
CERTMINT_RECORD_FORMAT(policy_record, 'P', 1)
CERTMINT_RECORD_FORMAT(profile_record, 'F', 1)
CERTMINT_RECORD_FORMAT(identity_record, 'I', 2)
CERTMINT_RECORD_FORMAT(idempotency_record, 'K', 1)
CERTMINT_RECORD_FORMAT(approval_policy_record, 'V', 1)
CERTMINT_RECORD_FORMAT(approval_request_record, 'Q', 1)

#undef CERTMINT_RECORD_FORMAT

class encoder {
public:
  template <class... Ts> void operator()(Ts&... xs) { (put(xs), ...); }

  void put_varint(uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }

  std::string& bytes() { return out_; }

private:
  void put(std::string& x) {
    put_varint(x.size());
    out_ += x;
  }
  void put(bool& x) { out_.push_back(x ? 1 : 0); }
  template <class T> std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>> put(T& x) {
    auto v = static_cast<int64_t>(x);
    put_varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  template <class T> std::enable_if_t<std::is_enum_v<T>> put(T& x) {
    auto v = static_cast<std::underlying_type_t<T>>(x);
    put(v);
  }
  template <class T> void put(std::vector<T>& xs) {
    put_varint(xs.size());
    for (auto& x : xs)
      put(x);
  }
  template <class T> void put(std::optional<T>& x) {
    bool present = x.has_value();
    put(present);
    if (present)
      put(*x);
  }
  template <class A, class B> void put(std::pair<A, B>& x) {
    put(x.first);
    put(x.second);
  }
  template <class T> std::enable_if_t<std::is_class_v<T>> put(T& x) { fields(*this, x); }

  std::string out_;
};

class decoder {
public:
  explicit decoder(std::string_view in) : in_(in) {}

  template <class... Ts> void operator()(Ts&... xs) { (get(xs), ...); }

  bool get_varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size())
        return fail();
      auto byte = static_cast<uint8_t>(in_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return true;
    }
    return fail();
  }

  bool get_byte(uint8_t& value) {
    if (pos_ >= in_.size())
      return fail();
    value = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

private:
  bool fail() {
    ok_ = false;
    pos_ = in_.size();
    return false;
  }
  void get(std::string& x) {
    uint64_t len = 0;
    if (!get_varint(len) || len > in_.size() - pos_) {
      fail();
      return;
    }
    x.assign(in_.substr(pos_, len));
    pos_ += len;
  }
  void get(bool& x) {
    uint8_t byte = 0;
    if (get_byte(byte) && byte > 1)
      fail();
    x = byte == 1;
  }
  template <class T> std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>> get(T& x) {
    uint64_t raw = 0;
    if (!get_varint(raw))
      return;
    auto v = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
    x = static_cast<T>(v);
    if (static_cast<int64_t>(x) != v)
      fail();
  }
  template <class T> std::enable_if_t<std::is_enum_v<T>> get(T& x) {
    std::underlying_type_t<T> v{};
    get(v);
    x = static_cast<T>(v);
  }
  template <class T> void get(std::vector<T>& xs) {
    uint64_t count = 0;
    // Every element takes at least one byte: a larger count is corrupt.
    if (!get_varint(count) || count > in_.size() - pos_) {
      fail();
      return;
    }
    xs.clear();
    xs.resize(count);
    for (auto& x : xs)
      get(x);
  }
  template <class T> void get(std::optional<T>& x) {
    bool present = false;
    get(present);
    if (present) {
      x.emplace();
      get(*x);
    } else {
      x.reset();
    }
  }
  template <class A, class B> void get(std::pair<A, B>& x) {
    get(x.first);
    get(x.second);
  }
  template <class T> std::enable_if_t<std::is_class_v<T>> get(T& x) { fields(*this, x); }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

template <class Record> std::string encode_record(const Record& record) {
  encoder enc;
  enc.bytes().push_back(static_cast<char>(record_format<Record>::tag));
  enc.bytes().push_back(static_cast<char>(record_format<Record>::version));
  fields(enc, const_cast<Record&>(record));
  return std::move(enc.bytes());
}

/// Decodes into `record` (default-constructed), so that a caller can
/// decode straight into where the record lives.
template <class Record> status decode_record_into(std::string_view bytes, Record& record) {
  using format = record_format<Record>;
  auto corrupt = [](const std::string& why) {
    return make_failure(errc::storage_failure,
                        std::string{"stored "} + format::name + " is corrupt: " + why);
  };
  decoder dec{bytes};
  uint8_t tag = 0;
  uint8_t version = 0;
  if (!dec.get_byte(tag) || !dec.get_byte(version))
    return corrupt("truncated header");
  if (tag != format::tag)
    return corrupt("wrong record tag");
  if (version != format::version)
    return corrupt("unknown version " + std::to_string(version));
  fields(dec, record);
  if (!dec.ok())
    return corrupt("truncated or malformed field");
  if (!dec.at_end())
    return corrupt("trailing bytes");
  return {};
}

template <class Record> result<Record> decode_record(std::string_view bytes) {
  Record record;
  if (auto ok = decode_record_into(bytes, record); !ok)
    return std::move(ok).error();
  return record;
}

} // namespace certmint
