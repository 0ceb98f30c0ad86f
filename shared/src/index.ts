export * from './errors.ts';
export * from './levels.ts';
