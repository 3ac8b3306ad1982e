/**
 * `miaou send`, `miaou recv` and `miaou history` end to end: two data directories, two people,
 * one real relay process (Gun for the mailboxes, IPFS for the envelopes). Every command is its own
 * process, so what survives between them is what the data directory holds.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import {
	json,
	miaou,
	newIdentity,
	oneLine,
	RELAY_TEST_ARGS,
	scratch,
	SLOW_TEST_MS,
	type Scratch
} from './cli-harness.ts';

const PASS = 'messages-test passphrase';
let relay: RelayProcess;
let s: Scratch;
let alice: { home: string; id: string };
let bob: { home: string; id: string };
const env = (home: string, pass: string | undefined = PASS): Record<string, string | undefined> => ({
	...s.env(home, pass),
	MIAOU_RELAYS: relay.url
});

interface Received {
	messages: { id: string; contact: string; direction: string; text: string; name?: string; status: string }[];
	profilePublished: boolean;
}
interface History {
	contact: string;
	messages: { id: string; direction: string; text: string; status: string }[];
}

beforeAll(async () => {
	[relay, s] = await Promise.all([startRelayProcess({ args: RELAY_TEST_ARGS }), scratch('miaou-cli-messages-')]);
	const [a, b] = await Promise.all([
		newIdentity(s, s.home('alice'), PASS, 'Alice'),
		newIdentity(s, s.home('bob'), PASS, 'Bob')
	]);
	alice = { home: s.home('alice'), id: a };
	bob = { home: s.home('bob'), id: b };
}, 60_000);
afterAll(async () => {
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	await s?.remove();
});

describe('send, recv, history', { timeout: SLOW_TEST_MS }, () => {
	it('Alice writes to Bob, Bob reads and answers, both histories hold the conversation', async () => {
		// Bob's first recv publishes his profile (he has a name), so that Alice can reach him.
		const first = json<Received>(await miaou(['recv', '--json'], { env: env(bob.home) }));
		expect(first).toEqual({ messages: [], profilePublished: true });

		const text = 'Hello Bob! <img src=x onerror=alert(1)> \u{1F431}';
		const sent = json<{ id: string; to: string; status: string }>(
			await miaou(['send', bob.id, text, '--json'], { env: env(alice.home) })
		);
		expect(sent.to).toBe(bob.id);
		expect(['stored', 'delivered', 'read']).toContain(sent.status);

		const got = json<Received>(await miaou(['recv', '--json'], { env: env(bob.home) }));
		expect(got.messages).toHaveLength(1);
		expect(got.messages[0]).toMatchObject({ id: sent.id, contact: alice.id, direction: 'in', text });

		// Nothing new the second time: printed messages are marked read.
		const again = await miaou(['recv'], { env: env(bob.home) });
		expect(again.code).toBe(0);
		expect(again.stdout).toBe('No new messages.\n');

		// Bob answers with --wait on Alice's side: the message arrives while she waits.
		const waiting = miaou(['recv', '--wait', '60', '--json'], { env: env(alice.home) });
		await new Promise((r) => setTimeout(r, 1500));
		const answer = json<{ id: string }>(
			await miaou(['send', alice.id, 'Hi Alice\nsecond line', '--json'], { env: env(bob.home) })
		);
		const received = json<Received>(await waiting);
		expect(received.messages.map((m) => [m.id, m.text, m.contact])).toEqual([
			[answer.id, 'Hi Alice\nsecond line', bob.id]
		]);

		// Alice's history: both messages in order, hers marked read by Bob's receipt.
		const history = json<History>(await miaou(['history', bob.id, '--json'], { env: env(alice.home) }));
		expect(history.messages.map((m) => [m.direction, m.text])).toEqual([
			['out', text],
			['in', 'Hi Alice\nsecond line']
		]);
		expect(history.messages[0]!.status).toBe('read');

		const list = json<{ conversations: { contact: string; unread: number; name?: string }[] }>(
			await miaou(['history', '--json'], { env: env(bob.home) })
		);
		expect(list.conversations).toEqual([expect.objectContaining({ contact: alice.id, unread: 0 })]);

		// The human form prints untrusted text as text, one message per entry.
		const human = await miaou(['history', alice.id], { env: env(bob.home) });
		expect(human.stdout).toContain(`: ${text}\n`);
		expect(human.stdout).toMatch(/you: Hi Alice\n {4}second line {2}\[(stored|delivered|read)\]/);

		// At rest: the messages are nowhere in clear in the data directory.
		for (const name of await readdir(bob.home, { recursive: true })) {
			const path = join(bob.home, name);
			if (!(await stat(path)).isFile()) continue;
			expect((await readFile(path)).includes(Buffer.from('Hello Bob')), path).toBe(false);
		}
	});

	it('a recipient without a profile, a wrong passphrase: one sentence, exit 1', async () => {
		const stranger = await newIdentity(s, s.home('stranger'), PASS);
		const noProfile = await miaou(['send', stranger, 'hello?', '--json'], { env: env(alice.home) });
		expect(noProfile.code).toBe(1);
		expect(noProfile.stdout).toBe('');
		expect(JSON.parse(noProfile.stderr)).toEqual({
			error: {
				code: 'ERR_NO_PROFILE',
				message: `No profile is published for ${stranger}: they must open Miaou once with a relay you also use.`
			}
		});
		const wrongPass = await miaou(['history'], { env: env(alice.home, 'not the passphrase') });
		expect(wrongPass.code).toBe(1);
		expect(oneLine(wrongPass)).toBe('The passphrase is wrong: the key backup did not decrypt.');
	});

	it('one messaging command at a time per data directory', async () => {
		const waiting = miaou(['recv', '--wait', '4'], { env: env(bob.home) });
		const lock = join(bob.home, 'messaging.lock');
		for (let i = 0; i < 200 && !(await stat(lock).catch(() => undefined)); i++)
			await new Promise((r) => setTimeout(r, 50));
		const busy = await miaou(['history'], { env: env(bob.home) });
		expect(busy.code).toBe(2);
		expect(oneLine(busy)).toMatch(
			new RegExp(`^Another miaou command \\(process \\d+\\) is using ${bob.home}; wait for it to finish\\.$`)
		);
		expect((await waiting).code).toBe(0);
		await expect(stat(lock)).rejects.toThrow(); // released
		expect((await miaou(['history'], { env: env(bob.home) })).code).toBe(0);
	});
});
