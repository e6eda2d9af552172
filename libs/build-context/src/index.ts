export * from './dockerignore';
export * from './context-entries';
export * from './tar-header';
export * from './tar-pack';
export * from './hash-stream';
export * from './image-context';
export * from './inside-folder';
