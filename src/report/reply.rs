//! A command's reply as redis-cli prints it in raw mode (`call`), and as JSON.

use redis::Value;

use crate::net::conn::server_error_text;

/// The lines redis-cli prints for `value` in raw mode: strings as they are, integers as
/// numbers, nil as an empty line, every element of an array on its own line.
pub(crate) fn raw_lines(value: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    push_raw(value, &mut lines);
    lines
}

fn push_raw(value: &Value, lines: &mut Vec<String>) {
    match value {
        Value::Nil => lines.push(String::new()),
        Value::Int(n) => lines.push(n.to_string()),
        Value::BulkString(bytes) => lines.push(String::from_utf8_lossy(bytes).into_owned()),
        Value::SimpleString(text) => lines.push(text.clone()),
        Value::Okay => lines.push("OK".to_string()),
        Value::Double(d) => lines.push(d.to_string()),
        Value::Boolean(b) => lines.push(if *b { "1" } else { "0" }.to_string()),
        Value::BigNumber(n) => lines.push(String::from_utf8_lossy(n).into_owned()),
        Value::VerbatimString { text, .. } => lines.push(text.clone()),
        Value::ServerError(err) => lines.push(server_error_text(err)),
        Value::Array(items) | Value::Set(items) => {
            items.iter().for_each(|item| push_raw(item, lines));
        }
        Value::Map(pairs) => pairs.iter().for_each(|(k, v)| {
            push_raw(k, lines);
            push_raw(v, lines);
        }),
        Value::Attribute { data, .. } => push_raw(data, lines),
        Value::Push { data, .. } => data.iter().for_each(|item| push_raw(item, lines)),
        _ => lines.push(format!("{value:?}")),
    }
}

/// `value` as JSON: strings (binary bytes replaced with U+FFFD), numbers, `null` for nil,
/// arrays; an error reply is `{"error": "..."}`.
pub(crate) fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Nil => J::Null,
        Value::Int(n) => J::from(*n),
        Value::BulkString(bytes) => J::from(String::from_utf8_lossy(bytes).into_owned()),
        Value::SimpleString(text) => J::from(text.clone()),
        Value::Okay => J::from("OK"),
        Value::Double(d) => J::from(*d),
        Value::Boolean(b) => J::from(*b),
        Value::BigNumber(n) => J::from(String::from_utf8_lossy(n).into_owned()),
        Value::VerbatimString { text, .. } => J::from(text.clone()),
        Value::ServerError(err) => serde_json::json!({ "error": server_error_text(err) }),
        Value::Array(items) | Value::Set(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(pairs) => J::Array(
            pairs
                .iter()
                .map(|(k, v)| J::Array(vec![to_json(k), to_json(v)]))
                .collect(),
        ),
        Value::Attribute { data, .. } => to_json(data),
        Value::Push { data, .. } => J::Array(data.iter().map(to_json).collect()),
        _ => J::from(format!("{value:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn arrays_print_one_element_per_line() {
        let v = Value::Array(vec![bulk("cluster-node-timeout"), bulk("5000")]);
        assert_eq!(raw_lines(&v), vec!["cluster-node-timeout", "5000"]);
        assert_eq!(raw_lines(&Value::Int(-3)), vec!["-3"]);
        assert_eq!(raw_lines(&Value::Nil), vec![""]);
        assert_eq!(raw_lines(&Value::Okay), vec!["OK"]);
    }

    #[test]
    fn json_keeps_the_shape() {
        let v = Value::Array(vec![bulk("a"), Value::Int(1), Value::Nil]);
        assert_eq!(to_json(&v), serde_json::json!(["a", 1, null]));
    }
}
