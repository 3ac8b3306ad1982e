#!/usr/bin/env node
// The `miaou` command. Kept to syntax every Node version parses (no top-level await, no types),
// so that an old Node prints the sentence below instead of a syntax error.

// Node runs Miaou's TypeScript sources directly; it strips types by default from 22.18 on.
const MIN_MAJOR = 22;
const MIN_MINOR = 18;

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const tooOld = major < MIN_MAJOR || (major === MIN_MAJOR && minor < MIN_MINOR);
const features = /** @type {{ typescript?: string | false }} */ (process.features);

if (tooOld) {
	process.stderr.write(
		'miaou: Miaou needs Node.js ' +
			MIN_MAJOR +
			'.' +
			MIN_MINOR +
			' or newer; this is Node.js ' +
			process.versions.node +
			'.\n'
	);
	process.exitCode = 2;
} else if (!features.typescript) {
	process.stderr.write(
		'miaou: this Node.js runs without TypeScript support (--no-experimental-strip-types); run it without that flag.\n'
	);
	process.exitCode = 2;
} else {
	import('../src/cli/main.ts').then(
		function (main) {
			return main.run(process.argv.slice(2)).then(function (code) {
				process.exitCode = code;
			});
		},
		function (err) {
			process.stderr.write('miaou: Miaou could not start: ' + String(err && err.message ? err.message : err) + '\n');
			process.exitCode = 3;
		}
	);
}
