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

// Tests talk to loopback only (relays on 127.0.0.1, browsers on loopback WebRTC). Where the kernel
// lets us (root on Linux, as in CI), the test stages run in a network namespace of their own whose
// only interface is loopback, so a test cannot reach any other address even by mistake.
// MIAOU_TEST_NETNS=0 turns it off.
const NETNS = ['--net', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh'];
const isolate =
	process.platform === 'linux' &&
	process.env.MIAOU_TEST_NETNS !== '0' &&
	spawnSync('unshare', [...NETNS, 'true'], { stdio: 'ignore' }).status === 0;
process.stdout.write(
	isolate
		? 'Tests run in a network namespace with loopback only.\n'
		: 'No private network namespace here (needs root on Linux): tests run in the host network, on loopback.\n'
);

/**
 * @param {string} name
 * @param {string} cmd
 * @param {string[]} args
 * @param {boolean} [loopbackOnly] - run in the loopback-only namespace when available
 */
function run(name, cmd, args, loopbackOnly = false) {
	const [file, argv] = loopbackOnly && isolate ? ['unshare', [...NETNS, cmd, ...args]] : [cmd, args];
	process.stdout.write(`\n=== ${name}: ${[file, ...argv].join(' ')}\n`);
	const r = spawnSync(file, argv, { stdio: 'inherit', env: process.env });
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
	const ok = run(
		name,
		'vitest',
		['run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`],
		true
	);
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
