import * as pulumi from "@pulumi/pulumi";

/**
 * Options for a component's children. The SDK does not pass a component's `dependsOn` on to
 * its children, so without this a child (say Spiderpool's Helm release) would not wait for
 * what its component was told to wait for (cert-manager).
 */
export function childOptions(parent: pulumi.ComponentResource, opts: pulumi.ComponentResourceOptions | undefined) {
  const given = opts?.dependsOn;
  const inherited: pulumi.Input<pulumi.Resource>[] =
    given === undefined ? [] : Array.isArray(given) ? given : [given as pulumi.Input<pulumi.Resource>];
  return (...dependsOn: pulumi.Input<pulumi.Resource>[]): pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions => ({
    parent,
    dependsOn: [...inherited, ...dependsOn],
  });
}
