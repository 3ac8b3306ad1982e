#!/usr/bin/env node
// Runs before `npm start` and `npm test` (pre-scripts), with whatever Node started npm: plain JS,
// no dependencies. It makes a fresh clone runnable with one command:
//  - installs the locked dependencies (`npm ci`) when node_modules is missing or older than the
//    lock file. The lock includes the `node` package, which ships a Node 22 binary that npm puts
//    first on PATH for every script, so the project runs on Node 22 whatever Node the machine has;
//  - for tests, finds a Chromium for the browser tests and says how to get one when there is none.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
const localNode = join(root, 'node_modules', '.bin', 'node');

/** @param {string} sentence */
function fail(sentence) {
	process.stderr.write(`${sentence}\n`);
	process.exit(1);
}

const stale = !existsSync(installed) || !existsSync(localNode) || statSync(lock).mtimeMs > statSync(installed).mtimeMs;
if (stale) {
	process.stdout.write('Installing the locked dependencies (npm ci)…\n');
	const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
	if (r.status !== 0) fail('Installing dependencies failed (npm ci); see the messages above.');
}

const version = execFileSync(localNode, ['--version'], { encoding: 'utf8' }).trim();
const [major = 0, minor = 0] = version.slice(1).split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18))
	fail(`Miaou needs Node 22.18 or newer; node_modules/.bin/node is ${version}. Run \`npm ci\` again.`);

if (process.argv.includes('--test')) {
	const candidates = [
		process.env.MIAOU_CHROMIUM,
		'/usr/bin/chromium',
		'/usr/bin/chromium-browser',
		'/usr/bin/google-chrome'
	];
	const chromium = candidates.find((p) => p && existsSync(p));
	if (!chromium)
		fail(
			'The browser tests need Chromium: install it (Debian/Ubuntu: `sudo apt-get install chromium`) or set MIAOU_CHROMIUM to its path.'
		);
}
