//! Path safety, as a property: whatever string a caller passes as a path
//! parameter, the request the loopback server receives has exactly the
//! segments the operation defines, and the parameter's segment decodes back
//! to exactly that string; or the call is refused with
//! `Error::InvalidInput` and nothing is sent, and only for a value the
//! documented rules refuse. 10,000 generated strings per string path
//! parameter kind through the facade, and 2,000 per kind through `raw()`
//! (guarded by the same encoder and by the transport's template check; the
//! facade test is the one that fails if the encoder is bypassed).

mod support;

use gha_runners::{Client, Error};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use support::loopback::{Loopback, Reply};

/// Pieces hostile names are made of: separators URL parsers know
/// (including `\`), encodings of them, dot segments, controls, whitespace,
/// look-alikes and other non-ASCII.
const PIECES: &[&str] = &[
    "\\", "/", "%", "?", "#", ".", "..", "%2e", "%2E", "%2f", "%5c", "%5C", "%00", "%", ";", "&", "=", "+", " ", "\t",
    "\n", "\r", "\0", "\u{7f}", "\u{85}", "é", "中", "😀", "\u{202e}", "\u{feff}", "\u{ff0f}", "\u{2215}", "\u{ff3c}",
    "a", "Z", "0", "-", "_", "~", ":", "@", "'", "\"", "<", ">", "{", "}", "|", "^", "`", "[", "]", "orgs", "victim",
];

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(proptest::sample::select(PIECES), 0..10).prop_map(|p| p.concat()),
        2 => any::<String>(),
        1 => proptest::collection::vec(proptest::sample::select(&[".", "..", "\\", "/", " "][..]), 1..5)
            .prop_map(|p| p.concat()),
    ]
}

/// What the facade refuses before sending for a name (`validate::segment`):
/// empty or whitespace-only values, `.` and `..`, and control characters.
fn refuses_name(s: &str) -> bool {
    s.trim().is_empty() || s == "." || s == ".." || s.chars().any(char::is_control)
}

/// What the facade (and the generated type) refuses for a custom image
/// version: anything but GitHub's `^\d+\.\d+\.\d+$`.
fn refuses_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    !(parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
}

/// Hostile strings, and for versions also valid ones with hostile ones
/// around them.
fn versions() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => hostile(),
        2 => "[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}",
        1 => (hostile(), "[0-9]{1,2}\\.[0-9]\\.[0-9]", hostile()).prop_map(|(a, v, b)| format!("{a}{v}{b}")),
    ]
}

type Call = Box<dyn Fn(Client, String) -> Pin<Box<dyn Future<Output = Result<(), Error>>>>>;

/// One string path parameter kind: how to call an operation with it, the
/// path template (after the base path) and the parameter's segment index.
struct Kind {
    name: &'static str,
    /// Whether the facade refuses a value before sending.
    refuses: fn(&str) -> bool,
    template: &'static str,
    call: Call,
    raw: Call,
}

fn ok<T>(r: Result<T, Error>) -> Result<(), Error> {
    r.map(drop)
}

