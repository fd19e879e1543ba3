//! Building blocks shared by the pages.

pub mod alert;
pub mod header;
