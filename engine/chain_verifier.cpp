#include "engine/chain_verifier.hpp"

#include <openssl/x509_vfy.h>

#include "engine/openssl_types.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"

namespace certmint {

status verify_certificate_chain(std::string_view leaf_pem, std::string_view chain_pem,
                                std::string_view purpose) {
  auto fail = [](std::string message) {
    return make_failure(errc::bad_request, std::move(message));
  };
  auto leaf = certificate_from_pem(leaf_pem);
  if (!leaf)
    return fail("the certificate does not parse");
  auto blocks = split_pem_blocks(chain_pem);
  if (blocks.empty())
    return fail("the chain is empty");
  x509_store_ptr trust{X509_STORE_new()};
  certificate_stack_ptr untrusted{sk_X509_new_null()};
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto cert = certificate_from_pem(blocks[i]);
    if (!cert)
      return fail("a chain certificate does not parse");
    if (i + 1 == blocks.size())
      X509_STORE_add_cert(trust.get(), cert->get());
    else
      sk_X509_push(untrusted.get(), cert->release());
  }
  x509_store_ctx_ptr ctx{X509_STORE_CTX_new()};
  if (!ctx || X509_STORE_CTX_init(ctx.get(), trust.get(), leaf->get(), untrusted.get()) != 1)
    return fail("cannot set up verification");
  // At the precise current second: OpenSSL's default is time(), which
  // glibc reads from a coarse clock that lags by up to a tick, so a
  // certificate issued (by unix_now()) just after a second boundary would
  // look "not yet valid" for a few milliseconds.
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(unix_now()));
  if (!purpose.empty()) {
    auto index = X509_PURPOSE_get_by_sname(std::string{purpose}.c_str());
    if (index < 0)
      return fail("unknown purpose " + std::string{purpose});
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_get_id(X509_PURPOSE_get0(index)));
  }
  if (X509_verify_cert(ctx.get()) != 1)
    return fail(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  return {};
}

} // namespace certmint
