//! Integration tests of tce-server: the API and dashboard in-process, the
//! report and exports, and the dashboard in headless Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod advocacy;
mod alerts;
mod api;
mod browser;
mod cache;
mod care_pages;
mod cases;
mod common;
mod drill;
mod kpi;
mod maturity;
mod report;
mod web;
