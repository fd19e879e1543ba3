// Fails unless the end-to-end suite ran and passed: cargo-leptos 0.3.10 exits 0
// when the site does not build or the server does not start, so its exit code
// alone proves nothing. When the suite left no report, says how far it got: the
// page checks' self-test runs first (its report is the second argument), then
// the suite, whose global set-up waits for the server to answer /health/ready.
const fs = require("fs");
const [file, selftestFile] = process.argv.slice(2);

function stats(path) {
  return path && fs.existsSync(path) ? JSON.parse(fs.readFileSync(path, "utf8")).stats : null;
}

function line(name, s) {
  return `${name}: ${s.expected} passed, ${s.unexpected} failed, ${s.flaky} flaky, ${s.skipped} skipped`;
}

const selftest = stats(selftestFile);
if (selftest) console.log(line("page-check self-test", selftest));
const suite = stats(file);
if (!suite) {
  if (!selftest) {
    console.error(`no end-to-end report at ${file}: the suite did not start (did the server start? see its log above)`);
  } else if (selftest.unexpected > 0) {
    console.error(`no end-to-end report at ${file}: the page checks' self-test failed, so the suite did not run`);
  } else {
    console.error(`no end-to-end report at ${file}: the suite did not start after the self-test (did the server answer /health/ready? see the log above)`);
  }
  process.exit(1);
}
console.log(line("end-to-end", suite));
if (suite.expected === 0 || suite.unexpected > 0 || suite.flaky > 0) process.exit(1);
