/**
 * cni/x-calico-route reads its config with its own JSON reader (no jq, for speed: see the
 * plugin's header). These tests hold that reader to JSON.parse: the same texts accepted and the
 * same rejected, on a corpus of documents and on many single-character mutations of them.
 * The verdict is read from the plugin's error: a document it parses stops at the (deliberately
 * unsupported) cniVersion with code 1, one it cannot parse stops with code 6.
 * Needs only /bin/bash; it lives with the netns tests because it runs the plugin for real.
 */
import { strict as assert } from "assert";
import { ROUTE_PLUGIN, run } from "./netns";

/** Valid JSON values, each put into a config as the value of an extra member. */
const VALID_VALUES = [
  "{}",
  "[]",
  '""',
  "0",
  "-0",
  "1.5e-3",
  "-12.5E+7",
  "123456789012345678901234567890",
  "true",
  "false",
  "null",
  '{"a":[1,2,{"b":null}],"c":"d"}',
  '"\\\\\\"\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00"',
  '"a\\\\"',
  '"\\\\\\\\"',
  '["\\"", "\\\\", "\\\\\\""]',
  '"é — 漢字 \\u0000"',
  '{"a/b":{"~":1,"~1":"/"},"":0}',
  '[[[[[[{"x":[[]]}]]]]]]',
  ' { "a" : [ 1 , 2 ] , "b" : { } , "c" : "d" } ',
  '\t{\r\n  "a":\ttrue ,\n  "b" :[\r\n null ] }\n',
  "[0,-1,0.5,1e5,2E-2,-0.0e+0]",
  '"\u007f"',
  '{"interfaces":[{"name":"eth0","mac":"aa:bb:cc:dd:ee:ff","sandbox":"/run/netns/x"}],"ips":[{"version":"4","address":"10.0.0.2/32","interface":0}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}',
];

const INVALID_VALUES = [
  '{"a":1,}',
  "[1,]",
  '{"a" 1}',
  "{a:1}",
  "[01]",
  "[1.]",
  "[.5]",
  "[+1]",
  "[-]",
  "[1e]",
  '["\\x"]',
  '["\\u12"]',
  '["\\u12g4"]',
  '["a\nb"]',
  '["a\tb"]',
  "[tru]",
  "[nul]",
  "[truee]",
  "[1 2]",
  '["a" "b"]',
  '{"a":1}}',
  "[[]",
  '"unterminated',
  '"a\\"',
  "'single'",
  "[Infinity]",
  "[NaN]",
  "[,1]",
  "{,}",
  "[1,,2]",
  '{"a"::1}',
  '{"a":1,"b"}',
  '["a":1]',
  '{"a":[}]',
  "[{]}",
  '{"a":1 "b":2}',
  "\u0001",
  "[\u0001]",
  "",
];

/** Whole documents (not wrapped): top-level handling. */
const DOCUMENTS: { text: string; valid: boolean }[] = [
  { text: '  {"cniVersion":"9.9.9"}  \n', valid: true },
  { text: '{"cniVersion":"9.9.9"} {}', valid: false },
  { text: '{"cniVersion":"9.9.9"}]', valid: false },
  { text: '\ufeff{"cniVersion":"9.9.9"}', valid: false },
  { text: "", valid: false },
  { text: "   ", valid: false },
  { text: "[]", valid: true },
  { text: '"just a string"', valid: true },
  { text: "42", valid: true },
];

function wrap(value: string): string {
  return `{"cniVersion":"9.9.9","name":"n","type":"x-calico-route","x":${value}}`;
}

function jsonParses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether the plugin's reader accepted TEXT (see the file comment). */
function pluginParses(text: string): boolean {
  const env: NodeJS.ProcessEnv = { ...process.env, CNI_COMMAND: "ADD" };
  delete env.CNI_NETNS;
  const completed = run(ROUTE_PLUGIN, [], { input: Buffer.from(text, "utf8"), env, allowFailure: true });
  const error = JSON.parse(completed.stdout) as { code: number; details?: string };
  if (error.code === 1) return true;
  if (error.code === 6 && /^network config: expected object/.test(error.details ?? "")) return true;
  if (error.code === 6 && /^network config is not valid JSON/.test(error.details ?? "")) return false;
  throw new Error(`unexpected answer to ${JSON.stringify(text)}: ${completed.stdout} ${completed.stderr}`);
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure names a reproducible mutant. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MUTATION_ALPHABET = [
  "{",
  "}",
  "[",
  "]",
  ":",
  ",",
  '"',
  "\\",
  " ",
  "\t",
  "\n",
  "0",
  "1",
  "9",
  ".",
  "-",
  "+",
  "e",
  "E",
  "t",
  "f",
  "n",
  "u",
  "l",
  "x",
  "/",
  "~",
  "\u0001",
];

function mutants(count: number, seed: number): string[] {
  const next = random(seed);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
  const texts: string[] = [];
  while (texts.length < count) {
    const base = pick(VALID_VALUES);
    const chars = [...base];
    const at = Math.floor(next() * (chars.length + 1));
    switch (Math.floor(next() * 3)) {
      case 0:
        chars.splice(at, 0, pick(MUTATION_ALPHABET));
        break;
      case 1:
        if (chars.length === 0) continue;
        chars.splice(Math.min(at, chars.length - 1), 1);
        break;
      default:
        if (chars.length === 0) continue;
        chars[Math.min(at, chars.length - 1)] = pick(MUTATION_ALPHABET);
    }
    texts.push(chars.join(""));
  }
  return texts;
}

describe("x-calico-route's JSON reader agrees with JSON.parse", function () {
  it("accepts every valid value", function () {
    const rejected = VALID_VALUES.filter((value) => !pluginParses(wrap(value)));
    for (const value of VALID_VALUES) assert.ok(jsonParses(wrap(value)), `corpus entry is not JSON: ${value}`);
    assert.deepEqual(rejected, []);
  });

  it("rejects every invalid value", function () {
    for (const value of INVALID_VALUES) assert.ok(!jsonParses(wrap(value)), `corpus entry is JSON: ${value}`);
    const accepted = INVALID_VALUES.filter((value) => pluginParses(wrap(value)));
    assert.deepEqual(accepted, []);
  });

  it("handles whole documents (blanks around, trailing text, byte order mark) like JSON.parse", function () {
    const disagreements = DOCUMENTS.filter(({ text }) => pluginParses(text) !== jsonParses(text));
    for (const { text, valid } of DOCUMENTS) assert.equal(jsonParses(text), valid, JSON.stringify(text));
    assert.deepEqual(disagreements, []);
  });

  it("refuses a repeated member, which JSON.parse (and so the policy pack) reads as its last value", function () {
    assert.equal(pluginParses(wrap('{"dst": "10.50.0.0/16", "dst": "0.0.0.0/0"}')), false);
    assert.equal(pluginParses('{"routes": [{"dst": "0.0.0.0/1"}], "routes": [{"dst": "10.50.0.0/16"}]}'), false);
    assert.equal(pluginParses(wrap('{"a": {"dst": 1}, "b": {"dst": 2}}')), true, "the same key under different parents is fine");
  });

  it("gives JSON.parse's verdict on 400 single-character mutations", function () {
    const disagreements = mutants(400, 20240611)
      .map((value) => ({ value, json: jsonParses(wrap(value)), plugin: pluginParses(wrap(value)) }))
      .filter((verdict) => verdict.json !== verdict.plugin);
    assert.deepEqual(disagreements, []);
  });
});
