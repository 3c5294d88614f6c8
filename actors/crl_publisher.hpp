#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_set>

#include "actors/actors.hpp"

namespace caf {
class actor_system;
}

namespace certmint {

class signer_directory;
class store;

struct crl_publisher_options {
  /// nextUpdate - thisUpdate of every CRL (Infisical's: 7 days).
  std::chrono::seconds validity{std::chrono::hours{24 * 7}};
  /// A CRL this old is re-signed: daily, so a relying party holds a CRL
  /// valid for six more days, and the publisher may be down that long
  /// before any CRL lapses.
  std::chrono::seconds refresh_after{std::chrono::hours{24}};
  /// How often every CA's CRL is looked at.
  std::chrono::milliseconds sweep_interval{std::chrono::minutes{10}};
  std::chrono::milliseconds timeout{std::chrono::seconds{30}};
  /// The URLs a signer's material carries (unused for CRLs, but the
  /// material is the one signers are made from).
  std::string public_url;
};

struct crl_publisher_state {
  std::shared_ptr<const store> db;
  storage_writer_actor writer;
  std::shared_ptr<signer_directory> signers;
  crl_publisher_options options;
  /// CAs whose CRL is being signed or written: one at a time per CA, so
  /// two CRLs never share a number.
  std::unordered_set<std::string> in_flight;
  /// CAs that revoked a certificate while their CRL was in flight: signed
  /// again as soon as it lands, so the revocation is listed.
  std::unordered_set<std::string> stale;
  static inline const char* name = "crl-publisher";
};

/// Sweeps once at start (a CRL that lapsed while the server was down is
/// re-signed first), then every `sweep_interval`. A CRL is stored by a
/// compare-and-set on the one it replaces; a failed signature or write is
/// retried by the next sweep. A CA without signers (disabled) has its CRL
/// signed by a signer made for that one CRL: its certificates are still
/// valid, and revocable.
crl_publisher_actor::behavior_type
crl_publisher(crl_publisher_actor::stateful_pointer<crl_publisher_state> self,
              std::shared_ptr<const store> db, storage_writer_actor writer,
              std::shared_ptr<signer_directory> signers, crl_publisher_options options);

crl_publisher_actor spawn_crl_publisher(caf::actor_system& sys, std::shared_ptr<const store> db,
                                        storage_writer_actor writer,
                                        std::shared_ptr<signer_directory> signers,
                                        crl_publisher_options options);

} // namespace certmint
