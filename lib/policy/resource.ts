/**
 * What a rule reads and reports: a resource as the plan or CrossGuard hands it over, and the
 * findings and violations about it. A leaf: it imports nothing, so every policy module may.
 */
/** A resource as both the plan (captured inputs) and CrossGuard (props) hand it over. */
export interface PolicyResource {
  /** Pulumi type token, e.g. `kubernetes:kubevirt.io/v1:VirtualMachine`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  /** The Kubernetes object (apiVersion/kind/metadata/spec...) or component inputs. */
  inputs: Record<string, unknown>;
}

export type Level = "mandatory" | "advisory";

/** One problem found by a rule; `resource` undefined means the stack as a whole. */
export interface Finding {
  resource?: PolicyResource;
  message: string;
}

/** What the offline runner reports: `resource` is the Pulumi name, or "stack". */
export interface Violation {
  policy: string;
  level: Level;
  resource: string;
  message: string;
}
