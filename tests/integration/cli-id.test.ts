/**
 * `miaou id …` end to end: the real binary in child processes, real files, real scrypt (at a test
 * cost), no terminal on stdin.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { miaou, oneLine, scratch, SLOW_TEST_MS, type Scratch } from './cli-harness.ts';

const PASS = 'correct horse battery staple';
let s: Scratch;

beforeAll(async () => {
	s = await scratch('miaou-cli-id-');
});
afterAll(async () => {
	await s.remove();
});

interface Shown {
	id: string;
	fingerprint: string;
	createdAt: string;
	name?: string;
	home?: string;
	replaced?: string;
}

describe('help', { timeout: SLOW_TEST_MS }, () => {
	it('every command answers --help on stdout with exit 0', async () => {
		const commands = [
			[],
			['id'],
			['id', 'new'],
			['id', 'show'],
			['id', 'export'],
			['id', 'import'],
			['sign'],
			['verify'],
			['safety-number'],
			['relay']
		];
		const results = await Promise.all(commands.map((c) => miaou([...c, '--help'])));
		results.forEach((r, i) => {
			const name = ['miaou', ...commands[i]!].join(' ');
			expect(r.code, name).toBe(0);
			expect(r.stdout, name).toContain(`Usage: ${name}`);
			expect(r.stderr, name).toBe('');
		});
	});
});

describe('id new, show, export, import', { timeout: SLOW_TEST_MS }, () => {
	it('creates an identity, shows it without a passphrase, and restores it elsewhere with the same id', async () => {
		const home = s.home('alice');
		const created = await miaou(['id', 'new', '--name', 'Alice', '--json'], { env: s.env(home, PASS) });
		expect(created.stderr).toBe('');
		expect(created.code).toBe(0);
		const made = JSON.parse(created.stdout) as Shown;
		expect(made.id).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
		expect(made.name).toBe('Alice');
		expect(made.home).toBe(home);
		expect(new Date(made.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

		// Private directory, private file, no temporary file left behind.
		expect((await stat(home)).mode & 0o777).toBe(0o700);
		expect((await stat(join(home, 'identity.json'))).mode & 0o777).toBe(0o600);
		expect(await readdir(home)).toEqual(['identity.json']);

		// show needs no passphrase.
		const shown = await miaou(['id', 'show'], { env: s.env(home) });
		expect(shown.code).toBe(0);
		expect(shown.stdout).toContain(`id:          ${made.id}`);
		expect(shown.stdout).toContain(`fingerprint: ${made.fingerprint}`);
		expect(shown.stdout).toContain('name:        Alice');
		const shownJson = JSON.parse((await miaou(['id', 'show', '--json'], { env: s.env(home) })).stdout) as Shown;
		expect(shownJson).toEqual({ id: made.id, fingerprint: made.fingerprint, createdAt: made.createdAt, name: 'Alice' });

		// export to stdout and to a file: the same text, the file 0600.
		const exported = await miaou(['id', 'export'], { env: s.env(home) });
		expect(exported.code).toBe(0);
		const backupFile = join(s.dir, 'alice.backup');
		const toFile = await miaou(['id', 'export', '-o', backupFile, '--json'], { env: s.env(home) });
		expect(JSON.parse(toFile.stdout)).toEqual({ id: made.id, file: backupFile });
		expect(await readFile(backupFile, 'utf8')).toBe(exported.stdout);
		expect((await stat(backupFile)).mode & 0o777).toBe(0o600);
		expect(exported.stdout).not.toContain(PASS);

		// The backup stays encrypted: the identity file's secret part is the same text.
		const stored = JSON.parse(await readFile(join(home, 'identity.json'), 'utf8')) as { backup: string };
		expect(stored.backup).toBe(exported.stdout.trim());

		// import into another data directory: same id, same fingerprint, same creation time.
		const other = s.home('alice-laptop');
		const imported = await miaou(['id', 'import', backupFile, '--json'], { env: s.env(other, PASS) });
		expect(imported.stderr).toBe('');
		expect(imported.code).toBe(0);
		const restored = JSON.parse(imported.stdout) as Shown;
		expect(restored.id).toBe(made.id);
		expect(restored.fingerprint).toBe(made.fingerprint);
		expect(restored.createdAt).toBe(made.createdAt);
		const again = JSON.parse((await miaou(['id', 'show', '--json'], { env: s.env(other) })).stdout) as Shown;
		expect(again.id).toBe(made.id);

		// export refuses to overwrite a file without --force.
		const refused = await miaou(['id', 'export', '-o', backupFile], { env: s.env(home) });
		expect(refused.code).toBe(1);
		expect(oneLine(refused)).toBe(`${backupFile} already exists; pass --force to overwrite it.`);
		expect((await miaou(['id', 'export', '-o', backupFile, '--force'], { env: s.env(home) })).code).toBe(0);
	});

	it('refuses to replace an identity without --force, and keeps the old one aside with it', async () => {
		const home = s.home('replace');
		const first = JSON.parse((await miaou(['id', 'new', '--json'], { env: s.env(home, PASS) })).stdout) as Shown;

		const refused = await miaou(['id', 'new'], { env: s.env(home, PASS) });
		expect(refused.code).toBe(1);
		expect(refused.stdout).toBe('');
		expect(oneLine(refused)).toBe(`An identity (${first.id}) already exists in ${home}; pass --force to replace it.`);

		const forced = await miaou(['id', 'new', '--force', '--json'], { env: s.env(home, PASS) });
		expect(forced.code).toBe(0);
		const second = JSON.parse(forced.stdout) as Shown;
		expect(second.id).not.toBe(first.id);
		expect(second.replaced).toMatch(/identity\.replaced-.*\.json$/);
		const kept = JSON.parse(await readFile(second.replaced!, 'utf8')) as { id: string };
		expect(kept.id).toBe(first.id);
		expect((await stat(second.replaced!)).mode & 0o777).toBe(0o600);
	});

	it('draws QR codes for the id and the backup', async () => {
		const home = s.home('qr');
		expect((await miaou(['id', 'new'], { env: s.env(home, PASS) })).code).toBe(0);
		const idQr = await miaou(['id', 'show', '--qr'], { env: s.env(home) });
		expect(idQr.code).toBe(0);
		expect(idQr.stdout).toMatch(/[▀▄█]/);
		const backupQr = await miaou(['id', 'export', '--qr'], { env: s.env(home) });
		expect(backupQr.code).toBe(0);
		expect(backupQr.stdout.split('\n').length).toBeGreaterThan(idQr.stdout.split('\n').length - 10);
		const both = await miaou(['id', 'show', '--qr', '--json'], { env: s.env(home) });
		expect(both.code).toBe(2);
		expect(JSON.parse(both.stderr)).toEqual({
			error: { code: 'ERR_USAGE', message: 'The --qr option draws for a terminal and cannot be combined with --json.' }
		});
	});
});

describe('failures: exit code and one sentence', { timeout: SLOW_TEST_MS }, () => {
	it('a wrong passphrase on import says so (exit 1)', async () => {
		const home = s.home('wrongpass');
		expect((await miaou(['id', 'new'], { env: s.env(home, PASS) })).code).toBe(0);
		const backupFile = join(s.dir, 'wrongpass.backup');
		expect((await miaou(['id', 'export', '-o', backupFile], { env: s.env(home) })).code).toBe(0);
		const r = await miaou(['id', 'import', backupFile], { env: s.env(s.home('wrongpass-2'), 'not the passphrase') });
		expect(r.code).toBe(1);
		expect(r.stdout).toBe('');
		expect(oneLine(r)).toMatch(/passphrase/i);
		const j = await miaou(['id', 'import', backupFile, '--json'], { env: s.env(s.home('wrongpass-2'), 'nope') });
		expect((JSON.parse(j.stderr) as { error: { code: string } }).error.code).toBe('ERR_WRONG_PASSPHRASE');
	});

	it('no passphrase and no terminal is a clear error (exit 2), before anything is written', async () => {
		const home = s.home('nopass');
		const r = await miaou(['id', 'new'], { env: s.env(home) });
		expect(r.code).toBe(2);
		expect(oneLine(r)).toBe(
			'A passphrase is needed but there is no terminal to ask on: set MIAOU_PASSPHRASE or run in a terminal.'
		);
		await expect(stat(home)).rejects.toThrow();
	});

	it('an empty passphrase is refused (exit 2)', async () => {
		const r = await miaou(['id', 'new'], { env: s.env(s.home('empty'), '') });
		expect(r.code).toBe(2);
		expect(oneLine(r)).toMatch(/passphrase is refused: it is empty/);
	});

	it('show without an identity says how to make one (exit 2)', async () => {
		const home = s.home('none');
		const r = await miaou(['id', 'show'], { env: s.env(home) });
		expect(r.code).toBe(2);
		expect(oneLine(r)).toBe(
			`No identity in ${home}: create one with "miaou id new" or import one with "miaou id import <file>".`
		);
	});

	it('import of a missing file or a file that is not a backup', async () => {
		const missing = join(s.dir, 'no-such.backup');
		const r = await miaou(['id', 'import', missing], { env: s.env(s.home('imp'), PASS) });
		expect(r.code).toBe(2);
		expect(oneLine(r)).toBe(`No such file: ${missing}.`);

		const junk = join(s.dir, 'junk.backup');
		await writeFile(junk, 'this is not a backup\n');
		const bad = await miaou(['id', 'import', junk], { env: s.env(s.home('imp'), PASS) });
		expect(bad.code).toBe(1);
		expect(oneLine(bad)).toMatch(/malformed|not a|unsupported/i);

		const huge = join(s.dir, 'huge.backup');
		await writeFile(huge, 'x'.repeat(100_000));
		const big = await miaou(['id', 'import', huge], { env: s.env(s.home('imp'), PASS) });
		expect(big.code).toBe(1);
		expect(oneLine(big)).toMatch(/more than the limit/);
	});

	it('a tampered identity file is refused when read', async () => {
		const home = s.home('tamper');
		const other = s.home('tamper-other');
		expect((await miaou(['id', 'new'], { env: s.env(home, PASS) })).code).toBe(0);
		const otherId = (JSON.parse((await miaou(['id', 'new', '--json'], { env: s.env(other, PASS) })).stdout) as Shown)
			.id;
		const path = join(home, 'identity.json');
		const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
		await writeFile(path, JSON.stringify({ ...file, id: otherId }));
		const r = await miaou(['id', 'show'], { env: s.env(home) });
		expect(r.code).toBe(1);
		expect(oneLine(r)).toBe(`The identity file ${path} is malformed: its id does not match the id in its key backup.`);
	});

	it('a bad MIAOU_KDF_LOG_N or option is a usage error (exit 2)', async () => {
		const r = await miaou(['id', 'new'], { env: { ...s.env(s.home('kdf'), PASS), MIAOU_KDF_LOG_N: '40' } });
		expect(r.code).toBe(2);
		expect(oneLine(r)).toBe('MIAOU_KDF_LOG_N must be an integer from 10 to 20.');
		const u = await miaou(['id', 'nwe'], { env: s.env(s.home('kdf')) });
		expect(u.code).toBe(2);
		expect(oneLine(u)).toMatch(/^Unknown command 'nwe'/);
	});

	it('the binary refuses to run where Node cannot strip TypeScript types, in one sentence', async () => {
		const r = await miaou(['--help'], { nodeArgs: ['--no-experimental-strip-types'] });
		expect(r.code).toBe(2);
		expect(oneLine(r)).toMatch(/without TypeScript support/);
	});
});
