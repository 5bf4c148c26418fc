/** Exit codes of `npm run plan` (also what the runner's outcome carries). */
export const EXIT = { clean: 0, mandatoryViolation: 1, invalidConfig: 2, schemaError: 3 } as const;
