/**
 * Runs a Pulumi program under the SDK's mock runtime and captures every registered resource
 * with its parent and inputs. Mocks do not read `Pulumi.<stack>.yaml`: the caller passes config.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * SDK internals the capture relies on (not in the SDK's typings, stable across 3.x): draining
 * the RPC queue as `disconnect` does, and the property/protobuf codecs the mock monitor uses.
 */
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };
const { deserializeProperties } = require("@pulumi/pulumi/runtime/rpc") as {
  deserializeProperties: (struct: unknown) => Record<string, unknown>;
};
const { RegisterResourceResponse } = require("@pulumi/pulumi/proto/resource_pb") as {
  RegisterResourceResponse: new () => { setUrn(urn: string): void; setId(id: string): void; setObject(object: unknown): void };
};

export interface CapturedResource {
  urn: string;
  type: string;
  name: string;
  /** Name of the parent resource, or undefined at the top level. */
  parent?: string;
  /** URN of the parent: names alone are not unique across types. */
  parentUrn?: string;
  /**
   * URNs the engine waits for before this one: its `dependsOn`, inherited ones included, as the SDK
   * sends them (a component in `dependsOn` is expanded to the custom resources under it).
   */
  dependsOn: string[];
  custom: boolean;
  inputs: Record<string, unknown>;
}

export interface CaptureResult {
  resources: CapturedResource[];
  outputs: unknown;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getObject(): unknown;
}

type Callback = (error: unknown, response?: unknown) => void;

interface MockMonitor {
  registerResource(req: RegisterRequest, callback: Callback): void;
  /** What `registerResourceOutputs` and `getResource` look resources up in. */
  resources: Map<string, { urn: string; id: string | null; state: unknown }>;
}

function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The URN the mock monitor gives a resource (type chain of parent types + name). */
function mockUrn(stack: string, project: string, parentUrn: string, type: string, name: string): string {
  const qualified = parentUrn ? `${parentUrn.split("::")[2].split("$").pop()}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** The type of a `pulumi.StackReference`: a read the engine answers from the referenced stack. */
const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/**
 * Answers a StackReference read the way the engine's built-in provider does: the state holds the
 * referenced stack's `name`, `outputs` and `secretOutputNames` (pulumi/pulumi
 * pkg/resource/deploy/builtins.go, readStackReference, v3.248.0). An unknown stack fails the read.
 */
function stackReferenceState(name: string, stackOutputs: Record<string, Record<string, unknown>>) {
  const outputs = stackOutputs[name];
  if (!outputs) {
    const known = Object.keys(stackOutputs);
    throw new Error(
      `stack reference ${name}: no outputs of that stack were given to the offline run (${known.length > 0 ? `it has ${known.join(", ")}` : "it has none"})`,
    );
  }
  return { id: name, state: { name, outputs, secretOutputNames: [] } };
}

/**
 * Runs `program` with `config` (flat `namespace:key` map; objects are passed as JSON like the
 * Pulumi engine does) and returns every resource in registration order plus the stack outputs.
 * Errors thrown by the program propagate unchanged.
 */
export async function captureProgram(options: {
  project: string;
  stack: string;
  config: Record<string, unknown>;
  program: () => unknown;
  /** Outputs of the stacks the program may reference, keyed by the name it references them by. */
  stackOutputs?: Record<string, Record<string, unknown>>;
}): Promise<CaptureResult> {
  const { project, stack } = options;
  const byUrn = new Map<string, CapturedResource>();

  await pulumi.runtime.setMocks(
    {
      // Registrations never reach newResource (answered below); reads such as StackReference do.
      newResource: (args) =>
        args.type === STACK_REFERENCE_TYPE
          ? stackReferenceState(String(args.inputs.name), options.stackOutputs ?? {})
          : { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs },
      call: (args) => args.inputs,
    },
    project,
    stack,
    false,
  );

  // Registrations are answered here rather than by the mock's newResource: the request carries
  // the parent and dependencies the mock API hides, and echoing the request's own inputs Struct
  // back spares re-serialising every resource's inputs (a tenth of registration time).
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  monitor.registerResource = (req, callback) => {
    try {
      const parentUrn = req.getParent() || undefined;
      const urn = mockUrn(stack, project, parentUrn ?? "", req.getType(), req.getName());
      const id = req.getCustom() ? `${req.getName()}-id` : "";
      byUrn.set(urn, {
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: parentUrn ? urnName(parentUrn) : undefined,
        parentUrn,
        dependsOn: req.getDependenciesList(),
        custom: req.getCustom(),
        inputs: deserializeProperties(req.getObject()),
      });
      monitor.resources.set(urn, { urn, id: id || null, state: {} });
      const response = new RegisterResourceResponse();
      response.setUrn(urn);
      response.setId(id);
      response.setObject(req.getObject());
      callback(null, response);
    } catch (error) {
      callback(error);
    }
  };

  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(options.config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    ),
  );

  // The SDK captures a stack trace per resource and promise; source-mapping those frames is a
  // third of registration time. Thrown errors still map: Node formats `.stack` when first read.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    const returned = await options.program();
    const outputs = await new Promise<unknown>((resolve) => {
      (pulumi.output(returned) as pulumi.Output<unknown>).apply(resolve);
    });
    await waitForRPCs();
    return { resources: [...byUrn.values()], outputs };
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
  }
}
