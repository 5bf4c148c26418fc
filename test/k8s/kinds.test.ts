import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import { declareObject } from "../../components/k8s-object";
import { KINDS, pulumiType } from "../../lib/k8s/kinds";
import { captureProgram } from "../../lib/plan/capture";

describe("KINDS: one definition per kind", () => {
  it("each kind's type token is the one its Pulumi resource registers with", async () => {
    const { resources } = await captureProgram({
      project: "tenantnet",
      stack: "kinds",
      config: {},
      program: () => {
        for (const [name, kind] of Object.entries(KINDS)) {
          declareObject(name, { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name }, spec: {}, roleRef: {}, value: 0 }, {});
        }
        new k8s.core.v1.Namespace("typed-namespace", {});
        new k8s.networking.v1.NetworkPolicy("typed-network-policy", {});
      },
    });
    const typeOf = (name: string) => resources.find((r) => r.name === name)?.type;
    for (const [name, kind] of Object.entries(KINDS)) assert.equal(typeOf(name), kind.type, name);
    assert.equal(typeOf("typed-namespace"), KINDS.namespace.type, "core kinds are core/v1 in the token");
    assert.equal(typeOf("typed-network-policy"), KINDS.kubernetesNetworkPolicy.type);
  });

  it("core kinds read core/v1, grouped kinds their group/version", () => {
    assert.equal(pulumiType("v1", "ConfigMap"), "kubernetes:core/v1:ConfigMap");
    assert.equal(pulumiType("kubeovn.io/v1", "Vpc"), "kubernetes:kubeovn.io/v1:Vpc");
  });
});
