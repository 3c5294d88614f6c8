#include "actors/node.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <thread>

#include "actors/approval_expirer.hpp"
#include "actors/backlog.hpp"
#include "actors/caf_error.hpp"
#include "actors/crl_publisher.hpp"
#include "actors/key_maker_queue.hpp"
#include "actors/key_pool.hpp"
#include "actors/policy_checker.hpp"
#include "actors/request_actor.hpp"
#include "actors/signer.hpp"
#include "actors/signer_directory.hpp"
#include "actors/storage_writer.hpp"
#include "storage/ca_material.hpp"
#include "storage/catalog.hpp"
#include "storage/key_sealer.hpp"
#include "storage/request_index.hpp"
#include "storage/store.hpp"

namespace certmint {

result<std::unique_ptr<node>> node::start(caf::actor_system& sys, std::shared_ptr<store> db,
                                          const std::shared_ptr<catalog>& configuration,
                                          const node_options& options) {
  std::unique_ptr<node> out{new node(sys)};
  out->options_ = options;
  out->signers_ = std::make_shared<signer_directory>();
  auto cas = db->load_all<ca_record>(column::cas);
  if (!cas)
    return std::move(cas).error();
  for (const auto& ca : *cas)
    if (auto ok = out->start_signers(ca); !ok) {
      out->shutdown();
      return std::move(ok).error();
    }
  std::vector<policy_checker_actor> checkers;
  for (size_t i = 0; i < options.signers_per_ca; ++i)
    checkers.push_back(spawn_policy_checker(sys, configuration));
  out->checkers_ = std::make_shared<round_robin_pool<policy_checker_actor>>(std::move(checkers));
  out->writer_ = spawn_storage_writer(sys, db);
  out->expirer_ = spawn_approval_expirer(sys, db, out->writer_, options.approval_sweep_interval);
  // It sweeps at start: the CAs whose signers started above get their CRL.
  auto crl_options = options.crl;
  crl_options.public_url = options.public_url;
  out->crl_publisher_ = spawn_crl_publisher(sys, db, out->writer_, out->signers_, crl_options);
  auto services = std::make_shared<issuance_services>();
  for (size_t i = 0; i < options.signers_per_ca; ++i)
    out->urgent_key_makers_.push_back(spawn_key_maker(sys, false));
  if (!out->urgent_key_makers_.empty()) {
    out->urgent_key_queue_ = spawn_key_maker_queue(sys, out->urgent_key_makers_);
    services->key_makers = out->urgent_key_queue_;
  }
  if (!options.key_pool.empty()) {
    out->key_maker_ = spawn_key_maker(sys, true);
    out->key_pool_ = spawn_key_pool(sys, out->key_maker_, options.key_pool);
    services->key_pool = out->key_pool_;
  }
  services->writer = out->writer_;
  services->checkers = out->checkers_;
  services->signers = out->signers_;
  out->services_ = services;
  // The backlog spawns request actors with these services, which name it;
  // the name is weak (an actor_addr), so nothing keeps itself alive. It is
  // spawned idle and started once they name it: requests a previous run
  // left pending are driven at once, and no request actor may see the
  // services half made.
  auto* self = out.get();
  out->backlog_ = spawn_backlog(
      sys, std::move(db), [self] { return self->spawn_request_actor(false); }, services->inflight,
      options.backlog);
  services->backlog = out->backlog_.address();
  caf::anon_send(out->backlog_, atom::drain_v);
  return out;
}

result<int64_t> node::pending_count(const store& db) {
  return db.counter(status_index_prefix(request_status::pending));
}

void node::enqueue(const std::string& request_id) {
  if (backlog_)
    caf::anon_send(backlog_, atom::enqueue_v, request_id);
}

status node::start_signers(const ca_record& ca) {
  if (ca.status != ca_status::active || ca.certificate_der.empty())
    return {};
  key_sealer sealer;
  std::vector<signer_actor> pool;
  for (size_t i = 0; i < options_.signers_per_ca; ++i) {
    auto material = load_issuer_material(ca, sealer, options_.public_url);
    if (!material) {
      for (auto& started : pool)
        caf::anon_send_exit(started, caf::exit_reason::user_shutdown);
      return std::move(material).error();
    }
    pool.push_back(spawn_signer(sys_, std::move(*material)));
  }
  for (auto& old : signers_->remove_pool(ca.id))
    caf::anon_send_exit(old, caf::exit_reason::user_shutdown);
  signers_->add_pool(ca.id, std::move(pool));
  if (crl_publisher_)
    caf::anon_send(crl_publisher_, atom::publish_v, ca.id);
  return {};
}

void node::revoked(const std::string& ca_id) {
  if (crl_publisher_)
    caf::anon_send(crl_publisher_, atom::revoked_v, ca_id);
}

void node::stop_signers(const std::string& ca_id) {
  for (auto& signer : signers_->remove_pool(ca_id))
    caf::anon_send_exit(signer, caf::exit_reason::user_shutdown);
}

result<std::string> node::sign_ca(const std::string& ca_id, ca_signing_order order) {
  auto signer = signers_->pick(ca_id);
  if (!signer)
    return make_failure(errc::bad_request, "CA is disabled");
  caf::scoped_actor self{sys_};
  std::optional<result<std::string>> outcome;
  self->request(signer, options_.stage_timeout, atom::sign_ca_v, std::move(order))
      .receive([&outcome](std::string& der) { outcome.emplace(std::move(der)); },
               [&outcome](caf::error& err) { outcome.emplace(from_caf_error(err)); });
  return std::move(*outcome);
}

status node::commit(transaction tx) {
  caf::scoped_actor self{sys_};
  status outcome;
  self->request(writer_, options_.stage_timeout, atom::commit_v, std::move(tx))
      .receive([](caf::ok_atom) {}, [&outcome](caf::error& err) { outcome = from_caf_error(err); });
  return outcome;
}

node::~node() {
  shutdown();
}

request_actor node::spawn_request_actor(bool bounded) {
  auto& inflight = *services_->inflight;
  if (inflight.fetch_add(1) >= options_.max_inflight && bounded) {
    inflight.fetch_sub(1);
    return {};
  }
  return certmint::spawn_request_actor(sys_, services_);
}

void node::shutdown() {
  if (stopped_)
    return;
  stopped_ = true;
  // No new work from the backlog; what is in flight finishes while the
  // signers and the writer are still there (a request cut off here would
  // fail instead of waiting, pending, for the next start).
  if (backlog_) {
    caf::anon_send_exit(backlog_, caf::exit_reason::user_shutdown);
    backlog_ = nullptr;
  }
  if (services_) {
    auto deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
    while (services_->inflight->load() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (crl_publisher_) {
    caf::anon_send_exit(crl_publisher_, caf::exit_reason::user_shutdown);
    crl_publisher_ = nullptr;
  }
  for (auto& signer : signers_->release_all())
    caf::anon_send_exit(signer, caf::exit_reason::user_shutdown);
  if (checkers_)
    for (auto& checker : checkers_->release())
      caf::anon_send_exit(checker, caf::exit_reason::user_shutdown);
  for (const auto& handle :
       {caf::actor_cast<caf::actor>(key_pool_), caf::actor_cast<caf::actor>(key_maker_),
        caf::actor_cast<caf::actor>(urgent_key_queue_)})
    if (handle)
      caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
  key_pool_ = nullptr;
  key_maker_ = nullptr;
  urgent_key_queue_ = nullptr;
  for (auto& maker : urgent_key_makers_)
    caf::anon_send_exit(maker, caf::exit_reason::user_shutdown);
  urgent_key_makers_.clear();
  if (expirer_) {
    caf::anon_send_exit(expirer_, caf::exit_reason::user_shutdown);
    expirer_ = nullptr;
  }
  if (!writer_)
    return;
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
