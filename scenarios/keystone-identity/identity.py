"""The Keystone scenario's test: openstacksdk, as installed in the image
under test, against the identity service of the scenario. Credentials come
from the OS_* environment, as openstacksdk reads them."""
import uuid

import openstack
import openstack.version

conn = openstack.connect()
print(f"openstacksdk {openstack.version.__version__}")
token = conn.auth_token
assert token, "no token"
print("token: ok")
catalogue = sorted(entry["type"] for entry in conn.service_catalog)
print(f"catalogue: {', '.join(catalogue)}")
name = f"scenario-{uuid.uuid4().hex[:8]}"
project = conn.identity.create_project(name=name, domain_id="default", description="made by the keystone scenario")
print(f"created project {project.name} ({project.id})")
names = sorted(p.name for p in conn.identity.projects())
print(f"listed: {', '.join(names)}")
assert name in names, f"{name} not listed"
