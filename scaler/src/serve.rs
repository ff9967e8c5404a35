//! `serve`: real deliveries from GitHub.

use crate::catch_up::CatchUp;
use crate::config::{ServeArgs, Settings};
use crate::launch::{CommandLauncher, Launcher};
use crate::scaler::Scaler;
use axum::body::Bytes;
use axum::http::HeaderMap;
use gha_runners::{Client, Secret};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

impl<L: Launcher> Scaler<L> {
    /// Serves deliveries on `listener` (POST /webhook).
    pub(crate) fn router(self: &Arc<Self>) -> axum::Router {
        let scaler = self.clone();
        axum::Router::new().route(
            "/webhook",
            axum::routing::post(
                move |headers: HeaderMap, body: Bytes| async move { scaler.on_delivery(&headers, &body) },
            ),
        )
    }
}

pub(crate) async fn serve(args: ServeArgs) -> Result<(), String> {
    let token = match &args.token_file {
        Some(path) => crate::config::read_secret("token", path)?,
        None => std::env::var("GITHUB_TOKEN").map_err(|_| "serve needs --token-file or GITHUB_TOKEN".to_string())?,
    };
    let secret = match (&args.webhook_secret_file, &args.webhook_secret_env) {
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
    // The launch command's environment lacks the secrets the scaler's has.
    let mut hidden = vec!["GITHUB_TOKEN".to_string(), "GH_TOKEN".to_string()];
    hidden.extend(args.webhook_secret_env.clone());
    let mut builder = Client::builder().token(token).user_agent(concat!("gha-scaler/", env!("CARGO_PKG_VERSION")));
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url);
    }
    let scaler = Arc::new(Scaler {
        github: builder.build().map_err(|e| e.to_string())?,
        settings: Settings {
            org: args.org,
            prefix: args.prefix,
            pools: args.pools,
            boot_timeout: args.boot_timeout,
            idle_timeout: args.idle_timeout,
        },
        launcher: Arc::new(CommandLauncher { command: args.launch, hidden }),
        secret: Secret::new(secret),
        catch_up: CatchUp {
            hook_id: args.hook_id,
            repos: args.repos,
            lookback: args.redeliver_lookback,
            grace: args.reconcile_grace,
        },
        state: Mutex::default(),
        reconciling: tokio::sync::Mutex::new(()),
        asked: AtomicBool::new(false),
    });
    let listen = args.listen;
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(scaler.clone().reap_every(args.reap_every));
    tokio::spawn(scaler.clone().catch_up_every(args.reconcile_every));
    eprintln!("listening on http://{addr}/webhook");
    axum::serve(listener, scaler.router()).await.map_err(|e| e.to_string())
}
