"""Independent model of keyed public IDs (core/src/public_id.rs), for the
`public_ids` section of vectors.json.

FF1 is written here from NIST SP 800-38G (section 6.2, Algorithms 7 and 8)
over AES-ECB from the `cryptography` package, for any radix, length and
tweak, with Python integers; it checks itself against the NIST FF1 samples
before any vector is written. The public ID format on top of it:

- plaintext X = id * 2^16 as 16 numerals in radix 32 (the 16 low bits are the check);
- text = FF1_K,T(X) as 16 Crockford base32 digits, upper case;
- tweak T = b"snowid-public-id-v1:" + context (UTF-8, at most 64 bytes);
- decode: case-insensitive, I/L read as 1 and O as 0; the deciphered low 16
  bits must be zero, else PUBLIC_ID_CHECK.
"""

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
WIDTH = 16
CHECK_BITS = 16
TWEAK_PREFIX = b"snowid-public-id-v1:"
MAX_CONTEXT_BYTES = 64
KEY_LENGTHS = (16, 24, 32)


def aes(key, block):
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def num(digits, radix):
    n = 0
    for d in digits:
        n = n * radix + d
    return n


def digits_of(n, radix, m):
    out = [0] * m
    for i in range(m - 1, -1, -1):
        out[i] = n % radix
        n //= radix
    return out


def prf(key, data):
    # CBC-MAC with a zero IV (SP 800-38G, Algorithm 6)
    y = bytes(16)
    for j in range(0, len(data), 16):
        y = aes(key, bytes(a ^ b for a, b in zip(y, data[j:j + 16])))
    return y


