//! The C entry points fed arbitrary bytes and lengths through the ABI:
//! input = a sequence of operations (parse text, encode into a buffer of
//! any length, encoding names, presets and custom layouts with every layout
//! query, decode/compose, options with any keys and values resolved against
//! any environment into a buffer of any length, status strings), some with
//! NULL pointers. Every call must return a status (a panic would be
//! SNOWID_ERR_PANIC, which fails here), write no more than the length it is
//! given (AddressSanitizer checks), and leak nothing.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use std::ffi::{c_char, CStr, CString};
use std::mem::zeroed;
use std::ptr::{null, null_mut};

use libfuzzer_sys::fuzz_target;
use snowid_cabi::*;

const BUF: usize = 512;

fn cstring(b: &[u8]) -> CString {
    // a C string ends at its first NUL, as it would in C
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    CString::new(&b[..end]).unwrap()
}

fn ok(status: snowid_status) -> bool {
    assert_ne!(status, SNOWID_ERR_PANIC, "{}", last_error());
    if status != SNOWID_OK {
        let msg = last_error();
        assert!(!msg.is_empty(), "status {status} without a message");
        let s = unsafe { CStr::from_ptr(snowid_status_str(status)) };
        assert!(!s.to_bytes().is_empty());
    }
    status == SNOWID_OK
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(snowid_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// A buffer of BUF bytes, of which the callee is told `len` (<= BUF): it
/// must not write beyond that (the tail is checked untouched).
fn check_text(len: u32, buf: &[c_char; BUF], status: snowid_status, out_len: u32) {
    for &b in &buf[len as usize..] {
        assert_eq!(b, 0x55, "written beyond buf_len {len}");
    }
    if status == SNOWID_OK {
        assert!(out_len < len, "out_len {out_len}, buf_len {len}");
        assert_eq!(buf[out_len as usize], 0, "not NUL-terminated");
    }
}

unsafe fn layout_queries(inp: &mut common::Input, layout: *const snowid_layout_t) {
    let mut info: snowid_layout_info_t = zeroed();
    ok(snowid_layout_info(layout, &mut info));
    let mut field: snowid_field_t = zeroed();
    ok(snowid_layout_field(
        layout,
        inp.u8() as u32 % 16,
        &mut field,
    ));
    ok(snowid_layout_node_field(
        layout,
        inp.u8() as u32 % 16,
        &mut field,
    ));
    let name = cstring(inp.str_bytes());
    let mut index = 0u32;
    ok(snowid_layout_node_index(layout, name.as_ptr(), &mut index));
    let len = (inp.u8() as u32) % (BUF as u32 + 1);
    let mut buf = [0x55 as c_char; BUF];
    let mut out_len = 0u32;
    let st = snowid_layout_describe(layout, buf.as_mut_ptr(), len, &mut out_len);
    ok(st);
    check_text(len, &buf, st, out_len);
    let mut parts: snowid_parts_t = zeroed();
    let id = inp.u64();
    if ok(snowid_layout_decode(layout, id, &mut parts)) {
        let mut back = 0u64;
        assert!(ok(snowid_layout_compose(layout, &parts, &mut back)));
        assert_eq!(back, id);
        let mut v = 0u32;
        ok(snowid_parts_node(layout, &parts, name.as_ptr(), &mut v));
    }
    // parts from the input
    parts.timestamp_ms = inp.u64();
    parts.tick = inp.u64();
    parts.sequence = inp.u64();
    parts.node_count = inp.u32() % 8;
    for n in parts.nodes.iter_mut() {
        *n = inp.u32();
    }
    let mut out = 0u64;
    ok(snowid_layout_compose(layout, &parts, &mut out));
    // named nodes: names and values from the input, any count up to 8
    let count = (inp.u8() % 9) as usize;
    let names: Vec<CString> = (0..count).map(|_| cstring(inp.str_bytes())).collect();
    let ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let values: Vec<u64> = (0..count).map(|_| inp.u64()).collect();
    ok(snowid_layout_compose_named(
        layout,
        inp.u64(),
        inp.u64(),
        if count == 0 { null() } else { ptrs.as_ptr() },
        if count == 0 { null() } else { values.as_ptr() },
        count as u32,
        &mut out,
    ));
    let ms = inp.i64();
    let (mut lo, mut hi) = (0u64, 0u64);
    if ok(snowid_layout_min_id_at(layout, ms, &mut lo))
        && ok(snowid_layout_max_id_at(layout, ms, &mut hi))
    {
        assert!(lo <= hi);
    }
    let mut cap: snowid_capacity_t = zeroed();
    ok(snowid_layout_capacity(layout, &mut cap));
}

unsafe fn op(inp: &mut common::Input) {
    match inp.u8() % 8 {
        0 => {
            let enc = inp.u8() as u32 % 6;
            let text = cstring(inp.str_bytes());
            let mut id = 0u64;
            let null_out = inp.u8() == 0xff;
            let st = snowid_parse(
                enc,
                text.as_ptr(),
                if null_out { null_mut() } else { &mut id },
            );
            ok(st);
            if null_out {
                assert_ne!(st, SNOWID_OK);
            }
        }
        1 => {
            let id = inp.u64();
            let enc = inp.u8() as u32 % 6;
            let len = (inp.u8() as u32) % 40;
            let mut buf = [0x55 as c_char; BUF];
            let mut out_len = 0u32;
            let st = snowid_encode(id, enc, buf.as_mut_ptr(), len, &mut out_len);
            ok(st);
            check_text(len, &buf, st, out_len);
            if st == SNOWID_OK {
                let mut back = 0u64;
                assert!(ok(snowid_parse(enc, buf.as_ptr(), &mut back)));
                assert_eq!(back, id);
            }
        }
        2 => {
            let name = cstring(inp.str_bytes());
            let mut e = 0u32;
            ok(snowid_encoding_from_name(name.as_ptr(), &mut e));
        }
        3 => {
            let name = cstring(inp.str_bytes());
            let mut layout: *mut snowid_layout_t = null_mut();
            if ok(snowid_layout_preset(name.as_ptr(), &mut layout)) {
                layout_queries(inp, layout);
            }
            snowid_layout_free(layout);
        }
        4 => {
            let name = cstring(inp.str_bytes());
            let count = (inp.u8() % 12) as usize;
            let names: Vec<CString> = (0..count).map(|_| cstring(inp.str_bytes())).collect();
            let fields: Vec<snowid_field_spec_t> = names
                .iter()
                .map(|n| snowid_field_spec_t {
                    name: n.as_ptr(),
                    bits: inp.u8() as u32,
                    kind: inp.u8() as u32 % 5,
                })
                .collect();
            let spec = snowid_layout_spec_t {
                name: if inp.u8() == 0xff {
                    null()
                } else {
                    name.as_ptr()
                },
                fields: if count == 0 { null() } else { fields.as_ptr() },
                field_count: count as u32,
                sign_bit: inp.u8() % 3,
                epoch_ms: inp.u64(),
                tick_ms: inp.u64(),
            };
            let mut layout: *mut snowid_layout_t = null_mut();
            if ok(snowid_layout_new(&spec, &mut layout)) {
                layout_queries(inp, layout);
            }
            snowid_layout_free(layout);
        }
        5 => {
            let mut options: *mut snowid_options_t = null_mut();
            assert!(ok(snowid_options_new(&mut options)));
            let n = inp.u8() % 8;
            for _ in 0..n {
                let key = cstring(inp.str_bytes());
                match inp.u8() % 4 {
                    0 => ok(snowid_options_set_int(options, key.as_ptr(), inp.i64())),
                    1 => ok(snowid_options_set_uint(options, key.as_ptr(), inp.u64())),
                    2 => ok(snowid_options_set_bool(
                        options,
                        key.as_ptr(),
                        inp.u8() & 1 == 1,
                    )),
                    _ => {
                        let v = cstring(inp.str_bytes());
                        ok(snowid_options_set_str(options, key.as_ptr(), v.as_ptr()))
                    }
                };
            }
            let count = (inp.u8() % 6) as usize;
            let names: Vec<CString> = (0..count).map(|_| cstring(inp.str_bytes())).collect();
            let values: Vec<CString> = (0..count).map(|_| cstring(inp.str_bytes())).collect();
            let np: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
            let vp: Vec<*const c_char> = values.iter().map(|n| n.as_ptr()).collect();
            let target = inp.u8() as u32 % 4;
            let len = (inp.u16_len()) % (BUF as u32 + 1);
            let mut buf = [0x55 as c_char; BUF];
            let mut out_len = 0u32;
            let given = if inp.u8() & 1 == 0 {
                options as *const _
            } else {
                null()
            };
            let st = snowid_test_resolve(
                target,
                given,
                if count == 0 { null() } else { np.as_ptr() },
                if count == 0 { null() } else { vp.as_ptr() },
                count as u32,
                buf.as_mut_ptr(),
                len,
                &mut out_len,
            );
            ok(st);
            check_text(len, &buf, st, out_len);
            snowid_options_free(options);
        }
        6 => {
            let s = snowid_status_str(inp.u32() as i32);
            assert!(!s.is_null());
            let _ = last_error();
        }
        _ => {
            // NULL handles and out-parameters: an error status, never a crash
            assert!(!ok(snowid_layout_preset(null(), null_mut())));
            assert!(!ok(snowid_layout_decode(null(), 0, null_mut())));
            assert!(!ok(snowid_encode(inp.u64(), 0, null_mut(), 64, null_mut())));
            snowid_layout_free(null_mut());
            snowid_options_free(null_mut());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut inp = common::Input::new(data);
    let mut ops = 0;
    while !inp.is_empty() && ops < 16 {
        ops += 1;
        unsafe { op(&mut inp) };
    }
});
