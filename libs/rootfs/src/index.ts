export * from './rootfs-spec';
export * from './run-mmdebstrap';
