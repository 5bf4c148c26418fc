/** A JSON-like map (not null, not an array): what every reader of untyped inputs checks first. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
