//! Gatehouse's one integration test binary. Every test spawns the real server on
//! 127.0.0.1 (port 0) with a fresh database and a real SMTP server on loopback, and drives
//! it over HTTP the way a browser would. Tests named in `both_databases!` run once on
//! SQLite and once on PostgreSQL.

// Test code may panic on failure: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod abuse_limits;
mod accounts;
mod api;
mod api_joining;
mod api_tokens;
mod audit_log;
pub mod authorization;
mod avatars;
mod awaiting_approval;
mod backup;
mod browse;
mod browser;
mod bulk_invitations;
mod concurrency;
mod config;
mod domains;
mod downloads;
mod fast_reads;
mod forward_auth;
mod healing;
mod input;
mod invitations;
mod invitee;
mod join_requests;
mod kept_pages;
mod kept_results;
mod links;
mod mail;
mod mail_delivery;
mod member_detail;
mod member_list;
mod member_pages;
mod members;
mod migrations;
mod onboarding;
mod operations;
mod proof_of_address;
mod query_plans;
mod row_menus;
mod search_upkeep;
mod seat_waiting;
mod security;
mod security_page;
mod settings;
mod shutdown;
mod teams;
mod webhook_delivery;
mod webhooks;
mod workspaces;
