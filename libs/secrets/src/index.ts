export * from './secret-values';
export * from './url-credentials';
