#!/bin/sh
# Consumer test: install snowid into a temporary prefix with the README's
# install block, then build and run a program that finds it only through
# pkg-config (the README's build line, as written) and CMake find_package
# (the README's CMake block is in CMakeLists.txt).
# Called by `make test-consumer` (HERE = bindings-c, MAKE, CC set).
set -eu
: "${HERE:?}" "${MAKE:=make}" "${CC:=cc}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
# slot locks and marks of the default generator: a fresh directory
export SNOWID_STATE_DIR="$work/state" SNOWID_HOST_LOCK_DIR=off
readme() { python3 "$HERE/tests/readme.py" "$@"; }
strict="-std=c99 -Wall -Wextra -Werror -pedantic"

# README "Build and install", run from the repository root into $prefix
readme block install | sed -e "s|/usr/local|$prefix|g" -e "s|^make |$MAKE --no-print-directory -s |" > "$work/install.sh"
(cd "$HERE/.." && sh -eu "$work/install.sh" >/dev/null)
echo "installed into $prefix:"
(cd "$prefix" && find . -type f -o -type l | sort | sed 's/^/  /')

# README build line, in a directory holding app.c
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
echo "pkg-config: snowid $(pkg-config --modversion snowid)"
mkdir "$work/pc"
cp "$HERE/tests/consumer/app.c" "$work/pc/app.c"
readme block build | sed -e "s|^cc |$CC $strict |" > "$work/build.sh"
(cd "$work/pc" && sh -eu "$work/build.sh" && ./app pkg-config-shared)
readelf -d "$work/pc/app" | grep -q 'NEEDED.*libsnowid\.so' || { echo "app is not linked to libsnowid.so"; exit 1; }
readelf -d "$work/pc/app" | grep -q "R.*PATH.*$prefix/lib" || { echo "app has no run path to $prefix/lib"; exit 1; }
# static: the archive, plus what pkg-config --static lists for it
# shellcheck disable=SC2046
$CC $strict $(pkg-config --cflags snowid) "$HERE/tests/consumer/app.c" \
  -Wl,-Bstatic $(pkg-config --libs-only-L --libs-only-l snowid) -Wl,-Bdynamic \
  $(pkg-config --static --libs-only-l snowid | sed 's/-lsnowid//') -o "$work/pc_static"
"$work/pc_static" pkg-config-static
if readelf -d "$work/pc_static" | grep -q 'NEEDED.*libsnowid'; then echo "pc_static needs libsnowid.so"; exit 1; fi

# CMake
cmake -S "$HERE/tests/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/app" cmake-shared
"$work/cmake/app_static" cmake-static
readelf -d "$work/cmake/app" | grep -q 'NEEDED.*libsnowid\.so' || { echo "cmake app not linked to libsnowid.so"; exit 1; }
echo "consumer test passed"
