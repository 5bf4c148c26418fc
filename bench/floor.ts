/**
 * The floor: what registering a stack of the same size costs when the program does nothing but
 * register. It replays the resource tree the real program produced (same count, same types,
 * same component/custom split, same parent links, created in the order the real resources
 * reached the mock monitor, each component creating its children in its constructor as the
 * real ones do) with trivial inputs, no dependsOn, no config and no program logic,
 * through the same SDK, mock runtime and `captureProgram` hooks. What the real registration
 * spends above it is ours.
 *
 * A second replay carries each resource's real inputs: the gap between the two is the cost of
 * marshalling those inputs through the SDK and the mock monitor, and what remains between it
 * and the real registration is the program's own code.
 */
import * as pulumi from "@pulumi/pulumi";
import { captureProgram, type CaptureResult, type CapturedResource } from "../lib/plan/capture";

export interface FloorNode {
  /** The real resource's type token. */
  type: string;
  /** A CustomResource (true) or a ComponentResource (false). */
  custom: boolean;
  /** Index of the parent in the shape (always an earlier node), or absent at the top. */
  parent?: number;
  /** The real resource's inputs, when the replay carries them. */
  inputs?: Record<string, unknown>;
}

export const FLOOR_API_VERSION = "bench.tenantnet.io/v1";

/**
 * The tree of `resources` (in registration order) as index links. A captured parent is only a
 * name, and Pulumi names are unique per type only, so a name shared by several earlier
 * resources resolves to the latest component of that name (components are the usual parents).
 * With `withInputs` the nodes keep (share, not copy) the captured inputs.
 */
export function floorShape(resources: readonly CapturedResource[], options: { withInputs?: boolean } = {}): FloorNode[] {
  const latestByName = new Map<string, { index: number; custom: boolean }>();
  return resources.map((resource, index) => {
    const node: FloorNode = { type: resource.type, custom: resource.custom };
    if (resource.parent !== undefined) {
      const found = latestByName.get(resource.parent);
      if (!found) throw new Error(`${resource.type} ${resource.name}: parent ${resource.parent} was not registered before it`);
      node.parent = found.index;
    }
    if (options.withInputs) node.inputs = resource.inputs;
    const earlier = latestByName.get(resource.name);
    // A component keeps the name against a later custom resource of the same name.
    if (!earlier || earlier.custom || !resource.custom) latestByName.set(resource.name, { index, custom: resource.custom });
    return node;
  });
}

/** pulumi.CustomResource is abstract to TypeScript only; this is it, constructible. */
class FloorCustom extends pulumi.CustomResource {
  constructor(type: string, name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(type, name, inputs, opts);
  }
}

/** Creates the nodes of a shape; components create their children in their own constructor. */
class FloorBuilder {
  private readonly children = new Map<number | undefined, number[]>();
  registered = 0;

  constructor(private readonly shape: readonly FloorNode[]) {
    shape.forEach((node, index) => {
      const siblings = this.children.get(node.parent);
      if (siblings) siblings.push(index);
      else this.children.set(node.parent, [index]);
    });
  }

  createChildren(parentIndex: number | undefined, parent: pulumi.Resource | undefined): void {
    for (const index of this.children.get(parentIndex) ?? []) this.create(index, parent);
  }

  private create(index: number, parent: pulumi.Resource | undefined): void {
    const node = this.shape[index];
    const name = `floor-${index}`;
    const opts = parent === undefined ? {} : { parent };
    this.registered++;
    if (node.custom) {
      const inputs = node.inputs ?? { apiVersion: FLOOR_API_VERSION, kind: "Bare", metadata: { name } };
      // Custom resources are rarely parents, but the shape may say so.
      this.createChildren(index, new FloorCustom(node.type, name, inputs, opts));
    } else {
      new FloorComponent(node.type, name, node.inputs ?? {}, opts, this, index);
    }
  }
}

/**
 * A component of the real one's type that, like the real ones, registers its children inside
 * its constructor and ends with registerOutputs. Where a resource is created matters: the SDK
 * captures and formats a stack trace for every resource, so the floor's call stacks are as
 * deep as the program's nesting, not flattened into one loop.
 */
class FloorComponent extends pulumi.ComponentResource {
  constructor(type: string, name: string, inputs: pulumi.Inputs, opts: pulumi.ComponentResourceOptions, builder: FloorBuilder, index: number) {
    super(type, name, inputs, opts);
    builder.createChildren(index, this);
    this.registerOutputs({});
  }
}

/** A program that registers `shape`: components, and CustomResources with their inputs or only a name. */
export function floorProgram(shape: readonly FloorNode[]): () => { registered: number } {
  return () => {
    const builder = new FloorBuilder(shape);
    builder.createChildren(undefined, undefined);
    return { registered: builder.registered };
  };
}

/** Registers `shape` under the mock runtime exactly as `registerStage` registers the real program. */
export function registerFloor(shape: readonly FloorNode[]): Promise<CaptureResult> {
  return captureProgram({ project: "tenantnet", stack: "bench-floor", config: {}, program: floorProgram(shape) });
}
