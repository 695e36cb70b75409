//! Gatehouse: a self-hosted console that decides who gets into a workspace.
//!
//! Data flows one way: request → extractor (`web`) → workflow (`services`) → SQL (`store`)
//! → back out through an askama template. `domain` holds the plain rules; `mail` the
//! outbox worker and transports.

pub mod app;
pub mod backup;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod logging;
pub mod mail;
pub mod seed;
pub mod server;
pub mod services;
pub mod store;
pub mod web;
pub mod webhooks;

pub use app::App;
pub use config::Config;
