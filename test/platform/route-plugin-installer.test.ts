import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROUTE_PLUGIN_SCRIPT, RoutePluginInstaller } from "../../components/platform/route-plugin-installer";
import { captureProgram } from "../../lib/plan/capture";
import {
  DEFAULT_INSTALLER_IMAGE,
  INSTALL_LOOP,
  SCRIPT_SHA256_ANNOTATION,
  routePluginInstallerManifests,
} from "../../lib/route-plugin-installer";
import { KINDS } from "../../lib/k8s/kinds";
import { REPO_ROOT } from "../../lib/stack-file";

const PLUGIN_FILE = path.join(REPO_ROOT, "cni", "x-calico-route");
const pluginScript = fs.readFileSync(PLUGIN_FILE, "utf8");

function build(overrides: Partial<Parameters<typeof routePluginInstallerManifests>[0]> = {}) {
  return routePluginInstallerManifests({ namespace: "kube-system", image: DEFAULT_INSTALLER_IMAGE, pluginScript, ...overrides });
}

/** The builder returns plain objects; the tests read them as untyped data. */
type Loose = any;
const podSpec = (daemonSet: object): Loose => (daemonSet as Loose).spec.template.spec;
const installContainer = (daemonSet: object): Loose => podSpec(daemonSet).containers[0];

