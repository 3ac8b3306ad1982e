/**
 * `miaou sign <file>` and `miaou verify <file> <signature> <id>`: detached Ed25519 signatures over
 * files (issue #2, CLI; the signed bytes are defined in file-signature.ts and docs/cli.md).
 */
import type { Command } from 'commander';
import { fromUtf8 } from '../../lib/core/bytes.ts';
import { BadSignatureError, MalformedError } from '../../lib/core/errors.ts';
import { shortFingerprint, signingKeyFromId, type MiaouId } from '../../lib/core/identity.ts';
import { importIdentity } from '../../lib/core/keystore.ts';
import { nodeEd25519 } from '../../lib/node/ed25519-node.ts';
import { action, type CliIO, type Globals } from '../context.ts';
import {
	fileSignatureMessage,
	formatSignature,
	hashFile,
	looksLikeSignature,
	MAX_SIGNATURE_FILE_BYTES,
	parseSignature
} from '../file-signature.ts';
import { exists, PUBLIC_FILE_MODE, readFileLimited, writeFileAtomic } from '../home.ts';
import { loadIdentityFile } from '../identity-file.ts';
import type { CommandResult } from '../output.ts';
import { getPassphrase } from '../passphrase.ts';
import { wipeIdentity } from './id.ts';

/**
 * `miaou sign`: sign a file with your identity's Ed25519 key.
 * @param io - process surroundings (passphrase prompt or MIAOU_PASSPHRASE)
 * @param g - global options
 * @param path - the file to sign
 * @param opts.output - write the signature (and a newline) to this file instead of stdout
 * @returns the signature in base64url, with the signer's id
 * @throws {NoIdentityError | NoSuchFileError | WrongPassphraseError | NoPassphraseError}
 */
export async function sign(io: CliIO, g: Globals, path: string, opts: { output?: string }): Promise<CommandResult> {
	const file = await loadIdentityFile(g.home);
	// Hash first: a missing file is reported before the passphrase is asked.
	const digest = await hashFile(path);
	const passphrase = await getPassphrase(io, { prompt: `Passphrase for ${file.id}: ` });
	const identity = await importIdentity(file.backup, passphrase);
	let signature: string;
	try {
		signature = formatSignature(nodeEd25519.signSync(fileSignatureMessage(digest), identity.signing.secretKey));
	} finally {
		wipeIdentity(identity);
	}
	if (opts.output !== undefined) {
		await writeFileAtomic(opts.output, `${signature}\n`, PUBLIC_FILE_MODE);
		return {
			json: { id: file.id, file: path, signature, output: opts.output },
			human: `Signature of ${path} by ${file.id} written to ${opts.output}.`
		};
	}
	return { json: { id: file.id, file: path, signature }, human: signature };
}

/**
 * Read the signature argument of `verify`: the signature itself (86 base64url characters) or the
 * name of a file holding it.
 * @param arg - the command-line argument
 * @returns the 64 signature bytes
 * @throws {MalformedError} when it is neither a well-formed signature nor a file holding one
 * @throws {NoSuchFileError | TooLargeError | FileAccessError} when the file cannot be read
 */
export async function readSignatureArg(arg: string): Promise<Uint8Array> {
	if (looksLikeSignature(arg)) return parseSignature(arg);
	if (!(await exists(arg))) {
		// Not a file: if it is made of signature characters, the user pasted a damaged signature.
		if (/^[A-Za-z0-9_-]{20,}$/.test(arg)) return parseSignature(arg);
	}
	const bytes = await readFileLimited(arg, MAX_SIGNATURE_FILE_BYTES, `The signature file ${arg}`);
	let text: string;
	try {
		text = fromUtf8(bytes);
	} catch {
		throw new MalformedError(`The signature file ${arg}`, 'not text');
	}
	return parseSignature(text);
}

/**
 * `miaou verify`: check a detached file signature against an id. Exit 0 and "valid" when it
 * verifies; otherwise a BadSignatureError (exit 1).
 * @param io - process surroundings
 * @param g - global options
 * @param path - the signed file
 * @param signatureArg - the signature or a file holding it
 * @param id - the signer's Miaou id
 * @returns the verdict (only ever valid: an invalid signature throws)
 * @throws {InvalidIdError} when `id` is not a Miaou id (exit 2)
 * @throws {BadSignatureError | MalformedError} when the signature does not verify or does not parse (exit 1)
 */
export async function verify(
	_io: CliIO,
	_g: Globals,
	path: string,
	signatureArg: string,
	id: string
): Promise<CommandResult> {
	const publicKey = signingKeyFromId(id); // throws InvalidIdError (exit 2) naming what is wrong
	const signer = id as MiaouId; // signingKeyFromId accepted it: it is a Miaou id
	const signature = await readSignatureArg(signatureArg);
	const digest = await hashFile(path);
	if (!(await nodeEd25519.verify(signature, fileSignatureMessage(digest), publicKey)))
		throw new BadSignatureError(`${path} by ${id}`);
	return {
		json: { valid: true, id, fingerprint: shortFingerprint(signer), file: path },
		human: 'valid'
	};
}

/**
 * Mount `sign` and `verify`.
 * @param program - the root command
 * @param io - process surroundings
 */
export function registerSignCommands(program: Command, io: CliIO): void {
	program
		.command('sign')
		.summary('sign a file with your identity (detached signature)')
		.description(
			'Sign a file with your identity: prints a detached Ed25519 signature (86 base64url characters) over the file.'
		)
		.argument('<file>', 'the file to sign')
		.option('-o, --output <sigfile>', 'write the signature to this file instead of stdout')
		.action(action<{ output?: string }>(io, ([file], opts, g) => sign(io, g, file!, opts)));

	program
		.command('verify')
		.summary('check a signature made by "miaou sign"')
		.description(
			'Check a detached signature made by "miaou sign": prints "valid" and exits 0, or exits 1 with the reason.'
		)
		.argument('<file>', 'the signed file')
		.argument('<signature>', 'the signature (86 base64url characters) or a file holding it')
		.argument('<id>', "the signer's Miaou id (did:key:z6Mk…)")
		.action(
			action<Record<string, never>>(io, ([file, signature, id], _opts, g) => verify(io, g, file!, signature!, id!))
		);
}
