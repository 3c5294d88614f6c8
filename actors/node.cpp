#include "actors/node.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/caf_error.hpp"
#include "actors/request_actor.hpp"
#include "actors/signer.hpp"
#include "actors/signer_directory.hpp"
#include "actors/storage_writer.hpp"
#include "storage/ca_material.hpp"
#include "storage/catalog.hpp"
#include "storage/key_sealer.hpp"
#include "storage/store.hpp"

namespace certmint {

result<std::unique_ptr<node>> node::start(caf::actor_system& sys, std::shared_ptr<store> db,
                                          std::shared_ptr<catalog> configuration,
                                          const node_options& options) {
  std::unique_ptr<node> out{new node(sys)};
  auto cas = db->load_all<ca_record>(column::cas);
  if (!cas)
    return std::move(cas).error();
  out->signers_ = std::make_shared<signer_directory>();
  key_sealer sealer;
  for (const auto& ca : *cas) {
    if (ca.status != ca_status::active)
      continue;
    std::vector<signer_actor> pool;
    for (size_t i = 0; i < options.signers_per_ca; ++i) {
      auto material = load_issuer_material(ca, sealer, options.public_url);
      if (!material) {
        for (auto& started : pool)
          caf::anon_send_exit(started, caf::exit_reason::user_shutdown);
        out->signers_->release_all();
        return std::move(material).error();
      }
      pool.push_back(spawn_signer(sys, std::move(*material)));
    }
    out->signers_->add_pool(ca.id, std::move(pool));
  }
  out->writer_ = spawn_storage_writer(sys, std::move(db));
  auto services = std::make_shared<issuance_services>();
  services->writer = out->writer_;
  services->signers = out->signers_;
  services->configuration = std::move(configuration);
  services->stage_timeout = options.stage_timeout;
  out->services_ = std::move(services);
  return out;
}

node::~node() {
  shutdown();
}

request_actor node::spawn_request_actor() {
  return certmint::spawn_request_actor(sys_, services_);
}

void node::shutdown() {
  if (stopped_)
    return;
  stopped_ = true;
  for (auto& signer : signers_->release_all())
    caf::anon_send_exit(signer, caf::exit_reason::user_shutdown);
  {
    caf::scoped_actor self{sys_};
    self->request(writer_, std::chrono::seconds(30), atom::flush_v)
        .receive([](caf::ok_atom) {}, [](caf::error&) {});
  }
  caf::anon_send_exit(writer_, caf::exit_reason::user_shutdown);
  services_.reset();
  writer_ = nullptr;
}

} // namespace certmint
