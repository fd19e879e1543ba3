//! An institution's organisational units (DESIGN.md §4.1): a tree under the
//! organisation, each unit with a code, names in bokmål, nynorsk and
//! English, and a parent. Sponsors and guests belong to units (the guests
//! issue). Kept by the institution's access managers, one unit at a time or
//! by an import of the whole tree.
//!
//! `rules` has the pure checks (fields, the tree's order and cycles),
//! `service` the use cases (authorized, audited).

pub mod rules;
pub mod service;

pub use rules::{parse_import, UnitError, UnitForSave};
pub use service::{import, import_file, save, units, Unit};
