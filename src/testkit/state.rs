//! The fake's data: scopes with their runners, groups, hosted runners,
//! network configurations and permissions, and the operations on them.

use super::catalog;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A scope of the fake: an enterprise, an organization or a repository.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FakeScope {
    /// An enterprise slug.
    Enterprise(String),
    /// An organization login.
    Org(String),
    /// A repository `owner/name`.
    Repo(String, String),
}

impl FakeScope {
    /// The enterprise `slug`.
    pub fn enterprise(slug: impl Into<String>) -> Self {
        FakeScope::Enterprise(slug.into())
    }
    /// The organization `name`.
    pub fn org(name: impl Into<String>) -> Self {
        FakeScope::Org(name.into())
    }
    /// The repository `owner/name`.
    pub fn repo(owner: impl Into<String>, name: impl Into<String>) -> Self {
        FakeScope::Repo(owner.into(), name.into())
    }

    /// The API path of the scope (`/orgs/octo-org`).
    pub(crate) fn api_path(&self) -> String {
        match self {
            FakeScope::Enterprise(e) => format!("/enterprises/{e}"),
            FakeScope::Org(o) => format!("/orgs/{o}"),
            FakeScope::Repo(o, r) => format!("/repos/{o}/{r}"),
        }
    }
}

/// A self-hosted runner to seed the fake with.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FakeRunner {
    /// Its id; assigned by the fake when `None`.
    pub id: Option<i64>,
    /// Its name.
    pub name: String,
    /// `linux`, `macos` or `windows`.
    pub os: String,
    /// `online` or `offline`.
    pub status: String,
    /// Whether it runs a job.
    pub busy: bool,
    /// Custom labels (read-only labels are added from the OS).
    pub labels: Vec<String>,
    /// Its runner group (1, the default group, unless set).
    pub group_id: i64,
    /// Whether it is ephemeral.
    pub ephemeral: bool,
    /// When it was last seen online (drives "offline for longer than").
    pub last_seen: Option<DateTime<Utc>>,
}

