#!/usr/bin/env node
/**
 * Fake `ping -c 1 -W N ADDRESS` (iputils) answering for the world's floating IPs: an address answers when it
 * is attached to an ACTIVE server whose subnet is on a router with an external gateway and whose security
 * group lets ICMP in, unless the world drops tenant traffic (os.dropTraffic, a broken external bridge).
 * Exit 0 on a reply, 1 without one, as iputils ping does.
 */
"use strict";
const { load, record } = require("./fake-world.cjs");

const argv = process.argv.slice(2);
record("ping", argv);
const address = argv[argv.length - 1];
const os = load().openstack;
const ip = os.floatingIps.find((f) => f.address === address);
const server = ip && os.servers.find((s) => s.id === ip.server && s.status === "ACTIVE");
const subnet = server && os.subnets.find((s) => s.network === server.network);
const routed = subnet && os.routers.some((r) => r.gateway && r.subnets.includes(subnet.id));
const group = server && os.securityGroups.find((g) => g.id === server.securityGroup);
const icmp = group && group.rules.some((r) => r.protocol === "icmp" && r.ingress);
const reply = Boolean(routed && icmp && !os.dropTraffic);
process.stdout.write(`PING ${address} (${address}) 56(84) bytes of data.\n`);
if (reply) process.stdout.write(`64 bytes from ${address}: icmp_seq=1 ttl=62 time=0.8 ms\n`);
process.stdout.write(`\n--- ${address} ping statistics ---\n1 packets transmitted, ${reply ? 1 : 0} received, ${reply ? 0 : 100}% packet loss\n`);
process.exit(reply ? 0 : 1);
