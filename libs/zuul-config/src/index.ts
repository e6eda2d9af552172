export * from './yaml-writer';
export * from './zuul-jobs';
