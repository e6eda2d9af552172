export * from './user-error';
