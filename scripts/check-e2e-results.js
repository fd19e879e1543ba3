// Fails unless the end-to-end suite ran and passed: cargo-leptos 0.3.10 exits 0
// when the site does not build, so its exit code alone proves nothing.
const fs = require("fs");
const file = process.argv[2];
if (!fs.existsSync(file)) {
  console.error(`no end-to-end report at ${file}: the site did not build or the suite did not start`);
  process.exit(1);
}
const { stats } = JSON.parse(fs.readFileSync(file, "utf8"));
console.log(`end-to-end: ${stats.expected} passed, ${stats.unexpected} failed, ${stats.flaky} flaky, ${stats.skipped} skipped`);
if (stats.expected === 0 || stats.unexpected > 0 || stats.flaky > 0) process.exit(1);
