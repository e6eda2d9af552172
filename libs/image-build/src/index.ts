export * from './errors';
export * from './format';
export * from './git-info';
export * from './image-parents';
export * from './build-image';
export * from './run-summary';
export * from './image-sources';
export * from './build-policy';
export { processAlive } from './project-lock';
