export * from './namespace-rules';
export * from './workspace-model';
export * from './image-reference';
export * from './check-workspace';
export * from './load-workspace-model';
export * from './image-forest';
