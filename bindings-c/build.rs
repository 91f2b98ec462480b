// Gives the shared library a SONAME that changes exactly when the ABI may
// break, by Cargo's semver rule: libsnowid.so.0.<minor> while the version is
// 0.x, libsnowid.so.<major> from 1.0 on (see README.md, "Versioning").
fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let abi = if major == "0" {
        format!("0.{minor}")
    } else {
        major
    };
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsnowid.so.{abi}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
