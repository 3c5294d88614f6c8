#include "bench/crypto_ceiling.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/certificate_builder.hpp"
#include "engine/key_generator.hpp"
#include "engine/openssl_types.hpp"
#include "engine/public_key.hpp"

namespace certmint::bench {

namespace {

// Every thread prepares its keys first (an RSA key takes from tens to
// hundreds of milliseconds to make), and the clock starts once all of them
// have: counted in, key making would lower the ceiling.
template <class Work>
double per_second(size_t threads, std::chrono::milliseconds duration, Work&& work) {
  using clock = std::chrono::steady_clock;
  std::atomic<uint64_t> done{0};
  std::mutex mutex;
  std::condition_variable changed;
  size_t prepared = 0;
  bool started = false;
  clock::time_point deadline;
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      auto state = work.prepare();
      {
        std::unique_lock<std::mutex> lock{mutex};
        ++prepared;
        changed.notify_all();
        changed.wait(lock, [&] { return started; });
      }
      uint64_t local = 0;
      // Only operations that succeeded count: a context that failed to
      // set up would otherwise fail fast and inflate the ceiling.
      while (clock::now() < deadline)
        if (work.run(state))
          ++local;
      done += local;
    });
  clock::time_point begin;
  {
    std::unique_lock<std::mutex> lock{mutex};
    changed.wait(lock, [&] { return prepared == threads; });
    begin = clock::now();
    deadline = begin + duration;
    started = true;
  }
  changed.notify_all();
  for (auto& t : pool)
    t.join();
  auto seconds = std::chrono::duration<double>(clock::now() - begin).count();
  return static_cast<double>(done.load()) / seconds;
}

// The TBSCertificate's digest, then EVP_PKEY_sign: the engine's own call.
bool sign_certificate(key_algorithm ca_alg, EVP_PKEY_CTX* sign, const std::string& tbs) {
  return static_cast<bool>(sign_data(sign, default_hash(ca_alg), tbs));
}

struct sign_and_verify {
  key_algorithm ca_alg;
  key_algorithm leaf_alg;

  struct state {
    pkey_ptr ca;
    pkey_ctx_ptr sign;
    pkey_ptr leaf;
    std::string tbs = std::string(600, 'c'); // about a TBSCertificate's size
    std::string csr_info = std::string(300, 'r');
    std::string csr_signature;
    pkey_ctx_ptr verify;
  };

  state prepare() const {
    state s;
    s.ca = std::move(*generate_key(ca_alg));
    s.sign = signing_context(s.ca.get(), default_hash(ca_alg));
    s.leaf = std::move(*generate_key(leaf_alg));
    // The CSR's signature by its own key (a failure leaves it empty, and
    // every verification then fails: the ceiling counts none).
    auto csr_signer = signing_context(s.leaf.get(), hash_algorithm::sha256);
    if (auto signature = sign_data(csr_signer.get(), hash_algorithm::sha256, s.csr_info))
      s.csr_signature = std::move(*signature);
    s.verify.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, s.leaf.get(), nullptr));
    return s;
  }

  // The fastest OpenSSL 3 path for each operation (the engine uses the
  // same): the digest, then EVP_PKEY_verify or EVP_PKEY_sign on a context
  // set up once per thread.
  bool run(state& s) const {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    const auto* md = message_digest(hash_algorithm::sha256);
    bool verified =
        EVP_Digest(s.csr_info.data(), s.csr_info.size(), digest, &digest_len, md, nullptr) == 1
        && verify_digest(s.verify.get(), md, {reinterpret_cast<const char*>(digest), digest_len},
                         s.csr_signature);
    return sign_certificate(ca_alg, s.sign.get(), s.tbs) && verified;
  }
};

// A managed-key issuance's crypto: the leaf's key pair is made, not
// verified, and the certificate signed. For RSA leaves the key generation
// is nearly all of it; for EC leaves the signature is a third.
struct keygen_and_sign {
  key_algorithm ca_alg;
  key_algorithm leaf_alg;

  struct state {
    pkey_ptr ca;
    pkey_ctx_ptr sign;
    std::string tbs = std::string(600, 'c');
  };

  state prepare() const {
    state s;
    s.ca = std::move(*generate_key(ca_alg));
    s.sign = signing_context(s.ca.get(), default_hash(ca_alg));
    return s;
  }

  bool run(state& s) const {
    bool generated = static_cast<bool>(generate_key(leaf_alg));
    return sign_certificate(ca_alg, s.sign.get(), s.tbs) && generated;
  }
};

} // namespace

double crypto_ceiling(key_algorithm ca_alg, key_algorithm leaf_alg, size_t threads,
                      std::chrono::milliseconds duration) {
  return per_second(threads, duration, sign_and_verify{ca_alg, leaf_alg});
}

double managed_ceiling(key_algorithm ca_alg, key_algorithm leaf_alg, size_t threads,
                       std::chrono::milliseconds duration) {
  return per_second(threads, duration, keygen_and_sign{ca_alg, leaf_alg});
}

} // namespace certmint::bench
