/**
 * Real renders for the policy tests: `captureProgram` of a stack file once per process, handed
 * out as deep copies that each test mutates, plus the policy config the plan derives.
 */
import * as assert from "assert";
import * as path from "path";
import { readStackFile } from "../lib/config/load";
import { captureProgram, type CapturedResource } from "../lib/plan/capture";
import { referencedOutputs, validateStage } from "../lib/plan/run";
import { evaluatePolicies, policyConfigFromStackConfig, type PolicyConfig, type PolicyResource, type Violation } from "../lib/policy";
import { tenantnet } from "../program";
import { REPO_ROOT } from "../lib/stack-file";

interface Render {
  resources: CapturedResource[];
  config: PolicyConfig;
}

const renders = new Map<string, Promise<Render>>();

async function render(stack: string): Promise<Render> {
  const flat = readStackFile(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`));
  const stackOutputs = await referencedOutputs(tenantnet, flat);
  const { resources } = await captureProgram({ project: "tenantnet", stack, config: flat, program: tenantnet, stackOutputs });
  return { resources, config: policyConfigFromStackConfig(validateStage(stack, flat, stackOutputs)) };
}

/** A fresh deep copy of a stack's resources (with URNs) and its policy config. */
export async function stackRender(stack: string): Promise<Render> {
  if (!renders.has(stack)) renders.set(stack, render(stack));
  return structuredClone(await renders.get(stack)!);
}

/** The dev stack: the platform and two tenants. */
export function devStack(): Promise<Render> {
  return stackRender("dev");
}

/** The resource with this Pulumi name; throws so that a renamed resource fails loudly. */
export function named<T extends PolicyResource>(resources: T[], name: string): T {
  const found = resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource named ${name} in the render (have: ${resources.map((r) => r.name).join(", ")})`);
  return found;
}

/** Path-free access to nested inputs for mutation: `at(vm, "spec", "template", "metadata")`. */
export function at(resource: PolicyResource, ...keys: string[]): any {
  return keys.reduce<any>((node, key) => node[key], resource.inputs);
}

export function mandatory(resources: PolicyResource[], config: PolicyConfig, policy?: string): Violation[] {
  return evaluatePolicies(resources, config).filter((v) => v.level === "mandatory" && (policy === undefined || v.policy === policy));
}

/** A resource as a hand-written program would add it: Pulumi type from apiVersion and kind. */
export function customResource(name: string, object: { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec?: unknown }): CapturedResource {
  const type = `kubernetes:${object.apiVersion}:${object.kind}`;
  return { urn: `urn:pulumi:dev::tenantnet::${type}::${name}`, type, name, dependsOn: [], custom: true, inputs: object as unknown as Record<string, unknown> };
}

export function templateOf(vm: CapturedResource): any {
  return at(vm, "spec", "template");
}

/** Exactly one violation of `policy`, on `resource`, whose message has every fragment. */
export function assertOne(violations: Violation[], policy: string, resource: string, ...fragments: string[]): Violation {
  const found = violations.filter((v) => v.policy === policy && v.resource === resource);
  assert.strictEqual(found.length, 1, `expected one ${policy} violation on ${resource}, got:\n${violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`).join("\n")}`);
  for (const fragment of fragments) assert.ok(found[0].message.includes(fragment), `"${fragment}" not in: ${found[0].message}`);
  return found[0];
}

export function assertNone(violations: Violation[], policy: string): void {
  const found = violations.filter((v) => v.policy === policy);
  assert.deepStrictEqual(found.map((v) => `${v.resource}: ${v.message}`), [], `${policy} should not fire`);
}
