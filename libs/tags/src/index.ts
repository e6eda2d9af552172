export * from './image-version';
export * from './tag-rules';
export * from './tag-names';
