export * from './test-spec';
export * from './image-checks';
export * from './run-image-tests';
export * from './scenario-spec';
export * from './run-scenario';
