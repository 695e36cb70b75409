//! Fingerprints the static assets so their URLs change when they do, which lets the
//! server cache them for a year (`/static/{fingerprint}/app.css`).

use std::hash::{DefaultHasher, Hash, Hasher};

fn main() {
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
