//! Do two nodes hold the same value for a key? DUMP payloads decide most cases, but a set or
//! a hash stored as a hash table is dumped in table order, which depends on each server's
//! random hash seed: two identical sets can dump differently. When the payloads differ, sets
//! and hashes are compared by their sorted members instead (only keys that collide get here).

use redis::{FromRedisValue, Value};

use crate::net::conn::{NodeConn, NodeError};

/// True when `key` holds the same set or hash on both nodes (whatever their DUMP bytes say);
/// false for any other type, or different contents. `asking` prefixes each command with
/// ASKING, for keys of a slot being migrated.
pub(crate) fn same_unordered_content(
    a: &mut NodeConn,
    b: &mut NodeConn,
    key: &[u8],
    asking: bool,
) -> Result<bool, NodeError> {
    let ours = content(a, key, asking)?;
    if ours.is_none() {
        return Ok(false);
    }
    Ok(ours == content(b, key, asking)?)
}

/// DUMP of every key of `keys` in one round trip (each after ASKING when `asking`, for keys
/// of a slot being migrated); `None` for a key the node does not have (or redirects).
pub(crate) fn dump_all(
    conn: &mut NodeConn,
    keys: &[Vec<u8>],
    asking: bool,
) -> Result<Vec<Option<Vec<u8>>>, NodeError> {
    let mut pipe = redis::pipe();
    for key in keys {
        if asking {
            pipe.cmd("ASKING");
        }
        pipe.cmd("DUMP").arg(key);
    }
    let step = if asking { 2 } else { 1 };
    Ok(conn
        .pipeline(&pipe)?
        .into_iter()
        .skip(step - 1)
        .step_by(step)
        .map(|v| match v {
            Value::BulkString(bytes) => Some(bytes),
            _ => None,
        })
        .collect())
}

/// A key's type and its sorted members.
type Content = (String, Vec<Vec<u8>>);

/// The type and sorted members (for a hash: sorted field/value pairs) of a set or hash key;
/// `None` for any other type.
fn content(conn: &mut NodeConn, key: &[u8], asking: bool) -> Result<Option<Content>, NodeError> {
    let kind: String = ask(conn, redis::cmd("TYPE").arg(key), asking)?;
    let mut members: Vec<Vec<u8>> = match kind.as_str() {
        "set" => ask(conn, redis::cmd("SMEMBERS").arg(key), asking)?,
        "hash" => {
            let flat: Vec<Vec<u8>> = ask(conn, redis::cmd("HGETALL").arg(key), asking)?;
            flat.chunks(2).map(|pair| pair.concat_with_len()).collect()
        }
        _ => return Ok(None),
    };
    members.sort_unstable();
    Ok(Some((kind, members)))
}

/// Runs `cmd`, after ASKING when `asking`, and converts its reply.
fn ask<T: FromRedisValue>(
    conn: &mut NodeConn,
    cmd: &redis::Cmd,
    asking: bool,
) -> Result<T, NodeError> {
    let reply = if asking {
        let mut pipe = redis::pipe();
        pipe.cmd("ASKING").add_command(cmd.clone());
        conn.pipeline(&pipe)?.pop().unwrap_or(Value::Nil)
    } else {
        conn.raw(cmd)?
    };
    conn.convert(reply)
}

/// A field/value pair as one sortable byte string (length-prefixed, so that no two pairs
/// collide).
trait ConcatWithLen {
    fn concat_with_len(&self) -> Vec<u8>;
}

impl ConcatWithLen for [Vec<u8>] {
    fn concat_with_len(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for part in self {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_do_not_run_into_each_other() {
        let a: Vec<Vec<u8>> = vec![b"ab".to_vec(), b"c".to_vec()];
        let b: Vec<Vec<u8>> = vec![b"a".to_vec(), b"bc".to_vec()];
        assert_ne!(a.concat_with_len(), b.concat_with_len());
        assert_eq!(a.concat_with_len(), a.clone().concat_with_len());
    }
}
