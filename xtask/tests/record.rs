//! `cargo xtask record`: refuses github.com without consent; records a
//! scenario against the fake.

use std::process::Command;

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).env_remove("GITHUB_TOKEN").output().expect("run xtask")
}

#[test]
fn refuses_to_mutate_github_com_without_consent() {
    let out =
        xtask(&["record", "--scenario", "runner-lifecycle", "--base-url", "https://api.github.com", "--org", "o"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to record against github.com"), "{stderr}");
    assert!(stderr.contains("--i-understand-this-mutates"), "{stderr}");
}

#[test]
fn needs_a_token_and_a_known_scenario() {
    let out = xtask(&["record", "--scenario", "runner-lifecycle", "--base-url", "https://ghe.example.com"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("set GITHUB_TOKEN"));
    let out = xtask(&["record", "--scenario", "nope", "--fake"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no scenario `nope`"));
}

#[test]
fn records_a_scenario_against_the_fake() {
    let dir = std::env::temp_dir().join(format!("gha-runners-xtask-record-{}", std::process::id()));
    let out = xtask(&["record", "--scenario", "fleet-listing", "--fake", "--out-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(files.contains(&"scenario.json".to_string()));
    assert!(files.contains(&"001-actions--list-self-hosted-runners-for-org.json".to_string()), "{files:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
