//! Deterministic JSON output: sorted object keys, two-space indentation,
//! trailing newline.

use serde_json::{Map, Value};

/// Returns a copy of `value` whose objects have their keys in sorted order,
/// whatever map implementation serde_json was built with.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&map[k]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Serializes `value` as pretty JSON with sorted keys and a trailing newline.
pub fn to_string(value: &Value) -> String {
    // Serializing a `Value` cannot fail: its keys are strings.
    let mut s = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth_and_output_ends_with_newline() {
        let v = json!({"b": {"z": 1, "a": [{"y": 1, "x": 2}]}, "a": null});
        let s = to_string(&v);
        assert_eq!(
            s,
            "{\n  \"a\": null,\n  \"b\": {\n    \"a\": [\n      {\n        \"x\": 2,\n        \"y\": 1\n      }\n    ],\n    \"z\": 1\n  }\n}\n"
        );
    }
}
