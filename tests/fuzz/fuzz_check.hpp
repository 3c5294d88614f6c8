#pragma once

// Invariant checks for fuzz targets. Not assert(): the corpus replay runs in
// release builds (NDEBUG) too, and a broken invariant must fail it there.

#include <cstdio>
#include <cstdlib>

#define CERTMINT_FUZZ_CHECK(condition)                                                             \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition);       \
      std::abort();                                                                                \
    }                                                                                              \
  } while (false)
