export * from './parse-dockerfile';
export * from './stages';
export * from './pin-parents';
export * from './append-labels';
