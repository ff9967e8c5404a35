//! The example binaries, which `cargo test` builds beside the test binaries
//! (`cargo test --test <name>` alone does not).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The newest modification time under `path`.
fn newest(path: &Path) -> SystemTime {
    let own = std::fs::metadata(path).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
    let children = std::fs::read_dir(path).into_iter().flatten().filter_map(Result::ok).map(|e| newest(&e.path()));
    children.fold(own, SystemTime::max)
}

/// Example `name`'s binary; panics, saying how to build it, when it is
/// missing or older than its source or the crate's.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let binary = dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&binary).and_then(|m| m.modified()).ok();
    let root = super::spec::root();
    let source = newest(&root.join("examples").join(format!("{name}.rs"))).max(newest(&root.join("src")));
    if built.is_none_or(|built| built < source) {
        panic!(
            "the `{name}` example is missing or stale: run `cargo test` (which builds examples) or `cargo build --example {name}` first"
        );
    }
    binary
}
