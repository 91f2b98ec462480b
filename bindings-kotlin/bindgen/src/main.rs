//! `uniffi-bindgen` at the uniffi version pinned in `Cargo.toml`.
fn main() {
    uniffi::uniffi_bindgen_main()
}
