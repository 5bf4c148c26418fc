/**
 * Runs a Pulumi program under the SDK's mock runtime and captures every registered resource
 * with its parent and inputs. Mocks do not read `Pulumi.<stack>.yaml`: the caller passes config.
 */
import * as pulumi from "@pulumi/pulumi";

/** Drains the SDK's RPC queue; internal to the SDK (not in its typings) but what `disconnect` awaits. */
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

export interface CapturedResource {
  urn: string;
  type: string;
  name: string;
  /** Name of the parent resource, or undefined at the top level. */
  parent?: string;
  /** URN of the parent: names alone are not unique across types. */
  parentUrn?: string;
  /** Names of the resources named in `dependsOn` (what the engine waits for before this one). */
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
}

type Callback = (error: unknown, response?: unknown) => void;

interface Monitor {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
}

function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The URN the mock monitor gives a resource (type chain of parent types + name). */
function mockUrn(stack: string, project: string, parentUrn: string, type: string, name: string): string {
  const qualified = parentUrn ? `${parentUrn.split("::")[2].split("$").pop()}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
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
}): Promise<CaptureResult> {
  const { project, stack } = options;
  const byUrn = new Map<string, CapturedResource>();
  const pending = new Map<string, { parentUrn: string; custom: boolean; dependencies: string[] }>();

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const entry = { type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> };
        const key = `${args.type}::${args.name}`;
        const request = pending.get(key);
        const urn = mockUrn(stack, project, request?.parentUrn ?? "", args.type, args.name);
        byUrn.set(urn, {
          urn,
          ...entry,
          parent: request?.parentUrn ? urnName(request.parentUrn) : undefined,
          parentUrn: request?.parentUrn || undefined,
          dependsOn: (request?.dependencies ?? []).map(urnName),
          custom: request?.custom ?? Boolean(args.custom),
        });
        return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
      },
      call(args) {
        return args.inputs;
      },
    },
    project,
    stack,
    false,
  );

  // The mock API hides a resource's parent and dependencies; the monitor request carries them.
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    pending.set(`${req.getType()}::${req.getName()}`, {
      parentUrn: req.getParent(),
      custom: req.getCustom(),
      dependencies: req.getDependenciesList(),
    });
    return register(req, callback);
  };

  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(options.config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    ),
  );

  const returned = await options.program();
  const outputs = await new Promise<unknown>((resolve) => {
    (pulumi.output(returned) as pulumi.Output<unknown>).apply(resolve);
  });
  await waitForRPCs();
  return { resources: [...byUrn.values()], outputs };
}
