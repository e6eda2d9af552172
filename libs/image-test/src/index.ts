export * from './container-files';
export * from './run-image-tests';
export * from './run-scenario';
