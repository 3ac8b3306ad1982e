#!/usr/bin/env node
// The whole test suite, stage by stage: type checks, lint, unit + integration tests (vitest), browser
// end-to-end tests (vitest driving Debian Chromium through playwright-core). Every stage runs even
// when an earlier one failed, so one run shows everything that is broken; the last line is the
// plain total CI reads: "N passed, N failed". A static check (types, lint) counts as one test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const only = process.argv.slice(2);
const out = mkdtempSync(join(tmpdir(), 'miaou-test-'));
let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];

/**
 * @param {string} name
 * @param {string} cmd
 * @param {string[]} args
 */
function run(name, cmd, args) {
	process.stdout.write(`\n=== ${name}: ${[cmd, ...args].join(' ')}\n`);
	const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
	return r.status === 0;
}

/**
 * @param {string} name
 * @param {string} cmd
 * @param {string[]} args
 */
function staticStage(name, cmd, args) {
	if (only.length && !only.includes(name)) return;
	const ok = run(name, cmd, args);
	if (ok) passed++;
	else failed++;
	lines.push(`${name}: ${ok ? 'passed' : 'FAILED'}`);
}

/**
 * @param {string} name
 * @param {string[]} args
 */
function vitestStage(name, args) {
	if (only.length && !only.includes(name)) return;
	const file = join(out, `${name}.json`);
	const ok = run(name, 'vitest', [
		'run',
		...args,
		'--reporter=default',
		'--reporter=json',
		`--outputFile.json=${file}`
	]);
	let p, f, s;
	try {
		const report = JSON.parse(readFileSync(file, 'utf8'));
		p = report.numPassedTests;
		f = report.numFailedTests;
		s = report.numPendingTests + report.numTodoTests;
		// A suite that failed to load (syntax error, crash) has no tests to count: count it as one failure.
		f += report.testResults.filter(
			(/** @type {{status: string, assertionResults: unknown[]}} */ t) =>
				t.status === 'failed' && t.assertionResults.length === 0
		).length;
	} catch {
		p = 0;
		f = 1;
		s = 0;
	}
	if (!ok && f === 0) f = 1;
	passed += p;
	failed += f;
	skipped += s;
	lines.push(`${name}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`);
}

staticStage('types', 'npm', ['run', '-s', 'check']);
staticStage('lint', 'npm', ['run', '-s', 'lint']);
vitestStage('unit', []);
if (!only.length || only.includes('e2e')) {
	if (run('build', 'npm', ['run', '-s', 'build'])) vitestStage('e2e', ['--config', 'tests/e2e/vitest.config.ts']);
	else {
		failed++;
		lines.push('e2e: build FAILED');
	}
}

rmSync(out, { recursive: true, force: true });
process.stdout.write(`\n${lines.join('\n')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
