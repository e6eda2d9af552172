export * from './yaml-writer';
export * from './zuul-workspace';
export * from './zuul-graph';
export * from './zuul-jobs';
export * from './zuul-file';
export * from './from-workspace';
