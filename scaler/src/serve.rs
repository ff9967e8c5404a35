//! `serve`: real deliveries from GitHub, over an HTTP server that holds no
//! connection for long before a delivery's signature is checked.
//!
//! - A connection must send its headers within `--read-timeout` (10 s),
//!   and its body within as long again; no connection lives past three
//!   times that; keep-alive is off (GitHub opens one per delivery).
//! - At most `--max-connections` at once: more are closed at once.
//! - A request without a signature header is refused, and one of an event
//!   other than `workflow_job` answered 202, before its body is read.
//! - A body must state its length, at most GitHub's 25 MB
//!   ([`MAX_BODY`]), and 1 MiB for a `workflow_job` delivery
//!   ([`MAX_JOB_BODY`]); longer ones are refused before a byte is read. The
//!   bodies being read share a memory budget ([`BODY_BUDGET`]).
//! - Refused requests are counted in the metrics and logged at most once
//!   every [`RefusalLog::EVERY`](crate::replica::RefusalLog::EVERY).

use crate::config::{ServeArgs, Settings};
use crate::launch::{CommandLauncher, Launcher};
use crate::replica::CatchUp;
use crate::scaler::{Scaler, ScalerParts};
use crate::store::{Store, redis::RedisStore};
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use gha_runners::{Client, Secret};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// GitHub caps webhook payloads at 25 MB.
pub(crate) const MAX_BODY: u64 = 25 * 1024 * 1024;
/// A `workflow_job` delivery is a few tens of KB: more than 1 MiB is no
/// delivery, and a sender that claims more would hold the body budget.
pub(crate) const MAX_JOB_BODY: u64 = 1024 * 1024;
/// How long a client may take to send its request's headers, and its
/// body, by default.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of bodies being read at once, in KiB (64 MiB).
pub(crate) const BODY_BUDGET: usize = 64 * 1024;

impl<L: Launcher> Scaler<L> {
    /// POST /webhook (deliveries, bodies read within `read_timeout`), GET
    /// /metrics (Prometheus).
    pub(crate) fn router(self: &Arc<Self>, read_timeout: Duration) -> axum::Router {
        let scaler = self.clone();
        let budget = Arc::new(Semaphore::new(BODY_BUDGET));
        self.metrics_router().route(
            "/webhook",
            axum::routing::post(move |headers: HeaderMap, body: Body| {
                let (scaler, budget) = (scaler.clone(), budget.clone());
                async move {
                    match read_body(&scaler, &budget, &headers, body, read_timeout).await {
                        Ok(bytes) => scaler.on_delivery(&headers, &bytes).await,
                        Err(status) => status,
                    }
                }
            }),
        )
    }

    /// GET /metrics (Prometheus) only: the scale-set source takes no
    /// deliveries.
    pub(crate) fn metrics_router(self: &Arc<Self>) -> axum::Router {
        let metrics = self.clone();
        axum::Router::new().route(
            "/metrics",
            axum::routing::get(move || {
                let scaler = metrics.clone();
                async move {
                    if let Some(rate) = scaler.github.rate_limit() {
                        crate::metrics::quota(rate.remaining);
                    }
                    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], crate::metrics::handle().render())
                }
            }),
        )
    }
}

/// The body of a delivery, read within the limits above.
async fn read_body<L: Launcher>(
    scaler: &Scaler<L>,
    budget: &Semaphore,
    headers: &HeaderMap,
    body: Body,
    timeout: Duration,
) -> Result<axum::body::Bytes, StatusCode> {
    let refuse = |reason, detail: String, status| {
        scaler.refusals.refused(reason, &detail);
        Err(status)
    };
    // What no body can change is checked before a byte of it is read: a
    // request without a signature is refused, and an event the scaler
    // does not act on is answered unread.
    if !headers.contains_key("x-hub-signature-256") {
        return refuse("signature", "no X-Hub-Signature-256".into(), StatusCode::UNAUTHORIZED);
    }
    match headers.get("x-github-event").and_then(|v| v.to_str().ok()) {
        Some("workflow_job") => {}
        Some(_) => {
            crate::metrics::delivery("", "other-event");
            return Err(StatusCode::ACCEPTED);
        }
        None => return refuse("malformed", "no X-GitHub-Event".into(), StatusCode::BAD_REQUEST),
    }
    let Some(length) = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok()) else {
        return refuse("no-length", "no Content-Length".into(), StatusCode::LENGTH_REQUIRED);
    };
    if length > MAX_BODY {
        return refuse("too-large", format!("{length} bytes, over GitHub's 25 MB"), StatusCode::PAYLOAD_TOO_LARGE);
    }
    if length > MAX_JOB_BODY {
        let detail = format!("{length} bytes, over 1 MiB for a workflow_job delivery");
        return refuse("too-large", detail, StatusCode::PAYLOAD_TOO_LARGE);
    }
    let kib = u32::try_from(length.div_ceil(1024).max(1)).unwrap_or(u32::MAX);
    let Ok(_permit) = budget.try_acquire_many(kib) else {
        return refuse("busy", "too many bodies being read".into(), StatusCode::SERVICE_UNAVAILABLE);
    };
    let limit = usize::try_from(length).unwrap_or(usize::MAX);
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => refuse("malformed", format!("cannot read the body: {e}"), StatusCode::BAD_REQUEST),
        Err(_) => refuse("slow", format!("the body took over {timeout:?}"), StatusCode::REQUEST_TIMEOUT),
    }
}

