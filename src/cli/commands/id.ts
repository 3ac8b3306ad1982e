/**
 * `miaou id new | show | export | import`: the user's identity (issue #2, CLI; docs/cli.md).
 *
 * The identity lives in `<home>/identity.json` (identity-file.ts): the id in clear, the secret
 * keys encrypted under the passphrase by the core's keystore. Nothing here ever writes a secret
 * key unencrypted, and secret key bytes are wiped as soon as the command is done with them.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { fromUtf8 } from '../../lib/core/bytes.ts';
import {
	FileExistsError,
	IdentityExistsError,
	InvalidIdError,
	MalformedError,
	UsageError
} from '../../lib/core/errors.ts';
import { createIdentity, shortFingerprint, type Identity, type MiaouId } from '../../lib/core/identity.ts';
import { exportIdentity, importIdentity, readBackupId } from '../../lib/core/keystore.ts';
import { action, type CliIO, type Globals } from '../context.ts';
import { ensureHome, exists, readFileLimited, SECRET_FILE_MODE, writeFileAtomic } from '../home.ts';
import { checkName, identityPath, loadIdentityFile, saveIdentityFile, type IdentityFile } from '../identity-file.ts';
import { kdfFromEnv } from '../kdf.ts';
import { formatFields, type CommandResult, type JsonValue } from '../output.ts';
import { getPassphrase } from '../passphrase.ts';
import { terminalQr } from '../qr.ts';

/** Largest backup file `id import` reads; a real backup is well under 2 KiB. */
export const MAX_BACKUP_FILE_BYTES = 16 * 1024;
/** Largest old identity file copied aside by `--force` (a damaged one may be anything). */
export const MAX_KEPT_FILE_BYTES = 1024 * 1024;

/** Overwrite-scrub the secret key bytes of an identity we are done with. */
export function wipeIdentity(identity: Identity): void {
	identity.signing.secretKey.fill(0);
	identity.agreement.secretKey.fill(0);
}

/** The public description of an identity file, in both output forms. */
function describe(file: IdentityFile, extra: Record<string, string> = {}): CommandResult {
	const fingerprint = shortFingerprint(file.id);
	const createdAt = new Date(file.createdAt).toISOString();
	const json: Record<string, JsonValue> = { id: file.id, fingerprint, createdAt };
	if (file.name !== undefined) json.name = file.name;
	Object.assign(json, extra);
	const human = formatFields([
		['id', file.id],
		['fingerprint', fingerprint],
		['name', file.name],
		['created', createdAt],
		...Object.entries(extra)
	]);
	return { json, human };
}

/**
 * Refuse to replace an existing identity; a damaged identity file counts as one too.
 * @throws {IdentityExistsError} when the data directory has an identity file
 */
async function refuseExisting(home: string): Promise<void> {
	if (!(await exists(identityPath(home)))) return;
	let id = 'unreadable';
	try {
		id = (await loadIdentityFile(home)).id;
	} catch {
		// Damaged: still refused; --force replaces it and keeps a copy.
	}
	throw new IdentityExistsError(id, home);
}

/**
 * Before replacing an identity (with --force), keep a copy of the old file beside it, so a
 * mistaken `--force` never destroys the only copy of a secret key.
 * @returns the copy's path, or undefined when there was nothing to replace
 */
async function keepReplaced(home: string): Promise<string | undefined> {
	if (!(await exists(identityPath(home)))) return undefined;
	const old = await readFileLimited(identityPath(home), MAX_KEPT_FILE_BYTES, 'The old identity file');
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	const copy = join(home, `identity.replaced-${stamp}.json`);
	await writeFileAtomic(copy, old, SECRET_FILE_MODE);
	return copy;
}

/** Refuse `--qr` with `--json`: a drawing for the terminal has no place in a JSON result. */
function checkQr(g: Globals, qr: boolean | undefined): void {
	if (qr && g.json) throw new UsageError('The --qr option draws for a terminal and cannot be combined with --json.');
}

