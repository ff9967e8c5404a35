//! The README's first command: `cargo run --example runners -- ...` with no
//! token and no network (the example starts the fake GitHub).

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

/// The example binary, which `cargo test` builds beside the test binaries.
fn example() -> PathBuf {
    support::examples::binary("runners")
}

fn run(args: &[&str]) -> Output {
    Command::new(example())
        .args(args)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run the example (built by cargo test)")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn list_without_a_token_uses_the_fake_and_says_so() {
    let out = run(&["list", "--org", "octo-org"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stderr.contains("GITHUB_TOKEN is not set: using a fake GitHub"), "{stderr}");
    assert!(stdout.contains("36 runners: 27 online (13 busy), 9 offline"), "{stdout}");
    assert!(stdout.contains("gpu-a100-01"), "{stdout}");
    let json = run(&["list", "--repo", "octo-org/octo-repo", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("--json prints JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(3));
}

#[test]
fn reap_dry_run_lists_offline_runners_matching_the_pattern() {
    let out = run(&["reap", "--org", "octo-org", "--name-pattern", "ci-*", "--dry-run"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("would delete 4 of 36 runners:"), "{stdout}");
    assert!(stdout.contains("ci-linux-05") && !stdout.contains("gpu-a100-06"), "{stdout}");
}

#[test]
fn secrets_are_printed_only_on_request() {
    let out = run(&["jit", "--org", "octo-org", "--name", "jit-1", "--labels", "self-hosted,linux"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("encoded JIT config: [redacted] (pass --show-secret to print it)"), "{stdout}");
    let shown = run(&["jit", "--org", "octo-org", "--name", "jit-1", "--show-secret"]);
    assert!(text(&shown.stdout).contains("ZmFrZS1qaXQ"), "{}", text(&shown.stdout));
    let token = run(&["token", "--org", "octo-org"]);
    assert!(text(&token.stdout).starts_with("[redacted] (expires"), "{}", text(&token.stdout));
}

#[test]
fn errors_are_one_line_and_a_non_zero_exit() {
    for args in [
        vec!["get", "999999", "--org", "octo-org"],
        vec!["list"],
        vec!["groups", "--repo", "octo-org/octo-repo"],
        vec!["labels", "add", "101", "--org", "octo-org"],
        vec!["reap", "--org", "octo-org", "--offline-for", "2 weeks"],
    ] {
        let out = run(&args);
        let stderr = text(&out.stderr);
        assert!(matches!(out.status.code(), Some(1 | 2)), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().filter(|l| l.starts_with("error: ")).count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{args:?}: {stderr}");
    }
}

#[test]
fn name_patterns_take_wildcards() {
    let out = run(&["reap", "--org", "octo-org", "--name-pattern", "mac-m2-0?", "--dry-run"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("would delete 2 of 36 runners:"), "{stdout}");
    let none = run(&["reap", "--org", "octo-org", "--name-pattern", "nothing-*", "--dry-run"]);
    assert!(text(&none.stdout).starts_with("nothing to reap"), "{}", text(&none.stdout));
}

#[test]
fn reap_deletes_and_reports() {
    let out = run(&["reap", "--org", "octo-org", "--name-pattern", "gpu-*", "--state-file", "/dev/null"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("deleted 3 runners, 0 failed"), "{}", text(&out.stdout));
}
