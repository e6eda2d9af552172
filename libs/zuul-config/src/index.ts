export * from './yaml-writer';
export * from './zuul-jobs';
export * from './from-workspace';
