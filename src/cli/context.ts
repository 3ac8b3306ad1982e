/**
 * What every command receives: the process's streams and environment (injectable, so the CLI can
 * run in-process in unit tests), and the global options every command accepts (`--home`, `--json`).
 */
import type { Command } from 'commander';
import { resolveHome } from './home.ts';
import type { CommandResult, TextSink } from './output.ts';
import { printResult } from './output.ts';
import type { PromptInput } from './passphrase.ts';

/** The process surroundings a command uses. */
export interface CliIO {
	stdin: PromptInput;
	stdout: TextSink;
	stderr: TextSink;
	env: Readonly<Record<string, string | undefined>>;
	/** Called by `run` with the exit code once the command is done and its output written. */
	onDone?: (code: number) => void;
}

/**
 * Set by a command that used Gun (network.ts). Gun arms 9-second acknowledgement timers
 * (gun/gun.js `opt.lack`) that nothing can cancel or unref, which would keep a finished command
 * alive for those seconds; the real process therefore exits as soon as its output is flushed.
 */
export const lingering = { gun: false };

/** The options every command accepts, resolved. */
export interface Globals {
	/** Absolute path of the data directory. */
	home: string;
	/** One JSON object on stdout instead of text. */
	json: boolean;
}

/**
 * The real process's streams and environment.
 * @returns stdin, stdout, stderr and env of this process
 */
export function processIO(): CliIO {
	return {
		stdin: process.stdin,
		stdout: process.stdout,
		stderr: process.stderr,
		env: process.env,
		onDone(code) {
			if (!lingering.gun) return;
			// Exit once both streams have flushed what the command wrote (the callbacks run after it).
			process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
		}
	};
}

/**
 * Resolve the global options as seen from a (sub)command.
 * @param cmd - the command whose action runs
 * @param io - for the environment (MIAOU_HOME)
 * @returns the data directory and the output mode
 * @throws {UsageError} on an empty `--home`
 */
export function globalsOf(cmd: Command, io: CliIO): Globals {
	const opts = cmd.optsWithGlobals<{ home?: string; json?: boolean }>();
	return { home: resolveHome(opts.home, io.env), json: opts.json === true };
}

/**
 * Wrap a command's work as a commander action: resolve the globals, run, print the result.
 * Errors propagate to `run`, which prints them (output.ts), so every command fails alike.
 * @param io - the process surroundings
 * @param work - the command's work, given the positional arguments, its options and the globals
 * @returns an action handler for `Command.action`
 */
export function action<Opts>(
	io: CliIO,
	work: (args: (string | undefined)[], opts: Opts, globals: Globals) => Promise<CommandResult>
): (...raw: unknown[]) => Promise<void> {
	return async (...raw) => {
		// commander calls actions with (…positional arguments, options, command); an optional
		// argument that was not given arrives as undefined.
		const cmd = raw[raw.length - 1] as Command;
		const opts = raw[raw.length - 2] as Opts;
		const args = raw.slice(0, -2).map((a) => (a === undefined ? undefined : String(a)));
		const globals = globalsOf(cmd, io);
		printResult(await work(args, opts, globals), globals.json, io.stdout);
	};
}
