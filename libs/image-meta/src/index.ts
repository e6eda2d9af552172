export * from './labels';
export * from './input-digest';
export * from './build-record';
