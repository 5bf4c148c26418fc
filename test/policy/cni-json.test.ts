/** The Go-semantics JSON reader (cni-json.ts) and parseNad on its results. */
import * as assert from "assert";
import { goFold, parseGoJson } from "../../lib/policy/cni-json";
import { parseNad } from "../../lib/policy/cni";
import { parseNetworkSelections } from "../../lib/policy/workload";
import { KINDS } from "../../lib/k8s/kinds";

function problems(text: string): string[] {
  const parsed = parseGoJson(text);
  return parsed.ok ? [] : parsed.problems.map((p) => `${p.path}: ${p.why}`);
}

function nad(config: string) {
  return parseNad({
    type: KINDS.networkAttachmentDefinition.type,
    name: "n",
    inputs: { metadata: { name: "n", namespace: "default" }, spec: { config } },
  });
}

describe("cni-json: JSON as Multus's Go decoders read it", () => {
  it("folds keys as Go's EqualFold does, Kelvin sign and long s included", () => {
    assert.strictEqual(goFold("Type"), goFold("type"));
    assert.strictEqual(goFold("pluginſ"), goFold("plugins"));
    assert.strictEqual(goFold("\u212Aubeconfig"), goFold("kubeconfig"));
    assert.notStrictEqual(goFold("ß"), goFold("ss"));
  });

  it("reads plain JSON to the same value as JSON.parse, a __proto__ key staying a key", () => {
    const text =
      '{"cniVersion":"0.3.1","plugins":[{"type":"calico","ipam":{"type":"calico-ipam"}},{"type":"tuning"}],"n":[1,true,null,"x"]}';
    const parsed = parseGoJson(text);
    assert.ok(parsed.ok);
    assert.deepStrictEqual(parsed.value, JSON.parse(text));
    const proto = parseGoJson('{"__proto__":{"type":"x"}}');
    assert.ok(proto.ok && Object.keys(proto.value as object).includes("__proto__"));
  });

  it("refuses repeated keys, keys equal but for case at any depth, and misspelt CNI keys", () => {
    assert.match(problems('{"type":"a","type":"b"}')[0], /^type: repeated key "type"/);
    assert.match(
      problems('{"plugins":[{"type":"calico","TYPE":"host-device"}]}')[0],
      /^plugins\[0\]\.TYPE: key "TYPE" repeats "type" but for case/,
    );
    assert.match(problems('{"a":{"foo":1,"FOO":2}}')[0], /^a\.FOO: key "FOO" repeats "foo"/);
    assert.match(problems('{"pluginſ":[]}')[0], /key "pluginſ" is "plugins" to Go's struct decoders/);
    assert.match(problems('{"Type":"host-device"}')[0], /key "Type" is "type"/);
  });

  it("refuses comments, trailing commas and incomplete text, reporting the first error only", () => {
    assert.deepStrictEqual(problems('{"type":"x"} // c').length, 1);
    assert.match(problems('{"type":"x",}')[0], /not JSON as Go reads it/);
    assert.match(problems('{"type":')[0], /not JSON/);
    assert.match(problems("")[0], /not JSON/);
  });

  it("parseNad: a single plugin when type is set, a conflist only when it is empty", () => {
    assert.deepStrictEqual(
      nad('{"type":"macvlan","master":"eth0"}').plugins.map((p) => p.type),
      ["macvlan"],
    );
    assert.deepStrictEqual(
      nad('{"type":"","name":"x","plugins":[{"type":"calico"}]}').plugins.map((p) => p.type),
      ["calico"],
    );
    assert.match(
      nad('{"type":"host-device","plugins":[{"type":"calico"}]}').configError!,
      /beside spec\.config\.plugins: Multus runs the single host-device plugin/,
    );
    assert.match(nad('{"name":"x","plugins":[{"type":"calico"},{"name":"y"}]}').configError!, /plugins\[1\] has no type/);
    assert.match(
      nad('{"name":"x","plugins":[{"type":"calico"}],"Type":"host-device"}').configError!,
      /spec\.config\.Type: key "Type" is "type"/,
    );
  });
});

describe("Multus network selection annotations", () => {
  it("reads the comma form with namespaces, interfaces and the default namespace", () => {
    const parsed = parseNetworkSelections(" tenant-acme/kubeovn@net1 , macvlan", "tenant-acme");
    assert.ok("selections" in parsed);
    assert.deepStrictEqual(
      parsed.selections.map((s) => [s.ref, s.interface]),
      [
        ["tenant-acme/kubeovn", "net1"],
        ["tenant-acme/macvlan", undefined],
      ],
    );
    assert.ok("problem" in parseNetworkSelections("a/b/c", "x"));
    assert.ok("problem" in parseNetworkSelections("Upper", "x"));
  });

  it("reads the JSON form Go-decoded, keeping the keys it does not allow", () => {
    const parsed = parseNetworkSelections('[{"name":"calico","namespace":"default","default-route":["10.0.0.1"]}]', "kube-system");
    assert.ok("selections" in parsed);
    assert.deepStrictEqual(parsed.selections[0].extraKeys, ["default-route"]);
    assert.strictEqual(parsed.selections[0].ref, "default/calico");
    assert.ok("problem" in parseNetworkSelections('[{"name":"a","Name":"b"}]', "x"));
    assert.ok("problem" in parseNetworkSelections('{"name":"a"}', "x"));
  });
});
