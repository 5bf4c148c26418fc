/**
 * The regular-expression engine ajv uses for `pattern` (and `patternProperties`): RE2, as the API
 * server reads CRD patterns (Go's regexp, RE2 syntax). JavaScript's RegExp reads some RE2 syntax
 * with another meaning (`[[:alpha:]]` is a character class of `[:alph`, `\z` matches "z") or not
 * at all (`(?i)`). Given through ajv's documented `code.regExp` option.
 */
import { RE2JS } from "@bufbuild/re2";
import type { RegExpEngine } from "ajv/dist/types";

/** ajv passes a `u` flag when `unicodeRegExp` is on; RE2 patterns are always Unicode-aware. */
export const re2Engine: RegExpEngine = Object.assign((pattern: string) => new RE2JS(pattern), {
  // Only read by ajv's standalone code generation, which this validator does not use.
  code: 'new (require("@bufbuild/re2").RE2JS)',
});