/**
 * `miaou id new`: create an identity and store it encrypted under a new passphrase.
 * @param io - process surroundings (passphrase prompt or MIAOU_PASSPHRASE; MIAOU_KDF_LOG_N)
 * @param g - global options
 * @param opts.name - optional display name
 * @param opts.force - replace an existing identity (the old file is kept as identity.replaced-….json)
 * @returns the new identity's public description
 * @throws {IdentityExistsError} without `force` when there is one already
 * @throws {UsageError | BadPassphraseError | NoPassphraseError} on bad input
 */
export async function idNew(io: CliIO, g: Globals, opts: { name?: string; force?: boolean }): Promise<CommandResult> {
	// Every check that can fail runs before the passphrase is asked and scrypt spends its second.
	const name = opts.name === undefined ? undefined : checkName(opts.name);
	const kdf = kdfFromEnv(io.env);
	const force = opts.force === true;
	if (!force) await refuseExisting(g.home);
	const passphrase = await getPassphrase(io, { prompt: 'New passphrase: ', confirm: true });
	const identity = createIdentity();
	let file: IdentityFile;
	try {
		const backup = await exportIdentity(identity, passphrase, { kdf });
		file = { id: identity.id, createdAt: identity.createdAt, backup };
		if (name !== undefined) file.name = name;
	} finally {
		wipeIdentity(identity);
	}
	await ensureHome(g.home);
	const replaced = force ? await keepReplaced(g.home) : undefined;
	await saveIdentityFile(g.home, file);
	return describe(file, replaced === undefined ? { home: g.home } : { home: g.home, replaced });
}

/**
 * `miaou id show`: the id, its short fingerprint, name and creation time; no passphrase needed.
 * @param io - process surroundings
 * @param g - global options
 * @param opts.qr - also draw the id as a QR code (text output only)
 * @returns the public description
 * @throws {NoIdentityError} when there is no identity yet
 */
export async function idShow(_io: CliIO, g: Globals, opts: { qr?: boolean }): Promise<CommandResult> {
	checkQr(g, opts.qr);
	const file = await loadIdentityFile(g.home);
	const result = describe(file);
	if (opts.qr) result.human += `\n${await terminalQr(file.id, 'The id')}`;
	return result;
}

/**
 * `miaou id export`: the encrypted backup text (the same text `id import` and the web app read).
 * No passphrase is asked: the backup stays encrypted under the one it has.
 * @param io - process surroundings
 * @param g - global options
 * @param opts.output - write it to this file (0600, atomically) instead of stdout
 * @param opts.force - overwrite that file if it exists
 * @param opts.qr - draw the backup as a QR code instead of printing its text
 * @returns the backup, or where it was written
 * @throws {NoIdentityError | FileExistsError}
 */
export async function idExport(
	_io: CliIO,
	g: Globals,
	opts: { output?: string; force?: boolean; qr?: boolean }
): Promise<CommandResult> {
	checkQr(g, opts.qr);
	if (opts.qr && opts.output !== undefined) throw new UsageError('Choose either --qr or --output, not both.');
	const file = await loadIdentityFile(g.home);
	if (opts.output !== undefined) {
		if (!opts.force && (await exists(opts.output))) throw new FileExistsError(opts.output);
		await writeFileAtomic(opts.output, `${file.backup}\n`, SECRET_FILE_MODE);
		return {
			json: { id: file.id, file: opts.output },
			human: `The encrypted backup of ${file.id} is in ${opts.output}.`
		};
	}
	const human = opts.qr ? await terminalQr(file.backup, 'The backup') : file.backup;
	return { json: { id: file.id, backup: file.backup }, human };
}

/**
 * `miaou id import <file>`: restore an identity from an encrypted backup. The passphrase is
 * checked by decrypting the backup; the backup text is then stored as it is (it stays encrypted
 * under the same passphrase, with the scrypt parameters it was made with).
 * @param io - process surroundings (passphrase prompt or MIAOU_PASSPHRASE)
 * @param g - global options
 * @param path - the backup file
 * @param opts.name - optional display name
 * @param opts.force - replace an existing identity (the old file is kept aside)
 * @returns the imported identity's public description
 * @throws {WrongPassphraseError} when the passphrase does not open the backup
 * @throws {MalformedError | TooLargeError | NoSuchFileError} when the file is not a backup
 * @throws {IdentityExistsError} without `force` when there is one already
 */
