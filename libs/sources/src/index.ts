export * from './zuul-projects';
export * from './source-version';
export * from './git-checkout';
export * from './resolve-source';
export * from './source-entries';
