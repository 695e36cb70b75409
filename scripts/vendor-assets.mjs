// Copies the pinned htmx build from node_modules into static/vendor/ (ignored by git),
// where the server serves it. Runs after `npm ci`.
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("static/vendor", { recursive: true });
copyFileSync("node_modules/htmx.org/dist/htmx.min.js", "static/vendor/htmx.min.js");
console.log("static/vendor/htmx.min.js is in place");
