/**
 * The CLI and a browser talk to each other (issue 4): one real relay process serving `build/`, one
 * Chromium profile (Alice, the web app) and one CLI data directory (Bob, `node bin/miaou.js`). Bob
 * creates his identity and publishes his profile from the command line; Alice adds him by his id in
 * the web app and writes first (X3DH against the prekeys the CLI published); `miaou recv` prints her
 * message and sends the read receipt back; `miaou send` answers and Alice's conversation shows it.
 * Both sides run the same messenger (src/lib/services/messaging.ts, docs/messaging.md).
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { json, miaou, RELAY_TEST_ARGS, scratch, type Scratch } from '../integration/cli-harness.ts';
import { openProfile, screenshot, type Profile } from './browser.ts';

const PASSPHRASE = 'copper willow harbour seven';
const BOB_PASSPHRASE = 'cli-browser test passphrase';
const FROM_BROWSER = 'hello from the browser';
const FROM_CLI = 'hello from the CLI';
/** Generous bound on one browser KDF run (scrypt N=2^17) plus the app's start. */
const KDF_TIMEOUT = 60_000;
/** Generous bound on a message's way through the relay (PoW, upload, Gun, fetch). */
const DELIVERY_TIMEOUT = 30_000;
/** `recv --wait`, in seconds: how long the CLI waits for Alice's message when it is not there yet. */
const RECV_WAIT_S = 20;
/** Bound on one CLI run that talks to the relay (Node start, unlock, connect, work, stop). */
const CLI_TIMEOUT = 45_000;

let relay: RelayProcess;
let s: Scratch;
let browser: Profile;
let page: Page;
const pageErrors: string[] = [];
const dialogs: string[] = [];
const figures: string[] = [];

/** Bob's CLI environment: his own data directory and passphrase, nothing from the developer's. */
const bobEnv = (): Record<string, string | undefined> => s.env(s.home('bob'), BOB_PASSPHRASE);

/** Run the CLI as Bob against the test relay. */
function bob(args: string[]): ReturnType<typeof miaou> {
	return miaou([...args, '--relay', relay.url], { env: bobEnv(), timeoutMs: CLI_TIMEOUT });
}

beforeAll(async () => {
	[relay, s, browser] = await Promise.all([
		startRelayProcess({ args: ['--web', 'build', ...RELAY_TEST_ARGS] }),
		scratch('miaou-cli-browser-'),
		openProfile()
	]);
	page = await browser.context.newPage();
	page.on('pageerror', (error) => pageErrors.push(error.message));
	page.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
});

afterAll(async () => {
	await browser?.close();
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	await s?.remove();
	if (figures.length) console.log(`\nCLI ↔ browser figures:\n  ${figures.join('\n  ')}`);
});

async function visible(locator: Locator, timeout = 20_000): Promise<Locator> {
	await locator.waitFor({ state: 'visible', timeout });
	return locator;
}

/** The texts of the conversation on screen, oldest first. */
async function texts(): Promise<string[]> {
	return page.getByTestId('message').locator('.text').allInnerTexts();
}

/** The receipt state of my message with this text, or null while it is not on screen. */
async function statusOf(text: string): Promise<string | null> {
	const message = page.getByTestId('message').filter({ has: page.locator('.text', { hasText: text }) });
	if ((await message.count()) === 0) return null;
	return message.last().locator('[data-status]').getAttribute('data-status');
}

interface Received {
	messages: { id: string; contact: string; direction: string; text: string; status: string }[];
	profilePublished: boolean;
}

describe('the CLI and a browser exchange messages both ways', () => {
	let aliceId: string;
	let bobId: string;

	it('Bob publishes his profile from the CLI while Alice onboards in the browser', async () => {
		const onboarding = (async () => {
			await page.goto(relay.url);
			await page.getByLabel('Display name').fill('Alice');
			await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
			await page.getByLabel('Passphrase again').fill(PASSPHRASE);
			await page.getByRole('button', { name: 'Create my identity' }).click();
			await visible(page.getByRole('heading', { name: 'Chats' }), KDF_TIMEOUT);
		})();
		bobId = json<{ id: string }>(
			await miaou(['id', 'new', '--name', 'Bob', '--json'], { env: bobEnv(), timeoutMs: CLI_TIMEOUT })
		).id;
		const published = json<{ id: string; name: string; relays: string[] }>(await bob(['profile', 'publish', '--json']));
		expect(published).toMatchObject({ id: bobId, name: 'Bob' });
		await onboarding;

		// Alice's id, as her invite link carries it.
		await page.getByRole('link', { name: 'Contacts' }).click();
		const link = await (await visible(page.getByTestId('invite-link'))).inputValue();
		const m = /\/#\/invite\/(did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+)\?n=Alice$/.exec(link);
		expect(m, link).not.toBeNull();
		aliceId = m![1]!;
	});

	it('Alice adds Bob by his id and writes; `miaou recv` prints it and her message turns read', async () => {
		await page.getByRole('link', { name: 'Add a contact' }).click();
		await page.getByLabel('Invite link or id').fill(bobId);
		await page.getByRole('button', { name: 'Add', exact: true }).click();
		await visible(page.getByTestId('safety-number'));
		await page.getByRole('link', { name: 'Write' }).click();
		await visible(page.getByTestId('conversation-name'));

		const started = Date.now();
		await page.getByLabel('Message', { exact: true }).fill(FROM_BROWSER);
		await page.getByRole('button', { name: 'Send', exact: true }).click();
		await expect.poll(() => statusOf(FROM_BROWSER), { timeout: DELIVERY_TIMEOUT }).toMatch(/stored|delivered|read/);

		const got = json<Received>(await bob(['recv', '--wait', String(RECV_WAIT_S), '--json']));
		figures.push(`browser send → printed by miaou recv: ${Date.now() - started} ms`);
		expect(got.profilePublished).toBe(true);
		expect(got.messages.map((msg) => [msg.contact, msg.direction, msg.text])).toEqual([[aliceId, 'in', FROM_BROWSER]]);
		// recv marks it read and sends the receipt before it exits.
		await expect.poll(() => statusOf(FROM_BROWSER), { timeout: DELIVERY_TIMEOUT }).toBe('read');
	});

	it('`miaou send` answers; Alice’s conversation shows it after hers', async () => {
		const started = Date.now();
		const sent = json<{ id: string; to: string; status: string }>(await bob(['send', aliceId, FROM_CLI, '--json']));
		expect(sent.to).toBe(aliceId);
		expect(['stored', 'delivered', 'read']).toContain(sent.status);
		await visible(page.getByTestId('message').filter({ hasText: FROM_CLI }), DELIVERY_TIMEOUT);
		figures.push(`miaou send → shown in the browser: ${Date.now() - started} ms`);
		expect(await texts()).toEqual([FROM_BROWSER, FROM_CLI]);
		await screenshot(page, 'cli-browser-conversation');

		// Bob's local history holds both, his answer with the state the relay or Alice's receipts gave it.
		const history = json<{ messages: { direction: string; text: string; status: string }[] }>(
			await miaou(['history', aliceId, '--json'], { env: bobEnv(), timeoutMs: CLI_TIMEOUT })
		);
		expect(history.messages.map((msg) => [msg.direction, msg.text])).toEqual([
			['in', FROM_BROWSER],
			['out', FROM_CLI]
		]);
		expect(pageErrors).toEqual([]);
		expect(dialogs).toEqual([]);
	});
});
