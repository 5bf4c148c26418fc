/**
 * Every NAD's `spec.config` reads the same to Multus's Go decoders and to this pack (cni-json.ts,
 * cni.ts parseNad): no comments, no repeated or case-variant keys, no top-level `type` beside
 * `plugins`. The NADs at the platform's refs are exactly what the program renders there: the
 * platform Calico NAD (CALICO_NAD_REF) and every `<namespace>/kubeovn`, so a NAD replaced by
 * `host-device eth1` under the platform's name is refused on the NAD itself.
 */
import { CALICO_NAD_REF, KUBE_OVN_NAD_NAME } from "../../tenant/names";
import { kubeOvnRenderedProblem, NAD_TYPE, parseNad, platformCalicoProblem } from "../cni";
import { asObject, asString, violationAt } from "../k8s";
import type { Finding } from "../resource";
import type { ResourceRule } from "../types";

export const nadConfigRule: ResourceRule = {
  name: "nad-config",
  description:
    "Every NAD's spec.config reads the same to Multus's Go decoders (no comments, repeated or case-variant keys, type beside plugins), and the platform Calico NAD and every <namespace>/kubeovn NAD are exactly what the program renders.",
  level: "mandatory",
  config: ["network"],
  checkResource(resource, config): Finding[] {
    if (resource.type !== NAD_TYPE) return [];
    const nad = parseNad(resource);
    const who = `NetworkAttachmentDefinition ${nad.ref}`;
    const value = asString(asObject(resource.inputs.spec).config);
    const problem =
      nad.ref === CALICO_NAD_REF
        ? platformCalicoProblem(nad, config.network)
        : nad.ref === `${nad.namespace}/${KUBE_OVN_NAD_NAME}`
          ? kubeOvnRenderedProblem(nad)
          : nad.configError;
    if (problem === undefined) return [];
    const fix =
      nad.ref === CALICO_NAD_REF || nad.ref === `${nad.namespace}/${KUBE_OVN_NAD_NAME}`
        ? "leave the platform's NADs as the program renders them"
        : "write the config as plain JSON with each key once, spelled as CNI and the plugin spell it";
    return [{ resource, message: violationAt(who, "spec.config", value, `${problem}; ${fix}`) }];
  },
};
