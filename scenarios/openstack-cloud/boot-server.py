"""The OpenStack scenario's test: openstacksdk, as installed in the image
under test, drives the cloud of the scenario the way a user does: a shared
network, an image uploaded to Glance, a flavor, a server booted on Nova to
ACTIVE with a port bound by Neutron, listed, then deleted. Credentials come
from the OS_* environment, as openstacksdk reads them."""
import time
import uuid

import openstack
import openstack.version

started = time.monotonic()
conn = openstack.connect()
print(f"openstacksdk {openstack.version.__version__}")
suffix = uuid.uuid4().hex[:8]

network = conn.network.create_network(name=f"scenario-{suffix}", shared=True, provider_network_type="local")
# loopback addresses, no DHCP, no gateway: nothing ever sends traffic to a server of the fake driver
conn.network.create_subnet(network_id=network.id, ip_version=4, cidr="127.100.0.0/24", gateway_ip=None, enable_dhcp=False, name=f"scenario-{suffix}")
print(f"network {network.name}: {network.provider_network_type}")

image = conn.image.create_image(name=f"scenario-{suffix}", data=b"\0" * 1024 * 1024, disk_format="raw", container_format="bare", allow_duplicates=True)
image = conn.image.get_image(image.id)
print(f"image uploaded: {image.name} {image.status} {image.size} bytes")

flavor = conn.compute.create_flavor(name=f"scenario-{suffix}", ram=64, vcpus=1, disk=1)
server = conn.compute.create_server(name=f"scenario-{suffix}", image_id=image.id, flavor_id=flavor.id, networks=[{"uuid": network.id}])
server = conn.compute.wait_for_server(server, status="ACTIVE", wait=120, interval=1)
ports = list(conn.network.ports(device_id=server.id))
print(f"server ACTIVE: {server.name} on {server.hypervisor_hostname or server.compute_host} in {time.monotonic() - started:.1f} s")
print(f"port binding: {', '.join(f'{p.binding_vif_type} on {p.binding_host_id}' for p in ports)}")
print(f"addresses: {', '.join(ip['ip_address'] for p in ports for ip in p.fixed_ips)}")
print(f"listed: {', '.join(s.name for s in conn.compute.servers())}")

conn.compute.delete_server(server)
conn.compute.wait_for_delete(server, wait=60, interval=1)
remaining = [s.name for s in conn.compute.servers()]
print(f"deleted: {server.name} not in [{', '.join(remaining)}]; ports left: {len(list(conn.network.ports(device_id=server.id)))}")
