/**
 * Messaging in real Chromium against a real relay process serving `build/`: two separate browser
 * profiles, Alice and Bob, onboard; Alice copies her invite link, Bob opens it and adds her; both
 * see the same safety number and mark each other verified; they chat both ways and see the
 * receipts; Bob closes his page, Alice sends 3 messages, Bob comes back (unlock) and gets all 3 in
 * order; a hostile message and display name show as text; a reload keeps the identity and the
 * history; the directory finds Alice by name and the trust screen shows a score. Every screen is
 * saved as a screenshot.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { openProfile, screenshot, type Profile } from './browser.ts';
import { KDF_TIMEOUT, onboard, PASSPHRASE, send, statusOf, visible } from './flows.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
const BOB_NAME = `Bob ${HOSTILE}`;
/** Generous bound on a message's way through the relay (PoW, upload, Gun, fetch). */
const DELIVERY_TIMEOUT = 45_000;

let relay: RelayProcess;
const figures: string[] = [];

beforeAll(async () => {
	relay = await startRelayProcess({ args: ['--web', 'build'] });
});

afterAll(async () => {
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	if (figures.length) console.log(`\nChat figures:\n  ${figures.join('\n  ')}`);
});

interface Watched {
	page: Page;
	dialogs: string[];
	errors: string[];
}

