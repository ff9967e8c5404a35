#!/usr/bin/env bash
# Checks the crate's public Rust API against a baseline with
# cargo-semver-checks: what a downstream crate would see break.
#
#   scripts/semver-check.sh v0.2.0        # against a release tag
#   scripts/semver-check.sh a440324       # against any git revision
#
# Exit code 0: the change fits a minor release; non-zero: cargo-semver-checks
# lists what needs a major one (while the crate is 0.x: a minor bump). It is
# not in .ci/run: installing it compiles it from crates.io (about 8 minutes
# on 2 cores, measured 497 s) and a run builds rustdoc JSON twice (about
# 160 s), which together exceed CI's 20-minute budget on top of the tests.
# Run it when cutting a release (CONTRIBUTING.md, "Cutting a release"), and
# read it beside `cargo xtask diff`'s verdict for spec changes.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline="${1:?usage: scripts/semver-check.sh <baseline git revision or tag>}"
if ! cargo semver-checks --version >/dev/null 2>&1; then
  echo "cargo-semver-checks is not installed: cargo install cargo-semver-checks --locked" >&2
  exit 1
fi
exec cargo semver-checks -p gha-runners --all-features --baseline-rev "$baseline"
