//! Word keys and the hash that places words in the generated open-addressing
//! table.
//!
//! Shared verbatim by `build.rs` (which lays the table out) and the library
//! (which probes it), so both always agree.

/// Number of bits of the table index: the table has `1 << TABLE_BITS` slots
/// (load factor about one quarter for the ~7,700 words).
pub const TABLE_BITS: u32 = 15;

const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xbf58_476d_1ce4_e5b9;

/// Little-endian `u64` of 8 bytes.
#[inline]
fn le64(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_le_bytes)
}

/// Little-endian `u32` of 4 bytes.
#[inline]
fn le32(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
}

/// Two words that, together with the length, identify any word of at most
/// 16 bytes (overlapping reads of its first and last bytes).
#[inline]
pub fn key(bytes: &[u8]) -> (u64, u64) {
    let n = bytes.len();
    if n >= 8 {
        // 8..=16 bytes: first 8 and last 8 overlap or touch; longer words
        // are compared in full after this prefix matches.
        (le64(bytes, 0), le64(bytes, n.min(16) - 8))
    } else if n >= 4 {
        (le32(bytes, 0) | (le32(bytes, n - 4) << 32), 0)
    } else if n > 0 {
        let b = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
        (b(0) | (b(n / 2) << 8) | (b(n - 1) << 16), 0)
    } else {
        (0, 0)
    }
}

/// Hash of a word given its [`key`].
#[inline]
pub fn word_hash(bytes: &[u8], key: (u64, u64)) -> u64 {
    let mut h = (bytes.len() as u64).wrapping_mul(K1) ^ key.0;
    h = h.wrapping_mul(K2);
    h ^= h >> 29;
    h ^= key.1;
    h = h.wrapping_mul(K2);
    h ^= h >> 29;
    if bytes.len() > 16 {
        let mut at = 16;
        while at < bytes.len() {
            let mut v = 0u64;
            for (j, &b) in bytes.iter().skip(at).take(8).enumerate() {
                v |= u64::from(b) << (8 * j);
            }
            h = (h ^ v).wrapping_mul(K2);
            h ^= h >> 29;
            at += 8;
        }
    }
    h = h.wrapping_mul(K1);
    h ^ (h >> 32)
}

/// The first slot probed for a hash.
#[inline]
pub fn home_slot(hash: u64) -> usize {
    (hash >> (64 - TABLE_BITS)) as usize
}

/// The 16-bit tag stored beside the entry index to skip most mismatches.
#[inline]
pub fn tag(hash: u64) -> u32 {
    (hash & 0xffff) as u32
}

/// Number of bits of the membership filter (`1 << FILTER_BITS` bits).
pub const FILTER_BITS: u32 = 16;

/// The membership-filter bit of a hash (independent of the slot and tag bits).
#[inline]
pub fn filter_bit(hash: u64) -> usize {
    ((hash >> 16) & ((1 << FILTER_BITS) - 1)) as usize
}
