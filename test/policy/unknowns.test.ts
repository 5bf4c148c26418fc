/**
 * policy/unknowns.ts: props copied out of CrossGuard's unknownCheckingProxy (the one its server
 * wraps every resource in), unknown values recorded by key path, and reads of them observed.
 */
import * as assert from "assert";
import { unknownCheckingProxy } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { plainProps, UNKNOWN_DURING_PREVIEW } from "../../policy/unknowns";

const UNKNOWN = unknownValue;

function policyProps(): Record<string, unknown> {
  return {
    metadata: { name: "web", annotations: { "cni.projectcalico.org/ipAddrs": UNKNOWN, keep: "x" } },
    spec: { egress: [{ action: "Allow", destination: { nets: ["10.50.31.21/32", UNKNOWN] } }], selector: UNKNOWN },
  };
}

describe("unknown values in CrossGuard props (policy/unknowns)", () => {
  it("copies the props into plain data and records each unknown value's key path", () => {
    const { props, unknownPaths } = plainProps(unknownCheckingProxy(policyProps()));
    assert.deepStrictEqual(unknownPaths, [
      'metadata.annotations["cni.projectcalico.org/ipAddrs"]',
      "spec.egress[0].destination.nets[1]",
      "spec.selector",
    ]);
    const expected = policyProps() as any;
    expected.metadata.annotations["cni.projectcalico.org/ipAddrs"] = UNKNOWN_DURING_PREVIEW;
    expected.spec.egress[0].destination.nets[1] = UNKNOWN_DURING_PREVIEW;
    expected.spec.selector = UNKNOWN_DURING_PREVIEW;
    assert.deepStrictEqual(props, expected);
    assert.ok(Array.isArray((props.spec as any).egress));
  });

  it("observes reads of unknown values only, however they are reached", () => {
    const reads: string[] = [];
    const watched = plainProps(unknownCheckingProxy(policyProps())).watch((path) => reads.push(path)) as any;
    assert.strictEqual(watched.metadata.name, "web");
    assert.strictEqual(watched.metadata.annotations.keep, "x");
    assert.strictEqual(watched.spec.egress[0].destination.nets[0], "10.50.31.21/32");
    assert.deepStrictEqual(reads, []);
    assert.deepStrictEqual(
      watched.spec.egress.flatMap((rule: any) => rule.destination.nets),
      ["10.50.31.21/32", UNKNOWN_DURING_PREVIEW],
    );
    assert.strictEqual(Object.entries(watched.metadata.annotations).length, 2);
    JSON.stringify(watched.spec.selector);
    assert.deepStrictEqual(reads, [
      "spec.egress[0].destination.nets[1]",
      'metadata.annotations["cni.projectcalico.org/ipAddrs"]',
      "spec.selector",
    ]);
    assert.strictEqual(watched.spec, watched.spec, "one proxy per container");
  });

  it("hands back the plain props themselves when nothing is unknown", () => {
    const known = { spec: { selector: "all()" } };
    const plain = plainProps(unknownCheckingProxy(known));
    assert.deepStrictEqual(plain.unknownPaths, []);
    assert.strictEqual(
      plain.watch(() => assert.fail("no unknowns to read")),
      plain.props,
    );
    assert.deepStrictEqual(plain.props, known);
    assert.notStrictEqual(plain.props.spec, known.spec, "a copy");
  });

  it("lets any other error of a getter through", () => {
    const broken = {
      get spec(): unknown {
        throw new Error("boom");
      },
    };
    assert.throws(() => plainProps(broken), /boom/);
  });
});
