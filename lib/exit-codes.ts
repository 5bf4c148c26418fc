/**
 * Exit codes of every command line, in one place. Each command keeps 0 for success and 2 for
 * input it cannot use (usage, invalid config, unreadable file), so scripts can rely on both.
 */
const OK = 0;
const UNUSABLE_INPUT = 2;

/** `npm run plan` (also what the runner's outcome carries). */
export const PLAN_EXIT = { clean: OK, mandatoryViolation: 1, invalidConfig: UNUSABLE_INPUT, schemaError: 3 } as const;
/** `npm run allocate`. */
export const ALLOCATE_EXIT = { ok: OK, full: 1, invalid: UNUSABLE_INPUT } as const;
/** `npm run policy`. */
export const POLICY_EXIT = { clean: OK, mandatory: 1, unreadable: UNUSABLE_INPUT } as const;
/** `npm run policy:config`. */
export const POLICY_CONFIG_EXIT = { written: OK, invalid: UNUSABLE_INPUT } as const;
/** Every command: an unknown or malformed flag. */
export const USAGE_EXIT = UNUSABLE_INPUT;
/** Every command: an error no command anticipated (BSD's EX_SOFTWARE). */
export const CRASH_EXIT = 70;
