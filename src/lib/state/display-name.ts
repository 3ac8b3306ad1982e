/**
 * Display names as typed by people: cleaned so they show the same everywhere, checked against a
 * length bound. A name is always shown as text (Svelte escapes it), so markup in a name is
 * harmless and kept as typed.
 */
import { MAX_DISPLAY_NAME_LENGTH } from '../browser/key-storage.ts';

export { MAX_DISPLAY_NAME_LENGTH };

// C0/C1 controls, and the Unicode bidirectional embedding/override/isolate marks, which can make a
// name display reversed or swallow the text after it (Unicode TR #9 §2; CVE-2021-42574 "Trojan Source").
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Clean a display name: Unicode NFC, invisible control and bidi characters removed, runs of
 * white space turned into one space, trimmed.
 * @param input - the name as typed
 * @returns the cleaned name (possibly empty)
 */
export function normalizeDisplayName(input: string): string {
	return input.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/** Why a display name is refused. */
export type DisplayNameProblem = 'empty' | 'too-long';

/**
 * Check a cleaned display name.
 * @param name - a name from normalizeDisplayName
 * @returns the problem, or null when the name is fine
 */
export function displayNameProblem(name: string): DisplayNameProblem | null {
	if (name.length === 0) return 'empty';
	if ([...name].length > MAX_DISPLAY_NAME_LENGTH) return 'too-long';
	return null;
}
