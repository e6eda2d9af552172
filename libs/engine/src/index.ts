export * from './build-output';
export * from './errors';
export * from './engine-client';
export * from './progress-stream';
export * from './container-client';
export * from './container-types';
export * from './container-output';
