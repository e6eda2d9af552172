export * from './published-versions';
export * from './push-image';
export * from './promote-image';
