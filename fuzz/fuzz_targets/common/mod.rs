//! The byte formats of the fuzz inputs, shared by the targets. Every byte
//! string is a valid input (missing bytes read as zeros), so libFuzzer's
//! mutations never fall off a parser; `fuzz/seeds.py` writes the vectors of
//! testdata/vectors.json in these formats (the committed seed corpus).
#![allow(dead_code)]

use core_snowid::{
    FieldKind, FieldSpec, Layout, LayoutBuilder, LayoutSpec, ManualClock, Result, Value,
};

/// Reads little-endian integers and length-prefixed byte strings.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        head
    }

    pub fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.data.len())
    }

    fn fixed<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0u8; N];
        let got = self.bytes(N);
        b[..got.len()].copy_from_slice(got);
        b
    }

    pub fn u8(&mut self) -> u8 {
        self.fixed::<1>()[0]
    }

    /// A buffer length: two bytes.
    pub fn u16_len(&mut self) -> u32 {
        u32::from(u16::from_le_bytes(self.fixed()))
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.fixed())
    }

    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.fixed())
    }

    pub fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.fixed())
    }

    pub fn i128(&mut self) -> i128 {
        i128::from_le_bytes(self.fixed())
    }

    /// A byte string: one length byte, then that many bytes.
    pub fn str_bytes(&mut self) -> &'a [u8] {
        let n = self.u8() as usize;
        self.bytes(n)
    }

    /// [`Self::str_bytes`] as text (invalid UTF-8 replaced).
    pub fn string(&mut self) -> String {
        String::from_utf8_lossy(self.str_bytes()).into_owned()
    }

    /// A host value: a type byte, then its payload.
    pub fn value(&mut self) -> Value {
        match self.u8() % 10 {
            0 => Value::Int(self.i128()),
            1 => Value::Int(i128::from(self.i64())),
            2 => Value::BigInt(self.string()),
            3 => Value::Float(f64::from_bits(self.u64())),
            4 => Value::Str(self.string()),
            5 => Value::NonUtf8(self.str_bytes().to_vec()),
            6 => Value::Bool(self.u8() & 1 == 1),
            7 => {
                let name = self.string();
                match Layout::preset(&name) {
                    Ok(l) => Value::Layout(l),
                    Err(_) => Value::Other(name),
                }
            }
            8 => Value::Clock(ManualClock::new(self.u64())),
            _ => Value::Real(f64::from_bits(self.u64())),
        }
    }
}

/// A layout: flags (bit 0 sign bit, bit 1 through the hosts' builder of
/// values, bit 2 without the epoch-in-the-future check), epoch, tick, the
/// name, then a count and (kind, bits, name) per field.
pub fn layout(inp: &mut Input) -> Result<Layout> {
    let flags = inp.u8();
    let epoch_ms = inp.u64();
    let tick_ms = inp.u64();
    let name = inp.string();
    let count = (inp.u8() % 12) as usize;
    let mut fields = Vec::with_capacity(count);
    for _ in 0..count {
        let kind = inp.u8();
        let bits = u32::from(inp.u8());
        let name = inp.string();
        fields.push((kind, bits, name));
    }
    if flags & 2 != 0 {
        let mut b = LayoutBuilder::new(&Value::Str(name))?;
        b.expect_fields(count as u64)?;
        for (kind, bits, name) in &fields {
            let kind = kind_name(*kind).map(|k| Value::Str(k.into()));
            b.field(
                &Value::Str(name.clone()),
                &Value::Int(i128::from(*bits)),
                kind.as_ref(),
            )?;
        }
        b.epoch(&Value::Int(i128::from(epoch_ms)))?;
        b.tick(&Value::Int(i128::from(tick_ms)))?;
        b.sign_bit(&Value::Bool(flags & 1 == 1))?;
        return b.build();
    }
    let spec = LayoutSpec {
        name,
        fields: fields
            .iter()
            .map(|(kind, bits, name)| match kind % 4 {
                0 => FieldSpec::new(name, *bits, FieldKind::Timestamp),
                1 => FieldSpec::new(name, *bits, FieldKind::Node),
                2 => FieldSpec::new(name, *bits, FieldKind::Sequence),
                _ => FieldSpec::inferred(name, *bits),
            })
            .collect(),
        epoch_ms,
        tick_ms,
        sign_bit: flags & 1 == 1,
    };
    if flags & 4 != 0 {
        Layout::new_unchecked_epoch(spec)
    } else {
        Layout::new(spec)
    }
}

fn kind_name(kind: u8) -> Option<&'static str> {
    match kind % 4 {
        0 => Some("timestamp"),
        1 => Some("node"),
        2 => Some("sequence"),
        _ => None,
    }
}
