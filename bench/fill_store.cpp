// certmint-fill: writes N issued requests with real certificates straight
// into a stopped server's data directory, through the same records, indexes
// and group commit the server uses, for the scale measurements
// (bench/scale.sh). Certificates are signed by the bootstrapped CA.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "engine/identifiers.hpp"
#include "engine/key_encoding.hpp"
#include "engine/key_generator.hpp"
#include "engine/time_format.hpp"
#include "engine/x509_names.hpp"
#include "storage/ca_material.hpp"
#include "storage/key_sealer.hpp"
#include "storage/request_index.hpp"
#include "storage/store.hpp"

using namespace certmint;

namespace {

int fail(const std::string& why) {
  std::cerr << "certmint-fill: " << why << "\n";
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: certmint-fill DATA_DIR COUNT SAMPLE_IDS_FILE\n"
                 "  writes COUNT issued requests into a stopped server's DATA_DIR and\n"
                 "  1000 of their request ids, spread over the range, to SAMPLE_IDS_FILE\n";
    return 2;
  }
  const std::string dir = argv[1];
  const auto count = std::stoull(argv[2]);
  auto opened = store::open(dir);
  if (!opened)
    return fail(opened.error().message);
  auto& db = **opened;
  auto profile_id = db.get(column::meta, "default_profile_id");
  if (!profile_id || !*profile_id)
    return fail("no bootstrapped default profile in " + dir + " (start the server once)");
  auto profile = db.get_record<profile_record>(column::profiles, **profile_id);
  if (!profile || !*profile)
    return fail("the default profile is missing");
  auto ca = db.get_record<ca_record>(column::cas, (*profile)->ca_id);
  if (!ca || !*ca)
    return fail("the default profile's CA is missing");
  auto issuer = load_issuer_material(**ca, key_sealer{}, "http://127.0.0.1:8080");
  if (!issuer)
    return fail(issuer.error().message);
  // One leaf key for all: the scale run measures storage, not key making.
  auto key = generate_key(key_algorithm::ec_p256);
  if (!key)
    return fail(key.error().message);
  auto spki = public_key_to_der(key->get());

  std::ofstream sample{argv[3]};
  const uint64_t sample_every = count >= 1000 ? count / 1000 : 1;
  const size_t batch = 1000;
  std::vector<transaction> group;
  auto now = unix_now();
  for (uint64_t i = 0; i < count; ++i) {
    issuance_plan plan;
    plan.subject.common_name = "host-" + std::to_string(i) + ".scale.example";
    plan.subject_der = *encode_subject(plan.subject);
    plan.sans = {{san_type::dns_name, plan.subject.common_name}};
    plan.key_usages = ku_digital_signature;
    plan.ext_key_usages = eku_server_auth;
    plan.key_alg = key_algorithm::ec_p256;
    plan.signature_alg = signature_algorithm{key_family::ecdsa, hash_algorithm::sha256};
    plan.public_key_der = spki;
    plan.not_before = now;
    plan.not_after = now + int64_t{90} * 86400;
    request_record request;
    request.id = make_uuid_v7();
    request.status = request_status::issued;
    request.profile_id = (*profile)->id;
    request.ca_id = (*ca)->id;
    request.serial = make_serial();
    auto der = sign_leaf(*issuer, request.serial, plan);
    if (!der)
      return fail(der.error().message);
    certificate_record cert;
    cert.id = make_uuid_v7();
    cert.request_id = request.id;
    cert.ca_id = request.ca_id;
    cert.profile_id = request.profile_id;
    cert.serial = request.serial;
    cert.der = std::move(*der);
    cert.subject = plan.subject;
    cert.sans = plan.sans;
    cert.key_usages = plan.key_usages;
    cert.ext_key_usages = plan.ext_key_usages;
    cert.not_before = plan.not_before;
    cert.not_after = plan.not_after;
    cert.created_at = now;
    request.plan = std::move(plan);
    request.certificate_id = cert.id;
    request.requested_by = "scale";
    request.created_at = request.updated_at = now;
    transaction tx;
    tx.put_raw(column::serials, serial_index_key(request.ca_id, request.serial), request.id);
    stage_request(tx, request, std::nullopt);
    tx.put(column::certificates, cert.id, cert);
    tx.put_raw(column::profile_certificates, cert.profile_id + cert.id, {});
    group.push_back(std::move(tx));
    if (i % sample_every == 0)
      sample << request.id << "\n";
    if (group.size() == batch || i + 1 == count) {
      for (auto& outcome : db.commit_group(group))
        if (!outcome)
          return fail(outcome.error().message);
      group.clear();
      if ((i + 1) % 100000 == 0)
        std::cerr << "  " << (i + 1) << " requests written\n";
    }
  }
  return 0;
}
