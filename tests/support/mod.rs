//! Helpers shared by the integration tests: the vendored spec, its schemas as
//! JSON Schema, and the fixture files.
#![allow(dead_code)]

pub mod cases;
pub mod examples;
pub mod logs;
pub mod loopback;
pub mod openapi_schema;
pub mod spec;
