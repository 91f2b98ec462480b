#!/usr/bin/env bash
# Installs the artifacts of `make dist` the way a user without Rust would and
# runs their README quickstarts, with cargo and rustc removed from PATH:
#
#   python  the wheel into a fresh venv (pip --no-index: nothing else fetched);
#           the Python blocks of README.md and bindings-python/README.md
#   node    both tarballs into an empty npm project (--offline: the platform
#           package comes from its tarball, the addon is not built); the js
#           blocks of README.md and bindings-node/README.md, require and import
#   c       the archive unpacked into an arbitrary prefix; an empty project
#           builds the quickstart through pkg-config (shared, static; the
#           README's build line) and CMake find_package (shared, static)
#   etcd    SNOWID_NODE_SOURCE=etcd from each of the three against a real
#           etcd (scripts/services.sh start-etcd, stopped at the end)
#   sdist   the Python sdist builds into a wheel (this one needs Rust)
#
#   kotlin  the jar on a class path with its Maven dependencies; the Java
#           blocks of bindings-kotlin/README.md
#
# Usage: scripts/package/test.sh [python] [node] [c] [etcd] [kotlin] [sdist]
#        (default: all)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIST=${DIST:-$ROOT/dist}
VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$ROOT/Cargo.toml")
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(python node c etcd kotlin sdist)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
log() { echo "test-dist: $*" >&2; }

work=$(mktemp -d /tmp/snowid-dist-test.XXXXXX)
services=""
cleanup() {
    [ -z "$services" ] || SNOWID_SERVICES_STATE=$services "$ROOT/scripts/services.sh" stop
    rm -rf "$work"
}
trap cleanup EXIT
# Generators get a state directory of their own and no machine-wide locks.
export SNOWID_STATE_DIR=$work/state SNOWID_HOST_LOCK_DIR=off
unset CARGO_TARGET_DIR

# PATH without any directory that holds cargo or rustc.
RUST_PATH=$PATH
norust=""
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
    [ -n "$d" ] && ! [ -e "$d/cargo" ] && ! [ -e "$d/rustc" ] && norust=${norust:+$norust:}$d
done
export PATH=$norust
if command -v cargo >/dev/null || command -v rustc >/dev/null; then
    echo "test-dist: cargo or rustc still on PATH" >&2
    exit 1
fi
log "PATH without Rust: $PATH"

artifact() {
    local f
    f=$(ls "$DIST"/$1 2>/dev/null | head -1)
    [ -n "$f" ] || { echo "test-dist: no $DIST/$1: run 'make dist'" >&2; exit 1; }
    echo "$f"
}

py=$work/venv/bin/python
npmproj=$work/npm
prefix=$work/opt/any/prefix

if want python || want etcd; then
    whl=$(artifact "snowid-$VERSION-cp39-abi3-manylinux*_x86_64.whl")
    log "python: pip install $(basename "$whl") into a fresh venv"
    python3 -m venv "$work/venv"
    "$py" -m pip -q --disable-pip-version-check install --no-index "$whl"
    (cd "$work" && "$py" -c 'import snowid, sys; assert "site-packages" in snowid.__file__, snowid.__file__; print("python: snowid", snowid.__version__ if hasattr(snowid, "__version__") else "", snowid.next())')
fi
if want python; then
    python3 "$ROOT/scripts/readme_snippets.py" "$ROOT/README.md" --python "$py"
    python3 "$ROOT/scripts/readme_snippets.py" "$ROOT/bindings-python/README.md" --python "$py"
fi

if want node || want etcd; then
    main=$(artifact "snowid-$VERSION.tgz")
    plat=$(artifact "snowid-linux-x64-gnu-$VERSION.tgz")
    log "node: npm install $(basename "$plat") $(basename "$main") into an empty project"
    mkdir -p "$npmproj"
    echo '{"name":"consumer","version":"1.0.0","private":true}' >"$npmproj/package.json"
    (cd "$npmproj" && npm install --offline --no-audit --no-fund --loglevel=error "$plat" "$main")
    test ! -e "$npmproj/node_modules/snowid/snowid.node" ||
        { echo "test-dist: the addon was built at install time" >&2; exit 1; }
    test -e "$npmproj/node_modules/@snowid/linux-x64-gnu/snowid.linux-x64-gnu.node"
    (cd "$npmproj" && node -e "const s = require('snowid'); const id = s.next(); if (typeof id !== 'bigint') process.exit(1); console.log('node require:', id)" &&
        node --input-type=module -e "import { nextString } from 'snowid'; console.log('node import:', nextString())")
fi
if want node; then
    python3 "$ROOT/scripts/readme_snippets.py" "$ROOT/README.md" --node-package "$npmproj/node_modules/snowid"
    python3 "$ROOT/scripts/readme_snippets.py" "$ROOT/bindings-node/README.md" --node-package "$npmproj/node_modules/snowid"
