/**
 * `miaou safety-number <id>`: the number you and a contact compare out of band (read aloud, in
 * person) to be sure each holds the other's real id. Both sides compute the same number, whoever
 * runs the command (the core's `safetyNumber` is symmetric).
 */
import type { Command } from 'commander';
import { safetyNumber, signingKeyFromId, type MiaouId } from '../../lib/core/identity.ts';
import { action, type CliIO, type Globals } from '../context.ts';
import { loadIdentityFile } from '../identity-file.ts';
import { formatFields, type CommandResult } from '../output.ts';

/**
 * Compute the safety number between your identity and `theirs`; no passphrase needed.
 * @param io - process surroundings
 * @param g - global options
 * @param theirs - the contact's Miaou id
 * @returns both ids and the safety number
 * @throws {InvalidIdError} when `theirs` is not a Miaou id
 * @throws {NoIdentityError} when you have no identity yet
 */
export async function safetyNumberCommand(_io: CliIO, g: Globals, theirs: string): Promise<CommandResult> {
	signingKeyFromId(theirs); // throws InvalidIdError (exit 2) naming what is wrong
	const mine = await loadIdentityFile(g.home);
	const number = safetyNumber(mine.id, theirs as MiaouId);
	return {
		json: { id: mine.id, theirs, safetyNumber: number },
		human: formatFields([
			['you', mine.id],
			['them', theirs],
			['safety number', number]
		])
	};
}

/**
 * Mount `safety-number`.
 * @param program - the root command
 * @param io - process surroundings
 */
export function registerSafetyNumberCommand(program: Command, io: CliIO): void {
	program
		.command('safety-number')
		.summary("the number to compare with a contact, to be sure of each other's id")
		.description(
			"Show the safety number between your id and a contact's: compare it with them in person or by voice; both of you see the same number."
		)
		.argument('<id>', "the contact's Miaou id (did:key:z6Mk…)")
		.action(action<Record<string, never>>(io, ([id], _opts, g) => safetyNumberCommand(io, g, id!)));
}
