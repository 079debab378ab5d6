'use strict';
// Turns Jest's --json results into the one closing line CI reads: "N passed, N failed".
const fs = require('node:fs');

/**
 * Counts tests from Jest's JSON results. A suite that failed without a failing test (it did not
 * compile, a hook threw, it timed out loading) counts as one failed test, so it cannot hide.
 * @returns {{ passed: number, failed: number, skipped: number, notes: string[] } | null}
 */
function summarize(resultsFile) {
  let results;
  try {
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  } catch {
    return null;
  }
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const notes = [];
  for (const suite of results.testResults ?? []) {
    const assertions = suite.assertionResults ?? [];
    const suiteFailed = assertions.filter((a) => a.status === 'failed').length;
    passed += assertions.filter((a) => a.status === 'passed').length;
    skipped += assertions.filter((a) => ['pending', 'skipped', 'todo', 'disabled'].includes(a.status)).length;
    failed += suiteFailed;
    if (suite.status === 'failed' && suiteFailed === 0) {
      failed += 1;
      notes.push(`suite failed outside its tests: ${suite.name}`);
    }
  }
  return { passed, failed, skipped, notes, success: results.success === true };
}

function formatSummary({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

module.exports = { summarize, formatSummary };
