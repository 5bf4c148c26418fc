/**
 * cni/x-calico-route in real network namespaces, driven through the CNI protocol as libcni
 * drives the Calico NAD's configuration list (lib/nad.ts): calico -> x-calico-route -> tuning,
 * with the reference `ptp` plugin + host-local standing in for Calico's point-to-point veth and
 * its link-local gateway, and the reference `bridge` plugin standing in for the Kube-OVN NIC.
 *
 * Every test runs in namespaces of its own: a "node" namespace where the plugins run (their
 * host-side veths, the bridge and the forwarding sysctls land there, not on this machine) and a
 * "pod" namespace. Addresses are private test ranges that exist only inside them; no traffic is
 * sent anywhere. Needs root and Debian's containernetworking-plugins; fails (never skips)
 * without them.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CALICO_GATEWAY, ROUTE_PLUGIN_TYPE, calicoConfList, kubeOvnConfList, type CniConfList, type CniPlugin } from "../../lib/cni-config";
import { ConfListRunner, execPlugin, pluginNetconf, pluginOutcome, type CniResult, type ExecOptions, type RuntimeConf } from "./cni";
import {
  Namespaces,
  REFERENCE_PLUGIN_DIR,
  ROUTE_PLUGIN,
  ROUTE_PLUGIN_DIR,
  assertPrerequisites,
  defaultRoutes,
  routes,
  run,
  snapshot,
  which,
  type Completed,
  type Route,
} from "./netns";

const NETWORK = { podCidr: "10.251.0.0/16", nodeCidrs: ["198.18.0.0/16", "10.250.0.0/16"] };
const CONFIGURED_DSTS = [NETWORK.podCidr, ...NETWORK.nodeCidrs];
/**
 * ptp wants the gateway inside the IPAM subnet, so the stand-in pod address comes from Calico's
 * link-local gateway subnet; the routes under test do not depend on the pod's own address.
 */
const CALICO_STANDIN_SUBNET = "169.254.1.0/24";
const CNI_VERSIONS = ["0.3.0", "0.3.1", "0.4.0", "1.0.0"];
const CNI_PATH = [ROUTE_PLUGIN_DIR, REFERENCE_PLUGIN_DIR];
const RUN_PREFIX = `tn-rt-${process.pid}`;

let runDir = "";
let fixtureCount = 0;

function supportsCheck(version: string): boolean {
  return version === "0.4.0" || version === "1.0.0";
}

/** The Calico NAD's list with its `calico` entry replaced by the ptp stand-in; the rest as declared. */
function calicoStandInList(version: string, dataDir: string): CniConfList {
  const nad = calicoConfList(NETWORK);
  assert.deepEqual(
    nad.plugins.map((plugin) => plugin.type),
    ["calico", ROUTE_PLUGIN_TYPE, "tuning"],
    "the Calico NAD chain changed; update this stand-in",
  );
  const ptp: CniPlugin = {
    type: "ptp",
    ipMasq: false,
    ipam: {
      type: "host-local",
      ranges: [[{ subnet: CALICO_STANDIN_SUBNET, gateway: CALICO_GATEWAY }]],
      routes: [{ dst: "0.0.0.0/0" }],
      dataDir,
    },
  };
  return { ...nad, cniVersion: version, plugins: [ptp, ...nad.plugins.slice(1)] };
}

/** The Kube-OVN NAD's list with its `kube-ovn` entry replaced by a bridge with its own subnet and default route. */
function kubeOvnStandInList(version: string, dataDir: string, bridge: string, subnet: string): CniConfList {
  const nad = kubeOvnConfList("kubeovn", "default");
  assert.deepEqual(
    nad.plugins.map((plugin) => plugin.type),
    ["kube-ovn"],
    "the Kube-OVN NAD chain changed; update this stand-in",
  );
  const plugin: CniPlugin = {
    type: "bridge",
    bridge,
    isGateway: true,
    ipMasq: false,
    ipam: { type: "host-local", ranges: [[{ subnet }]], routes: [{ dst: "0.0.0.0/0" }], dataDir },
  };
  return { ...nad, cniVersion: version, plugins: [plugin] };
}

/** The routes the plugin must report and install: every configured CIDR via Calico's gateway. */
function configuredRoutes(gateway = CALICO_GATEWAY): { dst: string; gw: string }[] {
  return CONFIGURED_DSTS.map((dst) => ({ dst, gw: gateway }));
}

