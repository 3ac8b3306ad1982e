/**
 * The network commands in-process (the same `run` the binary calls): help on stdout for every
 * command, and each bad input a user can type refused with one sentence and the documented exit
 * code, before anything touches the network or a passphrase is asked. What needs a relay is
 * tested against a real relay process in tests/integration/cli-*.test.ts.
 */
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity } from '../../lib/core/identity.ts';
import { exportIdentity } from '../../lib/core/keystore.ts';
import type { CliIO } from '../context.ts';
import { saveIdentityFile } from '../identity-file.ts';
import { run } from '../main.ts';
import { EXIT_OK, EXIT_USAGE } from '../output.ts';

let dir: string;
let home: string;
let me: string;
const other = createIdentity().id;
const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'miaou-cli-netcmd-'));
	home = join(dir, 'home');
	const identity = createIdentity();
	me = identity.id;
	const backup = await exportIdentity(identity, 'pass', { kdf: { N: 1024, r: 8, p: 1 } });
	await mkdir(home, { mode: 0o700 });
	await saveIdentityFile(home, { id: identity.id, createdAt: identity.createdAt, backup, name: 'Me' });
	// The same identity without a name, for `profile publish`.
	await mkdir(join(dir, 'nameless'), { mode: 0o700 });
	await saveIdentityFile(join(dir, 'nameless'), { id: identity.id, createdAt: identity.createdAt, backup });
	await writeFile(join(dir, 'file.txt'), 'hello');
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

/** Run the CLI in-process; relays in MIAOU_RELAYS point at a port nothing should ever reach. */
async function cli(
	args: string[],
	env: Record<string, string> = {}
): Promise<{ code: number; out: string; err: string }> {
	let out = '';
	let err = '';
	const io: CliIO = {
		stdin: Object.assign(new EventEmitter(), { resume() {}, pause() {} }),
		stdout: { write: (s: string) => (out += s) },
		stderr: { write: (s: string) => (err += s) },
		env: { MIAOU_HOME: home, MIAOU_PASSPHRASE: 'pass', MIAOU_RELAYS: 'http://127.0.0.1:9', ...env }
	};
	const code = await run(args, io);
	return { code, out, err };
}

/** The one line of stderr, without its prefix; fails unless there is exactly one. */
function sentence(r: { err: string; out: string }): string {
	expect(r.out).toBe('');
	const lines = r.err.split('\n').filter((l) => l !== '');
	expect(lines, r.err).toHaveLength(1);
	return lines[0]!.replace(/^miaou: /, '');
}

describe('help', () => {
	it('every network command answers --help on stdout with exit 0', async () => {
		const commands = [
			['send'],
			['recv'],
			['history'],
			['profile'],
			['profile', 'publish'],
			['profile', 'show'],
			['directory'],
			['trust'],
			['trust', 'set'],
			['trust', 'get'],
			['trust', 'score'],
			['share'],
			['get'],
			['net'],
			['net', 'info'],
			['ping'],
			['diagnostics']
		];
		for (const c of commands) {
			const r = await cli([...c, '--help']);
			const name = ['miaou', ...c].join(' ');
			expect(r.code, name).toBe(EXIT_OK);
			expect(r.out, name).toContain(`Usage: ${name}`);
			expect(r.err, name).toBe('');
		}
		const share = await cli(['share', '--help']);
		expect(share.out).toContain('--relay <url>');
		expect(share.out).toContain('MIAOU_RELAYS');
		expect(share.out).toContain('63 MiB');
	});

	it('a group without its subcommand is one sentence, exit 2', async () => {
		for (const [group, subs] of [
			['trust', 'set, get, score'],
			['profile', 'publish, show'],
			['net', 'info']
		] as const) {
			const r = await cli([group]);
			expect(r.code).toBe(EXIT_USAGE);
			expect(sentence(r)).toBe(`"miaou ${group}" needs a command: ${subs} (see "miaou ${group} --help").`);
		}
	});
});

