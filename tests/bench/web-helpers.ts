/**
 * The steps of `tests/e2e/chat.e2e.ts` (onboarding, unlock, invite, opening a conversation) as
 * functions of their own, for the web benchmark (`tests/bench/web.bench.ts`). They drive the same
 * screens with the same labels as the end-to-end test; the e2e file keeps its local copies.
 */
import type { Locator, Page } from 'playwright-core';

/** The passphrase both benchmark identities use. */
export const BENCH_PASSPHRASE = 'purple lantern orbit meadow';
/** Generous bound on one KDF run (scrypt N=2^17) plus the app's start. */
export const KDF_TIMEOUT_MS = 60_000;
/** Generous bound on a message's way through the relay (PoW, upload, Gun, fetch). */
export const DELIVERY_TIMEOUT_MS = 45_000;

/**
 * Wait until a locator is visible.
 * @param locator - what to wait for
 * @param timeout - bound in ms
 * @returns the same locator
 * @throws playwright's TimeoutError when it does not show in time
 */
export async function visible(locator: Locator, timeout = 20_000): Promise<Locator> {
	await locator.waitFor({ state: 'visible', timeout });
	return locator;
}

/**
 * Create an identity on the first page (as chat.e2e.ts does).
 * @param page - a page of a fresh profile
 * @param origin - the relay's URL, which serves the web app
 * @param name - the display name
 * @throws playwright's TimeoutError when the chat list does not show
 */
export async function onboard(page: Page, origin: string, name: string): Promise<void> {
	await page.goto(origin);
	await page.getByLabel('Display name').fill(name);
	await page.getByLabel('Passphrase', { exact: true }).fill(BENCH_PASSPHRASE);
	await page.getByLabel('Passphrase again').fill(BENCH_PASSPHRASE);
	await page.getByRole('button', { name: 'Create my identity' }).click();
	await visible(page.getByRole('heading', { name: 'Chats' }), KDF_TIMEOUT_MS);
}

/**
 * Unlock a locked app with the benchmark passphrase.
 * @param page - a page showing the unlock screen
 */
export async function unlock(page: Page): Promise<void> {
	await page.getByLabel('Passphrase', { exact: true }).fill(BENCH_PASSPHRASE);
	await page.getByRole('button', { name: 'Unlock' }).click();
}

/**
 * Read the invite link on the Contacts screen (the value the "Copy invite link" button copies).
 * @param page - an unlocked page
 * @returns the invite link
 */
export async function inviteLink(page: Page): Promise<string> {
	await page.getByRole('link', { name: 'Contacts' }).click();
	return (await visible(page.getByTestId('invite-link'))).inputValue();
}

/**
 * Open a conversation from the chat list.
 * @param page - an unlocked page
 * @param name - the contact's display name
 * @param timeout - bound on the chat row's appearance
 */
export async function openChat(page: Page, name: string, timeout = DELIVERY_TIMEOUT_MS): Promise<void> {
	await page.getByRole('link', { name: 'Chats', exact: true }).click();
	await (await visible(page.getByTestId('chat-row').filter({ hasText: name }), timeout)).click();
	await visible(page.getByTestId('conversation-name'));
}

/**
 * Type a message into the open conversation and press Send.
 * @param page - a page with a conversation open
 * @param text - the message
 */
export async function typeAndSend(page: Page, text: string): Promise<void> {
	await page.getByLabel('Message', { exact: true }).fill(text);
	await page.getByRole('button', { name: 'Send', exact: true }).click();
}

/**
 * The message bubble showing this text.
 * @param page - a page with a conversation open
 * @param text - the message text
 * @returns its locator
 */
export function messageWith(page: Page, text: string): Locator {
	return page.getByTestId('message').filter({ has: page.locator('.text', { hasText: text }) });
}

/**
 * Percentile of sorted samples (nearest rank).
 * @param sorted - samples, ascending
 * @param p - 0 to 100
 * @returns the sample at that rank, NaN when there is none
 */
export function percentile(sorted: readonly number[], p: number): number {
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
	return sorted[rank - 1] ?? Number.NaN;
}

/**
 * One line of p50/p90/p99/max in ms.
 * @param samples - durations in ms
 * @returns e.g. `p50 12.3 / p90 … / p99 … / max … ms (n = 100)`
 */
export function summary(samples: readonly number[]): string {
	const s = [...samples].sort((x, y) => x - y);
	const f = (v: number) => v.toFixed(1);
	return `p50 ${f(percentile(s, 50))} / p90 ${f(percentile(s, 90))} / p99 ${f(percentile(s, 99))} / max ${f(s.at(-1) ?? Number.NaN)} ms (n = ${s.length})`;
}
