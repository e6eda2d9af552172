#!/bin/sh
# The builder's readiness probe: ready once its image is uploaded to the
# cloud. A failed disk image build ends the wait at once, rather than at the
# time limit (nodepool would retry it for ever): the probe says so and
# passes, and the test steps then fail on the missing upload, one of them
# with the end of diskimage-builder's own log.
config=/etc/nodepool/nodepool.yaml
if nodepool -c "$config" image-list | grep debian-small | grep -q ' ready '; then
  echo "debian-small uploaded"
  exit 0
fi
if nodepool -c "$config" dib-image-list | grep debian-small | grep -q ' failed '; then
  echo "the debian-small build failed; see the build log step"
  exit 0
fi
exit 1
