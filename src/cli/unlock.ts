/**
 * Opening the identity for commands that sign (trust statements, profiles, messages): the
 * identity file is read first (so "no identity" is reported before any prompt), then the
 * passphrase is asked once and the encrypted backup opened.
 */
import type { Identity } from '../lib/core/identity.ts';
import { importIdentity } from '../lib/core/keystore.ts';
import type { CliIO, Globals } from './context.ts';
import { loadIdentityFile, type IdentityFile } from './identity-file.ts';
import { getPassphrase } from './passphrase.ts';

/** An opened identity and the file it came from. */
export interface Unlocked {
	file: IdentityFile;
	identity: Identity;
}

/**
 * Read the identity file and open its keys with the passphrase.
 * @param io - process surroundings (MIAOU_PASSPHRASE or a hidden prompt)
 * @param g - global options (the data directory)
 * @returns the identity file and the identity with its secret keys; wipe them when done
 * @throws {NoIdentityError | MalformedError} when there is no usable identity file
 * @throws {WrongPassphraseError | NoPassphraseError | BadPassphraseError | AbortError}
 */
export async function unlockIdentity(io: CliIO, g: Globals): Promise<Unlocked> {
	const file = await loadIdentityFile(g.home);
	const passphrase = await getPassphrase(io, { prompt: `Passphrase for ${file.id}: ` });
	return { file, identity: await importIdentity(file.backup, passphrase) };
}
