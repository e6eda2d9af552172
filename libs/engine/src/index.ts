export * from './build-output';
export * from './errors';
export * from './engine-client';
export * from './progress-stream';