fi

cc_strict="-std=c99 -Wall -Wextra -Werror -pedantic"
if want c || want etcd; then
    archive=$(artifact "snowid-c-$VERSION-linux-x86_64.tar.gz")
    log "c: unpack $(basename "$archive") into $prefix"
    mkdir -p "$prefix"
    tar -xzf "$archive" -C "$prefix" --strip-components=1
    export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
    [ "$(pkg-config --modversion snowid)" = "$VERSION" ]
fi
if want c; then
    consumer=$ROOT/bindings-c/tests/consumer
    mkdir -p "$work/c-pc"
    cp "$consumer/app.c" "$work/c-pc/app.c"
    # the README's build line, as written
    python3 "$ROOT/bindings-c/tests/readme.py" block build | sed -e "s|^cc |cc $cc_strict |" >"$work/build.sh"
    (cd "$work/c-pc" && sh -eu "$work/build.sh" && ./app pkg-config-shared)
    # shellcheck disable=SC2046
    cc $cc_strict $(pkg-config --cflags snowid) "$consumer/app.c" \
        -Wl,-Bstatic $(pkg-config --libs-only-L --libs-only-l snowid) -Wl,-Bdynamic \
        $(pkg-config --static --libs-only-l snowid | sed 's/-lsnowid//') -o "$work/c-pc/app_static"
    "$work/c-pc/app_static" pkg-config-static
    if readelf -d "$work/c-pc/app_static" | grep -q 'NEEDED.*libsnowid'; then
        echo "test-dist: app_static needs libsnowid.so" >&2
        exit 1
    fi
    cmake -S "$consumer" -B "$work/c-cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$work/c-cmake" >/dev/null
    "$work/c-cmake/app" cmake-shared
    "$work/c-cmake/app_static" cmake-static
    log "c: pkg-config and CMake consumers passed"
fi

if want etcd; then
    services=$work/services.state
    export SNOWID_SERVICES_STATE=$services
    PATH=$RUST_PATH "$ROOT/scripts/services.sh" deps
    "$ROOT/scripts/services.sh" start-etcd
    eval "export $("$ROOT/scripts/services.sh" env | grep ETCD)"
    log "etcd: SNOWID_NODE_SOURCE=etcd from Python, Node and C"
    "$py" "$ROOT/scripts/package/etcd/check_python.py"
    cp "$ROOT/scripts/package/etcd/check_node.mjs" "$npmproj/"
    (cd "$npmproj" && node check_node.mjs)
    # shellcheck disable=SC2046
    cc $cc_strict "$ROOT/bindings-c/tests/node_lease.c" $(pkg-config --cflags --libs snowid) \
        -Wl,-rpath,"$(pkg-config --variable=libdir snowid)" -o "$work/node_lease"
    "$work/node_lease" etcd
fi

if want kotlin; then
    jar=$(artifact "snowid-$VERSION.jar")
    log "kotlin: the README's Java blocks against $(basename "$jar") (JNA loads the library from the jar)"
    # Its Maven dependencies (kotlin-stdlib, JNA), as a Maven user gets them.
    mvn -q -B -f "$ROOT/bindings-kotlin/pom.xml" dependency:build-classpath \
        -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/jvm-cp.txt" >/dev/null
    mkdir -p "$work/jvm"
    python3 - "$ROOT/bindings-kotlin/README.md" >"$work/jvm/Quickstart.java" <<'PY'
import re, sys
blocks = re.findall(r"^```java\n(.*?)^```", open(sys.argv[1]).read(), flags=re.S | re.M)
assert blocks, "no java blocks"
body = "\n".join("{\n" + b + "}" for b in blocks)
print("import dev.snowid.*;\nimport java.util.*;\n\npublic class Quickstart {\n"
      "public static void main(String[] args) throws Exception {\n" + body +
      "\nSystem.out.println(\"java: \" + Snowid.next());\n}\n}")
PY
    (cd "$work/jvm" && java -cp "$jar:$(cat "$work/jvm-cp.txt")" Quickstart.java)
fi

if want sdist; then
    sdist=$(artifact "snowid-$VERSION.tar.gz")
    log "sdist: pip wheel $(basename "$sdist") (this one builds with cargo)"
    [ -x "$py" ] || python3 -m venv "$work/venv"
    # A debug-speed build is enough to show it builds; deps reuse target/sdist.
    PATH=$RUST_PATH CARGO_TARGET_DIR=$ROOT/target/sdist CARGO_PROFILE_RELEASE_LTO=false \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
        "$py" -m pip -q --disable-pip-version-check wheel --no-deps -w "$work/sdist-wheel" "$sdist"
    ls "$work/sdist-wheel"/snowid-"$VERSION"-*.whl >/dev/null
    log "sdist: built $(basename "$(ls "$work/sdist-wheel"/*.whl)")"
fi
log "passed (${parts[*]})"
