export * from './image-version';
export * from './tag-rules';
