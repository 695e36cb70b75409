//! Real-browser journeys in headless Chromium over WebDriver (chromedriver), one at a
//! time (the machine has two cores). Needs the Debian packages chromium and
//! chromium-driver (`apt-get install -y chromium chromium-driver`), as .ci/run installs.
//! Each journey lives in its own file; helpers for one journey may live beside it as
//! another `impl Browser` block.

mod api_tokens;
mod audit_words;
mod domains;
mod focus;
mod forward_auth;
mod header;
mod invitation_sign_in;
mod invitations;
mod invite_message;
mod invitee_pages;
mod link_page;
mod links;
mod looks;
mod member_layout;
mod members;
mod onboarding;
mod placeholders;
mod removal;
mod seat_full;
mod skeleton;

use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::support::PASSWORD;
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::sync::Mutex;

/// Browser tests take this lock so that only one browser runs at once.
pub(crate) static ONE_BROWSER: Mutex<()> = Mutex::const_new(());

/// axe-core's browser build, which `npm ci` installs (package.json's devDependencies).
const AXE_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/node_modules/axe-core/axe.min.js"
);

/// The text of axe-core, read once; fails (never skips) when `npm ci` has not been run.
fn axe_source() -> &'static str {
    static AXE: OnceLock<String> = OnceLock::new();
    AXE.get_or_init(|| {
        std::fs::read_to_string(AXE_PATH).unwrap_or_else(|e| {
            panic!("{AXE_PATH} is missing ({e}): run `npm ci` to install axe-core for the browser tests")
        })
    })
}

/// Runs axe-core on the page and returns its serious and critical violations, each with
/// the elements it found. WebDriver's execute runs in the page whatever its CSP says, and
/// awaits the promise `axe.run()` returns.
const AXE_RUN: &str = "return axe.run(document, { resultTypes: ['violations'] }).then(r => \
    r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({ \
        id: v.id, impact: v.impact, help: v.help, \
        nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '')) })));";

/// A chromedriver process and a browser session on it; both end on drop.
struct Browser {
    driver: Child,
    client: Client,
    profile: std::path::PathBuf,
}

/// Headless Chromium as the machine notes say, with a fresh profile folder.
/// Chromium's options; `dark` makes pages see `prefers-color-scheme: dark`.
fn capabilities(
    profile: &std::path::Path,
    dark: bool,
    extra: &[String],
) -> fantoccini::wd::Capabilities {
    let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        "--window-size=1280,900".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    if dark {
        args.push("--force-dark-mode".into());
    }
    args.extend_from_slice(extra);
    let caps = serde_json::json!({
        "goog:chromeOptions": { "binary": chrome, "args": args }
    });
    caps.as_object()
        .cloned()
        .expect("capabilities object")
        .into_iter()
        .collect()
}

impl Browser {
    async fn start() -> Self {
        Self::start_with(false).await
    }

    /// A browser whose pages see `prefers-color-scheme: dark`.
    async fn start_dark() -> Self {
        Self::start_with(true).await
    }

    async fn start_with(dark: bool) -> Self {
        Self::start_with_args(dark, &[]).await
    }

    /// A browser started with more command-line switches.
    async fn start_with_args(dark: bool, extra: &[String]) -> Self {
        // chromedriver is told a port that was free a moment ago; should another test take
        // it first, chromedriver exits and starts again on another.
        for _ in 0..5 {
            if let Some(browser) = Self::start_once(dark, extra).await {
                return browser;
            }
        }
        panic!("chromedriver could not listen on a free port five times over");
    }

    /// One try: `None` when chromedriver exited (its port was taken).
    async fn start_once(dark: bool, extra: &[String]) -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let mut driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("browser tests need {chromedriver}: apt-get install -y chromium chromium-driver ({e})")
            });
        let profile = std::env::temp_dir().join(format!(
            "gatehouse-chromium-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities(&profile, dark, extra));
        let webdriver = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let client = loop {
            match builder.connect(&webdriver).await {
                Ok(client) => break client,
                Err(_) if matches!(driver.try_wait(), Ok(Some(_))) => return None,
                // chromedriver is still starting: its port is not open yet.
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("could not start Chromium through chromedriver: {e}"),
            }
        };
        Some(Self {
            driver,
            client,
            profile,
        })
    }

    async fn fill(&self, id: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("field #{id}: {e}"));
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    async fn click_link(&self, text: &str) {
        let link = self
            .client
            .wait()
            .for_element(Locator::LinkText(text))
            .await;
        link.unwrap_or_else(|e| panic!("link {text}: {e}"))
            .click()
            .await
            .expect("click");
    }

    async fn click_button(&self, label: &str) {
        let xpath = format!("//button[normalize-space()='{label}']");
        self.client
            .wait()
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("button {label}: {e}"))
            .click()
            .await
            .expect("click");
    }

    async fn wait_for_heading(&self, text: &str) {
        let xpath = format!("//h1[normalize-space()='{text}']");
        if let Err(e) = self
            .client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::XPath(&xpath))
            .await
        {
            let source = self.client.source().await.unwrap_or_default();
            panic!("heading {text:?} never appeared ({e}); page:\n{source}");
        }
    }

    /// Waits until some element matching the XPath exists, or fails with the page source.
    async fn wait_for_xpath(&self, xpath: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::XPath(xpath))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                let source = self.client.source().await.unwrap_or_default();
                panic!("{xpath} never appeared ({e}); page:\n{source}");
            }
        }
    }

    /// Signs out and waits until the signed-out page is there.
    async fn sign_out(&self) {
        // Sign out lives in the account menu (the Menu button on a phone): open the shown one.
        self.client
            .execute(
                "[...document.querySelectorAll('details.account-menu, details.nav-compact')] \
                 .filter(d => getComputedStyle(d).display !== 'none') \
                 .forEach(d => d.querySelector('summary').click());",
                vec![],
            )
            .await
            .expect("open the account menu");
        let xpath = "//details[@open]//button[normalize-space()='Sign out']";
        self.wait_for_xpath(xpath)
            .await
            .click()
            .await
            .expect("click");
        self.wait_for_xpath("//a[normalize-space()='Sign in']")
            .await;
    }

    async fn sign_in_as(&self, address: &str, email: &str) {
        self.client
            .goto(&format!("{address}/sign-in"))
            .await
            .expect("open sign-in");
        self.fill("email", email).await;
        self.fill("password", PASSWORD).await;
        self.click_button("Sign in").await;
        self.wait_for_heading("Your workspaces").await;
    }

    /// axe-core's serious and critical violations on the current page, as
    /// `{id, impact, help, nodes}` objects. Injects axe-core first when the page lacks it.
    async fn axe_violations(&self) -> Vec<serde_json::Value> {
        let present = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .expect("script");
        if present != serde_json::Value::Bool(true) {
            let inject = format!("{}\nreturn typeof window.axe;", axe_source());
            let loaded = self
                .client
                .execute(&inject, vec![])
                .await
                .expect("inject axe-core");
            assert_eq!(loaded, "object", "axe-core did not load in the page");
        }
        match self.client.execute(AXE_RUN, vec![]).await.expect("axe.run") {
            serde_json::Value::Array(violations) => violations,
            other => panic!("axe.run gave {other}"),
        }
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
