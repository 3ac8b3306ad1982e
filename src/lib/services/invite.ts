/**
 * Invites (docs/messaging.md §Invites): how one person hands their id to another, as a link, a
 * short code or a QR code of either. Two forms, one content — an id, optionally a display name
 * and relay hints:
 *
 *   https://<relay>/#/invite/<id>?n=<name>&r=<relay>&r=<relay>
 *   miaou:<id>?n=<name>&r=<relay>
 *
 * - The link opens the web app served by `<relay>`; everything after `#` is a fragment, which
 *   browsers never send to a server, so the relay does not learn who invites whom. The relay the
 *   link points at counts as the first relay hint.
 * - `n` is the inviter's display name, percent-encoded, checked by the rules of profile names
 *   (docs/records.md §5.1). It is a hint to show until their signed profile is fetched.
 * - `r` (repeatable, at most {@link MAX_INVITE_RELAYS}) are relays where the inviter can be
 *   reached, normalized as http(s) base URLs.
 * - Unknown parameters are ignored so later versions can add some; a bare id is an invite too.
 *
 * Parsing is bounded first ({@link MAX_INVITE_LENGTH}) and every field is checked; anything wrong
 * is an {@link InvalidInviteError} naming the field.
 */
import { InvalidInviteError, MalformedError, MiaouError } from '../core/errors.ts';
import { isMiaouId, signingKeyFromId, type MiaouId } from '../core/identity.ts';
import { MAX_NAME_LENGTH } from '../core/records.ts';
import { normalizeRelayUrl } from '../net/http.ts';

/** Longest invite text accepted, checked before parsing. */
export const MAX_INVITE_LENGTH = 2048;
/** Most relay hints in one invite. */
export const MAX_INVITE_RELAYS = 4;
/** The scheme of the short form. */
export const INVITE_SCHEME = 'miaou:';
/** The web app's route for invites, inside the fragment. */
export const INVITE_ROUTE = '/invite/';

/** What an invite says. */
export interface Invite {
	id: MiaouId;
	/** The inviter's display name, as they wrote it. */
	name?: string;
	/** Relays where the inviter can be reached (normalized base URLs), most useful first. */
	relays: string[];
}

// Same character rules as records.ts applies to profile names (docs/records.md §5.1): controls,
// line separators and bidi overrides let a name pose as another (Unicode TR36 §2.2).
const FORBIDDEN_IN_NAME = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/**
 * Check a display name by the rules of profile names: 1 … 64 code points, NFC, no leading or
 * trailing white space, no control, line-separator or bidi-override character.
 * @param value - the name
 * @returns the same name
 * @throws {MalformedError} naming the rule it breaks
 */
export function checkDisplayName(value: unknown): string {
	if (typeof value !== 'string') throw new MalformedError('Display name', 'not a string');
	if (value.length === 0) throw new MalformedError('Display name', 'empty');
	if (value.length > 2 * MAX_NAME_LENGTH || [...value].length > MAX_NAME_LENGTH)
		throw new MalformedError('Display name', `longer than ${MAX_NAME_LENGTH} characters`);
	if (FORBIDDEN_IN_NAME.test(value)) throw new MalformedError('Display name', 'contains a control or bidi character');
	if (value !== value.trim()) throw new MalformedError('Display name', 'starts or ends with white space');
	if (value !== value.normalize('NFC')) throw new MalformedError('Display name', 'not in Unicode NFC');
	return value;
}

/**
 * Check and normalize a relay hint (net/http.ts `normalizeRelayUrl`: an http(s) base URL).
 * @param value - the URL
 * @returns the normalized URL
 * @throws {MalformedError} when it is not an http(s) or ws(s) URL without credentials
 */
export function checkRelayHint(value: unknown): string {
	if (typeof value !== 'string') throw new MalformedError('Relay URL', 'not a string');
	const url = normalizeRelayUrl(value);
	if (!new URL(url).hostname) throw new MalformedError('Relay URL', 'has no host');
	return url;
}

function checkInvite(invite: Invite): Invite {
	if (typeof invite !== 'object' || invite === null) throw new TypeError('invite must be an object');
	signingKeyFromId(invite.id);
	const relays = [...new Set((invite.relays ?? []).map(checkRelayHint))];
	if (relays.length > MAX_INVITE_RELAYS) throw new RangeError(`an invite holds at most ${MAX_INVITE_RELAYS} relays`);
	return { id: invite.id, ...(invite.name !== undefined ? { name: checkDisplayName(invite.name) } : {}), relays };
}

