// The record decoder on arbitrary stored bytes (a corrupted or foreign
// value): it refuses them with an error or reads a record that encodes and
// decodes again to the same bytes. It must not allocate what the bytes
// merely claim: under libFuzzer, its memory limit turns such an allocation
// into a failure.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "storage/codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

template <class Record> void round_trip(std::string_view bytes) {
  auto decoded = certmint::decode_record<Record>(bytes);
  if (!decoded) {
    CERTMINT_FUZZ_CHECK(decoded.error().code == certmint::errc::storage_failure);
    return;
  }
  auto encoded = certmint::encode_record(*decoded);
  auto again = certmint::decode_record<Record>(encoded);
  CERTMINT_FUZZ_CHECK(again.has_value());
  CERTMINT_FUZZ_CHECK(certmint::encode_record(*again) == encoded);
}

using round_trip_function = void (*)(std::string_view);

// Each record's tag (the first byte of its encoding) and its decoder.
constexpr std::pair<char, round_trip_function> decoders[] = {
    {'C', round_trip<certmint::certificate_record>},
    {'A', round_trip<certmint::ca_record>},
    {'L', round_trip<certmint::crl_record>},
    {'X', round_trip<certmint::revocation_record>},
    {'P', round_trip<certmint::policy_record>},
    {'F', round_trip<certmint::profile_record>},
    {'I', round_trip<certmint::identity_record>},
    {'K', round_trip<certmint::idempotency_record>},
    {'V', round_trip<certmint::approval_policy_record>},
    {'Q', round_trip<certmint::approval_request_record>},
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte picks the decoder of the record it tags; any other goes
  // to the request decoder, which must refuse it unless it is 'R'.
  std::string_view bytes{reinterpret_cast<const char*>(data), size};
  auto decoder = round_trip<certmint::request_record>;
  for (const auto& [tag, tagged] : decoders)
    if (!bytes.empty() && bytes.front() == tag)
      decoder = tagged;
  decoder(bytes);
  return 0;
}
