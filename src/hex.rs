//! Lower-case hexadecimal text of bytes: backup's SHA-256 sums, fix's saved DUMP payloads.

/// `bytes` as lower-case hexadecimal, two digits per byte.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
