/**
 * Writes allocation pins into the text of a Pulumi stack file. The `yaml` Document API locates
 * each VM map and the pair to insert after; the new lines are spliced into the original text,
 * so every other byte (comments and their alignment, key order, quoting, line endings) stays
 * exactly as written, which re-serialising the document would not guarantee.
 */
import { isMap, isScalar, isSeq, parseDocument, type Pair, type YAMLMap } from "yaml";
import { pinPath, type EipPin, type Pin, type PinKey, type VmPin } from "./allocate";
import { CONFIG_NAMESPACE } from "./config/load";

const PIN_ORDER: PinKey[] = ["underlayIp", "vpcIp"];

/** A pinned key goes right after the last of these keys the VM map already has. */
const INSERT_AFTER: Record<PinKey, string[]> = {
  underlayIp: ["guest"],
  vpcIp: ["guest", "underlayIp"],
};

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function findPair(map: YAMLMap, name: string): Pair | undefined {
  return map.items.find((item) => keyText(item.key) === name);
}

/** Child map of `map` under `name` (matched as text, so a key like `7` still matches "7"). */
function childMap(map: YAMLMap, name: string, where: string): YAMLMap {
  const value = findPair(map, name)?.value;
  if (!isMap(value)) throw new Error(`${where ? `${where}.` : ""}${name} is not a YAML map in the stack file`);
  return value;
}

function nodeRange(node: unknown): [number, number, number] {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) throw new Error("the stack file has a node without a source position");
  return range;
}

interface Edit {
  at: number;
  text: string;
  /** Characters at `at` the text replaces (none: an insertion). */
  replace?: number;
}

/** The text edit that inserts `pins` (one VM's, in order) after `anchor` in `map`. */
function insertion(source: string, eol: string, map: YAMLMap, anchor: Pair, pins: VmPin[]): Edit {
  const valueEnd = nodeRange(anchor.value)[1];
  if (map.flow) return { at: valueEnd, text: pins.map((pin) => `, ${pin.key}: ${pin.ip}`).join("") };
  // Block map: new lines after the anchor's line (its comment included), at the anchor key's column.
  const keyStart = nodeRange(anchor.key)[0];
  const indent = " ".repeat(keyStart - (source.lastIndexOf("\n", keyStart) + 1));
  const lineEnd = source.indexOf(eol, valueEnd - 1);
  return { at: lineEnd < 0 ? source.length : lineEnd, text: pins.map((pin) => `${eol}${indent}${pin.key}: ${pin.ip}`).join("") };
}

/** Edits that replace each `~` entry of a registration's `eips` sequence by its pinned address. */
function eipEdits(tenants: YAMLMap, pins: EipPin[]): Edit[] {
  return pins.map((pin) => {
    const tenant = childMap(tenants, pin.tenant, "tenants");
    const eips = findPair(tenant, "eips")?.value;
    const item: unknown = isSeq(eips) ? eips.items[pin.index] : undefined;
    if (!isScalar(item) || item.value !== null) throw new Error(`${pinPath(pin)} is not a ~ entry in the stack file; pins never move`);
    const [start, end] = nodeRange(item);
    // A bare "-" item has an empty range: keep a space between the dash and the address.
    return { at: start, text: start === end ? ` ${pin.ip}` : pin.ip, replace: end - start };
  });
}

/** The stack file text with every pin inserted into its VM's map (or its `eips` entry). */
export function applyPins(source: string, pins: Pin[]): string {
  const doc = parseDocument(source);
  if (doc.errors.length > 0) throw new Error(`the stack file is not valid YAML: ${doc.errors[0].message}`);
  if (!isMap(doc.contents)) throw new Error("the stack file is not a YAML map");
  const tenants = childMap(childMap(doc.contents, "config", ""), `${CONFIG_NAMESPACE}:tenants`, "config");
  const eol = source.includes("\r\n") ? "\r\n" : "\n";

  const byVm = new Map<string, VmPin[]>();
  const edits: Edit[] = eipEdits(
    tenants,
    pins.filter((pin): pin is EipPin => pin.key === "eips"),
  );
  for (const pin of pins) {
    if (pin.key === "eips") continue;
    const key = `${pin.tenant}\0${pin.vm}`;
    byVm.set(key, [...(byVm.get(key) ?? []), pin]);
  }
  for (const vmPins of byVm.values()) {
    const { tenant, vm } = vmPins[0];
    const map = childMap(childMap(childMap(tenants, tenant, "tenants"), "vms", `tenants.${tenant}`), vm, `tenants.${tenant}.vms`);
    const sorted = [...vmPins].sort((a, b) => PIN_ORDER.indexOf(a.key) - PIN_ORDER.indexOf(b.key));
    // Keys inserted together at one anchor stay in PIN_ORDER; each anchor is an existing pair.
    const byAnchor = new Map<Pair, VmPin[]>();
    for (const pin of sorted) {
      if (findPair(map, pin.key)) throw new Error(`${pinPath(pin)} is already set in the stack file; pins never move`);
      const anchor = [...INSERT_AFTER[pin.key]]
        .reverse()
        .map((key) => findPair(map, key))
        .find((pair) => pair !== undefined);
      if (!anchor) throw new Error(`tenants.${tenant}.vms.${vm} has no guest key to place ${pin.key} after`);
      byAnchor.set(anchor, [...(byAnchor.get(anchor) ?? []), pin]);
    }
    for (const [anchor, anchored] of byAnchor) edits.push(insertion(source, eol, map, anchor, anchored));
  }
  // Apply from the end so earlier offsets stay valid.
  return edits
    .sort((a, b) => b.at - a.at)
    .reduce((text, edit) => text.slice(0, edit.at) + edit.text + text.slice(edit.at + (edit.replace ?? 0)), source);
}
