"""What a cloud operator does before nodepool uses a cloud: a shared network
(on loopback addresses, without DHCP or a gateway, so nothing is ever sent
to a server of the fake virt driver) and the flavor nodepool's pool names.
openstacksdk of this run, credentials from the OS_* environment."""
import openstack

conn = openstack.connect()
network = conn.network.create_network(name="nodepool", shared=True, provider_network_type="local")
conn.network.create_subnet(network_id=network.id, ip_version=4, cidr="127.100.0.0/24", gateway_ip=None, enable_dhcp=False, name="nodepool")
flavor = conn.compute.create_flavor(name="scenario-small", ram=64, vcpus=1, disk=2)
print(f"network {network.name} ({network.provider_network_type}, shared), flavor {flavor.name}")
images = [f"{image.name} {image.disk_format} {image.status}" for image in conn.image.images()]
print(f"images in Glance: {', '.join(images)}")
