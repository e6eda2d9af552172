export * from './record-store';
export * from './atomic-file';
