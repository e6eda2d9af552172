#!/bin/sh
# Installed by test/openstack: no package starts its service while the image is built.
exit 101
