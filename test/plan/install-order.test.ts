/**
 * Walks the plan's dependsOn: every object whose API an operator, an API server or a Helm
 * release brings up at runtime must come after a resource that waits for that API, or
 * `pulumi up` on a fresh cluster fails with "no matches for kind" once the provider's ~31 s of
 * retries are spent (pulumi-kubernetes v4.32.0 provider/pkg/await/await.go:267-274).
 */
import { strict as assert } from "assert";
import * as path from "path";
import { readStackFile } from "../../lib/config/load";
import { planResources, type PlanResource } from "../../lib/plan/plan-file";
import { registerStage } from "../../lib/plan/run";
import { COLD_START_TIMEOUT_SECONDS } from "../../lib/platform/readiness";
import { REPO_ROOT } from "../../lib/stack-file";
import { flatConfig, validRawConfig } from "../fixtures/stack-config";
import { tenantnet } from "../../program";

interface Server {
  /** What serves the API, for messages. */
  what: string;
  /** Whether `object` (apiVersion, kind) is served by this. */
  serves(apiVersion: string, kind: string): boolean;
  /** Whether `resource` is this server, created only once the API is up. */
  is(resource: PlanResource): boolean;
}

const inputs = (r: PlanResource): any => r.inputs;
const group = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");

const waitsFor = (r: PlanResource, condition: string) =>
  inputs(r).metadata?.annotations?.["pulumi.com/waitFor"] === `condition=${condition}` &&
  Number(inputs(r).metadata?.annotations?.["pulumi.com/timeoutSeconds"]) >= COLD_START_TIMEOUT_SECONDS;

/** A Helm release is created once its chart's resources are ready (Helm --wait), within the cold-start timeout. */
const awaitedRelease = (r: PlanResource, chart: string) =>
  r.type === "kubernetes:helm.sh/v3:Release" &&
  (inputs(r).chart === chart || String(inputs(r).chart).endsWith(`/${chart}`)) &&
  inputs(r).skipAwait !== true &&
  inputs(r).timeout >= COLD_START_TIMEOUT_SECONDS;

const SERVERS: Server[] = [
  {
    what: "the Calico APIServer CR, awaited Ready",
    serves: (apiVersion) => group(apiVersion) === "projectcalico.org",
    is: (r) => r.type === "kubernetes:operator.tigera.io/v1:APIServer" && waitsFor(r, "Ready"),
  },
  {
    what: "the KubeVirt CR, awaited Available",
    serves: (apiVersion, kind) => group(apiVersion) === "kubevirt.io" && kind !== "KubeVirt",
    is: (r) => r.type === "kubernetes:kubevirt.io/v1:KubeVirt" && waitsFor(r, "Available"),
  },
  {
    what: "the kubevirts.kubevirt.io CRD of the operator manifest",
    serves: (apiVersion, kind) => group(apiVersion) === "kubevirt.io" && kind === "KubeVirt",
    is: (r) =>
      r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && inputs(r).metadata.name === "kubevirts.kubevirt.io",
  },
  {
    what: "Calico's CRD chart",
    serves: (apiVersion) => group(apiVersion) === "operator.tigera.io",
    is: (r) => awaitedRelease(r, "crd.projectcalico.org.v1"),
  },
  { what: "the Kube-OVN release", serves: (apiVersion) => group(apiVersion) === "kubeovn.io", is: (r) => awaitedRelease(r, "kube-ovn-v2") },
  {
    what: "cert-manager",
    serves: (apiVersion) => group(apiVersion) === "cert-manager.io",
    is: (r) =>
      r.type === "kubernetes-cert-manager:index:CertManager" && inputs(r).installCRDs === true && inputs(r).helmOptions.skipAwait !== true,
  },
  {
    what: "the Spiderpool release",
    serves: (apiVersion) => group(apiVersion) === "spiderpool.spidernet.io",
    is: (r) => awaitedRelease(r, "spiderpool"),
  },
  {
    what: "Multus' NAD CRD",
    serves: (apiVersion) => group(apiVersion) === "k8s.cni.cncf.io",
    is: (r) => r.type === "kubernetes:yaml/v2:ConfigFile" && String(inputs(r).file).endsWith("network-attachment-definitions.crd.yaml"),
  },
];

/** Every resource `resource` waits for, directly or through what it waits for. */
function waitsOn(resource: PlanResource, byUrn: Map<string, PlanResource>): Set<PlanResource> {
  const seen = new Set<PlanResource>();
  const queue = [...resource.dependsOn];
  while (queue.length > 0) {
    const next = byUrn.get(queue.pop()!);
    assert.ok(next, `${resource.name} depends on a URN the plan does not have`);
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...next.dependsOn);
  }
  return seen;
}

/** Checks every object served at runtime; returns how many objects each server covered. */
function checkOrder(resources: PlanResource[]): Map<string, number> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const covered = new Map<string, number>();
  const problems: string[] = [];
  for (const resource of resources) {
    const { apiVersion, kind } = resource.inputs as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== "string" || typeof kind !== "string") continue;
    const server = SERVERS.find((s) => s.serves(apiVersion, kind));
    if (!server) continue;
    if (![...waitsOn(resource, byUrn)].some(server.is))
      problems.push(`${resource.name} (${apiVersion} ${kind}) does not wait for ${server.what}`);
    covered.set(server.what, (covered.get(server.what) ?? 0) + 1);
  }
  assert.deepEqual(problems, []);
  return covered;
}

async function plan(flat: Record<string, unknown>): Promise<PlanResource[]> {
  return planResources((await registerStage(tenantnet, "dev", flat)).resources);
}

describe("install order (plan.json dependsOn)", () => {
  it("the dev stack: every object served at runtime waits for what serves it", async () => {
    const covered = checkOrder(await plan(readStackFile(path.join(REPO_ROOT, "Pulumi.dev.yaml"))));
    // The walk is only as good as its reach: each kind of server guards something in the dev plan.
    assert.deepEqual(
      SERVERS.map((s) => s.what).filter((what) => !covered.has(what)),
      ["the Spiderpool release"],
      `covered: ${JSON.stringify([...covered])}`,
    );
    assert.ok(covered.get("the Calico APIServer CR, awaited Ready")! >= 9, "tenant policies and reservations and the VM reservation");
    assert.equal(covered.get("the KubeVirt CR, awaited Available"), 4, "the four VMs");
  });

  it("a Spiderpool backend: its SpiderMultusConfig and pools wait for the Spiderpool release", async () => {
    const raw = validRawConfig();
    raw.platform.underlay = {
      backend: "spiderpool-macvlan",
      spiderpool: {
        masterInterfaces: ["eth1"],
        subnet: "172.31.192.0/20",
        gateway: "172.31.207.253",
        nodes: { worker1: { ips: ["172.31.199.190"] } },
      },
    };
    raw.tenants = {};
    const covered = checkOrder(await plan(flatConfig(raw)));
    assert.equal(covered.get("the Spiderpool release"), 2);
  });

  it("notices an object that does not wait", async () => {
    const resources = await plan(readStackFile(path.join(REPO_ROOT, "Pulumi.dev.yaml")));
    const reservation = resources.find((r) => r.name === "platform-calico-vm-reservation")!;
    reservation.dependsOn = [];
    assert.throws(
      () => checkOrder(resources),
      /platform-calico-vm-reservation \(projectcalico\.org\/v3 IPReservation\) does not wait for the Calico APIServer CR/,
    );
  });
});
