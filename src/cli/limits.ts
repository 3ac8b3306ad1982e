/**
 * Limits and defaults of the network commands that their help texts quote (docs/cli.md
 * "Limits"). Here rather than beside the code that applies them, so that building the command
 * line does not load that code.
 */

/** How long `send` waits by default for a relay to store the message, in seconds. */
export const DEFAULT_SEND_TIMEOUT_S = 30;
/** Longest `--timeout` of `send` and `--wait` of `recv`, in seconds. */
export const MAX_WAIT_S = 3600;
/** Messages `history` prints by default. */
export const DEFAULT_HISTORY_LIMIT = 50;
/** Most messages or conversations `history` prints. */
export const MAX_HISTORY_LIMIT = 1000;
/** Round trips `ping` makes by default. */
export const DEFAULT_PING_COUNT = 3;
/** Most round trips one `ping` makes. */
export const MAX_PING_COUNT = 100;
/** Time allowed for one relay probe (`ping`, `net info`, `diagnostics`) by default, in ms. */
export const PROBE_TIMEOUT_MS = 5_000;
/** Longest `--timeout` of `ping`, in seconds. */
export const MAX_PING_TIMEOUT_S = 60;