function byDst(a: Route, b: Route): number {
  return a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0;
}

/** What `ip -j route` shows for a route `replace` added: dst via gateway on the interface. */
function installedRoute(dst: string, dev: string, gateway = CALICO_GATEWAY): Route {
  return { dst, gateway, dev, flags: [] };
}

/**
 * An `ip` in front of the real one that makes the plugin's change batch fail after N lines
 * (TN_FAIL_AFTER), or fail at its flush after the flush really ran (TN_FAIL_FLUSH).
 */
function faultyIpDir(): string {
  const dir = path.join(runDir, "faulty-ip");
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir);
    const realIp = which("ip");
    fs.writeFileSync(
      path.join(dir, "ip"),
      `#!/bin/bash
# Test stand-in for ${realIp}. Only the plugin's change batch is touched (the batch without
# -force; its rollback runs with -force).
# TN_FAIL_FLUSH: runs the batch up to and including its \`route flush\` for real, then reports
# that line as failed, as a flush that failed part-way would: routes are gone, the batch failed.
if [[ " $* " == *" -batch "* && " $* " != *" -force "* && -n \${TN_FAIL_FLUSH-} ]]; then
  mapfile -t lines
  for ((i = 0; i < \${#lines[@]}; i++)); do
    if [[ \${lines[i]} == "route flush "* ]]; then
      printf '%s\\n' "\${lines[@]:0:i+1}" | ${realIp} "$@"
      echo "Error: test stand-in: the flush failed after deleting routes"
      echo "Command failed -:$((i + 1))"
      exit 1
    fi
  done
  printf '%s\\n' "\${lines[@]}" | ${realIp} "$@"
  exit
fi
# TN_FAIL_AFTER: after that many lines, inserts a command the kernel refuses (table 251 does not
# exist), so the change fails midway for real and the rollback runs.
if [[ " $* " == *" -batch "* && " $* " != *" -force "* && -n \${TN_FAIL_AFTER-} ]]; then
  mapfile -t lines
  if [[ "\${lines[*]}" == *"route replace "* ]]; then
    printf '%s\\n' "\${lines[@]:0:TN_FAIL_AFTER}" 'route del 192.0.2.0/24 dev lo table 251' "\${lines[@]:TN_FAIL_AFTER}"
  else
    printf '%s\\n' "\${lines[@]}"
  fi | ${realIp} "$@"
  exit
fi
exec ${realIp} "$@"
`,
      { mode: 0o755 },
    );
  }
  return dir;
}

/**
 * A PATH holding only the tools the plugin runs (`ip`, `nsenter`) minus `missing`, as a node
 * without iproute2 or util-linux would have it. The plugin's interpreter is /bin/bash by path.
 */
function pathWithout(missing: "ip" | "nsenter"): string {
  const dir = path.join(runDir, `without-${missing}`);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir);
    for (const tool of ["ip", "nsenter"].filter((tool) => tool !== missing)) fs.symlinkSync(which(tool), path.join(dir, tool));
  }
  return dir;
}

/** One pod: its namespaces, IPAM state, the Calico stand-in list and how to drive the route plugin. */
class PodFixture {
  readonly namespaces: Namespaces;
  readonly node: string;
  readonly pod: string;
  readonly dataDir: string;
  readonly calicoList: CniConfList;
  readonly calico: ConfListRunner;
  readonly rt: RuntimeConf;
  readonly index: number;