/// Serves `router` on `listener` within the limits above, forever.
pub(crate) async fn run_http(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    max_connections: usize,
    read_timeout: Duration,
) {
    let connections = Arc::new(Semaphore::new(max_connections.max(1)));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait rather than spin.
                eprintln!("cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            crate::metrics::refused("busy");
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(read_timeout)
                .keep_alive(false)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let _ = tokio::time::timeout(read_timeout * 3, connection).await;
            drop(permit);
        });
    }
}

pub(crate) async fn serve(args: ServeArgs) -> Result<(), String> {
    let token = match &args.token_file {
        Some(path) => crate::config::read_secret("token", path)?,
        None => std::env::var("GITHUB_TOKEN").map_err(|_| "serve needs --token-file or GITHUB_TOKEN".to_string())?,
    };
    let scale_set = match (args.source, &args.scale_set) {
        (crate::config::SourceKind::Scaleset, Some(name)) => Some(name.clone()),
        (crate::config::SourceKind::Scaleset, None) => return Err("--source scaleset needs --scale-set NAME".into()),
        (crate::config::SourceKind::Webhook, Some(_)) => return Err("--scale-set needs --source scaleset".into()),
        (crate::config::SourceKind::Webhook, None) => None,
    };
    let secret = match (&args.webhook_secret_file, &args.webhook_secret_env) {
        // No deliveries come: a random secret that signs nothing.
        _ if scale_set.is_some() => format!("{:032x}", fastrand::u128(..)),
        (Some(path), _) => crate::config::read_secret("webhook secret", path)?,
        (None, Some(var)) => {
            let secret = std::env::var(var).map_err(|_| format!("{var} is not set"))?;
            if secret.is_empty() {
                return Err(format!("{var} is empty: anyone could sign deliveries"));
            }
            secret
        }
        (None, None) => return Err("serve needs --webhook-secret-file or --webhook-secret-env".into()),
    };
    let redis = match (&args.redis, &args.redis_file) {
        (Some(url), _) if url.contains('@') => {
            return Err("--redis: a URL with a password shows in the process list; put it in --redis-file".into());
        }
        (Some(url), _) => Some(url.clone()),
        (None, Some(path)) => Some(crate::config::read_secret("Redis URL", path)?),
        (None, None) => None,
    };
    let pools = match &scale_set {
        // The scale set is the one pool: its group, its name as the label.
        Some(name) => {
            if args.min_idle > 0 {
                return Err("--min-idle: the scale-set source keeps no warm runners (GitHub assigns jobs first)".into());
            }
            match args.max_runners {
                None => {
                    return Err(
                        "--source scaleset needs --max-runners: it is also the max capacity GitHub is told".into()
                    );
                }
                Some(0) => return Err("--max-runners 0 serves no job".into()),
                Some(m) if m > i32::MAX as usize => return Err(format!("--max-runners {m}: at most {}", i32::MAX)),
                Some(_) => {}
            }
            vec![crate::pools::Pool::new(&args.scale_set_group, [name.as_str()]).map(|p| crate::pools::Pool {
                max_runners: args.max_runners,
                min_idle: 0,
                ..p
            })?]
        }
        None => crate::config::pools(&args.pools, args.config.as_deref(), args.max_runners, args.min_idle)?,
    };
    // The launch command's environment lacks the secrets the scaler's has.
    let mut hidden = vec!["GITHUB_TOKEN".to_string(), "GH_TOKEN".to_string()];
    hidden.extend(args.webhook_secret_env.clone());
    let mut builder = Client::builder().token(token).user_agent(concat!("gha-scaler/", env!("CARGO_PKG_VERSION")));
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url);
    }
    // Replicas of one organization and prefix are one fleet.
    // GitHub's organization names ignore case.
    // A scale set's replicas are a fleet of their own: another scale set,
    // or a webhook fleet, with the same prefix on the same Redis is not
    // theirs to count.
    let fleet = match &scale_set {
        Some(name) => {
            format!("{}-{}-scaleset-{}", args.org.to_ascii_lowercase(), args.prefix, name.to_ascii_lowercase())
        }
        None => format!("{}-{}", args.org.to_ascii_lowercase(), args.prefix),
    };
    let store = match &redis {
        Some(url) => {
            let fleet_transport = gha_runners::transport::RedisFleet::new(url, &fleet).map_err(|e| e.to_string())?;
            builder = builder.fleet(fleet_transport);
            Store::Redis(
                RedisStore::connect(url, &fleet, pools.iter().map(|p| p.key()).collect())
                    .await
                    .map_err(|e| e.to_string())?,
            )
        }
        None => Store::Memory(Box::default()),
    };
    if args.teardown.is_none() {
        eprintln!("no --teardown: machines of failed launches are left to the launch command to stop");
    }
    let scaler = Arc::new(Scaler::new(ScalerParts {
        github: builder.build().map_err(|e| e.to_string())?,
        settings: Settings {
            org: args.org,
            prefix: args.prefix,
            pools,
            boot_timeout: args.boot_timeout,
            idle_timeout: args.idle_timeout,
            launch_timeout: args.launch_timeout,
        },
        launcher: Arc::new(CommandLauncher {
            command: args.launch,
            teardown: args.teardown,
            hidden,
            timeout: args.launch_timeout,
        }),
        secret: Secret::new(secret),
        catch_up: CatchUp {
            hook_id: args.hook_id,
            repos: args.repos,
            lookback: args.redeliver_lookback,
            grace: args.reconcile_grace,
        },
        store,
        first_runner: None,
    }));
    scaler.join_fleet().await?;
    let listen = args.listen;
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    crate::metrics::handle();
    tokio::spawn(scaler.clone().reap_every(args.reap_every));
    eprintln!("metrics on http://{addr}/metrics");
    let read_timeout = args.read_timeout.max(Duration::from_millis(10));
    let (router, source) = match &scale_set {
        Some(name) => {
            let sets = scaler.github.org(&scaler.settings.org).scale_sets();
            let id = scale_set_id(&sets, name, &args.scale_set_group).await?;
            let max_runners = args.max_runners.and_then(|m| u32::try_from(m).ok()).unwrap_or(1);
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "gha-scaler".into());
            let owner = format!("{host}-{}", scaler.replica);
            let source = Arc::new(crate::scaleset_source::Source::new(sets, id, name, max_runners, owner));
            eprintln!("listening on scale set {name} ({id}) of group {}", args.scale_set_group);
            let task = tokio::spawn(scaler.clone().listen_scale_set(source.clone()));
            (scaler.metrics_router(), Some((source, task)))
        }
        None => {
            tokio::spawn(scaler.clone().catch_up_every(args.reconcile_every));
            eprintln!("listening on http://{addr}/webhook");
            (scaler.router(read_timeout), None)
        }
    };
    let outcome = tokio::select! {
        () = run_http(listener, router, args.max_connections, read_timeout) => Ok(()),
        stop = scaler.clone().keep_config() => Err(stop),
        () = stop_signal() => Ok(()),
    };
    // The session is closed, so that the next holder need not wait for
    // the service to end it.
    if let Some((source, task)) = source {
        source.shut_down();
        if tokio::time::timeout(Duration::from_secs(15), task).await.is_err() {
            eprintln!("the scale set's session did not close within 15 s");
        }
    }
    outcome
}

/// Completes on SIGTERM or SIGINT.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => std::future::pending().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    eprintln!("stopping");
}

/// The id of scale set `name` in `group`, created if missing; GitHub's or
/// the service's outage is waited out (up to a minute between tries), a
/// refusal is not.
async fn scale_set_id(sets: &gha_runners::scaleset::ScaleSets, name: &str, group: &str) -> Result<i64, String> {
    let spec = gha_runners::scaleset::NewScaleSet::new(name).runner_group(group);
    let mut pause = Duration::from_secs(1);
    loop {
        match sets.get_or_create(&spec).await {
            Ok(set) => return set.id.ok_or_else(|| format!("scale set {name}: the service gave it no id")),
            Err(e) if e.is_transient() => {
                eprintln!("scale set {name}: {e}; trying again in {pause:?}");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(60));
            }
            Err(e) => return Err(format!("scale set {name}: {e}")),
        }
    }
}
