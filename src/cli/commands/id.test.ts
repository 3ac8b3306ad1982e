import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity } from '../../lib/core/identity.ts';
import { exportIdentity } from '../../lib/core/keystore.ts';
import type { CliIO } from '../context.ts';
import { run } from '../main.ts';
import { wipeIdentity } from './id.ts';

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'miaou-cli-idcmd-'));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

/** Run the CLI in-process against the data directory `home`. */
async function cli(
	args: string[],
	home: string,
	passphrase?: string
): Promise<{ code: number; out: string; err: string }> {
	let out = '';
	let err = '';
	const env: Record<string, string> = { MIAOU_HOME: home, MIAOU_KDF_LOG_N: '10' };
	if (passphrase !== undefined) env.MIAOU_PASSPHRASE = passphrase;
	const io: CliIO = {
		stdin: Object.assign(new EventEmitter(), { resume() {}, pause() {} }),
		stdout: { write: (s: string) => (out += s) },
		stderr: { write: (s: string) => (err += s) },
		env
	};
	const code = await run(args, io);
	return { code, out, err };
}

describe('id commands (in-process)', () => {
	it('a damaged identity file blocks "id new" until --force, which keeps a copy of it', async () => {
		const home = join(dir, 'damaged');
		expect((await cli(['id', 'new'], home, 'pw')).code).toBe(0);
		await writeFile(join(home, 'identity.json'), '{"half a fi');
		const refused = await cli(['id', 'new'], home, 'pw');
		expect(refused.code).toBe(1);
		expect(refused.err).toBe(
			`miaou: An identity (unreadable) already exists in ${home}; pass --force to replace it.\n`
		);
		const shown = await cli(['id', 'show'], home);
		expect(shown.code).toBe(1);
		expect(shown.err).toMatch(/is malformed: not JSON/);

		const forced = await cli(['id', 'new', '--force', '--json'], home, 'pw');
		expect(forced.code).toBe(0);
		const { replaced } = JSON.parse(forced.out) as { replaced: string };
		expect(await readFile(replaced, 'utf8')).toBe('{"half a fi');
		expect((await readdir(home)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
	});

	it('checks the name before asking for a passphrase', async () => {
		const r = await cli(['id', 'new', '--name', '  '], join(dir, 'name'));
		expect(r).toEqual({ code: 2, out: '', err: 'miaou: The name is empty.\n' });
	});

	it('import keeps a given name and needs --force over another identity', async () => {
		const source = createIdentity();
		const backupFile = join(dir, 'source.backup');
		await writeFile(backupFile, `${await exportIdentity(source, 'old pw', { kdf: { N: 1024, r: 8, p: 1 } })}\n`);
		const home = join(dir, 'imp');
		expect((await cli(['id', 'new'], home, 'pw')).code).toBe(0);
		const refused = await cli(['id', 'import', backupFile], home, 'old pw');
		expect(refused.code).toBe(1);
		expect(refused.err).toMatch(/already exists/);
		const ok = await cli(['id', 'import', backupFile, '--force', '--name', 'Restored', '--json'], home, 'old pw');
		expect(ok.code).toBe(0);
		expect(JSON.parse(ok.out)).toMatchObject({ id: source.id, name: 'Restored' });
		// The stored backup still opens with the passphrase it was made with: signing works.
		const file = join(dir, 'to-sign');
		await writeFile(file, 'x');
		expect((await cli(['sign', file], home, 'old pw')).code).toBe(0);
		expect((await cli(['sign', file], home, 'pw')).code).toBe(1);
	});

	it('a backup whose clear id is not a Miaou id is a damaged file (exit 1), not a bad argument', async () => {
		const source = createIdentity();
		const backup = JSON.parse(await exportIdentity(source, 'pw', { kdf: { N: 1024, r: 8, p: 1 } })) as Record<
			string,
			unknown
		>;
		const path = join(dir, 'badid.backup');
		await writeFile(path, JSON.stringify({ ...backup, id: 'did:key:zNope' }));
		const r = await cli(['id', 'import', path], join(dir, 'badid'), 'pw');
		expect(r.code).toBe(1);
		expect(r.err).toBe(`miaou: The backup file ${path} is malformed: its id is not a Miaou id.\n`);
	});

	it('refuses --qr together with --output', async () => {
		const home = join(dir, 'qr');
		expect((await cli(['id', 'new'], home, 'pw')).code).toBe(0);
		const r = await cli(['id', 'export', '--qr', '-o', join(dir, 'x')], home);
		expect(r).toEqual({ code: 2, out: '', err: 'miaou: Choose either --qr or --output, not both.\n' });
	});
});

describe('wipeIdentity', () => {
	it('zeroes both secret keys', () => {
		const identity = createIdentity();
		wipeIdentity(identity);
		expect(identity.signing.secretKey.every((b) => b === 0)).toBe(true);
		expect(identity.agreement.secretKey.every((b) => b === 0)).toBe(true);
	});
});
