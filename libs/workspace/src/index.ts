export * from './workspace-files';
export * from './source-declaration';
export * from './workspace-model';
export * from './load-workspace-model';
export * from './json-problem';
