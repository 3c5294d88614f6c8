#!/usr/bin/env bash
# Builds CAF's core library with ThreadSanitizer into $1/lib, from Debian's
# source of the very version `libcaf-dev` installs (its headers are the
# installed ones, byte for byte). TSan sees an ordering only where it
# instruments the code that makes it: Debian's libcaf_core hands every
# message to another thread through atomics TSan cannot see, and every
# message would be reported as a race. The tests then load this library
# instead (LD_LIBRARY_PATH); certmint links against the installed one.
# Built once: a finished build is kept.
set -euo pipefail
dest=$(realpath -m "$1")
version=0.17.6
tarball=actor-framework_${version}.orig.tar.gz
# Debian's checksum of that file, from actor-framework_0.17.6-2.1.dsc.
sha256=e2bf5bd243f08bb7d8adde197cfe3e6d71314ed3378fe0692f8932f4c3b3928c
url=https://deb.debian.org/debian/pool/main/a/actor-framework/$tarball

if [ -f "$dest/lib/libcaf_core.so.$version" ]; then
  exit 0
fi
installed=$(dpkg-query -W -f='${Version}' libcaf-dev)
case "$installed" in
  "$version"-*) ;;
  *)
    echo "libcaf-dev is $installed, this script builds $version" >&2
    exit 1
    ;;
esac
mkdir -p "$dest"
cd "$dest"
if ! echo "$sha256  $tarball" | sha256sum -c --quiet > /dev/null 2>&1; then
  curl -fsSL --retry 3 -o "$tarball" "$url"
  echo "$sha256  $tarball" | sha256sum -c --quiet
fi
rm -rf src
mkdir src
tar -xzf "$tarball" -C src --strip-components=1
cmake -S src -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCAF_NO_EXAMPLES=ON -DCAF_NO_UNIT_TESTS=ON -DCAF_NO_OPENSSL=ON -DCAF_NO_TOOLS=ON \
  -DCAF_NO_IO=ON -DCAF_NO_PYTHON=ON -DCAF_NO_SUMMARY=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread > cmake.log
cmake --build build -j"$(nproc)" --target libcaf_core_shared > build.log
mkdir -p lib
cp -a build/lib/libcaf_core.so* lib/
