//! Pools: runners of one kind (group and labels) and which jobs they serve.

use std::str::FromStr;

/// Runners of one kind: the group they register in and their labels.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    pub(crate) group: String,
    pub(crate) labels: Vec<String>,
}

impl FromStr for Pool {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (group, labels) = s.split_once('=').ok_or("expected GROUP=label,label")?;
        let labels: Vec<String> =
            labels.split(',').map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        if group.trim().is_empty() || labels.is_empty() {
            return Err("a pool needs a group name and at least one label".into());
        }
        Ok(Pool { group: group.trim().to_string(), labels })
    }
}

impl Pool {
    /// Whether this pool's runners have every label the job asks for
    /// (GitHub compares labels without regard to ASCII case).
    pub(crate) fn serves(&self, job_labels: &[String]) -> bool {
        !job_labels.is_empty() && job_labels.iter().all(|l| self.labels.iter().any(|p| p.eq_ignore_ascii_case(l)))
    }
}