describe('bad input: one sentence, exit 2, nothing sent anywhere', () => {
	const cases: [string, string[], Record<string, string>, string | RegExp][] = [
		['send: a bad id', ['send', 'bob', 'hi'], {}, /^Not a valid Miaou id: /],
		['send: empty text', ['send', other, ''], {}, 'Message text is malformed: empty.'],
		['send: to myself', ['send', '__ME__', 'hi'], {}, 'You cannot send a message to yourself.'],
		['send: bad timeout', ['send', other, 'hi', '--timeout', '-1'], {}, /^The --timeout option needs a number/],
		[
			'send: no relay',
			['send', other, 'hi'],
			{ MIAOU_RELAYS: '' },
			/^No relay given: pass --relay <url> or set MIAOU_RELAYS/
		],
		['recv: bad wait', ['recv', '--wait', 'soon'], {}, 'The --wait option needs a number of seconds from 0 to 3600.'],
		[
			'recv: wait too long',
			['recv', '--wait', '3601'],
			{},
			'The --wait option needs a number of seconds from 0 to 3600.'
		],
		[
			'recv: a bad relay URL',
			['recv', '--relay', 'gopher://x'],
			{},
			/^The relay gopher:\/\/x in --relay is not usable: /
		],
		[
			'recv: a bad MIAOU_RELAYS',
			['recv'],
			{ MIAOU_RELAYS: 'http://ok.example, nope' },
			/^The relay nope in MIAOU_RELAYS is not usable: /
		],
		['recv: an empty --relay', ['recv', '--relay', ' '], {}, 'The --relay option needs a URL.'],
		['history: a bad id', ['history', 'nobody'], {}, /^Not a valid Miaou id: /],
		[
			'history: bad limit',
			['history', '--limit', '1.5'],
			{},
			'The --limit option needs a whole number from 1 to 1000.'
		],
		[
			'directory: nothing to search',
			['directory', ' \u200b '],
			{},
			'The name to search for is empty once spaces and invisible characters are removed.'
		],
		['directory: too long', ['directory', 'x'.repeat(65)], {}, 'The name to search for is longer than 64 characters.'],
		['profile publish: bad name', ['profile', 'publish', '--name', ' '], {}, 'The name is empty.'],
		[
			'profile publish: long about',
			['profile', 'publish', '--about', 'x'.repeat(501)],
			{},
			'The --about text is longer than 500 characters.'
		],
		[
			'profile publish: no name at all',
			['profile', 'publish'],
			{ MIAOU_HOME: '__DIR__/nameless' },
			'Your identity has no name yet: give one with --name <display name>.'
		],
		['profile show: a bad id', ['profile', 'show', 'did:key:z6Mk'], {}, /^Not a valid Miaou id: /],
		[
			'trust set: a bad level',
			['trust', 'set', other, 'bestie'],
			{},
			/^"bestie" is not a trust level: give an integer from -100 to 100 or a name: Blocked \(-100\), /
		],
		['trust set: out of range', ['trust', 'set', other, '-101'], {}, /^"-101" is not a trust level/],
		['trust set: a fraction', ['trust', 'set', other, '2.5'], {}, /^"2.5" is not a trust level/],
		['trust set: myself', ['trust', 'set', '__ME__', 'friend'], {}, 'A trust statement cannot be about yourself.'],
		[
			'trust set: empty evidence',
			['trust', 'set', other, 'friend', '--evidence', ' '],
			{},
			'The --evidence text is empty.'
		],
		['trust get: a bad issuer', ['trust', 'get', other, '--from', 'x'], {}, /^Not a valid Miaou id: /],
		['trust score: missing id', ['trust', 'score'], {}, "Missing required argument 'id'."],
		['share: missing file', ['share', '__DIR__/missing.txt'], {}, 'No such file: __DIR__/missing.txt.'],
		['get: no output', ['get', CID], {}, 'Say where to write the file: -o <file>.'],
		['get: not a CID', ['get', 'hello', '-o', 'x'], {}, 'The CID is malformed: "hello" is not a CID.'],
		[
			'get: not a link',
			['get', 'https://x.example/files/abc', '-o', 'x'],
			{},
			'The share link is malformed: its path is not /c/<cid> or /ipfs/<cid>.'
		],
		[
			'get: a bad key',
			['get', `https://x.example/c/${CID}#k=abc`, '-o', 'x'],
			{},
			'The share key is malformed: not 43 base64url characters (32 bytes).'
		],
		['get: no relay for a bare CID', ['get', CID, '-o', 'x'], { MIAOU_RELAYS: '' }, /^No relay given/],
		['net info: no relay', ['net', 'info'], { MIAOU_RELAYS: '' }, /^No relay given/],
		[
			'ping: not a URL',
			['ping', 'relay.example'],
			{},
			'Relay URL is malformed: "relay.example" is not an absolute URL.'
		],
		[
			'ping: bad count',
			['ping', 'http://127.0.0.1:9', '--count', '0'],
			{},
			'The --count option needs a number from 1 to 100.'
		],
		[
			'ping: fractional count',
			['ping', 'http://127.0.0.1:9', '--count', '1.5'],
			{},
			'The --count option needs a whole number.'
		],
		[
			'ping: bad timeout',
			['ping', 'http://127.0.0.1:9', '--timeout', 'x'],
			{},
			'The --timeout option needs a number from 0.1 to 60.'
		]
	];
	for (const [what, args, env, expected] of cases) {
		it(what, async () => {
			const fixed = args.map((a) => a.replace('__ME__', me).replace('__DIR__', dir));
			const fixedEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('__DIR__', dir)]));
			const r = await cli(fixed, fixedEnv);
			expect(r.code).toBe(EXIT_USAGE);
			const line = sentence(r);
			if (typeof expected === 'string') expect(line).toBe(expected.replace(/__DIR__/g, dir));
			else expect(line).toMatch(expected);
		});
	}

	it('with --json the failure is one JSON object on stderr with a stable code', async () => {
		const r = await cli(['trust', 'set', other, 'bestie', '--json']);
		expect(r.code).toBe(EXIT_USAGE);
		expect(r.out).toBe('');
		const parsed = JSON.parse(r.err) as { error: { code: string; message: string } };
		expect(parsed.error.code).toBe('ERR_USAGE');
		expect(parsed.error.message).toMatch(/^"bestie" is not a trust level/);
	});

	it('commands that need an identity say so first', async () => {
		const r = await cli(['trust', 'score', other], { MIAOU_HOME: join(dir, 'empty') });
		expect(r.code).toBe(EXIT_USAGE);
		expect(sentence(r)).toMatch(/^No identity in /);
	});
});

describe('diagnostics without relays', () => {
	it('reports the local checks and warns that no relay is configured (exit 0, one JSON object)', async () => {
		const r = await cli(['diagnostics', '--json'], { MIAOU_RELAYS: '' });
		expect(r.err).toBe('');
		expect(r.code).toBe(EXIT_OK);
		const report = JSON.parse(r.out) as { ok: boolean; checks: { name: string; status: string; detail: string }[] };
		expect(report.ok).toBe(true);
		const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
		expect(byName.ed25519?.status).toBe('ok');
		expect(byName.identity).toMatchObject({ status: 'ok' });
		expect(byName.identity?.detail).toContain(me);
		expect(byName.home?.status).toBe('ok');
		expect(byName.relays).toMatchObject({ status: 'warn' });
	});
});
