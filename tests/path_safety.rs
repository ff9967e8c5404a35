//! Path safety, as a property: whatever string a caller passes as a path
//! parameter, the request the loopback server receives has exactly the
//! segments the operation defines, and the parameter's segment decodes back
//! to exactly that string; or the call is refused with
//! `Error::InvalidInput` and nothing is sent, and only for a value the
//! documented rules refuse. 10,000 generated strings per string path
//! parameter kind through the facade and through `raw()`
//! (guarded by the same encoder and by the transport's template check; the
//! facade test is the one that fails if the encoder is bypassed), and the
//! scale-set client's session id through its own transport.

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
    "%25", "%252e", "%255C", "%252F", "%3B", "..;", "\n", "\r", "\0", "\u{7f}", "\u{85}", "é", "中", "😀", "\u{202e}",
    "\u{feff}", "\u{ff0f}", "\u{2215}", "\u{ff3c}", "a", "Z", "0", "-", "_", "~", ":", "@", "'", "\"", "<", ">", "{",
    "}", "|", "^", "`", "[", "]", "orgs", "victim",
];

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(proptest::sample::select(PIECES), 0..10).prop_map(|p| p.concat()),
        2 => any::<String>(),
        1 => proptest::collection::vec(proptest::sample::select(&[".", "..", "\\", "/", " "][..]), 1..5)
            .prop_map(|p| p.concat()),
    ]
}

/// Whether a part of a value split at `/` and `\\` is empty or one that
/// URL parsers read as `.` or `..`, also once a Tomcat-style server cuts
/// its `;parameter` off.
fn bad_part(part: &str) -> bool {
    let dot = |p: &str| [".", "..", "%2e", "%2e.", ".%2e", "%2e%2e"].iter().any(|d| p.eq_ignore_ascii_case(d));
    part.is_empty() || dot(part) || dot(part.split(';').next().unwrap_or(part))
}

/// What the transport refuses under `raw()` for any string parameter: a
/// value that, as given or percent-decoded any number of times, a server
/// decoding %2F or %5C would split into an empty or dot part (the empty
/// value included).
fn refuses_parts(s: &str) -> bool {
    let mut form = s.to_string();
    for _ in 0..10 {
        if form.split(['/', '\\']).any(bad_part) {
            return true;
        }
        let next = percent_encoding::percent_decode_str(&form).decode_utf8_lossy().into_owned();
        if next == form {
            return false;
        }
        form = next;
    }
    false
}

/// What the facade refuses before sending for a label or id
/// (`validate::segment`): empty or whitespace-only values, control
/// characters, and [`refuses_parts`].
fn refuses_text(s: &str) -> bool {
    s.trim().is_empty() || s.chars().any(char::is_control) || refuses_parts(s)
}

/// A character GitHub allows in account and repository names.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// What the facade refuses for an enterprise, organization, owner or
/// repository name (`validate::name`): [`refuses_text`], and any character
/// but GitHub's `A-Z a-z 0-9 . - _`. The transport refuses those too.
fn refuses_name(s: &str) -> bool {
    refuses_text(s) || !s.chars().all(name_char)
}

/// What the facade (and the generated type) refuses for a custom image
/// version: anything but GitHub's `^\d+\.\d+\.\d+$`.
fn refuses_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    !(parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
}

/// What the transport refuses for a name parameter: [`refuses_parts`] and
/// any character but GitHub's name characters.
fn raw_refuses_name(s: &str) -> bool {
    refuses_parts(s) || !s.chars().all(name_char)
}

/// Hostile strings, and for names also strings of GitHub's name
/// characters (dots and dot-dots among them), so that both sides are hit.
fn names() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => hostile(),
        1 => "[A-Za-z0-9._-]{1,12}",
        1 => proptest::collection::vec(proptest::sample::select(&[".", "..", "a", "-", "_", "0"][..]), 1..6)
            .prop_map(|p| p.concat()),
    ]
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
    /// Whether the transport refuses it under `raw()`.
    raw_refuses: fn(&str) -> bool,
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
            raw_refuses: raw_refuses_name,
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
            raw_refuses: raw_refuses_name,
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
            raw_refuses: raw_refuses_name,
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
            raw_refuses: raw_refuses_name,
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
            refuses: refuses_text,
            raw_refuses: refuses_parts,
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
            refuses: refuses_text,
            raw_refuses: refuses_parts,
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
            raw_refuses: refuses_version,
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

