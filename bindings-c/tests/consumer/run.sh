#!/bin/sh
# Consumer test: install snowid into a temporary prefix, then build and run
# programs that find it only through pkg-config and CMake find_package.
# Called by `make test-consumer` (HERE = bindings-c, MAKE, CC set).
set -eu
: "${HERE:?}" "${MAKE:=make}" "${CC:=cc}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
export SNOWID_STATE_DIR="$work/state"   # slot locks and marks of the default generator

$MAKE -C "$HERE" --no-print-directory -s install PREFIX="$prefix" >/dev/null
echo "installed into $prefix:"
(cd "$prefix" && find . -type f -o -type l | sort | sed 's/^/  /')

# pkg-config
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
echo "pkg-config: snowid $(pkg-config --modversion snowid)"
libdir=$(pkg-config --variable=libdir snowid)
# shellcheck disable=SC2046
$CC -std=c99 -Wall -Wextra -Werror -pedantic $(pkg-config --cflags snowid) "$HERE/tests/consumer/main.c" \
  $(pkg-config --libs snowid) -Wl,-rpath,"$libdir" -o "$work/pc_shared"
# static: the archive, plus what pkg-config --static lists for it
# shellcheck disable=SC2046
$CC -std=c99 -Wall -Wextra -Werror -pedantic $(pkg-config --cflags snowid) "$HERE/tests/consumer/main.c" \
  -Wl,-Bstatic $(pkg-config --libs-only-L --libs-only-l snowid) -Wl,-Bdynamic \
  $(pkg-config --static --libs-only-l snowid | sed 's/-lsnowid//') -o "$work/pc_static"
"$work/pc_shared" pkg-config-shared
"$work/pc_static" pkg-config-static
readelf -d "$work/pc_shared" | grep -q 'NEEDED.*libsnowid\.so' || { echo "pc_shared is not linked to libsnowid.so"; exit 1; }
if readelf -d "$work/pc_static" | grep -q 'NEEDED.*libsnowid'; then echo "pc_static needs libsnowid.so"; exit 1; fi

# CMake
cmake -S "$HERE/tests/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/consumer_shared" cmake-shared
"$work/cmake/consumer_static" cmake-static
readelf -d "$work/cmake/consumer_shared" | grep -q 'NEEDED.*libsnowid\.so' || { echo "cmake shared not linked to libsnowid.so"; exit 1; }
echo "consumer test passed"