  constructor(readonly version: string) {
    this.index = ++fixtureCount;
    this.namespaces = new Namespaces(`${RUN_PREFIX}-${this.index}`);
    this.node = this.namespaces.add("node");
    this.pod = this.namespaces.add("pod");
    // No IPv6: link-local addresses and DAD would change the namespaces asynchronously under
    // the before/after comparisons (the plugin is IPv4-only).
    for (const ns of [this.node, this.pod]) {
      run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
    }
    this.dataDir = path.join(runDir, `ipam-${this.index}`);
    this.calicoList = calicoStandInList(version, this.dataDir);
    this.calico = new ConfListRunner(this.calicoList, this.execOptions());
    this.rt = {
      containerId: `${RUN_PREFIX}-${this.index}`,
      netns: this.namespaces.path(this.pod),
      ifName: "eth0",
      args: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=virt-launcher-${this.index}`,
    };
  }

  execOptions(env?: Record<string, string | undefined>): ExecOptions {
    return { cniPath: CNI_PATH, hostNetns: this.node, env };
  }

  /** The x-calico-route entry exactly as the NAD declares it. */
  get routePlugin(): CniPlugin {
    return this.calicoList.plugins[1];
  }

  /** The Calico NIC as Calico leaves it (ptp), before the route plugin runs: ptp's result. */
  attachCalicoNic(): CniResult {
    const result = this.calico.invoke(this.calicoList.plugins[0], "ADD", this.rt);
    assert.ok(result, "ptp printed no result");
    assert.equal(defaultRoutes(this.pod).length, 1, "the Calico stand-in should leave one default route");
    return result;
  }

  /** The route plugin's network config as libcni builds it, with overrides (undefined removes a key). */
  routeNetconf(prevResult: CniResult | undefined, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const netconf = pluginNetconf(this.calicoList, this.routePlugin, prevResult);
    for (const [key, value] of Object.entries(overrides)) {
      if (value === undefined) delete netconf[key];
      else netconf[key] = value;
    }
    return netconf;
  }

  /** Runs the route plugin once; stdin is the netconf (object) or raw text. */
  runRoutePlugin(
    command: string,
    stdin: Record<string, unknown> | string,
    options: { rt?: Partial<RuntimeConf>; env?: Record<string, string | undefined> } = {},
  ): Completed {
    const text = typeof stdin === "string" ? stdin : JSON.stringify(stdin);
    return execPlugin(ROUTE_PLUGIN, command, text, { ...this.rt, ...options.rt }, this.execOptions(options.env));
  }

  /** Kube-OVN stand-in on net1: a bridge in the node namespace with its own subnet and default route. */
  kubeOvn(): { runner: ConfListRunner; rt: RuntimeConf; gateway: string } {
    const subnetIndex = this.index % 250;
    const list = kubeOvnStandInList(this.version, this.dataDir, `tnbr${this.index}`, `198.19.${subnetIndex}.0/24`);
    return {
      runner: new ConfListRunner(list, this.execOptions()),
      rt: { ...this.rt, ifName: "net1" },
      gateway: `198.19.${subnetIndex}.1`,
    };
  }

  cleanup(): void {
    // The bridge, the host-side veths and the pod's links all live in these namespaces.
    this.namespaces.cleanup();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The error a failed plugin call printed, asserting it is a well-formed CNI error. */
function cniError(completed: Completed, version: string): { code: number; msg: string; details?: string } {
  assert.notEqual(completed.status, 0, `expected a failure, got exit 0 and ${completed.stdout}`);
  let error: { cniVersion?: string; code: number; msg: string; details?: string };
  try {
    error = JSON.parse(completed.stdout);
  } catch {
    throw new Error(`stdout is not a CNI error object: ${JSON.stringify(completed.stdout)} (stderr ${completed.stderr})`);
  }
  assert.equal(typeof error.code, "number");
  assert.equal(typeof error.msg, "string");
  assert.ok(error.msg.length > 0);
  assert.ok(error.cniVersion === version || error.cniVersion === "1.0.0", `error cniVersion ${error.cniVersion}`);
  return error;
}

function assertSucceeded(completed: Completed): CniResult | undefined {
  assert.equal(completed.status, 0, `plugin failed: ${completed.stdout} ${completed.stderr}`);
  return pluginOutcome(ROUTE_PLUGIN_TYPE, "", completed);
}

describe("x-calico-route in real network namespaces", function () {
  before(function () {
    assertPrerequisites("the route plugin's netns tests");
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), `${RUN_PREFIX}-`));
  });

  after(function () {
    if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
  });

  it("VERSION reports the four supported spec versions", function () {
    for (const version of [...CNI_VERSIONS, "9.9.9"]) {
      const completed = run(ROUTE_PLUGIN, [], {
        input: JSON.stringify({ cniVersion: version }),
        env: { ...process.env, CNI_COMMAND: "VERSION" },
      });
      assert.deepEqual(JSON.parse(completed.stdout), {
        cniVersion: version === "9.9.9" ? "1.0.0" : version,
        supportedVersions: ["0.3.0", "0.3.1", "0.4.0", "1.0.0"],
      });
    }
  });

  for (const version of CNI_VERSIONS) {
    describe(`cniVersion ${version}`, function () {
      let fx: PodFixture;

      beforeEach(function () {
        fx = new PodFixture(version);
      });

      afterEach(function () {
        fx.cleanup();
      });

      it("ADD through the NAD chain swaps the default route for the configured routes via the gateway", function () {
        let tableBefore: Route[] = [];
        const [ptpResult, routeResult, tuningResult] = fx.calico.add(fx.rt, {
          beforePlugin: (index) => {
            if (index === 1) tableBefore = routes(fx.pod);
          },
        });
        assert.equal(tableBefore.filter((route) => route.dst === "default").length, 1);

        // The table: Calico's default route gone, every configured CIDR via the gateway on eth0,
        // everything else as ptp left it.
        const expectedTable = [
          ...tableBefore.filter((route) => route.dst !== "default"),
          ...CONFIGURED_DSTS.map((dst) => installedRoute(dst, "eth0")),
        ].sort(byDst);
        assert.deepEqual(routes(fx.pod).sort(byDst), expectedTable);
        assert.deepEqual(defaultRoutes(fx.pod), []);

        // The printed result: ptp's, with routes replaced by what is now true.
        assert.deepEqual(routeResult, { ...ptpResult, cniVersion: version, routes: configuredRoutes() });
        if (version === "1.0.0") assert.ok(routeResult.ips?.every((ip) => !("version" in ip)));
        else assert.ok(routeResult.ips?.every((ip) => ip.version === "4"));

        // tuning passes it on unchanged.
        assert.deepEqual(tuningResult.routes, routeResult.routes);
        assert.deepEqual(tuningResult.ips, routeResult.ips);
        assert.deepEqual(tuningResult.interfaces, routeResult.interfaces);
      });

      it("a second ADD of the route plugin changes nothing", function () {
        const [ptpResult, routeResult] = fx.calico.add(fx.rt);
        const before = snapshot(fx.pod);
        const again = assertSucceeded(fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult)));
        assert.deepEqual(again, routeResult);
        assert.deepEqual(snapshot(fx.pod), before);
      });

      if (supportsCheck(version)) {
        it("CHECK of the whole chain passes after ADD", function () {
          const results = fx.calico.add(fx.rt);
          const before = snapshot(fx.pod);
          fx.calico.check(fx.rt, results[results.length - 1]);
          assert.deepEqual(snapshot(fx.pod), before);
        });

        it("CHECK fails with code 100 when a configured route is missing or a default route is back", function () {
          const results = fx.calico.add(fx.rt);
          const final = results[results.length - 1];
          run("ip", ["-n", fx.pod, "route", "del", NETWORK.nodeCidrs[0], "dev", "eth0"]);
          let before = snapshot(fx.pod);
          let error = cniError(fx.runRoutePlugin("CHECK", fx.routeNetconf(final)), version);
          assert.equal(error.code, 100);
          assert.match(error.details ?? "", new RegExp(`route ${NETWORK.nodeCidrs[0].replace(/\./g, "\\.")} via`));
          assert.deepEqual(snapshot(fx.pod), before);

          run("ip", ["-n", fx.pod, "route", "replace", NETWORK.nodeCidrs[0], "via", CALICO_GATEWAY, "dev", "eth0"]);
          run("ip", ["-n", fx.pod, "route", "add", "default", "via", CALICO_GATEWAY, "dev", "eth0", "metric", "50"]);
          before = snapshot(fx.pod);
          error = cniError(fx.runRoutePlugin("CHECK", fx.routeNetconf(final)), version);
          assert.equal(error.code, 100);
          assert.match(error.details ?? "", /default route via eth0 present/);
          assert.deepEqual(snapshot(fx.pod), before);
        });

        it("CHECK without prevResult fails with code 7 and changes nothing", function () {
          fx.calico.add(fx.rt);
          const before = snapshot(fx.pod);
          assert.equal(cniError(fx.runRoutePlugin("CHECK", fx.routeNetconf(undefined)), version).code, 7);
          assert.deepEqual(snapshot(fx.pod), before);
        });
      } else {
        it(`CHECK is refused with code 1 under ${version}`, function () {
          const results = fx.calico.add(fx.rt);
          const final = results[results.length - 1];
          assert.throws(() => fx.calico.check(fx.rt, final), /does not support the CHECK command/);
          const before = snapshot(fx.pod);
          const error = cniError(fx.runRoutePlugin("CHECK", fx.routeNetconf(final)), version);
          assert.equal(error.code, 1);
          assert.deepEqual(snapshot(fx.pod), before);
        });
      }

      it("DEL through the chain succeeds; the route plugin's DEL prints nothing", function () {
        const results = fx.calico.add(fx.rt);
        const final = results[results.length - 1];
        fx.calico.del(fx.rt, final);
        assert.throws(() => run("ip", ["-n", fx.pod, "link", "show", "eth0"]), /does not exist/);
        // host-local released the address: only its lock file and last-reserved marker remain.
        const leases = fs.readdirSync(path.join(fx.dataDir, fx.calicoList.name)).filter((file) => /^\d+\.\d+\.\d+\.\d+$/.test(file));
        assert.deepEqual(leases, []);
        // A repeated DEL, as runtimes may send.
        fx.calico.del(fx.rt, final);
      });

      it("DEL of the route plugin succeeds with the interface or the whole netns gone", function () {
        const results = fx.calico.add(fx.rt);
        const final = results[results.length - 1];
        run("ip", ["-n", fx.pod, "link", "del", "eth0"]);
        let completed = fx.runRoutePlugin("DEL", fx.routeNetconf(final));
        assert.deepEqual([completed.status, completed.stdout], [0, ""]);

        fx.namespaces.delete(fx.pod);
        completed = fx.runRoutePlugin("DEL", fx.routeNetconf(final));
        assert.deepEqual([completed.status, completed.stdout], [0, ""]);
        completed = fx.runRoutePlugin("DEL", "not even JSON", { rt: { netns: undefined } });
        assert.deepEqual([completed.status, completed.stdout], [0, ""]);
      });

      it("without a configured gateway it uses the gateway of the default route it removes", function () {
        const ptpResult = fx.attachCalicoNic();
        const netconf = fx.routeNetconf(ptpResult, { gateway: undefined });
        const result = assertSucceeded(fx.runRoutePlugin("ADD", netconf));
        assert.deepEqual(result?.routes, configuredRoutes());
        assert.deepEqual(defaultRoutes(fx.pod), []);
        for (const dst of CONFIGURED_DSTS) {
          assert.deepEqual(
            routes(fx.pod).find((route) => route.dst === dst),
            installedRoute(dst, "eth0"),
          );
        }
        // Repeated: no default route left, the gateway comes from the routes already in place.
        const before = snapshot(fx.pod);
        assert.deepEqual(assertSucceeded(fx.runRoutePlugin("ADD", netconf)), result);
        assert.deepEqual(snapshot(fx.pod), before);
        if (supportsCheck(version)) {
          assertSucceeded(fx.runRoutePlugin("CHECK", fx.routeNetconf(result, { gateway: undefined })));
        }
      });

      it("enters a netns given as /proc/<pid>/ns/net (through nsenter)", function () {
        const ptpResult = fx.attachCalicoNic();
        const procNetns = fx.namespaces.procPath(fx.pod);
        const result = assertSucceeded(fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult), { rt: { netns: procNetns } }));
        assert.deepEqual(result?.routes, configuredRoutes());
        assert.deepEqual(defaultRoutes(fx.pod), []);
        if (supportsCheck(version)) {
          assertSucceeded(fx.runRoutePlugin("CHECK", fx.routeNetconf(result), { rt: { netns: procNetns } }));
        }
      });

      it("passes an unusual prevResult through unchanged apart from routes", function () {
        const ptpResult = fx.attachCalicoNic();
        const unusual: CniResult = {
          ...ptpResult,
          interfaces: [...(ptpResult.interfaces ?? []), { name: 'we"ird\\name/é', mac: "00:00:00:00:00:01", sandbox: "" }],
          routes: [{ dst: "0.0.0.0/0" }, { dst: "192.0.2.0/24", gw: "169.254.1.9" }, { dst: NETWORK.podCidr, gw: "169.254.1.8" }],
          dns: { nameservers: ["10.96.0.10"], search: ["default.svc.cluster.local", "tab\there"], options: ["ndots:5"] },
          "x-extra": { nested: [1, -2.5e3, true, false, null, { "a/b~c": "\u0001\u001f" }], empty: {}, list: [] },
        };
        const netconf = fx.routeNetconf(undefined);
        // Pretty-printed, as a hand-written config would be.
        const text = JSON.stringify({ ...netconf, prevResult: unusual }, null, 2).replace(/\n/g, "\r\n");
        const result = assertSucceeded(fx.runRoutePlugin("ADD", text));
        const expectedIps =
          version === "1.0.0"
            ? unusual.ips?.map(({ version: _dropped, ...ip }) => ip)
            : unusual.ips?.map((ip) => ({ version: "4", ...ip }));
        assert.deepEqual(result, {
          ...unusual,
          cniVersion: version,
          ips: expectedIps,
          // Kept: a route of the previous plugin that is still true; replaced: the default
          // route (removed) and the configured destination (now via the gateway).
          routes: [{ dst: "192.0.2.0/24", gw: "169.254.1.9" }, ...configuredRoutes()],
        });
      });

      for (const order of ["after", "before"] as const) {
        it(`with a Kube-OVN NIC added ${order} it, the pod has exactly one default route, via that NIC`, function () {
          const ovn = fx.kubeOvn();
          if (order === "before") ovn.runner.add(ovn.rt);
          const results = fx.calico.add(fx.rt);
          if (order === "after") ovn.runner.add(ovn.rt);
          assert.deepEqual(
            defaultRoutes(fx.pod).map((route) => [route.dev, route.gateway]),
            [["net1", ovn.gateway]],
          );
          for (const dst of CONFIGURED_DSTS) {
            assert.deepEqual(
              routes(fx.pod).find((route) => route.dst === dst),
              installedRoute(dst, "eth0"),
            );
          }
          if (supportsCheck(version)) fx.calico.check(fx.rt, results[results.length - 1]);
        });
      }

      describe("failures: a CNI error with the right code, the netns exactly as it was", function () {
        interface FailureCase {
          name: string;
          code: number;
          /** The route plugin call, given ptp's result; returns its completion. */
          call: (fx: PodFixture, ptpResult: CniResult) => Completed;
          /** Extra state to put into the pod netns before the snapshot. */
          prepare?: (fx: PodFixture) => void;
          details?: RegExp;
          msg?: RegExp;
        }
        const withConfig = (overrides: Record<string, unknown>) => (fx: PodFixture, ptpResult: CniResult) =>
          fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult, overrides));
        const withRoutes = (...dsts: unknown[]) => withConfig({ routes: dsts.map((dst) => ({ dst })) });

        const cases: FailureCase[] = [
          { name: "unsupported cniVersion 0.2.0", code: 1, call: withConfig({ cniVersion: "0.2.0" }) },
          { name: "unsupported cniVersion 1.1.0", code: 1, call: withConfig({ cniVersion: "1.1.0" }) },
          { name: "no cniVersion", code: 1, call: withConfig({ cniVersion: undefined }) },
          {
            name: "ADD without prevResult",
            code: 7,
            call: (fx) => fx.runRoutePlugin("ADD", fx.routeNetconf(undefined)),
            details: /chained/,
          },
          {
            name: "truncated JSON",
            code: 6,
            call: (fx, ptpResult) => fx.runRoutePlugin("ADD", JSON.stringify(fx.routeNetconf(ptpResult)).slice(0, -2)),
          },
          {
            name: "JSON followed by garbage",
            code: 6,
            call: (fx, ptpResult) => fx.runRoutePlugin("ADD", `${JSON.stringify(fx.routeNetconf(ptpResult))} x`),
          },
          { name: "empty stdin", code: 6, call: (fx) => fx.runRoutePlugin("ADD", "") },
          { name: "routes not a list", code: 6, call: withConfig({ routes: NETWORK.podCidr }) },
          { name: "dst not a string", code: 6, call: withRoutes(10) },
          { name: "no routes key", code: 7, call: withConfig({ routes: undefined }) },
          {
            name: "a route entry with an unsupported field",
            code: 2,
            call: withConfig({ routes: [{ dst: NETWORK.podCidr, gw: "169.254.1.2" }] }),
          },
          { name: "prefix length 33", code: 7, call: withRoutes(NETWORK.podCidr, "10.252.0.0/33"), details: /prefix length/ },
          { name: "host bits set", code: 7, call: withRoutes("10.251.1.0/16"), details: /host bits/ },
          { name: "not a CIDR", code: 7, call: withRoutes(NETWORK.podCidr, "10.251.0/16") },
          { name: "an IPv6 CIDR", code: 7, call: withRoutes("fd00::/8") },
          { name: "a default route as dst", code: 7, call: withRoutes("0.0.0.0/0") },
          {
            name: "a route that covers the gateway",
            code: 7,
            call: withRoutes(NETWORK.podCidr, "169.254.0.0/16"),
            details: /contains the gateway/,
          },
          { name: "gateway 169.254.1.300", code: 7, call: withConfig({ gateway: "169.254.1.300" }) },
          { name: "gateway with a leading zero", code: 7, call: withConfig({ gateway: "169.254.1.01" }) },
          { name: "gateway not an address", code: 7, call: withConfig({ gateway: "calico" }) },
          {
            name: "gateway not on-link via eth0 (refused by the kernel on the first change)",
            code: 7,
            call: withConfig({ gateway: "10.99.0.1" }),
            details: /invalid gateway/,
          },
          {
            name: "CNI_NETNS unset",
            code: 4,
            call: (fx, ptpResult) => fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult), { rt: { netns: undefined } }),
          },
          {
            name: "CNI_IFNAME unset",
            code: 4,
            call: (fx, ptpResult) => fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult), { env: { CNI_IFNAME: undefined } }),
          },
          {
            name: "CNI_COMMAND unknown",
            code: 4,
            call: (fx, ptpResult) => execPlugin(ROUTE_PLUGIN, "GC", JSON.stringify(fx.routeNetconf(ptpResult)), fx.rt, fx.execOptions()),
          },
          // Not 3 on ADD: 3 tells the runtime it may skip DEL, and Calico has allocated by now.
          ...["ADD", ...(supportsCheck(version) ? ["CHECK"] : [])].flatMap((command) => {
            const code = command === "ADD" ? 4 : 3;
            const msg = command === "ADD" ? /^invalid CNI_NETNS: / : /^container network namespace /;
            return [
              {
                name: `${command}: CNI_NETNS does not exist`,
                code,
                msg,
                call: (fx: PodFixture, ptpResult: CniResult) =>
                  fx.runRoutePlugin(command, fx.routeNetconf(ptpResult), { rt: { netns: `/run/netns/${RUN_PREFIX}-no-such-netns` } }),
              },
              {
                name: `${command}: CNI_NETNS is not a network namespace`,
                code,
                msg,
                call: (fx: PodFixture, ptpResult: CniResult) => {
                  const file = path.join(runDir, `not-a-netns-${fx.index}`);
                  fs.writeFileSync(file, "");
                  return fx.runRoutePlugin(command, fx.routeNetconf(ptpResult), { rt: { netns: file } });
                },
              },
            ];
          }),
          ...[{ gateway: undefined }, {}].flatMap((overrides) => {
            const how = "gateway" in overrides ? "no gateway configured" : "gateway configured";
            return [
              {
                name: `ip not on PATH, netns by name, ${how}`,
                code: 103,
                msg: /^ip \(iproute2\) not found on PATH$/,
                call: (fx: PodFixture, ptpResult: CniResult) =>
                  fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult, overrides), { env: { PATH: pathWithout("ip") } }),
              },
              {
                name: `ip not on PATH, netns by /proc path (nsenter there), ${how}`,
                code: 103,
                msg: /^ip \(iproute2\) not found on PATH$/,
                call: (fx: PodFixture, ptpResult: CniResult) =>
                  fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult, overrides), {
                    rt: { netns: fx.namespaces.procPath(fx.pod) },
                    env: { PATH: pathWithout("ip") },
                  }),
              },
              {
                name: `nsenter not on PATH, netns by /proc path, ${how}`,
                code: 103,
                msg: /^nsenter \(util-linux\) not found on PATH$/,
                call: (fx: PodFixture, ptpResult: CniResult) =>
                  fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult, overrides), {
                    rt: { netns: fx.namespaces.procPath(fx.pod) },
                    env: { PATH: pathWithout("nsenter") },
                  }),
              },
            ];
          }),
          {
            name: "CHECK with ip not on PATH",
            code: supportsCheck(version) ? 103 : 1,
            call: (fx, ptpResult) => fx.runRoutePlugin("CHECK", fx.routeNetconf(ptpResult), { env: { PATH: pathWithout("ip") } }),
          },
          {
            name: "routes: [] and the flush fails after deleting the default route: rolled back, reported",
            code: 101,
            call: (fx, ptpResult) =>
              fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult, { routes: [] }), {
                env: { PATH: `${faultyIpDir()}:${process.env.PATH}`, TN_FAIL_FLUSH: "1" },
              }),
            details: /the flush failed/,
            msg: /table was restored/,
          },
          {
            name: "prevResult with an IPv6 address (dual-stack Calico): refused, IPv4-only by scope",
            code: 7,
            call: (fx, ptpResult) => {
              const ipv6 = {
                ...(version === "1.0.0" ? {} : { version: "6" }),
                address: "fd00:10::5/128",
                gateway: "fe80::1",
                interface: 0,
              };
              const prevResult = {
                ...ptpResult,
                ips: [...(ptpResult.ips ?? []), ipv6],
                routes: [...(ptpResult.routes ?? []), { dst: "::/0", gw: "fe80::1" }],
              };
              return fx.runRoutePlugin("ADD", fx.routeNetconf(prevResult));
            },
            msg: /prevResult\.ips\[1\] is IPv6/,
          },
          {
            name: "CNI_IFNAME not in the netns",
            code: 4,
            call: (fx, ptpResult) => fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult), { rt: { ifName: "eth9" } }),
            details: /eth9/,
          },
          {
            name: "CNI_IFNAME not in the netns, no gateway configured",
            code: 4,
            call: (fx, ptpResult) =>
              fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult, { gateway: undefined }), { rt: { ifName: "eth9" } }),
          },
          {
            name: "kernel refuses the second change: the first is rolled back",
            code: 101,
            call: (fx, ptpResult) =>
              fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult), {
                env: { PATH: `${faultyIpDir()}:${process.env.PATH}`, TN_FAIL_AFTER: "2" },
              }),
            details: /FIB table does not exist/,
            msg: /table was restored/,
          },
          {
            name: "kernel refuses after every change incl. the default route's removal: all rolled back",
            code: 101,
            call: (fx, ptpResult) =>
              fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult), {
                env: { PATH: `${faultyIpDir()}:${process.env.PATH}`, TN_FAIL_AFTER: String(2 + CONFIGURED_DSTS.length) },
              }),
            msg: /table was restored/,
          },
          {
            name: "kernel refuses after every change: routes with attributes, a nexthop object and multipath come back as they were",
            code: 101,
            prepare: (fx) => {
              const ip = (...args: string[]) => run("ip", ["-n", fx.pod, ...args]);
              ip("route", "add", "default", "via", CALICO_GATEWAY, "dev", "eth0", "proto", "static", "metric", "100");
              ip("nexthop", "add", "id", "7", "via", CALICO_GATEWAY, "dev", "eth0");
              ip("route", "add", NETWORK.podCidr, "nhid", "7", "proto", "static");
              ip(
                "route",
                "add",
                NETWORK.nodeCidrs[0],
                "proto",
                "static",
                "mtu",
                "1400",
                "nexthop",
                "via",
                CALICO_GATEWAY,
                "dev",
                "eth0",
                "weight",
                "1",
                "nexthop",
                "via",
                CALICO_GATEWAY,
                "dev",
                "eth0",
                "weight",
                "3",
              );
            },
            call: (fx, ptpResult) =>
              fx.runRoutePlugin("ADD", fx.routeNetconf(ptpResult), {
                env: { PATH: `${faultyIpDir()}:${process.env.PATH}`, TN_FAIL_AFTER: String(2 + CONFIGURED_DSTS.length) },
              }),
            msg: /table was restored/,
          },
        ];

        for (const failure of cases) {
          it(`${failure.name}: code ${failure.code}`, function () {
            const ptpResult = fx.attachCalicoNic();
            failure.prepare?.(fx);
            const before = snapshot(fx.pod);
            const error = cniError(failure.call(fx, ptpResult), version);
            assert.equal(error.code, failure.code, `${error.msg} (${error.details})`);
            if (failure.details) assert.match(error.details ?? "", failure.details);
            if (failure.msg) assert.match(error.msg, failure.msg);
            assert.deepEqual(snapshot(fx.pod), before);
          });
        }
      });
    });
  }
});