/** A page that records dialogs (none may open) and uncaught page errors (none may happen). */
async function watchedPage(profile: Profile, into?: Watched): Promise<Watched> {
	const page = await profile.context.newPage();
	const watched = into ?? { page, dialogs: [], errors: [] };
	watched.page = page;
	page.on('dialog', (dialog) => {
		watched.dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	page.on('pageerror', (error) => watched.errors.push(error.message));
	return watched;
}

async function unlock(page: Page): Promise<void> {
	await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
	await page.getByRole('button', { name: 'Unlock' }).click();
}

/** The texts of the conversation on screen, oldest first. */
async function texts(page: Page): Promise<string[]> {
	return page.getByTestId('message').locator('.text').allInnerTexts();
}

async function openChat(page: Page, name: string): Promise<void> {
	await page.getByRole('link', { name: 'Chats', exact: true }).click();
	await (await visible(page.getByTestId('chat-row').filter({ hasText: name }), DELIVERY_TIMEOUT)).click();
	await visible(page.getByTestId('conversation-name'));
}

describe('chat between two browsers', () => {
	let alice: Profile;
	let bob: Profile;
	let a: Watched;
	let b: Watched;
	let aliceLink: string;
	let bobSafety: string;

	beforeAll(async () => {
		[alice, bob] = await Promise.all([openProfile(), openProfile()]);
		await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: relay.url });
		a = await watchedPage(alice);
		b = await watchedPage(bob);
	});

	afterAll(async () => {
		await Promise.all([alice?.close(), bob?.close()]);
	});

	it('onboards Alice and Bob; Alice copies her invite link', async () => {
		await onboard(a.page, relay.url, 'Alice');
		await onboard(b.page, relay.url, BOB_NAME);
		await visible(a.page.getByText('No conversations yet'));
		await screenshot(a.page, 'messaging-chats-empty');
		await a.page.getByRole('link', { name: 'Contacts' }).click();
		await visible(a.page.getByTestId('invite-link'));
		await a.page.getByRole('button', { name: 'Copy invite link' }).click();
		await visible(a.page.getByText('Invite link copied.'));
		aliceLink = await a.page.evaluate(() => navigator.clipboard.readText());
		expect(aliceLink).toBe(await a.page.getByTestId('invite-link').inputValue());
		expect(aliceLink).toMatch(/\/#\/invite\/did:key:z6Mk[^?]+\?n=Alice$/);
		await a.page.getByRole('button', { name: 'Show QR code' }).click();
		await visible(a.page.getByRole('img', { name: 'QR code of your invite link' }));
		await screenshot(a.page, 'messaging-contacts');
	});

	it('Bob opens the link, adds Alice and marks her verified', async () => {
		// Opened from a mail or a chat: a new tab, so the app loads (locked) and Bob unlocks.
		await b.page.close();
		await watchedPage(bob, b);
		await b.page.goto(aliceLink);
		await unlock(b.page);
		await visible(b.page.getByText('Alice invites you to talk on Miaou.'), KDF_TIMEOUT);
		await screenshot(b.page, 'messaging-invite');
		await b.page.getByRole('button', { name: 'Add this contact' }).click();
		await visible(b.page.getByTestId('safety-number'));
		expect(await b.page.getByTestId('contact-name').innerText()).toBe('Alice');
		bobSafety = await b.page.getByTestId('safety-number').innerText();
		expect(bobSafety).toMatch(/^(\d{5} ){11}\d{5}$/);
		await b.page.getByRole('button', { name: 'Mark as verified' }).click();
		await visible(b.page.getByTestId('verified-state').filter({ hasText: 'Verified' }));
		await screenshot(b.page, 'messaging-contact');
	});

	it('Bob writes first; Alice sees it and the read receipt reaches Bob', async () => {
		await b.page.getByRole('link', { name: 'Write' }).click();
		await visible(b.page.getByTestId('conversation-name').filter({ hasText: 'Alice' }));
		const started = Date.now();
		await send(b.page, 'Hello Alice');
		await expect
			.poll(() => statusOf(b.page, 'Hello Alice'), { timeout: DELIVERY_TIMEOUT })
			.toMatch(/stored|delivered|read/);
		// Alice's messenger adds Bob as a contact with the name his profile publishes.
		await openChat(a.page, BOB_NAME);
		await visible(a.page.getByTestId('message').filter({ hasText: 'Hello Alice' }), DELIVERY_TIMEOUT);
		figures.push(`first contact, send → shown on the other browser: ${Date.now() - started} ms`);
		expect(await a.page.getByTestId('conversation-name').innerText()).toBe(BOB_NAME);
		await expect.poll(() => statusOf(b.page, 'Hello Alice'), { timeout: DELIVERY_TIMEOUT }).toBe('read');
		await screenshot(b.page, 'messaging-conversation');
	});

	it('Alice sees the same safety number, marks Bob verified and answers; receipts reach her', async () => {
		await a.page.getByRole('link', { name: 'Contact details' }).click();
		expect(await (await visible(a.page.getByTestId('safety-number'))).innerText()).toBe(bobSafety);
		await a.page.getByRole('button', { name: 'Mark as verified' }).click();
		await visible(a.page.getByTestId('verified-state').filter({ hasText: 'Verified' }));
		await a.page.getByRole('link', { name: 'Write' }).click();
		const hostile = `Hi Bob ${HOSTILE}`;
		const started = Date.now();
		await send(a.page, hostile);
		await visible(b.page.getByTestId('message').filter({ hasText: hostile }), DELIVERY_TIMEOUT);
		figures.push(`answer, send → shown on the other browser: ${Date.now() - started} ms`);
		await expect.poll(() => statusOf(a.page, hostile), { timeout: DELIVERY_TIMEOUT }).toBe('read');
		expect(await texts(b.page)).toEqual(['Hello Alice', hostile]);
		// Shown as text: no element was made from it, no script ran.
		for (const page of [a.page, b.page]) expect(await page.locator('main img').count()).toBe(0);
		expect(a.dialogs).toEqual([]);
		expect(b.dialogs).toEqual([]);
		await screenshot(a.page, 'messaging-conversation-hostile');
	});

	it('Bob away: Alice sends 3 messages; Bob comes back, unlocks and gets all 3 in order', async () => {
		await b.page.close();
		const batch = ['one', 'two', 'three'];
		for (const text of batch) await send(a.page, text);
		for (const text of batch)
			await expect.poll(() => statusOf(a.page, text), { timeout: DELIVERY_TIMEOUT }).toMatch(/stored|delivered|read/);
		expect(await statusOf(a.page, 'three')).toBe('stored'); // nobody received it yet
		await watchedPage(bob, b);
		await b.page.goto(relay.url);
		await unlock(b.page);
		await openChat(b.page, 'Alice');
		await expect
			.poll(() => texts(b.page), { timeout: DELIVERY_TIMEOUT })
			.toEqual(['Hello Alice', `Hi Bob ${HOSTILE}`, ...batch]);
		await expect.poll(() => statusOf(a.page, 'three'), { timeout: DELIVERY_TIMEOUT }).toBe('read');
		await b.page.getByRole('link', { name: 'Chats', exact: true }).click();
		await visible(b.page.getByTestId('chat-row').filter({ hasText: 'three' }));
		await screenshot(b.page, 'messaging-chats');
	});

	it('a reload keeps the identity (after unlock) and the history', async () => {
		await a.page.reload();
		await unlock(a.page);
		await openChat(a.page, BOB_NAME);
		await expect
			.poll(() => texts(a.page), { timeout: 20_000 })
			.toEqual(['Hello Alice', `Hi Bob ${HOSTILE}`, 'one', 'two', 'three']);
		expect(await statusOf(a.page, 'three')).toBe('read');
		await a.page.getByRole('link', { name: 'Contact details' }).click();
		await visible(a.page.getByTestId('verified-state').filter({ hasText: 'Verified' }));
	});

	it('Bob finds Alice in the directory, adds a trust level and sees the score', async () => {
		await b.page.getByRole('link', { name: 'Contacts' }).click();
		await b.page.getByRole('link', { name: 'Add a contact' }).click();
		await visible(b.page.getByLabel('Invite link or id'));
		await screenshot(b.page, 'messaging-add-contact');
		// The nav links to the directory too: this is the Add-contact page's own link.
		await b.page.getByRole('main').getByRole('link', { name: 'Directory' }).click();
		await b.page.getByLabel('Name', { exact: true }).fill('alice');
		await b.page.getByRole('button', { name: 'Search' }).click();
		const result = await visible(b.page.getByTestId('directory-result').filter({ hasText: 'Alice' }), DELIVERY_TIMEOUT);
		await visible(result.getByText('Already a contact'));
		await screenshot(b.page, 'messaging-directory');

		await result.getByRole('link', { name: 'Already a contact' }).click();
		await b.page.getByLabel('Trust level').selectOption('Friend');
		await visible(b.page.getByText('Trust level saved and published.'), DELIVERY_TIMEOUT);
		await b.page.getByRole('link', { name: 'Contacts' }).first().click();
		await b.page.getByRole('main').getByRole('link', { name: 'Trust' }).click();
		await visible(b.page.getByTestId('trust-score').filter({ hasText: 'Score 50 (Friend)' }));
		await screenshot(b.page, 'messaging-trust');
		expect(a.errors).toEqual([]);
		expect(b.errors).toEqual([]);
	});
});
