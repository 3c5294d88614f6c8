#pragma once

// Every atom certmint's actors use, in one place (texts at most 10 chars:
// CAF 0.17 atoms are packed into 64 bits).

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

#define CERTMINT_ADD_ATOM(name, text) CAF_ADD_ATOM(certmint_atoms, certmint::atom, name, text)

CERTMINT_ADD_ATOM(issue, "issue") // gateway -> request actor: run one issuance
CERTMINT_ADD_ATOM(resume,
                  "resume") // node -> request actor: finish a request found pending at start
CERTMINT_ADD_ATOM(fallback,
                  "fallback")     // gateway -> request actor: answer "pending" after the sync bound
CERTMINT_ADD_ATOM(check, "check") // request actor -> policy checker: validate and plan
CERTMINT_ADD_ATOM(sign, "sign")   // request actor -> signer: sign a planned leaf
CERTMINT_ADD_ATOM(sign_ca, "signca")   // configuration -> signer: sign a subordinate CA
CERTMINT_ADD_ATOM(sign_crl, "signcrl") // CRL publisher -> signer: sign the CA's CRL
CERTMINT_ADD_ATOM(publish, "publish")  // node -> CRL publisher: a CA may need a CRL
CERTMINT_ADD_ATOM(revoked, "revoked")  // gateway -> CRL publisher: a CA revoked a certificate
CERTMINT_ADD_ATOM(commit, "commit")    // anyone -> storage writer: apply a transaction
CERTMINT_ADD_ATOM(batch, "batch")      // storage writer -> itself: write what is queued
CERTMINT_ADD_ATOM(flush, "flush")      // shutdown -> storage writer: write everything now
CERTMINT_ADD_ATOM(sweep, "sweep")      // approval expirer -> itself: expire what is due
CERTMINT_ADD_ATOM(take_key, "takekey") // request actor -> key pool: a ready key, if any
CERTMINT_ADD_ATOM(make_key, "makekey") // key pool -> key maker: generate one key
CERTMINT_ADD_ATOM(enqueue, "enqueue")  // anyone -> backlog: a request became pending
CERTMINT_ADD_ATOM(drain, "drain")      // backlog -> itself: take more pending requests
CERTMINT_ADD_ATOM(rewalk, "rewalk")    // backlog -> itself: walk the pending index again

#undef CERTMINT_ADD_ATOM
