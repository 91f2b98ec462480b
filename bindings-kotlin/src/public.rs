//! `NativePublicIds`: keyed public IDs (the core's `public_id`). The Kotlin
//! facade `dev.snowid.PublicIds` wraps it (`PublicIds(key, "users")`).

use crate::Result;

/// A keyed, reversible permutation of 64-bit IDs for showing to the
/// public (FF1 over AES). Use `dev.snowid.PublicIds`.
#[derive(uniffi::Object)]
pub struct NativePublicIds {
    inner: snowid::PublicIds,
}

#[uniffi::export]
impl NativePublicIds {
    /// `key`: 16, 24 or 32 bytes; `context`: at most 64 bytes of UTF-8.
    #[uniffi::constructor]
    pub fn new(key: Vec<u8>, context: String) -> Result<Self> {
        Ok(NativePublicIds {
            inner: snowid::PublicIds::with_context(&key, &context)?,
        })
    }

    /// The public ID of the ID whose 64 bits `id` holds: 16 characters.
    pub fn encode(&self, id: i64) -> String {
        self.inner.encode(id as u64)
    }

    /// The ID behind a public ID, as its 64 bits.
    pub fn decode(&self, text: String) -> Result<i64> {
        Ok(self.inner.decode(&text)? as i64)
    }

    /// The context the IDs are made in.
    pub fn context(&self) -> String {
        self.inner.context().to_owned()
    }
}