def ff1(key, tweak, radix, x, decrypt=False):
    n, t = len(x), len(tweak)
    u = n // 2
    v = n - u
    a, b = x[:u], x[u:]
    bb = -(-ceil_log2_pow(radix, v) // 8)  # b = ceil(ceil(v * log2(radix)) / 8)
    d = 4 * (-(-bb // 4)) + 4
    p = bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, u % 256]) + n.to_bytes(4, "big") + t.to_bytes(4, "big")
    rounds = range(9, -1, -1) if decrypt else range(10)
    for i in rounds:
        src = a if decrypt else b
        q = tweak + bytes((-t - bb - 1) % 16) + bytes([i]) + num(src, radix).to_bytes(bb, "big")
        r = prf(key, p + q)
        s = r
        for j in range(1, -(-d // 16)):
            s += aes(key, bytes(x ^ y for x, y in zip(r, j.to_bytes(16, "big"))))
        y = int.from_bytes(s[:d], "big")
        m = u if i % 2 == 0 else v
        if decrypt:
            c = (num(b, radix) - y) % radix ** m
            a, b = digits_of(c, radix, m), a
        else:
            c = (num(a, radix) + y) % radix ** m
            a, b = b, digits_of(c, radix, m)
    return a + b


def ceil_log2_pow(radix, v):
    # ceil(v * log2(radix)) exactly: the bit length of radix^v - 1
    return (radix ** v - 1).bit_length()


NIST_KEY = bytes.fromhex("2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94")
NIST_SAMPLES = [
    # (key bytes, radix, tweak, plaintext, ciphertext): FF1samples.pdf, samples 1-9
    (16, 10, b"", list(range(10)), [2, 4, 3, 3, 4, 7, 7, 4, 8, 4]),
    (16, 10, bytes.fromhex("39383736353433323130"), list(range(10)), [6, 1, 2, 4, 2, 0, 0, 7, 7, 3]),
    (16, 36, bytes.fromhex("3737373770717273373737"), list(range(19)),
     [10, 9, 29, 31, 4, 0, 22, 21, 21, 9, 20, 13, 30, 5, 0, 9, 14, 30, 22]),
    (24, 10, b"", list(range(10)), [2, 8, 3, 0, 6, 6, 8, 1, 3, 2]),
    (24, 10, bytes.fromhex("39383736353433323130"), list(range(10)), [2, 4, 9, 6, 6, 5, 5, 5, 4, 9]),
    (24, 36, bytes.fromhex("3737373770717273373737"), list(range(19)),
     [33, 11, 19, 3, 20, 31, 3, 5, 19, 27, 10, 32, 33, 31, 3, 2, 34, 28, 27]),
    (32, 10, b"", list(range(10)), [6, 6, 5, 7, 6, 6, 7, 0, 0, 9]),
    (32, 10, bytes.fromhex("39383736353433323130"), list(range(10)), [1, 0, 0, 1, 6, 2, 3, 4, 6, 3]),
    (32, 36, bytes.fromhex("3737373770717273373737"), list(range(19)),
     [33, 28, 8, 10, 0, 10, 35, 17, 2, 10, 31, 34, 10, 21, 34, 35, 30, 32, 13]),
]


def check_nist():
    for klen, radix, tweak, pt, ct in NIST_SAMPLES:
        key = NIST_KEY[:klen]
        got = ff1(key, tweak, radix, pt)
        assert got == ct, (klen, radix, got, ct)
        assert ff1(key, tweak, radix, ct, decrypt=True) == pt


def tweak_of(context):
    c = context.encode()
    assert len(c) <= MAX_CONTEXT_BYTES
    return TWEAK_PREFIX + c


def encode(key, context, i):
    assert 0 <= i < 1 << 64
    y = ff1(key, tweak_of(context), 32, digits_of(i << CHECK_BITS, 32, WIDTH))
    return "".join(CROCKFORD[d] for d in y)


def decode(key, context, text):
    """The ID, or the error code."""
    if text == "":
        return "PARSE_EMPTY"
    if len(text) != WIDTH:
        return "PARSE_LENGTH"
    digits = []
    for ch in text:
        up = {"O": "0", "I": "1", "L": "1"}.get(ch.upper(), ch.upper()) if ch.isascii() else ch
        if up not in CROCKFORD:
            return "PARSE_CHARACTER"
        digits.append(CROCKFORD.index(up))
    x = num(ff1(key, tweak_of(context), 32, digits, decrypt=True), 32)
    if x & ((1 << CHECK_BITS) - 1):
        return "PUBLIC_ID_CHECK"
    return x >> CHECK_BITS


def typo(text, at):
    c = "Z" if text[at] != "Z" else "Y"
    return text[:at] + c + text[at + 1:]


def public_id_vectors():
    check_nist()
    keys = [
        ("000102030405060708090a0b0c0d0e0f", ""),
        ("000102030405060708090a0b0c0d0e0f", "users"),
        ("2b7e151628aed2a6abf7158809cf4f3cef4359d8d580aa4f", "orders"),
        ("2b7e151628aed2a6abf7158809cf4f3cef4359d8d580aa4f7f036d6f04fc6a94", ""),
        ("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "é/ü " + "x" * 58),
    ]
    twitter_2026 = 2002179025436233728  # a Twitter-layout ID of 2026
    ids = [0, 1, 2, 3, twitter_2026, twitter_2026 + 1, twitter_2026 + 4096, (1 << 63) - 1, 1 << 63, (1 << 64) - 1]
    cases = []
    for key_hex, context in keys:
        key = bytes.fromhex(key_hex)
        for i in ids:
            text = encode(key, context, i)
            assert decode(key, context, text) == i
            cases.append({"key_hex": key_hex, "context": context, "id": str(i), "text": text})

    key_hex, context = keys[0]
    key = bytes.fromhex(key_hex)
    base = encode(key, context, twitter_2026)
    aliases = []
    for alias in [base.lower(), base.replace("1", "I"), base.replace("1", "l"), base.replace("0", "O")]:
        assert decode(key, context, alias) == twitter_2026
        aliases.append({"key_hex": key_hex, "context": context, "text": alias, "id": str(twitter_2026)})

    bad = []

    def bad_text(k, ctx, text, why):
        code = decode(bytes.fromhex(k), ctx, text)
        assert isinstance(code, str), (text, why)
        bad.append({"key_hex": k, "context": ctx, "text": text, "code": code, "why": why})

    bad_text(key_hex, context, "", "empty")
    bad_text(key_hex, context, base[:-1], "one character short")
    bad_text(key_hex, context, base + "0", "one character long")
    bad_text(key_hex, context, base[:5] + "-" + base[6:], "a hyphen")
    bad_text(key_hex, context, base[:7] + "U" + base[8:], "U is not Crockford")
    bad_text(key_hex, context, base[:15] + "é", "not ASCII")
    bad_text(key_hex, context, " " + base[1:], "a space")
    for at in (0, 7, 15):
        bad_text(key_hex, context, typo(base, at), f"character {at} mistyped")
    bad_text(key_hex, context, base[1:] + base[0], "rotated")
    bad_text(key_hex, "users", base, "another context")
    bad_text(keys[3][0], "", base, "another key")
    bad_text(keys[3][0][:32], "", base, "another 16-byte key")
    bad_text(key_hex, context, "0" * 16, "zeros")

    invalid_keys = [
        {"key_hex": "", "code": "PUBLIC_ID_KEY"},
        {"key_hex": "00" * 15, "code": "PUBLIC_ID_KEY"},
        {"key_hex": "00" * 17, "code": "PUBLIC_ID_KEY"},
        {"key_hex": "00" * 31, "code": "PUBLIC_ID_KEY"},
        {"key_hex": "00" * 33, "code": "PUBLIC_ID_KEY"},
    ]
    # keys given as hex text (the languages that take one)
    invalid_key_texts = [
        {"text": "0" * 31, "code": "PUBLIC_ID_KEY"},
        {"text": "0" * 30, "code": "PUBLIC_ID_KEY"},
        {"text": "0" * 31 + "g", "code": "PARSE_CHARACTER"},
        {"text": "0x" + "0" * 30, "code": "PARSE_CHARACTER"},
        {"text": " " + "0" * 31, "code": "PARSE_CHARACTER"},
    ]
    invalid_contexts = [
        {"context": "x" * 65, "code": "INVALID_SETTING"},
        {"context": "é" * 33, "code": "INVALID_SETTING"},
    ]
    return {
        "format": {
            "width": WIDTH,
            "alphabet": CROCKFORD,
            "check_bits": CHECK_BITS,
            "tweak_prefix": TWEAK_PREFIX.decode(),
            "max_context_bytes": MAX_CONTEXT_BYTES,
            "key_lengths": list(KEY_LENGTHS),
        },
        "cases": cases,
        "aliases": aliases,
        "invalid_texts": bad,
        "invalid_keys": invalid_keys,
        "invalid_key_texts": invalid_key_texts,
        "invalid_contexts": invalid_contexts,
    }


if __name__ == "__main__":
    check_nist()
    print("NIST FF1 samples 1-9: ok")
