export * from './engine';
export * from './second-engine';
