//! Recorded exchanges: every scenario under `tests/fixtures/recorded/` is
//! replayed through the facade against a server that answers only requests
//! matching the recording; recording scrubs every secret.

mod support;

use gha_runners::Client;
use gha_runners::record::{self, Recorder};
use gha_runners::testkit::{FakeGitHub, Replayer, scenario};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn recorded_dirs() -> Vec<PathBuf> {
    let root = support::spec::root().join("tests/fixtures/recorded");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("scenario.json").exists())
        .collect();
    dirs.sort();
    dirs
}

async fn replay(dir: &Path) -> Result<usize, String> {
    let meta = support::spec::read_json(&dir.join("scenario.json"));
    let name = meta["scenario"].as_str().ok_or("scenario.json has no scenario")?;
    let org = meta["org"].as_str().ok_or("scenario.json has no org")?;
    let exchanges = record::read_dir(dir).map_err(|e| e.to_string())?;
    let replayer = Replayer::start(exchanges).await;
    let client = Client::builder()
        .base_url(replayer.base_url())
        .token("replay")
        .mutation_interval(std::time::Duration::ZERO)
        .build()
        .map_err(|e| e.to_string())?;
    let outcome = scenario::run(name, &client, org).await;
    let check = replayer.finish();
    match (outcome, check) {
        (Ok(()), Ok(n)) => Ok(n),
        (_, Err(diff)) => Err(diff),
        (Err(e), Ok(_)) => Err(format!("the scenario failed: {e}")),
    }
}

#[tokio::test]
async fn every_recorded_scenario_replays_through_the_facade() {
    let dirs = recorded_dirs();
    assert!(dirs.len() >= 2, "the baseline scenarios are committed");
    for dir in dirs {
        let n = replay(&dir).await.unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert!(n > 0);
        // Every recorded response decodes and is what the spec documents.
        for ex in record::read_dir(&dir).unwrap() {
            assert_eq!(ex.format, record::FORMAT);
            assert!(gha_runners::deployment::published_on(&ex.operation).is_some(), "{} is vendored", ex.operation);
        }
    }
}

#[tokio::test]
async fn a_request_that_differs_from_the_recording_fails_with_a_readable_diff() {
    let dir = support::spec::root().join("tests/fixtures/recorded/runner-lifecycle");
    let mut exchanges = record::read_dir(&dir).unwrap();
    let jit = exchanges.iter_mut().find(|e| e.operation.contains("generate-runner-jitconfig")).unwrap();
    jit.request.body.as_mut().unwrap()["name"] = Value::from("another-name");
    let replayer = Replayer::start(exchanges).await;
    let client = Client::builder()
        .base_url(replayer.base_url())
        .token("replay")
        .mutation_interval(std::time::Duration::ZERO)
        .build()
        .unwrap();
    assert!(scenario::run("runner-lifecycle", &client, "octo-org").await.is_err());
    let diff = replayer.finish().unwrap_err();
    assert!(diff.contains("exchange 2 (actions/generate-runner-jitconfig-for-org) does not match"), "{diff}");
    assert!(
        diff.contains("\"name\":\"another-name\"") && diff.contains("\"name\":\"gha-runners-scenario-jit\""),
        "{diff}"
    );
}

#[tokio::test]
async fn recording_against_the_fake_leaves_no_secret_in_the_files() {
    let fake = FakeGitHub::demo().await;
    let recorder = Recorder::new("fake");
    let client = Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .recorder(&recorder)
        .mutation_interval(std::time::Duration::ZERO)
        .build()
        .unwrap();
    scenario::run("runner-lifecycle", &client, "octo-org").await.unwrap();
    let out = std::env::temp_dir().join(format!("gha-runners-recorded-{}", std::process::id()));
    let n = recorder.write_dir(&out).unwrap();
    assert_eq!(n, 9);
    // Every secret the fake handed out, and the credential itself.
    let mut secrets = vec![fake.token()];
    for r in fake.responses() {
        for key in record::SECRET_FIELDS {
            if let Some(Value::String(s)) = r.body.as_ref().and_then(|b| b.get(*key)) {
                secrets.push(s.clone());
            }
        }
    }
    assert!(secrets.len() >= 4, "registration token, JIT config, remove token, credential: {secrets:?}");
    let mut text = String::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "a secret leaked into the recording");
    }
    assert!(text.contains(record::SCRUBBED));
    assert!(!text.to_ascii_lowercase().contains("authorization"));
    let _ = std::fs::remove_dir_all(&out);
}
