#!/usr/bin/env bash
# What depending on gha-runners costs a user's clean debug build, against the
# floor every GitHub client pays (reqwest with the same features, serde_json,
# tokio), and against that floor plus the TLS crypto provider gha-runners
# brings (rustls with ring: reqwest's `rustls-no-provider` cannot reach
# api.github.com without one). Builds three throwaway crates from scratch,
# each with its own target directory, one after the other, and prints the
# times and ratios.
#
#   scripts/build-cost.sh            # uses a temporary directory
#   KEEP=1 scripts/build-cost.sh     # keeps it and says where
#
# Needs only cargo and the crates.io registry. Takes a few minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
[[ "${KEEP:-}" == 1 ]] || trap 'rm -rf "$work"' EXIT

reqwest_line="$(grep -m1 -E '^reqwest = ' "$root/Cargo.toml")"
serde_json_line="$(grep -m1 -E '^serde_json = ' "$root/Cargo.toml")"
tokio_line="$(grep -m1 -E '^tokio = ' "$root/Cargo.toml")"
rustls_line="$(grep -m1 -E '^rustls = ' "$root/Cargo.toml")"

make_crate() { # name, extra dependency lines
  mkdir -p "$work/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[workspace]\n\n[dependencies]\n%s\n' \
    "$1" "$2" > "$work/$1/Cargo.toml"
  echo 'fn main() {}' > "$work/$1/src/main.rs"
}
make_crate floor "$reqwest_line
$serde_json_line
$tokio_line"
make_crate floor_tls "$reqwest_line
$serde_json_line
$tokio_line
$rustls_line"
make_crate user "gha-runners = { path = \"$root\" }
$serde_json_line
$tokio_line"
# The user crate resolves with the project's lock file, so both build what CI builds.
cp "$root/Cargo.lock" "$work/user/Cargo.lock"

build() { # name -> seconds
  local start end
  (cd "$work/$1" && cargo fetch --quiet >/dev/null 2>&1 || true)
  start=$(date +%s%N)
  (cd "$work/$1" && CARGO_TARGET_DIR="$work/$1/target" cargo build --quiet 2>&1) >&2 || { echo "building $1 failed" >&2; exit 1; }
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.1f", ns / 1e9 }'
}
floor=$(build floor)
floor_tls=$(build floor_tls)
user=$(build user)
ratio() { awk -v u="$1" -v f="$2" 'BEGIN { printf "%.2f", u / f }'; }
printf 'clean debug build, %s cores:\n' "$(nproc)"
printf '  floor (reqwest + serde_json + tokio):  %6.1f s\n' "$floor"
printf '  floor + rustls/ring provider:          %6.1f s\n' "$floor_tls"
printf '  depends on gha-runners:                %6.1f s\n' "$user"
printf '  ratio to the floor: %sx; to the floor with a TLS provider: %sx\n' "$(ratio "$user" "$floor")" "$(ratio "$user" "$floor_tls")"
if [[ "${KEEP:-}" == 1 ]]; then echo "kept: $work"; fi
