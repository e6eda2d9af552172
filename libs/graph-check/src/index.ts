export * from './namespace-rules';
export * from './image-reference';
export * from './check-workspace';
export * from './image-forest';