export async function idImport(
	io: CliIO,
	g: Globals,
	path: string,
	opts: { name?: string; force?: boolean }
): Promise<CommandResult> {
	const name = opts.name === undefined ? undefined : checkName(opts.name);
	const force = opts.force === true;
	const bytes = await readFileLimited(path, MAX_BACKUP_FILE_BYTES, `The backup file ${path}`);
	let backup: string;
	try {
		backup = fromUtf8(bytes).trim();
	} catch {
		throw new MalformedError(`The backup file ${path}`, 'not UTF-8 text');
	}
	let id: MiaouId;
	try {
		id = readBackupId(backup); // the whole clear part is checked before the passphrase is asked
	} catch (err) {
		// A bad id inside a file is a damaged backup (exit 1), not a bad argument (exit 2).
		if (err instanceof InvalidIdError) throw new MalformedError(`The backup file ${path}`, 'its id is not a Miaou id');
		throw err;
	}
	if (!force) await refuseExisting(g.home);
	const passphrase = await getPassphrase(io, { prompt: `Passphrase for ${id}: ` });
	const identity = await importIdentity(backup, passphrase);
	let file: IdentityFile;
	try {
		if (identity.id !== id) throw new MalformedError(`The backup file ${path}`, 'its clear id does not match its keys');
		file = { id: identity.id, createdAt: identity.createdAt, backup };
		if (name !== undefined) file.name = name;
	} finally {
		wipeIdentity(identity);
	}
	await ensureHome(g.home);
	const replaced = force ? await keepReplaced(g.home) : undefined;
	await saveIdentityFile(g.home, file);
	return describe(file, replaced === undefined ? { home: g.home } : { home: g.home, replaced });
}

/**
 * Mount `id` and its subcommands.
 * @param program - the root command
 * @param io - process surroundings
 */
export function registerIdCommands(program: Command, io: CliIO): void {
	const id = program
		.command('id')
		.description('Create, show, back up and restore your Miaou identity.')
		.summary('your identity: new, show, export, import');

	id.command('new')
		.summary('create a new identity, encrypted under a passphrase')
		.description(
			'Create a new identity: an Ed25519 signing key and an X25519 key signed by it, stored encrypted under a passphrase (asked twice, or MIAOU_PASSPHRASE).'
		)
		.option('--name <display name>', 'a display name kept with the identity')
		.option('--force', 'replace an existing identity (the old file is kept as identity.replaced-<time>.json)')
		.action(action<{ name?: string; force?: boolean }>(io, (_args, opts, g) => idNew(io, g, opts)));

	id.command('show')
		.summary('show your id and its fingerprint')
		.description('Show your id, its short fingerprint, name and creation time (no passphrase needed).')
		.option('--qr', 'also draw the id as a QR code, for a contact to scan')
		.action(action<{ qr?: boolean }>(io, (_args, opts, g) => idShow(io, g, opts)));

	id.command('export')
		.summary('print or save the encrypted backup of your identity')
		.description(
			'Print the encrypted backup of your identity (still encrypted under your passphrase), or write it to a file.'
		)
		.option('-o, --output <file>', 'write the backup to this file (mode 0600) instead of stdout')
		.option('--force', 'overwrite the output file if it exists')
		.option('--qr', 'draw the backup as a QR code instead of printing its text')
		.action(action<{ output?: string; force?: boolean; qr?: boolean }>(io, (_args, opts, g) => idExport(io, g, opts)));

	id.command('import')
		.summary('restore your identity from an encrypted backup')
		.description('Restore an identity from an encrypted backup file (asks for the passphrase it was made with).')
		.argument('<file>', 'the backup file, as written by "miaou id export"')
		.option('--name <display name>', 'a display name kept with the identity')
		.option('--force', 'replace an existing identity (the old file is kept as identity.replaced-<time>.json)')
		.action(action<{ name?: string; force?: boolean }>(io, ([file], opts, g) => idImport(io, g, file!, opts)));
}
