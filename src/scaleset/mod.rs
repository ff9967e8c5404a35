//! Runner scale sets: GitHub's own autoscaling protocol, in which a
//! listener holds a session on a scale set, long-polls its message queue
//! and acknowledges each message (see `spec/scaleset/README.md` for the
//! protocol and where our description of it comes from).
//!
//! So far this module decodes what the message queue sends: a [`Message`]
//! with the scale set's [`Statistics`] and a body that holds the
//! [`JobMessage`]s. The client, its sessions and the listener build on it.

mod messages;

pub use messages::{JOB_MESSAGES, JobInfo, JobMessage, Message, MessageError, Statistics};
