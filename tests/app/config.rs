//! Configuration errors are clear, `--help` lists every setting, and the server stops
//! cleanly when asked.

use std::process::Command;

use gatehouse::config::{Config, Settings};

use crate::support::{Db, TestApp};

fn settings(data_dir: &std::path::Path) -> Settings {
    Settings {
        bind: "127.0.0.1:0".parse().expect("addr"),
        database_url: None,
        base_url: None,
        secret: None,
        smtp_url: None,
        mail_from: "Gatehouse <g@localhost>".into(),
        smtp_timeout: 30,
        data_dir: data_dir.to_path_buf(),
        invite_quota_trial: 250,
        invite_quota_business_daily: 2000,
        kept_member_pages: 64,
        metrics_bind: None,
        metrics_on_main: false,
        trusted_proxies: String::new(),
        client_ip_header: "x-forwarded-for".into(),
        client_send_limit: 30,
        cookie_domain: None,
        serve: Default::default(),
    }
}

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "gatehouse-config-{}",
        uuid::Uuid::new_v4().simple()
    ))
}

#[test]
fn an_unknown_database_scheme_stops_the_binary_with_a_clear_message() {
    let dir = temp_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .env("DATABASE_URL", "mysql://root@localhost/gatehouse")
        .env("GATEHOUSE_DATA_DIR", &dir)
        .arg("migrate")
        .output()
        .expect("run gatehouse");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("DATABASE_URL must start with sqlite: or postgres://"),
        "{stderr}"
    );
    assert!(
        !dir.join("gatehouse.db").exists(),
        "no SQLite file appeared"
    );
}

#[test]
fn help_lists_every_setting() {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .arg("--help")
        .output()
        .expect("run gatehouse");
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--bind",
        "--database-url",
        "--base-url",
        "--secret",
        "--smtp-url",
        "--data-dir",
        "--header-read-timeout",
        "--request-body-timeout",
        "--shutdown-drain",
        "--cookie-domain",
        "serve",
        "migrate",
        "GATEHOUSE_BIND",
        "DATABASE_URL",
        "GATEHOUSE_BASE_URL",
        "GATEHOUSE_SECRET",
        "SMTP_URL",
    ] {
        assert!(help.contains(flag), "--help mentions {flag}:\n{help}");
    }
}

#[test]
fn bad_values_are_refused_with_their_reason() {
    let dir = temp_dir();
    let mut s = settings(&dir);
    s.secret = Some("short".into());
    assert!(
        Config::from_settings(s)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("at least 32 characters")
    );
    let mut s = settings(&dir);
    s.base_url = Some("gatehouse.example.com".into());
    assert!(
        Config::from_settings(s)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("GATEHOUSE_BASE_URL")
    );
    let mut s = settings(&dir);
    s.smtp_url = Some("http://mail".into());
    assert!(
        Config::from_settings(s)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("SMTP_URL")
    );
    let mut s = settings(&dir);
    s.base_url = Some("https://gatehouse.example.com".into());
    s.cookie_domain = Some("other.example.org".into());
    assert!(
        Config::from_settings(s)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("GATEHOUSE_COOKIE_DOMAIN must be a domain name that contains the host")
    );
}

#[test]
fn the_generated_secret_is_kept_across_restarts() {
    let dir = temp_dir();
    let first = Config::from_settings(settings(&dir)).expect("config");
    let second = Config::from_settings(settings(&dir)).expect("config");
    assert!(first.secret.len() >= 32);
    assert_eq!(first.secret, second.secret, "sessions survive a restart");
    assert_eq!(
        first.database_url,
        format!("sqlite://{}/gatehouse.db", dir.display())
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_and_shutdown_is_clean() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let res = app.client().get("/healthz").await;
    assert_eq!(res.status(), 200);
    app.stop().await;
}

#[test]
fn a_bad_trusted_proxy_or_header_is_refused_clearly() {
    let mut s = settings(&temp_dir());
    s.secret = Some("x".repeat(40));
    s.trusted_proxies = "10.0.0.0/8, proxy.local".into();
    let err = Config::from_settings(s)
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(err.contains("proxy.local"), "{err}");
    let mut s = settings(&temp_dir());
    s.secret = Some("x".repeat(40));
    s.client_ip_header = "via".into();
    let err = Config::from_settings(s)
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("x-forwarded-for, x-real-ip or forwarded"),
        "{err}"
    );
}

#[test]
fn help_never_prints_the_value_of_a_secret() {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .arg("--help")
        .env("DATABASE_URL", "postgres://app:db-password-1@db/gatehouse")
        .env(
            "SMTP_URL",
            "smtps://mailer:smtp-password-2@mail.example.com",
        )
        .env(
            "GATEHOUSE_SECRET",
            "secret-value-3-that-is-long-enough-for-us",
        )
        .output()
        .expect("run gatehouse");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("DATABASE_URL"), "{help}");
    for value in ["db-password-1", "smtp-password-2", "secret-value-3"] {
        assert!(!help.contains(value), "--help shows {value}:\n{help}");
    }
}
