export * from './secret-values';
