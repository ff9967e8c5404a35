//! Chainable setters for the `#[non_exhaustive]` request and configuration
//! structs, which downstream code cannot build with a struct literal: each
//! `field(value)` sets one field and returns the value, so a call reads
//! `NewRunnerGroup::new("gpu").visibility(Visibility::Selected)`.
//!
//! One macro, because the setters differ only in the field's name and how
//! the value is stored; each kind of field is one arm:
//! - `set T`: the field is `T`, set from anything `Into<T>`;
//! - `val T`: the field is `T`, set from a `T` (numbers: a literal needs no
//!   suffix);
//! - `some T`: the field is `Option<T>`, set to `Some` of anything `Into<T>`;
//! - `list T`: the field is `Vec<T>`, set from any iterator of `Into<T>`;
//! - `some_list T`: the field is `Option<Vec<T>>`, likewise.

macro_rules! setters {
    ($ty:ident { $($field:ident: $kind:ident $inner:ty),* $(,)? }) => {
        impl $ty {
            $($crate::setters::setters!(@one $field $kind $inner);)*
        }
    };
    (@one $field:ident set $inner:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $field(mut self, value: impl Into<$inner>) -> Self {
            self.$field = value.into();
            self
        }
    };
    (@one $field:ident val $inner:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $field(mut self, value: $inner) -> Self {
            self.$field = value;
            self
        }
    };
    (@one $field:ident some $inner:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "` (`None` unless set).")]
        pub fn $field(mut self, value: impl Into<$inner>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
    (@one $field:ident list $inner:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "` (empty unless set).")]
        pub fn $field<I: Into<$inner>>(mut self, values: impl IntoIterator<Item = I>) -> Self {
            self.$field = values.into_iter().map(Into::into).collect();
            self
        }
    };
    (@one $field:ident some_list $inner:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "` (`None` unless set).")]
        pub fn $field<I: Into<$inner>>(mut self, values: impl IntoIterator<Item = I>) -> Self {
            self.$field = Some(values.into_iter().map(Into::into).collect());
            self
        }
    };
}

pub(crate) use setters;
