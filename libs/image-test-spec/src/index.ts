export * from './field-reader';
export * from './test-spec';
export * from './image-checks';
export * from './scenario-spec';
