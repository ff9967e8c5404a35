//! gha-runners (work in progress)
#![deny(unsafe_code)]

pub mod transport;

/// The client progenitor generates from `spec/openapi.json`.
#[allow(missing_docs, clippy::all, clippy::pedantic, unused_imports, dead_code)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));
}
