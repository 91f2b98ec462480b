//! `snowid.PublicIds`: keyed public IDs (the core's `public_id`). The key
//! is `bytes`/`bytearray` or a `str` of hex digits; the core judges both.

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use snowid::PublicIds;

use crate::errors::IntoPyResult;
use crate::layout::id_arg;
use crate::value::value;

/// A keyed, reversible permutation of 64-bit IDs for showing to the
/// public: ``encode(id)`` gives 16 Crockford base32 characters that hide
/// the ID's time, node and volume; only the same key (and context) decodes
/// them. FF1 (NIST SP 800-38G) over AES; a mistyped text or another key
/// fails a 16-bit check (``PublicIdCheckError``) instead of giving another
/// ID. Thread-safe and immutable.
#[pyclass(frozen, module = "snowid", name = "PublicIds")]
pub struct PyPublicIds {
    inner: PublicIds,
}

#[pymethods]
impl PyPublicIds {
    #[new]
    #[pyo3(signature = (key, *, context = None), text_signature = "(key, *, context='')")]
    fn new(key: &Bound<'_, PyAny>, context: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let context = match context {
            Some(c) if !c.is_none() => value(c)?.string("context", "a str").py()?.to_owned(),
            _ => String::new(),
        };
        let inner = if let Ok(b) = key.cast::<PyBytes>() {
            PublicIds::with_context(b.as_bytes(), &context)
        } else if let Ok(b) = key.cast::<PyByteArray>() {
            PublicIds::with_context(&b.to_vec(), &context)
        } else if key.is_instance_of::<PyString>() {
            let v = value(key)?;
            PublicIds::from_hex(v.string("key", "a str of hex digits").py()?, &context)
        } else {
            Err(value(key)?
                .wrong_type("key", "bytes (16, 24 or 32 of them) or a str of hex digits"))
        };
        Ok(PyPublicIds { inner: inner.py()? })
    }

    /// The public ID of ``id`` (an int ``0..2**64-1``): 16 characters.
    fn encode<'py>(&self, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
        let mut buf = [0; snowid::public_id::PUBLIC_ID_LEN];
        Ok(PyString::new(
            id.py(),
            self.inner.encode_into(id_arg(id)?, &mut buf),
        ))
    }

    /// The ID behind a public ID (any case; ``I``/``L`` read as 1, ``O`` as 0).
    fn decode(&self, text: &Bound<'_, PyAny>) -> PyResult<u64> {
        let text = value(text)?;
        self.inner.decode(text.string("text", "a str").py()?).py()
    }

    /// The context the IDs are made in (``''`` by default).
    #[getter]
    fn context(&self) -> &str {
        self.inner.context()
    }

    fn __repr__(&self) -> String {
        format!("PublicIds(context={:?})", self.inner.context())
    }
}

/// Adds `PublicIds` to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPublicIds>()
}
