"""Zuul's side of the OpenStack scenario, through nodepool's own ZooKeeper
API (over TLS): request a node of a label, see the launcher boot it on the
cloud (the server ACTIVE on Nova, from the image the builder uploaded),
accept it, return it, and see the launcher delete the node and its server.
Prints each step; exits non-zero on the first that does not happen in time.
Usage: boot-node.py LABEL CLOUD [TLS_DIR]"""
import sys
import time

import openstack
from nodepool.zk import ZooKeeperClient
from nodepool.zk import zookeeper as zk

label, cloud_name = sys.argv[1], sys.argv[2]
tls = sys.argv[3] if len(sys.argv) > 3 else "/scenario/tls"
cloud = openstack.connect(cloud=cloud_name)


def wait(what, check, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    sys.exit(f"boot-node: {what} did not happen within {timeout} s")


client = ZooKeeperClient("127.0.0.1:2281", tls_ca=f"{tls}/ca.pem", tls_cert=f"{tls}/client.pem", tls_key=f"{tls}/client.key")
client.connect()
api = zk.ZooKeeper(client, enable_cache=False)

request = zk.NodeRequest()
request.state = zk.REQUESTED
request.node_types = [label]
request.requestor = "imgmono-scenario"
started = time.monotonic()
api.storeNodeRequest(request)
print(f"submitted node request {request.id} for {label}")

request = wait("fulfilment of the node request", lambda: (r := api.getNodeRequest(request.id)) and r.state in (zk.FULFILLED, zk.FAILED) and r)
if request.state != zk.FULFILLED:
    sys.exit(f"boot-node: request {request.id} ended {request.state}, declined by {request.declined_by}")
print(f"node request {request.id} fulfilled in {time.monotonic() - started:.1f} s with node(s) {' '.join(request.nodes)}")

node = api.getNode(request.nodes[0])
print(f"node {node.id}: {node.state}, label {' '.join(node.type)}, provider {node.provider}, address {node.interface_ip}, allocated to {node.allocated_to}")
server = cloud.compute.get_server(node.external_id)
image = cloud.image.get_image(server.image.id)
print(f"server {server.name}: {server.status} on {server.compute_host}, image {image.name}")

api.lockNode(node, blocking=True, timeout=10)
api.deleteNodeRequest(request)
node.state = zk.IN_USE
api.storeNode(node)
print(f"node {node.id} locked and in use")
node.state = zk.USED
api.storeNode(node)
api.unlockNode(node)
print(f"node {node.id} returned (used)")

wait("deletion of the node", lambda: api.getNode(node.id) is None)
wait("deletion of the server", lambda: cloud.compute.find_server(node.external_id) is None)
print(f"node {node.id} and server {server.name} deleted")
client.disconnect()
