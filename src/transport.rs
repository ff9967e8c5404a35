//! Transport placeholder.
#[derive(Debug, Clone, Default)]
pub struct Inner;
