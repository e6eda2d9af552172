export * from './labels';
export * from './input-digest';
export * from './build-record';
export * from './record-store';