function query(invite: Invite, skip?: string): string {
	const params = new URLSearchParams();
	if (invite.name !== undefined) params.append('n', invite.name);
	for (const r of invite.relays) if (r !== skip) params.append('r', r);
	const text = params.toString().replace(/\+/g, '%20');
	return text ? `?${text}` : '';
}

/**
 * Write an invite as a link to a relay's web app, or as a `miaou:` code.
 * @param invite - id, name, relay hints
 * @param opts.base - the relay serving the web app (e.g. `https://relay.example.org`); without it, the `miaou:` form
 * @returns the invite text, at most {@link MAX_INVITE_LENGTH} characters
 * @throws {InvalidIdError} on a bad id
 * @throws {MalformedError} on a bad name or relay
 * @throws {RangeError} when there are too many relays or the text would be too long
 * @example encodeInvite({ id, name: 'Alice', relays: [] }, { base: 'https://relay.example.org' })
 */
export function encodeInvite(invite: Invite, opts: { base?: string } = {}): string {
	const clean = checkInvite(invite);
	let text: string;
	if (opts.base !== undefined) {
		const base = checkRelayHint(opts.base);
		text = `${base}/#${INVITE_ROUTE}${clean.id}${query(clean, base)}`;
	} else {
		text = `${INVITE_SCHEME}${clean.id}${query(clean)}`;
	}
	if (text.length > MAX_INVITE_LENGTH) throw new RangeError(`an invite is at most ${MAX_INVITE_LENGTH} characters`);
	return text;
}

function field<T>(what: string, check: () => T): T {
	try {
		return check();
	} catch (error) {
		if (error instanceof MiaouError) throw new InvalidInviteError(`${what}: ${error.message.replace(/\.$/, '')}`);
		throw new InvalidInviteError(what);
	}
}

/**
 * Read an invite: a link, a `miaou:` code or a bare id, as pasted or scanned.
 * @param text - untrusted text
 * @returns the checked invite
 * @throws {InvalidInviteError} naming what is wrong (too long, unknown form, bad id, name or relay)
 */
export function parseInvite(text: string): Invite {
	if (typeof text !== 'string') throw new InvalidInviteError('it is not text');
	if (text.length > MAX_INVITE_LENGTH)
		throw new InvalidInviteError(`it is longer than ${MAX_INVITE_LENGTH} characters`);
	const input = text.trim();
	let idPart: string;
	let params = new URLSearchParams();
	const relays: string[] = [];
	if (input.startsWith('did:')) {
		idPart = input;
	} else if (input.toLowerCase().startsWith(INVITE_SCHEME)) {
		const rest = input.slice(INVITE_SCHEME.length);
		const q = rest.indexOf('?');
		idPart = q < 0 ? rest : rest.slice(0, q);
		if (q >= 0) params = new URLSearchParams(rest.slice(q + 1));
	} else if (/^https?:\/\//i.test(input)) {
		let url: URL;
		try {
			url = new URL(input);
		} catch {
			throw new InvalidInviteError('the link does not parse');
		}
		const fragment = url.hash.slice(1);
		if (!fragment.startsWith(INVITE_ROUTE)) throw new InvalidInviteError('the link is not an invite link');
		const rest = fragment.slice(INVITE_ROUTE.length);
		const q = rest.indexOf('?');
		idPart = q < 0 ? rest : rest.slice(0, q);
		if (q >= 0) params = new URLSearchParams(rest.slice(q + 1));
		relays.push(field('the relay of the link', () => checkRelayHint(`${url.origin}${url.pathname}`)));
	} else {
		throw new InvalidInviteError('it is neither a link, a miaou: code nor an id');
	}
	let id: string;
	try {
		id = decodeURIComponent(idPart);
	} catch {
		throw new InvalidInviteError('the id is not valid percent-encoded text');
	}
	if (!isMiaouId(id)) field('the id', () => signingKeyFromId(id));
	const names = params.getAll('n');
	if (names.length > 1) throw new InvalidInviteError('it has more than one name');
	const name = names[0] === undefined ? undefined : field('the name', () => checkDisplayName(names[0]));
	for (const r of params.getAll('r')) {
		const hint = field('a relay', () => checkRelayHint(r));
		if (!relays.includes(hint)) relays.push(hint);
		if (relays.length > MAX_INVITE_RELAYS)
			throw new InvalidInviteError(`it lists more than ${MAX_INVITE_RELAYS} relays`);
	}
	return { id: id as MiaouId, ...(name !== undefined ? { name } : {}), relays };
}
