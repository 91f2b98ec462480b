'use strict';
// Which prebuilt addon package fits this machine, in the napi-rs naming
// (`<platform>-<arch>[-<abi>]`, e.g. linux-x64-gnu). Used by index.js to load
// it and by scripts/build.js to skip the source build when it is installed.
// Standard library only.

function libc() {
  if (process.platform !== 'linux') return '';
  // glibc reports its version in the process report; musl does not.
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  return report && report.header && report.header.glibcVersionRuntime ? '-gnu' : '-musl';
}

const triple = `${process.platform}-${process.arch}${libc()}`;

module.exports = {
  triple,
  // The platform package holding the prebuilt addon (its `main` is the .node file).
  packageName: `@snowid/${triple}`,
};
