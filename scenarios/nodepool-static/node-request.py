"""A node request the way Zuul makes one, through nodepool's own ZooKeeper
API (over TLS, as nodepool >= 4 requires): submit a request for a label, wait
until the launcher fulfils it, accept the node (lock it, delete the request,
mark it in use) and return it (used, unlocked). Then, for a static node, wait
until the static driver offers it again, ready; for a node of a cloud
(--cloud NAME of clouds.yaml), show its server first, and after the return
wait until the launcher has deleted the node and the server. Prints each
step; exits non-zero on the first that does not happen in time. Used by
scenarios/nodepool-static and scenarios/nodepool-openstack.
Usage: node-request.py LABEL [TLS_DIR] [--cloud NAME]"""
import argparse
import sys
import time

from nodepool.zk import ZooKeeperClient
from nodepool.zk import zookeeper as zk

parser = argparse.ArgumentParser()
parser.add_argument("label")
parser.add_argument("tls", nargs="?", default="/scenario/tls")
parser.add_argument("--cloud")
args = parser.parse_args()
label, tls = args.label, args.tls


def wait(what, check, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    sys.exit(f"node-request: {what} did not happen within {timeout} s")


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
    sys.exit(f"node-request: request {request.id} ended {request.state}, declined by {request.declined_by}")
print(f"node request {request.id} fulfilled in {time.monotonic() - started:.1f} s with node(s) {' '.join(request.nodes)}")

node = api.getNode(request.nodes[0])
print(f"node {node.id}: {node.state}, label {' '.join(node.type)}, host {node.hostname}, address {node.interface_ip}, provider {node.provider}, allocated to {node.allocated_to}")
if node.state != zk.READY or node.allocated_to != request.id:
    sys.exit(f"node-request: node {node.id} is {node.state} and allocated to {node.allocated_to}, not ready for {request.id}")
if args.cloud:
    import openstack

    cloud = openstack.connect(cloud=args.cloud)
    server = cloud.compute.get_server(node.external_id)
    print(f"server {server.name}: {server.status} on {server.compute_host}, image {cloud.image.get_image(server.image.id).name}")

# accept it, as Zuul does: lock the node, then the request is no longer needed
api.lockNode(node, blocking=True, timeout=10)
api.deleteNodeRequest(request)
node.state = zk.IN_USE
api.storeNode(node)
print(f"node {node.id} locked and in use")

# return it, as Zuul does after the job: used, then unlocked
node.state = zk.USED
api.storeNode(node)
api.unlockNode(node)
print(f"node {node.id} returned (used)")

if args.cloud:
    wait("deletion of the node", lambda: api.getNode(node.id) is None)
    wait("deletion of the server", lambda: cloud.compute.find_server(node.external_id) is None)
    print(f"node {node.id} and server {server.name} deleted")
else:
    def ready_again():
        for node_id in api.getNodes():
            other = api.getNode(node_id)
            if other and label in other.type and other.state == zk.READY and other.allocated_to is None:
                return other
        return None

    again = wait("the static node becoming ready again", ready_again)
    print(f"static node {again.hostname} is ready again as node {again.id}")
client.disconnect()
