/** How violations print: mandatory first, one line each, then a count line. */
import type { Violation } from "./resource";

export function formatViolations(violations: Violation[]): string {
  const mandatory = violations.filter((v) => v.level === "mandatory");
  const advisory = violations.filter((v) => v.level === "advisory");
  return [
    ...[...mandatory, ...advisory].map((v) => `[${v.level}] ${v.policy} ${v.resource}: ${v.message}`),
    `policy violations: ${mandatory.length} mandatory, ${advisory.length} advisory`,
  ].join("\n");
}
