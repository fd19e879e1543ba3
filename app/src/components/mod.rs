//! Building blocks shared by the pages.

pub mod alert;
pub mod bar_chart;
pub mod form;
pub mod header;
pub mod hydration;
