//! Contract tests over GitHub's documented examples (`tests/fixtures/docs/`,
//! extracted by `cargo xtask fixtures` from the vendored spec):
//!
//! * every example validates against the schema the vendored spec declares
//!   for its operation and status, unless it is listed, with a reason, in
//!   `spec/example-defects.toml`; a listed example that validates fails too,
//!   so the list shrinks when GitHub fixes its examples;
//! * the fixtures are exactly what the extraction produces from the spec.

mod support;

use serde_json::{Value, json};
use support::openapi_schema::{convert, validate};
use support::spec;

/// A list wrapper (`total_count` beside one array) cannot list more items
/// than it counts: schema-valid but contradictory examples are defects too.
fn consistent(value: &Value) -> Result<(), Vec<String>> {
    let Some(obj) = value.as_object() else {
        return Ok(());
    };
    let Some(total) = obj.get("total_count").and_then(Value::as_u64) else {
        return Ok(());
    };
    let arrays: Vec<(&String, usize)> = obj.iter().filter_map(|(k, v)| v.as_array().map(|a| (k, a.len()))).collect();
    match arrays.as_slice() {
        [(name, len)] if *len as u64 > total => {
            Err(vec![format!("total_count is {total} but `{name}` lists {len} items")])
        }
        _ => Ok(()),
    }
}

#[test]
fn every_documented_example_validates_against_its_schema_or_is_a_listed_defect() {
    let spec = spec::spec();
    let fixtures = spec::doc_fixtures();
    assert!(fixtures.len() > 100, "expected the documented examples, found {}", fixtures.len());
    let listed = spec::example_defects();
    let mut problems = Vec::new();
    let mut contradicting = Vec::new();
    for f in &fixtures {
        let Some(schema) = spec::body_schema(&spec, &f.operation_id, &f.status) else {
            problems.push(format!("{}: the spec declares no JSON schema for {} {}", f.key, f.operation_id, f.status));
            continue;
        };
        let verdict = validate(&spec, &schema, &f.value).and_then(|()| consistent(&f.value));
        match verdict {
            Ok(()) if listed.contains_key(&f.key) => problems.push(format!(
                "{}: listed in spec/example-defects.toml but now validates: remove it from the list",
                f.key
            )),
            Ok(()) => {}
            Err(errors) => {
                contradicting.push(f.key.clone());
                if !listed.contains_key(&f.key) {
                    problems.push(format!(
                        "{}: contradicts its schema and is not listed in spec/example-defects.toml:\n    {}",
                        f.key,
                        errors.join("\n    ")
                    ));
                }
            }
        }
    }
    for (key, defect) in &listed {
        let Some(f) = fixtures.iter().find(|f| &f.key == key) else {
            problems.push(format!("{key}: listed in spec/example-defects.toml but no such example exists"));
            continue;
        };
        // The corrected copy tests use instead must satisfy the same schema.
        let schema = spec::body_schema(&spec, &f.operation_id, &f.status).unwrap_or_default();
        let corrected = spec::corrected_fixture(&defect.corrected);
        if let Err(errors) = validate(&spec, &schema, &corrected).and_then(|()| consistent(&corrected)) {
            problems.push(format!(
                "{key}: corrected fixture {} does not validate:\n    {}",
                defect.corrected,
                errors.join("\n    ")
            ));
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    assert_eq!(contradicting.len(), listed.len());
}

mod conversion {
    #[test]
    fn a_count_below_the_listed_items_is_inconsistent() {
        assert!(super::consistent(&json!({"total_count": 1, "platforms": ["a", "b"]})).is_err());
        assert!(super::consistent(&json!({"total_count": 5, "platforms": ["a", "b"]})).is_ok());
        assert!(super::consistent(&json!({"id": 1})).is_ok());
    }

    use super::*;

    #[test]
    fn nullable_becomes_null_type_enum_member_or_anyof() {
        assert_eq!(convert(&json!({"type": "string", "nullable": true})), json!({"type": ["string", "null"]}));
        assert_eq!(
            convert(&json!({"type": "string", "enum": ["a"], "nullable": true})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            convert(&json!({"allOf": [{"$ref": "#/components/schemas/x"}], "nullable": true})),
            json!({"anyOf": [{"allOf": [{"$ref": "#/definitions/x"}]}, {"type": "null"}]})
        );
        assert_eq!(convert(&json!({"type": "string", "nullable": false})), json!({"type": "string"}));
    }

    #[test]
    fn refs_point_at_definitions_and_openapi_keywords_are_dropped() {
        let spec = json!({"components": {"schemas": {"s": {"type": "object", "required": ["a"],
            "properties": {"a": {"type": "integer", "example": 1, "x-github": {}}, "example": {"type": "string"}}}}}});
        let schema = json!({"$ref": "#/components/schemas/s"});
        assert!(validate(&spec, &schema, &json!({"a": 1, "example": "x"})).is_ok());
        let errs = validate(&spec, &schema, &json!({"a": "one"})).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("/a"), "{errs:?}");
        assert!(validate(&spec, &schema, &json!({})).is_err());
        let s = convert(&spec["components"]["schemas"]["s"]);
        assert_eq!(s["properties"]["a"], json!({"type": "integer"}), "example and x-* dropped");
        assert_eq!(s["properties"]["example"], json!({"type": "string"}), "a property named example is kept");
    }

    #[test]
    fn boolean_exclusive_bounds_become_numbers() {
        assert_eq!(
            convert(&json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})),
            json!({"type": "integer", "exclusiveMinimum": 0})
        );
        assert_eq!(convert(&json!({"minimum": 0, "exclusiveMinimum": false})), json!({"minimum": 0}));
    }
}

/// Every REST API version: each documented example, as that version derives
/// it from the annotations, validates against that version's schema (listed
/// defects excepted, as above), and `rate-limit/get`'s example follows the
/// version (2026-03-10 removed `rate`).
#[test]
fn every_version_s_examples_validate_against_that_version_s_schemas() {
    let listed = spec::example_defects();
    let mut problems = Vec::new();
    let mut checked = 0;
    for version in spec::api_versions() {
        let derived = spec::spec_as_of(&version);
        let examples = spec::examples_as_of(&derived);
        assert!(examples.len() > 100, "{version}: {} examples", examples.len());
        for (key, value) in &examples {
            if listed.contains_key(key) {
                continue;
            }
            let mut parts = key.rsplitn(3, '.');
            let (_, status, operation) =
                (parts.next(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            let Some(schema) = spec::body_schema(&derived, operation, status) else {
                problems.push(format!("{version} {key}: no schema"));
                continue;
            };
            checked += 1;
            if let Err(errors) = validate(&derived, &schema, value).and_then(|()| consistent(value)) {
                problems.push(format!("{version} {key}: {}", errors.join("; ")));
            }
        }
        let rate = examples.iter().find(|(k, _)| k.starts_with("rate-limit/get.200.")).map(|(_, v)| v);
        let rate = rate.expect("the rate-limit example");
        assert_eq!(rate.get("rate").is_some(), version == "2022-11-28", "{version}: {rate}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 180, "{checked}");
}
