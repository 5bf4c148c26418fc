/**
 * The floor ("floor+inputs"): what registering the same stack costs when the program does
 * nothing but register. It replays the resource tree the real program produced (same count,
 * same types, same component/custom split, same parent links, created in the order the real
 * resources reached the mock monitor, each component creating its children in its constructor
 * as the real ones do) with each resource's real inputs, but no dependsOn, no config and no
 * program logic, through the same SDK, mock runtime and `captureProgram` hooks. The SDK's
 * per-resource cost and the marshalling of the inputs are in both, so `register / floor` is the
 * cost of our own code (config loading, the builders, dependsOn edges).
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
  /** The real resource's inputs (shared with the capture, not copied). */
  inputs: Record<string, unknown>;
}

/**
 * The tree of `resources` (in registration order) as index links. A captured parent is only a
 * name, and Pulumi names are unique per type only, so a name shared by several earlier
 * resources resolves to the latest component of that name (components are the usual parents).
 */
export function floorShape(resources: readonly CapturedResource[]): FloorNode[] {
  const latestByName = new Map<string, { index: number; custom: boolean }>();
  return resources.map((resource, index) => {
    const node: FloorNode = { type: resource.type, custom: resource.custom, inputs: resource.inputs };
    if (resource.parent !== undefined) {
      const found = latestByName.get(resource.parent);
      if (!found) throw new Error(`${resource.type} ${resource.name}: parent ${resource.parent} was not registered before it`);
      node.parent = found.index;
    }
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
      // Custom resources are rarely parents, but the shape may say so.
      this.createChildren(index, new FloorCustom(node.type, name, node.inputs, opts));
    } else {
      new FloorComponent(node.type, name, node.inputs, opts, this, index);
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
  constructor(
    type: string,
    name: string,
    inputs: pulumi.Inputs,
    opts: pulumi.ComponentResourceOptions,
    builder: FloorBuilder,
    index: number,
  ) {
    super(type, name, inputs, opts);
    builder.createChildren(index, this);
    this.registerOutputs({});
  }
}

/** A program that registers `shape`: its components and CustomResources, with their inputs. */
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
