//! Fingerprints the static assets so their URLs change when they do, which lets the
//! server cache them for a year (`/static/{fingerprint}/app.css`), and stops the build
//! early with a clear message when htmx (embedded in the binary) was not installed.

use std::hash::{DefaultHasher, Hash, Hasher};

const HTMX: &str = "static/vendor/htmx.min.js";

fn main() {
    println!("cargo:rerun-if-changed={HTMX}");
    if !std::path::Path::new(HTMX).is_file() {
        eprintln!("error: {HTMX} is missing: run `npm ci` (it installs the pinned htmx)");
        std::process::exit(1);
    }
    let mut hasher = DefaultHasher::new();
    for file in ["static/app.css", "static/app.js", "package-lock.json"] {
        println!("cargo:rerun-if-changed={file}");
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!(
        "cargo:rustc-env=GATEHOUSE_ASSET_VERSION={:012x}",
        hasher.finish() & 0xffff_ffff_ffff
    );
}