impl FakeRunner {
    /// An idle, offline Linux runner named `name` in the default group.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            id: None,
            name: name.into(),
            os: "linux".into(),
            status: "offline".into(),
            busy: false,
            labels: Vec::new(),
            group_id: 1,
            ephemeral: false,
            last_seen: None,
        }
    }
    /// With id `id`.
    pub fn id(mut self, id: i64) -> Self {
        self.id = Some(id);
        self
    }
    /// Online.
    pub fn online(mut self) -> Self {
        self.status = "online".into();
        self
    }
    /// Busy (and online).
    pub fn busy(mut self) -> Self {
        self.status = "online".into();
        self.busy = true;
        self
    }
    /// Running `os`.
    pub fn os(mut self, os: impl Into<String>) -> Self {
        self.os = os.into();
        self
    }
    /// With custom `labels`.
    pub fn labels<L: Into<String>>(mut self, labels: impl IntoIterator<Item = L>) -> Self {
        self.labels = labels.into_iter().map(Into::into).collect();
        self
    }
    /// In runner group `id`.
    pub fn group(mut self, id: i64) -> Self {
        self.group_id = id;
        self
    }
    /// Last seen at `when`.
    pub fn last_seen(mut self, when: DateTime<Utc>) -> Self {
        self.last_seen = Some(when);
        self
    }
    /// Ephemeral: removed after its one job.
    pub fn ephemeral(mut self) -> Self {
        self.ephemeral = true;
        self
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Label {
    pub id: i64,
    pub name: String,
    pub custom: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Runner {
    pub id: i64,
    pub name: String,
    pub os: String,
    pub status: String,
    pub busy: bool,
    pub labels: Vec<Label>,
    pub group_id: i64,
    pub ephemeral: bool,
    /// Whether its machine has booted (a JIT config starts one runner once).
    pub started: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub id: i64,
    pub fields: Map<String, Value>,
    pub members: BTreeSet<i64>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ScopeData {
    pub runners: BTreeMap<i64, Runner>,
    /// The most runners each group (by id) held at once.
    pub peak_runners: BTreeMap<i64, usize>,
    /// Runners the next listings leave out (a page shift), and how many.
    pub hidden: BTreeMap<i64, u32>,
    pub groups: BTreeMap<i64, Group>,
    pub hosted: BTreeMap<i64, Value>,
    pub networks: BTreeMap<String, Value>,
    pub custom_images: BTreeMap<i64, (Value, BTreeMap<String, Value>)>,
    pub enabled_repositories: String,
    pub selected_repositories: BTreeSet<i64>,
    pub disable_for_all_orgs: bool,
    /// Workflow jobs of a repository, by id.
    pub jobs: BTreeMap<i64, Value>,
    /// The JIT configs issued here, and their runners.
    pub jit_configs: BTreeMap<String, i64>,
    /// The registration tokens issued here.
    pub registration_tokens: BTreeSet<String>,
}

/// An error answer: status and GitHub-shaped body.
#[derive(Debug)]
pub(crate) struct Refusal(pub u16, pub Value);

pub(crate) fn github_error(status: u16, message: &str) -> Refusal {
    Refusal(
        status,
        json!({"message": message, "documentation_url": "https://docs.github.com/rest/actions/self-hosted-runners", "status": status.to_string()}),
    )
}

pub(crate) fn not_found() -> Refusal {
    github_error(404, "Not Found")
}

pub(crate) fn invalid(field: &str, code: &str, resource: &str) -> Refusal {
    Refusal(
        422,
        json!({"message": "Validation Failed", "documentation_url": "https://docs.github.com/rest", "status": "422",
            "errors": [{"resource": resource, "field": field, "code": code}]}),
    )
}

/// All of the fake's data.
#[derive(Debug, Default)]
pub(crate) struct Data {
    next_id: i64,
    pub scopes: BTreeMap<FakeScope, ScopeData>,
    pub last_seen: BTreeMap<i64, DateTime<Utc>>,
    /// Running jobs and their runners' scope and id.
    pub assigned: BTreeMap<i64, (FakeScope, i64)>,
    /// Public repositories (`owner/name`, lower case); the others are
    /// private.
    pub public_repos: BTreeSet<String>,
    /// The fake Actions service's scale sets, sessions and tokens.
    pub service: super::actions::Service,
}

impl Data {
    pub fn new() -> Self {
        Self { next_id: 1000, ..Self::default() }
    }

    pub fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// Adds a queued workflow job to a repository: `id` and `run_id` are
    /// drawn when `None`; returns both.
    ///
    /// # Panics
    /// If `scope` is not a repository: jobs belong to repositories.
    pub fn add_job(
        &mut self,
        scope: &FakeScope,
        id: Option<i64>,
        run_id: Option<i64>,
        labels: &[String],
    ) -> (i64, i64) {
        let FakeScope::Repo(owner, repo) = scope else {
            panic!("workflow jobs belong to a repository, not to {scope:?}");
        };
        self.ensure_scope(scope);
        let id = id.unwrap_or_else(|| self.next_id());
        let run_id = run_id.unwrap_or_else(|| self.next_id());
        let job = super::catalog::job(id, run_id, owner, repo, labels);
        if let Some(data) = self.scopes.get_mut(scope) {
            data.jobs.insert(id, job);
        }
        (id, run_id)
    }

    /// Creates a scope (with its default runner group) if it is new.
    pub fn ensure_scope(&mut self, scope: &FakeScope) {
        if self.scopes.contains_key(scope) {
            return;
        }
        let mut data = ScopeData { enabled_repositories: "all".into(), ..ScopeData::default() };
        if !matches!(scope, FakeScope::Repo(..)) {
            let mut fields = Map::new();
            fields.insert("name".into(), json!("Default"));
            fields.insert("visibility".into(), json!("all"));
            fields.insert("default".into(), json!(true));
            fields.insert("allows_public_repositories".into(), json!(false));
            data.groups.insert(1, Group { id: 1, fields, members: BTreeSet::new() });
            let (image, versions) = catalog::custom_image(1);
            let versions =
                versions.into_iter().map(|v| (v["version"].as_str().unwrap_or_default().to_string(), v)).collect();
            data.custom_images.insert(1, (image, versions));
        }
        self.scopes.insert(scope.clone(), data);
    }

    /// Adds a seeded runner; returns its id.
    pub fn add_runner(&mut self, scope: &FakeScope, spec: FakeRunner) -> i64 {
        self.ensure_scope(scope);
        let id = spec.id.unwrap_or_else(|| self.next_id());
        let mut labels = Vec::new();
        for name in default_labels(&spec.os) {
            let lid = self.next_id();
            labels.push(Label { id: lid, name, custom: false });
        }
        for name in spec.labels {
            let lid = self.next_id();
            labels.push(Label { id: lid, name, custom: true });
        }
        let status = spec.status;
        let runner = Runner {
            id,
            name: spec.name,
            os: spec.os,
            status: status.clone(),
            busy: spec.busy,
            labels,
            group_id: spec.group_id,
            ephemeral: spec.ephemeral,
            started: status == "online",
        };
        if let Some(t) = spec.last_seen {
            self.last_seen.insert(id, t);
        }
        if let Some(s) = self.scopes.get_mut(scope) {
            s.insert_runner(runner);
        }
        id
    }
}

impl ScopeData {
    /// Adds `runner`, keeping the peak count of its group.
    pub(crate) fn insert_runner(&mut self, runner: Runner) {
        let group = runner.group_id;
        self.runners.insert(runner.id, runner);
        let alive = self.runners.values().filter(|r| r.group_id == group).count();
        let peak = self.peak_runners.entry(group).or_default();
        *peak = (*peak).max(alive);
    }
}

/// The read-only labels GitHub gives a runner on `os`.
pub(crate) fn default_labels(os: &str) -> Vec<String> {
    let (os_label, arch) = match os {
        "macos" => ("macOS", "ARM64"),
        "windows" => ("Windows", "X64"),
        _ => ("Linux", "X64"),
    };
    vec!["self-hosted".into(), os_label.into(), arch.into()]
}

pub(crate) fn runner_json(r: &Runner) -> Value {
    json!({
        "id": r.id, "name": r.name, "os": r.os, "status": r.status, "busy": r.busy,
        "ephemeral": r.ephemeral, "runner_group_id": r.group_id, "version": "2.323.0",
        "labels": labels_json(&r.labels).as_array().cloned().unwrap_or_default(),
    })
}

pub(crate) fn labels_json(labels: &[Label]) -> Value {
    Value::Array(
        labels
            .iter()
            .map(|l| json!({"id": l.id, "name": l.name, "type": if l.custom { "custom" } else { "read-only" }}))
            .collect(),
    )
}

pub(crate) fn group_json(base: &str, scope: &FakeScope, g: &Group) -> Value {
    let path = format!("{base}{}/actions/runner-groups/{}", scope.api_path(), g.id);
    let mut obj = json!({
        "id": g.id, "runners_url": format!("{path}/runners"), "hosted_runners_url": format!("{path}/hosted-runners"),
        "allows_public_repositories": false, "default": false, "visibility": "all",
        "restricted_to_workflows": false, "selected_workflows": [], "workflow_restrictions_read_only": false,
    });
    for (k, v) in &g.fields {
        obj[k] = v.clone();
    }
    if let FakeScope::Org(_) = scope {
        obj["inherited"] = json!(false);
        if obj["visibility"] == "selected" {
            obj["selected_repositories_url"] = json!(format!("{path}/repositories"));
        }
    } else {
        obj["selected_organizations_url"] = json!(format!("{path}/organizations"));
    }
    obj
}

pub(crate) fn token_json(token: String) -> Value {
    json!({"token": token, "expires_at": (Utc::now() + Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)})
}

pub(crate) fn hosted_json(id: i64, body: &Value) -> Value {
    let image_id = body.pointer("/image/id").and_then(Value::as_str).unwrap_or("ubuntu-latest").to_string();
    let size = body.get("size").and_then(Value::as_str).unwrap_or("4-core").to_string();
    let machine = catalog::machine_specs()
        .into_iter()
        .find(|m| m["id"] == size.as_str())
        .unwrap_or_else(|| json!({"id": size, "cpu_cores": 4, "memory_gb": 16, "storage_gb": 150}));
    json!({
        "id": id,
        "name": body.get("name").cloned().unwrap_or(json!("hosted")),
        "runner_group_id": body.get("runner_group_id").cloned().unwrap_or(json!(1)),
        "image_details": {"id": image_id, "size_gb": 86, "display_name": image_id, "source":
            body.pointer("/image/source").cloned().unwrap_or(json!("github")), "version": "latest"},
        "machine_size_details": machine,
        "status": "Ready",
        "platform": "linux-x64",
        "maximum_runners": body.get("maximum_runners").cloned().unwrap_or(json!(10)),
        "public_ip_enabled": body.get("enable_static_ip").cloned().unwrap_or(json!(false)),
        "public_ips": [],
        "last_active_on": Value::Null,
    })
}