async fn raw<T, E: gha_runners::error::ErrorBody>(
    op: &'static str,
    fut: impl Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<(), Error> {
    match fut.await {
        Ok(_) => Ok(()),
        Err(e) => Err(Error::from_raw(op, e).await),
    }
}

fn kinds() -> Vec<Kind> {
    vec![
        Kind {
            name: "enterprise",
            refuses: refuses_name,
            template: "/enterprises/{}/actions/runners/7",
            call: Box::new(|c, s| Box::pin(async move { ok(c.enterprise(s).runners().get(7).await) })),
            raw: Box::new(|c, s| {
                Box::pin(async move {
                    let f = c.raw().enterprise_admin_get_self_hosted_runner_for_enterprise(&s, 7);
                    raw("enterprise-admin/get-self-hosted-runner-for-enterprise", f).await
                })
            }),
        },
        Kind {
            name: "org",
            refuses: refuses_name,
            template: "/orgs/{}/actions/runners/5",
            call: Box::new(|c, s| Box::pin(async move { c.org(s).runners().delete(5).await })),
            raw: Box::new(|c, s| {
                Box::pin(async move {
                    let f = c.raw().actions_delete_self_hosted_runner_from_org(&s, 5);
                    raw("actions/delete-self-hosted-runner-from-org", f).await
                })
            }),
        },
        Kind {
            name: "owner",
            refuses: refuses_name,
            template: "/repos/{}/r/actions/runners/1",
            call: Box::new(|c, s| Box::pin(async move { ok(c.repo(s, "r").runners().get(1).await) })),
            raw: Box::new(|c, s| {
                Box::pin(async move {
                    let f = c.raw().actions_get_self_hosted_runner_for_repo(&s, "r", 1);
                    raw("actions/get-self-hosted-runner-for-repo", f).await
                })
            }),
        },
        Kind {
            name: "repo",
            refuses: refuses_name,
            template: "/repos/o/{}/actions/runners/1",
            call: Box::new(|c, s| Box::pin(async move { ok(c.repo("o", s).runners().get(1).await) })),
            raw: Box::new(|c, s| {
                Box::pin(async move {
                    let f = c.raw().actions_get_self_hosted_runner_for_repo("o", &s, 1);
                    raw("actions/get-self-hosted-runner-for-repo", f).await
                })
            }),
        },
        Kind {
            name: "label name",
            refuses: refuses_name,
            template: "/orgs/octo-org/actions/runners/1/labels/{}",
            call: Box::new(|c, s| Box::pin(async move { ok(c.org("octo-org").runners().remove_label(1, &s).await) })),
            raw: Box::new(|c, s| {
                Box::pin(async move {
                    let f = c.raw().actions_remove_custom_label_from_self_hosted_runner_for_org("octo-org", 1, &s);
                    raw("actions/remove-custom-label-from-self-hosted-runner-for-org", f).await
                })
            }),
        },
        Kind {
            name: "network configuration id",
            refuses: refuses_name,
            template: "/orgs/o/settings/network-configurations/{}",
            call: Box::new(|c, s| Box::pin(async move { ok(c.org("o").network_configurations().get(&s).await) })),
            raw: Box::new(|c, s| {
                Box::pin(async move {
                    let f = c.raw().hosted_compute_get_network_configuration_for_org("o", &s);
                    raw("hosted-compute/get-network-configuration-for-org", f).await
                })
            }),
        },
        Kind {
            name: "image version",
            refuses: refuses_version,
            template: "/orgs/o/actions/hosted-runners/images/custom/3/versions/{}",
            call: Box::new(|c, s| {
                Box::pin(async move { ok(c.org("o").hosted_runners().custom_image_version(3, &s).await) })
            }),
            raw: Box::new(|c, s| {
                Box::pin(async move {
                    // The generated client takes an `ImageVersion`, which checks GitHub's
                    // pattern when it is made: a value it refuses never reaches a request,
                    // and one it wrongly accepted would be sent and caught below.
                    let version: gha_runners::types::ImageVersion = s.parse()?;
                    raw(
                        "actions/get-custom-image-version-for-org",
                        c.raw().actions_get_custom_image_version_for_org("o", 3, &version),
                    )
                    .await
                })
            }),
        },
    ]
}

/// The path the server saw, split into percent-decoded segments.
fn decoded_segments(request_line: &str) -> Vec<String> {
    let target = request_line.split(' ').nth(1).unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default();
    path.trim_start_matches('/')
        .split('/')
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8().expect("UTF-8 segment").into_owned())
        .collect()
}

