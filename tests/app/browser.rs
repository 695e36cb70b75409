//! Browser tests live here (headless Chromium over WebDriver).
