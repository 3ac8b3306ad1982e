/**
 * Mailbox ids (docs/messaging.md §Mailboxes): where `box` entries for a person are filed, so a
 * relay cannot draw the social graph from fixed inboxes (ARCHITECTURE.md §Messages). Pure
 * functions, no I/O.
 *
 * - **Inbox** (first contact): derived from the recipient's public id and the UTC day. Anyone can
 *   compute it — a stranger must be able to reach the recipient — so it hides nothing from a relay
 *   that knows the id; it only keeps one day's entries apart from the next.
 *
 *     inbox(R, day) = HKDF-SHA-256(ikm = Ed25519 key of R, salt = 32 zeros,
 *                                  info = "miaou/v1/mailbox/inbox" ‖ u32(day), 32)
 *
 * - **Pair mailbox** (everything after the first reply): derived from the static X25519 agreement
 *   between the two identities, the direction (the recipient) and the day. Only the two parties
 *   can compute it; it changes every day and differs per direction, so a relay sees unrelated
 *   random ids.
 *
 *     pairKey          = HKDF-SHA-256(ikm = X25519(a, B), salt = 32 zeros, info = "miaou/v1/mailbox/pair-key", 32)
 *     pair(R, day)     = HKDF-SHA-256(ikm = pairKey, salt = 32 zeros,
 *                                     info = "miaou/v1/mailbox/pair" ‖ Ed25519 key of R ‖ u32(day), 32)
 *
 * `day` is the number of whole UTC days since 1970-01-01 (`floor(ms / 86,400,000)`). Mailbox ids
 * are 32 bytes as base64url (43 characters), the form records.ts requires (`isMailboxId`).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, concat, toBase64url, utf8 } from '../core/bytes.ts';
import { signingKeyFromId, type MiaouId } from '../core/identity.ts';
import { x25519, X25519_KEY_LENGTH } from '../core/x25519.ts';
import type { IdentityKeys } from '../core/x3dh.ts';

/** Milliseconds in one mailbox day (UTC days; no leap seconds in Unix time). */
export const MAILBOX_DAY_MS = 86_400_000;
/** Days a recipient follows live: today and yesterday (a sender just before midnight, a late clock). */
export const WATCHED_DAYS = 2;
/**
 * Days read back when a client starts after being away: as long as the outbox keeps trying
 * (7 days, `OUTBOX_EXPIRY_MS`), plus today.
 */
export const CATCH_UP_DAYS = 8;
/** Largest day number (u32). */
export const MAX_MAILBOX_DAY = 0xffff_ffff;

const INBOX_INFO = 'miaou/v1/mailbox/inbox';
const PAIR_KEY_INFO = utf8('miaou/v1/mailbox/pair-key');
const PAIR_INFO = 'miaou/v1/mailbox/pair';
const ZERO_SALT = new Uint8Array(32);

/** A mailbox id: 32 bytes, base64url (43 characters). */
export type MailboxId = string;

function u32(n: number): Uint8Array {
	const out = new Uint8Array(4);
	new DataView(out.buffer).setUint32(0, n);
	return out;
}

function checkDay(day: number): number {
	if (!Number.isInteger(day) || day < 0 || day > MAX_MAILBOX_DAY)
		throw new RangeError(`day must be an integer from 0 to ${MAX_MAILBOX_DAY}`);
	return day;
}

/**
 * The mailbox day of a time.
 * @param ms - milliseconds since the Unix epoch
 * @returns whole UTC days since 1970-01-01
 * @throws {RangeError} for a negative or non-finite time
 */
export function mailboxDay(ms: number): number {
	if (!Number.isFinite(ms) || ms < 0) throw new RangeError('time must be a non-negative number of milliseconds');
	return checkDay(Math.floor(ms / MAILBOX_DAY_MS));
}

/**
 * The days a client follows at time `ms`, oldest first ({@link WATCHED_DAYS} of them).
 * @param ms - now
 * @returns e.g. [yesterday, today]
 */
export function watchedDays(ms: number): number[] {
	const today = mailboxDay(ms);
	return Array.from({ length: WATCHED_DAYS }, (_, i) => today - WATCHED_DAYS + 1 + i).filter((d) => d >= 0);
}

/**
 * A recipient's first-contact inbox for one day. Public: anyone who knows the id can compute it,
 * relays included (docs/messaging.md §What a relay learns).
 * @param recipient - the recipient's id
 * @param day - a {@link mailboxDay}
 * @returns the mailbox id
 * @throws {InvalidIdError} when `recipient` is not a Miaou id
 * @throws {RangeError} on a bad day
 * @example inboxMailbox(bob.id, mailboxDay(Date.now()))
 */
export function inboxMailbox(recipient: MiaouId, day: number): MailboxId {
	const key = signingKeyFromId(recipient);
	return toBase64url(hkdf(sha256, key, ZERO_SALT, concat(utf8(INBOX_INFO), u32(checkDay(day))), 32));
}

/**
 * The secret two identities share for their pair mailboxes: HKDF of the static X25519 agreement
 * between their agreement keys. Both sides compute the same key. Keep it like a secret: whoever
 * has it can find (not read) the pair's mailboxes.
 * @param me - our identity keys (the agreement secret is used)
 * @param peerAgreementKey - the peer's X25519 identity key, already verified as signed by the peer
 * @returns 32 bytes
 * @throws {InvalidKeyError} when the peer key is a small-order point (RFC 7748 §6.1)
 * @throws {TypeError | RangeError} on keys of the wrong type or length
 */
export function pairMailboxKey(me: IdentityKeys, peerAgreementKey: Uint8Array): Uint8Array {
	abytes(peerAgreementKey, X25519_KEY_LENGTH, 'peerAgreementKey');
	const dh = x25519(me.agreement.secretKey, peerAgreementKey);
	const key = hkdf(sha256, dh, ZERO_SALT, PAIR_KEY_INFO, 32);
	dh.fill(0);
	return key;
}

/**
 * The pair mailbox for messages to `recipient` on one day. The two directions differ, so each
 * side follows only the mailbox addressed to it.
 * @param pairKey - from {@link pairMailboxKey}
 * @param recipient - the id the messages are for (one of the pair)
 * @param day - a {@link mailboxDay}
 * @returns the mailbox id
 * @throws {InvalidIdError} when `recipient` is not a Miaou id
 * @throws {TypeError | RangeError} on a bad key or day
 */
export function pairMailbox(pairKey: Uint8Array, recipient: MiaouId, day: number): MailboxId {
	abytes(pairKey, 32, 'pairKey');
	const info = concat(utf8(PAIR_INFO), signingKeyFromId(recipient), u32(checkDay(day)));
	return toBase64url(hkdf(sha256, pairKey, ZERO_SALT, info, 32));
}
