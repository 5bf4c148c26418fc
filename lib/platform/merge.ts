/** Deep merge of user overrides (`platform.values.<part>`) into the values we compute. */

import { isPlainObject } from "../plain-object";

/** Objects merge key by key; arrays and scalars from `override` replace those in `base`. */
export function deepMerge(base: Record<string, unknown>, override: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!override) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = isPlainObject(value) && isPlainObject(merged[key]) ? deepMerge(merged[key] as Record<string, unknown>, value) : value;
  }
  return merged;
}
