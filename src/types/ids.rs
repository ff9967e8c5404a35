//! Newtype ids, so ids of different things cannot be swapped: passing a
//! runner's id where a group's is wanted does not compile.
//!
//! ```compile_fail
//! # async fn f(groups: gha_runners::RunnerGroups<gha_runners::Org>, runner: gha_runners::types::Runner,
//! #            group: gha_runners::types::RunnerGroup) {
//! // The arguments are the wrong way round.
//! groups.add_runner(runner.id, group.id).await;
//! # }
//! ```
//!
//! Each id decodes from and encodes to GitHub's plain integer, converts from
//! an `i64` (`RunnerId::from(42)`, or `42` where a method takes
//! `impl Into<RunnerId>`; lists of ids take `&[i64]` or `&[RunnerId]`), and
//! compares with one (`runner.id == 42`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The integer GitHub uses.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<&i64> for $name {
            fn from(id: &i64) -> Self {
                Self(*id)
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                *id
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<$name> for i64 {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id! {
    /// A self-hosted runner's id.
    RunnerId
}
id! {
    /// A runner group's id (organization or enterprise group).
    RunnerGroupId
}
id! {
    /// A GitHub-hosted runner's id.
    HostedRunnerId
}
id! {
    /// A custom image definition's id.
    ImageDefinitionId
}
id! {
    /// A repository's id.
    RepositoryId
}
id! {
    /// A workflow job's id.
    JobId
}
id! {
    /// A workflow run's id.
    RunId
}
id! {
    /// An organization's id.
    OrganizationId
}
id! {
    /// A webhook delivery's id (one attempt; its redeliveries get ids of
    /// their own and keep its GUID).
    DeliveryId
}
id! {
    /// A webhook's id (`X-GitHub-Hook-ID` of its deliveries).
    HookId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_integers_on_the_wire() {
        let id: RunnerId = serde_json::from_str("42").unwrap();
        assert_eq!(id, RunnerId(42));
        assert_eq!(id, 42);
        assert_eq!(serde_json::to_string(&RunnerGroupId(7)).unwrap(), "7");
        assert_eq!(HostedRunnerId::from(3).get(), 3);
        assert_eq!(i64::from(RepositoryId(9)), 9);
        assert_eq!(OrganizationId(5).to_string(), "5");
        assert!(serde_json::from_str::<ImageDefinitionId>("\"1\"").is_err());
    }
}
