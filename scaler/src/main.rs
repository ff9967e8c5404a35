//! `gha-scaler`: an autoscaler for GitHub Actions
//! self-hosted runners, built on gha-runners.
//!
//! ```text
//! cargo run -p gha-scaler -- demo
//! GITHUB_TOKEN=... HOOK_SECRET=... cargo run -p gha-scaler -- serve \
//!     --listen 0.0.0.0:8080 --webhook-secret-env HOOK_SECRET --org octo-org \
//!     --pool Default=self-hosted,linux,x64 --pool gpu=self-hosted,linux,gpu \
//!     --launch './boot-vm.sh'
//! ```
//!
//! The loop: GitHub sends a `workflow_job` delivery when a job is queued;
//! the scaler checks the signature, picks the pool whose labels cover the
//! job's, checks with the API that the job is still queued, creates a
//! just-in-time runner with the pool's labels in the pool's runner group,
//! and hands its config to a [`Launcher`] that boots a machine. The runner
//! takes a job, GitHub removes it when the job ends. A reaper deletes the
//! runners whose machine never came up, or that came up and found no job,
//! and the scaler makes new runners while jobs still wait.
//!
//! Runners are not bound to jobs: GitHub gives a job to any idle runner
//! whose labels cover it, so the scaler counts demand per pool (jobs
//! waiting minus runners not yet running) rather than per job. Pools whose
//! labels contain another pool's let the wider runner take the narrower
//! job; the reaper and the next count make up for it.
//!
//! State lives in a store (`store`): in memory for one process, or in
//! Redis (`--redis`) so that replicas behind one URL act as one. Each pool
//! is filled by one replica at a time, within `--max-runners`, with
//! `--min-idle` warm runners; `/metrics` serves Prometheus metrics.
//!
//! `demo` runs against the crate's in-process fake GitHub (no token, no
//! network): it queues a burst of jobs with mixed labels, lets the fake's
//! machines boot the runners, and prints one line,
//! `demo: N jobs queued, N runners created, N jobs completed, 0 runners left`.
//! `--lost-machines K` makes K machines never boot, to watch the reaper;
//! `--replicas 3 --kill-replica 1` runs three replicas on a redis-server
//! the demo starts, and kills one mid-burst.
//!
//! `--source scaleset --scale-set NAME` (`demo` and `serve`) takes demand
//! from a runner scale set's session instead (`scaleset_source`): outbound
//! only, one replica holding the session under a store lease.
//!
//! `serve` serves real deliveries on `--listen` (path `/webhook`; set the
//! webhook's content type to `application/json` and select "Workflow
//! jobs"). `--launch` is a shell command run once per runner with the
//! config in `ACTIONS_RUNNER_INPUT_JITCONFIG` (what `run.sh` reads) and the
//! runner name in `RUNNER_NAME`; it should start the machine and return.

#![deny(unsafe_code)]

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod catch_up;
mod config;
mod demo;
mod demo_scaleset;
mod launch;
mod metrics;
mod pools;
mod reaper;
mod replica;
mod scaler;
mod scaleset_source;
mod serve;
mod store;

#[derive(Parser)]
#[command(
    name = "gha-scaler",
    about = "An autoscaler for GitHub Actions self-hosted runners (webhooks or a runner scale set)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scale a burst of jobs on the in-process fake GitHub (no token needed).
    Demo(demo::DemoArgs),
    /// Serve GitHub's workflow_job deliveries (needs GITHUB_TOKEN).
    Serve(Box<config::ServeArgs>),
}

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Demo(args) => demo::demo(args).await.map(|ok| ok.then_some(())),
        Command::Serve(args) => serve::serve(*args).await.map(Some),
    };
    match outcome {
        Ok(Some(())) => ExitCode::SUCCESS,
        Ok(None) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