describe("route plugin installer manifests", () => {
  it("ships exactly the file cni/x-calico-route in the ConfigMap", () => {
    const { configMap } = build();
    assert.equal(configMap.kind, "ConfigMap");
    assert.deepEqual(configMap.data, { "x-calico-route": fs.readFileSync(PLUGIN_FILE, "utf8") });
    assert.equal(ROUTE_PLUGIN_SCRIPT, path.resolve(PLUGIN_FILE));
  });

  it("names both objects and places them in the namespace given", () => {
    const { configMap, daemonSet } = build({ namespace: "net-system", name: "route-plugin" });
    for (const object of [configMap, daemonSet]) {
      assert.equal(object.metadata.name, "route-plugin");
      assert.equal(object.metadata.namespace, "net-system");
      assert.equal(object.metadata.labels?.["app.kubernetes.io/managed-by"], "tenantnet");
    }
    assert.equal(daemonSet.apiVersion, "apps/v1");
    const volume = podSpec(daemonSet).volumes.find((v: { name: string }) => v.name === "plugin");
    assert.equal(volume.configMap.name, "route-plugin", "the DaemonSet mounts the ConfigMap it ships with");
  });

  it("runs on every node: tolerates all taints, node-critical, no pod network needed", () => {
    const spec = podSpec(build().daemonSet);
    assert.deepEqual(spec.tolerations, [{ operator: "Exists" }]);
    assert.equal(spec.priorityClassName, "system-node-critical");
    assert.equal(spec.hostNetwork, true);
    const daemonSet: Loose = build().daemonSet;
    for (const [key, value] of Object.entries(daemonSet.spec.selector.matchLabels)) {
      assert.equal(daemonSet.spec.template.metadata.labels[key], value, "the selector matches the pod template");
    }
  });

  it("mounts /opt/cni/bin writable and the host's command directories read-only", () => {
    const { daemonSet } = build();
    const spec = podSpec(daemonSet);
    const container = installContainer(daemonSet);
    const hostPathOf = (volumeName: string) => spec.volumes.find((v: { name: string }) => v.name === volumeName)?.hostPath?.path;
    const mounts = new Map<string, { mountPath: string; readOnly?: boolean }>(
      container.volumeMounts.map((m: { name: string; mountPath: string; readOnly?: boolean }) => [hostPathOf(m.name) ?? m.name, m]),
    );
    assert.equal(mounts.get("/opt/cni/bin")?.readOnly, undefined);
    const env = Object.fromEntries(
      container.env.filter((e: { value?: string }) => e.value).map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    assert.equal(mounts.get("/opt/cni/bin")?.mountPath, env.CNI_BIN_DIR);
    for (const dir of ["/usr/bin", "/usr/sbin", "/bin", "/sbin"]) {
      assert.equal(mounts.get(dir)?.readOnly, true, `${dir} is mounted read-only`);
      assert.equal(mounts.get(dir)?.mountPath, `${env.HOST_ROOT}${dir}`, `${dir} is where the loop looks for commands`);
    }
    assert.deepEqual(
      [...mounts.keys()].filter((key) => key.startsWith("/")).sort(),
      ["/bin", "/opt/cni/bin", "/sbin", "/usr/bin", "/usr/sbin"],
      "no other host paths",
    );
  });

  it("uses the image it is given, so a mirror can be put in front", () => {
    const image = "mirror.example:5000/library/busybox:1.37";
    assert.equal(installContainer(build({ image }).daemonSet).image, image);
    assert.equal(installContainer(build().daemonSet).image, "docker.io/library/busybox:1.37");
  });

  it("annotates the pod template with the script's sha256, so a changed script rolls the DaemonSet", () => {
    const annotations = (script: string): Record<string, string> =>
      (build({ pluginScript: script }).daemonSet as Loose).spec.template.metadata.annotations;
    assert.equal(annotations(pluginScript)[SCRIPT_SHA256_ANNOTATION], createHash("sha256").update(pluginScript).digest("hex"));
    assert.notEqual(
      annotations(`${pluginScript}\n# changed`)[SCRIPT_SHA256_ANNOTATION],
      annotations(pluginScript)[SCRIPT_SHA256_ANNOTATION],
    );
  });

  it("reports readiness from the marker the loop keeps, and passes the node name to the loop", () => {
    const container = installContainer(build().daemonSet);
    const stateDir = container.env.find((e: { name: string }) => e.name === "STATE_DIR").value;
    assert.deepEqual(container.readinessProbe.exec.command, ["/bin/sh", "-c", `test -f ${stateDir}/ready`]);
    assert.deepEqual(container.env.find((e: { name: string }) => e.name === "NODE_NAME").valueFrom, {
      fieldRef: { fieldPath: "spec.nodeName" },
    });
    assert.deepEqual(container.command, ["/bin/sh", "-c", INSTALL_LOOP]);
  });
});

/** The container's loop, run for real (one round) with /bin/sh against directories standing in for the mounts. */
describe("route plugin install loop", () => {
  let root: string;
  let env: NodeJS.ProcessEnv;

  const hostCommand = (dir: string, name: string, contents: string | Buffer = "#!/bin/sh\n") => {
    fs.mkdirSync(path.join(root, "host", dir), { recursive: true });
    const file = path.join(root, "host", dir, name);
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, contents, { mode: 0o755 });
  };
  /** A stand-in for the host's bash: binary bytes around the version string bash builds embed. */
  const hostBash = (version: string) =>
    hostCommand(
      "bin",
      "bash",
      Buffer.concat([Buffer.from("\x7fELF\0\0"), Buffer.from(`@(#)Bash version ${version} release GNU`), Buffer.from("\0\x01\0")]),
    );
  const round = () => {
    const result = spawnSync("/bin/sh", ["-c", INSTALL_LOOP], { env, encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  const installed = () => path.join(root, "cni-bin", "x-calico-route");
  const ready = () => fs.existsSync(path.join(root, "state", "ready"));

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tn-installer-"));
    for (const dir of ["plugin", "cni-bin", "state", "host/usr/bin", "host/usr/sbin", "host/bin", "host/sbin"]) {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
    }
    fs.writeFileSync(path.join(root, "plugin", "x-calico-route"), pluginScript);
    hostBash("5.2.15(1)");
    hostCommand("usr/sbin", "ip");
    hostCommand("usr/bin", "nsenter");
    env = {
      PATH: process.env.PATH,
      NODE_NAME: "node-a",
      PLUGIN_SOURCE: path.join(root, "plugin", "x-calico-route"),
      CNI_BIN_DIR: path.join(root, "cni-bin"),
      HOST_ROOT: path.join(root, "host"),
      STATE_DIR: path.join(root, "state"),
      CHECK_INTERVAL_SECONDS: "30",
      RUN_ONCE: "1",
    };
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("installs the script executable, byte for byte, and reports ready", () => {
    fs.writeFileSync(path.join(root, "cni-bin", ".x-calico-route.tmp.99"), "left over by a killed copy");
    const output = round();
    assert.match(output, /^x-calico-route: node node-a installed .*x-calico-route \(sha256 [0-9a-f]{64}\)$/m);
    assert.equal(fs.readFileSync(installed(), "utf8"), pluginScript);
    assert.equal(fs.statSync(installed()).mode & 0o777, 0o755);
    assert.ok(ready());
    assert.deepEqual(fs.readdirSync(path.join(root, "cni-bin")), ["x-calico-route"], "no temporary files left");
  });

  it("leaves an identical copy alone and replaces a different one by renaming over it", () => {
    round();
    const first = fs.statSync(installed());
    assert.equal(round(), "", "nothing to do, nothing logged");
    assert.equal(fs.statSync(installed()).ino, first.ino, "an identical copy is not rewritten");

    fs.writeFileSync(path.join(root, "plugin", "x-calico-route"), `${pluginScript}# v2\n`);
    assert.match(round(), /installed/);
    assert.equal(fs.readFileSync(installed(), "utf8"), `${pluginScript}# v2\n`);
    assert.notEqual(fs.statSync(installed()).ino, first.ino, "replaced by rename, never rewritten in place");
  });

  it("names what the node lacks and drops readiness until it is there", () => {
    round();
    assert.ok(ready());
    fs.rmSync(path.join(root, "host", "usr", "sbin", "ip"));
    fs.rmSync(path.join(root, "host", "usr", "bin", "nsenter"));
    assert.match(round(), /^x-calico-route: node node-a lacks ip \(iproute2\) nsenter \(util-linux\); /m);
    assert.ok(!ready());

    fs.rmSync(path.join(root, "host", "bin", "bash"));
    hostCommand("sbin", "ip");
    hostCommand("bin", "nsenter");
    assert.match(round(), /lacks \/bin\/bash/);
    assert.ok(!ready());
  });

  it("reads bash's version from the binary and refuses one older than 4.4", () => {
    hostBash("4.2.46(2)");
    assert.match(round(), /^x-calico-route: node node-a lacks bash >= 4\.4 \(\/bin\/bash is 4\.2\); VMs on this node cannot attach/m);
    assert.ok(!ready());
    hostBash("4.4.0(1)");
    round();
    assert.ok(ready());
    hostBash("3.2.57(1)");
    assert.match(round(), /\(\/bin\/bash is 3\.2\)/);
    assert.ok(!ready());
  });

  it("says so when /bin/bash carries no version string", () => {
    hostCommand("bin", "bash", "#!/bin/sh\n");
    assert.match(round(), /lacks bash >= 4\.4 \(no version found in \/bin\/bash\)/);
    assert.ok(!ready());
  });

  it("accepts this machine's real bash", () => {
    hostCommand("bin", "bash", fs.readFileSync("/bin/bash"));
    round();
    assert.ok(
      ready(),
      `not ready with the real /bin/bash ${spawnSync("/bin/bash", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0]}`,
    );
  });

  it("drops readiness when it cannot install", () => {
    round();
    assert.ok(ready());
    // A file where the directory should be: no copy can land there, whoever runs the loop.
    fs.rmSync(path.join(root, "cni-bin"), { recursive: true });
    fs.writeFileSync(path.join(root, "cni-bin"), "");
    assert.match(round(), /cannot install into/);
    assert.ok(!ready());
  });
});

describe("RoutePluginInstaller component", () => {
  it("declares the ConfigMap with the file and the DaemonSet under itself", async () => {
    let component: RoutePluginInstaller | undefined;
    const { resources } = await captureProgram({
      project: "tenantnet",
      stack: "test",
      config: {},
      program: () => {
        component = new RoutePluginInstaller("route-plugin", { namespace: "kube-system", image: DEFAULT_INSTALLER_IMAGE });
      },
    });
    const configMap = resources.find((r) => r.type === KINDS.configMap.type);
    const daemonSet = resources.find((r) => r.type === KINDS.daemonSet.type);
    assert.ok(configMap && daemonSet);
    assert.equal(configMap.parent, "route-plugin");
    assert.equal(daemonSet.parent, "route-plugin");
    assert.deepEqual(configMap.inputs.data, { "x-calico-route": pluginScript });
    assert.ok(daemonSet.dependsOn.includes(configMap.urn));
    assert.equal(component?.pluginSha256, createHash("sha256").update(pluginScript).digest("hex"));
  });
});
