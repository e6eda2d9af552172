export * from './credentials';
export * from './registry-client';