/// The path segments a server or proxy sees that decodes `%5C` and `%2F`
/// to `/` (the lenient reading some proxies and servers give `\\`), `%2E`
/// to `.` and `%25` to `%`, again and again until nothing changes (as a
/// chain of decoding proxies would), then cuts `;parameters` off each
/// segment (Tomcat), drops empty segments and resolves dot segments
/// (`%2e` spellings too).
fn decoding_server_segments(request_line: &str) -> Vec<String> {
    let target = request_line.split(' ').nth(1).unwrap_or_default();
    let mut path = target.split('?').next().unwrap_or_default().to_string();
    for _ in 0..10 {
        let mut decoded = String::new();
        let mut rest = path.as_str();
        while let Some(i) = rest.find('%') {
            decoded.push_str(&rest[..i]);
            let escape = rest.get(i..i + 3).unwrap_or(&rest[i..]);
            match escape.to_ascii_uppercase().as_str() {
                "%5C" | "%2F" => decoded.push('/'),
                "%2E" => decoded.push('.'),
                "%25" => decoded.push('%'),
                other => decoded.push_str(other),
            }
            rest = &rest[i + escape.len().max(1)..];
        }
        decoded.push_str(rest);
        if decoded == path {
            break;
        }
        path = decoded;
    }
    let mut seen: Vec<String> = Vec::new();
    for segment in path.split('/').map(|s| s.split(';').next().unwrap_or(s)).filter(|s| !s.is_empty()) {
        match segment.to_ascii_lowercase().as_str() {
            "." | "%2e" => {}
            ".." | "%2e." | ".%2e" | "%2e%2e" => {
                seen.pop();
            }
            _ => seen.push(segment.to_string()),
        }
    }
    seen
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
    let strategy = match kind.name {
        "image version" => versions().boxed(),
        "enterprise" | "org" | "owner" | "repo" => names().boxed(),
        _ => hostile().boxed(),
    };
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
                        // Only what the transport's rules (or the generated type's pattern) refuse.
                        prop_assert!((kind.raw_refuses)(&value), "{}: raw() refused {:?}", kind.name, value);
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
                    let refuses = if raw_client { kind.raw_refuses } else { kind.refuses };
                    prop_assert!(!refuses(&value), "{}: sent {:?}", kind.name, value);
                    prop_assert_eq!(after, before + 1, "{}: {:?}", kind.name, value);
                    let line = server.request_line(before).unwrap_or_default();
                    let got = decoded_segments(&line);
                    let mut want: Vec<String> = base.iter().map(|s| s.to_string()).collect();
                    want.extend(template.iter().map(|s| if *s == "{}" { value.clone() } else { s.to_string() }));
                    prop_assert_eq!(&got, &want, "{}: {:?} sent as {}", kind.name, value, line);
                    prop_assert_eq!(&got[param_at], &value);
                    // A server or proxy that decodes %2F and %5C to `/` and
                    // then resolves dot segments still sees the operation's
                    // resource: the fixed segments before and after the
                    // parameter, and between them one segment (several
                    // for a last parameter), none of them a dot.
                    let seen = decoding_server_segments(&line);
                    let mut fixed: Vec<String> = base.iter().map(|s| s.to_string()).collect();
                    fixed.extend(template[..param_at - base.len()].iter().map(|s| s.to_string()));
                    let after: Vec<String> =
                        template[param_at - base.len() + 1..].iter().map(|s| s.to_string()).collect();
                    // Several segments only for a last parameter: nothing
                    // lives below a label or an id.
                    let middle = seen.len().saturating_sub(fixed.len() + after.len());
                    let fits = (middle == 1 || (middle > 1 && after.is_empty()))
                        && seen[..fixed.len()] == fixed[..]
                        && seen[seen.len() - after.len()..] == after[..];
                    prop_assert!(
                        fits,
                        "{}: {:?} sent as {}, which a decoding server sees as {:?}",
                        kind.name,
                        value,
                        line,
                        seen
                    );
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
        check_kind(&kind, "", 10_000, true);
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
async fn the_backslash_attacks_of_the_report_are_refused_before_sending() {
    let server = Loopback::always(Reply::json(404, &json!({"message": "Not Found"}))).await;
    let c = Client::builder().base_url(&server.base_url).token("t").build().unwrap();
    let label = r"..\..\..\..\..\..\orgs\victim\actions\runners\5";
    let refused = |r: Result<(), Error>, field: &str, why: &str| match r {
        Err(Error::InvalidInput { field: f, reason }) => {
            assert!(f == field || reason.contains(&format!("`{field}`")), "{f}: {reason}");
            assert!(reason.contains(why), "{reason}");
        }
        other => panic!("{field}: {other:?}"),
    };
    refused(ok(c.org("octo-org").runners().remove_label(1, label).await), "label", "would resolve to another resource");
    refused(c.org(r"..\victim").runners().delete(5).await, "org", "no GitHub account or repository name");
    refused(c.repo("o", r"r\x").runners().delete(5).await, "repo", "no GitHub account or repository name");
    refused(c.enterprise("e/x").runners().delete(5).await, "enterprise", "no GitHub account or repository name");
    // The same through raw(): the transport refuses them too.
    let f = c.raw().actions_remove_custom_label_from_self_hosted_runner_for_org("octo-org", 1, label);
    refused(raw("actions/remove-custom-label-from-self-hosted-runner-for-org", f).await, "name", "would resolve");
    let f = c.raw().actions_delete_self_hosted_runner_from_org(r"..\victim", 5);
    refused(raw("actions/delete-self-hosted-runner-from-org", f).await, "org", "no GitHub account");
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

/// The scale-set client's string path parameter (a session id, which the
/// service hands out and a hostile one could shape) gets the same
/// guarantee from its own transport: sent as exactly one segment of its
/// operation, seen so by a decoding server, or refused with nothing sent,
/// and only when [`refuses_parts`] says so.
#[test]
fn the_scale_set_clients_session_id_stays_one_segment() {
    use progenitor_client::ClientInfo;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let fake = rt.block_on(gha_runners::testkit::FakeGitHub::builder().org("o").start());
    let raw = rt.block_on(async { fake.client().unwrap().org("o").scale_sets().raw().await }).expect("connected");
    let base: Vec<String> = reqwest::Url::parse(raw.baseurl())
        .unwrap()
        .path()
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let fixed = ["_apis", "runtime", "runnerscalesets", "7", "sessions"];
    let mut runner = TestRunner::new(Config { cases: 3000, failure_persistence: None, ..Config::default() });
    let (sent, refused) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner
        .run(&hostile(), |value| {
            let before = fake.actions_requests().len();
            let v = gha_runners::scaleset::raw::types::SessionsDeleteApiVersion::X60Preview;
            let result = rt.block_on(async {
                match raw.sessions_delete(7, &value, v).await {
                    Ok(_) => Ok(()),
                    Err(e) => Err(gha_runners::scaleset::Error::from_raw("sessions/delete", e).await),
                }
            });
            let log = fake.actions_requests();
            match result {
                Err(gha_runners::scaleset::Error::InvalidInput { .. }) => {
                    prop_assert_eq!(log.len(), before, "refused {:?} but sent it", value);
                    prop_assert!(refuses_parts(&value), "refused {:?}, which the rules allow", value);
                    refused.set(refused.get() + 1);
                }
                Err(_) => {
                    prop_assert!(!refuses_parts(&value), "sent {:?}", value);
                    prop_assert_eq!(log.len(), before + 1, "{:?}", value);
                    let line = format!("DELETE {} HTTP/1.1", log[before].path_and_query);
                    let mut want = base.clone();
                    want.extend(fixed.iter().map(|s| s.to_string()));
                    want.push(value.clone());
                    prop_assert_eq!(decoded_segments(&line), want.clone(), "{:?} sent as {}", value, line);
                    let seen = decoding_server_segments(&line);
                    let prefix = want.len() - 1;
                    prop_assert!(
                        seen.len() >= want.len() && seen[..prefix] == want[..prefix],
                        "{:?} sent as {}, which a decoding server sees as {:?}",
                        value,
                        line,
                        seen
                    );
                    sent.set(sent.get() + 1);
                }
                Ok(()) => return Err(TestCaseError::fail(format!("{value:?}: a session was deleted"))),
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(sent.get() > 1000 && refused.get() > 0, "{} sent, {} refused", sent.get(), refused.get());
}
