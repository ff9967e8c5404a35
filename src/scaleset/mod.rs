//! Runner scale sets: GitHub's own autoscaling protocol, in which a
//! listener holds a session on a scale set, long-polls its message queue
//! and acknowledges each message (see `spec/scaleset/README.md` for the
//! protocol and where our description of it comes from).
//!
//! - [`ScaleSets`] (`client.org("o").scale_sets()`): connecting to the
//!   Actions service (runner registration), the scale sets, their JIT
//!   configs and runners;
//! - [`Session`] (`scale_sets.sessions(id).open(owner)`): the message queue
//!   of an open session;
//! - [`Listener`]: the message loop, which acknowledges a message only
//!   after its handler returned `Ok`;
//! - [`Message`], its [`Statistics`] and [`JobMessage`]s: what the queue
//!   sends;
//! - [`raw`]: the generated client; [`transport`]: what every request of
//!   it goes through.
//!
//! The README's "Runner scale sets" section has a whole listener.

mod error;
mod listener;
mod messages;
mod service;
mod session;
pub mod transport;

pub use error::Error;
pub use listener::{Batch, ListenError, Listener};
pub use messages::{JOB_MESSAGES, JobInfo, JobMessage, Message, MessageError, Statistics};
pub use service::{NewScaleSet, ScaleSets};
pub use session::{Session, Sessions};

/// The client generated from `spec/scaleset/openapi.json` (progenitor,
/// positional interface), and its types. Reach it through the facade's
/// `raw()` methods, which hand out clients bound to one origin and its
/// credential.
#[allow(clippy::all, missing_docs, unused_imports)]
pub mod raw {
    include!(concat!(env!("OUT_DIR"), "/scaleset.rs"));
}
