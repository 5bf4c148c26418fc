import { strict as assert } from "assert";
import { parse } from "yaml";
import { GUESTS } from "../../lib/config/schema";
import { GUEST_FAMILIES, networkData, userData, type Guest } from "../../lib/tenant/cloud-init";

const GATEWAY = "10.0.1.1";
const NO_DHCP_DNS = { "use-dns": false, "use-domains": false };
const UNDERLAY_MAC = "02:54:00:03:00:01";
const VPC_MAC = "02:54:00:01:00:01";

/** What the guest would read: the parsed networkData text. */
function parsed(guest: Guest, macs?: { underlay?: string; vpc?: string }): any {
  return parse(networkData({ guest, vpcGateway: GATEWAY, macs }));
}

const V2_GUESTS: Guest[] = ["ubuntu", "debian", "fedora"];

describe("cloud-init network data", () => {
  it("covers every guest in the config schema, v1 only for centos7", () => {
    assert.deepEqual(Object.keys(GUEST_FAMILIES).sort(), [...GUESTS].sort());
    assert.deepEqual(
      GUESTS.filter((guest) => GUEST_FAMILIES[guest].version === 1),
      ["centos7"],
    );
  });

  for (const guest of V2_GUESTS) {
    describe(`${guest} (v2)`, () => {
      it("names NIC 1 and NIC 2 enp1s0/enp2s0 with DHCP on both", () => {
        const { network } = parsed(guest);
        assert.equal(network.version, 2);
        assert.deepEqual(Object.keys(network.ethernets), ["enp1s0", "enp2s0"]);
        assert.equal(network.ethernets.enp1s0.dhcp4, true);
        assert.equal(network.ethernets.enp2s0.dhcp4, true);
      });

      it("routes the default only via the VPC gateway on the VPC NIC", () => {
        const { ethernets } = parsed(guest).network;
        assert.deepEqual(ethernets.enp2s0, { dhcp4: true, "dhcp4-overrides": NO_DHCP_DNS, routes: [{ to: "0.0.0.0/0", via: GATEWAY }] });
        assert.deepEqual(
          ethernets.enp1s0,
          { dhcp4: true, "dhcp4-overrides": NO_DHCP_DNS },
          "the underlay NIC gets no route and no gateway, and keeps its DHCP routes",
        );
      });

      it("matches pinned MACs and keeps the interface names", () => {
        const { ethernets } = parsed(guest, { underlay: UNDERLAY_MAC, vpc: VPC_MAC }).network;
        assert.deepEqual(ethernets.enp1s0, {
          match: { macaddress: UNDERLAY_MAC },
          "set-name": "enp1s0",
          dhcp4: true,
          "dhcp4-overrides": NO_DHCP_DNS,
        });
        assert.deepEqual(ethernets.enp2s0.match, { macaddress: VPC_MAC });
        assert.equal(ethernets.enp2s0["set-name"], "enp2s0");
        assert.deepEqual(ethernets.enp2s0.routes, [{ to: "0.0.0.0/0", via: GATEWAY }]);
      });
    });
  }

  it("matches only the NIC whose MAC is pinned", () => {
    const { ethernets } = parsed("ubuntu", { underlay: UNDERLAY_MAC }).network;
    assert.deepEqual(ethernets.enp1s0.match, { macaddress: UNDERLAY_MAC });
    assert.equal(ethernets.enp2s0.match, undefined);
    assert.equal(ethernets.enp2s0["set-name"], undefined);
  });

  describe("centos7 (v1)", () => {
    it("configures eth0 (underlay) and eth1 (VPC) as physical DHCP interfaces", () => {
      const { network } = parsed("centos7");
      assert.equal(network.version, 1);
      assert.deepEqual(
        network.config.map((nic: any) => [nic.type, nic.name, nic.subnets[0].type]),
        [
          ["physical", "eth0", "dhcp"],
          ["physical", "eth1", "dhcp"],
        ],
      );
    });

    it("routes the default only via the VPC gateway on eth1", () => {
      const [underlay, vpc] = parsed("centos7").network.config;
      assert.deepEqual(underlay.subnets, [{ type: "dhcp" }], "the underlay NIC gets no route and no gateway");
      assert.deepEqual(vpc.subnets, [{ type: "dhcp", routes: [{ gateway: GATEWAY, destination: "0.0.0.0", netmask: "0.0.0.0" }] }]);
    });

    it("matches pinned MACs with mac_address", () => {
      const [underlay, vpc] = parsed("centos7", { underlay: UNDERLAY_MAC, vpc: VPC_MAC }).network.config;
      assert.equal(underlay.mac_address, UNDERLAY_MAC);
      assert.equal(vpc.mac_address, VPC_MAC);
      assert.equal(parsed("centos7").network.config[0].mac_address, undefined);
    });
  });

  it("writes the tenant's nameservers on the VPC NIC only, v2 and v1", () => {
    const dns = { nameservers: ["10.50.0.10", "9.9.9.9"], search: ["acme.internal"] };
    const v2 = parse(networkData({ guest: "ubuntu", vpcGateway: GATEWAY, dns })).network.ethernets;
    assert.deepEqual(v2.enp2s0.nameservers, { addresses: dns.nameservers, search: dns.search });
    assert.equal(v2.enp1s0.nameservers, undefined);
    assert.deepEqual(
      v2.enp1s0["dhcp4-overrides"],
      { "use-dns": false, "use-domains": false },
      "no resolver from the underlay's DHCP; its routes stay",
    );
    const v1 = parse(networkData({ guest: "centos7", vpcGateway: GATEWAY, dns })).network.config;
    assert.deepEqual(v1[1].subnets[0].dns_nameservers, dns.nameservers);
    assert.deepEqual(v1[1].subnets[0].dns_search, dns.search);
    assert.deepEqual(v1[0].subnets, [{ type: "dhcp" }]);
    assert.deepEqual(v1[2], { type: "nameserver", address: dns.nameservers, search: dns.search });
    assert.equal(parse(networkData({ guest: "centos7", vpcGateway: GATEWAY })).network.config.length, 2, "no nameserver entry without dns");
  });

  it("keeps an all-digit MAC a string for cloud-init's YAML 1.1 parser", () => {
    const mac = "12:34:56:00:00:01";
    for (const guest of GUESTS) {
      const text = networkData({ guest, vpcGateway: GATEWAY, macs: { underlay: mac } });
      assert.ok(text.includes(`"${mac}"`), `${guest}: the MAC is not quoted:\n${text}`);
      const network = parse(text, { version: "1.1" }).network;
      const matched = network.version === 2 ? network.ethernets.enp1s0.match.macaddress : network.config[0].mac_address;
      assert.equal(matched, mac);
    }
  });

  it("uses the tenant's gateway, not a fixed one", () => {
    assert.deepEqual(parse(networkData({ guest: "debian", vpcGateway: "192.168.7.254" })).network.ethernets.enp2s0.routes, [
      { to: "0.0.0.0/0", via: "192.168.7.254" },
    ]);
    assert.equal(
      parse(networkData({ guest: "centos7", vpcGateway: "192.168.7.254" })).network.config[1].subnets[0].routes[0].gateway,
      "192.168.7.254",
    );
  });
});

describe("cloud-init user data", () => {
  it("is a cloud-config that authorizes the VM's SSH keys", () => {
    const keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleOnlyKeyMaterial ops@example", "ssh-rsa AAAAB3NzaC1yc2E ops2@example"];
    const text = userData(keys);
    assert.equal(text.split("\n")[0], "#cloud-config");
    assert.deepEqual(parse(text), { ssh_authorized_keys: keys });
  });

  it("is an empty cloud-config without keys", () => {
    const text = userData([]);
    assert.equal(text.split("\n")[0], "#cloud-config");
    assert.deepEqual(parse(text), {});
  });
});
