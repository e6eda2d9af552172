export * from './properties';
export * from './dockerfile-cases';
