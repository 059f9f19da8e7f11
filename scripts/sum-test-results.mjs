#!/usr/bin/env node
// sum-test-results.mjs [--problem=<text>]... <project>=<vitest json file>[=<vitest exit code>]...
//
// Adds up vitest JSON reports (--reporter=json) and prints exactly one last line
// `N passed, N failed`. Exit status 1 when a test failed, a test file failed to load,
// a report is missing or unreadable (the suite did not run), vitest exited non-zero with
// no failure in its report (e.g. unhandled errors), a --problem was given (e.g. the
// set-up failed), or nothing passed at all.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
const problems = [];

for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('--problem=')) {
    problems.push(arg.slice('--problem='.length));
    continue;
  }
  const [project = arg, file = arg, exitCode = '0'] = arg.split('=');
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    problems.push(`${project}: no test report (${file}); the suite did not run to the end`);
    continue;
  }
  const p = Number(report.numPassedTests) || 0;
  let f = Number(report.numFailedTests) || 0;
  // A test file that fails to load (syntax error, failing import or hook) reports no
  // failed test; count each such file once so it cannot go unnoticed.
  const brokenFiles = (report.testResults ?? []).filter((r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'));
  for (const r of brokenFiles) problems.push(`${project}: ${r.name} failed to run: ${String(r.message ?? '').split('\n')[0]}`);
  f += brokenFiles.length;
  if (f === 0 && exitCode !== '0') problems.push(`${project}: vitest exited with ${exitCode} although no test failed (unhandled errors?)`);
  console.log(`${project}: ${p} passed, ${f} failed`);
  passed += p;
  failed += f;
}

if (passed === 0) problems.push('no test passed: a run that executes no test is a failure');
for (const p of problems) console.log(`problem: ${p}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || problems.length > 0 ? 1 : 0);
