/**
 * File names in share links. The shared bytes carry no name (a public share must hash to the
 * CID any IPFS tool computes for the file alone), so the web app puts the name in the link's
 * fragment beside the key: `…/c/<cid>#k=<key>&n=<name>`, or `…/c/<cid>#n=<name>` for a public
 * share. The fragment is never sent to a server (RFC 3986 §3.5), and readers that only look
 * for `k` (share-crypto.ts `parseShareLink`, the CLI) ignore `n`.
 *
 * A name read from a link is outside data: it is length-checked, and path separators and
 * control characters are replaced, before it becomes a download's suggested name.
 */

/** Longest file name put in or read from a link, in code points. */
export const MAX_SHARED_NAME_LENGTH = 200;
/** Longest fragment read, checked before it is parsed. */
export const MAX_FRAGMENT_LENGTH = 2048;

/**
 * Make a file name safe to suggest for a download: no path separators, no control or
 * bidirectional-override characters, not empty or a dot name, at most {@link MAX_SHARED_NAME_LENGTH}.
 * @param name - a name from a file picker or a link
 * @returns the cleaned name, or undefined when nothing usable is left
 */
export function cleanFileName(name: string): string | undefined {
	if (typeof name !== 'string') return undefined;
	let kept = '';
	// Bounded first: a link can hold a long fragment, and only the head is kept anyway.
	for (const char of name.slice(0, MAX_SHARED_NAME_LENGTH * 4)) {
		const code = char.codePointAt(0)!;
		// C0/C1 controls, and U+202A–202E / U+2066–2069, which can disguise an extension.
		if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) continue;
		if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) continue;
		kept += char === '/' || char === '\\' ? '_' : char;
	}
	// Cut by code points, so a character outside the BMP is never split in half.
	const cleaned = [...kept.trim()].slice(0, MAX_SHARED_NAME_LENGTH).join('').trim();
	if (cleaned === '' || /^\.+$/.test(cleaned)) return undefined;
	return cleaned;
}

/**
 * Add a file name to a share link's fragment.
 * @param link - a link from `shareLink` (with or without `#k=`)
 * @param name - the file name
 * @returns the link with `n=<name>` in its fragment, or unchanged when the name is unusable
 * @example withFileName('https://r.example/c/bafy…#k=abc', 'a b.pdf') // '…#k=abc&n=a+b.pdf'
 */
export function withFileName(link: string, name: string): string {
	const cleaned = cleanFileName(name);
	if (cleaned === undefined) return link;
	const hashAt = link.indexOf('#');
	const params = new URLSearchParams(hashAt < 0 ? '' : link.slice(hashAt + 1));
	params.set('n', cleaned);
	return `${hashAt < 0 ? link : link.slice(0, hashAt)}#${params.toString()}`;
}

/**
 * The file name a link's fragment carries.
 * @param hash - `location.hash` (with or without the leading `#`)
 * @returns the cleaned name, or undefined when there is none or it is unusable
 */
export function fileNameFromHash(hash: string): string | undefined {
	if (typeof hash !== 'string' || hash.length > MAX_FRAGMENT_LENGTH) return undefined;
	const name = new URLSearchParams(hash.replace(/^#/, '')).get('n');
	return name === null ? undefined : cleanFileName(name);
}

/**
 * Whether a link's fragment holds a key (`k=`), i.e. it is meant as a private share.
 * @param hash - `location.hash`
 * @returns true when a `k` parameter is present, whatever its value
 */
export function hasKeyInHash(hash: string): boolean {
	if (typeof hash !== 'string' || hash.length > MAX_FRAGMENT_LENGTH) return false;
	return new URLSearchParams(hash.replace(/^#/, '')).has('k');
}

/**
 * The part of a pasted link's fragment worth carrying to the share page: the key (`k`) and the
 * file name (`n`), nothing else.
 * @param text - what was pasted: a link, or a bare CID (which has no fragment)
 * @returns `k=…&n=…` without the `#`, or an empty string
 */
export function shareFragment(text: string): string {
	if (typeof text !== 'string' || text.length > MAX_FRAGMENT_LENGTH * 2) return '';
	let hash: string;
	try {
		hash = new URL(text.trim()).hash;
	} catch {
		return '';
	}
	if (hash.length > MAX_FRAGMENT_LENGTH) return '';
	const from = new URLSearchParams(hash.replace(/^#/, ''));
	const kept = new URLSearchParams();
	for (const name of ['k', 'n']) {
		const value = from.get(name);
		if (value !== null) kept.set(name, value);
	}
	return kept.toString();
}