/// Runs `cases` generated strings through `pick(kind)` against a server
/// under `base_path`, checking the property for each.
fn check_kind(kind: &Kind, base_path: &str, cases: u32, raw_client: bool) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = rt.block_on(Loopback::always(Reply::json(404, &json!({"message": "Not Found"}))));
    let client = Client::builder()
        .base_url(format!("{}{base_path}", server.base_url))
        .token("ghp_pathSafety")
        .retry_policy(gha_runners::transport::RetryPolicy::none())
        .cache_capacity(0)
        .pace_mutations(false)
        .build()
        .unwrap();
    let template: Vec<&str> = kind.template.trim_start_matches('/').split('/').collect();
    let base: Vec<&str> = base_path.trim_start_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let param_at = base.len() + template.iter().position(|s| *s == "{}").unwrap();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let strategy = if kind.name == "image version" { versions().boxed() } else { hostile().boxed() };
    let (sent, refused) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner
        .run(&strategy, |value| {
            let before = server.request_count();
            let call = if raw_client { &kind.raw } else { &kind.call };
            let result = rt.block_on(call(client.clone(), value.clone()));
            let after = server.request_count();
            match result {
                Err(Error::InvalidInput { .. }) => {
                    prop_assert_eq!(after, before, "{}: refused {:?} but sent it", kind.name, value);
                    if raw_client {
                        // Only what no encoding can carry, or what the generated type's pattern refuses.
                        let explained = matches!(value.as_str(), "" | "." | "..")
                            || (kind.name == "image version" && refuses_version(&value));
                        prop_assert!(explained, "{}: raw() refused {:?}", kind.name, value);
                    } else {
                        prop_assert!(
                            (kind.refuses)(&value),
                            "{}: refused {:?}, which GitHub's rules allow",
                            kind.name,
                            value
                        );
                    }
                    refused.set(refused.get() + 1);
                }
                Err(Error::NotFound(_)) => {
                    prop_assert!(!(kind.refuses)(&value) || raw_client, "{}: sent {:?}", kind.name, value);
                    prop_assert_eq!(after, before + 1, "{}: {:?}", kind.name, value);
                    let line = server.request_line(before).unwrap_or_default();
                    let got = decoded_segments(&line);
                    let mut want: Vec<String> = base.iter().map(|s| s.to_string()).collect();
                    want.extend(template.iter().map(|s| if *s == "{}" { value.clone() } else { s.to_string() }));
                    prop_assert_eq!(&got, &want, "{}: {:?} sent as {}", kind.name, value, line);
                    prop_assert_eq!(&got[param_at], &value);
                    sent.set(sent.get() + 1);
                }
                other => return Err(TestCaseError::fail(format!("{}: {value:?}: {other:?}", kind.name))),
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (sent, refused) = (sent.get(), refused.get());
    assert!(
        sent > cases / 3 && refused > 0,
        "{}: {sent} sent, {refused} refused: the generator must hit both",
        kind.name
    );
}

#[test]
fn every_string_path_parameter_stays_one_segment_through_the_facade() {
    for kind in kinds() {
        check_kind(&kind, "", 10_000, false);
    }
}

#[test]
fn the_raw_client_gets_the_same_guarantee_from_the_transport() {
    for kind in kinds() {
        check_kind(&kind, "", 2_000, true);
    }
}

#[test]
fn under_an_enterprise_server_base_path_nothing_climbs_out_of_api_v3() {
    for kind in kinds().iter().take(4) {
        check_kind(kind, "/api/v3", 2_000, false);
        check_kind(kind, "/api/v3", 2_000, true);
    }
}

#[tokio::test]
async fn two_dot_dot_parameters_cannot_climb_out_of_the_api_root_through_raw() {
    let server = Loopback::always(Reply::json(404, &json!({"message": "Not Found"}))).await;
    let c = Client::builder().base_url(format!("{}/api/v3", server.base_url)).token("t").build().unwrap();
    for (owner, repo) in [("..", ".."), ("..", "."), (".", ".."), ("", "")] {
        let f = c.raw().actions_get_self_hosted_runner_for_repo(owner, repo, 1);
        let err = raw("actions/get-self-hosted-runner-for-repo", f).await.unwrap_err();
        match &err {
            Error::InvalidInput { reason, .. } => assert!(reason.contains("does not address"), "{reason}"),
            other => panic!("{owner:?}/{repo:?}: {other:?}"),
        }
    }
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn the_backslash_attacks_of_the_report_reach_only_the_named_resource() {
    let server = Loopback::always(Reply::json(404, &json!({"message": "Not Found"}))).await;
    let c = Client::builder().base_url(&server.base_url).token("t").build().unwrap();
    let label = r"..\..\..\..\..\..\orgs\victim\actions\runners\5";
    let _ = c.org("octo-org").runners().remove_label(1, label).await;
    let _ = c.org(r"..\victim").runners().delete(5).await;
    let lines: Vec<String> = server.requests().into_iter().map(|r| r.request_line).collect();
    assert_eq!(
        lines,
        [
            "DELETE /orgs/octo-org/actions/runners/1/labels/..%5C..%5C..%5C..%5C..%5C..%5Corgs%5Cvictim%5Cactions%5Crunners%5C5 HTTP/1.1",
            "DELETE /orgs/..%5Cvictim/actions/runners/5 HTTP/1.1",
        ]
    );
}
